// The service directory beside a chat or a record: results follow the typing (one request
// at a time, the last one wins); sharing and referring stay on the page.
for (const form of document.querySelectorAll("[data-directory-search]")) {
  const results = form.parentElement.querySelector("[data-directory-results]");
  let timer = null;
  let latest = 0;

  async function search() {
    const ticket = ++latest;
    const query = new URLSearchParams(new FormData(form));
    const response = await fetch(`${form.dataset.resultsUrl}?${query}`, { credentials: "same-origin" });
    if (response.ok && ticket === latest) results.innerHTML = await response.text();
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });

  results.addEventListener("submit", async (event) => {
    const action = event.target.closest("[data-directory-action]");
    if (!action) return;
    event.preventDefault();
    const status = results.querySelector("[data-directory-status]");
    try {
      const response = await fetch(action.action, {
        method: "POST",
        // With the button pressed: "Share anyway" sends the confirmation's field.
        body: new FormData(action, event.submitter),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      const answer = await response.json();
      if (status) status.textContent = answer.message;
      if (response.ok) action.querySelector("details[open]")?.removeAttribute("open");
    } catch {
      action.submit();
    }
  });
}
