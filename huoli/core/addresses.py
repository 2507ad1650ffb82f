"""The public site's absolute address, for what leaves the page: canonical links, the
sitemap, the address and QR code on printed materials."""

from __future__ import annotations

from django.conf import settings


def public_address(path: str, request=None) -> str:
    """``path`` (from ``reverse``) on the public site: ``HUOLI_PUBLIC_URL`` when set (production,
    where a request's Host header decides nothing), else the host the request came to."""
    if settings.HUOLI_PUBLIC_URL:
        return settings.HUOLI_PUBLIC_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return "http://127.0.0.1:8000" + path
