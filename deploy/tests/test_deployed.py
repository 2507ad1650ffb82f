"""The installed stack, as deploy/install left it on this machine: nginx over HTTPS in front
of two workers (each a huoli@<port> unit), PostgreSQL and Redis.

A visitor and a counsellor chat through nginx with their sockets on different workers; the
first worker (which holds one of the two sockets) is killed and restarted in the middle, then
deploy/upgrade runs while they go on chatting: nothing is lost or doubled. Every connection
comes from 127.0.0.77 (through a small TCP forwarder, so nginx sees that address as the
client's); afterwards no log of the stack (nginx's access and error logs, the workers',
PostgreSQL's, Redis's) holds it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect, sync_playwright

from huoli.conversations.selectors import MESSAGES_PER_PAGE
from huoli.tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from huoli.tests.browser.test_chat import bodies, counsellor_takes_chat, visitor_starts_chat

ROOT = Path(__file__).resolve().parents[2]
SERVER_NAME = "huoli.test"
CLIENT = "127.0.0.77"  # every connection of this test comes from here
LOGS = [Path("/var/log/nginx"), Path("/var/log/huoli"), Path("/var/log/postgresql"),
        Path("/var/log/redis")]  # fmt: skip
RUNNER = ROOT / "deploy" / "without-systemd"

expect.set_options(timeout=20_000)


def deploy_conf() -> dict[str, str]:
    values = {}
    for line in Path("/etc/huoli/deploy.conf").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value.strip('"')
    return values


def have_systemd() -> bool:
    return Path("/run/systemd/system").is_dir()


def unit(action: str, name: str) -> None:
    if have_systemd():
        command = (
            ["systemctl", "kill", "-s", "KILL", name]
            if action == "kill"
            else ["systemctl", action, name]
        )
    else:
        command = [str(RUNNER), action, name]
    subprocess.run(command, check=True, timeout=60)


def healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz", headers={"Host": SERVER_NAME})
        return connection.getresponse().status == 200
    except OSError:
        return False


def wait_until(check, seconds: float = 60) -> None:
    assert settles(check, seconds), f"timed out waiting for {check}"


def settles(check, seconds: float) -> bool:
    """Whether ``check`` comes true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def websockets_on(port: int) -> int:
    """Established connections a worker holds from nginx: nginx keeps no idle upstream
    connections (no `keepalive` in the site), so these are the sockets of open pages."""
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return len([line for line in out.splitlines() if line.strip()])


class Forwarder:
    """Listens on 127.0.0.1 and passes every connection on to nginx's port 443 from CLIENT, so
    that nginx and everything behind it see CLIENT as the visitor's address."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                inbound, _ = self.listener.accept()
            except OSError:
                return
            outbound = socket.create_connection(("127.0.0.1", 443), source_address=(CLIENT, 0))
            for a, b in ((inbound, outbound), (outbound, inbound)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.listener.close()


def manage(*args: str) -> str:
    result = subprocess.run(
        ["/usr/local/sbin/huoli-manage", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def counsellor():
    """A counsellor with a known two-factor key, and the line open around the clock."""
    name, password, key = (
        f"deploy-{secrets.token_hex(3)}",
        secrets.token_urlsafe(16),
        secrets.token_hex(20),
    )
    manage(
        "shell", "-c",
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from huoli.accounts.services import staff_user_create\n"
        "from huoli.helpline.services import opening_hours_around_the_clock\n"
        f"user = staff_user_create(username={name!r}, password={password!r}, role='counsellor',"
        " first_name='Aino', languages=['fi', 'en'], max_chats=3)\n"
        f"TOTPDevice.objects.create(user=user, name='phone', confirmed=True, key={key!r})\n"
        "opening_hours_around_the_clock()\n",
    )  # fmt: skip
    return {"username": name, "password": password, "key": bytes.fromhex(key)}


@pytest.fixture(scope="module")
def forwarder():
    forwarder = Forwarder()
    yield forwarder
    forwarder.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {SERVER_NAME} 127.0.0.1"],
        )
        yield browser
        browser.close()


def log_in(page, url: str, counsellor: dict) -> None:
    page.goto(f"{url}/console/login/")
    page.get_by_label("Username").fill(counsellor["username"])
    page.get_by_label("Password").fill(counsellor["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_label("Code from your authenticator app").fill(f"{totp(counsellor['key']):06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()
    page.get_by_role("button", name="Go on duty").click()
    expect(page.get_by_text("Live updates are on.")).to_be_visible()


def send(page, other, text: str, expected: list[str]) -> None:
    page.get_by_label("Message").fill(text)
    page.get_by_label("Message").press("Enter")
    expected.append(text)
    expect(bodies(page)).to_have_text(expected)
    expect(bodies(other)).to_have_text(expected)


def whole_history(page) -> list[str]:
    """Every message of the conversation on `page`, read as a person would: the live page's
    messages, then "Show earlier messages" page after page (in a tab of the same browser, so
    the live page stays as it is)."""
    texts = bodies(page).all_inner_texts()
    earlier = page.context.new_page()
    shown = page
    for _ in range(999):
        link = shown.get_by_role("link", name="Show earlier messages")
        if not link.count():
            break
        earlier.goto(urljoin(page.url, link.get_attribute("href")))
        expect(earlier.get_by_role("link", name="Back to the conversation").first).to_be_visible()
        texts = earlier.locator(".messages .message .body").all_inner_texts() + texts
        shown = earlier
    else:
        raise AssertionError("the earlier pages do not end")
    earlier.close()
    return texts


def test_a_chat_goes_on_through_a_killed_worker_and_an_upgrade_and_no_log_holds_the_address(
    counsellor, forwarder, browser
):
    ports = [int(port) for port in deploy_conf()["HUOLI_WORKER_PORTS"].split()]
    assert len(ports) >= 2, "deploy/install --workers 2 (at least)"
    for port in ports:
        wait_until(lambda port=port: healthy(port))
    url = f"https://{SERVER_NAME}:{forwarder.port}"
    started = time.time()

    staff = browser.new_context(locale="en-GB", ignore_https_errors=True).new_page()
    visitor = browser.new_context(locale="en-GB", ignore_https_errors=True).new_page()
    log_in(staff, url, counsellor)
    code = visitor_starts_chat(visitor, url)
    counsellor_takes_chat(staff, visitor)

    # The visitor's socket and the counsellor's on different workers: every message crosses
    # Redis. nginx balances by open connections; a reload of the counsellor's page opens its
    # socket again, on the worker with fewer.
    def split() -> bool:
        return all(websockets_on(port) >= 1 for port in ports[:2])

    for _ in range(6):
        if settles(split, 3):
            break
        staff.reload()
        expect(bodies(staff)).to_have_count(0)  # the page is back (no message yet)
    assert settles(split, 5), [websockets_on(port) for port in ports]

    expected: list[str] = []
    for i in range(1, 3):
        send(visitor, staff, f"visitor {i}", expected)
        send(staff, visitor, f"counsellor {i}", expected)

    # A worker dies (SIGKILL: no goodbye to its sockets) and comes back.
    victim = ports[0]
    unit("kill", f"huoli@{victim}.service")
    send(visitor, staff, "while a worker was gone", expected)
    send(staff, visitor, "still here", expected)
    if not have_systemd():  # systemd restarts it by itself (Restart=always)
        unit("start", f"huoli@{victim}.service")
    wait_until(lambda: healthy(victim))
    send(visitor, staff, "after the worker came back", expected)

    # deploy/upgrade while the chat goes on: a new release, migrations, static files, and the
    # workers restarted one at a time.
    upgrade_log = Path("/var/log/huoli/test-upgrade.log")
    with upgrade_log.open("wb") as log:
        upgrade = subprocess.Popen(
            [str(ROOT / "deploy" / "upgrade")], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    n = 0
    while upgrade.poll() is None:
        n += 1
        send(visitor, staff, f"during the upgrade {n}", expected)
        send(staff, visitor, f"answer during the upgrade {n}", expected)
    assert upgrade.wait() == 0, upgrade_log.read_text()[-3000:]
    assert "restarting the worker on port" in upgrade_log.read_text()
    send(visitor, staff, "after the upgrade", expected)
    # More than a page of messages in all, however fast the upgrade was: the pages below show
    # the latest MESSAGES_PER_PAGE and the rest behind "Show earlier messages".
    while len(expected) <= MESSAGES_PER_PAGE:
        n += 1
        send(visitor, staff, f"after the upgrade {n}", expected)

    # Stored once each: a new page with the return code shows the same, in order; the pages
    # show the latest MESSAGES_PER_PAGE, earlier ones behind "Show earlier messages".
    later = browser.new_context(locale="en-GB", ignore_https_errors=True).new_page()
    later.goto(f"{url}/en/return/")
    later.get_by_label("Return code").fill(code)
    later.get_by_role("button", name="Open").click()
    expect(bodies(later)).to_have_text(expected[-MESSAGES_PER_PAGE:])
    assert whole_history(later) == expected, "a message lost, doubled or out of order"
    staff.reload()
    expect(bodies(staff)).to_have_text(expected[-MESSAGES_PER_PAGE:])
    assert whole_history(staff) == expected

    # nginx's own refusals write error lines about the request, which name the client.
    form = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://{SERVER_NAME}/en/return/?from=marker-in-referrer",
    }
    status, _response, _body = https(
        "/en/message/?code=marker-in-query", form, port=forwarder.port,
        method="POST", body=b"x" * (3 * 1024 * 1024),
    )  # fmt: skip
    assert status == 413
    assert https("/no-such-page/", port=forwarder.port)[0] == 404

    # The logs were written (the test would prove nothing otherwise) and none holds CLIENT:
    # every file, of any age (an older file with addresses would be a leak too).
    error_log = Path("/var/log/huoli/nginx/error.log")
    wait_until(lambda: error_log.exists() and "too large body" in error_log.read_text(), 20)
    assert "[address]" in error_log.read_text()
    access = Path("/var/log/nginx/huoli-access.log").read_text()
    assert '"/no-such-page/" 404' in access
    assert '"/chat/ws/" 101' in access
    written = []
    for folder in LOGS:
        for path in folder.rglob("*"):
            if path.is_file():
                text = path.read_bytes().decode(errors="replace")
                assert CLIENT not in text, f"{path} holds the client's address"
                if path.stat().st_mtime >= started - 1:
                    written.append(path)
    names = {path.name for path in written}
    assert {"huoli-access.log", "error.log"} <= names, names
    assert 'request: "POST /en/message/ HTTP' in error_log.read_text()
    assert "marker-in" not in error_log.read_text()  # no query strings or referrers either
    if not have_systemd():  # the workers' output; under systemd it is in the journal
        assert any(name.startswith("huoli@") for name in names), names
    else:
        journal = subprocess.run(
            ["journalctl", "--since", f"@{int(started)}", "-u", "huoli@*", "-u", "nginx",
             "-u", "huoli-nginx-log", "-u", "postgresql*", "-u", "redis-server"],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        assert CLIENT not in journal
    for page in (staff, visitor, later):
        page.context.close()


def test_the_timers_services_run_from_their_units_and_the_backup_restores():
    """What the timers start, started from the same unit files: the purge, the call-back check
    and the nightly backup, which `restore --check` then reads with the passphrase."""
    backups = Path("/var/lib/huoli/backups")
    before = set(backups.glob("huoli-*.backup"))
    for name in (
        "huoli-purge.service",
        "huoli-callbacks.service",
        "huoli-queue.service",
        "huoli-backup.service",
    ):
        unit("start", name)
    (backup,) = set(backups.glob("huoli-*.backup")) - before
    assert backup.stat().st_mode & 0o077 == 0  # for the huoli user only
    # The passphrase is root's; a copy only the huoli user can read, for this check.
    folder = Path(tempfile.mkdtemp(prefix="huoli-test-"))  # 0700, in /tmp
    try:
        passphrase = folder / "passphrase"
        passphrase.write_bytes(Path("/etc/huoli/backup-passphrase").read_bytes())
        subprocess.run(["chown", "-R", "huoli:huoli", str(folder)], check=True)
        out = manage("restore", str(backup), "--check", "--passphrase-file", str(passphrase))
    finally:
        shutil.rmtree(folder)
    assert "The backup is intact" in out


def https(path: str, headers: dict | None = None, *, port=443, method="GET", body=None):
    """A request to nginx on ``port`` (443: from 127.0.0.1; the forwarder's: from CLIENT):
    status, response, body."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    connection.request(method, path, body=body, headers={"Host": SERVER_NAME, **(headers or {})})
    response = connection.getresponse()
    return response.status, response, response.read()


def test_nginx_redirects_to_https_serves_static_files_itself_and_never_compresses_pages():
    plain = http.client.HTTPConnection("127.0.0.1", 80, timeout=20)
    plain.request("GET", "/en/?x=1", headers={"Host": SERVER_NAME})
    response = plain.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{SERVER_NAME}/en/?x=1"

    status, page, html = https("/en/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert page.getheader("Content-Encoding") is None  # HTML carries tokens: BREACH
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert "default-src 'self'" in page.getheader("Content-Security-Policy", "")
    assert page.getheader("Server") == "nginx"  # no version
    script = re.search(rb'src="(/static/[^"]+\.[0-9a-f]{12}\.js)"', html).group(1).decode()

    status, static, body = https(script, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert static.getheader("Content-Encoding") == "gzip"  # the .gz copy, by nginx
    assert "immutable" in static.getheader("Cache-Control", "")
    assert static.getheader("X-Content-Type-Options") == "nosniff"
    assert static.getheader("Strict-Transport-Security", "").startswith("max-age=")
    # nginx, not a worker: the file is the collected one.
    collected = Path("/srv/huoli/static") / script.removeprefix("/static/")
    assert body == Path(f"{collected}.gz").read_bytes()

    status, _response, body = https("/healthz")
    assert status == 200
    assert json.loads(body)["status"] == "ok"
