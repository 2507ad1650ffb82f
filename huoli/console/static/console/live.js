// Live connection of a console page: one websocket per tab, reconnecting with back-off.
// Events are documented in docs/events.md.
import { alertHandlers } from "./alerts.js";

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

// The queue, my chats and the duty list: fetched again (briefly debounced) when they change.
function refreshPanel() {
  if (!panel) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const response = await fetch(panel.dataset.url, { credentials: "same-origin" });
    if (response.ok) panel.innerHTML = await response.text();
    scheduleHoldEnd();
  }, 150);
}

// A chat offered first to a colleague who speaks its language: look again when that ends.
let holdTimer = null;
function scheduleHoldEnd() {
  clearTimeout(holdTimer);
  const ends = [...(panel?.querySelectorAll("[data-held-for]") || [])].map((e) => Number(e.dataset.heldFor));
  if (ends.length) holdTimer = setTimeout(refreshPanel, (Math.min(...ends) + 1) * 1000);
}
scheduleHoldEnd();

const handlers = {
  "staff.profile_updated"(event) {
    document.dispatchEvent(new CustomEvent("huoli:profile-updated", { detail: event }));
  },
  "queue.changed": refreshPanel,
  "conversation.activity": refreshPanel,
  ...alertHandlers,
};

let delay = 1000;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/console/ws/`);
  showState("connecting");
  socket.addEventListener("open", () => {
    delay = 1000;
    showState("open");
  });
  socket.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    const handler = handlers[event.type];
    if (handler) handler(event);
  });
  socket.addEventListener("close", (closing) => {
    showState("closed");
    if (closing.code === 4401) {
      location.reload();
      return;
    }
    // Jitter: after a server restart every client must not come back at the same moment.
    setTimeout(connect, delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 30000);
  });
}

connect();
