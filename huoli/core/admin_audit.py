"""Changes made in the Django admin go to the audit log (promise 4, docs/design.md), not only to
``django_admin_log``.

Threat answered: an administrator (or whoever holds an administrator's session) who quietly
gives an account more rights, switches an account back on, adds a two-factor device for
someone, shortens a retention period, opens the line at odd hours or weakens the flood
switch. ``django_admin_log`` is an ordinary table anyone with the admin's rights could edit;
the audit log is hash-chained and append-only.

``HuoliAdminSite.register`` puts ``AuditedAdminMixin`` in front of every ModelAdmin, ours and
django-otp's, so no admin page can be added without it. Each entry says who, which object
(model, id and label) and which fields changed; for fields that hold settings rather than
text (booleans, numbers, dates, times, choices, references) the old and new values too.
Text fields, and anything named like a password, key, secret or token, are named but their
values are never written. Entries are written in the admin's own transaction, so a refused or
failed save leaves none.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models, router, transaction

from huoli.core.audit import audit_record

ADDED = "admin.added"
CHANGED = "admin.changed"
DELETED = "admin.deleted"

_SECRET_WORDS = ("password", "key", "secret", "token")
_VALUE_FIELDS = (
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.DateField,  # DateTimeField too
    models.TimeField,
    models.DurationField,
    models.ForeignKey,
)
_PENDING = "_huoli_admin_audit"


def _is_secret(field: models.Field) -> bool:
    return any(word in field.name.lower() for word in _SECRET_WORDS)


def _shows_value(field: models.Field) -> bool:
    return not _is_secret(field) and (isinstance(field, _VALUE_FIELDS) or bool(field.choices))


def _audited_fields(model) -> list[models.Field]:
    """The fields an edit can change (not the key, not ``auto_now`` stamps)."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "auto_now", False)
    ]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The raw stored value of every audited field (ids for references)."""
    return {field.name: getattr(obj, field.attname) for field in _audited_fields(type(obj))}


def _differences(model, old: dict[str, Any], new: dict[str, Any], prefix: str = ""):
    names: list[str] = []
    values: dict[str, list[Any]] = {}
    for field in _audited_fields(model):
        before, after = old.get(field.name), new.get(field.name)
        if before == after:
            continue
        names.append(prefix + field.name)
        if _shows_value(field):
            values[prefix + field.name] = [_json_value(before), _json_value(after)]
    return names, values


class AuditedAdminMixin:
    """Writes ``admin.added``, ``admin.changed`` and ``admin.deleted`` entries.

    Saves are captured around ``save_model`` and ``save_formset`` (the row as stored before
    and after, so values the model sets itself, such as the admin rights that follow a role,
    show too) and written by ``log_addition``/``log_change``, which Django calls for every
    add and change form, for the changelist's editable columns and for the password form.
    Deletions are written in ``delete_model`` and ``delete_queryset`` (the delete page and
    the bulk "delete selected" action), in one transaction with the deletion.
    """

    # --- capture -------------------------------------------------------------------------
    def _pending(self, obj) -> dict[str, Any]:
        return obj.__dict__.setdefault(_PENDING, {"fields": [], "values": {}})

    def _stored(self, obj) -> dict[str, Any]:
        if obj.pk is None:
            return {}
        row = type(obj)._default_manager.filter(pk=obj.pk).first()
        return snapshot(row) if row is not None else {}

    def save_model(self, request, obj, form, change):
        before = self._stored(obj) if change else {}
        super().save_model(request, obj, form, change)
        names, values = _differences(type(obj), before, snapshot(obj))
        pending = self._pending(obj)
        pending["fields"] += names
        pending["values"].update(values)

    def save_formset(self, request, form, formset, change):
        """Inline rows (e.g. a counsellor's profile) count as changes of the parent."""
        model = formset.model
        prefix = f"{model._meta.model_name}."
        before = {
            inline.instance.pk: self._stored(inline.instance)
            for inline in formset.initial_forms
            if inline.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)
        pending = self._pending(form.instance)
        for inline in formset.forms:
            instance = inline.instance
            if instance.pk is None or not inline.has_changed():
                continue
            old = before.get(instance.pk, {})
            names, values = _differences(model, old, snapshot(instance), prefix)
            pending["fields"] += names
            pending["values"].update(values)
        if formset.deleted_objects:
            pending["fields"].append(f"{prefix}deleted")

    # --- write ---------------------------------------------------------------------------
    def _record(self, request, obj, action: str, fields: list[str], values: dict) -> None:
        audit_record(
            actor=request.user,
            action=action,
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            data={
                "model": obj._meta.label_lower,
                "label": str(obj)[:200],
                "fields": fields,
                "values": values,
            },
        )

    def _take_pending(self, obj, message) -> tuple[list[str], dict]:
        pending = obj.__dict__.pop(_PENDING, None)
        if pending is not None:
            return list(dict.fromkeys(pending["fields"])), pending["values"]
        # A change that did not pass save_model (the password form): Django's own message
        # names the fields; no values.
        names: list[str] = []
        for part in message if isinstance(message, list) else []:
            names += part.get("changed", {}).get("fields", [])
        return names, {}

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        fields, values = self._take_pending(obj, message)
        self._record(request, obj, ADDED, fields, values)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        fields, values = self._take_pending(obj, message)
        self._record(request, obj, CHANGED, fields, values)
        return entry

    def _record_deletion(self, request, obj) -> None:
        model = type(obj)
        values = {
            field.name: [_json_value(getattr(obj, field.attname)), None]
            for field in _audited_fields(model)
            if _shows_value(field) and getattr(obj, field.attname) is not None
        }
        self._record(request, obj, DELETED, [], values)

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(type(obj))):
            self._record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            for obj in queryset:
                self._record_deletion(request, obj)
            super().delete_queryset(request, queryset)
