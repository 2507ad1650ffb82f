// What needs the counsellor, on a console page without a live connection of its own (a case,
// a record, the directory, the profile…): the home page (live.js) and a conversation page
// (chat.js) hear the same with theirs. One socket per tab for the staff member's alerts
// (escalations, a visitor writing in one of their chats, profile changes) and for what
// arrives in the queue (docs/events.md); notify.js chimes, counts them in the tab's title and
// shows a desktop notification that says only what happened.
import { liveSocket } from "../shared/socket.js";
import { alertHandlers } from "./alerts.js";
import { notify } from "./notify.js";

liveSocket({
  url: "/console/ws/?page=notices",
  handlers: {
    ...alertHandlers,
    "queue.changed"(event) {
      if (event.arrived) notify(event.arrived);
    },
    "conversation.activity"() {
      notify("activity");
    },
  },
  first: 1000,
  most: 30000,
  // Signed out, or no longer allowed to use the console.
  reloadOn: [4401],
  // The connection's state on the notices' element (the browser tests wait for "open").
  onState(state) {
    const root = document.querySelector("[data-notify]");
    if (root) root.dataset.live = state;
  },
});
