"""Statistics for analysts, supervisors and administrators: the dashboard and its files.
Only aggregated, suppressed figures; no link leads from a count to a record."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from huoli.console.access import staff_required
from huoli.core.audit import audit_record
from huoli.core.policy import user_has_permission
from huoli.reports.charts import bar_chart
from huoli.reports.exports import report_csv, report_pdf, report_xlsx
from huoli.reports.forms import RangeForm
from huoli.reports.selectors import every_table, report_for
from huoli.reports.suppression import suppression_note

PDF_LANGUAGES = ("fi", "sv", "en")


def _report(request):
    form = RangeForm(request.GET, any_range=user_has_permission(request.user, "reports.any_range"))
    if not form.is_valid():
        return form, None
    start, end = form.cleaned_data["range"]
    return form, report_for(start, end)


@staff_required("reports.view")
@require_GET
def reports_view(request):
    form, report = _report(request)
    charts = []
    if report is not None:
        charts = [(table, bar_chart(table)) for table in every_table(report)]
    return render(
        request,
        "console/reports.html",
        {
            "form": form,
            "report": report,
            "charts": charts,
            "query": request.GET.urlencode(),
            "pdf_languages": PDF_LANGUAGES,
            "suppression_note": suppression_note(),
        },
    )


def _file(request, kind: str, content, content_type: str, suffix: str, language=None):
    with translation.override(language or get_language()):
        form, report = _report(request)
    if report is None:
        return render(request, "console/reports.html", {"form": form}, status=400)
    audit_record(
        actor=request.user,
        action="reports.exported",
        object_type="report",
        data={"format": kind, "start": report.start.isoformat(), "end": report.end.isoformat()},
    )
    response = HttpResponse(content(report), content_type=content_type)
    name = f"huoli-statistics-{report.start.isoformat()}-{report.end.isoformat()}{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required("reports.view")
@require_GET
def reports_csv_view(request):
    only = request.GET.get("table", "")
    return _file(
        request,
        "csv",
        lambda report: report_csv(report, only),
        "text/csv; charset=utf-8",
        f"-{only}.csv" if only.isidentifier() else ".csv",
    )


@staff_required("reports.view")
@require_GET
def reports_xlsx_view(request):
    return _file(
        request,
        "xlsx",
        report_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    )


@staff_required("reports.view")
@require_GET
def reports_pdf_view(request):
    language = request.GET.get("language") or get_language()
    language = language if language in PDF_LANGUAGES else "fi"
    return _file(
        request,
        "pdf",
        lambda report: report_pdf(report, language),
        "application/pdf",
        f"-{language}.pdf",
        language=language,
    )
