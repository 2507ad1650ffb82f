"""Refusals of the conversations app; every service module raises these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huoli.core.errors import DomainError

if TYPE_CHECKING:
    from huoli.conversations.flood import Gate


class ConversationError(DomainError):
    """A refused action, with a message for the person who tried it (already translated)."""


class StartRefused(ConversationError):
    """A conversation that may not start now (``conversations.services.start``): the line is
    closed (``line_closed``), nobody is on duty (``nobody_on_duty``) or the flood gate wants
    the work or a wait first (``flood_gate``, with the ``gate`` to show)."""

    def __init__(self, code: str, message: str, *, gate: Gate | None = None):
        super().__init__(code, message)
        self.gate = gate
