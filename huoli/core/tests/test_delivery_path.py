"""The delivery path's pieces (decision 0043): events handed from the database thread in
order and in bursts, JSON made once per layer message, the in-memory layer's queues, the
Redis layer's pipelined sends, and the interpreter settled in a server process."""

import asyncio
import contextlib
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from django.db import transaction

from huoli.core import events
from huoli.core.consumers import FrameConsumer, dispatch_serially, event_text
from huoli.core.events import StaffProfileUpdated, publish_on_commit, staff_group
from huoli.core.layers import LocalChannelLayer, PubSubChannelLayer

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db(transaction=True)
async def test_a_burst_of_events_arrives_in_order_through_one_hand_over(monkeypatch):
    layer = get_channel_layer()
    group = staff_group(5151)
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    bursts = []
    send_all = events._send_all

    async def counted(layer, sends):
        bursts.append(len(sends))
        await send_all(layer, sends)

    monkeypatch.setattr(events, "_send_all", counted)

    def commit_many():
        with transaction.atomic():
            for number in range(40):
                publish_on_commit(group, StaffProfileUpdated(f"n{number}", [], number))

    await database_sync_to_async(commit_many)()
    names = [
        (await asyncio.wait_for(layer.receive(channel), timeout=5))["event"]["display_name"]
        for _ in range(40)
    ]
    assert names == [f"n{number}" for number in range(40)]
    # Handed to the event loop in bursts, not one task per event.
    assert sum(bursts) == 40 and len(bursts) < 40
    await layer.group_discard(group, channel)


def test_the_json_text_is_made_once_for_one_message_and_again_for_a_changed_event():
    message = {"type": "huoli.event", "event": {"type": "conversation.typing", "sender": "a"}}
    first = event_text(message)
    assert json.loads(first) == message["event"]
    assert event_text(message) is first
    changed = {**message, "event": {**message["event"], "text": "uusi"}}
    assert json.loads(event_text(changed))["text"] == "uusi"
    assert event_text(message) is first


async def test_the_in_memory_layer_keeps_no_queue_for_a_channel_it_has_emptied():
    layer = LocalChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("g", channel)
    await layer.group_send_many([("g", {"type": "a"}), ("g", {"type": "b"})])
    assert [(await layer.receive(channel))["type"] for _ in range(2)] == ["a", "b"]
    assert channel not in layer.channels


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
async def test_the_redis_layer_sends_a_burst_in_order_to_every_group():
    layer = PubSubChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix="huoli-test")
    try:
        one, two = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("one", one)
        await layer.group_add("two", two)
        sends = [("one" if n % 2 else "two", {"type": "x", "n": n}) for n in range(20)]
        await layer.group_send_many(sends)
        got_one = [(await asyncio.wait_for(layer.receive(one), 5))["n"] for _ in range(10)]
        got_two = [(await asyncio.wait_for(layer.receive(two), 5))["n"] for _ in range(10)]
        assert got_one == list(range(1, 20, 2))
        assert got_two == list(range(0, 20, 2))
    finally:
        await layer.flush()


def test_a_server_process_freezes_what_it_loaded_and_collects_less_often(tmp_path):
    script = (
        "import gc, sys, huoli.asgi; "
        "print(gc.get_threshold(), gc.get_freeze_count() > 10_000, sys.getswitchinterval())"
    )
    env = {**os.environ, "HUOLI_VAR_DIR": str(tmp_path), "HUOLI_DEMO": "1"}
    subprocess.run([sys.executable, "-m", "huoli.keys"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["(10000,", "20,", "100)", "True", "0.0005"]


async def _sources_and_log():
    """Two sources (the socket's receive, the layer's) fed by the test, and a dispatch that
    records when each handler starts and ends, awaiting in between as real handlers do."""
    socket, layer = asyncio.Queue(), asyncio.Queue()
    log = []

    async def dispatch(message):
        log.append(("start", message["n"]))
        if message.get("raise"):
            raise message["raise"]
        await asyncio.sleep(message.get("wait", 0))
        log.append(("end", message["n"]))

    return socket, layer, log, dispatch


async def test_handlers_never_overlap_and_each_source_keeps_its_order():
    socket, layer, log, dispatch = await _sources_and_log()
    running = asyncio.create_task(dispatch_serially([socket.get, layer.get], dispatch))
    for n in range(0, 10, 2):
        socket.put_nowait({"n": n, "wait": 0.002})
        layer.put_nowait({"n": n + 1, "wait": 0.001})
    while len(log) < 20:
        await asyncio.sleep(0.005)
    # Every start is followed by its own end before the next start.
    assert all(
        log[i] == ("start", log[i + 1][1]) and log[i + 1][0] == "end" for i in range(0, 20, 2)
    )
    started = [n for kind, n in log if kind == "start"]
    assert [n for n in started if n % 2 == 0] == [0, 2, 4, 6, 8]
    assert [n for n in started if n % 2 == 1] == [1, 3, 5, 7, 9]
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


async def test_stop_consumer_ends_quietly_and_an_error_ends_the_other_source_too():
    from channels.exceptions import StopConsumer

    socket, layer, log, dispatch = await _sources_and_log()
    socket.put_nowait({"n": 1, "raise": StopConsumer()})
    await asyncio.wait_for(dispatch_serially([socket.get, layer.get], dispatch), 2)
    layer.put_nowait({"n": 2})  # nobody takes it: the layer's wait ended too
    await asyncio.sleep(0.01)
    assert log == [("start", 1)] and layer.qsize() == 1

    socket, layer, log, dispatch = await _sources_and_log()
    layer.put_nowait({"n": 3, "raise": RuntimeError("handler failed")})
    with pytest.raises(RuntimeError, match="handler failed"):
        await asyncio.wait_for(dispatch_serially([socket.get, layer.get], dispatch), 2)
    socket.put_nowait({"n": 4})
    await asyncio.sleep(0.01)
    assert log == [("start", 3)] and socket.qsize() == 1


async def test_nothing_is_dispatched_once_a_handler_ended_it():
    from channels.exceptions import StopConsumer

    socket, layer = asyncio.Queue(), asyncio.Queue()
    log = []

    async def dispatch(message):
        log.append(message["n"])
        if message["n"] == 1:  # the socket closed, while the layer's message waits its turn
            await asyncio.sleep(0.02)
            raise StopConsumer()

    socket.put_nowait({"n": 1})
    layer.put_nowait({"n": 2})
    await asyncio.wait_for(dispatch_serially([socket.get, layer.get], dispatch), 2)
    await asyncio.sleep(0.01)
    assert log == [1]


async def test_a_handler_that_swallows_its_cancellation_does_not_keep_the_socket():
    started = asyncio.Event()
    socket, layer = asyncio.Queue(), asyncio.Queue()

    async def dispatch(message):
        started.set()
        inner = asyncio.create_task(asyncio.sleep(10))
        # As a handler that awaits a task of its own it cancelled (VisitorConsumer._leave).
        with contextlib.suppress(asyncio.CancelledError):
            await inner

    layer.put_nowait({"n": 1})
    running = asyncio.create_task(dispatch_serially([socket.get, layer.get], dispatch))
    await started.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(running, 5)


async def test_a_source_cleaning_up_after_its_cancellation_is_not_cancelled_again():
    """channels_redis's ``receive`` unsubscribes when cancelled, waiting for the shard's lock:
    with a thousand sockets closing at once that takes seconds, and a second cancellation
    left each subscription behind with an error logged."""
    socket = asyncio.Queue()
    cleaned = []

    async def slow_source():
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(1.5)
            cleaned.append(True)
            raise

    async def dispatch(message):
        pass

    running = asyncio.create_task(dispatch_serially([socket.get, slow_source], dispatch))
    await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(running, 5)
    assert cleaned == [True]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
async def test_a_closed_socket_leaves_no_redis_subscription_however_long_the_lock_is_held():
    layer = PubSubChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix="huoli-test")
    try:
        channel = await layer.new_channel()
        shard = layer._get_layer()._get_shard(channel)
        assert channel in shard._subscribed_to
        socket = asyncio.Queue()

        async def dispatch(message):
            pass

        source = functools.partial(layer.receive, channel)
        running = asyncio.create_task(dispatch_serially([socket.get, source], dispatch))
        await asyncio.sleep(0.05)
        async with shard._lock:
            # As a thousand sockets unsubscribing before this one.
            running.cancel()
            await asyncio.sleep(1.5)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(running, 5)
        assert channel not in shard._subscribed_to
    finally:
        await layer.flush()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
async def test_a_socket_that_ends_holding_an_event_leaves_no_redis_subscription(settings):
    """The layer's task held an event, waiting for its turn, when the socket's handler ended
    the socket: it returned without cancelling a ``receive``, which alone let the channel go
    in Redis (found by an outside review)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "huoli.core.layers.PubSubChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": "huoli-test"},
        }
    }

    class EndsOnConnect(FrameConsumer):
        async def websocket_connect(self, message):
            # An event for this socket arrives while the handler still runs.
            await self.channel_layer.send(self.channel_name, {"type": "huoli.event"})
            await asyncio.sleep(0.3)
            raise StopConsumer

    async def receive():
        if not connected.is_set():
            connected.set()
            return {"type": "websocket.connect"}
        await asyncio.Event().wait()

    async def send(message):
        pass

    connected = asyncio.Event()
    consumer = EndsOnConnect()
    try:
        await asyncio.wait_for(consumer({"type": "websocket"}, receive, send), 5)
        loop_layer = consumer.channel_layer._get_layer()
        shard = loop_layer._get_shard(consumer.channel_name)
        assert consumer.channel_name not in loop_layer.channels
        assert consumer.channel_name not in shard._subscribed_to
    finally:
        await consumer.channel_layer.flush()


async def test_a_source_with_messages_waiting_lets_the_loop_run_others():
    socket, layer = asyncio.Queue(), asyncio.Queue()
    for n in range(1000):
        layer.put_nowait({"n": n})
    turns = []

    async def dispatch(message):
        turns.append("handler")

    async def other():
        for _ in range(10):
            turns.append("other")
            await asyncio.sleep(0)

    running = asyncio.create_task(dispatch_serially([socket.get, layer.get], dispatch))
    await asyncio.gather(other(), asyncio.sleep(0))
    await asyncio.sleep(0.05)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    # The other task had its ten turns before the thousand messages were all handled.
    assert turns.count("handler") == 1000
    assert turns.index("other", turns.index("handler")) < 100


async def test_a_socket_remembers_a_bounded_number_of_its_own_messages():
    """An own message whose event never came (a full channel, a Redis reconnect) is not
    kept for ever: the oldest go, and an event of one still kept is skipped once."""
    from huoli.conversations.writer import Posted

    sent = []

    class Socket(FrameConsumer):
        async def send(self, text_data=None, bytes_data=None, close=False):
            sent.append(json.loads(text_data))

    socket = Socket()
    socket.own_messages, socket.seqs_given = {}, {}
    for seq in range(1, 41):
        message = {"type": "conversation.message", "conversation_id": 7, "client_id": f"c{seq}"}
        await socket.send_ack(f"c{seq}", Posted(seq, True, message))
    await socket.send_ack("c40", Posted(40, False, message))  # a resend: no event comes
    assert len(socket.own_messages) == 32 == len(set(socket.own_messages))
    assert (7, "c1") not in socket.own_messages and (7, "c40") in socket.own_messages
    del sent[:]
    for client_id, seq in (("c40", 40), ("c40", 40), ("c1", 1)):
        event = {"type": "conversation.message", "conversation_id": 7, "client_id": client_id}
        await socket.huoli_event({"type": "huoli.event", "event": {**event, "seq": seq}})
    # c40's event once skipped; the second and c1's (forgotten) are sent.
    assert [frame["client_id"] for frame in sent] == ["c40", "c1"]
    assert socket.seqs_given == {7: 40}  # the highest it gave its page
