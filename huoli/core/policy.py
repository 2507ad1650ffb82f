"""The one place that says who may do what (promise 5, docs/design.md).

Three kinds of answer, after Wagtail's permission policies (decision 0029):

- which role has which permission (``PERMISSIONS``, ``user_has_permission``): views and
  consumers ask it, ``console.access.staff_required`` in front of every console view;
- which objects a user may see (``instances_user_has_permission_for`` and the ``*_scope``
  functions): selectors scope their querysets with them; ``access_*`` helpers (in each app's
  selectors) fetch one object and turn "not allowed" into a 404, so a forbidden object looks
  like a missing one;
- what a user may do with one conversation they see (``may_write``, ``may_flag``,
  ``may_join``, ``may_escalate``, ``may_observe``, ``may_write_staff_note``, ``may_transfer``,
  ``may_end``, ``may_answer_call``): views,
  templates (through the view's context), the console socket and the services ask them;
- what a user may do with a quality review (``may_review``, ``may_review_conversation``,
  ``may_acknowledge``; issue 18).

The policy imports no app: it takes users and conversations as they come (a user's ``pk``,
``role``, ``is_active``; a conversation's ``status``, ``counsellor_id``, ``supervisor_id``) and
compares statuses with their stored values.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from huoli.core.roles import Role

M = TypeVar("M", bound=Model)

COUNSELLING = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})
STAFF = frozenset(Role)

PERMISSIONS: dict[str, frozenset[str]] = {
    # Every staff role has a console home.
    "console.use": STAFF,
    # Answer chats and messages, keep a counsellor profile shown to visitors.
    "counselling.work": COUNSELLING,
    # See the whole queue and the duty list, observe and join chats.
    "counselling.supervise": frozenset({Role.SUPERVISOR}),
    # Read the audit log.
    "audit.view": frozenset({Role.ADMINISTRATOR}),
    # The Django admin site: staff accounts, lists, texts.
    "admin.site": frozenset({Role.ADMINISTRATOR}),
    # Search the service directory (administrators keep it).
    "directory.view": COUNSELLING | {Role.ADMINISTRATOR},
    # Partner materials (posters, leaflets, wallet cards, the website badge) to download and
    # give to schools, associations and services, with a campaign code of one's choice.
    "outreach.materials": frozenset({Role.ADMINISTRATOR}),
    # Turn the flood protection for new chats on and off.
    "helpline.flood": frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
    # Aggregated statistics only.
    "reports.view": frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    # Statistics of any range of days, not only whole months, quarters and years: two ranges
    # ending on consecutive days differ by one day (decision 0019). Those who see records.
    "reports.any_range": frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
    # Write handover notes for the next shift, read them and mark them read.
    "handover.write": COUNSELLING,
    # See who has read each handover note and who has not.
    "handover.readers": frozenset({Role.SUPERVISOR}),
    # Ask for a debrief after a hard contact (from a record one may see).
    "debriefs.request": COUNSELLING,
    # See every debrief request and mark them done.
    "debriefs.handle": frozenset({Role.SUPERVISOR}),
    # High-risk contacts per counsellor and shift, to look after the team: supervisors only.
    "supervision.risk_counts": frozenset({Role.SUPERVISOR}),
    # Review the quality of ended conversations and share feedback (issue 18). The reviewed
    # see their own shared feedback through ``reviews_scope`` (``counselling.work``).
    "supervision.review": frozenset({Role.SUPERVISOR}),
}


def user_has_permission(user, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in PERMISSIONS[permission]


def instances_user_has_permission_for(user, permission: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` the user may see for ``permission`` (all or nothing today;
    object-level rules such as "cases I work on" narrow it here)."""
    if user_has_permission(user, permission):
        return queryset
    return queryset.none()


def conversations_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Conversations a staff member may open: supervisors every one, counsellors those
    they are answering. Waiting ones are seen only as queue rows until taken."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(counsellor=user)
    return queryset.none()


def records_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Contact records: supervisors every one; counsellors their own and those of the cases
    they work on; nobody else (analysts see only statistics)."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(Q(counsellor=user) | Q(case__counsellors=user)).distinct()
    return queryset.none()


def cases_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Cases: supervisors every one; counsellors the cases they work on or were added to."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(counsellors=user).distinct()
    return queryset.none()


def escalations_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Escalations: supervisors every one; a counsellor those they opened."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(opened_by=user)
    return queryset.none()


def debriefs_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Debrief requests: supervisors every one; a counsellor those they asked for."""
    if user_has_permission(user, "debriefs.handle"):
        return queryset
    if user_has_permission(user, "debriefs.request"):
        return queryset.filter(requested_by=user)
    return queryset.none()


def reviews_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Quality reviews: supervisors every one but the drafts about their own work; a
    counsellor only the reviews of their own work, once shared with them (a draft is the
    reviewer's); nobody else."""
    if user_has_permission(user, "supervision.review"):
        return queryset.exclude(counsellor=user, shared_at__isnull=True)
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(counsellor=user, shared_at__isnull=False)
    return queryset.none()


# What one may do with one conversation. Each rule is asked where the action is offered (the
# page's buttons) and where it is done (the view, the socket, the service), so the two agree.
# The statuses are ``Conversation.Status`` values; an escalation's ``DECIDED`` is "decided".
QUEUED, ACTIVE, ENDED = "queued", "active", "ended"
CALL = "call"  # the kind of a conversation that is a telephone or web call
CALLBACK = "callback"  # a family's request to be phoned (``calls.CallbackRequest``)


def _works(user) -> bool:
    return user_has_permission(user, "counselling.work")


def _supervises(user) -> bool:
    return user_has_permission(user, "counselling.supervise")


def _answers(user, conversation) -> bool:
    """The counsellor it is given to (taken or transferred to them), whatever its status."""
    return conversation.counsellor_id is not None and conversation.counsellor_id == user.pk


def may_write(user, conversation) -> bool:
    """Write in it: the counsellor answering it and a supervisor who has joined it, until it
    ends (a visitor who writes again reopens it)."""
    return (
        conversation.status != ENDED
        and _works(user)
        and user.pk in (conversation.counsellor_id, conversation.supervisor_id)
    )


def may_flag(user, conversation) -> bool:
    """Flag it as abusive: the counsellor answering it, any counsellor while it waits in the
    queue, and supervisors at any time."""
    return _supervises(user) or (
        _works(user) and (conversation.status == QUEUED or may_write(user, conversation))
    )


def may_join(user, conversation) -> bool:
    """Step into a live conversation and write in it: a supervisor not already writing (not
    a call: its voice goes only to the counsellor who answered)."""
    return (
        conversation.status == ACTIVE
        and conversation.kind != CALL
        and _supervises(user)
        and not may_write(user, conversation)
    )


def may_escalate(user, conversation, latest_escalation=None) -> bool:
    """Alert the supervisors about the danger in it: whoever may write in it, unless the
    conversation's latest escalation still waits for a decision (opening it again would only
    return that one)."""
    return may_write(user, conversation) and (
        latest_escalation is None or latest_escalation.status == "decided"
    )


def may_open_escalation(user, conversation) -> bool:
    """Alert the supervisors about it (what ``escalation_open`` enforces): the counsellor it
    is given to and every supervisor, in every state. Danger does not end when the chat
    does: a visitor who leaves while the counsellor writes the assessment must not lose the
    alert. The button on the live page is ``may_escalate``."""
    return _supervises(user) or (_works(user) and _answers(user, conversation))


def may_observe(user, conversation) -> bool:
    """Read it live without writing: a supervisor who neither answers nor joined it, until it
    ends (waiting conversations included)."""
    return (
        conversation.status != ENDED
        and _supervises(user)
        and user.pk not in (conversation.counsellor_id, conversation.supervisor_id)
    )


def may_write_staff_note(user, conversation) -> bool:
    """Write a private note the visitor never sees, in a live conversation: the counsellor
    answering it and a supervisor who observes or joined it. Not a counsellor it is not
    given to, not an analyst or an administrator; not a call-back request (nobody is on
    the line), not once it has ended (the notes are then read-only)."""
    if conversation.status != ACTIVE or conversation.kind == CALLBACK:
        return False
    if _works(user) and _answers(user, conversation):
        return True
    return _supervises(user) and (
        conversation.supervisor_id == user.pk or may_observe(user, conversation)
    )


def may_transfer(user, conversation) -> bool:
    """Hand it to another counsellor on duty: the counsellor answering it, while it is
    active."""
    return (
        conversation.status == ACTIVE
        and conversation.kind != CALL
        and _works(user)
        and _answers(user, conversation)
    )


def may_answer_call(user, conversation, profile) -> bool:
    """Answer a ringing or waiting call: an active counsellor or supervisor on duty who takes
    calls (``profile``: their ``CounsellorProfile``), while the call waits. Room and language
    are the queue's rules (``conversation_take``); one call at a time is the router's."""
    return (
        conversation.kind == CALL
        and conversation.status == QUEUED
        and _works(user)
        and profile is not None
        and profile.user_id == user.pk
        and profile.on_duty
        and profile.takes_calls
    )


def may_pick_up_call(user, conversation) -> bool:
    """A call this person's desk phone has already answered (Huoli rang it): the caller is
    talking to them, so duty, room and one call at a time were the rules of the ring. Only
    an active staff member who works with calls picks up, while the call waits."""
    return conversation.kind == CALL and conversation.status == QUEUED and _works(user)


def may_call_back(user, conversation) -> bool:
    """See a call-back request's number, phone it and say how it went: only the counsellor
    who took it, while it is theirs (a supervisor who may read the conversation still never
    sees the number)."""
    return (
        conversation.kind == CALLBACK
        and conversation.status == ACTIVE
        and _works(user)
        and _answers(user, conversation)
    )


def may_ask_call_back(user, conversation) -> bool:
    """Ask for a call-back on a family's behalf: the counsellor who answers (or answered) a
    chat, a message or a call with them, also after it ended (the call is over, the record
    is being written)."""
    return conversation.kind != CALLBACK and _works(user) and _answers(user, conversation)


def may_end(user, conversation) -> bool:
    """End it: the counsellor answering it and supervisors (ending an ended one does
    nothing)."""
    return _supervises(user) or (_works(user) and _answers(user, conversation))


# What one may do with a quality review (issue 18).


def may_review(user, review) -> bool:
    """Rate and write a review and share it: a supervisor, not of their own work, until it
    is shared (then the counsellor has read it, and it stays as they read it)."""
    return (
        user_has_permission(user, "supervision.review")
        and review.counsellor_id != user.pk
        and review.shared_at is None
    )


def may_review_conversation(user, conversation) -> bool:
    """Start a review of a conversation: a supervisor, of an ended conversation someone else
    answered (not a call-back request, which is a telephone number and an outcome)."""
    return (
        user_has_permission(user, "supervision.review")
        and conversation.status == ENDED
        and conversation.kind != CALLBACK
        and conversation.counsellor_id is not None
        and conversation.counsellor_id != user.pk
    )


def may_acknowledge(user, review) -> bool:
    """Say "I have read it": the counsellor reviewed, once the review is shared with them."""
    return (
        user_has_permission(user, "counselling.work")
        and review.counsellor_id == user.pk
        and review.shared_at is not None
    )


def get_or_404(queryset: QuerySet[M], **lookup) -> M:
    """Fetch one object from an already permission-scoped queryset, or 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
