"""The default texts of the information pages, one module per language:
``TEXT[slug] = (title, summary, body)``."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

TEXTS: dict[str, dict[str, tuple[str, str, str]]] = {}
for _code, _name in settings.LANGUAGES:
    _module = import_module(f"huoli.helpline.info_texts.{_code}")
    for _slug, _text in _module.TEXT.items():
        TEXTS.setdefault(_slug, {})[_code] = _text
