"""Writes about the directory: sharing a service card into a conversation, recording a
referral on a contact record, CSV export and an all-or-nothing CSV import."""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, Message
from huoli.conversations.services.messages import message_post
from huoli.core.policy import may_write
from huoli.core.spreadsheet import neutralise, unneutralise
from huoli.directory.forms import BOOLEAN_FIELDS, ServiceForm
from huoli.directory.models import SHARED_CARD_PREFIX, Referral, Service

CARD_LANGUAGES = ("fi", "sv", "en")


def service_card(service: Service, language: str) -> str:
    """The service as plain text in the visitor's language (English when we have no texts
    in it), as it appears in the conversation."""
    ui_language = language if language in CARD_LANGUAGES else "en"
    with translation.override(ui_language):
        lines = [service.text_in(language, "name"), service.text_in(language, "description")]
        for label, value in (
            (_("Phone"), service.phone),
            (_("Web"), service.web_address),
            (_("Address"), service.street_address),
            (_("Opening hours"), service.opening_hours),
        ):
            if value:
                lines.append(f"{label}: {value}")
        if service.accepts_anonymous:
            lines.append(_("You can stay anonymous."))
        if not service.referral_needed:
            lines.append(_("No referral needed."))
    return "\n".join(line for line in lines if line)


def service_share(
    *, service: Service, conversation: Conversation, by: User, confirmed: bool = False
) -> Message:
    """Put the service card into the conversation as the counsellor's message. A card with
    warnings (``Service.share_warnings``: verify before use, no phone number or address) is
    shared only once the counsellor has confirmed it (``confirmed``)."""
    if not may_write(by, conversation):
        raise ConversationError(
            "read_only", _("Only the counsellor answering this conversation can write.")
        )
    warnings = service.share_warnings
    if warnings and not confirmed:
        raise ConversationError(
            "confirm_needed",
            " ".join([*warnings, _("Confirm to share it anyway.")]),
        )
    message, _created = message_post(
        conversation=conversation,
        sender=Message.Sender.COUNSELLOR,
        author=by,
        client_id=f"{SHARED_CARD_PREFIX}{service.pk}-{secrets.token_hex(4)}",
        body=service_card(service, conversation.language),
    )
    return message


REFERRAL_ACTIONS = {
    Referral.Outcome.MADE: "referral_made",
    Referral.Outcome.DECLINED: "referral_declined",
}


@transaction.atomic
def referral_record(*, record: ContactRecord, service: Service, outcome: str, by: User) -> Referral:
    """Record the service as referred on the contact record (once per service; a second
    answer changes the outcome) and tick the matching action."""
    if outcome not in Referral.Outcome.values:
        raise ConversationError("outcome_invalid", _("Choose whether the family agreed."))
    referral, _created = Referral.objects.update_or_create(
        record=record,
        service=service,
        defaults={"outcome": outcome, "category": service.category, "created_by": by},
    )
    action = ListEntry.objects.filter(kind="action", code=REFERRAL_ACTIONS[outcome]).first()
    if action is not None:
        record.actions.add(action)
    return referral


# --- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = ServiceForm.Meta.fields


def _cell(value) -> str:
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list):
        text = " ".join(value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    elif value is None:
        text = ""
    else:
        text = str(value)
    # A spreadsheet must not run a cell as a formula; the import takes the quote off again.
    return neutralise(text)


def services_export_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for service in Service.objects.order_by("key"):
        writer.writerow([_cell(getattr(service, name)) for name in CSV_COLUMNS])
    return out.getvalue()


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    # (row number as a spreadsheet shows it, column or "", message)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _uncell(text: str) -> str:
    return unneutralise((text or "").strip())


def _form_data(row: dict) -> dict:
    data = {}
    for name in CSV_COLUMNS:
        value = _uncell(row.get(name, ""))
        if name in BOOLEAN_FIELDS:
            data[name] = "on" if value.lower() in ("yes", "true", "1", "kyllä", "ja") else ""
        elif name == "languages_served":
            data[name] = json.dumps(value.replace(",", " ").split())
        elif name == "other_languages":
            data[name] = value or "{}"
        else:
            data[name] = value
    return data


def services_import_csv(content: bytes | str) -> ImportReport:
    """Check every row; import all of them, or none when any row has an error."""
    report = ImportReport()
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.errors.append((0, "", _("The file is not UTF-8 text. Save it as CSV UTF-8.")))
            return report
    reader = csv.DictReader(io.StringIO(content))
    missing = [name for name in CSV_COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(
            (1, "", _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return report
    existing = {service.key: service for service in Service.objects.all()}
    forms, seen = [], set()
    for number, row in enumerate(reader, start=2):
        data = _form_data(row)
        form = ServiceForm(data, instance=existing.get(data["key"]))
        if data["key"] in seen:
            report.errors.append((number, "key", _("This key is already on an earlier row.")))
        seen.add(data["key"])
        if not form.is_valid():
            for column, messages in form.errors.items():
                for message in messages:
                    report.errors.append((number, column if column != "__all__" else "", message))
        forms.append(form)
    if report.errors:
        return report
    with transaction.atomic():
        for form in forms:
            if form.instance.pk:
                report.updated += 1
            else:
                report.created += 1
            form.save()
    return report
