import asyncio

from huoli.core.layers import LocalChannelLayer


async def test_group_send_reaches_members_only_and_in_order():
    layer = LocalChannelLayer()
    a, b, c = [await layer.new_channel() for _ in range(3)]
    await layer.group_add("conversation.1", a)
    await layer.group_add("conversation.1", b)
    await layer.group_add("conversation.2", c)
    await layer.group_discard("conversation.1", b)
    for n in range(3):
        await layer.group_send("conversation.1", {"type": "huoli.event", "n": n})
    assert [(await layer.receive(a))["n"] for _ in range(3)] == [0, 1, 2]
    for channel in (b, c):
        try:
            await asyncio.wait_for(layer.receive(channel), timeout=0.05)
        except TimeoutError:
            continue
        raise AssertionError(f"{channel} received a message of another group")


async def test_expired_messages_are_swept_at_most_once_a_second():
    layer = LocalChannelLayer(expiry=0)
    channel = await layer.new_channel()
    await layer.group_add("g", channel)
    await layer.group_send("g", {"type": "x"})
    layer._last_sweep = 0.0
    layer._clean_expired()
    assert channel not in layer.channels
