"""Our own import contract (front doors) can fail. `make test` runs `lint-imports`, which checks
every contract in pyproject.toml against the project."""

from __future__ import annotations

import grimp

from huoli.tests.import_contracts import FrontDoorsContract


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        for name in (importer, imported):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                graph.add_module(".".join(parts[:depth]))
        graph.add_import(
            importer=importer, imported=imported, line_number=1, line_contents="import"
        )
    return graph


def _contract() -> FrontDoorsContract:
    return FrontDoorsContract(
        name="doors",
        session_options={},
        contract_options={
            "apps": ["huoli.talk", "huoli.cases"],
            "doors": ["models", "services", "selectors"],
        },
    )


def test_an_import_of_another_apps_internals_breaks_the_contract():
    graph = _graph(
        ("huoli.cases.services", "huoli.talk.writer"),
        ("huoli.cases.selectors", "huoli.talk.services.messages"),
        ("huoli.cases.selectors", "huoli.talk.services._common"),
    )
    check = _contract().check(graph, verbose=False)
    assert not check.kept
    assert sorted((b["importer"], b["imported"]) for b in check.metadata["broken"]) == [
        ("huoli.cases.selectors", "huoli.talk.services._common"),
        ("huoli.cases.services", "huoli.talk.writer"),
    ]


def test_front_doors_imports_inside_an_app_tests_and_edges_keep_it():
    graph = _graph(
        ("huoli.cases.services", "huoli.talk.services.messages"),
        ("huoli.cases.services", "huoli.talk.models"),
        ("huoli.talk.services", "huoli.talk.writer"),
        ("huoli.cases.tests.test_x", "huoli.talk.writer"),
        ("huoli.web.views", "huoli.talk.writer"),
    )
    assert _contract().check(graph, verbose=False).kept
    graph.add_import(
        importer="huoli.cases.forms", imported="huoli.talk.forms", line_number=3, line_contents=""
    )
    assert not _contract().check(graph, verbose=False).kept
