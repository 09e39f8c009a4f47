"""ServiceError: the one way a service refuses (DESIGN.md §3).

A refusal a user can see is a ServiceError subclass whose translatable messages live beside it,
in `messages` (code -> English msgid marked with `N_`, one of pybabel's default keywords, so
extraction finds it), as pretix keeps `error_messages` beside `OrderError`. A service raises it
with a code, the form field it concerns (if any) and the message's parameters; it never formats
text for a reader. Input refused on several fields at once is one refusal carrying the others
(`together`), so a form can show each beside its field. The web layer shows `error.message` in
the viewer's language (or `error.render(...)` with ids turned into names): beside that field when
the page's form has it, else as a flash (scheduler/web.py), and the transaction is rolled back at
the request's edge.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from flask_babel import get_locale, gettext


def N_(message: str) -> str:
    """Mark *message* for extraction; it is translated when shown."""
    return message


def reader_language() -> str:
    """Return the language a refusal is being rendered in ("en" outside any locale)."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


class ServiceError(Exception):
    """A refusal a user can see: *code* picks the message, *field* the form field it concerns."""

    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, field: str | None = None, **params):
        if code not in self.messages:
            # A programming error: every code a service raises has its message beside the class.
            raise KeyError(f"{type(self).__name__} has no message for {code!r}")
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params
        self.others: tuple[ServiceError, ...] = ()

    @classmethod
    def together(cls, refusals: Sequence[ServiceError]) -> ServiceError:
        """Return the first of *refusals* carrying the others: one input refused on several
        fields at once, each shown beside its own."""
        first, *others = refusals
        first.others = tuple(others)
        return first

    @property
    def refusals(self) -> tuple[ServiceError, ...]:
        """Return this refusal and any refused with it (see `together`)."""
        return (self, *self.others)

    @property
    def message(self) -> str:
        """Return the refusal in the current language, its parameters filled in."""
        return self.render(self.params)

    def render(self, params: Mapping[str, object]) -> str:
        """Return the message in the current language with *params* filled in (a view may pass
        its own, e.g. interviewer ids already turned into names)."""
        msgid = self.messages[self.code]
        # Numbers keep their type for %d; anything else (lazy strings included) becomes text now,
        # in the current language.
        values = {name: value if isinstance(value, (int, float)) else str(value)
                  for name, value in params.items()}
        try:
            return gettext(msgid) % values
        except (KeyError, TypeError, ValueError):
            # A translation with a broken placeholder must not turn a clear refusal into a crash.
            return msgid % values

    def __str__(self) -> str:
        return f"{self.code}: {self.params}" if self.params else self.code
