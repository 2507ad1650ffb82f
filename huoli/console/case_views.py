"""Cases, follow-ups and escalations in the console."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huoli.accounts.models import User
from huoli.cases.models import Case, FollowUp
from huoli.cases.selectors import access_case, audit_case, case_in_scope, case_search
from huoli.cases.services import (
    CaseError,
    case_counsellor_add,
    case_note_add,
    case_update,
    follow_up_create,
    follow_up_done,
)
from huoli.console.access import staff_required
from huoli.contacts.models import ContactRecord, ListEntry, RiskLevel
from huoli.contacts.selectors import list_entries
from huoli.conversations.selectors import before_param, messages_before
from huoli.core.policy import get_or_404, records_scope, user_has_permission
from huoli.core.roles import Role
from huoli.escalations.models import Escalation
from huoli.escalations.selectors import access_escalation
from huoli.escalations.services import (
    EscalationError,
    escalation_acknowledge,
    escalation_callback_set,
    escalation_decide,
)
from huoli.retention.models import RetentionPolicy


class CaseSearchForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Case number"), required=False, max_length=12)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    counsellor = forms.TypedChoiceField(
        label=gettext_lazy("Counsellor"), required=False, coerce=int, empty_value=None
    )
    concern = forms.TypedChoiceField(
        label=gettext_lazy("Concern"), required=False, coerce=int, empty_value=None
    )
    risk_level = forms.TypedChoiceField(
        label=gettext_lazy("Risk level"), required=False, coerce=int, empty_value=None
    )
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        self.fields["status"].choices = everyone + list(Case.Status.choices)
        self.fields["counsellor"].choices = everyone + [
            (user.pk, user.display_name) for user in counsellors()
        ]
        self.fields["concern"].choices = everyone + [
            (entry.pk, entry.name) for entry in list_entries(ListEntry.Kind.CONCERN)
        ]
        self.fields["risk_level"].choices = everyone + list(RiskLevel.choices)


def counsellors():
    return (
        User.objects.filter(role__in=[Role.COUNSELLOR, Role.SUPERVISOR], is_active=True)
        .select_related("counsellor_profile")
        .order_by("username")
    )


@staff_required("counselling.work")
@require_GET
def case_list_view(request):
    form = CaseSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = case_search(request.user, **{k: v for k, v in filters.items() if v not in ("", None)})
    return render(
        request,
        "console/case_list.html",
        {"form": form, "cases": cases[:200], "searched": bool(request.GET)},
    )


def _timeline(case: Case, user) -> list[tuple]:
    """Contacts and notes, in time order: ``(when, kind, item, page)``, where ``page`` is a
    contact's conversation's latest messages (``messages_before``: a case page does not read
    whole histories either), None for a note or a contact without one."""
    records = records_scope(
        user,
        ContactRecord.objects.filter(case=case)
        .select_related("contact_type", "counsellor")
        .prefetch_related("referrals__service"),
    )
    items = [
        (
            record.started_at,
            "record",
            record,
            messages_before(record.conversation_id) if record.conversation_id else None,
        )
        for record in records
    ]
    items += [(note.created_at, "note", note, None) for note in case.notes.select_related("author")]
    return sorted(items, key=lambda item: item[0])


@staff_required("counselling.work")
@require_GET
def case_messages_view(request, number: str, record_id: int):
    """A page of a case's contact's messages, before ``?before=`` (the latest without it):
    for the case's counsellors, who may read its records but not open their conversations."""
    case = case_in_scope(request.user, number)
    record = get_or_404(
        records_scope(
            request.user, ContactRecord.objects.filter(case=case, conversation__isnull=False)
        ),
        pk=record_id,
    )
    audit_case(request.user, case)  # what it shows: nothing is audited before a 404
    messages_list, earlier = messages_before(
        record.conversation_id, before_param(request.GET.get("before"))
    )
    return render(
        request,
        "console/case_messages.html",
        {"case": case, "record": record, "messages_list": messages_list, "earlier": earlier},
    )


@staff_required("counselling.work")
@require_GET
def case_view(request, number: str):
    case = access_case(request.user, number)
    today = timezone.localdate()
    return render(
        request,
        "console/case.html",
        {
            "case": case,
            "timeline": _timeline(case, request.user),
            "follow_ups": case.follow_ups.select_related("assigned_to").order_by(
                "done_at", "due_on"
            ),
            "statuses": Case.Status.choices,
            "counsellors": counsellors().exclude(pk__in=case.counsellors.all()),
            "today": today,
        },
    )


def _back(case: Case) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console:case", args=[case.number]))


@staff_required("counselling.work")
@require_POST
def case_update_view(request, number: str):
    case = access_case(request.user, number, purpose="update")
    action = request.POST.get("action")
    try:
        if action == "status":
            case_update(
                case=case,
                by=request.user,
                status=request.POST.get("status", ""),
                title=request.POST.get("title", case.title),
            )
            messages.success(request, _("The case was saved."))
        elif action == "note":
            case_note_add(case=case, by=request.user, text=request.POST.get("text", ""))
            messages.success(request, _("The note was added."))
        elif action == "counsellor":
            user = User.objects.filter(pk=request.POST.get("counsellor") or 0).first()
            if user is None:
                raise CaseError("not_counsellor", _("Choose a counsellor."))
            case_counsellor_add(case=case, by=request.user, counsellor=user)
            messages.success(request, _("The counsellor was added to the case."))
        elif action == "follow_up":
            due = forms.DateField().clean(request.POST.get("due_on") or None)
            follow_up_create(
                case=case, by=request.user, due_on=due, what=request.POST.get("what", "")
            )
            messages.success(request, _("The follow-up was added."))
        else:
            raise CaseError("action_unknown", _("Nothing was changed."))
    except forms.ValidationError:
        messages.error(request, _("Give the due date of the follow-up."))
    except CaseError as error:
        messages.error(request, str(error))
    return _back(case)


@staff_required("counselling.work")
@require_POST
def follow_up_done_view(request, number: str, follow_up_id: int):
    case = access_case(request.user, number, purpose="update")
    follow_up = get_or_404(FollowUp.objects.filter(case=case), pk=follow_up_id)
    follow_up_done(follow_up=follow_up, by=request.user)
    messages.success(request, _("The follow-up is marked done."))
    if request.POST.get("next") == "home":
        return HttpResponseRedirect(reverse("console:home"))
    return _back(case)


@staff_required("counselling.work")
@require_http_methods(["GET", "POST"])
def escalation_view(request, escalation_id: int):
    escalation = access_escalation(request.user, escalation_id)
    supervises = user_has_permission(request.user, "counselling.supervise")
    if request.method == "POST" and request.POST.get("action") == "callback":
        try:
            escalation_callback_set(
                escalation=escalation, by=request.user, number=request.POST.get("callback", "")
            )
            messages.success(request, _("The call-back number was saved."))
        except EscalationError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(request.path)
    if request.method == "POST":
        if not supervises:
            messages.error(request, _("Only a supervisor can decide on an escalation."))
            return HttpResponseRedirect(request.path)
        try:
            if request.POST.get("action") == "acknowledge":
                escalation_acknowledge(escalation=escalation, supervisor=request.user)
                messages.success(request, _("You acknowledged the escalation."))
            else:
                escalation_decide(
                    escalation=escalation,
                    supervisor=request.user,
                    decision=request.POST.get("decision", ""),
                    reason=request.POST.get("reason", ""),
                    assessment=request.POST.get("assessment", ""),
                )
                messages.success(request, _("The decision was recorded."))
        except EscalationError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "console/escalation.html",
        {
            "escalation": escalation,
            "supervises": supervises,
            "decisions": Escalation.Decision.choices,
            "callback_days": RetentionPolicy.current().callback_days,
        },
    )
