"""The shift and the supervisor's care of it: handover notes between shifts, debrief
requests after hard contacts, and high-risk contacts per counsellor and shift."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huoli.console.access import safe_next, staff_required
from huoli.contacts.selectors import access_record
from huoli.supervision.models import DEBRIEF_NOTE_MAX_LENGTH, HANDOVER_MAX_LENGTH
from huoli.supervision.selectors.debriefs import debriefs_done_recently, debriefs_open
from huoli.supervision.selectors.handover import (
    access_handover_note,
    handover_notes,
    handover_readers,
)
from huoli.supervision.selectors.risk import high_risk_counts
from huoli.supervision.services.debriefs import DebriefError, debrief_done, debrief_request
from huoli.supervision.services.handover import (
    HandoverError,
    handover_note_mark_read,
    handover_note_write,
)

NOTES_PER_PAGE = 20


class HandoverForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Handover note for the next shift"),
        max_length=HANDOVER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Who awaits an answer, which follow-ups are due. Use case numbers, not names."
        ),
        error_messages={"required": gettext_lazy("Write the handover note first.")},
    )


class DebriefForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A word for the supervisor (optional)"),
        max_length=DEBRIEF_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=gettext_lazy("Year and month, e.g. 2026-11."),
    )

    def clean_month(self) -> date:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return timezone.localdate().replace(day=1)
        try:
            if len(text) > 7:
                raise ValueError(text)
            year, month = (int(part) for part in text.split("-"))
            if not 2000 <= year <= 2999:
                raise ValueError(year)
            return date(year, month, 1)
        except ValueError as error:
            raise forms.ValidationError(_("Choose a month, e.g. 2026-11.")) from error


@staff_required("handover.write")
@require_http_methods(["GET", "POST"])
def handover_view(request):
    """The handover notes, newest first, with the form for a new one on top."""
    user = request.user
    form = HandoverForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                handover_note_write(by=user, body=form.cleaned_data["body"])
            except HandoverError as error:
                form.add_error("body", str(error))
            else:
                messages.success(request, _("The handover note is saved for the next shift."))
                return HttpResponseRedirect(reverse("console:handover"))
        status = 400
    page = Paginator(handover_notes(user), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    notes = list(page.object_list)
    readers = handover_readers(user, notes)
    for note in notes:
        note.readers = readers.get(note.pk)
    return render(
        request,
        "console/handover.html",
        {"form": form, "page": page, "notes": notes},
        status=status,
    )


@staff_required("handover.write")
@require_POST
def handover_read_view(request, note_id: int):
    note = access_handover_note(request.user, note_id)
    handover_note_mark_read(note=note, by=request.user)
    messages.success(request, _("The handover note is marked read."))
    return HttpResponseRedirect(safe_next(request, reverse("console:handover")))


@staff_required("debriefs.request")
@require_POST
def record_debrief_view(request, record_id: int):
    """Ask for a debrief after the contact of this record."""
    record = access_record(request.user, record_id, purpose="debrief")
    url = reverse("console:record", args=[record.pk])
    form = DebriefForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])))
        return HttpResponseRedirect(url)
    try:
        debrief_request(record=record, by=request.user, note=form.cleaned_data["note"])
    except DebriefError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your request for a debrief was sent to the supervisors."))
    return HttpResponseRedirect(url)


@staff_required("debriefs.handle")
@require_GET
def debriefs_view(request):
    return render(
        request,
        "console/debriefs.html",
        {
            "open_requests": debriefs_open(request.user),
            "done_requests": debriefs_done_recently(request.user)[:50],
        },
    )


@staff_required("debriefs.handle")
@require_POST
def debrief_done_view(request, debrief_id: int):
    try:
        debrief_done(request_id=debrief_id, by=request.user)
    except DebriefError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The debrief is marked done."))
    return HttpResponseRedirect(reverse("console:debriefs"))


@staff_required("supervision.risk_counts")
@require_GET
def team_view(request):
    """High-risk contacts per counsellor and shift, for a chosen month."""
    data = request.GET.copy()
    if not data.get("month"):
        data["month"] = f"{timezone.localdate():%Y-%m}"  # this month, shown in the field
    form = MonthForm(data)
    month = form.cleaned_data["month"] if form.is_valid() else None
    rows = high_risk_counts(request.user, month=month) if month else []
    return render(
        request,
        "console/team.html",
        {"form": form, "month": month, "rows": rows},
        status=200 if month else 400,
    )
