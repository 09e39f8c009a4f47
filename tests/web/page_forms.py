"""Read the forms and links of a rendered page, as a browser would submit and follow them.

`page_forms(html, page_url)` returns each <form>: its method, action and fields (name, kind,
the value the page would send, the choices offered). `page_query_names(html)` returns, per
same-site path, the query parameter names its links carry. The fuzz test uses both to find every
form and every parameter a page offers, so a new form or link is fuzzed without a new entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit


@dataclass
class FormField:
    name: str
    kind: str                       # text, textarea, select, hidden, checkbox, radio, date, …
    value: str = ""
    choices: list = field(default_factory=list)
    is_multiple: bool = False


@dataclass
class PageForm:
    method: str
    action: str
    enctype: str
    fields: dict = field(default_factory=dict)   # name -> FormField (first of that name)
    checked: dict = field(default_factory=dict)  # name -> values a browser would send

    def data(self) -> list[tuple[str, str]]:
        """Return what submitting the form untouched would send."""
        return [(name, value) for name, values in self.checked.items() for value in values]

    @property
    def signature(self) -> tuple:
        return (self.method, urlsplit(self.action).path, tuple(sorted(self.fields)))


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None
        self._option: str | None = None
        self._option_text = ""
        self._textarea: FormField | None = None
        self._option_selected: bool | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = PageForm(method=(a.get("method") or "get").upper(),
                                  action=urljoin(self.page_url, a.get("action") or self.page_url),
                                  enctype=a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._start_option(a)
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            name = a["name"]
            item = self._add(name, kind, a.get("value", ""))
            if kind in ("checkbox", "radio"):
                item.choices.append(a.get("value", "on"))
                if "checked" in a:
                    self._form.checked.setdefault(name, []).append(a.get("value", "on"))
                else:
                    self._form.checked.setdefault(name, [])
            elif kind != "file":
                self._form.checked.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = self._add(a["name"], "select", "")
            self._select.is_multiple = "multiple" in a
            self._form.checked.setdefault(a["name"], [])
        elif tag == "textarea":
            self._textarea = self._add(a["name"], "textarea", "")
            self._form.checked.setdefault(a["name"], [])

    def _start_option(self, a):
        self._option = a.get("value")
        self._option_text = ""
        self._option_selected = "selected" in a

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option_selected is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            values = self._form.checked.get(self._select.name) if self._form else None
            if self._form is not None and not values and self._select.choices \
                    and not self._select.is_multiple:
                self._form.checked[self._select.name] = [self._select.choices[0]]
            self._select = None
        elif tag == "option" and self._select is not None:
            value = self._option if self._option is not None else self._option_text.strip()
            self._select.choices.append(value)
            if self._option_selected and self._form is not None:
                self._form.checked.setdefault(self._select.name, []).append(value)
            self._option, self._option_selected = None, None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form.checked[self._textarea.name] = [self._textarea.value.lstrip("\n")]
            self._textarea = None

    def _add(self, name: str, kind: str, value: str) -> FormField:
        assert self._form is not None
        return self._form.fields.setdefault(name, FormField(name, kind, value))


def page_forms(html: str, page_url: str) -> list[PageForm]:
    """Return the forms of *html* (a page at *page_url*)."""
    parser = _Parser(page_url)
    parser.feed(html)
    return parser.forms


def page_query_names(html: str, page_url: str) -> dict[str, set[str]]:
    """Return, per same-site path linked from *html*, the query parameter names its links use."""
    parser = _Parser(page_url)
    parser.feed(html)
    found: dict[str, set[str]] = {}
    for href in parser.links:
        parts = urlsplit(urljoin(page_url, href))
        if parts.netloc not in ("", "localhost") or not parts.query:
            continue
        found.setdefault(parts.path, set()).update(
            name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return found
