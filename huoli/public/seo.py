"""Being found (issue 19): each indexable page's canonical address and its versions in the
other languages, ``sitemap.xml`` and ``robots.txt``.

A page is indexable when its view is decorated with ``huoli.core.robots.indexable`` (home,
information pages, services; a new public page opts in the same way). From that one mark
follow the page's ``<meta name="robots">``, its canonical and ``hreflang`` links, the
``X-Robots-Tag`` header (``core.middleware.RobotsTagMiddleware``), the sitemap (every
indexable page without parameters, in every language; the information pages in the
languages they are written in) and robots.txt (every other public address is disallowed in
every language). Absolute addresses come from ``HUOLI_PUBLIC_URL`` when it is set
(``core.addresses.public_address``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse, translate_url
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from huoli.core.addresses import public_address
from huoli.core.robots import request_indexable, view_is_indexable
from huoli.helpline.models import InfoPage

# robots.txt and the sitemap may be kept this long by crawlers and proxies.
CACHE_SECONDS = 3600
# Addresses outside the public pages that no crawler needs (the console, Kamailio's questions,
# the call page's recorded messages, the health check).
NOT_PUBLIC = ["/console/", "/telephony/", "/sounds/", "/healthz"]


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def page_languages(request, languages: list[str]) -> None:
    """Say that this page exists only in ``languages`` (an information page): its alternates
    name only those."""
    request.page_languages = [code for code in language_codes() if code in set(languages)]


def x_default_path(path_in_default_language: str) -> str:
    """The address without a language, which sends a browser on to its own language (the
    locale middleware), as Django's sitemap writes ``x-default``."""
    prefix = f"/{settings.LANGUAGE_CODE}/"
    return path_in_default_language.replace(prefix, "/", 1)


def head_links(request) -> dict:
    """The template's ``robots_indexable``; for an indexable page also its ``canonical_url``
    (without the query: a search of the services list is the list) and ``alternate_links``
    [(hreflang, absolute address)] for each language it exists in, and ``x-default``."""
    if not request_indexable(request):
        return {"robots_indexable": False}
    path = request.path
    languages = getattr(request, "page_languages", None) or language_codes()
    alternates = [(code, public_address(translate_url(path, code), request)) for code in languages]
    if settings.LANGUAGE_CODE in languages:
        default = translate_url(path, settings.LANGUAGE_CODE)
        alternates.append(("x-default", public_address(x_default_path(default), request)))
    return {
        "robots_indexable": True,
        "canonical_url": public_address(path, request),
        "alternate_links": alternates,
    }


def _public_patterns(patterns=None) -> list[URLPattern]:
    """The patterns of the ``public`` namespace, found in the project's URL configuration
    (inside ``i18n_patterns``)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "public":
                return [p for p in entry.url_patterns if isinstance(p, URLPattern)]
            found = _public_patterns(entry.url_patterns)
            if found:
                return found
    return []


def indexable_page_names() -> list[str]:
    """The URL names of the indexable public pages without parameters, in urls.py's order."""
    return [
        f"public:{pattern.name}"
        for pattern in _public_patterns()
        if view_is_indexable(pattern.callback) and not pattern.pattern.converters
    ]


def disallowed_paths() -> list[str]:
    """What robots.txt disallows: the addresses outside the public pages, and in every
    language each first part of a public address that no indexable page shares
    (conversation/, return/, message/, call-back/, chat/ ...)."""
    firsts: dict[str, bool] = {}
    for pattern in _public_patterns():
        first = str(pattern.pattern).split("/", 1)[0]
        firsts[first] = firsts.get(first, False) or view_is_indexable(pattern.callback)
    hidden = [first for first, shown in firsts.items() if first and not shown]
    return NOT_PUBLIC + [f"/{code}/{first}/" for code in language_codes() for first in hidden]


@require_safe
def robots_txt(request):
    # Disallow first: a crawler that takes the first rule that matches (not the longest, as
    # RFC 9309 says) reads the same.
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in disallowed_paths()),
        "Allow: /",
        "",
        f"Sitemap: {public_address(reverse('sitemap'), request)}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


class PublicSitemap(Sitemap):
    """Every language with its alternates and ``x-default``; the site's address is
    ``HUOLI_PUBLIC_URL`` when set, else the one asked (Django's ``RequestSite``: no sites
    framework)."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        if settings.HUOLI_PUBLIC_URL:
            return urlsplit(settings.HUOLI_PUBLIC_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.HUOLI_PUBLIC_URL:
            return urlsplit(settings.HUOLI_PUBLIC_URL).netloc
        return super().get_domain(site)


class PagesSitemap(PublicSitemap):
    """The indexable pages without parameters: home, information pages, services."""

    def items(self):
        return indexable_page_names()

    def location(self, item):
        return reverse(item)


class InfoPagesSitemap(PublicSitemap):
    """Each information page in the languages it is written in; one shown in English for want
    of a translation is not listed under the other language (it is not indexed either)."""

    def items(self):
        self._languages_of: dict[str, set[str]] = {}
        self._changed: dict = {}
        for slug, language, changed in InfoPage.objects.order_by("order", "slug").values_list(
            "slug", "language", "updated_at"
        ):
            self._languages_of.setdefault(slug, set()).add(language)
            self._changed[slug] = max(changed, self._changed.get(slug, changed))
        return list(self._languages_of)

    def get_languages_for_item(self, item):
        return [code for code in language_codes() if code in self._languages_of[item]]

    def location(self, item):
        return reverse("public:info", args=[item])

    def lastmod(self, item):
        return self._changed.get(item)


SITEMAPS = {"pages": PagesSitemap, "info": InfoPagesSitemap}


@require_safe
def sitemap_xml(request):
    response = sitemap(request, sitemaps=SITEMAPS)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
