"""Demo chats and written messages with their completed records, made the way a real one is:
started, taken, written in and ended through the conversation services (so bodies and
nicknames are encrypted and bound to their rows, records are made and completed by their
services, completions audited), then moved back to the day the demo gives them."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.utils import timezone

from huoli.accounts.models import CounsellorProfile, User
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.contacts.services import contact_record_complete
from huoli.conversations import return_codes
from huoli.conversations.models import CannedResponse, CannedText, Conversation, Message
from huoli.conversations.services.messages import MessagePost, messages_post
from huoli.conversations.services.queue import conversation_end, conversation_take, duty_set
from huoli.conversations.services.start import conversation_start
from huoli.demo.dialogues import CANNED_RESPONSES, COUNSELLOR, DIALOGUES, Dialogue
from huoli.escalations.services import contact_record_save


def demo_canned_responses() -> int:
    """The demo's canned responses, each with its texts, when there are none yet (an
    administrator's own, or the demo's of an earlier run, are left as they are)."""
    if CannedResponse.objects.exists():
        return 0
    for i, (title, texts) in enumerate(CANNED_RESPONSES):
        response = CannedResponse.objects.create(title=title, order=10 * (i + 1))
        CannedText.objects.bulk_create(
            CannedText(response=response, language=language, text=text)
            for language, text in texts.items()
        )
    return len(CANNED_RESPONSES)


def demo_canned_responses_delete() -> None:
    """Only the demo's own, as it wrote them: an administrator's stay (also one whose texts
    an administrator has changed)."""
    for title, texts in CANNED_RESPONSES:
        for response in CannedResponse.objects.filter(title=title).prefetch_related("texts"):
            if {text.language: text.text for text in response.texts.all()} == texts:
                response.delete()


def speakers(counsellors: list[User], language: str) -> list[User]:
    """The demo counsellors who speak ``language`` (all of them when nobody does)."""
    profiles = {
        p.user_id: p.languages or [] for p in CounsellorProfile.objects.filter(user__in=counsellors)
    }
    return [c for c in counsellors if language in profiles.get(c.pk, [])] or counsellors


class OnDuty:
    """Puts a counsellor on duty for the conversations they answer (a chat starts only while
    someone is, and only someone on duty takes one) and back off afterwards, as they were."""

    def __init__(self):
        self.were = {}

    def ensure(self, user: User) -> None:
        profile = CounsellorProfile.objects.get(user=user)
        self.were.setdefault(user.pk, (user, profile.on_duty))
        if not profile.on_duty:
            duty_set(user=user, on_duty=True)

    def restore(self) -> None:
        for user, was in self.were.values():
            if not was:
                duty_set(user=user, on_duty=False)


def pick_dialogue(rng: random.Random, kind: str) -> Dialogue:
    return rng.choice([d for d in DIALOGUES if d.kind == kind])


def demo_conversation(
    *,
    dialogue: Dialogue,
    counsellor: User,
    started: dt.datetime,
    fields: dict,
    concerns: list,
    actions: list,
    rng: random.Random,
) -> ContactRecord:
    """One ended conversation of ``dialogue`` answered by ``counsellor``, with its completed
    contact record, moved back to ``started``. The caller has put ``counsellor`` on duty."""
    access = conversation_start(
        kind=dialogue.kind,
        language=dialogue.language,
        nickname=dialogue.nickname,
        first_message=dialogue.lines[0][1] if dialogue.kind == "message" else "",
    )
    conversation = conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    lines = dialogue.lines[1:] if dialogue.kind == "message" else dialogue.lines
    visitor = return_codes.token_hash(access.token)
    # One batch, as the socket writer stores them: the same checks, sequence and encryption.
    for result in messages_post([
        MessagePost(conversation.pk, Message.Sender.COUNSELLOR, secrets.token_hex(8), text,
                    author=counsellor)
        if sender == COUNSELLOR else
        MessagePost(conversation.pk, Message.Sender.VISITOR, secrets.token_hex(8), text,
                    visitor_token_hash=visitor)
        for sender, text in lines
    ]):  # fmt: skip
        if isinstance(result, Exception):
            raise result
    if dialogue.kind == "chat" and rng.random() < 0.6:
        conversation_end(conversation=conversation, ended_by="visitor", visitor_token=access.token)
    else:
        conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor)
    record = ContactRecord.objects.get(conversation=conversation)
    contacting = ListEntry.objects.filter(kind="contacting", code=dialogue.contacting).first()
    record, _escalation = contact_record_save(
        record=record,
        by=counsellor,
        fields={**fields, "contacting": contacting or fields.get("contacting"),
                "summary": dialogue.summary},
        concerns=concerns,
        actions=actions,
    )  # fmt: skip
    contact_record_complete(record=record, by=counsellor)
    _move_back(conversation, record, dialogue, started, rng)
    return record


def _move_back(conversation, record, dialogue, started, rng) -> None:
    """The services stamped everything now: give the conversation, its messages and its
    record the times of a chat or message exchange that began at ``started``."""
    times = []
    if dialogue.kind == "chat":
        taken = started + dt.timedelta(seconds=rng.randint(15, 240))
        moment = taken
        for _line in dialogue.lines:
            moment += dt.timedelta(seconds=rng.randint(40, 150))
            times.append(moment)
    else:
        # A message first, the answer within a day (mostly), perhaps a thank-you later.
        taken = started + dt.timedelta(hours=rng.uniform(1, 20))
        times.append(started)
        moment = taken + dt.timedelta(minutes=rng.randint(5, 30))
        times.append(moment)
        for _line in dialogue.lines[2:]:
            moment += dt.timedelta(hours=rng.uniform(2, 30))
            times.append(moment)
    ended = times[-1] + dt.timedelta(seconds=rng.randint(20, 90))
    for message, at in zip(
        Message.objects.filter(conversation=conversation).order_by("seq"), times, strict=True
    ):
        Message.objects.filter(pk=message.pk).update(created_at=at)
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=started, taken_at=taken, ended_at=ended, last_message_at=times[-1]
    )
    completed = ended + dt.timedelta(minutes=rng.randint(3, 20))
    ContactRecord.objects.filter(pk=record.pk).update(
        started_at=taken,
        started_on=timezone.localtime(taken).date(),
        ended_at=ended,
        created_at=taken,
        updated_at=completed,
        completed_at=completed,
    )
