"""The Python interpreter of a server process: two settings for delivery (decision 0043).

**The garbage collector.** A server with a thousand chats open holds some 450,000 objects
that live as long as their sockets (each socket's coroutines, tasks, queues and
middleware). With CPython's default thresholds (700, 10, 10) the collector walked all of
them in a full collection every five seconds or so under load, each pause 120 to 480 ms
long and growing with the sockets open: the one message in a hundred that waited 0.7 s
(issue 20). So the server freezes what it loaded at start (``gc.freeze()``: modules,
classes, settings and URL patterns live as long as the process, and no collection walks
them again) and collects less often: the youngest generation after 10,000 new objects
rather than 700 (most of a message's objects are freed by reference counting before then,
so far fewer survive into the older ones), a full collection after 100 of the middle
generation's rather than 10. Cyclic garbage waits a little longer to be freed.

**The switch interval.** The event loop and the database thread share the interpreter's
lock. After each answer from the database the database thread waits for the event loop to
let the lock go, by default after up to 5 ms; a batch makes about ten round trips to
PostgreSQL, so a message could wait tens of milliseconds for the lock alone. At 0.5 ms the
median delivery on PostgreSQL + Redis fell from about 60 ms to 31 ms in the bench, and the
embedded default's p99 from 65 to 47 ms, for the same CPU per message.
"""

from __future__ import annotations

import gc
import sys

THRESHOLDS = (10_000, 20, 100)
SWITCH_INTERVAL = 0.0005


def settle_for_serving() -> None:
    """Freeze what the process has loaded, set the collector's thresholds and the switch
    interval. Called once by ``huoli/asgi.py``."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)
