// The one socket client of the live pages: the visitor's chat (public/chat.js), the console's
// conversation page (console/chat.js) and the console's live panel (console/live.js).
// Served to both sides from the shared static tree (decision 0030), so it knows neither: each
// page gives it the address, its frames and what to show.
//
// What it does for every page (docs/architecture.md, "The path of one message"):
// - connect, and reconnect after any close with a jittered back-off (first, doubling up to most),
//   except after a close code in `reloadOn` (signed out: the page reloads) and waiting `most` at
//   once after a code in `slowOn` (the server asked us to come back later);
// - resume: `onOpen({ again, send })` runs on every open before the pending messages are sent
//   again, so the page sends its `hello` or `watch` with the last seq it has first (or, without
//   a seq, fetches again what it shows: `again` is true from the second open on);
// - send: `post(clientId, entry)` sends the page's message frame for a client id made by
//   `newClientId()` (the page shows the message under that id first); the entry
//   stays pending ("Sending…") until the server's `ack` after commit, which carries the stored
//   message: it goes to the page's `conversation.message` handler, as the event the server no
//   longer sends to the socket that sent the message (else `acknowledged`); pending entries are sent
//   again, with the same client id, after every reconnect, and again with a back-off when the
//   server answers `error` with `retry` (it could not store it just now; promise 7,
//   docs/design.md);
// - typing: `typing(frame)` sends at most one typing frame every two seconds.
// Frames that are not JSON are ignored; every other frame goes to the page's handlers by type.

const TYPING_INTERVAL = 2000;

export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The pause before the next attempt: 50 % to 150 % of `base`, so that after a server restart
// every client does not come back at the same moment.
const jittered = (base) => base * (0.5 + Math.random());

export function liveSocket({
  url,
  handlers = {},
  first = 500,
  most = 10000,
  reloadOn = [],
  slowOn = [],
  onOpen = () => {},
  onState = () => {},
  messageFrame = (clientId, body) => ({ type: "message", client_id: clientId, body }),
  acknowledged = () => {},
  retrying = () => {},
  failed = () => {},
}) {
  const pending = new Map(); // client id -> the page's entry ({body, element, …})
  let socket = null;
  let delay = first;
  let opened = false;
  let lastTyping = 0;

  function send(payload) {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(payload));
    return true;
  }

  function retryLater(clientId) {
    const entry = pending.get(clientId);
    entry.retries = (entry.retries || 0) + 1;
    retrying(entry);
    setTimeout(() => {
      if (pending.has(clientId)) send(messageFrame(clientId, entry.body));
    }, jittered(Math.min(1000 * 2 ** entry.retries, 15000)));
  }

  // Delivery frames: the client owns those about its pending messages.
  const delivery = {
    ack(event) {
      if (event.message && handlers[event.message.type]) {
        // The stored message itself: the server does not send this socket its event again.
        pending.delete(event.client_id);
        handlers[event.message.type](event.message);
        return;
      }
      const entry = pending.get(event.client_id);
      if (!entry) return;
      pending.delete(event.client_id);
      acknowledged(entry, event.seq);
    },
    error(event) {
      const entry = event.client_id && pending.get(event.client_id);
      if (entry && event.retry) {
        retryLater(event.client_id);
      } else if (entry) {
        pending.delete(event.client_id);
        failed(entry, event.message);
      } else {
        handlers.error?.(event);
      }
    },
  };

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${url}`);
    onState("connecting");
    socket.addEventListener("open", () => {
      delay = first;
      onState("open");
      onOpen({ again: opened, send });
      opened = true;
      for (const [clientId, entry] of pending) send(messageFrame(clientId, entry.body));
    });
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return; // a frame that is not JSON is ignored
      }
      (delivery[event.type] || handlers[event.type])?.(event);
    });
    socket.addEventListener("close", (closing) => {
      if (reloadOn.includes(closing.code)) {
        location.reload();
        return;
      }
      if (slowOn.includes(closing.code)) delay = most;
      onState("closed", closing.code);
      setTimeout(connect, jittered(delay));
      delay = Math.min(delay * 2, most);
    });
  }

  connect();

  return {
    send,
    // Sends a new message; `entry` (its `body`, and whatever the page keeps with it, e.g. its
    // element) is pending until acknowledged, and given back to the page's callbacks.
    post(clientId, entry) {
      pending.set(clientId, entry);
      send(messageFrame(clientId, entry.body));
    },
    // The server sent the message itself (this page's own, by its client id): done with it.
    delivered(clientId) {
      pending.delete(clientId);
    },
    typing(frame) {
      const now = Date.now();
      if (now - lastTyping > TYPING_INTERVAL) {
        lastTyping = now;
        send(frame);
      }
    },
  };
}
