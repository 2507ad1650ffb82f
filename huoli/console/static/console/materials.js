// Partner materials: a button to copy each badge's HTML. Without JavaScript (or a clipboard)
// the button stays hidden and the HTML is selected and copied from its read-only box.
const section = document.querySelector("[data-copied-text]");

for (const button of document.querySelectorAll("[data-copy]")) {
  if (!navigator.clipboard) break;
  const box = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[data-copied]");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(box.value);
      status.textContent = section.dataset.copiedText;
    } catch {
      box.focus();
      box.select();
    }
  });
}
