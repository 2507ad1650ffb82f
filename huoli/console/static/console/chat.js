// One conversation in the console: watch it over the console socket, send with ids made here,
// show "sent" only after the server's acknowledgement, resend after a reconnect. The socket
// itself (send, ack, retry, reconnect, resume) is the shared client (decision 0030).
import { messageGaps } from "../shared/message_gaps.js";
import { isolated, messageBody, messageTime } from "../shared/message_text.js";
import { liveSocket, newClientId } from "../shared/socket.js";
import { alertHandlers } from "./alerts.js";
import { staffNotes } from "./staff_notes.js";
import { notify } from "./notify.js";

const root = document.querySelector("[data-console-chat]");
if (root) {
  const conversationId = Number(root.dataset.conversation);
  const mayWrite = root.dataset.mayWrite === "1";
  const list = root.querySelector("[data-messages]");
  const typingLine = root.querySelector("[data-typing]");
  const form = root.querySelector("[data-send-form]");
  const box = form?.querySelector("textarea");
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  let leaving = false;
  window.addEventListener("beforeunload", () => (leaving = true));
  let typingTimer = null;

  const lastSeen = () =>
    Math.max(0, ...Array.from(list.querySelectorAll("[data-seq]"), (li) => Number(li.dataset.seq)));

  function item(message) {
    const li = document.createElement("li");
    li.className = `message ${message.sender}`;
    li.dataset.clientId = message.client_id;
    if (message.seq) li.dataset.seq = message.seq;
    const who = document.createElement("span");
    who.className = "who";
    who.append(message.sender === "visitor" ? texts.visitor : isolated(message.author_name));
    if (message.created_at) who.append(" · ", messageTime(message.created_at, list.dataset.timeZone));
    li.append(who, messageBody(message.body));
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

  // The conversation ended elsewhere (the visitor, a supervisor): say so here and now, put
  // away what only a live conversation offers, and offer the record at once.
  function ended(by) {
    const notice = document.querySelector("[data-ended-notice]");
    if (!notice || !notice.hidden) return;
    if (by === "visitor" && texts.visitor_ended) {
      notice.querySelector("[data-ended-text]").textContent = texts.visitor_ended;
    }
    const status = document.querySelector("[data-status]");
    if (status) status.textContent = texts.ended_status;
    for (const element of document.querySelectorAll("[data-live-only]")) element.remove();
    document.querySelector(".conversation-layout")?.classList.remove("with-directory");
    typingLine.hidden = true;
    notice.hidden = false;
    const link = notice.querySelector("[data-record-link]");
    if (link) {
      link.focus();
    } else {
      notice.tabIndex = -1;
      notice.focus();
    }
  }

  // Private notes between the staff (staff_notes.js): their own handlers, frames and form.
  const notes = staffNotes({ conversationId, texts, send: (frame) => socket.send(frame) });

  // A message whose event was lost on the way: asked for again (decision 0008).
  const gaps = messageGaps({
    has: (seq) => list.querySelector(`[data-seq="${seq}"]`) !== null,
    highest: lastSeen,
    ask: (after) =>
      socket.send({ type: "catch_up", conversation_id: conversationId, last_seq: after }),
  });

  // Whether this user answers the conversation (only they are told of a visitor's message;
  // an observing supervisor is not), and whether the page hears it live (after `watching`).
  let answering = false;
  let live = false;

  const handlers = {
    ...alertHandlers,
    ...notes.handlers,
    error(event) {
      notes.failed(event);
    },
    // What needs the counsellor elsewhere (notify.js): a new arrival in the queue, a visitor
    // writing in another of their chats, or in this one while the tab is hidden.
    "queue.changed"(event) {
      if (event.arrived) notify(event.arrived);
    },
    // The server sends none for the conversation this page watches: its messages tell.
    "conversation.activity"(event) {
      if (event.conversation_id !== conversationId) notify("activity");
    },
    "conversation.message"(event) {
      if (event.conversation_id !== conversationId) return;
      gaps.arrived(event.seq);
      const mine = list.querySelector(`[data-client-id="${CSS.escape(event.client_id)}"]`);
      // Shown already: an event sent again, or the answer to a catch-up.
      if (mine?.dataset.seq || (!mine && list.querySelector(`[data-seq="${event.seq}"]`))) return;
      mine?.remove();
      socket.delivered(event.client_id);
      place(item(event));
      if (event.sender === "visitor") typingLine.hidden = true;
      // Already on the page: sent from it (its ack carries it; the writer stored it as seen
      // when this page is its counsellor's), or an event that waited while the page's watch
      // read the conversation. Neither is news.
      if (mine) return;
      if (document.visibilityState === "visible") {
        socket.send({ type: "seen", conversation_id: conversationId, seq: event.seq });
      } else if (event.sender === "visitor" && answering && live) {
        // The counsellor answering it, for a message as it comes (not the catch-up after a
        // reconnect); the server sends this page no conversation.activity for it.
        notify("activity");
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
      if (event.conversation_id === conversationId && !leaving) ended(event.ended_by);
    },
    "conversation.released"(event) {
      // Transferred to a colleague: this page no longer hears it; back to the console home.
      if (event.conversation_id === conversationId && !leaving) location.assign("/console/");
    },
    // The conversation's highest seq, from the server's periodic look (decision 0008).
    latest(event) {
      if (event.conversation_id === conversationId) gaps.latest(event.last_seq);
    },
    // An answer holds so many messages at most: the rest is asked for from its last one.
    more(event) {
      if (event.conversation_id !== conversationId) return;
      socket.send({ type: "catch_up", conversation_id: conversationId, last_seq: event.last_seq });
    },
    watching(event) {
      // The page hears the conversation from now on (the browser tests wait for it).
      if (event.conversation_id !== conversationId) return;
      answering = event.answering;
      live = true;
      root.dataset.live = "watching";
    },
  };

  const socket = liveSocket({
    url: "/console/ws/?page=conversation",
    handlers,
    first: 500,
    most: 10000,
    // Signed out, or no longer allowed to use the console.
    reloadOn: [4401],
    onOpen({ send }) {
      live = false; // until `watching`: the frames before it are the catch-up
      send({
        type: "watch",
        conversation_id: conversationId,
        last_seq: gaps.resumeFrom(lastSeen()),
        last_note_id: notes.lastSeen(),
      });
      send({ type: "seen", conversation_id: conversationId, seq: lastSeen() });
      notes.resend(send);
    },
    messageFrame: (clientId, body) => ({
      type: "message",
      conversation_id: conversationId,
      client_id: clientId,
      body,
    }),
    acknowledged(entry, seq) {
      if (list.querySelector(`[data-seq="${seq}"]`)) {
        entry.element.remove();
      } else {
        entry.element.dataset.seq = seq;
        entry.element.querySelector(".state")?.remove();
      }
    },
    retrying(entry) {
      const state = entry.element.querySelector(".state");
      if (state) state.textContent = texts.retrying;
    },
    failed(entry, message) {
      entry.element.querySelector(".state").textContent = message || texts.failed;
    },
  });

  if (mayWrite && form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = box.value.trim();
      if (!body) return;
      const clientId = newClientId();
      const element = item({ sender: "counsellor", author_name: "", body, client_id: clientId });
      place(element);
      socket.post(clientId, { body, element });
      box.value = "";
      box.focus();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      } else {
        socket.typing({ type: "typing", conversation_id: conversationId });
      }
    });
  }
  for (const button of root.querySelectorAll("[data-canned]")) {
    button.addEventListener("click", () => {
      box.value = box.value ? `${box.value}\n${button.dataset.canned}` : button.dataset.canned;
      box.focus();
    });
  }
}
