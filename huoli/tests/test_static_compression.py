"""Static files are served compressed, HTML pages never (Lighthouse's "Enable text
compression", issue 21): `make run` and the production profile collect the static files with
gzip copies (CompressedManifestStaticFilesStorage) and WhiteNoise serves those; a page is
never compressed, because it mixes a secret (a return code, a CSRF token) with text an
attacker could choose (BREACH)."""

from __future__ import annotations

import gzip
import http.client
import re
import subprocess
import sys

import pytest
from django.conf import settings

from huoli.tests.asgi_process import ROOT, AsgiProcess
from huoli.tests.test_production_profile import outside_environment

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(port: int, path: str) -> tuple[dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip, br"})
        response = connection.getresponse()
        return {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture
def collected(tmp_path):
    """The static files collected as `make run` collects them, into a fresh var/static."""
    makefile = (ROOT / "Makefile").read_text()
    assert "HUOLI_COLLECTED_STATIC=1 $(BIN)/python manage.py collectstatic" in makefile
    assert "HUOLI_COLLECTED_STATIC=1 HUOLI_PURGE_DAILY=1 $(BIN)/uvicorn" in makefile
    env = {
        **outside_environment(),
        "HUOLI_VAR_DIR": str(tmp_path),
        "HUOLI_SECRET_KEY": settings.SECRET_KEY,
        "HUOLI_DATA_KEYS": ",".join(settings.HUOLI_DATA_KEYS),
        "HUOLI_RETURN_CODE_PEPPER": settings.HUOLI_RETURN_CODE_PEPPER,
        "HUOLI_COLLECTED_STATIC": "1",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "static" / "public").glob("public.*.css.gz"))
    return tmp_path


def test_static_files_are_served_compressed_and_pages_are_not(collected):
    server = AsgiProcess(HUOLI_VAR_DIR=str(collected), HUOLI_COLLECTED_STATIC="1")
    server.start()
    try:
        headers, body = fetch(server.port, "/en/")
        assert "content-encoding" not in headers
        assert b"<!doctype html>" in body.lower()
        html = body.decode()
        # Hashed names with DEBUG off (production), plain ones with DEBUG on (`make run`).
        css = re.search(r'href="(/static/public/public(?:\.[0-9a-f]{12})?\.css)"', html)
        script = re.search(r'src="(/static/public/quick_exit(?:\.[0-9a-f]{12})?\.js)"', html)
        assert css and script, html[:900]
        for path, kind in ((css[1], "text/css"), (script[1], "javascript")):
            headers, body = fetch(server.port, path)
            assert headers.get("content-encoding") == "gzip", (path, headers)
            assert kind in headers["content-type"]
            assert gzip.decompress(body)
        # A page with a return code on it is never compressed either.
        headers, _body = fetch(server.port, "/en/message/")
        assert "content-encoding" not in headers
    finally:
        server.stop()


def test_no_middleware_compresses_pages():
    assert not [m for m in settings.MIDDLEWARE if "gzip" in m.lower() or "compress" in m.lower()]
