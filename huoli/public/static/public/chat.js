// The visitor's live chat. Messages carry an id made here; a message counts as sent only when
// the server acknowledges it after commit, and unacknowledged ones are sent again after a
// reconnect. After a reconnect the server sends every message after the last one seen.
const root = document.querySelector("[data-chat]");
const form = root && root.querySelector("[data-send-form]");

if (root && form && root.classList.contains("live")) {
  const list = root.querySelector("[data-messages]");
  const statusLine = root.querySelector("[data-status]");
  const typingLine = root.querySelector("[data-typing]");
  const announce = root.querySelector("[data-announce]");
  const box = form.querySelector("textarea");
  const endForm = root.querySelector("[data-end-form]");
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  const pending = new Map(); // client id -> {body, element}
  let socket = null;
  let delay = 500;
  let lastTyping = 0;
  let typingTimer = null;

  const seen = () => {
    let last = 0;
    for (const item of list.querySelectorAll("[data-seq]")) {
      last = Math.max(last, Number(item.dataset.seq));
    }
    return last;
  };

  const newId = () => {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  function render(message, element) {
    const item = element || document.createElement("li");
    item.className = `message ${message.sender}`;
    item.dataset.clientId = message.client_id;
    if (message.seq) item.dataset.seq = message.seq;
    item.replaceChildren();
    const who = document.createElement("span");
    who.className = "who";
    who.textContent =
      message.sender === "visitor" ? texts.you : message.author_name || texts.counsellor;
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = message.body;
    item.append(who, body);
    if (!message.seq) {
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = texts.sending;
      item.append(state);
    }
    return item;
  }

  function place(item) {
    list.querySelector("[data-empty]")?.remove();
    const seq = Number(item.dataset.seq || Infinity);
    for (const other of list.querySelectorAll("[data-seq]")) {
      if (Number(other.dataset.seq) > seq) {
        list.insertBefore(item, other);
        return;
      }
    }
    list.append(item);
  }

  function receiveMessage(message) {
    const mine = list.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
    if (!mine && list.querySelector(`[data-seq="${message.seq}"]`)) return;
    pending.delete(message.client_id);
    const item = render(message, mine);
    if (mine) mine.remove();
    place(item);
    if (message.sender !== "visitor") {
      typingLine.hidden = true;
      // Screen readers hear each new answer once, without re-reading the whole history.
      announce.textContent = `${message.author_name || texts.counsellor}: ${message.body}`;
    }
    item.scrollIntoView({ block: "nearest" });
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function showState(state) {
    if (state.status === "queued") {
      setStatus(
        state.position
          ? texts.queue.replace("%(position)s", state.position).replace("%(minutes)s", state.wait_minutes)
          : texts.waiting,
      );
    } else if (state.status === "active") {
      setStatus(state.counsellor_name ? texts.joined.replace("%(name)s", state.counsellor_name) : "");
    } else if (state.status === "ended") {
      location.reload();
    }
  }

  const handlers = {
    state: showState,
    "conversation.message": receiveMessage,
    "conversation.joined": (event) => setStatus(texts.joined.replace("%(name)s", event.counsellor_name)),
    "conversation.ended": () => location.reload(),
    "queue.position": (event) => showState({ status: "queued", ...event }),
    "conversation.typing": () => {
      typingLine.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typingLine.hidden = true), 4000);
    },
    ack: (event) => {
      const entry = pending.get(event.client_id);
      if (entry && !list.querySelector(`[data-seq="${event.seq}"]`)) {
        entry.element.dataset.seq = event.seq;
        entry.element.querySelector(".state")?.remove();
        pending.delete(event.client_id);
      }
    },
    error: (event) => {
      if (event.retry && event.client_id && pending.has(event.client_id)) {
        retryLater(event.client_id);
      } else if (event.client_id && pending.has(event.client_id)) {
        const entry = pending.get(event.client_id);
        pending.delete(event.client_id);
        entry.element.querySelector(".state").textContent = event.message || texts.failed;
      } else if (event.message) {
        setStatus(event.message);
      }
    },
  };

  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(payload));
      return true;
    }
    return false;
  }

  // The server could not store it just now (promise 7, docs/design.md): keep it and
  // send it again soon.
  function retryLater(id) {
    const entry = pending.get(id);
    entry.retries = (entry.retries || 0) + 1;
    const state = entry.element.querySelector(".state");
    if (state) state.textContent = texts.retrying;
    setTimeout(() => {
      if (pending.has(id)) send({ type: "message", client_id: id, body: entry.body });
    }, Math.min(1000 * 2 ** entry.retries, 15000) * (0.5 + Math.random()));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/chat/ws/`);
    socket.addEventListener("open", () => {
      delay = 500;
      send({ type: "hello", last_seq: seen() });
      for (const [clientId, entry] of pending) {
        send({ type: "message", client_id: clientId, body: entry.body });
      }
    });
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      handlers[event.type]?.(event);
    });
    socket.addEventListener("close", (closing) => {
      if (closing.code === 4403) {
        // Signed out: the code was used in another browser, or it was blocked.
        location.reload();
        return;
      }
      if (closing.code === 4429) {
        // Too many windows: keep the server's message and try again slowly.
        delay = 10000;
      } else {
        setStatus(texts.reconnecting);
      }
      // Jitter: after a server restart every client must not come back at the same moment.
      setTimeout(connect, delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 10000);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = box.value.trim();
    if (!body) return;
    const clientId = newId();
    const element = render({ sender: "visitor", body, client_id: clientId });
    place(element);
    pending.set(clientId, { body, element });
    send({ type: "message", client_id: clientId, body });
    box.value = "";
    box.focus();
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    const now = Date.now();
    if (now - lastTyping > 2000) {
      lastTyping = now;
      send({ type: "typing" });
    }
  });

  endForm?.addEventListener("submit", (event) => {
    if (send({ type: "end" })) event.preventDefault();
  });

  connect();
}

const copy = document.querySelector("[data-copy-code]");
if (copy && navigator.clipboard) {
  copy.hidden = false;
  copy.addEventListener("click", async () => {
    const code = document.querySelector("[data-code]").dataset.code;
    await navigator.clipboard.writeText(code);
    document.querySelector("[data-copied]").hidden = false;
  });
}
