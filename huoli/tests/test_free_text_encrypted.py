"""Every text column of every model is either encrypted or on this list with its reason
(promise 3, docs/design.md). A new free-text field fails here until it is an ``EncryptedTextField``
or someone writes down why its content is not what a family or a counsellor wrote."""

from django.apps import apps
from django.db import models

from huoli.core.fields import EncryptedTextField

NOT_FREE_TEXT = {
    # Django and third-party apps: no visitor or counsellor writes into these.
    "admin.LogEntry.object_id": "a primary key",
    "admin.LogEntry.object_repr": "an object's name in the admin (types and numbers, no notes)",
    "admin.LogEntry.change_message": "which fields an administrator changed, not their values",
    "auth.Permission.name": "Django's fixed permission names",
    "auth.Permission.codename": "Django's fixed permission codes",
    "auth.Group.name": "a role name chosen by administrators",
    "contenttypes.ContentType.app_label": "a code",
    "contenttypes.ContentType.model": "a code",
    "sessions.Session.session_key": "a random key",
    "sessions.Session.session_data": "staff sessions: ids and flags, signed; no visitor data",
    "otp_totp.TOTPDevice.name": "the device's label ('default')",
    "otp_totp.TOTPDevice.key": "a two-factor secret, not text (whoever reads it still needs "
    "the password)",
    # Staff accounts: staff are not anonymous and their names are shown to visitors anyway.
    "accounts.User.password": "an Argon2 hash",
    "accounts.User.username": "a staff username",
    "accounts.User.first_name": "a staff member's name",
    "accounts.User.last_name": "a staff member's name",
    "accounts.User.email": "a staff member's work address",
    "accounts.User.role": "a code from a fixed list",
    "accounts.CounsellorProfile.display_name": "the first name a counsellor shows to visitors",
    "accounts.CounsellorProfile.languages": "language codes",
    # The audit log: codes, ids and structured details (never a text someone typed).
    "core.AuditEntry.actor_username": "a staff username",
    "core.AuditEntry.action": "a code from a fixed list",
    "core.AuditEntry.object_type": "a code",
    "core.AuditEntry.object_id": "an id or case number",
    "core.AuditEntry.data": "ids, codes, counts and dates written by the code",
    "core.AuditEntry.previous_hash": "a hash",
    "core.AuditEntry.hash": "a hash",
    "core.AuditCheckpoint.through_hash": "a hash",
    # The line's own published texts.
    "helpline.OpeningException.note": "a public note on opening hours, e.g. 'Midsummer'",
    "helpline.InfoPage.language": "a language code",
    "helpline.InfoPage.slug": "a public page address",
    "helpline.InfoPage.title": "a public information page",
    "helpline.InfoPage.summary": "a public information page",
    "helpline.InfoPage.body": "a public information page",
    "helpline.QuickExit.destination": "a public web address administrators choose",
    "calls.CallLine.number": "the line's own public telephone number",
    "calls.CallbackRequest.outcome": "a code from a fixed list",
    "calls.CallbackRequest.windows": "two-hour times from a fixed list, emptied when it closes",
    # Conversations: codes and hashes; the content is encrypted.
    "conversations.Conversation.kind": "a code from a fixed list",
    "conversations.Conversation.status": "a code from a fixed list",
    "conversations.Conversation.language": "a language code",
    "conversations.Conversation.return_code_hash": "a keyed Argon2id hash",
    "conversations.Conversation.visitor_token_hash": "a SHA-256 of a random token",
    "conversations.Conversation.flag_reason": "a code from a fixed list",
    "conversations.Message.sender": "a code from a fixed list",
    "conversations.Message.author_name": "the counsellor's display name",
    "conversations.Message.client_id": "a random id made by the sender's page",
    "conversations.StaffNote.author_name": "the staff member's display name",
    "conversations.StaffNote.client_id": "a random id made by the writer's page",
    "conversations.Feedback.answer": "a code from a fixed list",
    # Calls: the number and the SIP call id only as keyed hashes (decision 0035).
    "calls.Call.line": "a language code",
    "calls.Call.source": "a code from a fixed list",
    "calls.Call.outcome": "a code from a fixed list",
    "calls.Call.ref_hash": "an HMAC of the SIP call id under the caller key",
    "calls.Call.caller_hash": "an HMAC of the caller's number under the caller key",
    "calls.Call.rang_users": "staff ids",
    "calls.Call.declined_users": "staff ids",
    "conversations.CannedResponse.title": "a ready answer written by administrators",
    "conversations.CannedText.language": "a language code",
    "conversations.CannedText.text": "a ready answer written by administrators",
    # Contact records: lists and codes; the texts are encrypted.
    "contacts.ListEntry.kind": "a code from a fixed list",
    "contacts.ListEntry.code": "a code",
    "contacts.ListEntry.name_fi": "a list entry's name",
    "contacts.ListEntry.name_sv": "a list entry's name",
    "contacts.ListEntry.name_en": "a list entry's name",
    "contacts.ContactRecord.channel": "a code from a fixed list",
    "contacts.ContactRecord.status": "a code from a fixed list",
    "contacts.ContactRecord.language": "a language code",
    "contacts.ContactRecord.minor": "yes, no or unknown",
    "contacts.ContactRecord.person_language": "a language code",
    "contacts.ContactRecord.recent_conversion": "yes, no or unknown",
    "contacts.ContactRecord.interpreter_language": "a language code",
    # Cases: numbers and codes; the texts are encrypted.
    "cases.Case.number": "a short random number",
    "cases.Case.status": "a code from a fixed list",
    # Escalations: codes; the texts are encrypted.
    "escalations.Escalation.status": "a code from a fixed list",
    "supervision.DebriefRequest.status": "a code from a fixed list",
    "escalations.Escalation.decision": "a code from a fixed list",
    # The service directory is public data about services, not about families.
    "directory.Service.name_fi": "service directory (public)",
    "directory.Service.name_sv": "service directory (public)",
    "directory.Service.name_en": "service directory (public)",
    "directory.Service.description_fi": "service directory (public)",
    "directory.Service.description_sv": "service directory (public)",
    "directory.Service.description_en": "service directory (public)",
    "directory.Service.other_languages": "service directory (public)",
    "directory.Service.category": "a code from a fixed list",
    "directory.Service.municipality": "service directory (public)",
    "directory.Service.languages_served": "language codes",
    "directory.Service.phone": "a service's public number",
    "directory.Service.key": "a fixed identifier for the CSV import",
    "directory.Service.web_address": "a service's public address",
    "directory.Service.street_address": "service directory (public)",
    "directory.Service.opening_hours": "service directory (public)",
    "directory.Service.ages_served": "service directory (public)",
    "directory.Service.search_text": "folded copy of the public fields for search",
    "directory.Service.name_text": "folded copy of the public names for search",
    "directory.Referral.category": "a code from a fixed list",
    "directory.Referral.outcome": "a code from a fixed list",
    # Quality reviews: criteria written by administrators and codes; the feedback is encrypted.
    "supervision.ReviewCriterion.code": "a code",
    "supervision.ReviewCriterion.name_fi": "a review criterion's name",
    "supervision.ReviewCriterion.name_sv": "a review criterion's name",
    "supervision.ReviewCriterion.name_en": "a review criterion's name",
    "supervision.Review.origin": "a code from a fixed list",
    "supervision.ReviewRating.rating": "a code from a fixed list",
    # Reaching families (issue 19): what the public pages and partner materials print.
    "helpline.LineNumber.number": "the line's public number",
    "helpline.LineNumber.language": "a language code",
    "outreach.Campaign.code": "a campaign code printed on partners' materials",
    "outreach.Campaign.name": "who uses a campaign code (a partner, not a person)",
    "reports.PublishedQuarter.figures": "the published statistics' texts (public)",
}

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _text_columns():
    for model in apps.get_models():
        if model._meta.app_label == "core_testapp":
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and not isinstance(field, EncryptedTextField):
                yield f"{model._meta.label}.{field.name}"


def test_every_free_text_column_is_encrypted_or_listed_with_a_reason():
    plain = set(_text_columns())
    unexplained = sorted(plain - NOT_FREE_TEXT.keys())
    assert not unexplained, (
        f"free text stored in plain, neither encrypted nor listed: {unexplained}"
    )
    assert all(reason.strip() for reason in NOT_FREE_TEXT.values())


def test_the_list_names_only_columns_that_exist_and_are_not_encrypted():
    stale = sorted(NOT_FREE_TEXT.keys() - set(_text_columns()))
    assert not stale, f"listed but not a plain text column (remove from the list): {stale}"
