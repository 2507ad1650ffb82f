"""Real-browser tests: Playwright drives Debian's Chromium against the ASGI app served by
uvicorn in a thread, on the test database. Skipped without Chromium, except in CI."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
import uvicorn
from django.core.management import call_command
from playwright.sync_api import expect

from huoli.tests.ports import free_port

CHROMIUM = os.environ.get("HUOLI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Playwright's expectations wait 5 s by default. A page that answers through the server, the
# channel layer and a reload can take longer on a busy 2-core machine (seen: "End chat" then the
# feedback question, with other suites running beside); a real fault still fails, later.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests, but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class LiveServer:
    """uvicorn serving the project's ASGI application in a thread, restartable on one port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread = None

    def start(self) -> None:
        from huoli.asgi import application

        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning",
            access_log=False, lifespan="off",
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def demo_staff(transactional_db, demo_mode):
    call_command("demo_data", verbosity=0)


@pytest.fixture
def asgi_server(transactional_db):
    from django.core.cache import cache

    cache.clear()  # guessing limits and the like left by earlier tests in this process
    server = LiveServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server_url(asgi_server):
    return asgi_server.url


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make between browser steps are still ordinary synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations():
    """Collects console messages about blocked content from every page given to ``watch``."""
    found: list[str] = []

    def watch(page):
        page.on(
            "console",
            lambda message: (
                found.append(message.text)
                if "Content Security Policy" in message.text or "Refused to" in message.text
                else None
            ),
        )
        return page

    watch.found = found
    return watch
