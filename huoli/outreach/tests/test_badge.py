"""The partner badge: its image in every visitor language and the HTML a partner pastes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from huoli.outreach.models import Campaign
from huoli.outreach.selectors import badge_facts, badge_snippet, badge_svg, home_address

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_badge_says_the_lines_name_in_the_language(language):
    svg = ET.fromstring(badge_svg(language))  # noqa: S314 (our own text)
    facts = badge_facts(language)
    assert svg.tag == f"{SVG}svg"
    assert (svg.get("width"), svg.get("height")) == (str(facts.width), str(facts.height))
    assert svg.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    with translation.override(language):
        name = _("Huoli – a helpline for worried families")  # noqa: RUF001
        invitation = _("Chat or leave a message")
    assert svg.find(f"{SVG}title").text == name == facts.alt
    lines = [text.text for text in svg.iter(f"{SVG}text")]
    # The name and the invitation, on two lines each at most, every word once.
    assert " ".join(lines) == f"{name} {invitation}"
    assert len(lines) <= 4
    assert 150 < facts.width <= 360
    group = svg.find(f"{SVG}g")
    assert group.get("text-anchor") == "middle"
    rtl = language in settings.LANGUAGES_BIDI
    assert group.get("direction") == ("rtl" if rtl else None)
    # Nothing but shapes and text: no script, link, image or style to fetch.
    assert {element.tag.removeprefix(SVG) for element in svg.iter()} == {
        "svg", "title", "rect", "g", "text"
    }  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("language", ["so", "ar"])
def test_the_snippet_is_a_link_around_the_image(language):
    campaign = Campaign.objects.create(code="moskeija", name="Mosques")
    parser = _Tags()
    parser.feed(badge_snippet(language, campaign))
    (a_tag, link), (img_tag, image) = parser.tags
    assert (a_tag, img_tag) == ("a", "img")
    assert link == {
        "href": home_address(language) + "?c=moskeija",
        "hreflang": language,
        "rel": "noreferrer",
    }
    facts = badge_facts(language)
    assert image == {
        "src": f"http://127.0.0.1:8000/badge/{language}.svg",
        "width": str(facts.width),
        "height": str(facts.height),
        "alt": facts.alt,
        "lang": language,
        "dir": "rtl" if language == "ar" else "ltr",
        "referrerpolicy": "no-referrer",
    }


def test_without_a_campaign_the_snippet_links_the_plain_front_page(settings):
    settings.HUOLI_PUBLIC_URL = "https://huoli.example"
    parser = _Tags()
    parser.feed(badge_snippet("fi"))
    assert parser.tags[0][1]["href"] == "https://huoli.example/fi/"
    assert parser.tags[1][1]["src"] == "https://huoli.example/badge/fi.svg"
