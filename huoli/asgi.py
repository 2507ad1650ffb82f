"""ASGI entry point: HTTP goes to Django, websockets to Channels consumers.

Serve with ``uvicorn huoli.asgi:application`` (``make run`` does).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huoli.settings")
django_asgi_app = get_asgi_application()  # sets Django up before the imports below

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from huoli.conversations.writer import writer  # noqa: E402
from huoli.core.checks import assert_safe_to_serve  # noqa: E402
from huoli.core.interpreter import settle_for_serving  # noqa: E402
from huoli.core.origins import SameOriginValidator  # noqa: E402
from huoli.core.sockets import socket_auth_stack  # noqa: E402
from huoli.routing import websocket_urlpatterns  # noqa: E402

assert_safe_to_serve()

if os.environ.get("HUOLI_PURGE_DAILY") == "1":
    from huoli.retention.scheduler import start_daily_purge

    start_daily_purge()

# Everything loaded so far lives as long as the process: the collector stops walking it and
# collects less often, and the database thread gets the interpreter's lock back sooner, so
# neither stalls delivery (core/interpreter.py).
settle_for_serving()

router = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin must be the site's own scheme, host and port (core/origins.py).
        "websocket": SameOriginValidator(socket_auth_stack(URLRouter(websocket_urlpatterns))),
    }
)


async def application(scope, receive, send):
    # The message writer's own process (conversations/writer.py) starts with the first
    # connection of any kind, not with the first message, which would wait for it.
    writer().start()
    await router(scope, receive, send)
