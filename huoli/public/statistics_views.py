"""Open statistics: the figures of the quarters the organisation has published, for anyone, in
every visitor language, and as CSV. No login, no cookie, no parameter: the address names a
published quarter and nothing else, and every figure is the staff report's cell for it
(``reports.open_statistics``)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from huoli.core.robots import indexable
from huoli.reports.open_statistics import (
    open_quarter,
    open_tables,
    published_quarters,
    quarter_csv,
    quarter_label,
)

# Browsers and proxies may keep a page this long: it holds nothing personal, and a quarter
# taken off the page is gone from caches soon after.
MAX_AGE = 10 * 60


def _public(response):
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _chosen(quarters, year, quarter):
    """The published quarter named by the address (the newest without one), or 404."""
    if year is None:
        return quarters[0] if quarters else None
    for published in quarters:
        if (published.year, published.quarter) == (year, quarter):
            return published
    raise Http404


@indexable
@require_safe
def statistics_view(request, year: int | None = None, quarter: int | None = None):
    quarters = published_quarters()
    chosen = _chosen(quarters, year, quarter)
    tables = open_tables()
    figures = open_quarter(chosen, tables, get_language()) if chosen and tables else None
    return _public(
        render(
            request,
            "public/statistics.html",
            {
                "quarters": [
                    {
                        "label": quarter_label(q.year, q.quarter),
                        "year": q.year,
                        "quarter": q.quarter,
                        "current": q == chosen,
                    }
                    for q in quarters
                ],
                "chosen": chosen,
                "figures": figures,
                "notes": figures.notes() if figures else [],
            },
        )
    )


@require_safe
def statistics_csv_view(request, year: int, quarter: int):
    chosen = _chosen(published_quarters(), year, quarter)
    tables = open_tables()
    if not tables:
        raise Http404
    language = get_language()
    response = HttpResponse(
        quarter_csv(open_quarter(chosen, tables, language)), content_type="text/csv; charset=utf-8"
    )
    name = f"huoli-statistics-{year}-q{quarter}-{language}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _public(response)
