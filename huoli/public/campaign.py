"""The campaign code a visit carries (issue 19): a partner's link or QR code says
``/fi/?c=koulu``; the public pages keep it in their links and forms during the visit, and the
start of a conversation or call-back counts it (``outreach.services.campaign_count``).

No cookie, no session, nothing in the browser's storage: the code lives only in the address
(``?c=``) and in the forms' hidden field ``c``. Links that carry it: the language switcher,
the header's home link, the home page's ways in (the chat form, "Call us", "Leave a message",
"Ask for a call back"), the information pages and "Where to find help" (and its search form),
and the forms and pages between the home page and a start (the language choice, the waiting
room, the message, call-back and call pages). "Return to a conversation" and the quick exit
do not: they start nothing.

A code that is not well formed is dropped here, so nothing else but lower-case letters,
digits and hyphens (at most 20) is ever put back into a page; an unknown or inactive one is
carried but counts nothing. Neither is logged."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.db import DatabaseError
from django.http import HttpRequest

from huoli.outreach.models import CAMPAIGN_CODE
from huoli.outreach.services import campaign_count

PARAMETER = "c"
_CODE = re.compile(CAMPAIGN_CODE)


def campaign_code(request: HttpRequest) -> str:
    """The visit's campaign code: ``c`` of the address, or of the posted form; "" for none
    or one that is not well formed (upper case is read as lower case: a QR code's letters)."""
    raw = request.GET.get(PARAMETER, "")
    if not raw and request.method == "POST":
        raw = request.POST.get(PARAMETER, "")
    code = raw.strip().lower() if isinstance(raw, str) else ""
    return code if _CODE.fullmatch(code) else ""


def campaign_query(code: str, *, first: bool = True) -> str:
    """``?c=code`` (``&c=code`` after other parameters) to append to a link; "" without."""
    if not code:
        return ""
    return ("?" if first else "&") + urlencode({PARAMETER: code})


def count_start(request: HttpRequest, when=None) -> None:
    """A conversation or call-back started from this request: count its campaign code, if
    it carries an active one. Called only after the start succeeded; never fails the visitor
    (a database fault here loses one count, not the conversation that already started)."""
    code = campaign_code(request)
    if not code:
        return
    try:
        campaign_count(code=code, when=when)
    except DatabaseError:
        # The conversation is there; only this count is lost (and not logged with its code).
        return
