"""The middleware in front of the websocket consumers (core/sockets.py)."""

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from huoli.accounts.tests.factories import StaffFactory, signed_in_session
from huoli.core.sockets import socket_auth_stack

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def staff_signed_in():
    user = StaffFactory()
    return user, signed_in_session(user)


async def test_the_socket_gets_its_session_and_user_and_its_own_send():
    user, key = await staff_signed_in()
    seen = {}

    async def consumer(scope, receive, send):
        seen["send"] = send
        seen["session_key"] = scope["session"].session_key
        seen["user"] = await database_sync_to_async(lambda: scope["user"].pk)()

    async def send(message):
        pass

    async def receive():
        return {"type": "websocket.connect"}

    scope = {
        "type": "websocket",
        "path": "/console/ws/",
        "headers": [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())],
    }
    await socket_auth_stack(consumer)(scope, receive, send)
    assert seen["session_key"] == key
    assert seen["user"] == user.pk
    # Not Channels' wrapper, which looks at the session for every frame sent.
    assert seen["send"] is send
