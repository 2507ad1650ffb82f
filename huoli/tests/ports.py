"""Free ports for the servers a test starts (uvicorn, Kamailio, rtpengine, baresip).

Asking the kernel for port 0 gives a port from its ephemeral range, the same range it draws
the local ports of outgoing connections from. Between that probe and the server's own bind
(seconds, for a process that starts), a connection to PostgreSQL, Redis or the test server can
take the port: CI once saw Kamailio stop with "Address already in use" on a port handed out so.
So ports are drawn at random below the ephemeral range, where no outgoing connection lands,
checked free for both TCP and UDP, and not handed out again while they may still be waiting
for their server (the last ``RECENT`` ports handed out are skipped; older ones are in use,
which the check sees, or free again).
"""

from __future__ import annotations

import random
import socket
from collections import deque
from pathlib import Path

LOCAL_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 20000  # above the well-known and registered services' usual ports

RECENT = 1000

_handed_out: deque[int] = deque(maxlen=RECENT)


def _outside_ephemeral() -> tuple[int, int]:
    """(first, last) ports of a stretch no outgoing connection is given a port from."""
    try:
        low, high = (int(n) for n in LOCAL_PORT_RANGE.read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    if low - LOWEST >= 2000:
        return LOWEST, low - 1
    if 65535 - high >= 2000:
        return high + 1, 65535
    return LOWEST, 65535  # a machine whose ephemeral range is everything: the race stays


def free_port(*, count: int = 1, host: str = "127.0.0.1") -> int:
    """The first of ``count`` consecutive ports free on ``host`` for TCP and UDP (baresip
    binds its SIP port and the one after it; rtpengine takes a block for media)."""
    first, last = _outside_ephemeral()
    for _ in range(500):
        port = random.randint(first, last - count + 1)
        block = range(port, port + count)
        recent = set(_handed_out)
        if recent.isdisjoint(block) and all(_free(p, host) for p in block):
            _handed_out.extend(block)
            return port
    raise RuntimeError(f"no {count} free ports between {first} and {last}")


def _free(port: int, host: str) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True
