// Telling counselling staff of what needs them (issue 18, docs/events.md): a calm chime (our
// own chime.wav), the count of what happened while the tab was hidden at the start of its title
// ("(2) Console · Huoli"), and, when the profile and the browser allow it, a desktop
// notification that says only what happened: never who, in which language, or what was written.
// The settings come from the profile (templates/console/_notify.html) and change with
// staff.profile_updated. Used by live.js, chat.js and alerts.js; the profile page asks the
// browser's permission from its button.
const root = document.querySelector("[data-notify]");
const audio = root?.querySelector("audio[data-notify-sound]");
const unmute = root?.querySelector("[data-notify-unmute]");
const settings = {
  sound: root?.dataset.sound === "1",
  volume: Number(root?.dataset.volume ?? 60),
  desktop: root?.dataset.desktop === "1",
  onDuty: root?.dataset.onDuty === "1",
};
// What comes into the queue: news only for staff on duty.
const QUEUE_KINDS = new Set(["chat", "call", "message", "callback"]);
const REPEAT_MS = 30_000;
const baseTitle = document.title;
let unseen = 0;
const repeating = new Map(); // key -> interval

function showTitle() {
  document.title = unseen ? `(${unseen}) ${baseTitle}` : baseTitle;
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && unseen) {
    unseen = 0;
    showTitle();
  }
});

function chime() {
  if (!audio || !settings.sound || settings.volume <= 0) return;
  audio.volume = Math.min(1, settings.volume / 100);
  audio.currentTime = 0;
  audio.play().then(
    () => {
      // A count the browser tests read (data-played).
      root.dataset.played = String(Number(root.dataset.played) + 1);
      if (unmute) unmute.hidden = true;
    },
    (error) => {
      // The browser refuses sound before the first click on the page: offer one.
      if (error.name === "NotAllowedError" && unmute) unmute.hidden = false;
    },
  );
}

unmute?.addEventListener("click", () => {
  unmute.hidden = true;
  chime();
});

function desktop(kind) {
  if (!settings.desktop || !("Notification" in window) || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible") return;
  const text = root.querySelector(`[data-notify-text="${kind}"]`)?.textContent;
  if (!text) return;
  let notice;
  try {
    // The same tag replaces the previous notice of its kind (and one from another tab).
    notice = new Notification(text, { tag: `huoli-${kind}`, silent: true, lang: document.documentElement.lang });
  } catch {
    return; // Some browsers (Chrome on Android) make them only from a service worker.
  }
  notice.addEventListener("click", () => {
    window.focus();
    notice.close();
  });
}

// Something needs the staff member: kind is chat, call, message, callback (into the queue),
// activity (a visitor wrote in one of their chats) or escalation. ``repeat``: a key; the chime
// comes again every 30 s until ``settled(key)``.
export function notify(kind, { repeat = "" } = {}) {
  if (!root) return;
  if (QUEUE_KINDS.has(kind) && !settings.onDuty) return;
  if (document.visibilityState !== "visible") {
    unseen += 1;
    showTitle();
  }
  chime();
  desktop(kind);
  if (repeat && !repeating.has(repeat)) {
    repeating.set(repeat, setInterval(chime, REPEAT_MS));
    root.dataset.repeating = String(repeating.size); // read by the browser tests
  }
}

export function settled(key) {
  if (!root || !repeating.has(key)) return;
  clearInterval(repeating.get(key));
  repeating.delete(key);
  root.dataset.repeating = String(repeating.size);
}

// staff.profile_updated: the new settings, at once in every open tab.
export function profileUpdated(event) {
  if (!root || !("notify_sound" in event)) return;
  settings.sound = Boolean(event.notify_sound);
  settings.volume = Number(event.notify_volume);
  settings.desktop = Boolean(event.notify_desktop);
  root.dataset.sound = settings.sound ? "1" : "0";
  root.dataset.volume = String(settings.volume);
  root.dataset.desktop = settings.desktop ? "1" : "0";
}

// The profile's permission control: the browser is asked only when the button is pressed.
const permission = document.querySelector("[data-notify-permission]");
if (permission) {
  const ask = permission.querySelector("[data-permission-ask]");
  const show = () => {
    const state = "Notification" in window ? Notification.permission : "unsupported";
    for (const span of permission.querySelectorAll("[data-permission-state]")) {
      span.hidden = span.dataset.permissionState !== state;
    }
    ask.hidden = state !== "default";
  };
  show();
  ask.addEventListener("click", async () => {
    await Notification.requestPermission();
    show();
  });
}
