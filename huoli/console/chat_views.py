"""Console views for answering conversations: duty, queue, take, read, reply, end."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huoli.accounts.models import CounsellorProfile, User
from huoli.console.access import staff_required
from huoli.console.callback_views import callback_page
from huoli.console.case_views import counsellors
from huoli.console.directory_views import directory_panel
from huoli.console.forms import ConversationFilterForm
from huoli.contacts.models import ContactRecord
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, FlagReason
from huoli.conversations.selectors import (
    access_conversation,
    before_param,
    canned_responses_for,
    conversations_list_for,
    duty_list_for,
    live_rows_for,
    messages_before,
    my_conversations,
    queue_offered_to,
    staff_notes_after,
)
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import (
    conversation_end,
    conversation_flag,
    conversation_join,
    conversation_take,
    conversation_transfer,
    duty_set,
)
from huoli.conversations.services.staff_notes import staff_note_add
from huoli.core.policy import (
    may_ask_call_back,
    may_escalate,
    may_flag,
    may_join,
    may_observe,
    may_transfer,
    may_write,
    may_write_staff_note,
    records_scope,
    user_has_permission,
)
from huoli.retention.models import RetentionPolicy


def work_context(user) -> dict:
    """What the console home and its live panel show about conversations."""
    profile = CounsellorProfile.objects.filter(user=user).first()
    mine = list(my_conversations(user))
    return {
        "profile": profile,
        "queue": queue_offered_to(user),
        "mine": mine,
        # Transferred or ended before going off duty (``duty_set`` refuses otherwise).
        "open_chats": [c for c in mine if c.kind == Conversation.Kind.CHAT],
        "live_rows": live_rows_for(user),
        "duty_list": list(duty_list_for(user)),
    }


@staff_required("counselling.work")
@require_POST
def duty_view(request):
    on_duty = request.POST.get("on_duty") == "1"
    try:
        duty_set(user=request.user, on_duty=on_duty)
    except ConversationError as error:
        # Open chats first: the panel lists them with links (``open_chats``).
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:home"))
    messages.success(request, _("You are on duty.") if on_duty else _("You are off duty."))
    return HttpResponseRedirect(reverse("console:home"))


@staff_required("counselling.work")
@require_GET
def work_panel_view(request):
    """The live part of the console home, fetched again when the queue changes."""
    return render(request, "console/_work_panel.html", work_context(request.user))


@staff_required("counselling.work")
@require_POST
def take_view(request, conversation_id: int):
    try:
        conversation_take(counsellor=request.user, conversation_id=conversation_id)
    except ConversationError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:home"))
    return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))


@staff_required("counselling.work")
@require_POST
def flag_view(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    try:
        conversation_flag(
            conversation=conversation,
            by=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            block_code=request.POST.get("block_code") == "1",
        )
    except ConversationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Flagged as abusive. Its return code no longer works.")
            if request.POST.get("block_code") == "1"
            else _("Flagged as abusive."),
        )
    return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))


CONVERSATIONS_PER_PAGE = 25


@staff_required("counselling.work")
@require_GET
def conversation_list_view(request):
    """Past, waiting and active conversations the user may open, filtered by their metadata
    (never by what was written). Listing reads no content and is not audited; opening one
    is (``conversation_view``)."""
    user = request.user
    form = ConversationFilterForm(
        request.GET or None,
        counsellors=counsellors() if user_has_permission(user, "counselling.supervise") else [user],
    )
    if form.is_bound and not form.is_valid():
        conversations = Conversation.objects.none()
    else:
        conversations = conversations_list_for(user, **(form.filters() if form.is_bound else {}))
    page = Paginator(conversations, CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(value for name, value in request.GET.items() if name != "page")
    return render(
        request,
        "console/conversation_list.html",
        {"form": form, "page": page, "filtered": filtered},
    )


@staff_required("counselling.work")
@require_GET
def conversation_view(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    if conversation.kind == conversation.Kind.CALLBACK:
        return callback_page(request, conversation)
    before = before_param(request.GET.get("before"))
    messages_list, earlier = messages_before(conversation.pk, before)
    if before is not None:
        return render(
            request,
            "console/conversation_earlier.html",
            {"conversation": conversation, "messages_list": messages_list, "earlier": earlier},
        )
    user = request.user
    writes = may_write(user, conversation)
    escalation = conversation.escalations.order_by("-opened_at").first()
    context = {
        "conversation": conversation,
        "record": records_scope(request.user, conversation.contact_records.all())
        .order_by("-started_at")
        .first(),
        "escalation": escalation,
        "deletion_due": conversation.deletion_due(RetentionPolicy.current().message_days),
        "directory": directory_panel(conversation_id=conversation.pk) if writes else None,
        "may_escalate": may_escalate(user, conversation, escalation),
        "messages_list": messages_list,
        "earlier": earlier,
        # The page marks what it shows as seen by the counsellor answering: say so when some
        # of what they have not seen is earlier than that (``Conversation.unread_count``).
        "unread_earlier": earlier is not None
        and conversation.counsellor_id == user.pk
        and conversation.counsellor_seen_seq < earlier - 1,
        "may_write": writes,
        "client_id": secrets.token_hex(8),
        "observing": may_observe(user, conversation),
        "may_flag": may_flag(user, conversation),
        "flag_reasons": FlagReason.choices,
        # The staff's private notes, read with the conversation (its audited read above).
        "staff_notes": list(staff_notes_after(conversation)),
        "may_note": may_write_staff_note(user, conversation),
        "may_join": may_join(user, conversation),
        "may_ask_call_back": may_ask_call_back(user, conversation),
        "transfer_to": (
            CounsellorProfile.objects.filter(on_duty=True)
            .exclude(user=user)
            .order_by("display_name")
            if may_transfer(user, conversation)
            else []
        ),
        "canned": canned_responses_for(conversation.language) if writes else [],
        "chat_texts": {
            "visitor": _("Visitor"),
            "sending": _("Sending…"),
            "failed": _("Not sent."),
            "retrying": _("Not saved yet. Trying again in a moment…"),
            "typing": _("The visitor is writing…"),
            "visitor_ended": (
                _("The visitor ended the chat.")
                if conversation.kind == Conversation.Kind.CHAT
                else ""
            ),
            "ended_status": str(Conversation.Status.ENDED.label),
            "note_mark": _("Private note — the visitor does not see this"),
            "note_empty": _("Write a note first."),
            "you": user.display_name,
        },
    }
    return render(request, "console/conversation.html", context)


@staff_required("counselling.work")
@require_POST
def reply_view(request, conversation_id: int):
    """Answer without JavaScript (messages are answered this way too)."""
    conversation = access_conversation(request.user, conversation_id, purpose="reply")
    if not may_write(request.user, conversation):
        messages.error(request, _("Only the counsellor answering this conversation can write."))
    else:
        try:
            message_post(
                conversation=conversation,
                sender="counsellor",
                author=request.user,
                client_id=request.POST.get("client_id", ""),
                body=request.POST.get("body", ""),
            )
        except ConversationError as error:
            messages.error(request, str(error))
    return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))


@staff_required("counselling.work")
@require_POST
def staff_note_view(request, conversation_id: int):
    """A private note to the staff of a live conversation, without JavaScript (the page
    sends it over the console socket otherwise)."""
    conversation = access_conversation(request.user, conversation_id, purpose="note")
    try:
        staff_note_add(
            conversation_id=conversation.pk,
            author=request.user,
            client_id=request.POST.get("client_id", ""),
            body=request.POST.get("body", ""),
        )
    except ConversationError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))


@staff_required("counselling.work")
@require_POST
def transfer_view(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id, purpose="transfer")
    target = User.objects.filter(pk=request.POST.get("to") or 0, is_active=True).first()
    try:
        conversation_transfer(conversation_id=conversation.pk, by=request.user, to=target)
    except ConversationError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))
    messages.success(request, _("The conversation was transferred."))
    return HttpResponseRedirect(reverse("console:home"))


@staff_required("counselling.supervise")
@require_POST
def join_view(request, conversation_id: int):
    access_conversation(request.user, conversation_id, purpose="join")
    try:
        conversation_join(conversation_id=conversation_id, supervisor=request.user)
    except ConversationError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))


@staff_required("counselling.work")
@require_POST
def end_view(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id, purpose="end")
    try:
        conversation_end(conversation=conversation, ended_by="counsellor", by=request.user)
    except ConversationError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:home"))
    messages.success(request, _("The conversation has ended."))
    # Straight on to the contact record while the conversation is fresh in mind.
    draft = conversation.contact_records.filter(
        counsellor=request.user, status=ContactRecord.Status.DRAFT
    ).first()
    if draft is not None:
        return HttpResponseRedirect(reverse("console:record", args=[draft.pk]))
    return HttpResponseRedirect(reverse("console:home"))
