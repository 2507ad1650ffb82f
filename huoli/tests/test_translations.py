"""Translations are a build gate: catalogues current, complete, and compiled."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HUOLI = Path(__file__).resolve().parent.parent
LOCALE = HUOLI / "locale"
STAFF_LANGUAGES = ["fi", "sv"]
MSGFMT = shutil.which("msgfmt")
needs_gettext = pytest.mark.skipif(
    MSGFMT is None and not os.environ.get("CI"), reason="GNU gettext is not installed"
)


def msgids(po: Path) -> set[str]:
    text = po.read_text()
    found = set()
    for block in re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M):
        found.add("".join(re.findall(r'"(.*)"', block)))
    found.discard("")
    return found


@needs_gettext
def test_catalogues_hold_every_text_in_the_code(tmp_path):
    # makemessages writes to the `locale` folder under its working directory, whatever
    # LOCALE_PATHS says: it runs in a scratch copy of the package, so the tree stays clean.
    scratch_package = tmp_path / "huoli"
    shutil.copytree(
        HUOLI, scratch_package, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "node_modules")
    )
    scratch = scratch_package / "locale"
    before = {po: po.read_bytes() for po in LOCALE.glob("*/LC_MESSAGES/django.po")}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "huoli.tests.makemessages_settings",
        "HUOLI_TEST_LOCALE_DIR": str(scratch),
    }
    subprocess.run(
        [sys.executable, str(HUOLI.parent / "manage.py"), "makemessages", "-l", "fi",
         "--no-obsolete", "-v", "0"],
        cwd=scratch_package, env=env, check=True,
    )  # fmt: skip
    assert {po: po.read_bytes() for po in before} == before, "the committed catalogues changed"
    current = msgids(scratch / "fi" / "LC_MESSAGES" / "django.po")
    committed = msgids(LOCALE / "fi" / "LC_MESSAGES" / "django.po")
    assert current - committed == set(), "run `make messages` and translate the new texts"
    assert committed - current == set(), "run `make messages` to drop texts no longer used"


@needs_gettext
@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_staff_catalogues_are_complete_and_compiled(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    assert mo.read_bytes() == (tmp_path / "django.mo").read_bytes(), (
        f"{mo} is stale: run `make messages`"
    )
