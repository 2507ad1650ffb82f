"""The return code shown after a conversation starts is not kept in plain text in the cache
(process memory, or Redis in production): only the visitor's own browser can read it back."""

from __future__ import annotations

import pickle
import re

import pytest
from django.core.cache import cache, caches

from huoli.conversations.services.queue import duty_set
from huoli.helpline.services import opening_hours_around_the_clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def cache_contents() -> str:
    """Every key and value in the cache, whichever backend is in use, as one text."""
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    found = []
    if isinstance(backend, LocMemCache):
        for key, value in list(backend._cache.items()):
            found += [repr(key), repr(pickle.loads(value)), repr(value)]  # noqa: S301 (ours)
    else:
        assert isinstance(backend, RedisCache)
        client = backend._cache.get_client()
        for key in client.scan_iter("*"):
            raw = client.get(key)
            found += [repr(key), repr(raw)]
            if not raw.lstrip(b"-").isdigit():  # counters are plain digits, the rest pickled
                found.append(repr(pickle.loads(raw)))  # noqa: S301 (our own cache)
    return "\n".join(found)


def shown_code(client) -> str:
    html = client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return re.search(r'data-code="(\d{16})"', html).group(1)


def test_the_shown_return_code_is_nowhere_in_the_cache(client, staff_factory):
    opening_hours_around_the_clock()
    duty_set(user=staff_factory(role="counsellor"), on_duty=True)
    codes = []
    posted = {"body": "Hei", "client_id": "c1", "language": "fi", "nickname": ""}
    assert client.post("/en/message/", posted).status_code == 302
    codes.append(shown_code(client))
    client.cookies.clear()
    assert client.post("/en/chat/start/", {"language": "fi", "nickname": ""}).status_code == 302
    codes.append(shown_code(client))
    assert shown_code(client) == codes[1]  # shown again on a reload
    contents = cache_contents()
    assert "return-code" in contents  # what shows the code is there
    for code in codes:
        for written in (code, " ".join(code[i : i + 4] for i in range(0, 16, 4))):
            assert written not in contents
