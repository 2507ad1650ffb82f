"""Refusals of the supervision app; its service modules raise these."""

from __future__ import annotations

from huoli.core.errors import DomainError


class SupervisionError(DomainError):
    """A refused action, with a message for the person who tried it (already translated)."""
