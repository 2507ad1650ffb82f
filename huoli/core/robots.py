"""Which pages search engines may index: none unless its view says so (issue 19).

A public page a family should find by searching (the home page, the information pages, the
services list) is decorated with ``@indexable``; every other answer (the console's, a
conversation's, an error's) carries ``X-Robots-Tag: noindex``
(``core.middleware.RobotsTagMiddleware``), and the public pages' template says
``<meta name="robots" content="noindex">`` too. An indexable view may still refuse one answer
with ``not_indexable(request)`` (an information page shown in another language than the
address's)."""

from __future__ import annotations

from collections.abc import Callable

NOINDEX = "noindex"


def indexable(view: Callable) -> Callable:
    """Mark a view whose pages search engines may index (its answers with status 200)."""
    view.indexable = True
    return view


def view_is_indexable(view: Callable | None) -> bool:
    return bool(getattr(view, "indexable", False))


def not_indexable(request) -> None:
    """This answer of an indexable view is not to be indexed."""
    request.robots_noindex = True


def request_indexable(request) -> bool:
    """Whether the page answering ``request`` may be indexed, as far as its view knows (the
    template asks this; the middleware also asks the status)."""
    if request.method not in ("GET", "HEAD") or getattr(request, "robots_noindex", False):
        return False
    match = getattr(request, "resolver_match", None)
    return match is not None and view_is_indexable(match.func)
