"""The telephone end to end: the real Huoli (uvicorn in a thread on the test database, as in
the browser tests), the real Kamailio script and rtpengine, baresip as the telephone network's
caller and Chromium as the console and the visitor, with fake microphones playing a tone.

Skipped where a program is missing, except in CI (then a failure). Every test also gathers
what could hold a caller's number or address: the daemons' logs, Huoli's log records and the
SIP message the console received (``Telephony.assert_anonymous``).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, connections
from playwright.sync_api import expect

from huoli import keys
from huoli.phone import stack
from huoli.tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    demo_staff,  # noqa: F401 (a fixture)
)
from huoli.tests.phone.baresip import Baresip, read_wav, write_tone
from huoli.tests.ports import free_port

# The caller's number on the telephone network, the forms it could be written in, and the
# trunk's address: none of them may appear in anything Huoli, Kamailio or rtpengine keeps.
NUMBER = "+358401234567"
NUMBER_FORMS = ("358401234567", "0401234567", "401234567")
TRUNK_HOST = "127.0.0.2"
# The operator's gateway that call-backs go out through (a baresip answering as the family).
GATEWAY_HOST = "127.0.0.3"
CALLER_HZ = 700  # the caller's tone (baresip)
BROWSER_HZ = 1000  # the browsers' fake microphone
FAKE_MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]


def require(*programs: str) -> None:
    missing = [name for name in programs if shutil.which(name) is None]
    if not os.path.exists(CHROMIUM):
        missing.append(CHROMIUM)
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the telephone tests, but {', '.join(missing)} is missing")
    pytest.skip(f"not installed: {', '.join(missing)}")


def in_thread(function, *args, **kwargs):
    """Run a service from the test body: not in the thread of Playwright's event loop, where
    publishing to the channel layer (async_to_sync) is refused."""
    result = {}

    def run():
        try:
            result["value"] = function(*args, **kwargs)
        except BaseException as error:
            result["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def wait_for(condition, timeout: float = 15, message: str = "", interval: float = 0.2):
    """Poll ``condition`` (a function; its truthy result is returned) until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = in_thread(condition)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"waited {timeout} s in vain")
        time.sleep(interval)


class Records(logging.Handler):
    """Every log record, formatted with its arguments, while a test runs."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.lines.append(str(record.msg))


def database_text() -> str:
    """Every row of every table, as text (SQLite and PostgreSQL alike)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(parts)


@dataclass
class Telephony:
    url: str
    sip_port: int
    ws_port: int
    folder: Path
    running: stack.Stack
    records: Records
    gateway_port: int = 0
    received: list[str] = field(default_factory=list)  # SIP messages a console received
    callers: list[Baresip] = field(default_factory=list)

    def trunk_call(self, name: str, *, seconds: int, line: str = "fi") -> Baresip:
        """baresip on the trunk's address calls the line with NUMBER, sending CALLER_HZ and
        recording what it hears (SIP trace in its own log, which is not ours)."""
        folder = self.folder / name
        caller = Baresip(
            folder,
            account=f"<sip:{NUMBER}@{TRUNK_HOST}>;regint=0;audio_codecs=PCMU",
            source=write_tone(folder.parent / f"{name}-tone.wav", CALLER_HZ, seconds=seconds),
            host=TRUNK_HOST,
        )
        caller.start(seconds=seconds, dial=f"sip:{line}@127.0.0.1:{self.sip_port}", trace=True)
        self.callers.append(caller)
        return caller

    def logs(self) -> str:
        return "\n".join(f"{name}: {text}" for name, text in self.running.logs().items())

    def assert_anonymous(self) -> None:
        """Nothing Kamailio, rtpengine or Huoli wrote, and nothing a console received, holds
        the caller's number or the trunk's address."""
        places = {
            "the SIP server's and the media relay's logs": self.logs(),
            "Huoli's log records": "\n".join(self.records.lines),
            "the database": in_thread(database_text),
            "what the console received": "\n".join(self.received),
        }
        for place, text in places.items():
            for secret in (*NUMBER_FORMS, TRUNK_HOST):
                assert secret not in text, f"{secret} in {place}"


def console_received(page) -> str:
    """The INVITE of the call ringing in the console page, as its SIP library received it."""
    return page.evaluate("window.huoliPhone.call().session._request.toString()")


@pytest.fixture
def telephony(transactional_db, settings, tmp_path):
    """Huoli with the telephone on, and Kamailio and rtpengine asking it."""
    require("kamailio", "rtpengine", "baresip")
    ports = {"sip_port": free_port(count=2), "ws_port": free_port(), "ng_port": free_port()}
    rtp_min = free_port(count=41)
    gateway_port = free_port(count=2, host=GATEWAY_HOST)
    settings.HUOLI_TELEPHONY = True
    settings.HUOLI_SIP_WS_URL = f"ws://127.0.0.1:{ports['ws_port']}"
    cache.clear()

    records = Records()
    root = logging.getLogger()
    root_level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    server = LiveServer()
    server.start()
    # uvicorn's own loggers do not pass records up to the root (its logging config).
    uvicorn_loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error")]
    for logger in uvicorn_loggers:
        logger.addHandler(records)

    folder = tmp_path / "phone"
    config = stack.write_config(
        folder,
        http_url=server.url,
        secret=keys.read_telephony_secret(),
        rtp_min=rtp_min,
        rtp_max=rtp_min + 40,
        trunk_nets="127.0.0.0/8",
        media_dir=stack.MEDIA_DIR,
        gateway=f"{GATEWAY_HOST}:{gateway_port}",
        **ports,
    )
    running = stack.start(folder, config=config, rtp_min=rtp_min, rtp_max=rtp_min + 40, **ports)
    phone = Telephony(
        url=server.url,
        sip_port=ports["sip_port"],
        ws_port=ports["ws_port"],
        folder=tmp_path,
        running=running,
        records=records,
        gateway_port=gateway_port,
    )
    yield phone
    for caller in phone.callers:
        caller.stop()
    running.stop()
    server.stop()
    for logger in uvicorn_loggers:
        logger.removeHandler(records)
    root.removeHandler(records)
    root.setLevel(root_level)


@pytest.fixture(scope="session")
def fake_microphone(tmp_path_factory) -> Path:
    """What the browsers' microphones say: BROWSER_HZ, 48 kHz (Chromium loops the file)."""
    return write_tone(
        tmp_path_factory.mktemp("microphone") / "tone.wav", BROWSER_HZ, seconds=10, rate=48000
    )


@pytest.fixture
def phone_browser(monkeypatch, fake_microphone):
    """Chromium with a fake microphone playing BROWSER_HZ, allowed to use it, and sound that
    plays without a click."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [
        *CHROMIUM_ARGS,
        *FAKE_MEDIA_ARGS,
        f"--use-file-for-fake-audio-capture={fake_microphone}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


def new_page(browser):
    """A page allowed to use the microphone; what it says about blocked content (the
    SIP server's WebSocket must be allowed by the pages' CSP) goes to ``page.blocked``."""
    context = browser.new_context(locale="en-GB", permissions=["microphone"])
    page = context.new_page()
    page.blocked = []
    page.on(
        "console",
        lambda message: (
            page.blocked.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return page


def console_registered(browser, url: str, *, go_on_duty: bool = True):
    """The demo counsellor logged in and on duty (going on duty here unless already), the
    softphone registered."""
    from huoli.tests.browser.test_chat import counsellor_on_duty, log_in

    page = new_page(browser)
    if go_on_duty:
        counsellor_on_duty(page, url)
    else:
        log_in(page, url)
    expect(page.locator("[data-phone]")).to_have_attribute(
        "data-state", "registered", timeout=20_000
    )
    return page


def received_audio(page, expression: str = "window.huoliPhone.inboundAudioEnergy()") -> float:
    return page.evaluate(expression) or 0.0


def wait_for_audio(page, expression: str = "window.huoliPhone.inboundAudioEnergy()") -> float:
    """Wait until the page's call has received sound (inbound-rtp totalAudioEnergy > 0)."""
    deadline = time.monotonic() + 15
    while (energy := received_audio(page, expression)) <= 0:
        assert time.monotonic() < deadline, "no audio arrived in the browser"
        time.sleep(0.25)
    return energy


# The loudest frequency the page's call receives (Web Audio's analyser over one second).
LOUDEST_HZ = """async (which) => {
  const connection = which === "visitor"
    ? window.peerConnections.at(-1)
    : window.huoliPhone.call().session.connection;
  const receiver = connection.getReceivers().find((r) => r.track && r.track.kind === "audio");
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(new MediaStream([receiver.track])).connect(analyser);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const data = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(data);
  let best = 1;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  await context.close();
  return (best * context.sampleRate) / analyser.fftSize;
}"""


def loudest_received_hz(page, which: str = "console") -> float:
    return page.evaluate(LOUDEST_HZ, which)


# The visitor's page has no test hook: every RTCPeerConnection it makes is kept here.
KEEP_PEER_CONNECTIONS = """
window.peerConnections = [];
window.RTCPeerConnection = class extends window.RTCPeerConnection {
  constructor(...args) {
    super(...args);
    window.peerConnections.push(this);
  }
};
"""

VISITOR_ENERGY = """async () => {
  const connection = window.peerConnections.at(-1);
  if (!connection) return 0;
  let energy = 0;
  (await connection.getStats()).forEach((entry) => {
    if (entry.type === "inbound-rtp" && entry.kind === "audio") {
      energy = entry.totalAudioEnergy || 0;
    }
  });
  return energy;
}"""


def visitor_page(browser, url: str, line: str = "fi"):
    page = new_page(browser)
    page.add_init_script(KEEP_PEER_CONNECTIONS)
    page.goto(f"{url}/{line}/call/")
    return page


def trace_has_sound(path, *, seconds: int, level: float = 300.0) -> list[bool]:
    """For each of the first ``seconds`` whole seconds of a recording: is there sound (an RMS
    over ``level``, about -40 dBFS)?"""
    samples, rate = read_wav(path)
    result = []
    for second in range(seconds):
        chunk = samples[second * rate : (second + 1) * rate]
        if len(chunk) < rate:
            break
        result.append((sum(x * x for x in chunk) / len(chunk)) ** 0.5 > level)
    return result
