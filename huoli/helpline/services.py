"""Writes about the helpline itself."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from huoli.core.audit import audit_record
from huoli.helpline.models import FloodSwitch, OpeningHours


def opening_hours_around_the_clock() -> bool:
    """Open every day from 00:00 to midnight, unless hours are already set (demo data,
    tests). Returns whether it set them."""
    if OpeningHours.objects.exists():
        return False
    OpeningHours.objects.bulk_create(
        OpeningHours(weekday=day, opens=dt.time(0, 0), closes=dt.time(0, 0)) for day in range(7)
    )
    return True


@transaction.atomic
def flood_switch_set(*, by, on: bool) -> FloodSwitch:
    """Turn the flood switch on or off; the gate itself is ``conversations.flood``."""
    switch = FloodSwitch.objects.select_for_update().get(pk=FloodSwitch.saved().pk)
    switch.on = on
    switch.changed_at = timezone.now()
    switch.changed_by = by
    switch.save()
    audit_record(actor=by, action="helpline.flood_switch", object_type="helpline", data={"on": on})
    return switch
