"""Contact records in the console: log a call, fill in and complete a record, attach it to
a case, escalate. Drafts save while the counsellor types (``record.js``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huoli.cases.selectors import access_case
from huoli.console.access import staff_required
from huoli.console.directory_views import directory_panel
from huoli.console.supervision_views import DebriefForm
from huoli.contacts.forms import ContactRecordForm
from huoli.contacts.models import ContactRecord
from huoli.contacts.selectors import access_record, next_record_to_complete
from huoli.contacts.services import (
    RecordError,
    case_create_for_record,
    contact_record_attach,
    contact_record_complete,
)
from huoli.conversations.selectors import access_conversation
from huoli.core.policy import user_has_permission
from huoli.directory.selectors import services_shared_to_refer
from huoli.escalations.models import Escalation
from huoli.escalations.services import EscalationError, contact_record_save, escalation_open
from huoli.supervision.selectors.debriefs import debriefs_for_record

AUTOSAVE_HEADER = "X-Huoli-Autosave"


def _record_page(request, record: ContactRecord, form: ContactRecordForm, status: int = 200):
    escalation = record.escalations.order_by("-opened_at").first() if record.pk else None
    debriefs = list(debriefs_for_record(request.user, record)) if record.pk else []
    return render(
        request,
        "console/record.html",
        {
            "record": record,
            "form": form,
            "escalation": escalation,
            "autosave_header": AUTOSAVE_HEADER,
            "directory": directory_panel(record_id=record.pk) if record.pk else None,
            "referrals": record.referrals.select_related("service") if record.pk else [],
            # Shared with the visitor during this contact: offered as referrals.
            "shared_services": services_shared_to_refer(record),
            # Debrief requests about this contact the user may see (a counsellor's own); the
            # form while none of the user's own waits.
            "debriefs": debriefs,
            "debrief_form": DebriefForm(),
            "may_ask_debrief": user_has_permission(request.user, "debriefs.request")
            and not any(
                d.status == d.Status.OPEN and d.requested_by_id == request.user.pk for d in debriefs
            ),
            "record_texts": {
                "saving": _("Saving the draft…"),
                "failed": _(
                    "The draft could not be saved. It will be saved with your next change."
                ),
                "escalation": _("Risk level 4: an escalation was opened. Open it"),
            },
        },
        status=status,
    )


def _save(request, record: ContactRecord, phone: bool):
    form = ContactRecordForm(request.POST, instance=record, phone=phone)
    autosave = request.headers.get(AUTOSAVE_HEADER) == "1"
    if not form.is_valid():
        if autosave:
            return JsonResponse({"error": _("Check the highlighted fields.")}, status=400)
        return _record_page(request, record, form, status=400)
    record, escalation = contact_record_save(
        record=record,
        by=request.user,
        fields=form.record_fields(),
        concerns=list(form.cleaned_data["concerns"]),
        actions=list(form.cleaned_data["actions"]),
    )
    url = reverse("console:record", args=[record.pk])
    if autosave:
        saved = formats.time_format(timezone.localtime(record.updated_at), "TIME_FORMAT")
        return JsonResponse(
            {
                "url": url,
                "saved": _("Draft saved at %(time)s.") % {"time": saved},
                "escalation_url": (
                    reverse("console:escalation", args=[escalation.pk]) if escalation else ""
                ),
            }
        )
    if escalation is not None:
        messages.warning(
            request, _("Risk level 4: an escalation was opened and supervisors alerted.")
        )
        return HttpResponseRedirect(reverse("console:escalation", args=[escalation.pk]))
    if "complete" in request.POST:
        try:
            contact_record_complete(record=record, by=request.user)
        except RecordError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(url)
        messages.success(request, _("The contact record is complete."))
        # On to the next record to complete, or back to the console's home.
        following = next_record_to_complete(request.user, after=record)
        return HttpResponseRedirect(
            reverse("console:record", args=[following.pk]) if following else reverse("console:home")
        )
    messages.success(request, _("The draft was saved."))
    return HttpResponseRedirect(url)


@staff_required("counselling.work")
@require_http_methods(["GET", "POST"])
def call_new_view(request):
    """Log a phone call."""
    record = ContactRecord(channel=ContactRecord.Channel.PHONE, counsellor=request.user)
    if request.method == "POST":
        return _save(request, record, phone=True)
    return _record_page(request, record, ContactRecordForm(instance=record, phone=True))


@staff_required("counselling.work")
@require_http_methods(["GET", "POST"])
def record_view(request, record_id: int):
    record = access_record(
        request.user, record_id, purpose="read" if request.method == "GET" else "update"
    )
    phone = record.channel == ContactRecord.Channel.PHONE
    if request.method == "POST":
        return _save(request, record, phone=phone)
    return _record_page(request, record, ContactRecordForm(instance=record, phone=phone))


@staff_required("counselling.work")
@require_POST
def record_case_view(request, record_id: int):
    """Create a case from the record, or attach it to an existing case by its number."""
    record = access_record(request.user, record_id, purpose="update")
    number = request.POST.get("case_number", "").strip()
    if number:
        case = access_case(request.user, number, purpose="attach")
        contact_record_attach(record=record, case=case, by=request.user)
        messages.success(request, _("The record was added to case %(case)s.") % {"case": case})
    else:
        case = case_create_for_record(
            record=record, by=request.user, title=request.POST.get("title", "")
        )
        messages.success(request, _("Case %(case)s was created.") % {"case": case})
    return HttpResponseRedirect(reverse("console:case", args=[case.number]))


@staff_required("counselling.work")
@require_POST
def record_escalate_view(request, record_id: int):
    record = access_record(request.user, record_id, purpose="escalate")
    escalation = escalation_open(
        by=request.user, record=record, assessment=request.POST.get("assessment", "")
    )
    return HttpResponseRedirect(reverse("console:escalation", args=[escalation.pk]))


@staff_required("counselling.work")
@require_POST
def conversation_escalate_view(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id, purpose="escalate")
    try:
        escalation = escalation_open(
            by=request.user,
            conversation=conversation,
            assessment=request.POST.get("assessment", ""),
        )
    except EscalationError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))
    if escalation.status == Escalation.Status.OPEN:
        messages.warning(request, _("Escalation opened: the supervisors were alerted."))
    return HttpResponseRedirect(reverse("console:conversation", args=[conversation_id]))
