// Private notes between the staff of a live conversation (issue 18, "a private word"): the
// counsellor and a supervisor who observes or joined it write to each other; the visitor
// never sees them (the server sends them only to console sockets, conversation_staff.<id>).
// Sent over the console socket with an id made here, shown "Sending…" until the server's
// `staff_note.ack` after commit, sent again after a reconnect (a resend is harmless), and the
// notes missed while away come with the next `watch` (`last_note_id`).
import { isolated, messageBody, messageTime } from "../shared/message_text.js";
import { newClientId } from "../shared/socket.js";

export function staffNotes({ conversationId, texts, send }) {
  const panel = document.querySelector("[data-staff-notes]");
  const list = panel?.querySelector("[data-note-list]");
  const form = panel?.querySelector("[data-note-form]");
  const box = form?.querySelector("textarea");
  const error = form?.querySelector("[data-note-error]");
  const pending = new Map(); // client id -> { body, element }

  const lastSeen = () =>
    Math.max(0, ...Array.from(list?.querySelectorAll("[data-note-id]") || [], (li) => Number(li.dataset.noteId)));

  function item(note) {
    const li = document.createElement("li");
    li.className = "staff-note";
    li.dataset.clientId = note.client_id;
    if (note.note_id) li.dataset.noteId = note.note_id;
    const mark = document.createElement("strong");
    mark.className = "note-mark";
    mark.textContent = texts.note_mark;
    const who = document.createElement("span");
    who.className = "who";
    who.append(isolated(note.author_name));
    if (note.created_at) who.append(" · ", messageTime(note.created_at, list.dataset.timeZone));
    li.append(mark, who, messageBody(note.body));
    if (!note.note_id) {
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = texts.sending;
      li.append(state);
    }
    return li;
  }

  function place(li) {
    list.querySelector("[data-note-empty]")?.remove();
    list.append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function showError(message) {
    if (!error) return;
    error.textContent = message || "";
    error.hidden = !message;
  }

  const frame = (clientId, body) => ({ type: "staff_note", conversation_id: conversationId, client_id: clientId, body });

  const handlers = {
    "conversation.staff_note"(event) {
      if (!list || event.conversation_id !== conversationId) return;
      // The server's own rendition (with its time) replaces this page's copy of its note.
      const known =
        list.querySelector(`[data-note-id="${event.note_id}"]`) ||
        list.querySelector(`[data-client-id="${CSS.escape(event.client_id)}"]`);
      pending.delete(event.client_id);
      if (known) known.replaceWith(item(event));
      else place(item(event));
    },
    "staff_note.ack"(event) {
      const entry = pending.get(event.client_id);
      if (!entry) return;
      pending.delete(event.client_id);
      if (list.querySelector(`[data-note-id="${event.note_id}"]`)) {
        entry.element.remove();
      } else {
        entry.element.dataset.noteId = event.note_id;
        entry.element.querySelector(".state")?.remove();
      }
    },
  };

  // An error about one of our notes (e.g. too long, the chat ended): said beside the form.
  // Returns whether it was ours.
  function failed(event) {
    const entry = event.client_id && pending.get(event.client_id);
    if (!entry) return false;
    if (event.retry) {
      setTimeout(() => pending.has(event.client_id) && send(frame(event.client_id, entry.body)), 2000);
      return true;
    }
    pending.delete(event.client_id);
    entry.element.remove();
    if (box && !box.value) box.value = entry.body;
    showError(event.message || texts.failed);
    return true;
  }

  if (form) {
    // Our own translated words for an empty note, rather than the browser's bubble.
    form.noValidate = true;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = box.value.trim();
      if (!body) {
        showError(texts.note_empty);
        box.focus();
        return;
      }
      showError("");
      const clientId = newClientId();
      const element = item({ author_name: texts.you, body, client_id: clientId });
      place(element);
      pending.set(clientId, { body, element });
      send(frame(clientId, body));
      box.value = "";
      box.focus();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  return {
    handlers,
    failed,
    lastSeen,
    // After every (re)connect and its `watch`: the notes not yet acknowledged go again.
    resend(sendNow) {
      for (const [clientId, entry] of pending) sendNow(frame(clientId, entry.body));
    },
  };
}
