"""Chat load: N visitors paired with counsellors over real websockets, against Huoli and
against a bare relay written with `websockets`, in the same run.

    .venv/bin/python bench/chat_load.py --chats 1000 --interval 5 --duration 60

Each side of each chat sends a message every --interval seconds (random phase). The load
generator runs in its own process; the server in another (uvicorn, as `make run` serves it).
Prints delivery latency p50/p99 (and p99 of the messages sent after the first 10 s, once
connections have settled; and the three seconds of the load whose messages waited longest,
to tell a few slow seconds from a tail spread over all), delivered messages per second,
server memory per socket,
and Huoli's figures as ratios of the bare relay's. The embedded default (SQLite, in-memory
layer) is used unless DATABASE_URL / REDIS_URL are set; point DATABASE_URL at a scratch
database, as the generated accounts and chats stay in it. Traffic stays on 127.0.0.1.

    .venv/bin/python bench/chat_load.py --workers 2 --compare --chats 200 --interval 1

Several workers (`--workers N`, PostgreSQL and Redis required): N uvicorn processes, each its
own command on its own port as systemd starts one `huoli@PORT` instance per worker (not
uvicorn's `--workers`). The visitor of chat i talks to worker i % N and its counsellor to
worker (i + 1) % N, so every message crosses Redis; with `--nginx` an nginx started from a
temporary configuration balances the sockets over the workers instead (and stands in front of
the bare relay too), and the bench counts how many chats it split. `--compare` measures one
worker, then N, in the same invocation. Besides latency and messages per second it prints the
CPU seconds per delivered message summed over every server process (uvicorn workers, nginx
master and workers, the bare relay), read from /proc between the moment every socket is
connected and the end of the load; and PostgreSQL's and Redis's, found as the processes
listening on DATABASE_URL's and REDIS_URL's ports (or `--postgres-pid`, `--redis-pid`).
Over the same stretch it prints how busy the whole machine was and how much of its CPU time
a virtual machine's host took ("stolen", /proc/stat): a run with much stolen time stalls
every process, the bare relay's too, and its tail says more about the host than about Huoli.

    .venv/bin/python bench/chat_load.py --chats 1000 --interval 5 --duration 60 --trace

`--trace` also prints where a visitor's message spent its time on its way to the counsellor's
socket, stage by stage (received, queued for the writer, waiting for the batch before, to the
database thread or writer process, the batch's transaction, published, sent), from
timestamps the server notes with `bench/path_trace/sitecustomize.py` on its PYTHONPATH. A
traced run is a little slower than an untraced one: compare traced runs with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from processes import (
    free_port,
    listening_pid,
    machine_cpu_ticks,
    tree_cpu_seconds,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
# Seconds after the load starts before "settled" figures count (connections, first watches).
WARM_UP = 10
# Pairs whose websockets may be opening at the same moment.
CONNECTING_AT_ONCE = 50
# Seconds after the load stops before CPU and deliveries are read (messages in flight land).
DRAIN = 1.0
# How many of a run's slowest seconds are printed.
SLOWEST_SHOWN = 3
NGINX = "/usr/sbin/nginx"
TRACER = ROOT / "bench" / "path_trace"


def quantile(values: list[float], q: float) -> float:
    """The value below which a share ``q`` of ``values`` lies (0.0 for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


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


async def run_pair(kind, ports, pair, tag, interval, stop_at, latencies, counters, ready, go,
                   slots):  # fmt: skip
    import websockets

    visitor_port, counsellor_port = ports
    if kind == "huoli":
        a = websockets.connect(
            f"ws://127.0.0.1:{visitor_port}/chat/ws/",
            additional_headers={
                "Origin": f"http://127.0.0.1:{visitor_port}",
                "Cookie": f"huoli_visitor={pair['token']}",
            },
            max_queue=None,
        )
        b = websockets.connect(
            f"ws://127.0.0.1:{counsellor_port}/console/ws/?page=conversation",
            additional_headers={
                "Origin": f"http://127.0.0.1:{counsellor_port}",
                "Cookie": f"huoli_console={pair['session']}",
            },
            max_queue=None,
        )
    else:
        a = websockets.connect(f"ws://127.0.0.1:{visitor_port}/{pair['conversation_id']}/a")
        b = websockets.connect(f"ws://127.0.0.1:{counsellor_port}/{pair['conversation_id']}/b")
    try:
        async with contextlib.AsyncExitStack() as stack:
            # Connections open a few at a time, as clients arrive in life (and as the
            # reconnect back-off spreads them); the load starts once all are in.
            async with slots:
                visitor = await stack.enter_async_context(a)
                counsellor = await stack.enter_async_context(b)
                # Behind nginx: the worker each socket landed on (nginx's X-Bench-Upstream).
                upstreams = {
                    ws.response.headers.get("X-Bench-Upstream", port)
                    for ws, port in ((visitor, visitor_port), (counsellor, counsellor_port))
                }
                counters["split"] += len(upstreams) > 1
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
                        # The run's tag keeps client ids new when one invocation measures the
                        # same chats twice (--compare): a repeated id is a resend, not sent on.
                        frame = {"type": "message", "client_id": f"{me}{tag}-{n}", "body": body}
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
            await asyncio.sleep(max(0, stop_at[0] - time.perf_counter()) + DRAIN + 1)
            for task in tasks:
                task.cancel()
    except Exception as error:
        counters["errors"] += 1
        counters.setdefault("first_error", repr(error))


def cpu_reading(groups: dict[str, list[int]]) -> dict[str, float]:
    return {name: tree_cpu_seconds(pids) for name, pids in groups.items()}


def machine_shares(start: list[int], end: list[int]) -> dict[str, float]:
    """Percent of the machine's CPU time between two readings: busy, idle, and stolen (the
    time a virtual machine's host gave to others, when this machine wanted it)."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        b - a for a, b in zip(start[:8], end[:8], strict=True)
    )
    total = max(1, user + nice + system + idle + iowait + irq + softirq + steal)
    return {
        "busy": 100 * (user + nice + system + irq + softirq) / total,
        "idle": 100 * (idle + iowait) / total,
        "steal": 100 * steal / total,
    }


def commits() -> int | None:
    """PostgreSQL's committed transactions in DATABASE_URL's database so far (a statement
    outside a transaction block is one); None on SQLite. Backends report every second or so
    under load, so over a 20 s stretch the count is a few per cent short at most."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0])


def generator(kind, targets, cpu_groups, rss_pids, pairs, tag, interval, duration, out):
    async def main():
        latencies, ready = [], []
        counters = {"sent": 0, "delivered": 0, "errors": 0, "split": 0}
        go = asyncio.Event()
        slots = asyncio.Semaphore(CONNECTING_AT_ONCE)

        async def starter():
            deadline = time.perf_counter() + 60
            while len(ready) + counters["errors"] < len(pairs) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            # The generator is the measuring instrument: its own garbage collector, walking
            # the thousands of client sockets' objects, paused it 10 to 40 ms every second or
            # two, and every message in flight then counted the pause as delivery time, the
            # bare relay's as much as Huoli's (their slowest seconds fell on its collections).
            # So the generator collects once now and not again until the load has ended.
            gc.collect()
            gc.freeze()
            gc.disable()
            nonlocal_stop[0] = time.perf_counter() + duration
            counters["go_at"] = time.perf_counter()
            # every socket open, no load yet
            counters["rss_connected"] = sum(rss_kib(pid) for pid in rss_pids)
            counters["cpu_start"] = cpu_reading(cpu_groups)
            counters["machine_start"] = machine_cpu_ticks()
            counters["commits_start"] = commits()
            counters["delivered_start"] = counters["delivered"]
            go.set()
            # CPU and deliveries from here to the end of the load (and the drain after it).
            await asyncio.sleep(duration + DRAIN)
            counters["cpu_end"] = cpu_reading(cpu_groups)
            counters["machine_end"] = machine_cpu_ticks()
            counters["commits_end"] = commits()
            counters["delivered_end"] = counters["delivered"]
            gc.enable()

        nonlocal_stop = [time.perf_counter() + 3600]
        pair_tasks = [
            run_pair(kind, ports, p, tag, interval, nonlocal_stop, latencies, counters, ready, go,
                     slots)
            for ports, p in zip(targets, pairs, strict=True)
        ]  # fmt: skip
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


# --- nginx in front (its own temporary configuration) -------------------------------------------

NGINX_CONF = """
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    upstream workers {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://workers;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            # Which worker a socket reached, for the bench's count of split chats.
            add_header X-Bench-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_in_front(ports: list[int]):
    """nginx on a free loopback port, round-robin over ``ports``: yields (port, master pid)."""
    if not Path(NGINX).exists():
        raise SystemExit(f"--nginx needs {NGINX} (apt-get install nginx-light)")
    tmp = tempfile.mkdtemp(prefix="huoli-bench-nginx-")
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in ports)
    conf = Path(tmp) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, servers=servers))
    proxy = subprocess.Popen(
        [NGINX, "-p", tmp, "-c", str(conf), "-e", f"{tmp}/error.log", "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, proxy)
        yield port, proxy.pid
    finally:
        proxy.terminate()
        proxy.wait()
        errors = (Path(tmp) / "error.log").read_text() if (Path(tmp) / "error.log").exists() else ""
        if errors.strip():
            print(f"nginx error log:\n{errors[-2000:]}", file=sys.stderr)


# --- Measuring ---------------------------------------------------------------------------------


def measure(kind, targets, cpu_groups, rss_pids, pairs, tag, interval, duration) -> dict:
    before = sum(rss_kib(pid) for pid in rss_pids)
    out = multiprocessing.Queue()
    load = multiprocessing.Process(
        target=generator,
        args=(kind, targets, cpu_groups, rss_pids, pairs, tag, interval, duration, out),
    )
    load.start()
    result = out.get(timeout=duration + 120)
    load.join()

    def pick(latencies: list[float], q: float) -> float:
        return quantile(latencies, q) * 1000

    every = [latency for _sent, latency in result["latencies"]]
    # The same, for messages sent once the first WARM_UP seconds have passed.
    settled = [
        latency for sent, latency in result["latencies"] if sent >= result.get("go_at", 0) + WARM_UP
    ]
    # The seconds of the load whose messages waited longest (by when they were sent): a
    # run's tail is a few slow seconds or spread over all of them.
    by_second: dict[int, list[float]] = {}
    for sent, latency in result["latencies"]:
        by_second.setdefault(int(sent - result.get("go_at", 0)), []).append(latency)
    slowest = sorted(
        ((pick(values, 0.99), second, len(values)) for second, values in by_second.items()),
        reverse=True,
    )[:SLOWEST_SHOWN]
    delivered = result.get("delivered_end", 0) - result.get("delivered_start", 0)
    start, end = result.get("cpu_start", {}), result.get("cpu_end", {})
    cpu = {name: end[name] - start[name] for name in end}
    return {
        "p50_ms": pick(every, 0.50),
        "p99_ms": pick(every, 0.99),
        "p99_settled_ms": pick(settled, 0.99),
        "msgs_per_s": result["delivered"] / duration,
        "sent": result["sent"],
        "delivered": result["delivered"],
        "errors": result["errors"],
        "connected": result["connected"],
        "split": result["split"],
        "kib_per_socket": (result.get("rss_connected", before) - before) / max(1, 2 * len(pairs)),
        "first_error": result.get("first_error", ""),
        "slowest": slowest,
        "go_at": result.get("go_at", 0.0),
        # CPU seconds of each group of processes, and the messages delivered, over the same
        # stretch: from all sockets connected to the end of the load (plus DRAIN).
        "cpu": cpu,
        "cpu_delivered": delivered,
        "machine": machine_shares(result["machine_start"], result["machine_end"])
        if "machine_end" in result
        else None,
        "commits": None
        if result.get("commits_start") is None or kind != "huoli"
        else result["commits_end"] - result["commits_start"],
    }


# --- Where a message spends its time (--trace) -------------------------------------------------

# (from, to, what happens in between), in the order a visitor's message passes them
# (bench/path_trace/sitecustomize.py notes them); "sent" is the load generator's moment.
TRACE_STAGES = [
    ("sent", "received", "to the visitor's socket handler (network, uvicorn, Channels)"),
    ("received", "queued", "the frame checked, handed to the writer"),
    ("queued", "batch", "waiting for the writer's batch before"),
    ("batch", "storing", "to the database thread or the writer process"),
    ("storing", "committed", "the batch's transaction (guard, lock, insert, commit)"),
    ("committed", "event", "published, to the counsellor's socket handler"),
    ("event", "delivered", "the frame written to the counsellor's socket"),
]


def traced_processes_ended(directory: str, within: float = 30) -> None:
    """Wait until no process traces into ``directory``: a writer process writes its last
    notes when its input closes, a moment after its server has ended."""
    marker = f"HUOLI_TRACE_DIR={directory}".encode()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        tracing = False
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    tracing = marker in (entry / "environ").read_bytes().split(b"\0")
                except OSError:
                    continue
                if tracing:
                    break
        if not tracing:
            return
        time.sleep(0.05)
    print(f"a traced process still runs after {within:g} s; its last notes are missing",
          file=sys.stderr)  # fmt: skip


def read_trace(directory: str, since: float) -> dict:
    """Each stage's durations (ms) for the visitor messages sent from ``since`` on that
    reached the counsellor's socket, and the batch sizes."""
    notes: dict[str, dict[str, tuple[float, str]]] = {}
    for path in Path(directory).glob("*.tsv"):
        for line in path.read_text().splitlines():
            stage, key, at, extra = line.split("\t")
            notes.setdefault(key, {}).setdefault(stage, (float(at), extra))
    stages: dict[str, list[float]] = {what: [] for _a, _b, what in TRACE_STAGES}
    total, answer, ack, batches = [], [], [], []
    for seen in notes.values():
        if "received" not in seen or "delivered" not in seen:
            continue
        sent = float(seen["received"][1])
        if sent < since:
            continue
        moments = {"sent": sent, **{stage: at for stage, (at, _extra) in seen.items()}}
        for start, end, what in TRACE_STAGES:
            if start in moments and end in moments:
                stages[what].append(1000 * (moments[end] - moments[start]))
        total.append(1000 * (moments["delivered"] - sent))
        if "committed" in moments and "answered" in moments:
            answer.append(1000 * (moments["answered"] - moments["committed"]))
        if "acked" in moments and "answered" in moments:
            ack.append(1000 * (moments["acked"] - moments["answered"]))
        if "batch" in seen:
            batches.append(int(seen["batch"][1]))
    return {"stages": stages, "total": total, "answer": answer, "ack": ack, "batches": batches}


def print_trace(name: str, trace: dict) -> None:
    pick = quantile

    def row(label: str, values: list[float]) -> None:
        mean = sum(values) / len(values) if values else 0.0
        print(f"  {label:62} {len(values):>6} {pick(values, 0.5):>7.3f} "
              f"{pick(values, 0.9):>7.3f} {pick(values, 0.99):>7.3f} {mean:>7.3f}")  # fmt: skip

    print(f"\n{name}: where a visitor's message spent its time on its way to the counsellor's "
          f"socket (--trace; messages sent after the first {WARM_UP} s), ms")  # fmt: skip
    print(f"  {'stage':62} {'msgs':>6} {'p50':>7} {'p90':>7} {'p99':>7} {'mean':>7}")
    for _start, _end, what in TRACE_STAGES:
        row(what, trace["stages"][what])
    row("in all, sent to written to the counsellor's socket", trace["total"])
    print("  beside it, for the sender:")
    row("the batch's answer back in the event loop, after the commit", trace["answer"])
    row("the sender's ack written, after that", trace["ack"])
    batches = trace["batches"]
    if batches:
        print(f"  messages in a message's batch: p50 {pick(batches, 0.5)}, "
              f"p99 {pick(batches, 0.99)}, most {max(batches)}")  # fmt: skip


def uvicorn_command(port: int) -> list[str]:
    """One worker, as one systemd instance runs it: its own process on its own port."""
    return [sys.executable, "-m", "uvicorn", "huoli.asgi:application", "--port", str(port),
            "--no-access-log", "--lifespan", "off", "--log-level", "warning",
            "--ws-per-message-deflate", "false"]  # fmt: skip


def run_huoli(workers, nginx, pairs, tag, env, db_groups, args) -> dict:
    ports = [free_port() for _ in range(workers)]  # never the same one twice
    with contextlib.ExitStack() as files:
        # Each server's output goes to a file: a pipe nobody reads fills up, and a server
        # that logs more than 64 KiB (an error for each of a thousand sockets) blocks on it.
        logs = [files.enter_context(tempfile.TemporaryFile()) for _ in ports]
        try:
            return serve_and_measure(ports, logs, nginx, pairs, tag, env, db_groups, args)
        finally:
            for port, log in zip(ports, logs, strict=True):
                log.seek(0)
                errors = [
                    line
                    for line in log.read().decode(errors="replace").splitlines()
                    if " ERROR " in line or " CRITICAL " in line
                ]
                if errors:
                    shown = "\n".join(errors[-10:])
                    print(f"uvicorn on {port} logged {len(errors)} errors:\n{shown}",
                          file=sys.stderr)  # fmt: skip


def serve_and_measure(ports, logs, nginx, pairs, tag, env, db_groups, args) -> dict:
    trace_dir = tempfile.mkdtemp(prefix="huoli-bench-trace-") if args.trace else None
    if trace_dir:
        path = os.pathsep.join(filter(None, [str(TRACER), os.environ.get("PYTHONPATH")]))
        env = {**env, "HUOLI_TRACE_DIR": trace_dir, "PYTHONPATH": path}
    servers = [
        subprocess.Popen(uvicorn_command(port), cwd=ROOT, env={**os.environ, **env}, stderr=log)
        for port, log in zip(ports, logs, strict=True)
    ]
    result = _serve_and_measure(servers, ports, logs, nginx, pairs, tag, db_groups, args)
    if trace_dir:
        traced_processes_ended(trace_dir)
        result["trace"] = read_trace(trace_dir, result["go_at"] + WARM_UP)
        shutil.rmtree(trace_dir)
    return result


def _serve_and_measure(servers, ports, logs, nginx, pairs, tag, db_groups, args) -> dict:
    try:
        for port, server, log in zip(ports, servers, logs, strict=True):
            wait_for_port(port, server, log=log)
        pids = [server.pid for server in servers]
        with contextlib.ExitStack() as stack:
            groups = {"uvicorn": pids}
            if nginx:
                port, nginx_pid = stack.enter_context(nginx_in_front(ports))
                targets = [(port, port)] * len(pairs)
                groups["nginx"] = [nginx_pid]
            else:
                # Visitor on worker i, counsellor on worker i + 1: every message crosses Redis.
                targets = [
                    (ports[index % len(ports)], ports[(index + 1) % len(ports)])
                    for index in range(len(pairs))
                ]
            return measure(
                "huoli", targets, {**groups, **db_groups}, pids, pairs, tag, args.interval,
                args.duration,
            )  # fmt: skip
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()


def run_bare(nginx, pairs, args) -> dict:
    bare_port = free_port()
    bare = multiprocessing.Process(target=bare_relay, args=(bare_port,))
    bare.start()
    try:
        time.sleep(1)
        with contextlib.ExitStack() as stack:
            groups = {"relay": [bare.pid]}
            port = bare_port
            if nginx:
                port, nginx_pid = stack.enter_context(nginx_in_front([bare_port]))
                groups["nginx"] = [nginx_pid]
            return measure(
                "bare", [(port, port)] * len(pairs), groups, [bare.pid], pairs, "", args.interval,
                args.duration,
            )  # fmt: skip
    finally:
        bare.terminate()
        bare.join()


def backing_services(args) -> dict[str, list[int]]:
    """PostgreSQL's and Redis's processes to measure: given, or the ones listening on the
    ports of DATABASE_URL and REDIS_URL when those are on this machine."""
    from urllib.parse import urlsplit

    found = {}
    for name, given, variable, default_port in (
        ("postgres", args.postgres_pid, "DATABASE_URL", 5432),
        ("redis", args.redis_pid, "REDIS_URL", 6379),
    ):
        url = urlsplit(os.environ.get(variable, ""))
        pid = given
        if pid is None and url.hostname in ("127.0.0.1", "localhost", "::1"):
            pid = listening_pid(url.port or default_port)
        if pid is not None:
            found[name] = [pid]
    return found


def per_message(r: dict, names: list[str]) -> float:
    """Milliseconds of CPU per delivered message, summed over these groups."""
    return 1000 * sum(r["cpu"].get(name, 0.0) for name in names) / max(1, r["cpu_delivered"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between messages")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn processes, each on its own port"
    )
    parser.add_argument("--nginx", action="store_true", help=f"{NGINX} in front of the workers")
    parser.add_argument("--compare", action="store_true", help="first 1 worker, then --workers")
    parser.add_argument("--postgres-pid", type=int, help="PostgreSQL's postmaster to measure")
    parser.add_argument("--redis-pid", type=int, help="redis-server to measure")
    parser.add_argument(
        "--trace", action="store_true", help="print where a message spends its time, by stage"
    )
    args = parser.parse_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if (args.workers > 1 or args.compare) and not (
        os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")
    ):
        parser.error(
            "several workers need PostgreSQL and Redis: set DATABASE_URL (a scratch database) "
            "and REDIS_URL; with SQLite and the in-memory channel layer each worker would have "
            "its own layer and no message would pass between workers"
        )
    if args.compare and args.workers < 2:
        parser.error("--compare measures one worker against --workers N: give N of 2 or more")

    var = tempfile.mkdtemp(prefix="huoli-bench-")
    # DEBUG off, as in production (DEBUG records every query); demo mode for the accounts.
    env = {"HUOLI_VAR_DIR": var, "HUOLI_DEMO": "1", "HUOLI_DEBUG": "0"}
    subprocess.run([sys.executable, "-m", "huoli.keys"], cwd=ROOT, env={**os.environ, **env},
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    pairs = prepare_huoli(args.chats, env)
    db_groups = backing_services(args)

    results = {}
    for workers in [1, args.workers] if args.compare else [args.workers]:
        results[f"huoli x{workers}"] = run_huoli(
            workers, args.nginx, pairs, f"w{workers}{secrets.token_hex(2)}", env, db_groups, args
        )
    results["bare"] = run_bare(args.nginx, pairs, args)

    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    layer = "Redis pub/sub" if os.environ.get("REDIS_URL") else "in-memory"
    from django.conf import settings  # set up by prepare_huoli, with the server's environment

    writer = "a writer process" if settings.HUOLI_WRITER_PROCESS else "the database thread"
    print(f"\n{args.chats} chats, a message every {args.interval:g} s from each side, "
          f"{args.duration:g} s; Huoli on {db} with the {layer} channel layer, "
          f"messages stored by {writer} (HUOLI_WRITER_PROCESS)")  # fmt: skip
    for name in results:
        if name.startswith("huoli"):
            workers = int(name.rsplit("x", 1)[1])
            split, connected = results[name]["split"], results[name]["connected"]
            if args.nginx:
                how = (f"nginx (round robin) in front; it put visitor and counsellor on "
                       f"different workers in {split} of {connected} chats")  # fmt: skip
            elif workers > 1:
                how = (
                    f"visitor on worker i, counsellor on worker (i + 1) % {workers}: "
                    f"{split} of {connected} chats split, each message crosses Redis"
                )
            else:
                how = "visitor and counsellor on the one worker"
            print(f"{name}: {workers} uvicorn process(es); {how}")
    if args.nginx:
        print("bare: one relay process behind the same kind of nginx")
    print(f"{'':10} {'connected':>9} {'sent':>7} {'delivered':>9} {'msg/s':>7} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'p99 settled':>11} {'KiB/socket':>10} "
          f"{'errors':>6}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:10} {r['connected']:>9} {r['sent']:>7} {r['delivered']:>9} "
              f"{r['msgs_per_s']:>7.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['p99_settled_ms']:>11.1f} "
              f"{r['kib_per_socket']:>10.1f} {r['errors']:>6}")  # fmt: skip
        if r["first_error"]:
            print(f"           first error: {r['first_error']}")
    print("slowest seconds of the load (p99 of the messages sent in that second, seconds after "
          "the start):")  # fmt: skip
    for name, r in results.items():
        shown = ", ".join(f"{p99:.1f} ms at {second} s ({count} msgs)"
                          for p99, second, count in r["slowest"])  # fmt: skip
        print(f"{name:10} {shown}")

    # CPU per delivered message, from all sockets connected to the end of the load.
    groups = ["uvicorn", "relay", "nginx", "postgres", "redis"]
    print("\nCPU ms per delivered message (from all sockets connected to the end of the load)")
    print(f"{'':10} {'delivered':>9} {'server':>8} " + " ".join(f"{g:>8}" for g in groups)
          + f" {'all':>8} {'PG commits/msg':>14}")  # fmt: skip
    for name, r in results.items():
        cells = [f"{per_message(r, [g]):>8.3f}" if g in r["cpu"] else f"{'-':>8}" for g in groups]
        own = per_message(r, ["uvicorn", "relay", "nginx"])
        per_commit = (
            "-" if r["commits"] is None else f"{r['commits'] / max(1, r['cpu_delivered']):.2f}"
        )
        print(f"{name:10} {r['cpu_delivered']:>9} {own:>8.3f} " + " ".join(cells)
              + f" {per_message(r, groups):>8.3f} {per_commit:>14}")  # fmt: skip
    print(
        "server = uvicorn workers (or the relay) + nginx master and workers; all = server + "
        + (", ".join(db_groups) if db_groups else "nothing else (PostgreSQL, Redis not found)")
    )

    # A tail is judged with the machine: on a virtual machine the host can take a share of
    # the CPU ("steal"), and a run with much of it stalls every process at once.
    print("the machine over the same stretch (all cores): busy, idle, stolen by the host")
    for name, r in results.items():
        shares = r["machine"]
        if shares:
            print(f"{name:10} busy {shares['busy']:.0f} %, idle {shares['idle']:.0f} %, "
                  f"stolen {shares['steal']:.1f} %")  # fmt: skip

    server = groups[:3]
    huoli = [name for name in results if name.startswith("huoli")]
    h, b = results[huoli[-1]], results["bare"]
    memory_ratio = h["kib_per_socket"] / max(0.1, b["kib_per_socket"])
    print(
        f"\nratios {huoli[-1]}/bare: p99 {h['p99_ms'] / max(0.001, b['p99_ms']):.2f}x, "
        f"p99 settled (after {WARM_UP} s) "
        f"{h['p99_settled_ms'] / max(0.001, b['p99_settled_ms']):.2f}x, "
        f"messages/s {h['msgs_per_s'] / max(0.001, b['msgs_per_s']):.2f}x, "
        f"memory per socket {memory_ratio:.2f}x, "
        f"server CPU per message {per_message(h, server) / max(1e-9, per_message(b, server)):.2f}x"
    )
    if args.compare:
        one, many = results[huoli[0]], results[huoli[-1]]
        print(
            f"CPU per message, {args.workers} workers / 1 worker: "
            f"server {per_message(many, server) / max(1e-9, per_message(one, server)):.2f}x "
            f"({per_message(one, server):.3f} -> {per_message(many, server):.3f} ms), "
            f"with PostgreSQL and Redis "
            f"{per_message(many, groups) / max(1e-9, per_message(one, groups)):.2f}x "
            f"({per_message(one, groups):.3f} -> {per_message(many, groups):.3f} ms)"
            + ("" if len(db_groups) == 2 else " (PostgreSQL or Redis not measured)")
        )

    for name in huoli:
        if "trace" in results[name]:
            print_trace(name, results[name]["trace"])


if __name__ == "__main__":
    main()
