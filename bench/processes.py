"""What the bench scripts share about the processes they start and measure (run from the
repository root as `python bench/<script>.py`, so this folder is on the import path)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# A port below the kernel's ephemeral range: one from bind(0) can be taken by an outgoing
# connection (to PostgreSQL, Redis) before the server started on it binds it.
from huoli.tests.ports import free_port

__all__ = ["free_port"]


def machine_cpu_ticks() -> list[int]:
    """The whole machine's CPU time since boot, in ticks, as ``/proc/stat``'s first line
    gives it: user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice."""
    return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def wait_for_port(
    port: int, process: subprocess.Popen, seconds: float = 60, log: BinaryIO | None = None
) -> None:
    """Until ``port`` takes connections; the process's last output (its stderr pipe, or
    ``log``, the file its stderr goes to) if it exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if log is not None:
                log.seek(0)
            output = (log or process.stderr).read().decode(errors="replace")
            raise SystemExit(f"server exited: {output[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name: [state, ppid, ...]."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree_cpu_seconds(roots: list[int]) -> float:
    """CPU time so far (user and system, all threads) of these processes, every live
    descendant, and every child they have reaped (cutime, cstime): the difference of two
    readings is what the whole tree spent between them, even if children came and went
    (PostgreSQL's backends, nginx's workers)."""
    stats: dict[int, list[str]] = {}
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(int(entry.name))
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, seen, todo = 0, set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += sum(int(value) for value in stats[pid][11:15])
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def listening_pid(port: int) -> int | None:
    """The process that listens on this TCP port of this machine (the parent, when it
    shares the socket with its children), or None if there is none or /proc does not say
    (another user's processes need root)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    holders = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not inodes:
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                holders.add(int(entry.name))
        except OSError:
            continue
    roots = []
    for pid in holders:
        with contextlib.suppress(OSError):
            if int(_stat(pid)[1]) not in holders:
                roots.append(pid)
    return min(roots) if roots else None
