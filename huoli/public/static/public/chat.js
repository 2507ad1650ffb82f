// The visitor's live chat. Messages carry an id made here; a message counts as sent only when
// the server acknowledges it after commit, and unacknowledged ones are sent again after a
// reconnect. After a reconnect the server sends every message after the last one seen.
// The socket itself (send, ack, retry, reconnect, resume) is the shared client (decision 0030).
import { isolated, messageBody, messageTime } from "../shared/message_text.js";
import { messageGaps } from "../shared/message_gaps.js";
import { liveSocket, newClientId } from "../shared/socket.js";

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
  let typingTimer = null;

  const seen = () => {
    let last = 0;
    for (const item of list.querySelectorAll("[data-seq]")) {
      last = Math.max(last, Number(item.dataset.seq));
    }
    return last;
  };

  function render(message, element) {
    const item = element || document.createElement("li");
    item.className = `message ${message.sender}`;
    item.dataset.clientId = message.client_id;
    if (message.seq) item.dataset.seq = message.seq;
    item.replaceChildren();
    const who = document.createElement("span");
    who.className = "who";
    if (message.sender === "visitor") who.textContent = texts.you;
    else if (message.author_name) who.append(isolated(message.author_name));
    else who.textContent = texts.counsellor;
    if (message.created_at) who.append(" · ", messageTime(message.created_at, list.dataset.timeZone));
    item.append(who, messageBody(message.body));
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

  // A message whose event was lost on the way: asked for again (decision 0008).
  const gaps = messageGaps({
    has: (seq) => list.querySelector(`[data-seq="${seq}"]`) !== null,
    highest: seen,
    ask: (after) => socket.send({ type: "catch_up", last_seq: after }),
  });

  function receiveMessage(message) {
    gaps.arrived(message.seq);
    const mine = list.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
    // Shown already: an event sent again, or the answer to a catch-up.
    if (mine?.dataset.seq || (!mine && list.querySelector(`[data-seq="${message.seq}"]`))) return;
    socket.delivered(message.client_id);
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

  // After the waiting limit (the server's count of seconds), offer to keep waiting or to
  // leave the chat as a message; the offer's buttons are ordinary forms.
  const offer = root.querySelector("[data-wait-offer]");
  let offerTimer = null;
  if (offer && offer.hidden) {
    offerTimer = setTimeout(() => {
      offer.hidden = false;
      // Screen readers hear the offer once; the focus stays where the visitor is writing.
      announce.textContent = offer.querySelector("[data-offer-text]").textContent;
    }, Number(offer.dataset.offerIn) * 1000);
  }

  // A counsellor took the chat (or it became a message): nothing left to offer.
  function withdrawOffer() {
    clearTimeout(offerTimer);
    offer?.remove();
  }

  function becameMessage(text) {
    withdrawOffer();
    root.querySelector("[data-end-chat]")?.remove();
    setStatus(text ? `${text} ${texts.message}` : texts.message);
  }

  function showState(state) {
    if (state.kind === "message") {
      becameMessage("");
    } else if (state.status === "queued") {
      // The server words the place and the wait: only it knows each language's plural forms.
      setStatus(state.position && state.queue_text ? state.queue_text : texts.waiting);
    } else if (state.status === "active") {
      withdrawOffer();
      setStatus(state.counsellor_name ? texts.joined.replace("%(name)s", state.counsellor_name) : "");
    } else if (state.status === "ended") {
      location.reload();
    }
  }

  const handlers = {
    state: (state) => {
      // Its `last_seq` is the conversation's highest seq, as a `latest` frame's is.
      gaps.latest(state.last_seq);
      showState(state);
    },
    "conversation.message": receiveMessage,
    // The conversation's highest seq, from the server's periodic look (decision 0008).
    latest: (event) => gaps.latest(event.last_seq),
    // An answer holds so many messages at most: the rest is asked for from its last one.
    more: (event) => socket.send({ type: "catch_up", last_seq: event.last_seq }),
    "conversation.joined": (event) => {
      withdrawOffer();
      setStatus(texts.joined.replace("%(name)s", event.counsellor_name));
    },
    "conversation.ended": () => location.reload(),
    "queue.position": (event) => showState({ status: "queued", ...event }),
    "conversation.became_message": (event) => becameMessage(event.text),
    "conversation.typing": () => {
      typingLine.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typingLine.hidden = true), 4000);
    },
    error: (event) => {
      if (event.message) setStatus(event.message);
    },
  };

  const socket = liveSocket({
    // The page's language, for the texts the server writes (the chat may be in another).
    url: `/chat/ws/?lang=${encodeURIComponent(document.documentElement.lang)}`,
    handlers,
    first: 500,
    most: 10000,
    // Signed out: the code was used in another browser, or it was blocked.
    reloadOn: [4403],
    // Too many windows: keep the server's message and try again slowly.
    slowOn: [4429],
    onOpen: ({ send }) => send({ type: "hello", last_seq: gaps.resumeFrom(seen()) }),
    onState: (state, code) => {
      if (state === "closed" && code !== 4429) setStatus(texts.reconnecting);
    },
    acknowledged: (entry, seq) => {
      if (list.querySelector(`[data-seq="${seq}"]`)) {
        entry.element.remove();
      } else {
        entry.element.dataset.seq = seq;
        entry.element.querySelector(".state")?.remove();
      }
    },
    retrying: (entry) => {
      const state = entry.element.querySelector(".state");
      if (state) state.textContent = texts.retrying;
    },
    failed: (entry, message) => {
      entry.element.querySelector(".state").textContent = message || texts.failed;
    },
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = box.value.trim();
    if (!body) return;
    const clientId = newClientId();
    const element = render({ sender: "visitor", body, client_id: clientId });
    place(element);
    socket.post(clientId, { body, element });
    box.value = "";
    box.focus();
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    socket.typing({ type: "typing" });
  });

  endForm?.addEventListener("submit", (event) => {
    if (socket.send({ type: "end" })) event.preventDefault();
  });
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
