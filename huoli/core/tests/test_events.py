import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from huoli.core import events
from huoli.core.events import StaffProfileUpdated, publish_on_commit, staff_group

EVENT = StaffProfileUpdated(display_name="Aino", languages=["fi"], max_chats=2)


async def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


@pytest.mark.django_db(transaction=True)
async def test_event_is_delivered_after_commit_only():

    layer = get_channel_layer()
    group = staff_group(4242)
    channel = await _listen(group)

    def publish_and_commit():
        with transaction.atomic():
            publish_on_commit(group, EVENT)

    await database_sync_to_async(publish_and_commit)()
    message = await layer.receive(channel)
    assert message == {"type": "huoli.event", "group": group, "event": EVENT.as_payload()}
    assert message["event"]["type"] == "staff.profile_updated"
    await layer.group_discard(group, channel)


@pytest.mark.django_db(transaction=True)
async def test_event_is_not_delivered_when_the_transaction_rolls_back():
    layer = get_channel_layer()
    group = staff_group(4243)
    channel = await _listen(group)

    def publish_and_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish_on_commit(group, EVENT)
            raise RuntimeError("rolled back")
        # A later, committed event proves the channel works and nothing came before it.
        with transaction.atomic():
            publish_on_commit(group, StaffProfileUpdated("Later", [], 1))

    await database_sync_to_async(publish_and_roll_back)()
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message["event"]["display_name"] == "Later"
    await layer.group_discard(group, channel)


class HeldLayer:
    """Our outbox's view of a layer, whose every send waits for the test's word (a Redis that
    answers late), recording what was sent."""

    def __init__(self):
        self.holding = asyncio.Event()
        self.permits = asyncio.Semaphore(0)
        self.sent: list[str] = []

    async def group_send_many(self, sends):
        self.holding.set()
        await self.permits.acquire()
        self.sent += [message["event"]["display_name"] for _group, message in sends]


def held_outbox(monkeypatch) -> tuple[events._Outbox, HeldLayer]:
    layer = HeldLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    return events._Outbox(asyncio.get_running_loop()), layer


def message(name: str) -> dict:
    return {"type": "huoli.event", "event": StaffProfileUpdated(name, [], 1).as_payload()}


async def test_sent_is_done_only_once_what_came_before_is_in_the_layers_hands(monkeypatch):
    outbox, layer = held_outbox(monkeypatch)
    assert outbox.sent().done()  # nothing put: nothing to wait for
    outbox.put("staff.1", message("first"))
    first = outbox.sent()
    await asyncio.wait_for(layer.holding.wait(), timeout=5)
    outbox.put("staff.1", message("second"))
    second = outbox.sent()
    await asyncio.sleep(0.05)
    assert not first.done() and not second.done()
    layer.permits.release()  # the first send goes through
    await asyncio.wait_for(first, timeout=5)
    await asyncio.sleep(0.05)
    assert (layer.sent, second.done()) == (["first"], False)
    layer.permits.release()
    await asyncio.wait_for(second, timeout=5)
    assert layer.sent == ["first", "second"]


async def test_a_drain_cancelled_midway_lets_its_waiters_go_and_leaves_no_later_one_early(
    monkeypatch,
):
    """The loop shutting down cancels the drain: whoever waited for the sends it was making
    goes on (rather than hanging), and sends it never took still come before a later
    ``sent``."""
    outbox, layer = held_outbox(monkeypatch)
    outbox.put("staff.1", message("taken"))
    taken = outbox.sent()
    await asyncio.wait_for(layer.holding.wait(), timeout=5)
    outbox.put("staff.1", message("left"))
    outbox.task.cancel()
    await asyncio.wait_for(taken, timeout=5)
    later = outbox.sent()  # behind "left", which nothing is draining now
    await asyncio.sleep(0.05)
    assert not later.done()
    layer.permits.release()
    await asyncio.wait_for(later, timeout=5)
    assert layer.sent == ["left"]


async def test_a_drain_cancelled_before_it_began_leaves_the_outbox_working(monkeypatch):
    outbox, layer = held_outbox(monkeypatch)
    outbox.put("staff.1", message("unsent"))
    waiting = outbox.sent()
    await asyncio.sleep(0)  # the drain's task is made, not yet run
    assert outbox.task is not None and not outbox.task.done()
    outbox.task.cancel()
    await asyncio.wait_for(waiting, timeout=5)  # goes on rather than hanging
    later = outbox.sent()  # a new drain takes what the cancelled one left
    layer.permits.release()
    await asyncio.wait_for(later, timeout=5)
    assert layer.sent == ["unsent"]
    outbox.put("staff.1", message("after"))
    layer.permits.release()
    await asyncio.wait_for(outbox.sent(), timeout=5)
    assert layer.sent == ["unsent", "after"]
