"""Run the project's ASGI application in a separate uvicorn process on the test database.

The process is started with the flags of a documented command line: `make run`'s (the
Makefile) unless a test passes others, e.g. a production worker's (its systemd unit,
``production_flags``). Everything it writes to stdout and stderr goes to ``log_path``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from huoli.tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
APP = "huoli.asgi:application"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def production_writer_process() -> bool:
    """Whether ``huoli.settings`` turns the writer process on for this database and cache."""
    return connection.vendor != "sqlite" and bool(settings.REDIS_URL)


def _flags_after_app(command: str) -> list[str]:
    """The options after the application in a uvicorn command line, without --host/--port."""
    words = shlex.split(command.split(APP, 1)[1])
    flags: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--host", "--port"):
            skip = True
        else:
            flags.append(word)
    return flags


def make_run_flags() -> list[str]:
    """The uvicorn flags of `make run`, read from the Makefile."""
    line = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if f"uvicorn {APP}" in line
    )
    return _flags_after_app(line)


def production_flags() -> list[str]:
    """The uvicorn flags of a production worker: the ExecStart of deploy/systemd/huoli@.service,
    the unit deploy/install enables for each worker."""
    unit = (ROOT / "deploy" / "systemd" / "huoli@.service").read_text()
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    return _flags_after_app(line)


class AsgiProcess:
    """uvicorn serving huoli.asgi in its own process, on the test database; restartable."""

    def __init__(
        self,
        port: int | None = None,
        *,
        flags: list[str] | None = None,
        log_path: Path | None = None,
        **env: str,
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.flags = make_run_flags() if flags is None else flags
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="huoli-asgi-", suffix=".log")
            os.close(handle)
            log_path = Path(name)
            weakref.finalize(self, log_path.unlink, missing_ok=True)
        self.log_path = log_path
        self.env = {
            # Where the batches are stored as in production: the settings' default, which the
            # in-process tests' settings turn off (settings_test.py).
            "HUOLI_WRITER_PROCESS": "1" if production_writer_process() else "0",
            **os.environ,
            "DATABASE_URL": database_url(),
            "HUOLI_SECRET_KEY": settings.SECRET_KEY,
            "HUOLI_DATA_KEYS": ",".join(settings.HUOLI_DATA_KEYS),
            "HUOLI_RETURN_CODE_PEPPER": settings.HUOLI_RETURN_CODE_PEPPER,
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1",
                 "--port", str(self.port), *self.flags],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.output()) from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the ASGI process did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def output(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")


def mentions(text: str, number: int) -> bool:
    """Whether ``number`` appears in ``text`` as a number of its own (not inside another, and
    not as a process id in brackets)."""
    return re.search(rf"(?<![\d\[]){number}(?![\d\]])", text) is not None


@contextlib.contextmanager
def redis_for_production():
    """A Redis URL for a production-profile server, which refuses to start without one: the
    suite's own REDIS_URL when set, else a private redis-server on a free port (skipped on a
    developer machine without redis-server, never in CI)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            raise RuntimeError(
                "CI must run the production-profile servers, but redis-server is missing"
            )
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
