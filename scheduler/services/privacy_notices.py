"""The candidates' privacy notice: versioned Markdown files in scheduler/privacy/, one per month
and language (`notice-YYYY-MM.zh.md`, `.en.md`); the newest version with both languages is the
current one. Rendering fills in the controller and its contact (settings), the recruiting
mailbox, each opening's retention period and the offices outside mainland China, then turns the
Markdown into HTML with markdown-it-py (CommonMark, raw HTML off: the values filled in are text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from markdown_it import MarkdownIt

from scheduler.domain.transfers import country_of, is_outside_mainland
from scheduler.extensions import db
from scheduler.formatting import calendar_name, localized
from scheduler.models import Office, Requisition
from scheduler.services.emails import company_name, organizer_address

NOTICE_DIRECTORY = Path(__file__).resolve().parents[1] / "privacy"
LANGUAGES = ("zh", "en")
_FILE_NAME = re.compile(r"^notice-(?P<version>\d{4}-\d{2})\.(?P<language>zh|en)\.md$")
_PLACEHOLDER = re.compile(r"\{(controller|contact|mailbox|company|openings|recipients)\}")
# Characters that would start Markdown syntax inside a value filled in.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")
_RETENTION = {"zh": "{title}：申请结束后保存 {days} 天",
              "en": "{title}: {days} days after the application closes"}
_RECIPIENT = {"zh": "{country}：{office}，{address}；联系方式 {contact}",
              "en": "{country}: {office}, {address}; contact {contact}"}
_NONE = {"zh": "（暂无）", "en": "(none at present)"}


def notice_versions(directory: Path | None = None) -> list[str]:
    """Return the versions that have a file in every language, oldest first."""
    found: dict[str, set[str]] = {}
    for path in (directory or NOTICE_DIRECTORY).glob("notice-*.md"):
        match = _FILE_NAME.match(path.name)
        if match:
            found.setdefault(match["version"], set()).add(match["language"])
    return sorted(v for v, languages in found.items() if languages >= set(LANGUAGES))


def current_version(directory: Path | None = None) -> str:
    """Return the current notice's version: the newest with both languages."""
    versions = notice_versions(directory)
    if not versions:
        raise FileNotFoundError(f"no privacy notice in {directory or NOTICE_DIRECTORY}")
    return versions[-1]


@dataclass(frozen=True)
class Notice:
    """One version of the notice in one language, rendered."""

    version: str
    language: str
    html: str


def _text(value: str) -> str:
    """Escape *value* so Markdown shows it as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def _retention_list(language: str) -> str:
    openings = db.session.scalars(sa.select(Requisition).order_by(
        Requisition.is_open.desc(), Requisition.title_en, Requisition.id)).all()
    lines = [_RETENTION[language].format(title=_text(localized(r, "title", language)),
                                         days=r.retention_days) for r in openings]
    return "\n".join(f"- {line}" for line in lines) or _NONE[language]


def _recipient_list(language: str) -> str:
    offices = [o for o in db.session.scalars(sa.select(Office).order_by(Office.code))
               if is_outside_mainland(o.calendar_key)]
    offices.sort(key=lambda o: (country_of(o.calendar_key), o.code))
    lines = [_RECIPIENT[language].format(
        country=_text(calendar_name(country_of(o.calendar_key), language)),
        office=_text(localized(o, "name", language)),
        address=_text(localized(o, "address", language) or "—"),
        contact=_text(privacy_contact())) for o in offices]
    return "\n".join(f"- {line}" for line in lines) or _NONE[language]


def privacy_contact() -> str:
    """Return where candidates ask for a copy or deletion of their data (PRIVACY_CONTACT)."""
    return current_app.config.get("PRIVACY_CONTACT") or organizer_address()


def render_notice(language: str, version: str | None = None,
                  directory: Path | None = None) -> Notice:
    """Return notice *version* (default: the current one) in *language*, filled in, as HTML."""
    version = version or current_version(directory)
    path = (directory or NOTICE_DIRECTORY) / f"notice-{version}.{language}.md"
    source = path.read_text(encoding="utf-8")
    values = {
        "controller": lambda: _text(current_app.config.get("PRIVACY_CONTROLLER")
                                    or company_name()),
        "contact": lambda: _text(privacy_contact()),
        "mailbox": lambda: _text(organizer_address()),
        "company": lambda: _text(company_name()),
        "openings": lambda: _retention_list(language),
        "recipients": lambda: _recipient_list(language),
    }
    filled = _PLACEHOLDER.sub(lambda match: values[match[1]](), source)
    html = MarkdownIt("commonmark", {"html": False, "linkify": False}).render(filled)
    return Notice(version, language, html)
