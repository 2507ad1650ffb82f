"""The deployment's tests run against what deploy/install set up on this machine (`make
test-deploy`, `.ci/run`'s third run); they are not part of `make test`, which changes nothing
outside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

INSTALLED = Path("/etc/huoli/deploy.conf")


def pytest_collection_modifyitems(config, items):
    if INSTALLED.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI runs these after deploy/install, but Huoli is not installed")
    skip = pytest.mark.skip(reason="Huoli is not installed here (sudo deploy/install ...)")
    for item in items:
        item.add_marker(skip)
