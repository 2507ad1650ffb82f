// Quick exit: replace this page (and its place in history) at once with the exit address,
// which forgets the conversation and redirects to the neutral site the administrators chose.
// Pressing Escape three times quickly does the same.
const link = document.querySelector("[data-quick-exit]");
if (link) {
  const leave = (event) => {
    if (event) event.preventDefault();
    document.body.hidden = true;
    location.replace(link.href);
  };
  link.addEventListener("click", leave);
  let presses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    presses = presses.filter((t) => now - t < 1500).concat(now);
    if (presses.length >= 3) leave();
  });
}
