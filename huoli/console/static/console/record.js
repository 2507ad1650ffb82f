// Contact record drafts save while the counsellor types: one save at a time, shortly after
// the last change. Without JavaScript the "Save draft" button does the same.
const form = document.querySelector("[data-record-form]");
const status = document.querySelector("[data-autosave-status]");
const texts = JSON.parse(document.getElementById("record-texts")?.textContent || "{}");
const DELAY_MS = 1200;

let timer = null;
let saving = false;
let again = false;
let submitting = false;
// A submit pressed while a save is on its way waits for it (so a new call is stored once).
let pendingSubmit = null;

function say(text, link) {
  if (!status) return;
  status.textContent = text;
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link;
    anchor.textContent = texts.escalation || link;
    status.append(" ", anchor);
  }
}

async function save() {
  if (submitting) return;
  if (saving) {
    again = true;
    return;
  }
  saving = true;
  say(texts.saving);
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { [form.dataset.autosaveHeader]: "1" },
    });
    const result = await response.json();
    if (!response.ok) {
      say(result.error || texts.failed);
    } else {
      if (form.action !== new URL(result.url, location.href).href) {
        form.action = result.url;
        history.replaceState(null, "", result.url);
      }
      say(result.saved, result.escalation_url);
    }
  } catch {
    say(texts.failed);
  } finally {
    saving = false;
    if (pendingSubmit) {
      const submitter = pendingSubmit;
      pendingSubmit = null;
      form.requestSubmit(submitter);
    } else if (again) {
      again = false;
      schedule();
    }
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(save, DELAY_MS);
}

if (form) {
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (saving) {
      event.preventDefault();
      pendingSubmit = event.submitter;
      return;
    }
    submitting = true;
  });
}
