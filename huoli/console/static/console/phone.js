// The console softphone (issue 15): registers this tab with the SIP server while the
// counsellor is on duty and takes calls, rings, answers, hangs up. The panel is
// console/_phone.html; its data-state is idle | registered | ringing | calling | talking |
// ended. It also phones families back from a call-back request's page (callBack()).
//
// The call lives in this page: leaving the page ends it. So the record of an answered call
// opens in a NEW TAB ("Open the record"), never in this one, and the page asks before it is
// left during a call. Opening the record here would drop the call; opening it by itself in a
// new tab would need a pop-up permission. The counsellor clicks the link while talking.
//
// ring.wav: made for Huoli with sox (no third-party sound): two soft sine notes, E5 then C5,
// faded, then silence, 2.2 s, 8 kHz 8-bit mono, played in a loop:
//   sox -n -r 8000 -c 1 n1.wav synth 0.35 sine 659.25 fade h 0.02 0.35 0.3 vol 0.35
//   sox -n -r 8000 -c 1 n2.wav synth 0.6 sine 523.25 fade h 0.02 0.6 0.55 vol 0.35
//   sox -n -r 8000 -c 1 sil.wav trim 0 1.25
//   sox -D n1.wav n2.wav sil.wav -b 8 -e unsigned-integer ring.wav
// The SIP library (250 KB) is loaded only while telephony is on: see makePhone().

const panel = document.querySelector("[data-phone]");
const REFRESH_MS = 5 * 60 * 1000; // the register token and the duty state, fetched again

function text(key) {
  const span = panel.querySelector(`[data-phone-texts] [data-key="${key}"]`);
  return span ? span.textContent : key;
}

function el(selector) {
  return panel.querySelector(selector);
}

const status = el("[data-phone-status]");
const box = el("[data-phone-call]");
const lineLabel = el("[data-phone-line]");
const durationLabel = el("[data-phone-duration]");
const errorBox = el("[data-phone-error]");
const recordBox = el("[data-phone-record]");
const ring = el("[data-phone-ring]");
const remote = el("[data-phone-remote]");
const buttons = Object.fromEntries(
  [...panel.querySelectorAll("[data-phone-action]")].map((b) => [b.dataset.phoneAction, b]),
);

let config = null;
let phone = null;
let call = null; // the current Call (shared/phone.js)
let answered = null; // the conversation id Huoli agreed we answer
let durationTimer = null;
let titleBefore = null;
let soundWaiting = false;

function setState(state) {
  panel.dataset.state = state;
}

function say(message) {
  status.textContent = message;
}

function showError(message) {
  errorBox.textContent = message || "";
  errorBox.hidden = !message;
}

function show(names) {
  for (const [name, button] of Object.entries(buttons)) button.hidden = !names.includes(name);
}

function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${m}:${s}` : `${m}:${s}`;
}

// The line a call came in on: the SIP server puts the line's language code ("fi") in From.
// Only a known code is shown: whatever else From holds (a caller's number, were the server
// misconfigured) never reaches the screen.
function lineName(session) {
  const identity = session.remote_identity;
  const candidates = [identity?.uri?.user, (identity?.display_name || "").split(" ").pop()];
  const languages = config?.languages || {};
  for (const code of candidates) if (code && Object.hasOwn(languages, code)) return languages[code];
  return "";
}

// --- Ringing: a calm sound and the count in the tab title, in a background tab too --------
// A looping <audio> keeps ringing without timers (timers are slowed in background tabs).
function startRinging() {
  if (titleBefore === null) {
    titleBefore = document.title;
    document.title = `(1) ${titleBefore}`;
  }
  ring.currentTime = 0;
  ring.play().catch(() => {
    // Chromium plays sound only after the user has clicked on the page once.
    soundWaiting = true;
    showError(text("sound_blocked"));
  });
}

function stopRinging() {
  ring.pause();
  soundWaiting = false;
  if (titleBefore !== null) {
    document.title = titleBefore;
    titleBefore = null;
  }
}

document.addEventListener(
  "pointerdown",
  () => {
    if (soundWaiting && call && call.state === "ringing") {
      soundWaiting = false;
      showError("");
      ring.play().catch(() => {});
    }
  },
  true,
);

// --- The duration while talking -------------------------------------------------------------
function tick() {
  if (call) durationLabel.textContent = clock(call.seconds());
}

function startClock() {
  durationLabel.hidden = false;
  tick();
  clearInterval(durationTimer);
  durationTimer = setInterval(tick, 1000);
}

function stopClock() {
  clearInterval(durationTimer);
  durationTimer = null;
  tick();
}

document.addEventListener("visibilitychange", tick);

// --- Talking to Huoli -----------------------------------------------------------------------
async function post(url) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": panel.dataset.csrf, "X-Requested-With": "fetch" },
  });
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return { ok: response.ok, status: response.status, body };
}

function callUrl(id, action) {
  return `/console/calls/${encodeURIComponent(id)}/${action}/`;
}

// --- One call -------------------------------------------------------------------------------
function incoming(newCall) {
  call = newCall;
  answered = null;
  const language = lineName(call.session);
  box.hidden = false;
  lineLabel.parentElement.hidden = false;
  recordBox.hidden = true;
  durationLabel.hidden = true;
  showError("");
  lineLabel.textContent = language ? `${text("ringing")} · ${language}` : text("ringing");
  buttons.mute.setAttribute("aria-pressed", "false");
  buttons.hold.setAttribute("aria-pressed", "false");
  show(["answer", "decline"]);
  setState("ringing");
  say(lineLabel.textContent);
  startRinging();

  call.onState((state, detail) => {
    if (state === "talking") {
      stopRinging();
      lineLabel.textContent = language ? `${text("talking")} · ${language}` : text("talking");
      show(["hangup", "mute", "hold"]);
      setState("talking");
      say(lineLabel.textContent);
      startClock();
    } else if (state === "ended") {
      ended(newCall, detail);
    }
  });
}

function ended(endedCall, detail) {
  stopRinging();
  stopClock();
  show([]);
  setState("ended");
  if (detail.talked) {
    say(text("ended"));
  } else if (detail.cause === "User Denied Media Access" || detail.cause === "WebRTC Error") {
    say(text("ended"));
    showError(text("no_microphone"));
  } else if (answered === null) {
    // Cancelled by the caller, answered elsewhere (cause CANCELED), or declined here.
    say(detail.originator === "local" ? text("ended") : text("missed"));
  } else {
    say(text("ended"));
  }
  if (!detail.talked) {
    // Never answered here: only an error, if any, stays in view.
    lineLabel.parentElement.hidden = true;
    box.hidden = errorBox.hidden;
  }
  if (answered !== null) {
    // Huoli hears the end from the SIP server too; this says it from our side.
    post(callUrl(answered, "end")).catch(() => {});
  }
  if (call === endedCall) call = null;
}

async function answer() {
  if (!call || call.state !== "ringing") return;
  const current = call;
  buttons.answer.disabled = true;
  showError("");
  try {
    if (!current.id) {
      // Every call Huoli rings carries its id: one without it is not ours to answer.
      current.decline();
      return;
    }
    const reply = await post(callUrl(current.id, "answer"));
    if (current.state !== "ringing") return; // it stopped ringing meanwhile
    if (!reply.ok) {
      showError(reply.body.error || text("failed_answer"));
      current.decline();
      return;
    }
    answered = current.id || null;
    if (reply.body.record_url) {
      recordBox.querySelector("a").href = reply.body.record_url;
      recordBox.hidden = false;
    }
    stopRinging();
    current.answer();
  } catch {
    showError(text("failed_answer"));
  } finally {
    buttons.answer.disabled = false;
  }
}

// --- Calling a family back (issue 16) -------------------------------------------------------
// The call-back page's "Call" button ([data-callback-call]: the URL that gives the one-time
// token). The SIP server asks Huoli for the number; this page never has it in the call.
function outgoing(newCall, label) {
  call = newCall;
  answered = null;
  box.hidden = false;
  lineLabel.parentElement.hidden = false;
  recordBox.hidden = true;
  durationLabel.hidden = true;
  showError("");
  lineLabel.textContent = `${text("calling")} · ${label}`;
  buttons.mute.setAttribute("aria-pressed", "false");
  buttons.hold.setAttribute("aria-pressed", "false");
  show(["hangup"]);
  setState("calling");
  say(lineLabel.textContent);
  call.onState((state, detail) => {
    if (state === "talking") {
      lineLabel.textContent = `${text("talking")} · ${label}`;
      show(["hangup", "mute", "hold"]);
      setState("talking");
      say(lineLabel.textContent);
      startClock();
    } else if (state === "ended") {
      stopClock();
      show([]);
      setState("ended");
      say(detail.talked ? text("ended") : text("not_reached"));
      if (call === newCall) call = null;
    }
  });
}

async function callBack(button) {
  if (!phone || (call && call.state !== "ended")) {
    showError(text(phone ? "busy" : "off"));
    box.hidden = false;
    return;
  }
  button.disabled = true;
  try {
    const reply = await post(button.dataset.callbackCall);
    if (!reply.ok) {
      box.hidden = false;
      showError(reply.body.error || text("failed_call"));
      return;
    }
    outgoing(
      phone.call("callback", { headers: [`X-Huoli-Call: ${reply.body.token}`] }),
      button.dataset.callbackLabel || "",
    );
  } catch {
    box.hidden = false;
    showError(text("failed_call"));
  } finally {
    button.disabled = false;
  }
}

function offerCallBack() {
  for (const button of document.querySelectorAll("[data-callback-call]")) {
    button.hidden = !(config && config.enabled);
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-callback-call]");
  if (button) callBack(button);
});

const actions = {
  answer,
  decline() {
    if (!call) return;
    // Huoli rings this console again for this call only if nobody else can take it.
    if (call.id) post(callUrl(call.id, "decline")).catch(() => {});
    call.decline();
  },
  hangup() {
    if (call) call.hangUp();
  },
  mute() {
    if (!call || call.state !== "talking") return;
    const muted = !call.muted;
    call.setMuted(muted);
    buttons.mute.setAttribute("aria-pressed", String(muted));
  },
  hold() {
    if (!call || call.state !== "talking") return;
    const held = !call.held;
    if (call.setHeld(held)) buttons.hold.setAttribute("aria-pressed", String(held));
  },
};

for (const [name, button] of Object.entries(buttons)) {
  button.addEventListener("click", () => actions[name]());
}

window.addEventListener("beforeunload", (event) => {
  if (call && call.state === "talking") {
    event.preventDefault();
    event.returnValue = text("leave");
  }
});

// Unregister when the page goes (a reload registers again at once).
window.addEventListener("pagehide", () => {
  if (phone) phone.stop();
});

// --- Registration ---------------------------------------------------------------------------
function idleState() {
  if (call) return;
  if (!config || !config.enabled) {
    setState("idle");
    return;
  }
  if (phone && phone.isRegistered()) {
    setState("registered");
    say(text("registered"));
  } else {
    setState("idle");
  }
}

async function makePhone() {
  const { Phone } = await import("../shared/phone.js");
  if (phone) return;
  phone = new Phone({ wsUrl: config.ws_url, user: config.user, token: config.token, audio: remote });
  phone.on("connection", (state) => {
    if (state === "disconnected" && !call) {
      setState("idle");
      say(text("disconnected"));
    }
  });
  phone.on("registration", (state) => {
    if (call) return;
    if (state === "registered") idleState();
    else if (state === "failed") {
      setState("idle");
      say(text("failed"));
    } else {
      setState("idle");
      say(config.register ? text("connecting") : config.reason || text("not_registered"));
    }
  });
  phone.on("incoming", incoming);
  phone.start();
}

async function load() {
  let fresh;
  try {
    const response = await fetch(panel.dataset.url, { credentials: "same-origin" });
    if (!response.ok) return;
    fresh = await response.json();
  } catch {
    return;
  }
  config = fresh;
  panel.dataset.enabled = String(Boolean(config.enabled));
  offerCallBack();
  if (!config.enabled) {
    if (phone && !call) {
      phone.stop();
      phone = null;
    }
    if (!call) {
      setState("idle");
      say(config.reason || text("off"));
    }
    return;
  }
  if (!phone) await makePhone();
  phone.setToken(config.token);
  if (config.register) {
    if (!phone.isRegistered()) {
      if (!call) say(text("connecting"));
      phone.register();
    } else {
      phone.register(); // refreshes the registration with the new token
    }
  } else {
    phone.unregister();
    if (!call) {
      setState("idle");
      say(config.reason || text("not_registered"));
    }
  }
}

// Tests drive the softphone through the page: window.huoliPhone.
window.huoliPhone = {
  state: () => panel.dataset.state,
  call: () => call,
  inboundAudio: async () => (call ? call.inboundAudio() : null),
  inboundAudioEnergy: async () => (call ? call.inboundAudioEnergy() : null),
  reload: load,
};

// Going on or off duty, or a changed profile, may change whether calls ring here.
document.addEventListener("huoli:profile-updated", load);
setInterval(load, REFRESH_MS);
load();
