"""Refusals every layer shares. A service raises a ``DomainError`` subclass; the edge that
called it (a view, a consumer, a command) shows the message and, for programs, the code."""


class DomainError(Exception):
    """A refused action: ``code`` for programs, the message (translated) for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
