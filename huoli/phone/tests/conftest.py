"""Tests of the SIP server's configuration and of the daemons: skipped where Kamailio,
rtpengine or baresip is missing, except in CI, where a missing package is a failure."""

import os
import shutil

import pytest


def require(*programs: str) -> None:
    missing = [name for name in programs if shutil.which(name) is None]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the telephone tests, but {', '.join(missing)} is missing")
    pytest.skip(f"not installed: {', '.join(missing)}")
