"""Django for a bench script: keys in a fresh temporary folder, a fresh SQLite database there
(or DATABASE_URL), DEBUG off, migrated."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_ready() -> None:
    var = tempfile.mkdtemp(prefix="huoli-bench-")
    os.environ.update({"HUOLI_VAR_DIR": var, "HUOLI_DEBUG": "0"})
    subprocess.run([sys.executable, "-m", "huoli.keys"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    os.environ["DJANGO_SETTINGS_MODULE"] = "huoli.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
