import pytest
from django.core.management import CommandError, call_command

from huoli.accounts.models import CounsellorProfile, User
from huoli.helpline.models import LineNumber

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_complete(demo_mode):
    call_command("demo_data", verbosity=0)
    call_command("demo_data", verbosity=0)
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"counsellor", "counsellor2", "supervisor", "admin", "analyst"}
    assert all(u.is_demo and u.check_password("demo-password") for u in users.values())
    assert {u: users[u].role for u in users} == {
        "counsellor": "counsellor",
        "counsellor2": "counsellor",
        "supervisor": "supervisor",
        "admin": "administrator",
        "analyst": "analyst",
    }
    assert CounsellorProfile.objects.get(user__username="counsellor").languages == ["fi", "en"]
    assert CounsellorProfile.objects.get(user__username="counsellor2").languages == [
        "fi",
        "sv",
        "ar",
    ]


def test_demo_data_refuses_outside_demo_mode(no_demo_mode):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo_data", verbosity=0)
    assert not User.objects.exists()


def test_demo_accounts_can_be_deleted(demo_mode):
    call_command("demo_data", verbosity=0)
    call_command("demo_data", "--delete", verbosity=0)
    assert not User.objects.filter(is_demo=True).exists()
    assert not LineNumber.objects.exists()


def test_the_demo_line_number_is_printed_for_every_language_once(demo_mode, client):
    call_command("demo_data", verbosity=0)
    call_command("demo_data", verbosity=0)
    assert [(n.number, n.language) for n in LineNumber.objects.all()] == [("+358 800 000 000", "")]
    assert 'href="tel:+358800000000"' in client.get("/ar/").content.decode()


def test_the_demo_keeps_a_line_number_the_administrators_set(demo_mode):
    LineNumber.objects.create(number="+358 9 123 4567", language="fi")
    call_command("demo_data", verbosity=0)
    call_command("demo_data", "--delete", verbosity=0)
    assert [n.number for n in LineNumber.objects.all()] == ["+358 9 123 4567"]


def test_demo_contacts_fill_the_statistics_once_and_go_with_the_accounts(demo_mode):
    from datetime import timedelta

    from django.utils import timezone

    from huoli.cases.models import Case
    from huoli.contacts.models import ContactRecord
    from huoli.reports.selectors import report_for

    call_command("demo_data", "--with-contacts", verbosity=0)
    call_command("demo_data", "--with-contacts", verbosity=0)
    assert ContactRecord.objects.count() == 150
    assert Case.objects.count() == 10
    today = timezone.localdate()
    report = report_for(today - timedelta(days=200), today)
    assert report.contacts.text == "150"
    # The last full quarter is on the public statistics page, and goes with the accounts.
    from huoli.reports.models import PublishedQuarter

    published = PublishedQuarter.objects.get()
    assert published.has_ended() and published.published_by.is_demo
    call_command("demo_data", "--delete", verbosity=0)
    assert not ContactRecord.objects.exists() and not Case.objects.exists()
    assert not PublishedQuarter.objects.exists()


def test_demo_chats_and_messages_have_conversations_and_messages_behind_their_records(
    demo_mode,
):
    from django.db import connection

    from huoli.accounts.models import CounsellorProfile
    from huoli.contacts.models import ContactRecord
    from huoli.conversations.models import Conversation, Message

    call_command("demo_data", "--with-contacts", verbosity=0)
    written = ContactRecord.objects.filter(channel__in=["chat", "message"])
    assert written.count() >= 20
    for record in written.select_related("conversation"):
        conversation = record.conversation
        assert conversation is not None, "a chat or message record without its conversation"
        assert conversation.status == Conversation.Status.ENDED
        assert conversation.kind == record.channel
        assert record.status == ContactRecord.Status.COMPLETE
        assert record.counsellor_id == conversation.counsellor_id
        assert record.language == conversation.language
        speaks = CounsellorProfile.objects.get(user=record.counsellor).languages
        assert conversation.language in speaks
        senders = [m.sender for m in conversation.messages.all()]
        assert senders[0] == "visitor" and "counsellor" in senders
        assert conversation.created_at <= conversation.taken_at < conversation.ended_at
        assert record.started_on < timezone_today()
    languages = set(written.values_list("language", flat=True))
    assert {"fi", "sv", "en", "ar"} <= languages
    # The bodies were written like real ones: encrypted at rest, read back as text.
    arabic = Message.objects.filter(conversation__language="ar", sender="visitor").first()
    assert "ابن" in arabic.body or "ابني" in arabic.body or "ابنت" in arabic.body
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {Message._meta.db_table}")  # noqa: S608
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "Poikani" not in stored and "teacher" not in stored and "ابني" not in stored
    # Nobody is left on duty by the loader.
    assert not CounsellorProfile.objects.filter(on_duty=True).exists()


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def test_demo_canned_responses_in_the_staff_languages_and_some_in_arabic_once(demo_mode):
    from huoli.conversations.models import CannedResponse, CannedText

    call_command("demo_data", verbosity=0)
    call_command("demo_data", verbosity=0)
    responses = list(CannedResponse.objects.prefetch_related("texts"))
    assert len(responses) >= 3
    assert len({r.title for r in responses}) == len(responses)
    for response in responses:
        texts = {text.language: text.text for text in response.texts.all()}
        assert response.active and {"fi", "sv", "en"} <= set(texts)
        assert len(set(texts.values())) == len(texts)
    assert any("ar" in {t.language for t in r.texts.all()} for r in responses)
    own = CannedResponse.objects.create(title="Oma")
    CannedText.objects.create(response=own, language="fi", text="Oma vastaus")
    changed = responses[0]
    changed.texts.filter(language="fi").update(text="Muokattu")
    call_command("demo_data", "--delete", verbosity=0)
    assert set(CannedResponse.objects.all()) == {own, changed}


@pytest.mark.django_db(transaction=True)  # the purge checkpoints SQLite's log
def test_the_default_period_shows_chat_figures_after_make_runs_purge(demo_mode):
    """`make run` loads the demo and purges: the analyst's first view (the last full
    quarter) shows real chat figures, not only "<5" and "—"."""
    from django.utils import translation

    from huoli.reports.forms import RangeForm
    from huoli.reports.selectors import report_for

    call_command("demo_data", "--with-contacts", verbosity=0)
    call_command("purge", verbosity=0)
    form = RangeForm({})
    assert form.is_valid(), form.errors
    start, end = form.cleaned_data["range"]
    with translation.override("en"):
        report = report_for(start, end)
    levels = dict(report.service_levels)
    answered = levels["Chats answered"]
    assert not answered.hidden and int(answered.text) >= 5
    assert levels["Median wait"] != "—" and levels["Median chat length"] != "—"
    channel = next(t for t in report.tables if t.key == "channel")
    chat = dict(channel.rows)["Chat"]
    assert not chat.hidden and int(chat.text) >= 5


def test_a_second_load_adds_nothing(demo_mode):
    from huoli.cases.models import Case
    from huoli.contacts.models import ContactRecord
    from huoli.conversations.models import CannedResponse, Conversation, Message
    from huoli.core.models import AuditEntry

    models = [AuditEntry, CannedResponse, Case, ContactRecord, Conversation, Message, User]
    call_command("demo_data", "--with-contacts", verbosity=0)
    first = {model.__name__: model.objects.count() for model in models}
    assert first["Conversation"] >= 20 and first["Message"] >= 100
    call_command("demo_data", "--with-contacts", verbosity=0)
    assert {model.__name__: model.objects.count() for model in models} == first
    call_command("demo_data", "--delete", verbosity=0)
    assert not Conversation.objects.exists() and not Message.objects.exists()
    assert not CannedResponse.objects.exists()


def test_the_demo_campaign_code_and_its_counts(demo_mode):
    from huoli.outreach.models import Campaign, CampaignCount

    call_command("demo_data", verbosity=0)
    koulu = Campaign.objects.get()
    assert (koulu.code, koulu.name, koulu.active) == ("koulu", "Schools in Helsinki", True)
    assert not CampaignCount.objects.exists()
    call_command("demo_data", "--with-contacts", verbosity=0)
    # Some of the made-up chats and messages came by the schools' links, in their months.
    counted = sum(CampaignCount.objects.values_list("count", flat=True))
    assert 5 <= counted <= 40 and CampaignCount.objects.values("month").distinct().count() >= 3
    call_command("demo_data", "--with-contacts", verbosity=0)
    assert sum(CampaignCount.objects.values_list("count", flat=True)) == counted
    call_command("demo_data", "--delete", verbosity=0)
    assert not Campaign.objects.exists() and not CampaignCount.objects.exists()
