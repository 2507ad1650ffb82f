"""Visitor-facing pages. No models, no cookies before a conversation starts (promise 1)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home_view(request):
    return render(request, "public/home.html", {})
