// Escalation alerts on every console page with a live connection (docs/events.md), and the
// staff member's own profile changes (the softphone and the notices follow them).
import { notify, profileUpdated, settled } from "./notify.js";

const region = document.querySelector("[data-alerts]");
const template = document.querySelector("template[data-alert-template]");

export const alertHandlers = {
  "staff.profile_updated"(event) {
    profileUpdated(event);
    document.dispatchEvent(new CustomEvent("huoli:profile-updated", { detail: event }));
  },
  "escalation.opened"(event) {
    if (!region || !template) return;
    if (region.querySelector(`[data-escalation="${event.escalation_id}"]`)) return;
    const alert = template.content.firstElementChild.cloneNode(true);
    alert.dataset.escalation = event.escalation_id;
    alert.querySelector("[data-name]").textContent = event.opened_by;
    alert.querySelector("a").href = event.url;
    region.append(alert);
    // Rings again every 30 s until a supervisor acknowledges it (escalation.updated).
    notify("escalation", { repeat: `escalation:${event.escalation_id}` });
  },
  "escalation.updated"(event) {
    if (event.status !== "open") settled(`escalation:${event.escalation_id}`);
    for (const box of document.querySelectorAll(`[data-escalation-status="${event.escalation_id}"]`)) {
      box.querySelector("[data-status-label]").textContent = event.status_label;
      const who = box.querySelector("[data-supervisor]");
      if (who && event.supervisor) {
        who.textContent = ` · ${box.dataset.acknowledgedText.replace("%(name)s", event.supervisor)}`;
      }
    }
  },
};
