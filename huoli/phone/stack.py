"""The telephone's daemons: Kamailio (SIP) and rtpengine (media), configured and run.

Plain Python, no Django: ``manage.py telephony_config`` and ``manage.py run_phone`` use it, and
so do the test fixtures. Everything binds 127.0.0.1. The shipped ``telephony/kamailio.cfg`` is
copied as it is; what differs per installation goes into ``local.cfg`` beside it.

Anonymity: both daemons log at levels that print no number and no address, and their stderr
goes through ``core.logfilters.scrub`` (every IP address replaced) into files in ``out_dir``,
a second guard behind the log levels.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from huoli.core.logfilters import scrub

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_CONFIG = PACKAGE_DIR / "telephony" / "kamailio.cfg"
MEDIA_DIR = PACKAGE_DIR / "media"
LINES = ("fi", "sv", "en", "ar", "so", "ru", "et", "fa", "ckb", "uk")
MODULE_PATHS = (
    "/usr/lib/x86_64-linux-gnu/kamailio/modules",
    "/usr/lib/*/kamailio/modules",
    "/usr/lib64/kamailio/modules",
    "/usr/lib/kamailio/modules",
)
# rtpengine's log level 5 prints "Creating new call" and no address; 6 and up print peers.
RTPENGINE_LOG_LEVEL = 4
APT_PACKAGES = "kamailio kamailio-websocket-modules kamailio-utils-modules rtpengine-daemon"
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_./:@=+-]*$")
# The digest realm of desk phones (huoli.calls.selectors.DESK_PHONE_REALM: Huoli keeps
# MD5(user:realm:password), so both must say the same).
SIP_REALM = "huoli"
# A called number as an operator may send it in the Request-URI's user part.
_NUMBER = re.compile(r"^[+]?[0-9A-Za-z*#._-]{1,40}$")


class StackError(RuntimeError):
    pass


def missing_programs() -> list[str]:
    return [name for name in ("kamailio", "rtpengine") if shutil.which(name) is None]


def kamailio_module_path() -> str:
    for pattern in MODULE_PATHS:
        for path in sorted(glob.glob(pattern)):
            if os.path.exists(os.path.join(path, "tm.so")):
                return path
    return MODULE_PATHS[0]


def _checked(name: str, value: str) -> str:
    # local.cfg substitutes with "!" as the delimiter and inside double-quoted strings.
    if not _SAFE_VALUE.match(value):
        raise StackError(f"{name} holds characters the SIP server's configuration cannot take")
    return value


def _origin_regex(http_url: str, origins: list[str] | None) -> str:
    if origins is None:
        parts = urlsplit(http_url)
        port = f":{parts.port}" if parts.port else ""
        hosts = {parts.hostname or "127.0.0.1"}
        if hosts & {"127.0.0.1", "localhost"}:
            hosts |= {"127.0.0.1", "localhost"}
        origins = [f"{parts.scheme}://{host}{port}" for host in sorted(hosts)]
    # POSIX extended regex inside a Kamailio string: "[.]" instead of a backslash.
    alternatives = "|".join(re.sub(r"[.]", "[.]", _checked("origin", o)) for o in origins)
    return f"^({alternatives})$"


def _trunk_nets(trunk_nets) -> str:
    if isinstance(trunk_nets, str):
        trunk_nets = [net for net in re.split(r"[,\s]+", trunk_nets) if net]
    nets = [str(ipaddress.ip_network(net, strict=False)) for net in trunk_nets]
    if not nets:
        raise StackError("at least one trunk network is needed (127.0.0.0/8 for loopback)")
    return ",".join(nets)


def _listen_lines(listen, sip_port: int, ws_port: int) -> list[str]:
    """``listen=udp:`` and ``listen=tcp:`` for each extra ``ADDR[:PORT]`` (an operator's
    trunk or the office's desk phones reach a public or LAN address, not loopback).

    Never on the WebSocket's port: browsers reach Kamailio only through the reverse proxy on
    loopback, so a visitor's address never reaches it (docs/decisions/0036)."""
    lines = []
    for item in listen or []:
        item = item.strip()
        host, _sep, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
        try:
            address = ipaddress.ip_address(host.strip("[]"))
            number = int(port) if port else int(sip_port)
        except ValueError as error:
            raise StackError(f"--listen {item}: give an IP address and an optional port") from error
        if not 0 < number < 65536:
            raise StackError(f"--listen {item}: the port is out of range")
        if number == int(ws_port):
            raise StackError(
                f"--listen {item}: that is the WebSocket's port, which stays on loopback "
                "behind the reverse proxy"
            )
        host = f"[{address}]" if address.version == 6 else str(address)
        lines += [f"listen=udp:{host}:{number}", f"listen=tcp:{host}:{number}"]
    return lines


def _numbers(numbers) -> list[tuple[str, str]]:
    """``LINE=NUMBER`` pairs (or a mapping of numbers to lines), checked."""
    if isinstance(numbers, dict):
        pairs = [(line, number) for number, line in numbers.items()]
    else:
        pairs = []
        for item in numbers or []:
            line, sep, number = item.partition("=")
            if not sep:
                raise StackError(f"--number {item}: write LINE=NUMBER, e.g. fi=+35891234560")
            pairs.append((line.strip(), number.strip()))
    for line, number in pairs:
        if line not in LINES:
            raise StackError(f"--number {line}={number}: no such line ({', '.join(LINES)})")
        if not _NUMBER.match(number):
            raise StackError(f"--number {line}={number}: not a number the SIP server can match")
    seen = [number for _line, number in pairs]
    if len(seen) != len(set(seen)):
        raise StackError("--number: one number given for two lines")
    return pairs


_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def _gateway(gateway: str | None) -> tuple[str, str]:
    """(host:port, host) of the operator's gateway that call-backs are sent to, or
    ("-", "-") without one (Kamailio then refuses calls out)."""
    if not gateway:
        return "-", "-"
    host, sep, port = gateway.strip().rpartition(":")
    if not sep:
        host, port = gateway.strip(), "5060"
    try:
        number = int(port)
    except ValueError:
        number = 0
    if not 0 < number < 65536:
        raise StackError(f"--gateway {gateway}: write HOST or HOST:PORT, e.g. 192.0.2.10:5060")
    try:
        host = str(ipaddress.IPv4Address(host))
    except ValueError:
        if not _HOSTNAME.match(host):
            raise StackError(f"--gateway {gateway}: not an IPv4 address or a host name") from None
    return f"{host}:{number}", host


def local_routes_text(numbers) -> str:
    """route[LOCAL_LINES]: the operator's called numbers to the lines (before the line
    check of route[INVITE]); empty without --number."""
    body = [f'\tif ($rU == "{number}") {{ $rU = "{line}"; }}' for line, number in numbers]
    return "route[LOCAL_LINES] {\n" + "\n".join([*body, "\treturn;"]) + "\n}\n"


def local_cfg_text(
    *,
    out_dir: Path,
    http_url: str,
    secret: str,
    sip_port: int,
    ws_port: int,
    ng_port: int,
    trunk_nets,
    media_dir: Path,
    origins: list[str] | None = None,
    children: int = 2,
    mask_key: str | None = None,
    realm: str = SIP_REALM,
    listen=(),
    numbers=(),
    gateway: str | None = None,
) -> str:
    http_url = _checked("http_url", http_url.rstrip("/"))
    dial_to, dial_domain = _gateway(gateway)
    media = _checked("media_dir", str(Path(media_dir).resolve()))
    values = {
        "HUOLI_SIP_PORT": str(int(sip_port)),
        "HUOLI_WS_PORT": str(int(ws_port)),
        "HUOLI_CHILDREN": str(int(children)),
        "HUOLI_MPATH": _checked("module path", kamailio_module_path()),
        "HUOLI_URL": http_url,
        "HUOLI_SECRET": _checked("secret", secret.strip()),
        "HUOLI_TRUNK_NETS": _trunk_nets(trunk_nets),
        "HUOLI_RTPENGINE_SOCK": f"udp:127.0.0.1:{int(ng_port)}",
        "HUOLI_MEDIA_DIR": media + "/",
        "HUOLI_MEDIA_DIR_LEN": str(len(media) + 1),
        "HUOLI_ORIGIN_RE": _origin_regex(http_url, origins),
        "HUOLI_MASK_KEY": _checked("mask key", mask_key or secrets.token_hex(16)),
        "HUOLI_CTL_SOCKET": _checked("out_dir", f"unix:{Path(out_dir).resolve()}/kamailio_ctl"),
        "HUOLI_REALM": _checked("realm", realm),
        # Call-backs go out to the operator's gateway (--gateway), "-" without one.
        "HUOLI_DIAL_TO": dial_to,
        "HUOLI_DIAL_DOMAIN": dial_domain,
    }
    listen_lines = _listen_lines(listen, sip_port, ws_port)
    pairs = _numbers(numbers)
    lines = [
        "# Written by huoli/phone/stack.py (manage.py telephony_config); do not edit, rerun it.",
        "# Kept private: it holds the secret Kamailio shows Huoli.",
        "# kamailio.cfg includes this file twice: first its values, then (at its end, once the",
        "# modules are loaded) its routes.",
        "#!ifndef HUOLI_LOCAL_ROUTES",
        "#!define HUOLI_LOCAL_ROUTES",
    ]
    for name, value in values.items():
        if name == "HUOLI_ORIGIN_RE":  # a regex ends in "$", which a substitution would read
            lines.append(f'#!define {name} "{value}"')
        else:
            lines.append(f'#!substdef "!{name}!{value}!g"')
    if listen_lines:
        lines.append("# Also reachable on (--listen):")
        lines += listen_lines
    lines += ["#!else", local_routes_text(pairs).rstrip("\n"), "#!endif"]
    return "\n".join(lines) + "\n"


def write_config(
    out_dir,
    *,
    http_url: str,
    secret: str,
    sip_port: int = 5060,
    ws_port: int = 5066,
    ng_port: int = 2223,
    rtp_min: int = 30000,
    rtp_max: int = 30199,
    trunk_nets="127.0.0.0/8",
    media_dir=MEDIA_DIR,
    origins: list[str] | None = None,
    children: int = 2,
    realm: str = SIP_REALM,
    listen=(),
    numbers=(),
    gateway: str | None = None,
) -> Path:
    """Write kamailio.cfg, local.cfg and rtpengine's arguments into out_dir; return the
    path of kamailio.cfg."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "kamailio.cfg"
    shutil.copyfile(SHIPPED_CONFIG, config)
    local = out / "local.cfg"
    text = local_cfg_text(
        out_dir=out,
        http_url=http_url,
        secret=secret,
        sip_port=sip_port,
        ws_port=ws_port,
        ng_port=ng_port,
        trunk_nets=trunk_nets,
        media_dir=Path(media_dir),
        origins=origins,
        children=children,
        realm=realm,
        listen=listen,
        numbers=numbers,
        gateway=gateway,
    )
    fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    args = rtpengine_args(out, ng_port=ng_port, rtp_min=rtp_min, rtp_max=rtp_max)
    (out / "rtpengine.args").write_text("\n".join(args[1:]) + "\n")
    return config


def rtpengine_args(out_dir, *, ng_port: int, rtp_min: int, rtp_max: int) -> list[str]:
    return [
        shutil.which("rtpengine") or "rtpengine",
        # Not Debian's /etc/rtpengine/rtpengine.conf (its HTTP and CLI ports, its interface).
        "--config-file=none",
        "--foreground",
        "--table=-1",
        "--interface=127.0.0.1",
        f"--listen-ng=127.0.0.1:{int(ng_port)}",
        # rtpengine also opens a TCP command line, by default on 9900 for every instance: on
        # the ng port's number (UDP and TCP do not clash), so that two stacks can run.
        f"--listen-cli=127.0.0.1:{int(ng_port)}",
        f"--port-min={int(rtp_min)}",
        f"--port-max={int(rtp_max)}",
        "--num-threads=2",
        "--timeout=60",
        "--silent-timeout=3600",
        "--offer-timeout=3600",
        "--delete-delay=0",
        "--log-stderr",
        f"--log-level={RTPENGINE_LOG_LEVEL}",
        f"--pidfile={Path(out_dir).resolve() / 'rtpengine.pid'}",
    ]


def kamailio_args(config, *, check: bool = False) -> list[str]:
    binary = shutil.which("kamailio") or "kamailio"
    if check:
        return [binary, "-c", "-f", str(config)]
    return [binary, "-DD", "-E", "-f", str(config), "-m", "64", "-M", "8"]


def check_config(config) -> subprocess.CompletedProcess:
    """``kamailio -c`` on a written configuration (returncode 0 when it is valid)."""
    return subprocess.run(  # noqa: S603 (our own command line)
        kamailio_args(config, check=True), capture_output=True, text=True, timeout=60
    )


# One record of Kamailio's log: " 2(3284) ERROR: <core> [core/parser/parse_from.c:107]:
# parse_from_uri(): failed to parse From uri". Its text may quote what it read.
_KAMAILIO_RECORD = re.compile(
    r"^(?P<head>\s*\d+\(\d+\) [A-Z]+: (?:<[^>]*>|[\w.-]+) \[(?P<file>[^\]:]*)[^\]]*\]: "
    r"(?:\w+\(\): )?)(?P<text>.*)$"
)
_SIP_URI_USER = re.compile(r"\b(sips?|tel):[^\s@<>;,\]]*@?", re.IGNORECASE)
_NUMBER_LIKE = re.compile(r"\+?\d[\d ()./-]{4,}\d")


class KamailioLog:
    """What of Kamailio's output is kept, a guard behind its log level (``debug=-1``):
    Kamailio's errors about a message it could not read quote the message, whole headers
    and sometimes all of it, with the caller's number and name. So once it has started:
    a line that is not a record of its own (a quoted message's next lines) is dropped; a
    record from the SIP parser keeps only where it came from; any other record loses what
    looks like a SIP or tel URI's user part or a phone number. Addresses go as everywhere
    (``core.logfilters.scrub``)."""

    PARSER_NOTE = "(a SIP message it could not read; its content is not logged)\n"

    def __init__(self):
        self.started = False

    def __call__(self, line: str) -> str | None:
        record = _KAMAILIO_RECORD.match(line.rstrip("\r\n"))
        if record is None:
            return None if self.started else scrub(line)
        self.started = True
        if "parser/" in record["file"]:
            return scrub(record["head"]) + self.PARSER_NOTE
        text = _SIP_URI_USER.sub(lambda m: m.group(1) + ":[user]@", record["text"])
        text = _NUMBER_LIKE.sub("[number]", text)
        return scrub(record["head"] + text) + "\n"


def _pump(stream, path: Path, line_filter=None) -> None:
    keep = line_filter or scrub
    with open(path, "a", buffering=1) as out:
        for raw in iter(stream.readline, b""):
            line = keep(raw.decode("utf-8", "replace"))
            if line is not None:
                out.write(line)
    stream.close()


@dataclass
class Daemon:
    name: str
    process: subprocess.Popen
    log: Path
    pump: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.pump.join(timeout)


def start_daemon(name: str, args: list[str], out_dir, line_filter=None) -> Daemon:
    """Start one daemon; its stderr and stdout go, scrubbed (``line_filter``, by default
    ``scrub``; None from it drops the line), to out_dir/<name>.log."""
    log = Path(out_dir) / f"{name}.log"
    process = subprocess.Popen(  # noqa: S603 (our own command lines)
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=str(out_dir),
        start_new_session=True,
    )
    pump = threading.Thread(target=_pump, args=(process.stdout, log, line_filter), daemon=True)
    pump.start()
    return Daemon(name=name, process=process, log=log, pump=pump)


def _stopped(daemon: Daemon) -> StackError:
    daemon.pump.join(2)
    tail = daemon.log.read_text(errors="replace")[-2000:] if daemon.log.exists() else ""
    return StackError(f"{daemon.name} stopped at start:\n{tail}")


def _wait_udp_port(port: int, daemon: Daemon, timeout: float) -> None:
    """Wait until something answers on 127.0.0.1:<port> (rtpengine's ng ping)."""
    import socket

    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            if daemon.process.poll() is not None:
                raise _stopped(daemon)
            try:
                sock.sendto(b"huoli d7:command4:pinge", ("127.0.0.1", port))
                if b"pong" in sock.recv(200):
                    return
            except OSError:
                pass
            time.sleep(0.1)
    raise StackError("rtpengine did not answer")


def _wait_tcp_port(port: int, daemon: Daemon, timeout: float) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            raise _stopped(daemon)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise StackError("kamailio did not open its port")


@dataclass
class Stack:
    out_dir: Path
    daemons: list[Daemon] = field(default_factory=list)

    def stop(self) -> None:
        # Kamailio first (it asks rtpengine to end its calls), then rtpengine.
        for daemon in reversed(self.daemons):
            daemon.stop()
        self.daemons.clear()

    def logs(self) -> dict[str, str]:
        return {d.name: d.log.read_text() if d.log.exists() else "" for d in self.daemons}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(
    out_dir,
    *,
    config=None,
    sip_port: int = 5060,
    ws_port: int = 5066,
    ng_port: int = 2223,
    rtp_min: int = 30000,
    rtp_max: int = 30199,
    timeout: float = 10.0,
) -> Stack:
    """Start rtpengine, then Kamailio (it needs rtpengine at start) on a written config."""
    out = Path(out_dir)
    config = Path(config) if config else out / "kamailio.cfg"
    missing = missing_programs()
    if missing:
        raise StackError(f"not installed: {', '.join(missing)} (apt-get install {APT_PACKAGES})")
    stack = Stack(out_dir=out)
    try:
        rtpengine = start_daemon(
            "rtpengine",
            rtpengine_args(out, ng_port=ng_port, rtp_min=rtp_min, rtp_max=rtp_max),
            out,
        )
        stack.daemons.append(rtpengine)
        _wait_udp_port(ng_port, rtpengine, timeout)
        kamailio = start_daemon("kamailio", kamailio_args(config), out, KamailioLog())
        stack.daemons.append(kamailio)
        _wait_tcp_port(ws_port, kamailio, timeout)
        _wait_tcp_port(sip_port, kamailio, timeout)
    except BaseException:
        stack.stop()
        raise
    return stack
