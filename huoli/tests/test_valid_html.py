"""Valid HTML: html-validate (the npm package, with the committed ``.htmlvalidate.json``) finds
no error in the HTML the server sends:

- every public page in every state a visitor can meet (``public_pages``), in Finnish and
  Arabic (right to left) and English;
- every console page each role may open (the URL matrix's list of named URLs), as the demo
  data's counsellor, supervisor, administrator and analyst see them, with state behind them:
  a chat with messages, its record, a case with a follow-up, an escalation, a waiting chat in
  the queue, the statistics of made-up contacts, and forms sent back with errors.

Each batch of pages goes to one html-validate process. Skipped when npm has not installed
html-validate, except in CI, where it must run. Django's own admin pages are not ours and not
checked.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huoli.accounts.models import User
from huoli.accounts.tests.factories import device_confirmed, log_in_with_device
from huoli.contacts.models import ContactRecord
from huoli.conversations.tests.factories import chat_start, chat_taken
from huoli.core.roles import Role
from huoli.helpline.models import LineNumber
from huoli.outreach.models import Campaign
from huoli.supervision.tests.factories import ended_conversation
from huoli.tests.public_pages import public_pages
from huoli.tests.test_url_matrix import case_samples, named_patterns, review_sample, sample_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
CONFIG = ROOT / ".htmlvalidate.json"
# The demo data's accounts, one per role.
DEMO_ROLES = ("counsellor", "supervisor", "admin", "analyst")
ADMIN_KEY = Role.ADMINISTRATOR.value  # the key test_url_matrix.sample_url looks for


# Why each rule of html-validate:recommended is changed in .htmlvalidate.json (JSON has no
# comments; test_every_changed_rule_has_a_reason keeps this list and the file together).
CHANGED_RULES = {
    "doctype-style": "style only: <!doctype html> in lower case is as valid as upper case",
    "no-trailing-whitespace": "style only: template tags leave spaces at line ends, unseen",
    "form-dup-name": "checkboxes share a name too: a multiple choice (Django's "
    "CheckboxSelectMultiple) sends one value per ticked box under one name",
    "aria-label-misuse": "any element whose role may be named by its author may have "
    "aria-label (allowAnyNamable), such as a list of messages; a plain <div> still may not",
}


def test_every_changed_rule_has_a_reason():
    config = json.loads(CONFIG.read_text())
    assert config["extends"] == ["html-validate:recommended"]
    assert set(config["rules"]) == set(CHANGED_RULES)


@pytest.fixture
def html_validate() -> Path:
    if not HTML_VALIDATE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must validate the HTML, but {HTML_VALIDATE} is missing (npm ci)")
        pytest.skip("html-validate is not installed (make test installs it with npm)")
    return HTML_VALIDATE


def html_errors(pages: dict[str, str]) -> list[str]:
    """html-validate's findings on ``pages`` (name: html), one readable line each."""
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for n, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{n:03d}.html"
            path.write_text(html)
            names[str(path)] = (name, html.splitlines())
        # To a file: node cuts a long report piped to stdout when html-validate exits.
        report = Path(folder) / "report.json"
        run = subprocess.run(
            [HTML_VALIDATE, "--config", str(CONFIG), f"--formatter=json={report}", *names],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if run.returncode not in (0, 1) or not report.exists():
            pytest.fail(f"html-validate failed ({run.returncode}): {run.stderr or run.stdout}")
        results = json.loads(report.read_text())
    found = []
    for result in results:
        name, lines = names[result["filePath"]]
        for message in result["messages"]:
            line = message.get("line", 0)
            source = lines[line - 1].strip()[:140] if 0 < line <= len(lines) else ""
            found.append(
                f"{name}, line {line}: {message['ruleId']}: {message['message']}\n    {source}"
            )
    assert found or run.returncode == 0, f"html-validate failed, naming nothing: {run.stderr}"
    return found


def test_html_errors_are_found_and_named(html_validate):
    """The check itself: a page with known errors is reported, by page name and rule."""
    broken = (
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<main><a href="/x" role="button">Go</a><input name="q" id="a"><p id="a">y</p>'
        "</main></body></html>"
    )
    found = "\n".join(html_errors({"broken page": broken}))
    for rule in ("prefer-native-element", "no-dup-id"):
        assert f"broken page, line 1: {rule}" in found, found


@pytest.mark.parametrize("language", ["fi", "ar", "en"])
def test_public_pages_are_valid_html(language, html_validate):
    pages = dict(public_pages(language))
    assert len(pages) > 40
    errors = html_errors({f"/{language}/ {name}": html for name, html in pages.items()})
    assert errors == [], f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def console_pages() -> dict[str, str]:
    """Every console page (named URL) each demo account may open, by role, with state."""
    call_command("demo_data", with_contacts=True, stdout=io.StringIO())
    users = {name: User.objects.get(username=name) for name in DEMO_ROLES}
    clients = {
        name: log_in_with_device(Client(), user, device_confirmed(user))
        for name, user in users.items()
    }
    counsellor = users["counsellor"]
    chat = chat_taken(
        counsellor=counsellor,
        messages=[
            ("visitor", "Poikani puhuu oudoista asioista.\nMitä teen?"),
            ("counsellor", "Kiitos kun kirjoitit. Kerro lisää."),
        ],
    ).conversation
    samples = {ADMIN_KEY: users["admin"], "chat_id": chat.pk}
    samples.update(case_samples(counsellor, chat.pk))
    samples["review_id"] = review_sample(counsellor, users["supervisor"])
    chat_start(language="fi")  # a chat waiting in the queue, shown on the console's home
    pages = {}
    for role, client in clients.items():
        for name, pattern in named_patterns():
            if not name.startswith("console:"):
                continue
            url = sample_url(name, pattern, samples)
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages[f"{role} {url}"] = response.content.decode()
    counsellor_client = clients["counsellor"]
    # A record with no case yet (it offers to start one or add to one), and directory searches.
    caseless = chat_taken(counsellor=counsellor, messages=[("visitor", "Hei")]).conversation
    caseless_record = ContactRecord.objects.get(conversation=caseless)
    for name, url in {
        "counsellor record without a case": reverse(
            "console:record", kwargs={"record_id": caseless_record.pk}
        ),
        "counsellor conversation, earlier messages": reverse(
            "console:conversation", kwargs={"conversation_id": chat.pk}
        )
        + "?before=2",
        "counsellor directory, searched": reverse("console:directory") + "?q=helsinki",
        "counsellor directory results": reverse("console:directory_results") + "?q=a",
        "counsellor conversations, filtered to none": reverse("console:conversation_list")
        + "?language=so&flagged=yes",
        "counsellor conversations, bad filters": reverse("console:conversation_list")
        + "?started_from=2026-03-02&started_to=2026-03-01&case=x",
    }.items():
        response = counsellor_client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    record = reverse("console:record", kwargs={"record_id": samples["record_id"]})
    pages["counsellor record, sent back with errors"] = counsellor_client.post(
        record, {"duration_minutes": "-1", "action": "complete"}
    ).content.decode()
    pages["counsellor new call, sent back with errors"] = counsellor_client.post(
        reverse("console:call_new"), {"duration_minutes": "x"}
    ).content.decode()
    pages.update(review_pages(clients["supervisor"], counsellor))
    # Partner materials with the line's numbers and a campaign chosen (above: the empty state).
    LineNumber.objects.create(number="+358 800 123 456")
    Campaign.objects.get_or_create(code="koulu", defaults={"name": "Koulut"})  # demo data has it
    materials = clients["admin"].get(reverse("console:materials"), {"c": "koulu"})
    assert materials.status_code == 200
    pages["admin partner materials, a campaign chosen"] = materials.content.decode()
    pages["anonymous console login"] = Client().get(reverse("console:login")).content.decode()
    pages["anonymous console login, wrong password"] = (
        Client().post(reverse("console:login"), {"username": "x", "password": "y"}).content.decode()
    )
    return pages


def review_pages(supervisor_client, counsellor) -> dict[str, str]:
    """The review form, empty and sent back with an error, and the conversations to choose."""
    conversation = ended_conversation(counsellor=counsellor)
    month = timezone.localtime(conversation.ended_at).strftime("%Y-%m")
    listing = reverse("console:review_list")
    chosen = supervisor_client.post(
        reverse("console:review_choose"), {"conversation": conversation.pk}
    )
    pages = {
        "supervisor reviews, searched": supervisor_client.get(
            listing, {"counsellor": counsellor.pk, "month": "2026-13"}
        ),
        "supervisor review form": supervisor_client.get(chosen["Location"]),
        "supervisor review form, sent back with an error": supervisor_client.post(
            chosen["Location"], {"action": "share", "feedback": "x"}
        ),
    }
    ended_conversation(counsellor=counsellor)
    pages["supervisor reviews, conversations to choose"] = supervisor_client.get(
        listing, {"counsellor": counsellor.pk, "month": month}
    )
    for name, response in pages.items():
        assert response.status_code in (200, 400), (name, response.status_code)
    return {name: response.content.decode() for name, response in pages.items()}


def test_console_pages_are_valid_html(demo_mode, html_validate):
    pages = console_pages()
    assert len(pages) > 40, sorted(pages)
    errors = html_errors(pages)
    assert errors == [], f"{len(errors)} HTML errors:\n" + "\n".join(errors)
