"""systemd's own reading of the installed units: what deploy/without-systemd cannot show
(unknown keys, sandboxing settings, timers' schedules, commands that are not there)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path("/etc/systemd/system")


def test_systemd_finds_nothing_wrong_in_the_installed_units():
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing (Debian's systemd package)")
    shipped = sorted(p.name for p in (Path(__file__).parents[1] / "systemd").iterdir())
    names = [name.replace("@.", "@8001.") for name in shipped]
    assert "huoli@8001.service" in names and "huoli-backup.timer" in names
    for name in shipped:  # installed as shipped
        assert (UNITS / name).read_text() == (
            Path(__file__).parents[1] / "systemd" / name
        ).read_text()
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(UNITS / name) for name in names)],
        capture_output=True, text=True, cwd="/",
    )  # fmt: skip
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    assert output == "", output
