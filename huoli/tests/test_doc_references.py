"""Every reference in the project points at something a person who clones it has.

Code, templates, tests and docs cite documents (``docs/events.md``), the numbered promises
of docs/design.md ("promise 2") and decisions ("decision 0008"). Each test below walks every
tracked text file and fails on a citation that leads nowhere: a Markdown file that is not in
the repository, a promise that docs/design.md does not number, a decision with no file in
docs/decisions/, or a path into notes outside the repository.

Convention: a file that cites a promise names docs/design.md once, beside its first citation
("(promise 2, docs/design.md)"); later citations in the file say just "promise N".
"""

import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".py", ".md", ".html", ".js", ".toml", ".json", ".txt"}
NAMES = {"Makefile"}
DESIGN = "docs/design.md"

# A Markdown file name, with or without folders; ``*`` stands for any text, as in a glob.
MARKDOWN = re.compile(r"(?<![\w/.*-])((?:[\w.*-]+/)*[\w.*-]*[\w*]\.md)\b")
NUMBERS = r"(\d+(?:\s*(?:,|and|or|&)\s*\d+)*)"
PROMISE = re.compile(rf"\bpromises?\s+{NUMBERS}\b", re.I)
DECISION = re.compile(rf"\bdecisions?\s+{NUMBERS}\b", re.I)
# The team's notes outside the repository, by path. Written in parts so that this file does
# not match itself; a URL path such as /console/work/ is not one, nor the browser scripts'
# imports of the shared browser modules (huoli/core/static/shared/*.js: socket.js,
# message_gaps.js…; test_static_trees checks that each import names a file that is there).
SHARED_MODULES = r"(?!/[\w-]+\.js\b)"
OUTSIDE = re.compile(r"\.\./" + "shared" + SHARED_MODULES + r"|(?<![\w.-])/" + "work/")


@cache
def tracked_files() -> tuple[Path, ...]:
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        paths = [ROOT / name for name in listing.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "node_modules", "var"}
        paths = [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts[:1])]
    return tuple(p for p in paths if p.is_file() and (p.suffix in SUFFIXES or p.name in NAMES))


def _texts():
    for path in tracked_files():
        yield path.relative_to(ROOT).as_posix(), path, path.read_text(errors="replace")


def _lines(text: str, pattern: re.Pattern):
    for number, line in enumerate(text.splitlines(), 1):
        for match in pattern.finditer(line):
            yield number, match


def _numbers(group: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", group)]


def _markdown_exists(name: str, citing: Path) -> bool:
    if "/" not in name:
        return any(p.match(name) for p in tracked_files())
    bases = (ROOT, citing.parent, ROOT / "docs")
    return any(any(base.glob(name)) for base in bases)


@cache
def promise_numbers() -> frozenset[int]:
    """The numbers of the list under docs/design.md's section heading about promises."""
    text = (ROOT / DESIGN).read_text()
    section = re.search(r"^##+ [^\n]*\bpromises\b[^\n]*\n(.*?)(?=^#|\Z)", text, re.M | re.S | re.I)
    assert section, f"{DESIGN} has no heading about the promises"
    return frozenset(int(n) for n in re.findall(r"^(\d+)\. ", section.group(1), re.M))


def test_the_promises_are_numbered_one_to_eight():
    assert promise_numbers() == frozenset(range(1, 9))


def test_every_cited_markdown_file_exists():
    missing = [
        f"{name}:{line}: {match.group(1)}"
        for name, path, text in _texts()
        for line, match in _lines(text, MARKDOWN)
        if not _markdown_exists(match.group(1), path)
    ]
    assert missing == []


def test_every_cited_promise_is_numbered_in_the_design():
    known = promise_numbers()
    wrong = [
        f"{name}:{line}: {match.group(0)}"
        for name, _, text in _texts()
        for line, match in _lines(text, PROMISE)
        if not set(_numbers(match.group(1))) <= known
    ]
    assert wrong == []


def test_a_file_that_cites_a_promise_says_where_the_promises_are():
    silent = [
        name
        for name, _, text in _texts()
        if name != DESIGN and PROMISE.search(text) and DESIGN not in text
    ]
    assert silent == []


def test_every_cited_decision_has_a_file():
    decisions = ROOT / "docs" / "decisions"
    missing = [
        f"{name}:{line}: {match.group(0)}"
        for name, _, text in _texts()
        for line, match in _lines(text, DECISION)
        for number in _numbers(match.group(1))
        if not any(p.suffix == ".md" for p in decisions.glob(f"{number:04d}-*"))
    ]
    assert missing == []


def test_nothing_points_outside_the_repository():
    outside = [
        f"{name}:{line}: {match.group(0)}"
        for name, _, text in _texts()
        for line, match in _lines(text, OUTSIDE)
    ]
    assert outside == []
