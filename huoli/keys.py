"""Secret and data-encryption keys for a Huoli installation.

Runs without Django (``python -m huoli.keys``) so that ``make run`` can create the keys
before the settings are loaded. Keys come from the environment when set there
(``HUOLI_SECRET_KEY``, ``HUOLI_DATA_KEYS``); otherwise from files in ``var/`` that are
created on first use and never committed.

Threat answered: a copy of the database alone (a stolen backup) must not reveal message
bodies or notes, so the data keys live outside the database (see docs/threat-model.md).
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUOLI_VAR_DIR", BASE_DIR / "var"))
SECRET_KEY_FILE = VAR_DIR / "secret_key"
DATA_KEYS_FILE = VAR_DIR / "data_keys"
RETURN_CODE_PEPPER_FILE = VAR_DIR / "return_code_pepper"
TELEPHONY_SECRET_FILE = VAR_DIR / "telephony_secret"
CALLER_KEY_FILE = VAR_DIR / "caller_key"
DATA_KEY_BYTES = 32


class MissingKeyError(RuntimeError):
    pass


def new_data_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(DATA_KEY_BYTES)).decode()


def decode_data_key(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text.strip().encode())
    if len(raw) != DATA_KEY_BYTES:
        raise ValueError("a data key must be 32 bytes, base64 (url-safe) encoded")
    return raw


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


# Single-value secrets: (environment variable, file in var/, how to make a new one).
SINGLE_SECRETS = {
    "secret key": ("HUOLI_SECRET_KEY", SECRET_KEY_FILE, lambda: secrets.token_urlsafe(50)),
    "return-code pepper": (
        "HUOLI_RETURN_CODE_PEPPER",
        RETURN_CODE_PEPPER_FILE,
        lambda: secrets.token_urlsafe(32),
    ),
    # Shared by Kamailio and Huoli: Kamailio's routing questions carry it.
    "telephony secret": (
        "HUOLI_TELEPHONY_SECRET",
        TELEPHONY_SECRET_FILE,
        lambda: secrets.token_urlsafe(32),
    ),
    # Key of the hashes of callers' numbers and SIP call ids (decision 0035): without it a
    # copy of the database cannot test a number; replaced when the retention period ends.
    "caller key": ("HUOLI_CALLER_KEY", CALLER_KEY_FILE, lambda: secrets.token_urlsafe(32)),
}


def ensure_key_files() -> list[str]:
    """Create the secrets and the first data key in var/ if absent; return what was made."""
    made = []
    for env_name, path, make in SINGLE_SECRETS.values():
        if not os.environ.get(env_name) and not path.exists():
            _write_private(path, make() + "\n")
            made.append(str(path))
    if not os.environ.get("HUOLI_DATA_KEYS") and not DATA_KEYS_FILE.exists():
        _write_private(DATA_KEYS_FILE, new_data_key() + "\n")
        made.append(str(DATA_KEYS_FILE))
    return made


def read_single_secret(name: str) -> str:
    env_name, path, _make = SINGLE_SECRETS[name]
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    if path.exists():
        return path.read_text().strip()
    raise MissingKeyError(
        f"No {name}: set {env_name} or run `python -m huoli.keys` to create {path}."
    )


def read_secret_key() -> str:
    return read_single_secret("secret key")


def read_return_code_pepper() -> str:
    """Key of the return-code hash: without it, a copy of the database cannot test codes."""
    return read_single_secret("return-code pepper")


def read_telephony_secret() -> str:
    return read_single_secret("telephony secret")


def read_caller_key() -> str:
    return read_single_secret("caller key")


def caller_key_rotate_if_older(days: int, *, now: float | None = None) -> bool:
    """Replace the caller key when the file is older than ``days`` (the retention period):
    hashes of callers' numbers made under the old key then match nothing (decision 0035).
    A key given in the environment is the operator's to replace; a missing file is made."""
    env_name, path, make = SINGLE_SECRETS["caller key"]
    if os.environ.get(env_name):
        return False
    if path.exists():
        age = (now if now is not None else time.time()) - path.stat().st_mtime
        if age < days * 86400:
            return False
    _write_private(path, make() + "\n")
    return True


def read_data_keys() -> list[str]:
    """The data keys, newest first: the first encrypts, all of them decrypt."""
    value = os.environ.get("HUOLI_DATA_KEYS", "").strip()
    if value:
        keys = [part.strip() for part in value.split(",") if part.strip()]
    elif DATA_KEYS_FILE.exists():
        keys = [line.strip() for line in DATA_KEYS_FILE.read_text().splitlines() if line.strip()]
    else:
        raise MissingKeyError(
            f"No data keys: set HUOLI_DATA_KEYS or run `python -m huoli.keys` to create "
            f"{DATA_KEYS_FILE}."
        )
    for key in keys:
        decode_data_key(key)
    return keys


def add_data_key() -> str:
    """Put a new data key in front of var/data_keys; older keys stay for decryption."""
    if os.environ.get("HUOLI_DATA_KEYS"):
        raise MissingKeyError(
            "HUOLI_DATA_KEYS is set in the environment: put the new key printed by "
            "`python -m huoli.keys --print-new` at its front instead."
        )
    existing = read_data_keys() if DATA_KEYS_FILE.exists() else []
    key = new_data_key()
    _write_private(DATA_KEYS_FILE, "\n".join([key, *existing]) + "\n")
    return key


def main(argv: list[str]) -> int:
    if "--print-new" in argv:
        print(new_data_key())
        return 0
    if "--add-data-key" in argv:
        add_data_key()
        print(f"A new data key is now first in {DATA_KEYS_FILE}; run `manage.py reencrypt`.")
        return 0
    for path in ensure_key_files():
        print(f"Created {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
