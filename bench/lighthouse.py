"""Lighthouse on the public pages a family finds by searching (issue 19): the home page, an
information page and the services list, in Finnish and in Arabic (right to left).

    .venv/bin/python bench/lighthouse.py

Starts Huoli under uvicorn as `make run` serves it (collected static files, DEBUG off) on a
fresh SQLite database in a temporary folder with the demo data (the line open around the
clock, its demo number), `HUOLI_PUBLIC_URL` set to that server, and runs Lighthouse (the npm
package pinned in package.json, `npm ci`) with Debian's Chromium (`CHROME_PATH`, default
/usr/bin/chromium) on each page: performance, accessibility, best practices and SEO, with
Lighthouse's default mobile emulation and simulated throttling. Nothing reaches the internet:
Chromium resolves no name but 127.0.0.1 and its background services are off. Prints the four
scores per page, and exits 1 unless every page scores at least 90 for SEO and 95 for
accessibility (naming the audits that cost points). The JSON reports stay in a temporary
folder it names, or in `--keep DIR`; the database and keys are deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from huoli.tests.asgi_process import make_run_flags  # noqa: E402 (the Makefile's uvicorn flags)

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
AIMS = {"seo": 90, "accessibility": 95}
LANGUAGES = ["fi", "ar"]
PAGES = [
    ("home", "/{lang}/"),
    ("information", "/{lang}/info/signs/"),
    ("services", "/{lang}/services/"),
]
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-domain-reliability", "--disable-quic",
    # Offline: every host name fails to resolve; the page is asked for at 127.0.0.1.
    '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"',
]  # fmt: skip


def prepare(var: str) -> dict[str, str]:
    """Keys, a migrated SQLite database with the demo data, the static files collected: the
    environment the server runs with."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "HUOLI_VAR_DIR": var,
        "HUOLI_STATIC_ROOT": str(Path(var) / "static"),
        "HUOLI_DEBUG": "0",
        "HUOLI_DEMO": "1",
        "HUOLI_COLLECTED_STATIC": "1",
        "DJANGO_SETTINGS_MODULE": "huoli.settings",
    }
    quiet = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([sys.executable, "-m", "huoli.keys"], **quiet)
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"], ["demo_data"]):
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], **quiet)
    return env


def lighthouse(url: str, report: Path, chrome: str) -> dict:
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--no-enable-error-reporting", "--output=json",
        f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]  # fmt: skip
    # Twice at most: on a busy machine Lighthouse now and then loses the page load's trace
    # ("NO_NAVSTART", seen here while a test suite ran) and asks to be run again.
    for attempt in (1, 2):
        run = subprocess.run(
            command, cwd=ROOT, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True,
            text=True,
        )  # fmt: skip
        if run.returncode == 0 and report.exists():
            return json.loads(report.read_text())
        if attempt == 1:
            print(f"lighthouse failed on {url} ({run.returncode}); once more", file=sys.stderr)
    raise SystemExit(f"lighthouse failed on {url} ({run.returncode}):\n{run.stderr[-3000:]}")


def scores(result: dict) -> dict[str, int | None]:
    return {
        name: None if result["categories"][name]["score"] is None
        else round(result["categories"][name]["score"] * 100)
        for name in CATEGORIES
    }  # fmt: skip


def lost_points(result: dict, category: str) -> list[str]:
    """The audits of a category that cost points: id, title and what Lighthouse says."""
    lost = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            detail = audit.get("explanation") or audit.get("displayValue") or ""
            lost.append(f"{ref['id']} ({audit['score']:.2f}): {audit['title']} {detail}".strip())
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="a folder to keep the JSON reports in")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci` first")
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not Path(chrome).exists():
        raise SystemExit(f"no Chromium at {chrome} (set CHROME_PATH)")
    var = tempfile.mkdtemp(prefix="huoli-lighthouse-")
    reports = args.keep or Path(tempfile.mkdtemp(prefix="huoli-lighthouse-reports-"))
    reports.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = prepare(var)
    env["HUOLI_PUBLIC_URL"] = site
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "huoli.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), *make_run_flags()],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    rows, failures = [], []
    try:
        wait_for_port(port, server)
        for lang in LANGUAGES:
            for name, path in PAGES:
                url = site + path.format(lang=lang)
                result = lighthouse(url, reports / f"{lang}-{name}.json", chrome)
                got = scores(result)
                missed = [c for c, aim in AIMS.items() if got[c] is None or got[c] < aim]
                rows.append((f"{lang} {name}", path.format(lang=lang), got, missed))
                for category in missed:
                    failures += [
                        f"{lang} {name} {category}: {line}"
                        for line in lost_points(result, category)
                    ]
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(var, ignore_errors=True)

    print(f"\nLighthouse {lighthouse_version()} with {chrome}, mobile, simulated throttling")
    header = f"{'page':<16} {'address':<18}" + "".join(f"{c:>16}" for c in CATEGORIES) + "  aims"
    print(header)
    print("-" * len(header))
    for page, path, got, missed in rows:
        cells = "".join(f"{'-' if got[c] is None else got[c]:>16}" for c in CATEGORIES)
        verdict = "fail: " + ", ".join(missed) if missed else "pass"
        print(f"{page:<16} {path:<18}{cells}  {verdict}")
    aims = " and ".join(f"{c} ≥ {aim}" for c, aim in AIMS.items())
    if failures:
        print(f"\nNot met ({aims}); the audits that cost points:")
        print("\n".join(f"  {line}" for line in failures))
        print(f"Reports: {reports}")
        raise SystemExit(1)
    print(f"\nEvery page meets the aims ({aims}). Reports: {reports}")


def lighthouse_version() -> str:
    return subprocess.run(
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    main()
