"""ServiceError: the one way a service refuses (DESIGN.md §3).

A refusal a user can see is a ServiceError subclass whose translatable messages live beside it,
in `messages` (code -> msgid marked with `_l`), as pretix keeps `error_messages` beside
`OrderError`. A service raises it with a code, the form field it concerns (if any) and the
message's parameters; it never formats text for a reader. The web layer shows `error.message`
in the viewer's language: beside that field when the page's form has it, else as a flash
(scheduler/web.py), and the transaction is rolled back at the request's edge.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class ServiceError(Exception):
    """A refusal a user can see: *code* picks the message, *field* the form field it concerns."""

    messages: ClassVar[Mapping[str, object]] = {}

    def __init__(self, code: str, field: str | None = None, **params):
        if code not in self.messages:
            # A programming error: every code a service raises has its message beside the class.
            raise KeyError(f"{type(self).__name__} has no message for {code!r}")
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        """Return the refusal in the current language, its parameters filled in."""
        return self.render(self.params)

    def render(self, params: Mapping[str, object]) -> str:
        """Return the message with *params* (e.g. ids already turned into names by the view)."""
        text = str(self.messages[self.code])
        return text % {name: str(value) for name, value in params.items()} if params else text

    def __str__(self) -> str:
        return f"{self.code}: {self.params}" if self.params else self.code
