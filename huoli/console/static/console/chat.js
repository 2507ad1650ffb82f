// One conversation in the console: watch it over the console socket, send with ids made here,
// show "sent" only after the server's acknowledgement, resend after a reconnect.
import { alertHandlers } from "./alerts.js";

const root = document.querySelector("[data-console-chat]");
if (root) {
  const conversationId = Number(root.dataset.conversation);
  const mayWrite = root.dataset.mayWrite === "1";
  const list = root.querySelector("[data-messages]");
  const typingLine = root.querySelector("[data-typing]");
  const form = root.querySelector("[data-send-form]");
  const box = form?.querySelector("textarea");
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  const pending = new Map();
  let leaving = false;
  window.addEventListener("beforeunload", () => (leaving = true));
  let socket = null;
  let delay = 500;
  let lastTyping = 0;
  let typingTimer = null;

  const lastSeen = () =>
    Math.max(0, ...Array.from(list.querySelectorAll("[data-seq]"), (li) => Number(li.dataset.seq)));
  const send = (payload) => {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(payload));
    return true;
  };
  const newId = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

  function item(message) {
    const li = document.createElement("li");
    li.className = `message ${message.sender}`;
    li.dataset.clientId = message.client_id;
    if (message.seq) li.dataset.seq = message.seq;
    const who = document.createElement("span");
    who.className = "who";
    const time = message.created_at ? new Date(message.created_at).toTimeString().slice(0, 5) : "";
    who.textContent = `${message.sender === "visitor" ? texts.visitor : message.author_name} · ${time}`;
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = message.body;
    li.append(who, body);
    if (!message.seq) {
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = texts.sending;
      li.append(state);
    }
    return li;
  }

  function place(li) {
    list.querySelector("[data-empty]")?.remove();
    const seq = Number(li.dataset.seq || Infinity);
    const after = Array.from(list.querySelectorAll("[data-seq]")).find((o) => Number(o.dataset.seq) > seq);
    list.insertBefore(li, after || null);
    li.scrollIntoView({ block: "nearest" });
  }

  const handlers = {
    ...alertHandlers,
    "conversation.message"(event) {
      if (event.conversation_id !== conversationId) return;
      const mine = list.querySelector(`[data-client-id="${CSS.escape(event.client_id)}"]`);
      if (!mine && list.querySelector(`[data-seq="${event.seq}"]`)) return;
      mine?.remove();
      pending.delete(event.client_id);
      place(item(event));
      if (event.sender === "visitor") typingLine.hidden = true;
      if (document.visibilityState === "visible") {
        send({ type: "seen", conversation_id: conversationId, seq: event.seq });
      }
    },
    "conversation.typing"(event) {
      if (event.conversation_id !== conversationId) return;
      typingLine.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typingLine.hidden = true), 4000);
    },
    "conversation.ended"(event) {
      // Not while this page is already leaving (its own "End chat" form was sent).
      if (event.conversation_id === conversationId && !leaving) location.reload();
    },
    "conversation.released"(event) {
      // Transferred to a colleague: this page no longer hears it; back to the console home.
      if (event.conversation_id === conversationId && !leaving) location.assign("/console/");
    },
    ack(event) {
      const entry = pending.get(event.client_id);
      if (!entry) return;
      pending.delete(event.client_id);
      if (list.querySelector(`[data-seq="${event.seq}"]`)) {
        entry.element.remove();
      } else {
        entry.element.dataset.seq = event.seq;
        entry.element.querySelector(".state")?.remove();
      }
    },
    error(event) {
      const entry = event.client_id && pending.get(event.client_id);
      if (entry && event.retry) {
        retryLater(event.client_id);
      } else if (entry) {
        pending.delete(event.client_id);
        entry.element.querySelector(".state").textContent = event.message || texts.failed;
      }
    },
  };

  // The server could not store it just now (promise 7, docs/design.md): keep it and
  // send it again soon.
  function retryLater(id) {
    const entry = pending.get(id);
    entry.retries = (entry.retries || 0) + 1;
    const state = entry.element.querySelector(".state");
    if (state) state.textContent = texts.retrying;
    setTimeout(() => {
      if (pending.has(id)) send({ type: "message", conversation_id: conversationId, client_id: id, body: entry.body });
    }, Math.min(1000 * 2 ** entry.retries, 15000) * (0.5 + Math.random()));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/console/ws/?page=conversation`);
    socket.addEventListener("open", () => {
      delay = 500;
      send({ type: "watch", conversation_id: conversationId, last_seq: lastSeen() });
      for (const [clientId, entry] of pending) {
        send({ type: "message", conversation_id: conversationId, client_id: clientId, body: entry.body });
      }
      send({ type: "seen", conversation_id: conversationId, seq: lastSeen() });
    });
    socket.addEventListener("message", (message) => {
      try {
        const event = JSON.parse(message.data);
        handlers[event.type]?.(event);
      } catch {
        /* a frame that is not JSON is ignored */
      }
    });
    socket.addEventListener("close", (closing) => {
      if (closing.code === 4401) return location.reload();
      // Jitter: after a server restart every client must not come back at the same moment.
      setTimeout(connect, delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 10000);
    });
  }

  if (mayWrite && form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = box.value.trim();
      if (!body) return;
      const clientId = newId();
      const element = item({ sender: "counsellor", author_name: "", body, client_id: clientId });
      place(element);
      pending.set(clientId, { body, element });
      send({ type: "message", conversation_id: conversationId, client_id: clientId, body });
      box.value = "";
      box.focus();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      } else if (Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        send({ type: "typing", conversation_id: conversationId });
      }
    });
  }
  for (const button of root.querySelectorAll("[data-canned]")) {
    button.addEventListener("click", () => {
      box.value = box.value ? `${box.value}\n${button.dataset.canned}` : button.dataset.canned;
      box.focus();
    });
  }
  connect();
}
