"""An import-linter contract of our own: a domain app is reached from outside only through its
front doors (``models``, ``services``, ``selectors``, ``errors``…), never through its internals.

Configured in ``pyproject.toml`` (``[tool.importlinter]``) and checked by ``lint-imports`` in
``make test``; ``huoli/tests/test_import_contracts.py`` shows it can fail.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output


class FrontDoorsContract(Contract):
    """Options:
    - ``apps``: the packages whose insides are private (e.g. ``huoli.conversations``).
    - ``doors``: the first module names under an app that others may import (``services``
      also covers ``services.messages``).
    - ``edges``: packages that may also import ``edge_doors`` (the web edges use forms).
    - ``edge_doors``: extra doors open to the edges only.
    - ``ignore_importers``: packages whose imports are not checked (tests build anything).
    """

    type_name = "front_doors"

    apps = fields.ListField(subfield=fields.StringField())
    doors = fields.ListField(subfield=fields.StringField())
    edges = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    edge_doors = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    ignore_importers = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def _within(self, module: str, packages) -> bool:
        return any(module == p or module.startswith(p + ".") for p in packages)

    def _ignored(self, importer: str) -> bool:
        parts = importer.split(".")
        return "tests" in parts or self._within(importer, self.ignore_importers)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        broken = []
        for app in self.apps:
            for module in sorted(graph.find_descendants(app)):
                door = module[len(app) + 1 :].split(".")[0]
                if door in self.doors or door == "tests":
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if self._within(importer, [app]) or self._ignored(importer):
                        continue
                    if door in self.edge_doors and self._within(importer, self.edges):
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
