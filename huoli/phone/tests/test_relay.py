"""What the SIP server passes on, probed with raw SIP over UDP and over the WebSocket: it relays
nothing to where a message asks (no open relay: a trunk is trusted by its address, and Redis
and Huoli listen on the same loopback), and a console or desk phone receives nothing of the
caller but the call (no number, no trunk address, no header or SDP line that names them)."""

import asyncio
import random
import re
import socket
import time

import pytest

from huoli.phone.tests.test_calls import DESK_PASSWORD, NUMBER, phone, register  # noqa: F401
from huoli.tests.ports import free_port

TRUNK_HOST = "127.0.0.2"


def sip(method: str, ruri: str, headers: list[str], body: str = "") -> bytes:
    lines = [f"{method} {ruri} SIP/2.0", *headers, f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def udp(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    sock.settimeout(0.3)
    return sock


def received(sock: socket.socket, seconds: float) -> list[str]:
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            data, _ = sock.recvfrom(65535)
        except TimeoutError:
            continue
        out.append(data.decode(errors="replace"))
    return out


def branch() -> str:
    return f"z9hG4bK{random.randrange(10**12)}"


SDP = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


def forged(method: str, target: int, here: str, routes: list[str]) -> bytes:
    """An in-dialog request (a To tag) of no call, routed at ``target``."""
    return sip(
        method,
        f"sip:+19005550123@127.0.0.1:{target}",
        [
            f"Via: SIP/2.0/{here};branch={branch()}",
            "Max-Forwards: 70",
            *(f"Route: {route}" for route in routes),
            "From: <sip:attacker@evil.example>;tag=a1",
            "To: <sip:+19005550123@operator.example>;tag=b2",
            f"Call-ID: relay-{random.randrange(10**12)}",
            f"CSeq: 2 {method}",
            "Contact: <sip:attacker@127.0.0.1:9>",
            "Content-Type: " + ("application/sdp" if method == "INVITE" else "text/plain"),
        ],
        SDP if method == "INVITE" else "hello",
    )


def status(replies: list[str]) -> list[str]:
    """The final status lines among ``replies``."""
    lines = [text.split("\r\n", 1)[0] for text in replies if text.startswith("SIP/2.0")]
    return [line for line in lines if not line.startswith("SIP/2.0 1")]


def route_sets(sip_port: int, listener: int) -> list[list[str]]:
    return [
        [f"<sip:127.0.0.1:{listener};lr>"],
        # Our own address first (no ftag: not our Record-Route), then the target.
        [f"<sip:127.0.0.1:{sip_port};lr>", f"<sip:127.0.0.1:{listener};lr>"],
        # With a made-up ftag: still no call Kamailio knows.
        [f"<sip:127.0.0.1:{sip_port};lr;ftag=a1>", f"<sip:127.0.0.1:{listener};lr>"],
        [f"<sip:127.0.0.1:{sip_port};lr;ftag=a1>"],
    ]


@pytest.mark.parametrize("phone", [["reject 480 -"]], indirect=True)
def test_forged_requests_from_the_trunk_network_are_not_relayed(phone):  # noqa: F811
    _huoli, _running, ports, _tmp_path = phone
    kamailio = ("127.0.0.1", ports["sip_port"])
    listener = udp(port=free_port())
    attacker = udp()
    here = f"UDP 127.0.0.1:{attacker.getsockname()[1]}"
    target = listener.getsockname()[1]
    answers = []
    for routes in route_sets(ports["sip_port"], target):
        for method in ("INVITE", "MESSAGE", "BYE", "ACK"):
            attacker.sendto(forged(method, target, here, routes), kamailio)
            if method != "ACK":
                answers.extend(status(received(attacker, 1)))
    # A new call with a route set of its own: the route goes, the call goes to Huoli's answer.
    attacker.sendto(
        sip(
            "INVITE",
            f"sip:fi@127.0.0.1:{ports['sip_port']}",
            [
                f"Via: SIP/2.0/{here};branch={branch()}",
                "Max-Forwards: 70",
                f"Route: <sip:127.0.0.1:{target};lr>",
                "From: <sip:+358401111111@127.0.0.1>;tag=p1",
                "To: <sip:fi@127.0.0.1>",
                f"Call-ID: preloaded-{random.randrange(10**12)}",
                "CSeq: 1 INVITE",
                f"Contact: <sip:x@127.0.0.1:{attacker.getsockname()[1]}>",
                "Content-Type: application/sdp",
            ],
            SDP,
        ),
        kamailio,
    )
    preloaded = status(received(attacker, 2))
    # And methods that start nothing here.
    for method in ("MESSAGE", "SUBSCRIBE", "REFER", "PUBLISH", "NOTIFY", "INFO", "UPDATE"):
        attacker.sendto(
            sip(
                method,
                f"sip:fi@127.0.0.1:{target}",
                [
                    f"Via: SIP/2.0/{here};branch={branch()}",
                    "Max-Forwards: 70",
                    f"Route: <sip:127.0.0.1:{target};lr>",
                    "From: <sip:a@evil.example>;tag=m1",
                    "To: <sip:fi@127.0.0.1>",
                    f"Call-ID: initial-{method}-{random.randrange(10**12)}",
                    f"CSeq: 1 {method}",
                    "Event: x",
                ],
            ),
            kamailio,
        )
        # (the 480 to the call above comes again: it has no ACK)
        answers.extend(line for line in status(received(attacker, 0.5)) if " 480 " not in line)
    leaked = received(listener, 1)
    listener.close()
    attacker.close()

    assert leaked == []
    assert len(answers) == 4 * 3 + 7, answers
    assert all(re.match(r"SIP/2.0 (403|404|405) ", line) for line in answers), answers
    assert preloaded[-1].startswith("SIP/2.0 480"), preloaded


@pytest.mark.parametrize("phone", [["reject 480 -"]], indirect=True)
def test_forged_requests_over_the_websocket_are_not_relayed(phone):  # noqa: F811
    from websockets.asyncio.client import connect

    huoli, _running, ports, _tmp_path = phone
    listener = udp(port=free_port())
    target = listener.getsockname()[1]
    answers = []

    async def probe():
        async with connect(
            f"ws://127.0.0.1:{ports['ws_port']}", subprotocols=["sip"], origin=huoli.url
        ) as ws:
            for routes in route_sets(ports["sip_port"], target):
                for method in ("INVITE", "MESSAGE"):
                    await ws.send(forged(method, target, "WS abc.invalid", routes).decode())
                    while True:
                        try:
                            reply = await asyncio.wait_for(ws.recv(), 1)
                        except TimeoutError:
                            break
                        if reply.startswith("SIP/2.0 1"):
                            continue
                        answers.append(reply.split("\r\n", 1)[0])
                        break

    asyncio.run(probe())
    leaked = received(listener, 1)
    listener.close()
    assert leaked == []
    assert len(answers) == 8, answers
    assert all(re.match(r"SIP/2.0 (403|404) ", line) for line in answers), answers


# What a trunk's INVITE may carry about the caller: none of it may reach a console.
LEAKY_HEADERS = [
    "Identity: eyJhbGciOiJFUzI1NiJ9.eyJvcmlnIjp7InRuIjoiMzU4NDAxMjM0NTY3In19.sig;"
    "info=<https://cert.example/x.pem>",
    f"P-Charge-Info: <sip:{NUMBER}@operator.example>",
    "P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=24405ABCD1234567",
    f"Reply-To: <sip:{NUMBER}@operator.example>",
    f"Referred-By: <sip:{NUMBER}@operator.example>",
    f"X-Orig-Caller: {NUMBER}",
    f'Reason: Q.850;cause=16;text="{NUMBER}"',
    f"P-Asserted-Identity: <sip:{NUMBER}@operator.example>",
    f"y: {NUMBER}",
    "User-Agent: TrunkSBC 1.0",
    # A forged call number, long enough that no masked header could hold it by chance.
    "X-Huoli-Call: 987654321",
]
LEAKY_SDP = (
    f"v=0\r\no={NUMBER} 1 1 IN IP4 {TRUNK_HOST}\r\ns={NUMBER}\r\ni=call from {NUMBER}\r\n"
    f"u=http://caller.example/{NUMBER}\r\ne=caller@example.com\r\np={NUMBER}\r\n"
    f"c=IN IP4 {TRUNK_HOST}\r\nt=0 0\r\nm=audio 40010 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
    f"a=label:{NUMBER}\r\na=x-caller:{NUMBER}\r\na=rtcp:40011 IN IP4 {TRUNK_HOST}\r\n"
    f"a=ssrc:1 cname:{NUMBER}\r\na=sendrecv\r\n"
)
SECRETS = (
    "358401234567",
    "0401234567",
    TRUNK_HOST,
    "Identity",
    "P-Charge-Info",
    "P-Access-Network",
    "Reply-To",
    "Referred-By",
    "X-Orig-Caller",
    "Reason",
    "TrunkSBC",
    "label",
    "x-caller",
    "caller.example",
    "987654321",
)


def reply_to(request: str, code: str, extra: list[str], body: str = "") -> bytes:
    kept = [
        line
        for line in request.split("\r\n")
        if re.match(r"^(Via|v|From|f|Call-ID|i|CSeq|Record-Route|TH):", line, re.I)
    ]
    to = re.search(r"^(To|t):.*$", request, re.M | re.I).group(0).rstrip("\r")
    if ";tag=" not in to:
        to += ";tag=ua1"
    lines = [f"SIP/2.0 {code}", *kept, to, *extra, f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def wait_request(sock, method: str, seconds: float = 8) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for text in received(sock, 0.3):
            if text.startswith(f"{method} "):
                return text
    raise AssertionError(f"no {method} arrived")


def wait_status(sock, code: str, seconds: float = 8) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for text in received(sock, 0.3):
            if text.startswith(f"SIP/2.0 {code}"):
                return text
    raise AssertionError(f"no {code} arrived")


@pytest.mark.parametrize("phone", [["ring 7 staff-3"]], indirect=True)
def test_a_desk_phone_receives_nothing_of_the_caller_and_in_call_requests_stay_in_the_call(
    phone,  # noqa: F811
):
    huoli, running, ports, _tmp_path = phone
    kamailio = ("127.0.0.1", ports["sip_port"])
    desk_port = free_port()
    assert register(ports["sip_port"], DESK_PASSWORD, local_port=desk_port) == "SIP/2.0 200 OK"
    desk = udp(port=desk_port)
    trunk = udp(TRUNK_HOST)
    trunk_port = trunk.getsockname()[1]
    listener = udp(port=free_port())
    call_id = f"abc{random.randrange(10**9)}@{TRUNK_HOST}"
    caller_from = f'"Matti Meikäläinen" <sip:{NUMBER}@{TRUNK_HOST}>;tag=c1'
    invite_branch = branch()
    invite = sip(
        "INVITE",
        f"sip:fi@127.0.0.1:{ports['sip_port']}",
        [
            f"Via: SIP/2.0/UDP {TRUNK_HOST}:{trunk_port};rport;branch={invite_branch}",
            "Max-Forwards: 70",
            f"From: {caller_from}",
            "To: <sip:fi@127.0.0.1>",
            f"Call-ID: {call_id}",
            "CSeq: 1 INVITE",
            f"Contact: <sip:{NUMBER}@{TRUNK_HOST}:{trunk_port}>",
            *LEAKY_HEADERS,
            "Content-Type: application/sdp",
        ],
        LEAKY_SDP,
    )
    trunk.sendto(invite, kamailio)
    try:
        ringing = wait_request(desk, "INVITE")
        for secret in SECRETS:
            assert secret.lower() not in ringing.lower(), (secret, ringing)
        assert re.search(r"^X-Huoli-Call: 7\r?$", ringing, re.M), ringing
        assert "a=rtpmap:0 PCMU/8000" in ringing

        # The desk phone answers; the caller's side learns nothing of it either.
        desk_sdp = (
            "v=0\r\no=deskphone 2 2 IN IP4 127.0.0.1\r\ns=Desk of staff-3\r\n"
            "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40030 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=label:staff-3\r\n"
        )
        desk.sendto(
            reply_to(
                ringing,
                "200 OK",
                [
                    f"Contact: <sip:staff-3@127.0.0.1:{desk_port}>",
                    "Server: DeskPhone 9",
                    'Warning: 399 desk.example "staff-3 here"',
                    "Content-Type: application/sdp",
                ],
                desk_sdp,
            ),
            kamailio,
        )
        answered = wait_status(trunk, "200")
        for secret in ("staff-3", "DeskPhone", "Warning", "deskphone", "label"):
            assert secret not in answered, (secret, answered)
        record_route = [
            line.split(":", 1)[1].strip()
            for line in answered.split("\r\n")
            if line.lower().startswith("record-route:")
        ]
        contact = re.search(r"^(Contact|m):\s*<([^>]+)>", answered, re.M | re.I).group(2)
        to = re.search(r"^(To|t):(.*)$", answered, re.M | re.I).group(2).rstrip("\r")

        def in_call(
            method: str, ruri: str, routes: list[str], cseq: int, body: str = "", kind: str = ""
        ) -> bytes:
            return sip(
                method,
                ruri,
                [
                    f"Via: SIP/2.0/UDP {TRUNK_HOST}:{trunk_port};rport;branch={branch()}",
                    "Max-Forwards: 70",
                    *(f"Route: {route}" for route in routes),
                    f"From: {caller_from}",
                    f"To:{to}",
                    f"Call-ID: {call_id}",
                    f"CSeq: {cseq} {method}",
                    *([f"Content-Type: {kind}"] if kind else []),
                ],
                body,
            )

        trunk.sendto(in_call("ACK", contact, record_route, 1), kamailio)
        assert wait_request(desk, "ACK").startswith("ACK ")

        # A party of the call cannot send its requests elsewhere: not by the Request-URI...
        target = f"sip:x@127.0.0.1:{listener.getsockname()[1]}"
        trunk.sendto(in_call("INFO", target, record_route, 2), kamailio)
        assert wait_status(trunk, "403")
        # ...nor by a Route after ours: the request still goes to the desk phone.
        routes = [*record_route, f"<sip:127.0.0.1:{listener.getsockname()[1]};lr>"]
        trunk.sendto(in_call("INFO", contact, routes, 3), kamailio)
        info = wait_request(desk, "INFO")
        desk.sendto(reply_to(info, "200 OK", []), kamailio)
        wait_status(trunk, "200")

        # SDP goes only through rtpengine. A re-INVITE without an offer (a session refresh):
        # the offer comes in the 200 and the answer in the ACK, both rewritten; an ACK with
        # SDP nobody asked for goes nowhere, and any other body (here a multipart one with
        # an SDP inside) is taken off.
        trunk.sendto(in_call("INVITE", contact, record_route, 4), kamailio)
        refresh = wait_request(desk, "INVITE")
        assert "m=audio" not in refresh, refresh
        desk.sendto(
            reply_to(
                refresh,
                "200 OK",
                [f"Contact: <sip:staff-3@127.0.0.1:{desk_port}>", "Content-Type: application/sdp"],
                desk_sdp.replace("IN IP4 127.0.0.1", "IN IP4 127.0.0.66"),
            ),
            kamailio,
        )
        offered = wait_status(trunk, "200")
        assert "m=audio" in offered and "127.0.0.66" not in offered, offered
        evil_sdp = SDP.replace("127.0.0.1", "127.0.0.77")
        trunk.sendto(
            in_call("ACK", contact, record_route, 4, evil_sdp, "application/sdp"), kamailio
        )
        answer = wait_request(desk, "ACK")
        assert "m=audio" in answer and "127.0.0.77" not in answer, answer
        trunk.sendto(
            in_call("ACK", contact, record_route, 4, evil_sdp, "application/sdp"), kamailio
        )
        assert not any(text.startswith("ACK ") for text in received(desk, 0.6))
        multipart = "--b\r\nContent-Type: application/sdp\r\n\r\n" + evil_sdp + "--b--\r\n"
        kind = "multipart/mixed;boundary=b"
        trunk.sendto(in_call("INFO", contact, record_route, 5, multipart, kind), kamailio)
        info = wait_request(desk, "INFO")
        assert "127.0.0.77" not in info and "multipart" not in info, info
        desk.sendto(reply_to(info, "200 OK", []), kamailio)
        wait_status(trunk, "200")
        # A CANCEL crossing the answer does not make Huoli count the call abandoned.
        cancel = sip(
            "CANCEL",
            f"sip:fi@127.0.0.1:{ports['sip_port']}",
            [
                f"Via: SIP/2.0/UDP {TRUNK_HOST}:{trunk_port};rport;branch={invite_branch}",
                "Max-Forwards: 70",
                f"From: {caller_from}",
                "To: <sip:fi@127.0.0.1>",
                f"Call-ID: {call_id}",
                "CSeq: 1 CANCEL",
            ],
        )
        trunk.sendto(cancel, kamailio)
        received(trunk, 0.5)
        # Another INVITE of the same Call-ID (a new transaction, not a retransmission) is
        # not a second call.
        trunk.sendto(invite.replace(invite_branch.encode(), branch().encode()), kamailio)
        assert wait_status(trunk, "482")

        # The caller hangs up: the BYE reaches the desk phone.
        trunk.sendto(in_call("BYE", contact, record_route, 6), kamailio)
        bye = wait_request(desk, "BYE")
        desk.sendto(reply_to(bye, "200 OK", []), kamailio)
        wait_status(trunk, "200")
        assert received(listener, 0.5) == []
    finally:
        desk.close()
        trunk.close()
        listener.close()
    deadline = time.monotonic() + 5
    while True:
        events = [fields["event"] for path, fields, _ in huoli.posts if path == "/telephony/event/"]
        if len(events) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert events == ["answered", "ended"], events
    for name, text in running.logs().items():
        assert "358401234567" not in text, name


@pytest.mark.parametrize("phone", [["reject 480 -"]], indirect=True)
def test_messages_kamailio_cannot_read_leave_no_number_or_name_in_its_log(phone):  # noqa: F811
    """Kamailio's parser errors quote what they could not read (a header, or the whole
    message): its log keeps where the error came from, not the caller's number or name."""
    _huoli, running, ports, _tmp_path = phone
    kamailio = ("127.0.0.1", ports["sip_port"])
    trunk = udp(TRUNK_HOST)
    here = trunk.getsockname()[1]
    name = '"Matti Meikäläinen"'

    def invite(*, ruri="sip:fi@127.0.0.1", sender=None, to="<sip:fi@127.0.0.1>", contact=None):
        return sip(
            "INVITE",
            ruri,
            [
                f"Via: SIP/2.0/UDP {TRUNK_HOST}:{here};rport;branch={branch()}",
                "Max-Forwards: 70",
                f"From: {sender or f'{name} <sip:{NUMBER}@{TRUNK_HOST}>'};tag=a",
                f"To: {to}",
                f"Call-ID: bad-{random.randrange(10**9)}",
                "CSeq: 1 INVITE",
                f"Contact: {contact or f'<sip:{NUMBER}@{TRUNK_HOST}:{here}>'}",
                "Content-Type: application/sdp",
            ],
            SDP,
        )

    broken = [
        invite(sender=f"{name} <sip:{NUMBER}@[{TRUNK_HOST}>"),
        invite(contact=f"{name} <sip:{NUMBER}@[::1"),
        invite(to=f"<sip:fi@127.0.0.1;x={NUMBER}"),
        invite().replace(b"CSeq: 1 INVITE", f"CSeq: {NUMBER} INVITE".encode()),
        invite().replace(
            f"Via: SIP/2.0/UDP {TRUNK_HOST}:{here}".encode(),
            f"Via: SIP/2.0/UDP {NUMBER}@::".encode(),
        ),
        invite().replace(b"Content-Length: ", b"Content-Length: 9"),
    ]
    try:
        for message in broken:
            trunk.sendto(message, kamailio)
            received(trunk, 0.3)
    finally:
        trunk.close()
    time.sleep(0.5)
    text = running.logs()["kamailio"]
    assert "it could not read" in text  # the errors are there, their content is not
    for secret in ("358401234567", "0401234567", "Meikäläinen", "Matti"):
        assert secret not in text, (secret, text[-3000:])
