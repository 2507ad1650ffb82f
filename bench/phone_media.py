"""Media load: how many simultaneous calls with audio rtpengine relays on this machine, against a
bare Python UDP relay, in the same run.

    .venv/bin/python bench/phone_media.py [--steps 1,10,50,100,150,200,250,300,400,...]
                                          [--duration 3] [--procs 2]

rtpengine is started exactly as Huoli starts it (``huoli.phone.stack.rtpengine_args`` and
``start_daemon``: userspace forwarding, ``--table=-1``, two threads, 127.0.0.1, free ports).
No Kamailio: the load generator plays Kamailio's part itself over rtpengine's ng control
protocol (bencode over UDP: ``offer``, ``answer``, ``delete``, with the flags of the script's
plain-RTP leg, ``RTP_TO_SIP``) and both phones' parts with its own UDP sockets: PCMU, a
packet every 20 ms in each direction (50 packets/s each way, 100 per call), 172 bytes with
the RTP header, the payload carrying the stream, a sequence number and the send time.

The baseline, in the same run and through the same load generator: a minimal Python relay
(one process, one thread, epoll, two sockets per call, ``recv`` on one and ``sendto`` on the
other) that answers the same ng commands. It is the cheapest relay one can write in Python;
it tells what the machine and the load generator manage at that moment (the machine is shared
and noisy) and what rtpengine's work per packet costs beside it. A one-call rtpengine is no
baseline for that: the first step of rtpengine's run is one call anyway.

For each relay the number of calls grows step by step (calls are added, never torn down
between steps); each step sends for --warm-up + --duration seconds and measures the last
--duration: packets relayed per second, loss, latency through the relay p50/p99 (send to
arrival, same clock), the RFC 3550 interarrival jitter (mean over streams), the relay's CPU
(utime + stime of all its threads, % of one core) and memory, the load generator's CPU and
how late it sent (its own lag, which must stay small or the figures measure the generator),
and the whole machine's busy share (other users' work included). A relay's run stops after
the first step with more than 1 % loss, a p99 over 50 ms, or the generator more than 10 ms
late (p99: the machine is saturated, further steps would measure the generator), measured
twice (a shared machine stalls now and then), or when its half of --budget seconds would run
out. Everything on 127.0.0.1; every process is ended at the end, also on Ctrl-C, SIGTERM or
an error.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import re
import secrets
import select
import signal
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path

from processes import cpu_seconds, free_port, machine_cpu_ticks

ROOT = Path(__file__).resolve().parent.parent
PERIOD_NS = 20_000_000  # 20 ms of PCMU: 160 samples, 160 bytes
HEADER = struct.Struct("!BBHIIIIq")  # RTP header (12 bytes), then stream, sequence, send time
MARKS = struct.Struct("!IIq")  # what the payload starts with
PAYLOAD_PAD = b"\xff" * (160 - 16)  # PCMU silence after our 16 bytes: 172 bytes in all
DRAIN_NS = 300_000_000  # time given to packets in flight after the last send
# A step past any of these ends a relay's run: lost audio, a relay too late for a phone's
# jitter buffer, or a load generator that no longer sends on time (the machine is saturated:
# what follows would measure the generator, not the relay).
MAX_LOSS = 0.01
MAX_P99_MS = 50.0
MAX_LAG_MS = 10.0
SATURATED = 0.95  # the machine's busy share noted beside the reason
# The plain-RTP leg of huoli/phone/telephony/kamailio.cfg ("RTP_BASE RTP_TO_SIP") as the
# rtpengine module sends it over the ng protocol.
NG_FLAGS = {
    "flags": ["trust-address"],
    "replace": ["origin", "session-connection"],
    "ICE": "remove",
    "transport-protocol": "RTP/AVP",
    "rtcp-mux": ["demux"],
}


# --- bencode and the ng protocol -----------------------------------------------------------------


def bencode(value) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"bencode cannot take {type(value).__name__}")


def bdecode(data: bytes, at: int = 0):
    """(value, index after it); strings stay bytes except dictionary keys (str)."""
    kind = data[at : at + 1]
    if kind == b"i":
        end = data.index(b"e", at)
        return int(data[at + 1 : end]), end + 1
    if kind in (b"l", b"d"):
        at += 1
        items = []
        while data[at : at + 1] != b"e":
            if at >= len(data):
                raise ValueError("bencode: unterminated list or dictionary")
            item, at = bdecode(data, at)
            items.append(item)
        if kind == b"l":
            return items, at + 1
        return {items[i].decode(): items[i + 1] for i in range(0, len(items), 2)}, at + 1
    colon = data.index(b":", at)
    start = colon + 1
    end = start + int(data[at:colon])
    return data[start:end], end


class NgClient:
    """Asks an ng control port one question at a time (as Kamailio's rtpengine module does)."""

    def __init__(self, port: int):
        self.address = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(2.0)

    def ask(self, message: dict, tries: int = 3) -> dict:
        for _ in range(tries):
            cookie = secrets.token_hex(6).encode()
            self.sock.sendto(cookie + b" " + bencode(message), self.address)
            try:
                while True:
                    reply = self.sock.recv(65536)
                    head, _, body = reply.partition(b" ")
                    if head == cookie:
                        break
            except TimeoutError:
                continue
            answer, _ = bdecode(body)
            if answer.get("result") not in (b"ok", b"pong"):
                raise RuntimeError(f"ng {message['command']}: {answer!r}")
            return answer
        raise RuntimeError(f"ng {message['command']}: no answer")

    def close(self) -> None:
        self.sock.close()


def sdp(port: int) -> str:
    return (
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"
    )


def sdp_address(text: bytes | str) -> tuple[str, int]:
    if isinstance(text, bytes):
        text = text.decode()
    host = re.search(r"c=IN IP4 (\S+)", text).group(1)
    port = int(re.search(r"m=audio (\d+)", text).group(1))
    return host, port


# --- The baseline: a minimal Python relay with the ng commands it needs --------------------------


def bare_relay(ng_port: int) -> None:
    """One thread, epoll: packets on a call's A-side socket go out of its B-side socket to B,
    and back. offer/answer/delete/ping over the ng protocol, as rtpengine answers them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends it, also on Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()
    control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    control.bind(("127.0.0.1", ng_port))
    poller = select.epoll()
    poller.register(control.fileno(), select.EPOLLIN)
    route = {}  # fd -> [socket it arrived on, socket out, destination]
    calls = {}

    def opened() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        poller.register(sock.fileno(), select.EPOLLIN)
        return sock

    def command(message: dict) -> dict:
        name = message["command"]
        if name == b"ping":
            return {"result": "pong"}
        call_id = message["call-id"]
        if name == b"offer":
            to_a, to_b = opened(), opened()  # A sends to to_a; B sends to to_b
            calls[call_id] = (to_a, to_b)
            route[to_b.fileno()] = [to_b, to_a, sdp_address(message["sdp"])]
            route[to_a.fileno()] = [to_a, to_b, None]
            return {"result": "ok", "sdp": sdp(to_b.getsockname()[1])}
        to_a, to_b = calls[call_id]
        if name == b"answer":
            route[to_a.fileno()][2] = sdp_address(message["sdp"])
            return {"result": "ok", "sdp": sdp(to_a.getsockname()[1])}
        if name == b"delete":
            for sock in calls.pop(call_id):
                poller.unregister(sock.fileno())
                del route[sock.fileno()]
                sock.close()
            return {"result": "ok"}
        return {"result": "error", "error-reason": "unknown command"}

    while os.getppid() == parent:
        for fd, _ in poller.poll(1.0):
            if fd == control.fileno():
                data, source = control.recvfrom(65536)
                cookie, _, body = data.partition(b" ")
                control.sendto(cookie + b" " + bencode(command(bdecode(body)[0])), source)
                continue
            incoming, out, destination = route[fd]
            while True:
                try:
                    data = incoming.recv(2048)
                except BlockingIOError:
                    break
                if destination is not None:
                    try:  # noqa: SIM105 (the hot loop: suppress() costs a call a packet)
                        out.sendto(data, destination)
                    except BlockingIOError:
                        pass  # a full buffer is a loss, as on a network


# --- The load generator (its own processes) ------------------------------------------------------


def percentile(ordered: list, q: float):
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0


class Phones:
    """Both ends of this process's share of the calls: sockets, streams, the ng client."""

    def __init__(self, index: int):
        self.index = index
        self.calls = []  # (call id, from-tag, socket A, socket B)
        self.streams = []  # stream id -> (sending socket, destination)
        self.sockets = {}  # fd -> socket
        self.poller = select.epoll()
        self.ng = None

    def phone(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        self.sockets[sock.fileno()] = sock
        self.poller.register(sock.fileno(), select.EPOLLIN)
        return sock

    def grow(self, calls: int, ng_port: int) -> float:
        """Set up calls until this process has `calls`; returns the seconds per call set up."""
        if self.ng is None:
            self.ng = NgClient(ng_port)
        start, added = time.perf_counter(), calls - len(self.calls)
        while len(self.calls) < calls:
            n = len(self.calls)
            call_id = f"bench-{os.getpid()}-{n}-{secrets.token_hex(4)}@127.0.0.1"
            a, b = self.phone(), self.phone()
            common = {"call-id": call_id, "from-tag": f"a{n}", **NG_FLAGS}
            offer = self.ng.ask({"command": "offer", "sdp": sdp(a.getsockname()[1]), **common})
            answer = self.ng.ask(
                {"command": "answer", "sdp": sdp(b.getsockname()[1]), "to-tag": f"b{n}",
                 **common}
            )  # fmt: skip
            self.calls.append((call_id, f"a{n}", a, b))
            self.streams.append((a, sdp_address(answer["sdp"])))  # A -> relay -> B
            self.streams.append((b, sdp_address(offer["sdp"])))  # B -> relay -> A
        return (time.perf_counter() - start) / max(1, added)

    def end(self) -> None:
        for call_id, from_tag, a, b in self.calls:
            with contextlib.suppress(RuntimeError, OSError):
                self.ng.ask({"command": "delete", "call-id": call_id, "from-tag": from_tag}, 1)
            a.close()
            b.close()
        self.calls.clear()

    def run(self, t0: int, warm_ns: int, duration_ns: int) -> dict:
        """Send from every stream every 20 ms from t0 (CLOCK_MONOTONIC, shared by the
        processes) for the warm-up and the measured window; count what arrives."""
        streams = self.streams
        count = len(streams)
        window_start, window_end = t0 + warm_ns, t0 + warm_ns + duration_ns
        result = {"sent": 0, "received": 0, "latencies": [], "lag_p99_us": 0, "jitter_ms": [],
                  "cpu_s": 0.0}  # fmt: skip
        if not count:
            return result
        # Streams spread evenly over the 20 ms, this process's offset at random.
        offset = random.randrange(PERIOD_NS)
        phases = [(offset + j * PERIOD_NS // count) % PERIOD_NS for j in range(count)]
        order = sorted(range(count), key=phases.__getitem__)
        phases.sort()
        seqs = [0] * count
        ssrcs = [random.getrandbits(32) for _ in range(count)]
        last_transit = [None] * count
        jitter = [0.0] * count
        latency, lag = [], []
        sent = received = 0
        cpu_start = cpu_end = None
        pack, unpack = HEADER.pack, MARKS.unpack_from
        clock, poll, sockets = time.monotonic_ns, self.poller.poll, self.sockets

        def drain(events) -> None:
            nonlocal received
            for fd, _ in events:
                sock = sockets[fd]
                while True:
                    try:
                        data = sock.recv(2048)
                    except BlockingIOError:
                        break
                    now = clock()
                    stream, _, sent_at = unpack(data, 12)
                    if window_start <= sent_at < window_end:
                        received += 1
                        transit = now - sent_at
                        latency.append(transit // 1000)
                        previous = last_transit[stream]
                        if previous is not None:
                            jitter[stream] += (abs(transit - previous) - jitter[stream]) / 16
                        last_transit[stream] = transit

        k = 0
        due = t0 + phases[0]
        while due < window_end:
            now = clock()
            if cpu_start is None and now >= window_start:
                cpu_start = time.process_time()
            while due <= now and due < window_end:
                j = order[k % count]
                sock, destination = streams[j]
                seq = seqs[j]
                seqs[j] = seq + 1
                at = clock()
                packet = pack(0x80, 0, seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF, ssrcs[j], j,
                              seq, at) + PAYLOAD_PAD  # fmt: skip
                try:  # noqa: SIM105 (the hot loop: suppress() costs a call a packet)
                    sock.sendto(packet, destination)
                except BlockingIOError:
                    pass  # counted as sent: lost on the way
                if window_start <= at < window_end:
                    sent += 1
                    lag.append((at - due) // 1000)
                k += 1
                due = t0 + (k // count) * PERIOD_NS + phases[k % count]
            drain(poll(max(0, due - clock()) / 1e9))
        cpu_end = time.process_time()
        drain_until = window_end + DRAIN_NS
        while (left := drain_until - clock()) > 0:
            drain(poll(left / 1e9))
        latency.sort()
        lag.sort()
        result.update(
            sent=sent,
            received=received,
            latencies=latency,  # microseconds
            lag_p99_us=percentile(lag, 0.99),
            jitter_ms=[j / 1e6 for j, t in zip(jitter, last_transit, strict=True) if t is not None],
            cpu_s=cpu_end - (cpu_start or cpu_end),
        )
        return result


def generator(index: int, conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends it, also on Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    phones = Phones(index)
    try:
        while True:
            command, *args = conn.recv()
            if command == "grow":
                conn.send(("ok", phones.grow(*args)))
            elif command == "run":
                conn.send(("ok", phones.run(*args)))
            else:
                phones.end()
                conn.send(("ok", None))
                return
    except EOFError:  # the parent is gone
        return
    except Exception as error:  # reported to the parent
        conn.send(("error", repr(error)))


# --- Measuring from the parent ------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = machine_cpu_ticks()
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def sleep_until(deadline_ns: int) -> None:
    while (left := deadline_ns - time.monotonic_ns()) > 0:
        time.sleep(left / 1e9)


class Load:
    """The generator processes, each with a pipe."""

    def __init__(self, procs: int):
        self.pipes, self.processes = [], []
        for index in range(procs):
            parent, child = multiprocessing.Pipe()
            process = multiprocessing.Process(target=generator, args=(index, child), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def ask_all(self, messages: list, timeout: float) -> list:
        for pipe, message in zip(self.pipes, messages, strict=True):
            pipe.send(message)
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError("a load process did not answer")
            status, value = pipe.recv()
            if status != "ok":
                raise RuntimeError(f"a load process failed: {value}")
            answers.append(value)
        return answers

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("end",))
        for pipe, process in zip(self.pipes, self.processes, strict=True):
            if pipe.poll(5):
                with contextlib.suppress(EOFError):
                    pipe.recv()
            process.join(2)
            if process.is_alive():
                process.terminate()
                process.join(2)


def measure_step(load: Load, relay_pid: int, calls: int, ng_port: int, args) -> dict:
    procs = len(load.pipes)
    shares = [calls // procs + (1 if i < calls % procs else 0) for i in range(procs)]
    per_call = load.ask_all([("grow", share, ng_port) for share in shares], 120)
    warm_ns, duration_ns = int(args.warm_up * 1e9), int(args.duration * 1e9)
    t0 = time.monotonic_ns() + 200_000_000  # every process ready before the first packet
    pending = [("run", t0, warm_ns, duration_ns)] * procs
    for pipe, message in zip(load.pipes, pending, strict=True):
        pipe.send(message)
    sleep_until(t0 + warm_ns)
    relay_cpu, machine = cpu_seconds(relay_pid), machine_ticks()
    sleep_until(t0 + warm_ns + duration_ns)
    relay_cpu = cpu_seconds(relay_pid) - relay_cpu
    busy, total = (now - then for now, then in zip(machine_ticks(), machine, strict=True))
    rss = rss_mb(relay_pid)
    results = []
    for pipe in load.pipes:
        if not pipe.poll(args.duration + 60):
            raise RuntimeError("a load process did not answer")
        status, value = pipe.recv()
        if status != "ok":
            raise RuntimeError(f"a load process failed: {value}")
        results.append(value)
    sent = sum(r["sent"] for r in results)
    received = sum(r["received"] for r in results)
    latencies = sorted(v for r in results for v in r["latencies"])
    jitters = [j for r in results for j in r["jitter_ms"]]
    seconds = args.duration
    return {
        "calls": calls,
        "offered_pps": sent / seconds,
        "relayed_pps": received / seconds,
        "loss": 1 - received / sent if sent else 0.0,
        "p50_ms": percentile(latencies, 0.5) / 1000,
        "p99_ms": percentile(latencies, 0.99) / 1000,
        "max_ms": (latencies[-1] if latencies else 0) / 1000,
        "jitter_ms": sum(jitters) / len(jitters) if jitters else 0.0,
        "relay_cpu": relay_cpu / seconds,
        "relay_us_per_packet": 1e6 * relay_cpu / max(1, received),
        "rss_mb": rss,
        "load_cpu": sum(r["cpu_s"] for r in results) / seconds,
        "lag_p99_ms": max(r["lag_p99_us"] for r in results) / 1000,
        "busy": busy / total if total else 0.0,
        "setup_ms": 1000 * max(per_call),
    }


def run_relay(name: str, relay_pid: int, ng_port: int, args, budget_s: float) -> tuple:
    load = Load(args.procs)
    rows, reason, start = [], "every step done", time.monotonic()
    try:
        for calls in args.steps:
            spent = time.monotonic() - start
            added = calls - (rows[-1]["calls"] if rows else 0)
            setup = added * (rows[-1]["setup_ms"] / 1000 if rows else 0.002) / args.procs
            if spent + setup + args.warm_up + args.duration + 0.6 > budget_s:
                reason = f"time budget ({budget_s:.0f} s) before {calls} calls"
                break
            row = measure_step(load, relay_pid, calls, ng_port, args)
            print_row(name, row)
            if trouble(row) and time.monotonic() - start + args.warm_up + args.duration < budget_s:
                # A shared machine stalls now and then: a step is judged on a second try.
                row = measure_step(load, relay_pid, calls, ng_port, args)
                print_row("  again", row)
            rows.append(row)
            if problem := trouble(row):
                reason = f"{problem} at {calls} calls"
                if row["busy"] > SATURATED:
                    reason += f", the machine {100 * row['busy']:.0f} % busy"
                break
    finally:
        load.stop()
    print(f"{'':10} stopped: {reason}")
    return rows, reason


COLUMNS = (
    f"{'relay':10} {'calls':>5} {'pkt/s':>7} {'loss %':>6} {'p50 ms':>6} {'p99 ms':>6} "
    f"{'max ms':>6} {'jit ms':>6} {'relay CPU':>9} {'us/pkt':>6} {'RSS MB':>6} "
    f"{'load CPU':>8} {'lag p99':>7} {'busy':>5}"
)


def print_row(name: str, r: dict) -> None:
    print(f"{name:10} {r['calls']:>5} {r['relayed_pps']:>7.0f} {100 * r['loss']:>6.2f} "
          f"{r['p50_ms']:>6.2f} {r['p99_ms']:>6.2f} {r['max_ms']:>6.1f} {r['jitter_ms']:>6.2f} "
          f"{100 * r['relay_cpu']:>8.0f}% {r['relay_us_per_packet']:>6.1f} {r['rss_mb']:>6.1f} "
          f"{100 * r['load_cpu']:>7.0f}% {r['lag_p99_ms']:>7.2f} {100 * r['busy']:>4.0f}%",
          flush=True)  # fmt: skip


def trouble(row: dict) -> str | None:
    if row["loss"] > MAX_LOSS:
        return f"loss over {MAX_LOSS:.0%}"
    if row["p99_ms"] > MAX_P99_MS:
        return f"p99 over {MAX_P99_MS:g} ms"
    if row["lag_p99_ms"] > MAX_LAG_MS:
        return f"load generator over {MAX_LAG_MS:g} ms late (p99)"
    return None


def good(rows: list) -> dict | None:
    """The largest step relayed within the limits (loss, p99, generator on time)."""
    fine = [r for r in rows if trouble(r) is None]
    return fine[-1] if fine else None


def summary(results: dict) -> None:
    bare, engine = good(results["bare"][0]), good(results["rtpengine"][0])
    if engine is None:
        print("rtpengine relayed no step within the limits")
        return
    print(
        f"rtpengine relayed {engine['calls']} calls ({engine['relayed_pps']:.0f} packets/s) "
        f"with {100 * engine['loss']:.2f} % loss, p99 {engine['p99_ms']:.2f} ms, "
        f"{100 * engine['relay_cpu']:.0f} % of a core, {engine['rss_mb']:.0f} MB"
    )
    per_call_cpu = engine["relay_us_per_packet"] * 100 / 1e6  # of a core, 100 packets/s a call
    print(
        f"rtpengine's CPU: {engine['relay_us_per_packet']:.0f} us a packet, "
        f"{100 * per_call_cpu:.2f} % of a core a call: two whole cores would carry about "
        f"{2 / per_call_cpu:.0f} calls if nothing else ran (an extrapolation)"
    )
    first = results["rtpengine"][0][0]
    if engine["calls"] > first["calls"]:
        per_call = (engine["rss_mb"] - first["rss_mb"]) * 1024 / (engine["calls"] - first["calls"])
        print(f"rtpengine's memory: {first['rss_mb']:.0f} MB, and about {per_call:.0f} KB a call")
    if bare is None:
        print("the bare relay relayed no step within the limits")
        return
    print(
        f"bare Python relay: {bare['calls']} calls ({bare['relayed_pps']:.0f} packets/s), "
        f"p99 {bare['p99_ms']:.2f} ms, {100 * bare['relay_cpu']:.0f} % of a core"
    )
    common = [r for r in results["rtpengine"][0] if trouble(r) is None]
    by_calls = {r["calls"]: r for r in results["bare"][0] if trouble(r) is None}
    same = [r for r in common if r["calls"] in by_calls and r["calls"] >= 10]
    if same:
        e = same[-1]
        b = by_calls[e["calls"]]
        print(
            f"at {e['calls']} calls, rtpengine/bare: CPU per packet "
            f"{e['relay_us_per_packet'] / b['relay_us_per_packet']:.2f}x, "
            f"p99 {e['p99_ms'] / max(b['p99_ms'], 0.001):.2f}x, "
            f"jitter {e['jitter_ms'] / max(b['jitter_ms'], 0.0001):.2f}x"
        )
    print(
        f"calls relayed within the limits, rtpengine/bare: "
        f"{engine['calls'] / bare['calls']:.2f}x (bounded by the steps, the budget and "
        f"this machine's two cores, see 'stopped')"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="1,10,50,100,150,200,250,300,400,500,600,800",
                        help="simultaneous calls, step by step")  # fmt: skip
    parser.add_argument("--duration", type=float, default=3.0, help="seconds measured a step")
    parser.add_argument("--warm-up", type=float, default=1.0, help="seconds sent before")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--budget", type=float, default=80.0, help="seconds for both relays")
    args = parser.parse_args()
    args.steps = sorted({int(s) for s in args.steps.split(",") if s.strip()})
    # Ended by a signal: through the clean-up below, as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))

    sys.path.insert(0, str(ROOT))
    from huoli.phone import stack

    if "rtpengine" in stack.missing_programs():
        raise SystemExit(f"rtpengine is not installed (apt-get install {stack.APT_PACKAGES})")

    print(f"{args.procs} load processes, {args.warm_up:g} s warm-up + {args.duration:g} s "
          f"measured a step; PCMU, 20 ms, both directions (100 packets/s a call)")  # fmt: skip
    print(COLUMNS)
    results = {}
    bare_process = engine = None
    with tempfile.TemporaryDirectory(prefix="huoli-bench-media-") as out:
        try:
            ng_port = free_port()
            bare_process = multiprocessing.Process(target=bare_relay, args=(ng_port,), daemon=True)
            bare_process.start()
            probe = NgClient(ng_port)
            probe.ask({"command": "ping"}, tries=10)
            probe.close()
            results["bare"] = run_relay("bare", bare_process.pid, ng_port, args, args.budget / 2)
            bare_process.terminate()
            bare_process.join(5)

            ng_port = free_port()
            # Four ports a call (RTP and RTCP on each leg), below the ephemeral ports.
            rtp_min = random.randrange(10000, 20000) & ~1
            rtp_max = rtp_min + 4 * max(args.steps) + 200
            engine = stack.start_daemon(
                "rtpengine",
                stack.rtpengine_args(out, ng_port=ng_port, rtp_min=rtp_min, rtp_max=rtp_max),
                out,
            )
            deadline = time.monotonic() + 10
            probe = NgClient(ng_port)
            while True:
                if engine.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"rtpengine did not start:\n{engine.log.read_text()[-2000:]}")
                try:
                    probe.ask({"command": "ping"}, tries=1)
                    break
                except (RuntimeError, OSError):
                    time.sleep(0.1)
            probe.close()
            results["rtpengine"] = run_relay(
                "rtpengine", engine.process.pid, ng_port, args, args.budget / 2
            )
        finally:
            if engine is not None:
                engine.stop()
            if bare_process is not None and bare_process.is_alive():
                bare_process.terminate()
                bare_process.join(5)
    summary(results)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (every process it started is ended)")
