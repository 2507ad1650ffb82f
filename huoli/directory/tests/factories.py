"""Directory services for tests, added the way a file adds them: through the CSV import
(``services_import_csv``), which checks each row with the admin's form."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import factory

from huoli.directory.models import Service
from huoli.directory.services import CSV_COLUMNS, services_import_csv


def _csv_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


class ServiceFactory(factory.Factory):
    """A new service imported from a one-row CSV file; any column of the file is a keyword
    (``name_en``, ``languages_served``, ``public``…). Returns the stored ``Service``."""

    class Meta:
        model = dict

    key = factory.Sequence(lambda n: f"test-service-{n}")
    name_fi = factory.Sequence(lambda n: f"Testipalvelu {n}")
    category = Service.Category.OTHER
    municipality = "Helsinki"
    public = True
    active = True

    @classmethod
    def _create(cls, model_class, **fields):
        unknown = set(fields) - set(CSV_COLUMNS)
        if unknown:
            raise TypeError(f"not a column of the directory file: {sorted(unknown)}")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerow({name: _csv_text(fields.get(name)) for name in CSV_COLUMNS})
        report = services_import_csv(out.getvalue())
        if not report.ok:
            raise ValueError(f"the import refused the service: {report.errors}")
        return Service.objects.get(key=fields["key"])

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("services are always added through the import")
