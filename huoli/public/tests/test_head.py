"""Every public page that answers GET answers HEAD the same way (link checkers, proxies and
monitoring ask with HEAD), without a body."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from huoli.helpline.models import InfoPage
from huoli.helpline.services import opening_hours_around_the_clock
from huoli.reports.models import PublishedQuarter
from huoli.tests.test_url_matrix import named_patterns, pattern_params

pytestmark = pytest.mark.django_db


def public_urls() -> list[str]:
    slug = InfoPage.objects.values_list("slug", flat=True).first()
    urls = ["/"]
    for name, pattern in named_patterns():
        if name.startswith("public:"):
            kwargs = {"slug": slug} if pattern_params(pattern) == ["slug"] else {}
            if set(pattern_params(pattern)) == {"year", "quarter"}:
                kwargs = {"year": 2025, "quarter": 4}  # published below
            assert set(kwargs) == set(pattern_params(pattern)), name
            urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.mark.parametrize("with_conversation", [False, True])
def test_every_public_get_page_answers_head(client, with_conversation):
    cache.clear()
    opening_hours_around_the_clock()
    PublishedQuarter.objects.create(year=2025, quarter=4)
    if with_conversation:
        started = client.post(
            "/en/message/",
            {"body": "Huoli", "client_id": "c1", "language": "en", "nickname": ""},
        )
        assert started.status_code == 302
    answered = 0
    for url in public_urls():
        got = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        if got.status_code == 405:
            continue  # a POST-only address
        head = client.head(url, HTTP_ACCEPT_LANGUAGE="en")
        assert head.status_code == got.status_code, url
        assert head.content == b"", url
        if got.status_code in (200, 302):
            answered += 1
    assert answered >= 8
