"""What stands in front of every websocket consumer: cookies, the session, the user.

Channels' ``AuthMiddlewareStack``, except that the session middleware does not wrap the
consumer's ``send``. Channels' wrapper saves a changed session when an HTTP response starts,
which a websocket never sends, yet it looked at the session's state for every frame sent: a
few per cent of a busy server's time, for nothing (decision 0043). A socket reads its
session; nothing on a socket writes it (``accounts.selectors.staff_socket_role``).
"""

from __future__ import annotations

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware


class SocketSessionMiddleware(SessionMiddleware):
    """``scope["session"]`` as Channels' middleware gives it, with the socket's own ``send``."""

    async def __call__(self, scope, receive, send):
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


def socket_auth_stack(inner):
    """``channels.auth.AuthMiddlewareStack`` for websockets (see the module's docstring)."""
    return CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(inner)))
