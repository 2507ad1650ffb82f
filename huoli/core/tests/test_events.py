import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

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
    import asyncio

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
