// Escalation alerts on every console page with a live connection (docs/events.md).
const region = document.querySelector("[data-alerts]");
const template = document.querySelector("template[data-alert-template]");

export const alertHandlers = {
  "escalation.opened"(event) {
    if (!region || !template) return;
    if (region.querySelector(`[data-escalation="${event.escalation_id}"]`)) return;
    const alert = template.content.firstElementChild.cloneNode(true);
    alert.dataset.escalation = event.escalation_id;
    alert.querySelector("[data-name]").textContent = event.opened_by;
    alert.querySelector("a").href = event.url;
    region.append(alert);
  },
  "escalation.updated"(event) {
    for (const box of document.querySelectorAll(`[data-escalation-status="${event.escalation_id}"]`)) {
      box.querySelector("[data-status-label]").textContent = event.status_label;
      const who = box.querySelector("[data-supervisor]");
      if (who && event.supervisor) {
        who.textContent = ` · ${box.dataset.acknowledgedText.replace("%(name)s", event.supervisor)}`;
      }
    }
  },
};
