// The one softphone of both sides: the console's (it registers and answers) and the public
// "Call us" page's (it only calls). A small wrapper around the vendored JsSIP
// (vendor/jssip.min.js, `make vendor-jssip`): SIP over a WebSocket to our SIP server, audio
// only, through the media relay. It names neither side: the page gives the address, the user
// and the token, and draws its own buttons.
import JsSIP from "./vendor/jssip.min.js";

export const CALL_HEADER = "X-Huoli-Call";
export const TOKEN_HEADER = "X-Huoli-Token";
const DOMAIN = "huoli.invalid";

// No STUN or TURN server: the media relay is the only peer, and it reaches us directly.
// Without them ICE gathering ends in milliseconds; the INVITE or the 200 goes out when the
// first candidates are there (see ready() below and versatica/JsSIP#432).
const MEDIA = {
  mediaConstraints: { audio: true, video: false },
  pcConfig: { iceServers: [] },
  rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
};
// After the first ICE candidate, wait at most this long for the others before sending the
// SDP: JsSIP would otherwise wait for gathering to end, which can take seconds on a machine
// with many interfaces.
const ICE_WAIT_MS = 250;

function whenIceReady(session) {
  let timer = null;
  session.on("icecandidate", (event) => {
    if (timer === null) timer = setTimeout(event.ready, ICE_WAIT_MS);
  });
}

function playRemote(connection, audio) {
  if (!audio) return;
  const attach = () => {
    const tracks = connection
      .getReceivers()
      .map((receiver) => receiver.track)
      .filter((track) => track && track.kind === "audio");
    if (!tracks.length) return;
    audio.srcObject = new MediaStream(tracks);
    audio.play().catch(() => {});
  };
  connection.addEventListener("track", attach);
  attach();
}

// Audio energy received so far on a call (inbound-rtp totalAudioEnergy; 0 until sound
// arrives): for tests and for a "can you hear" hint. null without a media connection.
export async function inboundAudio(connection) {
  if (!connection) return null;
  const report = await connection.getStats();
  let result = null;
  report.forEach((entry) => {
    if (entry.type === "inbound-rtp" && (entry.kind === "audio" || entry.mediaType === "audio")) {
      result = {
        energy: entry.totalAudioEnergy || 0,
        bytes: entry.bytesReceived || 0,
        packets: entry.packetsReceived || 0,
      };
    }
  });
  return result;
}

// One call: incoming (answer or decline) or outgoing. Listeners: onState(state, detail) with
// state one of "ringing" (incoming, not answered), "calling" (outgoing, waiting),
// "progress" (outgoing, the other side rings or queues us; detail.code is the SIP status:
// 180 ringing, 182 queued), "talking", "ended" (detail.code: the final status when the
// other side refused, e.g. 480 when nobody could take the call in time).
export class Call {
  constructor(session, { audio, direction, id }) {
    this.session = session;
    this.audio = audio;
    this.direction = direction;
    this.id = id || "";
    this.state = direction === "incoming" ? "ringing" : "calling";
    this.muted = false;
    this.held = false;
    this.startedAt = null;
    this.listeners = new Set();
    whenIceReady(session);
    if (session.connection) playRemote(session.connection, audio);
    session.on("peerconnection", (event) => playRemote(event.peerconnection, audio));
    session.on("progress", (event) => {
      if (this.direction === "outgoing") this.set("progress", { code: event.response?.status_code || 0 });
    });
    session.on("confirmed", () => {
      this.startedAt = Date.now();
      if (session.connection) playRemote(session.connection, audio);
      this.set("talking");
    });
    // failed: never answered (declined, cancelled, answered elsewhere: cause CANCELED);
    // ended: after talking, either side hung up.
    session.on("failed", (event) => this.finish(event.cause, event.originator, event.message));
    session.on("ended", (event) => this.finish(event.cause, event.originator, event.message));
  }

  onState(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(state, detail = {}) {
    this.state = state;
    for (const listener of this.listeners) listener(state, detail);
  }

  finish(cause, originator, message) {
    if (this.state === "ended") return;
    if (this.audio) this.audio.srcObject = null;
    const code = originator === "remote" && message?.status_code ? message.status_code : 0;
    this.set("ended", { cause, originator, code, talked: this.startedAt !== null });
  }

  answer() {
    this.session.answer({ ...MEDIA });
  }

  // 486 (busy here), not 603: a 6xx would end the other consoles' ringing too.
  decline() {
    if (!this.session.isEnded()) this.session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
  }

  hangUp() {
    if (!this.session.isEnded()) this.session.terminate();
  }

  setMuted(muted) {
    if (muted) this.session.mute({ audio: true });
    else this.session.unmute({ audio: true });
    this.muted = muted;
  }

  // false when the session cannot change now (e.g. a re-INVITE under way).
  setHeld(held) {
    const done = held ? this.session.hold() : this.session.unhold();
    if (done !== false) this.held = held;
    return done !== false;
  }

  seconds() {
    return this.startedAt === null ? 0 : Math.floor((Date.now() - this.startedAt) / 1000);
  }

  inboundAudio() {
    return inboundAudio(this.session.connection);
  }

  async inboundAudioEnergy() {
    const stats = await this.inboundAudio();
    return stats ? stats.energy : null;
  }
}

// A SIP user agent on one WebSocket. `user` names who we are (the console's staff user; the
// public page passes none); `token` goes on every REGISTER as X-Huoli-Token.
// Listeners: onRegistration(state) with "registered" | "unregistered" | "failed",
// onIncoming(call), onConnection("connected" | "disconnected").
export class Phone {
  constructor({ wsUrl, user = "web", token = "", audio = null }) {
    this.audio = audio;
    this.calls = new Set();
    this.handlers = { registration: [], incoming: [], connection: [] };
    this.ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(wsUrl)],
      uri: `sip:${user}@${DOMAIN}`,
      register: false,
      register_expires: 300,
      session_timers: false,
      user_agent: "Huoli",
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    this.wantRegistered = false;
    this.setToken(token);
    this.ua.on("connected", () => {
      this.emit("connection", "connected");
      if (this.wantRegistered) this.ua.register();
    });
    this.ua.on("disconnected", () => this.emit("connection", "disconnected"));
    this.ua.on("registered", () => this.emit("registration", "registered"));
    this.ua.on("unregistered", () => this.emit("registration", "unregistered"));
    this.ua.on("registrationFailed", (event) => this.emit("registration", "failed", event.cause));
    this.ua.on("newRTCSession", (event) => {
      if (event.originator !== "remote") return;
      const session = event.session;
      // One call at a time: a second one while ringing or talking is busy here.
      if ([...this.calls].some((call) => call.state !== "ended")) {
        session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
        return;
      }
      const call = this.track(
        new Call(session, {
          audio: this.audio,
          direction: "incoming",
          id: event.request.getHeader(CALL_HEADER) || "",
        }),
      );
      this.emit("incoming", call);
    });
  }

  on(name, handler) {
    this.handlers[name].push(handler);
    return this;
  }

  emit(name, ...args) {
    for (const handler of this.handlers[name]) handler(...args);
  }

  track(call) {
    this.calls.add(call);
    call.onState((state) => {
      if (state === "ended") this.calls.delete(call);
    });
    return call;
  }

  setToken(token) {
    this.token = token || "";
    this.ua.registrator().setExtraHeaders(this.token ? [`${TOKEN_HEADER}: ${this.token}`] : []);
  }

  start() {
    this.ua.start();
    return this;
  }

  register() {
    this.wantRegistered = true;
    if (this.ua.isConnected()) this.ua.register();
  }

  unregister() {
    this.wantRegistered = false;
    if (this.ua.isRegistered()) this.ua.unregister({ all: false });
  }

  isRegistered() {
    return this.ua.isRegistered();
  }

  // An outgoing call to sip:<target>@huoli.invalid with extra headers ("Name: value").
  // mediaStream: a microphone stream the page already has (else JsSIP asks for one).
  call(target, { headers = [], mediaStream = null } = {}) {
    // The media connection is made before ua.call() returns; Call takes it from the session.
    const options = { ...MEDIA, extraHeaders: headers };
    if (mediaStream) options.mediaStream = mediaStream;
    const session = this.ua.call(`sip:${target}@${DOMAIN}`, options);
    return this.track(new Call(session, { audio: this.audio, direction: "outgoing" }));
  }

  // Hang up every call and say goodbye to the server (the page is going away).
  stop() {
    for (const call of this.calls) call.hangUp();
    this.ua.stop();
  }

  current() {
    return [...this.calls].find((call) => call.state !== "ended") || null;
  }
}
