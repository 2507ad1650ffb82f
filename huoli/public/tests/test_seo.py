"""Being found (issue 19): the home page, the information pages and the services list are
indexable, with a canonical address and their versions in every language; every other public
page says noindex in its HTML and its headers; sitemap.xml lists exactly the indexable pages;
robots.txt keeps crawlers out of conversations and the console."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from huoli.helpline.models import InfoPage
from huoli.helpline.services import opening_hours_around_the_clock
from huoli.reports.models import PublishedQuarter
from huoli.tests.test_url_matrix import named_patterns

pytestmark = pytest.mark.django_db

SITE = "https://huoli.example.org"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
SLUGS = ["signs", "talking", "contact", "safety", "professionals"]
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
NOINDEX_META = '<meta name="robots" content="noindex">'

# Every public URL name: may a search engine index its page? A new public page must be
# listed here (test_every_public_url_name_is_decided): indexable ones are decorated with
# ``huoli.core.robots.indexable`` and appear in the sitemap.
INDEXABLE = {
    "public:home": True,
    "public:info_list": True,
    "public:info": True,
    "public:services": True,
    "public:statistics": True,
    "public:statistics_quarter": True,
    "public:statistics_csv": False,
    "public:chat_start": False,
    "public:call": False,
    "public:call_start": False,
    "public:message_new": False,
    "public:callback_new": False,
    "public:callback_cancel": False,
    "public:conversation": False,
    "public:conversation_send": False,
    "public:conversation_end": False,
    "public:conversation_to_message": False,
    "public:conversation_keep_waiting": False,
    "public:feedback": False,
    "public:return": False,
    "public:exit": False,
}


# A quarter on the open statistics page (ended long ago).
PUBLISHED = (2025, 4)


def public_names() -> dict[str, str]:
    """Every public URL name with its address in Finnish (an information page: signs)."""
    names = {}
    for name, pattern in named_patterns():
        if name.startswith("public:"):
            converters = pattern.pattern.converters
            kwargs = {"slug": "signs"} if "slug" in converters else {}
            if "year" in converters:
                kwargs = {"year": PUBLISHED[0], "quarter": PUBLISHED[1]}
            names[name] = reverse(name, kwargs=kwargs).replace("/en/", "/fi/", 1)
    return names


def noindex_said(response) -> bool:
    return response.get("X-Robots-Tag") == "noindex"


def test_every_public_url_name_is_decided():
    assert set(public_names()) == set(INDEXABLE)


@pytest.mark.parametrize("language", ["fi", "ar"])
@override_settings(HUOLI_TELEPHONY=True)
def test_each_public_page_is_indexable_or_says_noindex(client, language):
    cache.clear()
    opening_hours_around_the_clock()
    PublishedQuarter.objects.create(year=PUBLISHED[0], quarter=PUBLISHED[1])
    # A conversation of this browser, so its pages answer with the page itself.
    started = client.post(
        f"/{language}/message/",
        {"body": "Huoli", "client_id": "c1", "language": "fi", "nickname": ""},
    )
    assert started.status_code == 302
    seen = {}
    for name, url in public_names().items():
        url = url.replace("/fi/", f"/{language}/", 1)
        response = client.get(url)
        status = response.status_code
        html = response.content.decode()
        if INDEXABLE[name]:
            assert status == 200, name
            assert NOINDEX_META not in html and "noindex" not in html, name
            assert "X-Robots-Tag" not in response, name
            assert f'<link rel="canonical" href="http://testserver{url}">' in html, name
            assert "no-store" not in response.get("Cache-Control", ""), name
        elif 300 <= status < 400:
            # The quick exit: a redirect has nothing to index (and robots.txt disallows it).
            assert name == "public:exit", name
        else:
            assert noindex_said(response), (name, status)
            if html and response["Content-Type"].startswith("text/html"):  # not a 405, a CSV
                assert NOINDEX_META in html, name
                assert 'rel="canonical"' not in html and 'rel="alternate"' not in html, name
        seen[name] = status
    # The pages themselves were checked, not their refusals.
    assert seen["public:conversation"] == 200 and seen["public:message_new"] == 200
    assert seen["public:call"] == 200 and seen["public:chat_start"] == 405
    # The conversation pages are still never stored.
    page = client.get(f"/{language}/conversation/")
    assert "no-store" in page["Cache-Control"]


def test_error_pages_and_the_console_are_not_indexed(client):
    missing = client.get("/fi/info/no-such-page/")  # from an indexable view
    assert missing.status_code == 404 and noindex_said(missing)
    html = missing.content.decode()
    assert NOINDEX_META in html and 'rel="canonical"' not in html
    assert noindex_said(client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fi"))
    assert noindex_said(client.get("/console/login/"))
    # A form sent back to an indexable page's template is not the page.
    refused = client.post("/fi/chat/start/", {"language": "xx"})
    assert refused.status_code == 400 and NOINDEX_META in refused.content.decode()


@override_settings(HUOLI_PUBLIC_URL=SITE)
def test_an_indexable_page_names_its_address_and_its_languages(client):
    html = client.get("/ar/info/signs/").content.decode()
    assert f'<link rel="canonical" href="{SITE}/ar/info/signs/">' in html
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert alternates == {
        **{code: f"{SITE}/{code}/info/signs/" for code in LANGUAGES},
        "x-default": f"{SITE}/info/signs/",
    }
    # A search in the services list is the list.
    html = client.get("/fi/services/", {"q": "nuoret"}).content.decode()
    assert f'<link rel="canonical" href="{SITE}/fi/services/">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{SITE}/">' in (
        client.get("/so/").content.decode()
    )


def test_each_indexable_page_has_its_own_title_and_description(client):
    def head(url):
        html = client.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
        return title, description

    pages = {url: head(url) for url in ("/fi/", "/fi/info/", "/fi/services/", "/fi/info/signs/")}
    assert len({title for title, _d in pages.values()}) == 4
    assert len({description for _t, description in pages.values()}) == 4
    signs = InfoPage.objects.get(slug="signs", language="fi")
    assert pages["/fi/info/signs/"] == (f"{signs.title} · Huoli", signs.summary)
    assert head("/ar/info/signs/") != pages["/fi/info/signs/"]
    assert head("/en/")[1].startswith("Huoli is a helpline for families and friends.")


def test_a_page_only_in_some_languages_names_only_those_and_its_fallbacks_are_not_indexed(
    client,
):
    InfoPage.objects.create(slug="schools", language="en", title="For schools", body="Text.")
    InfoPage.objects.create(slug="schools", language="sv", title="För skolor", body="Text.")
    html = client.get("/en/info/schools/").content.decode()
    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html)
    assert alternates == ["sv", "en"]  # no Finnish version: no x-default either
    fallback = client.get("/fi/info/schools/")  # shown in English for want of Finnish
    assert fallback.status_code == 200 and "For schools" in fallback.content.decode()
    assert noindex_said(fallback) and NOINDEX_META in fallback.content.decode()


def sitemap_urls(client) -> dict[str, dict[str, str]]:
    """{location: {hreflang: address}} from /sitemap.xml, parsed as XML."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
    assert root.tag == f"{{{NS['s']}}}urlset"
    found = {}
    for url in root.findall("s:url", NS):
        location = url.find("s:loc", NS).text
        found[location] = {
            link.get("hreflang"): link.get("href")
            for link in url.findall("x:link", NS)
            if link.get("rel") == "alternate"
        }
    return found


@override_settings(HUOLI_PUBLIC_URL=SITE)
def test_the_sitemap_lists_every_indexable_page_in_every_language(client):
    InfoPage.objects.create(slug="schools", language="en", title="For schools", body="Text.")
    urls = sitemap_urls(client)
    expected = {
        f"/{code}/{path}"
        for code in LANGUAGES
        for path in ["", "info/", "services/", "statistics/", *(f"info/{slug}/" for slug in SLUGS)]
    } | {"/en/info/schools/"}
    assert {location.removeprefix(SITE) for location in urls} == expected
    assert all(location.startswith(f"{SITE}/") for location in urls)
    for location, alternates in urls.items():
        path = urlsplit(location).path
        rest = path.split("/", 2)[2]
        if rest == "info/schools/":
            assert alternates == {"en": location}
            continue
        assert alternates == {
            **{code: f"{SITE}/{code}/{rest}" for code in LANGUAGES},
            "x-default": f"{SITE}/{rest}",
        }, location


def test_the_sitemap_lists_no_page_that_is_not_indexed(client):
    InfoPage.objects.create(slug="schools", language="en", title="For schools", body="Text.")
    urls = sitemap_urls(client)
    assert len(urls) == 10 * 9 + 1
    for location in urls:
        assert location.startswith("http://testserver/")  # no HUOLI_PUBLIC_URL: as asked
        page = client.get(location)
        assert page.status_code == 200, location
        assert not noindex_said(page) and NOINDEX_META not in page.content.decode(), location


def test_the_sitemap_is_xml_for_everyone_to_keep_an_hour(client):
    response = client.get("/sitemap.xml", HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Content-Type"].startswith("application/xml")
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
    assert response.cookies == {}
    assert client.post("/sitemap.xml").status_code == 405


def robots(client) -> tuple[str, RobotFileParser]:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    text = response.content.decode()
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return text, parser


@override_settings(HUOLI_PUBLIC_URL=SITE)
def test_robots_txt_keeps_crawlers_to_the_public_pages(client):
    text, parser = robots(client)
    assert text.startswith("User-agent: *\n")
    assert parser.site_maps() == [f"{SITE}/sitemap.xml"]
    for code in LANGUAGES:
        for path in ("conversation/", "return/", "message/", "call-back/"):
            assert f"\nDisallow: /{code}/{path}\n" in text
            assert not parser.can_fetch("*", f"{SITE}/{code}/{path}")
        assert not parser.can_fetch("*", f"{SITE}/{code}/call-back/cancel/")
        assert not parser.can_fetch("*", f"{SITE}/{code}/chat/start/")
    assert not parser.can_fetch("*", f"{SITE}/console/")
    assert not parser.can_fetch("*", f"{SITE}/console/login/")
    for location in sitemap_urls(client):
        assert parser.can_fetch("*", location), location
    assert parser.can_fetch("*", f"{SITE}/static/public/public.css")


def test_robots_txt_names_the_sitemap_where_it_was_asked_without_a_public_address(client):
    _text, parser = robots(client)
    assert parser.site_maps() == ["http://testserver/sitemap.xml"]
