"""The browser side's layout: one socket client for the three live pages, and the public and
console static trees apart (decision 0030).

The visitor's chat (``public/static/public/chat.js``), the console's conversation page
(``console/static/console/chat.js``) and its live panel (``console/static/console/live.js``)
all talk to the server through ``core/static/shared/socket.js``, served as
``/static/shared/socket.js``. Public pages load only ``/static/public/`` and
``/static/shared/``; console pages only ``/static/console/`` and ``/static/shared/``."""

import os
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
SHARED = PACKAGE / "core" / "static" / "shared" / "socket.js"
# The SIP library, vendored (``make vendor-jssip``): it opens its own WebSocket to the SIP
# server, never to Huoli, and is loaded only by the softphones (``shared/phone.js``).
JSSIP = PACKAGE / "core" / "static" / "shared" / "vendor" / "jssip.min.js"
LIVE_SCRIPTS = [
    PACKAGE / "public" / "static" / "public" / "chat.js",
    PACKAGE / "console" / "static" / "console" / "chat.js",
    PACKAGE / "console" / "static" / "console" / "live.js",
]
# Each side's templates and scripts may load its own tree and the shared one, nothing else.
ALLOWED = {"public": {"public", "shared"}, "console": {"console", "shared"}}
IMPORT = re.compile(r"""^\s*import\b[^"']*["']([^"']+)["']""", re.M)
STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"'/]+)/""")


def scripts() -> list[Path]:
    return sorted(PACKAGE.glob("*/static/**/*.js"))


def test_only_the_shared_client_opens_a_websocket():
    openers = [path for path in scripts() if "new WebSocket(" in path.read_text()]
    assert openers == [SHARED, JSSIP]


def test_only_the_softphone_module_loads_the_sip_library():
    loaders = [
        path
        for path in scripts()
        if any(target.endswith("jssip.min.js") for target in IMPORT.findall(path.read_text()))
    ]
    assert loaders == [PACKAGE / "core" / "static" / "shared" / "phone.js"]


@pytest.mark.parametrize("script", LIVE_SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_live_page_imports_the_shared_client(script):
    assert "../shared/socket.js" in IMPORT.findall(script.read_text())


def test_the_shared_client_names_neither_side():
    """It gets its address and its frames from the page: nothing in it is public or
    console, so serving it to both sides shares no side's code with the other."""
    text = SHARED.read_text()
    assert IMPORT.findall(text) == []
    for word in ("/console/", "/chat/", "/static/", "data-", "querySelector", "texts."):
        assert word not in text, word


@pytest.mark.parametrize("side", sorted(ALLOWED))
def test_each_side_loads_only_its_own_tree_and_the_shared_one(side):
    loaded: dict[str, set[str]] = {}
    for template in (PACKAGE / side / "templates").rglob("*.html"):
        for tree in STATIC_TAG.findall(template.read_text()):
            loaded.setdefault(tree, set()).add(template.name)
    for script in (PACKAGE / side / "static" / side).rglob("*.js"):
        for target in IMPORT.findall(script.read_text()):
            tree = (Path(side) / target).parent.name if target.startswith("../") else side
            loaded.setdefault(tree, set()).add(script.name)
    assert side in loaded
    assert {tree: names for tree, names in loaded.items() if tree not in ALLOWED[side]} == {}


def test_every_script_import_names_a_static_file_that_is_there():
    """Resolved as the browser does, from the script's URL under /static/, against every
    app's static tree."""
    served = {
        path.relative_to(app_static).as_posix()
        for app_static in PACKAGE.glob("*/static")
        for path in app_static.rglob("*.js")
    }
    missing = []
    for script in scripts():
        app = script.relative_to(PACKAGE).parts[0]
        url = script.relative_to(PACKAGE / app / "static")  # served as /static/<url>
        for target in IMPORT.findall(script.read_text()):
            if target.startswith("."):
                resolved = os.path.normpath((url.parent / target).as_posix())
                if resolved not in served:
                    missing.append(f"{script.relative_to(PACKAGE)}: {target}")
    assert missing == []
