from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from huoli.core.admin_one_row import OneRowAdmin
from huoli.helpline.models import (
    FloodSwitch,
    InfoPage,
    LineNumber,
    OpeningException,
    OpeningHours,
    QuickExit,
    WaitingLimit,
)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]
    list_editable = ["opens", "closes"]
    list_display_links = ["weekday"]


@admin.register(OpeningException)
class OpeningExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "closed", "opens", "closes", "note"]
    date_hierarchy = "date"


class LineNumberForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("language"),
        choices=[("", _("Every language without a number of its own")), *settings.LANGUAGES],
        required=False,
    )

    class Meta:
        model = LineNumber
        fields = ["number", "language", "order"]


@admin.register(LineNumber)
class LineNumberAdmin(admin.ModelAdmin):
    """The line's numbers as printed on the public pages and the partner materials."""

    form = LineNumberForm
    list_display = ["number", "language", "order"]
    list_editable = ["order"]
    list_display_links = ["number"]
    list_filter = ["language"]
    ordering = ["language", "order", "pk"]


@admin.register(FloodSwitch)
class FloodSwitchAdmin(OneRowAdmin):
    """One row: how much work or waiting the flood switch asks; supervisors turn it on."""

    fields = ["bits", "wait_seconds", "on", "changed_at", "changed_by"]
    readonly_fields = ["on", "changed_at", "changed_by"]


@admin.register(QuickExit)
class QuickExitAdmin(OneRowAdmin):
    """One row: the neutral site the public pages' quick exit sends a visitor to."""

    fields = ["destination"]


@admin.register(WaitingLimit)
class WaitingLimitAdmin(OneRowAdmin):
    """One row: how long a visitor's chat waits before they are offered to leave a message."""

    fields = ["chat_minutes"]


class InfoPageForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)

    class Meta:
        model = InfoPage
        fields = ["slug", "language", "order", "title", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}
        help_texts = {
            "body": _(
                'Plain text. A blank line starts a new paragraph, "## " at the start of a '
                'paragraph makes it a heading, and lines starting with "- " make a list.'
            ),
            "slug": _("The same for every language version of one page, e.g. signs."),
        }


@admin.register(InfoPage)
class InfoPageAdmin(admin.ModelAdmin):
    """Information pages for families, one row per page and language. Rows are never
    deleted: a page missing in a language shows in English with a note."""

    form = InfoPageForm
    list_display = ["title", "slug", "language", "order", "updated_at"]
    list_filter = ["slug", "language"]
    search_fields = ["title", "body"]
    ordering = ["order", "slug", "language"]

    def has_delete_permission(self, request, obj=None):
        return False
