from huoli.core.errors import DomainError


class CallError(DomainError):
    """A refused action on a call (answered elsewhere, not on duty, one call at a time)."""
