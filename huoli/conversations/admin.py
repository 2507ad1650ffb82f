from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from huoli.conversations.models import CannedResponse, CannedText


class CannedTextForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"), choices=settings.HUOLI_SPOKEN_LANGUAGES)

    class Meta:
        model = CannedText
        fields = ["language", "text"]


class CannedTextInline(admin.TabularInline):
    """One text per visitor language (the database refuses a second in one language)."""

    model = CannedText
    form = CannedTextForm
    min_num = 1
    extra = 0


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "languages", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    inlines = [CannedTextInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("texts")

    @admin.display(description=_("languages"))
    def languages(self, response: CannedResponse) -> str:
        return " ".join(text.language for text in response.texts.all())
