"""Chat load: N visitors paired with counsellors over real websockets, against Huoli and
against a bare relay written with `websockets`, in the same run.

    .venv/bin/python bench/chat_load.py --chats 1000 --interval 5 --duration 60

Each side of each chat sends a message every --interval seconds (random phase). The load
generator runs in its own process; the server in another (uvicorn, as `make run` serves it).
Prints delivery latency p50/p99 (and p99 of the messages sent after the first 10 s, once
connections have settled), delivered messages per second, server memory per socket,
and Huoli's figures as ratios of the bare relay's. The embedded default (SQLite, in-memory
layer) is used unless DATABASE_URL / REDIS_URL are set; point DATABASE_URL at a scratch
database, as the generated accounts and chats stay in it. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
# Seconds after the load starts before "settled" figures count (connections, first watches).
WARM_UP = 10
# Pairs whose websockets may be opening at the same moment.
CONNECTING_AT_ONCE = 50


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- Huoli set-up ------------------------------------------------------------------------------


def prepare_huoli(chats: int, env: dict) -> list[dict]:
    """Migrate the database (a fresh SQLite file, or DATABASE_URL) and create the chats:
    [{token, session, conversation_id}]."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "huoli.settings"
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("websockets").setLevel(logging.WARNING)
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from huoli.accounts.models import CounsellorProfile, User
    from huoli.conversations.models import Conversation
    from huoli.conversations.return_codes import token_hash

    call_command("migrate", verbosity=0)
    per_counsellor = 6
    users = []
    run = secrets.token_hex(3)  # a DATABASE_URL database may hold an earlier run's accounts
    for index in range(-(-chats // per_counsellor)):
        user = User.objects.create(username=f"bench-{run}-{index}", role="counsellor", is_demo=True)
        CounsellorProfile.objects.create(
            user=user, display_name=f"C{index}", languages=["fi"], max_chats=6, on_duty=True
        )
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.save()
        users.append((user, session.session_key))
    pairs = []
    now = timezone.now()
    for index in range(chats):
        user, session_key = users[index // per_counsellor]
        token = secrets.token_urlsafe(32)
        conversation = Conversation.objects.create(
            kind="chat", status="active", language="fi", counsellor=user, created_at=now,
            taken_at=now, return_code_hash=secrets.token_hex(32),
            visitor_token_hash=token_hash(token),
        )  # fmt: skip
        pairs.append({"token": token, "session": session_key, "conversation_id": conversation.pk})
    return pairs


# --- Load generator (runs in its own process) ---------------------------------------------------


async def run_pair(kind, port, pair, interval, stop_at, latencies, counters, ready, go, slots):
    import websockets

    origin = f"http://127.0.0.1:{port}"
    if kind == "huoli":
        a = websockets.connect(
            f"ws://127.0.0.1:{port}/chat/ws/",
            additional_headers={"Origin": origin, "Cookie": f"huoli_visitor={pair['token']}"},
            max_queue=None,
        )
        b = websockets.connect(
            f"ws://127.0.0.1:{port}/console/ws/?page=conversation",
            additional_headers={"Origin": origin, "Cookie": f"huoli_console={pair['session']}"},
            max_queue=None,
        )
    else:
        a = websockets.connect(f"ws://127.0.0.1:{port}/{pair['conversation_id']}/a")
        b = websockets.connect(f"ws://127.0.0.1:{port}/{pair['conversation_id']}/b")
    try:
        async with contextlib.AsyncExitStack() as stack:
            # Connections open a few at a time, as clients arrive in life (and as the
            # reconnect back-off spreads them); the load starts once all are in.
            async with slots:
                visitor = await stack.enter_async_context(a)
                counsellor = await stack.enter_async_context(b)
                if kind == "huoli":
                    await counsellor.send(
                        json.dumps({"type": "watch", "conversation_id": pair["conversation_id"]})
                    )
                    # Ready once the server confirms the counsellor's page watches the chat.
                    while json.loads(await counsellor.recv()).get("type") != "watching":
                        pass
                ready.append(1)

            async def reader(ws, me):
                async for raw in ws:
                    frame = json.loads(raw)
                    if kind == "huoli":
                        if frame.get("type") != "conversation.message":
                            continue
                        frame = json.loads(frame["body"])
                    if frame.get("from") != me:
                        latencies.append((frame["t"], time.perf_counter() - frame["t"]))
                        counters["delivered"] += 1

            async def writer(ws, me):
                await go.wait()  # every pair connected: measure the steady state
                await asyncio.sleep(random.uniform(0, interval))
                n = 0
                while time.perf_counter() < stop_at[0]:
                    n += 1
                    body = json.dumps({"from": me, "t": time.perf_counter()})
                    if kind == "huoli":
                        frame = {"type": "message", "client_id": f"{me}{n}", "body": body}
                        if me == "b":
                            frame["conversation_id"] = pair["conversation_id"]
                        await ws.send(json.dumps(frame))
                    else:
                        await ws.send(body)
                    counters["sent"] += 1
                    await asyncio.sleep(interval)

            tasks = [
                asyncio.create_task(reader(visitor, "a")),
                asyncio.create_task(reader(counsellor, "b")),
                asyncio.create_task(writer(visitor, "a")),
                asyncio.create_task(writer(counsellor, "b")),
            ]
            await go.wait()
            await asyncio.sleep(max(0, stop_at[0] - time.perf_counter()) + 2)
            for task in tasks:
                task.cancel()
    except Exception as error:
        counters["errors"] += 1
        counters.setdefault("first_error", repr(error))


def generator(kind, port, server_pid, pairs, interval, duration, out):
    async def main():
        latencies, counters, ready = [], {"sent": 0, "delivered": 0, "errors": 0}, []
        go = asyncio.Event()
        slots = asyncio.Semaphore(CONNECTING_AT_ONCE)

        async def starter():
            deadline = time.perf_counter() + 60
            while len(ready) + counters["errors"] < len(pairs) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            nonlocal_stop[0] = time.perf_counter() + duration
            counters["go_at"] = time.perf_counter()
            counters["rss_connected"] = rss_kib(server_pid)  # every socket open, no load yet
            go.set()

        nonlocal_stop = [time.perf_counter() + 3600]
        pair_tasks = [
            run_pair(kind, port, p, interval, nonlocal_stop, latencies, counters, ready, go, slots)
            for p in pairs
        ]
        await asyncio.gather(starter(), *pair_tasks)
        out.put({"latencies": latencies, **counters, "connected": len(ready)})

    asyncio.run(main())


# --- The bare relay (its own process) ----------------------------------------------------------


def bare_relay(port: int) -> None:
    import websockets

    peers: dict[str, dict[str, object]] = {}

    async def handler(ws):
        _, chat, side = ws.request.path.split("/")
        peers.setdefault(chat, {})[side] = ws
        other = "b" if side == "a" else "a"
        async for message in ws:
            target = peers[chat].get(other)
            if target is not None:
                await target.send(message)

    async def main():
        async with websockets.serve(handler, "127.0.0.1", port, max_queue=None):
            await asyncio.Future()

    asyncio.run(main())


# --- Measuring ---------------------------------------------------------------------------------


def measure(kind, port, server_pid, pairs, interval, duration) -> dict:
    before = rss_kib(server_pid)
    out = multiprocessing.Queue()
    load = multiprocessing.Process(
        target=generator, args=(kind, port, server_pid, pairs, interval, duration, out)
    )
    load.start()
    result = out.get(timeout=duration + 120)
    load.join()

    def pick(latencies: list[float], q: float) -> float:
        ordered = sorted(latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    every = [latency for _sent, latency in result["latencies"]]
    # The same, for messages sent once the first WARM_UP seconds have passed.
    settled = [
        latency for sent, latency in result["latencies"] if sent >= result.get("go_at", 0) + WARM_UP
    ]
    return {
        "p50_ms": pick(every, 0.50),
        "p99_ms": pick(every, 0.99),
        "p99_settled_ms": pick(settled, 0.99),
        "msgs_per_s": result["delivered"] / duration,
        "sent": result["sent"],
        "delivered": result["delivered"],
        "errors": result["errors"],
        "connected": result["connected"],
        "kib_per_socket": (result.get("rss_connected", before) - before) / max(1, 2 * len(pairs)),
        "first_error": result.get("first_error", ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between messages")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="huoli-bench-")
    # DEBUG off, as in production (DEBUG records every query); demo mode for the accounts.
    env = {"HUOLI_VAR_DIR": var, "HUOLI_DEMO": "1", "HUOLI_DEBUG": "0"}
    subprocess.run([sys.executable, "-m", "huoli.keys"], cwd=ROOT, env={**os.environ, **env},
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    pairs = prepare_huoli(args.chats, env)

    results = {}
    huoli_port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "huoli.asgi:application", "--port", str(huoli_port),
         "--no-access-log", "--lifespan", "off", "--log-level", "warning",
         "--ws-per-message-deflate", "false"],
        cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for_port(huoli_port, server)
        results["huoli"] = measure(
            "huoli", huoli_port, server.pid, pairs, args.interval, args.duration
        )
    finally:
        server.terminate()
        server.wait()

    bare_port = free_port()
    bare = multiprocessing.Process(target=bare_relay, args=(bare_port,))
    bare.start()
    try:
        time.sleep(1)
        results["bare"] = measure("bare", bare_port, bare.pid, pairs, args.interval, args.duration)
    finally:
        bare.terminate()
        bare.join()

    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    layer = "Redis pub/sub" if os.environ.get("REDIS_URL") else "in-memory"
    print(f"\n{args.chats} chats, a message every {args.interval:g} s from each side, "
          f"{args.duration:g} s; Huoli on {db} with the {layer} channel layer")  # fmt: skip
    print(f"{'':8} {'connected':>9} {'sent':>7} {'delivered':>9} {'msg/s':>7} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'p99 settled':>11} {'KiB/socket':>10} "
          f"{'errors':>6}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:8} {r['connected']:>9} {r['sent']:>7} {r['delivered']:>9} "
              f"{r['msgs_per_s']:>7.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['p99_settled_ms']:>11.1f} "
              f"{r['kib_per_socket']:>10.1f} {r['errors']:>6}")  # fmt: skip
        if r["first_error"]:
            print(f"         first error: {r['first_error']}")
    h, b = results["huoli"], results["bare"]
    memory_ratio = h["kib_per_socket"] / max(0.1, b["kib_per_socket"])
    print(
        f"ratios Huoli/bare: p99 {h['p99_ms'] / b['p99_ms']:.2f}x, "
        f"p99 settled (after {WARM_UP} s) "
        f"{h['p99_settled_ms'] / max(0.001, b['p99_settled_ms']):.2f}x, "
        f"messages/s {h['msgs_per_s'] / b['msgs_per_s']:.2f}x, "
        f"memory per socket {memory_ratio:.2f}x"
    )


if __name__ == "__main__":
    main()
