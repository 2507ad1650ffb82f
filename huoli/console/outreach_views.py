"""Partner materials for administrators (issue 19): posters, leaflets and wallet cards in every
visitor language, and the badge partners put on their websites, with a campaign code of the
administrator's choice. Each download is audited, like the statistics'."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huoli.console.access import staff_required
from huoli.console.forms import CampaignForm
from huoli.core.audit import audit_record
from huoli.outreach.selectors import (
    MATERIAL_KINDS,
    MATERIALS,
    active_campaign,
    active_campaigns,
    badge_facts,
    badge_snippet,
    languages_with_numbers,
    material_filename,
    material_pdf,
)


def _campaign(request):
    """The active campaign the address asks for (``?c=``), or None; 404 for a code that is
    not an active campaign's, so that no file goes out without the code it was asked with."""
    code = request.GET.get("c", "")
    campaign = active_campaign(code)
    if code and campaign is None:
        raise Http404
    return campaign


@staff_required("outreach.materials")
@require_GET
def materials_view(request):
    form = CampaignForm(request.GET or None, campaigns=active_campaigns())
    campaign = form.cleaned_data["c"] if form.is_valid() else None
    query = f"?c={campaign.code}" if campaign else ""
    numbers = languages_with_numbers()
    names = dict(settings.HUOLI_SPOKEN_LANGUAGES)
    languages = []
    for code, local_name in settings.LANGUAGES:
        files = [
            (
                material,
                reverse("console:material_pdf", kwargs={"language": code, "kind": material.kind})
                + query,
                material_filename(material.kind, code, campaign),
            )
            for material in MATERIALS
        ]
        facts = badge_facts(code)
        languages.append(
            {
                "code": code,
                "name": names.get(code, local_name),
                "local_name": local_name,
                "numbers": numbers.get(code, []),
                "files": files if code in numbers else [],
                "snippet": badge_snippet(code, campaign, request),
                "badge": reverse("badge", kwargs={"language": code}),
                "badge_alt": facts.alt,
                "badge_width": facts.width,
                "badge_height": facts.height,
            }
        )
    return render(
        request,
        "console/materials.html",
        {
            "form": form,
            "campaign": campaign,
            "materials": MATERIALS,
            "material_languages": languages,
            "any_number": bool(numbers),
            "numbers_admin": reverse("admin:helpline_linenumber_changelist"),
        },
    )


@staff_required("outreach.materials")
@require_GET
def material_pdf_view(request, language: str, kind: str):
    if kind not in MATERIAL_KINDS or language not in dict(settings.LANGUAGES):
        raise Http404
    campaign = _campaign(request)
    if language not in languages_with_numbers():
        messages.error(request, _("Set the line's numbers first."))
        return HttpResponseRedirect(reverse("console:materials"))
    content = material_pdf(kind=kind, language=language, campaign=campaign, request=request)
    audit_record(
        actor=request.user,
        action="outreach.materials_downloaded",
        object_type="material",
        object_id=kind,
        data={"language": language, "campaign": campaign.code if campaign else ""},
    )
    response = HttpResponse(content, content_type="application/pdf")
    name = material_filename(kind, language, campaign)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
