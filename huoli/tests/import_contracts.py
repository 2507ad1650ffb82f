"""An import-linter contract of our own: a domain app reaches another domain app only through
its front doors (``models``, ``services``, ``selectors``, ``errors``), never through its
internals. The edges (``public``, ``console``, ``demo``) and the wiring sit on top and may use
an app's other modules too (the socket's message writer, the report files).

Configured in ``pyproject.toml`` (``[tool.importlinter]``) and checked by ``lint-imports`` in
``make test``; ``huoli/tests/test_import_contracts.py`` shows it can fail.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output


class FrontDoorsContract(Contract):
    """Options:
    - ``apps``: the domain apps (e.g. ``huoli.conversations``).
    - ``doors``: the first module names under an app that the other apps may import
      (``services`` also covers ``services.messages``, but not a private ``services._common``).
    Tests (any module under a ``tests`` package) are not checked: they build anything.
    """

    type_name = "front_doors"

    apps = fields.ListField(subfield=fields.StringField())
    doors = fields.ListField(subfield=fields.StringField())

    def _within(self, module: str, packages) -> bool:
        return any(module == p or module.startswith(p + ".") for p in packages)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        broken = []
        for app in self.apps:
            for module in sorted(graph.find_descendants(app)):
                door, *inside = module[len(app) + 1 :].split(".")
                private = any(part.startswith("_") for part in inside)
                if (door in self.doors and not private) or door == "tests":
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if self._within(importer, [app]) or not self._within(importer, self.apps):
                        continue
                    if "tests" in importer.split("."):
                        continue
                    lines = [
                        detail["line_number"]
                        for detail in graph.get_import_details(importer=importer, imported=module)
                    ]
                    broken.append({"importer": importer, "imported": module, "lines": lines})
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["broken"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(
                f"{item['importer']} imports {item['imported']} ({lines}): not a front door",
                bold=False,
            )
        output.new_line()
