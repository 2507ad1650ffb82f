"""The service directory in the console: search as you type beside a chat or a record,
share a service card with the visitor, record a referral; CSV import and export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huoli.console.access import staff_required
from huoli.contacts.models import ContactRecord
from huoli.contacts.selectors import access_record
from huoli.conversations.errors import ConversationError
from huoli.conversations.selectors import access_conversation
from huoli.core.audit import audit_record
from huoli.core.policy import get_or_404, records_scope
from huoli.directory.forms import ServiceSearchForm
from huoli.directory.models import Referral, Service
from huoli.directory.selectors import municipalities, service_search
from huoli.directory.services import (
    referral_record,
    service_share,
    services_export_csv,
    services_import_csv,
)


def _context_ids(request) -> tuple[int | None, int | None]:
    """The conversation and record the directory is used for, from the query or the form."""
    source = request.POST if request.method == "POST" else request.GET

    def number(name):
        value = source.get(name, "")
        return int(value) if value.isdigit() else None

    return number("conversation"), number("record")


def _results_context(request) -> dict:
    form = ServiceSearchForm(request.GET or None, municipalities=municipalities())
    conversation_id, record_id = _context_ids(request)
    searched = bool(request.GET.get("q") or request.GET.get("category"))
    return {
        "form": form,
        "services": service_search(form.filters()) if searched else [],
        "searched": searched,
        "conversation_id": conversation_id,
        "record_id": record_id,
        "outcomes": Referral.Outcome.choices,
    }


def directory_panel(*, conversation_id: int | None = None, record_id: int | None = None) -> dict:
    """What a conversation or record page needs to show the directory panel."""
    return {
        # Its own ids (directory-municipality), apart from the record form's beside it; the
        # names stay, so the results, the directory page and the form without JavaScript read it.
        "form": ServiceSearchForm(municipalities=municipalities(), auto_id="directory-%s"),
        "conversation_id": conversation_id,
        "record_id": record_id,
        "outcomes": Referral.Outcome.choices,
    }


@staff_required("directory.view")
@require_GET
def directory_view(request):
    return render(request, "console/directory.html", _results_context(request))


@staff_required("directory.view")
@require_GET
def directory_results_view(request):
    """The results alone, fetched while the counsellor types."""
    return render(request, "console/_directory_results.html", _results_context(request))


def _answer(request, text: str, back: str, ok: bool = True):
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"message": text}, status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, text)
    return HttpResponseRedirect(back)


@staff_required("counselling.work")
@require_POST
def service_share_view(request, service_id: int):
    service = get_or_404(Service.objects.filter(active=True), pk=service_id)
    conversation_id, _record_id = _context_ids(request)
    conversation = access_conversation(request.user, conversation_id or 0, purpose="reply")
    back = reverse("console:conversation", args=[conversation.pk])
    try:
        # A card with warnings needs the confirmation's own field (without JavaScript too).
        service_share(
            service=service,
            conversation=conversation,
            by=request.user,
            confirmed=request.POST.get("confirmed") == "1",
        )
    except ConversationError as error:
        return _answer(request, str(error), back, ok=False)
    return _answer(
        request, _("%(service)s was shared with the visitor.") % {"service": service}, back
    )


@staff_required("counselling.work")
@require_POST
def service_refer_view(request, service_id: int):
    service = get_or_404(Service.objects.filter(active=True), pk=service_id)
    conversation_id, record_id = _context_ids(request)
    if record_id is None and conversation_id is not None:
        conversation = access_conversation(request.user, conversation_id, purpose="refer")
        record = (
            records_scope(request.user, ContactRecord.objects.filter(conversation=conversation))
            .order_by("-started_at")
            .first()
        )
    else:
        record = access_record(request.user, record_id or 0, purpose="refer")
    if record is None:
        return _answer(
            request, _("This conversation has no contact record yet."), "/console/", False
        )
    back = (
        reverse("console:conversation", args=[conversation_id])
        if conversation_id
        else reverse("console:record", args=[record.pk])
    )
    try:
        referral = referral_record(
            record=record, service=service, outcome=request.POST.get("outcome", ""), by=request.user
        )
    except ConversationError as error:
        return _answer(request, str(error), back, ok=False)
    return _answer(
        request,
        _("Referral recorded: %(service)s (%(outcome)s).")
        % {"service": service, "outcome": referral.get_outcome_display().lower()},
        back,
    )


@staff_required("admin.site")
@require_GET
def directory_export_view(request):
    audit_record(actor=request.user, action="directory.exported", object_type="directory")
    response = HttpResponse(services_export_csv(), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="huoli-services-{day}.csv"'
    return response


@staff_required("admin.site")
@require_http_methods(["GET", "POST"])
def directory_import_view(request):
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file to import."))
        elif upload.size > 5 * 1024 * 1024:
            messages.error(request, _("The file is larger than 5 MB."))
        else:
            report = services_import_csv(upload.read())
            if report.ok:
                audit_record(
                    actor=request.user,
                    action="directory.imported",
                    object_type="directory",
                    data={"created": report.created, "updated": report.updated},
                )
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated.")
                    % {"created": report.created, "updated": report.updated},
                )
                return HttpResponseRedirect(reverse("console:directory_import"))
    return render(request, "console/directory_import.html", {"report": report})
