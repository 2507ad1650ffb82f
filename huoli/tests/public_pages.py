"""Every public page in every state a visitor can meet, rendered in one language: used by the
translation test (nothing left untranslated) and by the accessibility tests' page list."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone, translation

from huoli.conversations import selectors
from huoli.conversations.models import Conversation
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import (
    conversation_end,
    conversation_flag,
    conversation_take,
)
from huoli.conversations.services.start import conversation_start
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.core.error_views import database_unavailable, server_error
from huoli.helpline.models import FloodSwitch, LineNumber
from huoli.helpline.services import opening_hours_around_the_clock
from huoli.helpline.tests.factories import OpeningHoursFactory
from huoli.reports.forms import last_full_quarter
from huoli.reports.models import PublishedQuarter

# The counsellor the walk's visitors meet: a fixed name, the same in every language (a random
# one could turn up on two language walks and read as untranslated, or not, by chance).
COUNSELLOR_NAME = "Aino"

# Text that is the same in every language: names, numbers, punctuation.
SAME_EVERYWHERE = re.compile(
    rf"^(Huoli|112|Helsinki|{COUNSELLOR_NAME}|(https?://|www\.)\S+|[\d\s.,:;()\-–—·/+×<>%]*)$"  # noqa: RUF001
)


@dataclass
class PageText:
    """The visible texts of a page, each with the language it is marked as."""

    texts: list[tuple[str, str]] = field(default_factory=list)  # (language, text)


class _Collector(HTMLParser):
    """Text nodes and human-facing attributes, with the nearest ``lang`` above them."""

    VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "area", "col"}
    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, lang)
        self.found = PageText()
        self.skip = 0

    @property
    def lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang") or self.lang
        for name in self.ATTRIBUTES:
            if attributes.get(name):
                self.found.texts.append((lang, attributes[name]))
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.found.texts.append((lang, attributes.get("value", "")))
        if tag in self.VOID:
            return
        if tag in ("script", "style"):
            self.skip += 1
        self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            popped, _lang = self.stack.pop()
            if popped in ("script", "style"):
                self.skip -= 1
            if popped == tag:
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:
            self.found.texts.append((self.lang, text))


def page_texts(html: str) -> PageText:
    collector = _Collector()
    collector.feed(html)
    found = collector.found
    # The live chat's texts travel as JSON in the page (chat.js shows them).
    for match in re.finditer(
        r'<script id="chat-texts" type="application/json">(.*?)</script>', html
    ):
        page_lang = re.search(r'<html lang="([^"]+)"', html).group(1)
        for value in json.loads(match.group(1)).values():
            found.texts.append((page_lang, value))
    return found


def public_pages(language: str) -> Iterator[tuple[str, str]]:
    """(name, html) for every public page state, rendered in ``language``. Needs a database
    (each call adds conversations; names keep them apart)."""
    cache.clear()
    client = Client()
    prefix = f"/{language}"
    # The line's numbers at the top of every page: one for every language, one for Arabic.
    LineNumber.objects.get_or_create(number="+358 800 000 000", language="")
    LineNumber.objects.get_or_create(number="+358 9 123 4567", language="ar")

    def get(path, **kwargs):
        return client.get(prefix + path, **kwargs).content.decode()

    def post(path, data):
        return client.post(prefix + path, data).content.decode()

    yield "home, chat closed", get("/")
    yield "chat asked for while closed", post("/chat/start/", {"language": "fi"})
    later = timezone.localtime() + dt.timedelta(days=2)
    hours = OpeningHoursFactory(weekday=later.weekday(), opens=dt.time(9), closes=dt.time(15))
    yield "home, closed, opens later", get("/")
    hours.delete()
    opening_hours_around_the_clock()
    yield "home, open but nobody on duty", get("/")
    counsellor = open_line_with_counsellor(languages=["fi", "en"], first_name=COUNSELLOR_NAME)
    yield "home, chat open", get("/")
    # A partner's link: the campaign code in the links and forms (public/campaign.py).
    yield "home, chat open, from a partner's link", get("/", data={"c": "koulu"})
    yield "leave a message, from a partner's link", get("/message/", data={"c": "koulu"})
    with override_settings(HUOLI_TELEPHONY=True):
        yield "call us, nobody takes calls", get("/call/")
        profile = counsellor.counsellor_profile
        profile.takes_calls = True
        profile.save(update_fields=["takes_calls"])
        yield "home, calls open", get("/")
        yield "call us", get("/call/")
        profile.takes_calls = False
        profile.save(update_fields=["takes_calls"])
    yield (
        "no counsellor speaks the language",
        post("/chat/start/", {"language": "so", "nickname": ""}),
    )
    yield (
        "no counsellor speaks the language, from a partner's link",
        post("/chat/start/", {"language": "so", "nickname": "", "c": "koulu"}),
    )
    switch = FloodSwitch.current()
    switch.on = True
    switch.save()
    yield "home, flood protection on", get("/")
    room = post("/chat/start/", {"language": "fi", "language_confirmed": "1"})
    yield "waiting room", room
    ticket = re.search(r'name="ticket" value="([^"]+)"', room).group(1)
    yield (
        "waiting room, too early",
        post("/chat/start/", {"language": "fi", "language_confirmed": "1", "ticket": ticket}),
    )
    yield "leave a message, flood protection on", get("/message/")
    waiting = {"body": f"{language} 2", "language": "fi", "client_id": "w"}
    yield "leave a message, waiting", post("/message/", waiting)
    for _more in range(settings.HUOLI_FLOOD_TICKETS["per_source"]):
        last = post("/chat/start/", {"language": "fi", "language_confirmed": "1"})
    yield "too many waiting", last
    switch.on = False
    switch.save()

    yield "leave a message", get("/message/")
    yield "leave a message, errors", post("/message/", {"body": "", "language": "xx"})
    yield (
        "leave a message, too long",
        post("/message/", {"body": f"{language} " * 2000, "language": "fi", "client_id": "c"}),
    )
    client.post(
        prefix + "/message/",
        {"body": f"Huoli {language} 1", "language": "so", "client_id": "c1", "nickname": ""},
    )
    yield "written message, code shown, interpreter", get("/conversation/")
    mine = Conversation.objects.order_by("-pk").first()
    conversation_take(counsellor=counsellor, conversation_id=mine.pk)
    message_post(
        conversation=mine,
        sender="counsellor",
        author=counsellor,
        client_id=f"a-{language}",
        body=f"Vastaus {language}",
    )
    yield "written message answered", get("/conversation/")
    with mock.patch.object(selectors, "MESSAGES_PER_PAGE", 1):
        yield "written message, earlier messages not shown", get("/conversation/")
        yield "earlier messages", get("/conversation/?before=2")
    yield "send without text", post("/conversation/send/", {"body": "", "client_id": "c2"})

    chat = Client()
    chat.post(prefix + "/chat/start/", {"language": "fi", "nickname": ""})
    yield "chat, waiting in the queue", chat.get(prefix + "/conversation/").content.decode()
    started = Conversation.objects.order_by("-pk").first()
    conversation_take(counsellor=counsellor, conversation_id=started.pk)
    yield "chat, talking", chat.get(prefix + "/conversation/").content.decode()
    conversation_end(conversation=started, ended_by="counsellor", by=counsellor)
    yield "chat ended, feedback asked", chat.get(prefix + "/conversation/").content.decode()
    chat.post(prefix + "/conversation/feedback/", {"answer": "yes"})
    yield "chat ended, feedback given", chat.get(prefix + "/conversation/").content.decode()

    callback = Client()
    form = callback.get(prefix + "/call-back/").content.decode()
    yield "call-back form", form
    yield (
        "call-back form, errors",
        callback.post(
            prefix + "/call-back/", {"number": "x", "language": "fi", "may_say_helpline": "no"}
        ).content.decode(),
    )
    first = re.search(r'<option value="(\d{4}-\d\d-\d\d/\d+)"', form).group(1)
    callback.post(
        prefix + "/call-back/",
        {"number": "040 123 4567", "language": "fi", "may_say_helpline": "no", "time_1": first},
    )
    yield "call-back, code shown, waiting", callback.get(prefix + "/conversation/").content.decode()
    callback.post(prefix + "/call-back/cancel/")
    yield "call-back cancelled", callback.get(prefix + "/conversation/").content.decode()

    yield "return", get("/return/")
    yield "return, malformed code", post("/return/", {"code": "12"})
    yield "return, unknown code", post("/return/", {"code": "1234 5678 1234 5678"})
    blocked = conversation_start(kind="message", language="fi", first_message="x")
    conversation_flag(
        conversation=blocked.conversation, by=counsellor, reason="automated", block_code=True
    )
    yield "return, blocked code", post("/return/", {"code": blocked.return_code})
    for attempt in range(12):
        last = post("/return/", {"code": f"{attempt:016d}"})
    yield "return, too many attempts", last
    busy_limits = {**settings.HUOLI_RETURN_CODE_LIMITS, "site_attempts": 1}
    with override_settings(HUOLI_RETURN_CODE_LIMITS=busy_limits):
        elsewhere = Client(REMOTE_ADDR="192.0.2.44")
        yield "return, many guesses", elsewhere.get(prefix + "/return/").content.decode()
        waited = elsewhere.post(prefix + "/return/", {"code": "1234 5678 1234 5678"})
        yield "return, many guesses, waiting", waited.content.decode()

    yield "no conversation on this device", Client().get(prefix + "/conversation/").content.decode()
    yield "services", get("/services/")
    yield "services, nothing found", get("/services/", data={"q": "zzzzqqq"})
    yield "information pages", get("/info/")
    for slug in ("signs", "talking", "contact", "safety", "professionals"):
        yield f"information: {slug}", get(f"/info/{slug}/")
    yield "statistics, nothing published", get("/statistics/")
    year, quarter = last_full_quarter(timezone.localdate())
    PublishedQuarter.objects.create(year=year, quarter=quarter)
    yield "statistics", get("/statistics/")
    yield "page not found", get("/no-such-page/")
    request = RequestFactory().get(prefix + "/")
    with translation.override(language):
        yield "database away", database_unavailable(request).content.decode()
        yield "server error", server_error(request).content.decode()
