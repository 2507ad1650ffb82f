"""Refusals every layer shares. A service raises a ``DomainError`` subclass; the edge that
called it (a view, a consumer, a command) shows the message and, for programs, the code."""


class DomainError(Exception):
    """A refused action: ``code`` for programs, the message (translated) for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code

    def __reduce__(self):
        # Pickled with its code, its message still lazy where it was (translated where it is
        # shown) and any attributes a subclass adds: the writer process sends refusals back
        # to its server (conversations/writer.py). Exception's own would call
        # ``cls(message)`` and fail.
        return (type(self), (self.code, self.args[0]), self.__dict__)
