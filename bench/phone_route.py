"""Routing load: how many routing answers per second Huoli gives Kamailio, against a bare ASGI
app and against Huoli refusing the same request, in the same run.

    .venv/bin/python bench/phone_route.py [--clients 8] [--duration 10]

Kamailio asks ``POST /telephony/route/`` once for every new call and again after a ring
round fails or while the call waits (decision 0033); its ``http_client`` is synchronous, so
each Kamailio worker asks one question at a time: --clients is the number of workers asking
at once. Each client plays calls one after another: a new call (new SIP call id, a random
caller number), the same call asked about again, then Kamailio's report that the caller hung
up (``/telephony/event/``, ``cancelled``), so the queue stays short. Huoli runs under uvicorn
as `make run` serves it (``HUOLI_TELEPHONY=1``, a fresh SQLite database in a temporary folder,
or DATABASE_URL), with the line open and five counsellors on duty who take calls, so a new
call is answered ``ring`` and the second question ``queue``. The load generator is its own
process, with keep-alive connections on 127.0.0.1 (as libcurl keeps them).

Three servers, one after the other, each for --duration seconds after a 2 s warm-up:
- bare: a plain ASGI app on uvicorn that reads the form and answers a fixed ``ring`` line
  (the ceiling of uvicorn and this load generator on this machine);
- refused: Huoli with a wrong secret (Django's middleware and the secret check, no database);
- huoli: the real questions.
Prints routing answers per second, their latency p50/p99, Kamailio's reports (events) per
second, errors (any unexpected answer), the server's CPU time per answer and the load
generator's CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from processes import cpu_seconds, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 2.0
CALL_TAKERS = 5


# --- The bare baseline (served by uvicorn from this file) ---------------------------------------


async def bare_app(scope, receive, send):
    """Reads the whole form, answers one line of text, as Huoli's view does."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = b"ring 1 staff-1 staff-2\n"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(answer)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": answer})


# --- Huoli set-up ------------------------------------------------------------------------------


def prepare_huoli() -> tuple[str, list[tuple[str, str]]]:
    """Keys and a migrated database (benchdb), the line open around the clock, call takers on
    duty; returns the telephony secret and each call taker's SIP user and registration
    token (the server hears of their phones as Kamailio would tell it: ``register_phones``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from benchdb import django_ready

    django_ready()
    from huoli import keys
    from huoli.accounts.services import staff_user_create
    from huoli.calls.services import registration_token_issue, sip_user
    from huoli.conversations.services.queue import duty_set
    from huoli.helpline.services import opening_hours_around_the_clock

    opening_hours_around_the_clock()
    run = secrets.token_hex(3)  # a DATABASE_URL database may hold an earlier run's accounts
    phones = []
    for index in range(CALL_TAKERS):
        user = staff_user_create(
            username=f"bench-phone-{run}-{index}", password=secrets.token_urlsafe(16),
            role="counsellor", display_name=f"C{index}", languages=["fi"], max_chats=4,
            takes_calls=True,
        )  # fmt: skip
        duty_set(user=user, on_duty=True)
        phones.append((sip_user(user), registration_token_issue(user=user)))
    return keys.read_telephony_secret(), phones


def register_phones(port: int, secret: str, phones: list[tuple[str, str]]) -> None:
    """Ask /telephony/register/ for every call taker's phone, as Kamailio does when a console
    softphone registers: calls ring only registered phones."""
    for user, token in phones:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/telephony/register/",
            data=urlencode({"user": user, "token": token, "expires": "3600"}).encode(),
            headers={"X-Huoli-Telephony": secret},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
            if answer.read().decode().strip() != "ok":
                raise SystemExit(f"the server refused {user}'s phone")


# --- Load generator (its own process) -----------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection asking one question at a time."""

    def __init__(self, port: int, secret: str):
        self.port, self.secret = port, secret
        self.reader = self.writer = None

    async def post(self, path: str, fields: dict) -> tuple[int, str]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        body = urlencode(fields).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"X-Huoli-Telephony: {self.secret}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = None
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            raise ConnectionError(f"no Content-Length in the answer: {status_line!r}")
        text = (await self.reader.readexactly(length)).decode()
        return int(status_line.split()[1]), text


async def client(kind, port, secret, stop_at, measure_from, counts, latencies, index):
    connection = Connection(port, secret)
    n = 0

    async def ask(path, fields, what, expected):
        start = time.perf_counter()
        status, text = await connection.post(path, fields)
        now = time.perf_counter()
        if now >= measure_from:
            latencies.setdefault(what, []).append(now - start)
            counts[what] = counts.get(what, 0) + 1
            if status != expected[0] or not text.startswith(expected[1:]):
                counts["errors"] += 1
                counts.setdefault("first_error", f"{what}: {status} {text.strip()}")
        return text

    while time.perf_counter() < stop_at:
        n += 1
        call = f"{secrets.token_hex(8)}-{index}-{n}@127.0.0.2"
        caller = f"+35840{random.randrange(10**7):07d}"
        fields = {"call": call, "line": "fi", "source": "trunk", "caller": caller, "token": ""}
        if kind == "refused":
            await ask("/telephony/route/", fields, "offer", (403, "forbidden"))
            continue
        offer = await ask("/telephony/route/", fields, "offer", (200, "ring "))
        # Asked again within the poll interval the call waits; later it rings again.
        again = (200, "ring ") if kind == "bare" else (200, "queue ", "ring ")
        await ask("/telephony/route/", fields, "again", again)
        if kind == "huoli" and not offer.startswith("ring "):
            continue
        await ask("/telephony/event/", {"call": call, "event": "cancelled"}, "event",
                  (200, "ring " if kind == "bare" else "ok"))  # fmt: skip


def generator(kind, port, secret, clients, duration, out):
    async def main():
        counts, latencies = {"errors": 0}, {}
        start = time.perf_counter()
        measure_from = start + WARM_UP
        stop_at = measure_from + duration
        results = await asyncio.gather(*(
            client(kind, port, secret, stop_at, measure_from, counts, latencies, i)
            for i in range(clients)
        ), return_exceptions=True)  # fmt: skip
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            counts["errors"] += len(failed)
            counts.setdefault("first_error", f"a client stopped: {failed[0]!r}")
        out.put({"counts": counts, "latencies": latencies, "cpu": time.process_time()})

    asyncio.run(main())


def measure(kind, port, server_pid, secret, clients, duration) -> dict:
    out = multiprocessing.Queue()
    load = multiprocessing.Process(
        target=generator, args=(kind, port, secret, clients, duration, out)
    )
    server_cpu = cpu_seconds(server_pid)
    load.start()
    result = out.get(timeout=duration + 120)
    load.join()
    # Includes the warm-up: CPU per answer is computed over every answer given.
    server_cpu = cpu_seconds(server_pid) - server_cpu

    def pick(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    offers = result["latencies"].get("offer", [])
    agains = result["latencies"].get("again", [])
    routes = offers + agains
    events = result["latencies"].get("event", [])
    answered = len(routes) + len(events)
    # CPU over the whole run (warm-up too), scaled by the share of time measured, per answer
    # measured after the warm-up.
    measured_cpu = server_cpu * duration / (duration + WARM_UP)
    return {
        "routes_per_s": len(routes) / duration,
        "events_per_s": len(events) / duration,
        "route_p50_ms": pick(routes, 0.5),
        "route_p99_ms": pick(routes, 0.99),
        "offer_p50_ms": pick(offers, 0.5),
        "again_p50_ms": pick(agains, 0.5),
        "event_p50_ms": pick(events, 0.5),
        "errors": result["counts"]["errors"],
        "first_error": result["counts"].get("first_error", ""),
        "server_cpu_s": server_cpu,
        "load_cpu_s": result["cpu"],
        "server_ms_per_answer": 1000 * measured_cpu / max(1, answered),
    }


def serve(app: str, port: int, env: dict, app_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir), "--port", str(port),
         "--host", "127.0.0.1", "--no-access-log", "--lifespan", "off", "--log-level", "warning"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="questions asked at once")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured each")
    args = parser.parse_args()

    # The telephone on, DEBUG off (as in production: DEBUG records every query), room in the
    # queue for every client's call.
    os.environ.update({"HUOLI_TELEPHONY": "1", "HUOLI_MAX_QUEUE": "1000"})
    secret, phones = prepare_huoli()
    env = dict(os.environ)

    results = {}
    for kind in ("bare", "refused", "huoli"):
        port = free_port()
        if kind == "bare":
            server = serve("phone_route:bare_app", port, env, ROOT / "bench")
        else:
            server = serve("huoli.asgi:application", port, env, ROOT)
        try:
            wait_for_port(port, server)
            if kind == "huoli":
                register_phones(port, secret, phones)
            given = secret if kind != "refused" else "not-the-secret"
            results[kind] = measure(kind, port, server.pid, given, args.clients, args.duration)
        finally:
            server.terminate()
            server.wait()

    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"\n{args.clients} questions at once, {args.duration:g} s each after {WARM_UP:g} s "
          f"of warm-up; Huoli on {db} with {CALL_TAKERS} call takers on duty")  # fmt: skip
    print("each call: a new call (ring), the same call again (queue), the caller hangs up")
    print(f"{'':8} {'routes/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'new p50':>7} "
          f"{'again p50':>9} {'events/s':>9} "
          f"{'server CPU ms/answer':>21} {'load CPU s':>10} {'errors':>6}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:8} {r['routes_per_s']:>9.0f} {r['route_p50_ms']:>7.1f} "
              f"{r['route_p99_ms']:>7.1f} {r['offer_p50_ms']:>7.1f} "
              f"{r['again_p50_ms']:>9.1f} {r['events_per_s']:>9.0f} "
              f"{r['server_ms_per_answer']:>21.2f} {r['load_cpu_s']:>10.1f} "
              f"{r['errors']:>6}")  # fmt: skip
        if r["first_error"]:
            print(f"         first error: {r['first_error']}")
    h, b, refused = results["huoli"], results["bare"], results["refused"]
    print(
        f"Huoli answers {h['routes_per_s']:.0f} routing questions/s: "
        f"{h['routes_per_s'] / b['routes_per_s']:.2f}x the bare app, "
        f"{h['routes_per_s'] / max(1, refused['routes_per_s']):.2f}x Huoli refusing; "
        f"p99 {h['route_p99_ms']:.1f} ms against Kamailio's 2 s timeout"
    )


if __name__ == "__main__":
    main()
