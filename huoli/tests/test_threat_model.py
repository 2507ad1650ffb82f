"""docs/threat-model.md names the code and tests behind each mitigation: every file and
test it names must exist, so the document cannot drift from the code unnoticed."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
DOCUMENT = PACKAGE.parent / "docs" / "threat-model.md"


def test_every_file_and_test_named_in_the_threat_model_exists():
    text = DOCUMENT.read_text()
    names = re.findall(r"`([\w/.]+\.(?:py|js))(?:::(\w+)|)`", text)
    names += re.findall(r"`([\w/.]+\.py)::(\w+)`", text)
    assert len(names) > 40
    missing = []
    for path, test in names:
        candidates = [PACKAGE / path, PACKAGE / "tests" / path, PACKAGE.parent / path]
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            missing.append(path)
        elif test and not re.search(rf"^(async )?def {test}\(", found.read_text(), re.M):
            missing.append(f"{path}::{test}")
    for test in re.findall(r"`::(\w+)`", text):
        if not any(
            re.search(rf"^(async )?def {test}\(", f.read_text(), re.M)
            for f in PACKAGE.rglob("test_*.py")
        ):
            missing.append(f"::{test}")
    assert missing == []
