// "Call us" (public/call.html): the visitor calls the helpline from the browser, with no
// phone number. POST /<lang>/call/start/ gives a one-call token, the SIP server's WebSocket
// and the line; the call goes to sip:<line>@huoli.invalid with X-Huoli-Call: <token>.
// The section's data-state is idle | starting | waiting | queued | talking | ended | error.
// "queued" (the SIP server answered 182 Queued: everyone is busy): the page plays the line's
// recorded queue message once, as a caller on the telephone network hears it from the media
// relay. A call that waited and was then refused (480: it waited too long, or the line
// closed) plays the "try again later" message.
import { CALL_HEADER, Phone } from "../shared/phone.js";

const section = document.querySelector("[data-call]");
const status = section.querySelector("[data-call-status]");
const duration = section.querySelector("[data-call-duration]");
const errorBox = section.querySelector("[data-call-error]");
const errorText = section.querySelector("[data-call-error-text]");
const remote = section.querySelector("[data-call-remote]");
const message = section.querySelector("[data-call-message]");
const buttons = Object.fromEntries(
  [...section.querySelectorAll("[data-call-action]")].map((b) => [b.dataset.callAction, b]),
);
const CONNECT_MS = 15000;

let phone = null;
let call = null;
let microphone = null;
let clockTimer = null;
let connectTimer = null;
let queued = false;

function text(key) {
  return section.querySelector(`[data-call-texts] [data-key="${key}"]`).textContent;
}

function setState(state, message = "") {
  section.dataset.state = state;
  status.textContent = message;
  const busy = ["starting", "waiting", "queued", "talking"].includes(state);
  buttons.call.hidden = busy;
  buttons.hangup.hidden = !busy;
  buttons.mute.hidden = state !== "talking";
}

// The recorded message "queue" or "later" (its address is in the section's data-sound-*).
function play(name) {
  message.pause();
  message.src = section.dataset[`sound${name[0].toUpperCase()}${name.slice(1)}`];
  message.play().catch(() => {}); // the status text says the same
}

function silence() {
  message.pause();
  message.removeAttribute("src");
}

function fail(reason) {
  cleanUp();
  errorText.textContent = reason;
  errorBox.hidden = false;
  setState("error");
  buttons.call.focus();
}

function clock(seconds) {
  const m = String(Math.floor(seconds / 60)).padStart(2, "0");
  return `${m}:${String(seconds % 60).padStart(2, "0")}`;
}

function tick() {
  if (call) duration.textContent = clock(call.seconds());
}

function cleanUp() {
  clearInterval(clockTimer);
  clockTimer = null;
  clearTimeout(connectTimer);
  if (phone) phone.stop();
  phone = null;
  call = null;
  if (microphone) for (const track of microphone.getTracks()) track.stop();
  microphone = null;
}

async function askMicrophone() {
  if (!navigator.mediaDevices?.getUserMedia || !window.RTCPeerConnection) {
    throw new Error("unsupported");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  } catch (error) {
    if (error.name === "NotAllowedError" || error.name === "SecurityError") throw new Error("refused");
    throw new Error("no_microphone");
  }
}

async function start() {
  errorBox.hidden = true;
  duration.hidden = true;
  queued = false;
  silence();
  buttons.mute.setAttribute("aria-pressed", "false");
  setState("starting", text("starting"));
  buttons.hangup.focus();
  try {
    microphone = await askMicrophone();
  } catch (error) {
    fail(text(error.message));
    return;
  }
  if (section.dataset.state !== "starting") {
    cleanUp(); // hung up meanwhile
    return;
  }
  let ticket;
  try {
    const body = new FormData();
    body.append("language", document.documentElement.lang);
    // The visit's campaign code, counted if the call starts (public/campaign.py).
    if (section.dataset.campaign) body.append("c", section.dataset.campaign);
    const response = await fetch(section.dataset.startUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    ticket = await response.json().catch(() => ({}));
    if (!response.ok || !ticket.token) {
      fail(ticket.error || text("failed"));
      return;
    }
  } catch {
    fail(text("failed"));
    return;
  }
  if (section.dataset.state !== "starting") {
    cleanUp(); // hung up meanwhile
    return;
  }
  phone = new Phone({ wsUrl: ticket.ws_url, audio: remote });
  connectTimer = setTimeout(() => fail(text("failed")), CONNECT_MS);
  phone.on("connection", (state) => {
    if (state !== "connected" || call || !phone) return;
    clearTimeout(connectTimer);
    call = phone.call(ticket.line, {
      headers: [`${CALL_HEADER}: ${ticket.token}`],
      mediaStream: microphone,
    });
    setState("waiting", text("waiting"));
    call.onState(changed);
  });
  phone.start();
}

function changed(state, detail) {
  if (state === "progress" && detail.code === 182) {
    if (!queued) play("queue");
    queued = true;
    setState("queued", text("queued"));
  } else if (state === "progress" || state === "calling") {
    setState("waiting", text("waiting"));
  } else if (state === "talking") {
    silence();
    setState("talking", text("talking"));
    duration.hidden = false;
    tick();
    clockTimer = setInterval(tick, 1000);
  } else if (state === "ended") {
    const talked = detail.talked;
    const cancelled = detail.originator === "local" && detail.cause === "Canceled";
    tick();
    cleanUp();
    silence();
    if (talked || cancelled) {
      setState("ended", text("ended"));
      buttons.call.focus();
    } else if (detail.code === 480 || detail.code === 486) {
      // Nobody could take the call: it waited too long, the line closed, or the queue is full.
      fail(text("later"));
      if (queued) play("later");
    } else if (detail.cause === "User Denied Media Access") {
      fail(text("refused"));
    } else {
      fail(text("failed"));
    }
  }
}

function hangUp() {
  silence();
  if (call) {
    call.hangUp();
  } else {
    cleanUp();
    setState("ended", text("ended"));
    buttons.call.focus();
  }
}

function mute() {
  if (!call || call.state !== "talking") return;
  const muted = !call.muted;
  call.setMuted(muted);
  buttons.mute.setAttribute("aria-pressed", String(muted));
  status.textContent = muted ? text("muted") : text("talking");
}

buttons.call.addEventListener("click", start);
buttons.hangup.addEventListener("click", hangUp);
buttons.mute.addEventListener("click", mute);
window.addEventListener("pagehide", () => {
  if (phone) phone.stop();
});
document.addEventListener("visibilitychange", tick);

// Tests drive the page through window.huoliPhone.
window.huoliPhone = {
  state: () => section.dataset.state,
  message: () => (message.getAttribute("src") ? { src: message.getAttribute("src"), paused: message.paused } : null),
  call: () => call,
  inboundAudio: async () => (call ? call.inboundAudio() : null),
  inboundAudioEnergy: async () => (call ? call.inboundAudioEnergy() : null),
};
