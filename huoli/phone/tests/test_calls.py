"""Calls through the real Kamailio script and rtpengine, with a stand-in for Huoli's three
/telephony/ answers and baresip as the trunk caller and as a registered desk phone."""

import hashlib
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from huoli.phone import stack
from huoli.phone.tests.conftest import require
from huoli.tests.phone.baresip import Baresip, tone_seconds, write_tone
from huoli.tests.ports import free_port

NUMBER = "+358401234567"
SECRET = "test-secret"
DESK_PASSWORD = "desk-Password-1"


class FakeHuoli:
    """Answers /telephony/route/ from a list (the last answer repeats; a question with
    ``final=1`` gets ``final``) and records posts."""

    def __init__(self, answers, final="reject 480 -"):
        self.answers = list(answers)
        self.final = final
        self.posts = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), True))
                answer = "ok"
                if self.headers.get("X-Huoli-Telephony") != SECRET:
                    answer = "forbidden"
                elif self.path == "/telephony/route/" and fields.get("final") == "1":
                    answer = fake.final
                elif self.path == "/telephony/route/":
                    answer = fake.answers[0] if len(fake.answers) == 1 else fake.answers.pop(0)
                elif self.path == "/telephony/register/" and fields.get("digest") == "1":
                    text = f"{fields['user']}:{stack.SIP_REALM}:{DESK_PASSWORD}"
                    answer = "ha1 " + hashlib.md5(text.encode()).hexdigest()  # noqa: S324
                fake.posts.append((self.path, fields, answer))
                body = answer.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def phone(tmp_path, request):
    require("kamailio", "rtpengine", "baresip")
    media = tmp_path / "media"
    media.mkdir()
    write_tone(media / "queue.wav", 440, seconds=2)
    answers = getattr(request, "param", None) or [
        "queue 7 {} 2".format(media / "queue.wav"),
        "ring 7 staff-3",
    ]
    huoli = FakeHuoli(answers)
    ports = {
        "sip_port": free_port(count=2),
        "ws_port": free_port(),
        "ng_port": free_port(),
    }
    rtp_min = free_port(count=41)
    config = stack.write_config(
        tmp_path / "phone",
        http_url=huoli.url,
        secret=SECRET,
        rtp_min=rtp_min,
        rtp_max=rtp_min + 40,
        trunk_nets="127.0.0.0/8",
        media_dir=media,
        numbers=["fi=+35891234560"],
        **ports,
    )
    rtp = {"rtp_min": rtp_min, "rtp_max": rtp_min + 40}
    running = stack.start(config.parent, config=config, **rtp, **ports)
    yield huoli, running, ports, tmp_path
    running.stop()
    huoli.close()


def test_a_queued_trunk_call_hears_the_message_then_talks_with_the_console(phone):
    huoli, running, ports, tmp_path = phone
    sip = f"127.0.0.1:{ports['sip_port']}"
    console = Baresip(
        tmp_path / "console",
        account=f'<sip:staff-3@huoli.invalid>;auth_pass={DESK_PASSWORD};regint=600;outbound="sip:{sip}";answermode=auto;audio_codecs=PCMU',
        source=write_tone(tmp_path / "tone1000.wav", 1000),
    ).start(seconds=20)
    deadline = time.monotonic() + 10
    while "200 OK" not in console.log():
        assert time.monotonic() < deadline, console.log()
        time.sleep(0.1)
    caller = Baresip(
        tmp_path / "caller",
        account=f"<sip:{NUMBER}@127.0.0.1>;regint=0;audio_codecs=PCMU",
        source=write_tone(tmp_path / "tone700.wav", 700),
    ).start(seconds=10, dial=f"sip:fi@{sip}")
    try:
        caller.wait(20)
    finally:
        caller.stop()
        console.stop()

    routes = [fields for path, fields, _ in huoli.posts if path == "/telephony/route/"]
    assert routes[0]["line"] == "fi"
    assert routes[0]["source"] == "trunk"
    assert routes[0]["caller"] == NUMBER
    assert len(routes) == 2  # asked again after the poll, then rang
    events = [fields for path, fields, _ in huoli.posts if path == "/telephony/event/"]
    assert [fields["event"] for fields in events[:2]] == ["answered", "ended"]
    assert events[0]["user"] == "staff-3"  # whose phone answered

    heard = tone_seconds(caller.heard(), 440)
    assert any(heard[:3]), caller.log()  # the queue message, as early media
    assert sum(tone_seconds(caller.heard(), 1000)) >= 3  # then the console
    assert sum(tone_seconds(console.heard(), 700)) >= 3  # and the console heard the caller

    for name, text in running.logs().items():
        assert "358401234567" not in text, name
        assert "0401234567" not in text, name


@pytest.mark.parametrize("phone", [["reject 480 -"]], indirect=True)
def test_the_operators_number_for_a_line_reaches_the_line(phone):
    """telephony_config --number fi=+35891234560: a call to that number is a call to fi."""
    huoli, _running, ports, tmp_path = phone
    caller = Baresip(
        tmp_path / "caller",
        account=f"<sip:{NUMBER}@127.0.0.1>;regint=0;audio_codecs=PCMU",
        source=write_tone(tmp_path / "tone700.wav", 700, seconds=1),
    ).start(seconds=4, dial=f"sip:+35891234560@127.0.0.1:{ports['sip_port']}")
    try:
        caller.wait(10)
    finally:
        caller.stop()
    routes = [fields for path, fields, _ in huoli.posts if path == "/telephony/route/"]
    assert [(fields["line"], fields["source"]) for fields in routes] == [("fi", "trunk")]


def register(
    port: int,
    password: str,
    *,
    user: str = "staff-3",
    local_port: int = 0,
    expires: str = "Expires: 60\r\n",
    contact_params: str = "",
    whole: bool = False,
    star: bool = False,
    authorization: str = "",
) -> str:
    """One REGISTER over UDP answering Kamailio's digest challenge with ``password``; returns
    the final status line (``whole``: the whole final reply)."""
    import re
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", local_port))
        sock.settimeout(5)
        here = sock.getsockname()[1]

        contact = (
            "Contact: *\r\n"
            if star
            else f"Contact: <sip:{user}@127.0.0.1:{here}>{contact_params}\r\n"
        )

        def send(cseq: int, authorization: str = "") -> str:
            message = (
                f"REGISTER sip:127.0.0.1:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{here};rport;"
                f"branch=z9hG4bK-{cseq}-{time.time_ns()}\r\n"
                "Max-Forwards: 70\r\n"
                f"From: <sip:{user}@127.0.0.1>;tag=t{here}\r\n"
                f"To: <sip:{user}@127.0.0.1>\r\n"
                f"Call-ID: reg-{here}@127.0.0.1\r\n"
                f"CSeq: {cseq} REGISTER\r\n" + contact + f"{expires}"
                f"{authorization}"
                "Content-Length: 0\r\n\r\n"
            )
            sock.sendto(message.encode(), ("127.0.0.1", port))
            return sock.recv(4000).decode()

        if authorization:  # sent as given, no challenge answered
            return send(1, authorization).splitlines()[0]
        challenge = send(1)
        if not challenge.startswith("SIP/2.0 401"):
            return challenge.splitlines()[0]
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        uri = f"sip:127.0.0.1:{port}"

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()  # noqa: S324

        ha1 = md5(f"{user}:{fields['realm']}:{password}")
        ha2 = md5(f"REGISTER:{uri}")
        response = md5(f"{ha1}:{fields['nonce']}:00000001:abcdef:auth:{ha2}")
        authorization = (
            f'Authorization: Digest username="{user}", realm="{fields["realm"]}", '
            f'nonce="{fields["nonce"]}", uri="{uri}", response="{response}", '
            'algorithm=MD5, qop=auth, nc=00000001, cnonce="abcdef"\r\n'
        )
        final = send(2, authorization)
        return final if whole else final.splitlines()[0]


def test_desk_phone_passwords_are_checked_and_guessing_is_stopped(phone):
    huoli, running, ports, _tmp_path = phone
    port = ports["sip_port"]
    assert register(port, DESK_PASSWORD) == "SIP/2.0 200 OK"
    assert register(port, DESK_PASSWORD, user="staff-4").startswith("SIP/2.0 200")
    asked = len([path for path, *_ in huoli.posts if path == "/telephony/register/"])
    for _ in range(10):
        assert register(port, "guess") == "SIP/2.0 403 Forbidden"
    # From that address, even the right password is refused now, without asking Huoli.
    before = len(huoli.posts)
    assert register(port, DESK_PASSWORD) == "SIP/2.0 403 Forbidden"
    assert len(huoli.posts) == before
    assert asked >= 2
    for text in running.logs().values():
        assert "guess" not in text and "staff-3" not in text


def invite(port: int, *, call_id: str, timeout: float = 10) -> list[str]:
    """A trunk INVITE over UDP to the Finnish line; the status lines received, up to the
    final one."""
    import socket

    sdp = (
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 40020 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(1)
        here = sock.getsockname()[1]
        message = (
            f"INVITE sip:fi@127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{here};rport;branch=z9hG4bK-{time.time_ns()}\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:{NUMBER}@127.0.0.1>;tag=caller\r\n"
            "To: <sip:fi@127.0.0.1>\r\n"
            f"Call-ID: {call_id}\r\n"
            "CSeq: 1 INVITE\r\n"
            f"Contact: <sip:caller@127.0.0.1:{here}>\r\n"
            "Content-Type: application/sdp\r\n"
            f"Content-Length: {len(sdp)}\r\n\r\n{sdp}"
        )
        sock.sendto(message.encode(), ("127.0.0.1", port))
        lines = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = sock.recv(65535).decode(errors="replace").splitlines()[0]
            except TimeoutError:
                continue
            lines.append(line)
            if not line.startswith("SIP/2.0 1"):
                break
        return lines


@pytest.mark.parametrize("phone", [["nonsense"]], indirect=True)
def test_a_call_kamailio_gives_up_on_is_reported_to_huoli(phone):
    """An answer Kamailio cannot use (or no answer) ends the call with 503, and Huoli hears
    of it (event "failed"), so the conversation does not stay in the queue."""
    huoli, _running, ports, _tmp_path = phone
    assert invite(ports["sip_port"], call_id="gives-up-1")[-1].startswith("SIP/2.0 503")
    deadline = time.monotonic() + 5
    while not [path for path, *_ in huoli.posts if path == "/telephony/event/"]:
        assert time.monotonic() < deadline, huoli.posts
        time.sleep(0.1)
    events = [fields for path, fields, _ in huoli.posts if path == "/telephony/event/"]
    assert events == [{"call": "gives-up-1", "event": "failed"}]


def declining_phone(port: int, stop: threading.Event) -> list[str]:
    """A registered phone on 127.0.0.1:<port> that declines every call at once (486); the
    Call-IDs of the INVITEs it received."""
    import socket

    received: list[str] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(0.2)

    def serve():
        with sock:
            while not stop.is_set():
                try:
                    data, sender = sock.recvfrom(65535)
                except TimeoutError:
                    continue
                text = data.decode(errors="replace")
                if not text.startswith("INVITE "):
                    continue  # ACKs of our 486s
                head = text.split("\r\n\r\n", 1)[0].split("\r\n")
                received.append(text)
                keep = [
                    line
                    for line in head[1:]
                    if line.split(":", 1)[0].strip().lower()
                    in ("via", "v", "from", "f", "call-id", "i", "cseq", "to", "t")
                ]
                keep = [
                    line + ";tag=declines" if line.lower().startswith(("to:", "t:")) else line
                    for line in keep
                ]
                reply = (
                    "SIP/2.0 486 Busy Here\r\n"
                    + "\r\n".join(keep)
                    + "\r\nContent-Length: 0\r\n\r\n"
                )
                sock.sendto(reply.encode(), sender)

    threading.Thread(target=serve, daemon=True).start()
    return received


@pytest.mark.parametrize("phone", [["ring 7 staff-3"]], indirect=True)
def test_ring_rounds_end_with_the_last_question_within_the_branch_budget(phone):
    """Every console declines, round after round: Kamailio rings again as long as one call's
    transaction can take more branches (30), then asks Huoli a last time (final=1) and gives
    the caller Huoli's answer (480), never 503 for running out of branches."""
    huoli, running, ports, _tmp_path = phone
    phone_port = free_port()
    assert register(ports["sip_port"], DESK_PASSWORD, local_port=phone_port) == "SIP/2.0 200 OK"
    stop = threading.Event()
    rang = declining_phone(phone_port, stop)
    try:
        statuses = invite(ports["sip_port"], call_id="budget-1", timeout=90)
    finally:
        stop.set()
    assert statuses[-1].startswith("SIP/2.0 480"), statuses
    routes = [fields for path, fields, _ in huoli.posts if path == "/telephony/route/"]
    finals = [fields for fields in routes if fields.get("final") == "1"]
    assert len(finals) == 1 and routes[-1] is finals[0], routes
    # Each round: one branch to the phone and one for the wait before the next question.
    assert 10 <= len(rang) <= 15, len(rang)
    assert len(routes) == len(rang) + 1
    for text in running.logs().values():
        assert "358401234567" not in text


def test_a_desk_phone_is_registered_five_minutes_at_most_and_huoli_hears_it_once_saved(phone):
    """Whatever a desk phone asks for (an Expires header, a Contact parameter, a second
    Contact, a number too big for an integer), Kamailio keeps its registration 5 minutes at
    most, refuses what is not a number of seconds, and tells Huoli what it saved, once it
    saved it: a REGISTER whose Authorization carries a nonce Kamailio never gave is refused
    (counted as a wrong answer), and Huoli hears nothing."""
    huoli, _running, ports, _tmp_path = phone
    port = ports["sip_port"]

    def saved_posts(count: int) -> list[dict]:
        """Kamailio tells Huoli right after it answered the phone: wait for ``count``."""
        deadline = time.monotonic() + 5
        while True:
            saved = [fields for path, fields, _ in huoli.posts if fields.get("saved") == "1"]
            if len(saved) >= count or time.monotonic() > deadline:
                return saved
            time.sleep(0.05)

    asks = (
        ("Expires: 3600\r\n", ""),
        ("", ""),
        ("Expires:  300 \r\n", ""),
        ("Expires: 60\r\n", ";expires=3600"),
        ("Expires: 3600\r\n", ";expires=99999999999"),
        ("Expires: 60\r\n", ";expires=60\r\nContact: <sip:staff-3@127.0.0.1:5998>;expires=3600"),
    )
    for expires, params in asks:
        final = register(port, DESK_PASSWORD, expires=expires, contact_params=params, whole=True)
        assert final.startswith("SIP/2.0 200 OK"), final
        granted = [int(n) for n in re.findall(r";expires=(\d+)", final)]
        assert granted and max(granted) <= 300, final
    for expires, params in (("", ";expires=3e5"), ("", ";expires=-5"), ("Expires: 3e5\r\n", "")):
        refused = register(port, DESK_PASSWORD, expires=expires, contact_params=params)
        assert refused.startswith("SIP/2.0 400"), (expires, params, refused)
    saved = saved_posts(len(asks))
    assert len(saved) == len(asks)
    assert all(0 < int(fields["expires"]) <= 300 for fields in saved), saved
    assert {fields["user"] for fields in saved} == {"staff-3"}

    # Every binding gone (Contact: *): Huoli hears 0.
    gone = register_all_off(port)
    assert gone.startswith("SIP/2.0 200"), gone
    assert saved_posts(len(asks) + 1)[-1]["expires"] == "0"

    before = len(saved_posts(0))
    junk = register_with_junk_nonce(port)
    assert junk.startswith("SIP/2.0 403"), junk
    time.sleep(1)
    assert len(saved_posts(before)) == before


def register_all_off(port: int) -> str:
    """``Contact: *`` with ``Expires: 0``, answering the challenge: every binding goes."""
    return register(port, DESK_PASSWORD, expires="Expires: 0\r\n", contact_params="", star=True)


def register_with_junk_nonce(port: int) -> str:
    """A REGISTER whose Authorization carries a nonce Kamailio never gave."""
    junk = (
        'Authorization: Digest username="staff-3", realm="huoli", nonce="made-up", '
        f'uri="sip:127.0.0.1:{port}", response="00000000000000000000000000000000", '
        'algorithm=MD5, qop=auth, nc=00000001, cnonce="abc"\r\n'
    )
    return register(port, DESK_PASSWORD, expires="", authorization=junk)
