// Live connection of a console page: one websocket per tab, reconnecting with back-off
// through the shared client (decision 0030). Events are documented in docs/events.md.
import { liveSocket } from "../shared/socket.js";
import { alertHandlers } from "./alerts.js";
import { notify } from "./notify.js";

const status = document.querySelector("[data-live-status]");

function showState(state) {
  if (!status) return;
  status.hidden = false;
  for (const span of status.querySelectorAll("[data-state]")) {
    span.hidden = span.dataset.state !== state;
  }
}

const panel = document.querySelector("[data-work-panel]");
let refreshTimer = null;
let shownAt = Date.now(); // when the panel's figures were made

// The queue, my chats and the duty list: fetched again (briefly debounced) when they change.
function refreshPanel() {
  if (!panel) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const response = await fetch(panel.dataset.url, { credentials: "same-origin" });
    if (response.ok) {
      panel.innerHTML = await response.text();
      shownAt = Date.now();
    }
    scheduleHoldEnd();
  }, 150);
}

// Waiting times and call lengths ([data-elapsed], seconds when the panel was made) count on
// between refreshes, from this page's clock so a skewed clock does not matter.
setInterval(() => {
  const more = Math.floor((Date.now() - shownAt) / 1000);
  for (const element of panel?.querySelectorAll("[data-elapsed]") || []) {
    const seconds = Number(element.dataset.elapsed) + more;
    element.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }
}, 1000);

// A chat offered first to a colleague who speaks its language: look again when that ends.
let holdTimer = null;
function scheduleHoldEnd() {
  clearTimeout(holdTimer);
  const ends = [...(panel?.querySelectorAll("[data-held-for]") || [])].map((e) => Number(e.dataset.heldFor));
  if (ends.length) holdTimer = setTimeout(refreshPanel, (Math.min(...ends) + 1) * 1000);
}
scheduleHoldEnd();

const handlers = {
  ...alertHandlers,
  "queue.changed"(event) {
    refreshPanel();
    if (event.arrived) notify(event.arrived);
  },
  "conversation.activity"() {
    refreshPanel();
    notify("activity");
  },
};

liveSocket({
  url: "/console/ws/",
  handlers,
  first: 1000,
  most: 30000,
  // Signed out, or no longer allowed to use the console.
  reloadOn: [4401],
  onState: showState,
  // Events are not kept for a socket that was away: after a reconnect, fetch the panel again.
  onOpen({ again }) {
    if (again) refreshPanel();
  },
});
