"""The web layer's language and zone: which ones this request uses, and filters that apply them.

The language of a candidate's page is the candidate's stored language (the link's view puts it
on `g` with `use_candidate_language`; the switch on their page stores a new one on the candidate).
Elsewhere it is this session's explicit choice (the switch on every page), else the signed-in
user's stored preference; the browser's Accept-Language is the last resort, then the default.
The formatting itself is pure and lives in scheduler/formatting.py; the wrappers here pass it the
viewer's language unless the caller names one, and are what templates use as filters. Services
and jobs never import this module: they pass a recipient's language to scheduler.formatting.
`zone_columns` says whose time each zone a page shows is (the viewer's, the candidate's, both),
for the coordinator's booking pages and the interviewer's home alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from scheduler import formatting
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.models.user import LANGUAGES, QUALIFICATION_LEVELS

SESSION_KEY = "language"
# The language stored on the candidate whose link this request serves (see use_candidate_language).
CANDIDATE_LANGUAGE_KEY = "candidate_language"
# Each language is offered in its own name, so a reader of either can find theirs.
LANGUAGE_AUTONYMS = {"zh": "中文", "en": "English"}
# The HTML lang attribute: Simplified Chinese as written in mainland China.
HTML_LANG = {"zh": "zh-CN", "en": "en"}

APPLICATION_STATUS_LABELS = {
    "active": _l("Active"),
    "on_hold": _l("On hold"),
    "offer": _l("Offer"),
    "hired": _l("Hired"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
# Where an application stands (services/pipeline.py STATE_KINDS), in the pipeline's order.
APPLICATION_STATE_LABELS = {
    "needs_scheduling": _l("Needs scheduling"),
    "link_sent": _l("Link sent"),
    "booked": _l("Booked"),
    "feedback_pending": _l("Feedback pending"),
    "decision_needed": _l("Decision needed"),
    "on_hold": _l("On hold"),
    "offer": _l("Offer"),
    "hired": _l("Hired"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
STAGE_MODE_LABELS = {
    "phone": _l("Phone"),
    "video": _l("Video"),
    "onsite": _l("On site"),
    "online": _l("Online"),
}
STAGE_KIND_LABELS = {
    "phone_screen": _l("Phone screen"),
    "coding_test": _l("Coding test"),
    "system_design": _l("System design"),
    "project_deep_dive": _l("Project deep dive"),
    "hr_final": _l("HR final"),
    "offer": _l("Offer"),
}
QUALIFICATION_LEVEL_LABELS = {
    "shadow": _l("Shadow"),
    "reverse_shadow": _l("Reverse shadow"),
    "qualified": _l("Qualified"),
    "senior": _l("Senior"),
}
LANGUAGE_LABELS = {"zh": _l("Chinese"), "en": _l("English")}
# The "qualified for … at least …" filters of the interviewers list and the calendar board.
KIND_FILTER_CHOICES = [SelectChoice("", _l("Any stage"))] + [
    SelectChoice(kind, STAGE_KIND_LABELS[kind]) for kind in INTERVIEW_KINDS]
LEVEL_FILTER_CHOICES = [SelectChoice("", _l("Any level"))] + [
    SelectChoice(level, QUALIFICATION_LEVEL_LABELS[level]) for level in QUALIFICATION_LEVELS]
# The rubric's 1–4 scale and the overall recommendation say the same four things.
SCORE_LABELS = {1: _l("Strong no"), 2: _l("No"), 3: _l("Yes"), 4: _l("Strong yes")}
RECOMMENDATION_LABELS = {"strong_no": _l("Strong no"), "no": _l("No"), "yes": _l("Yes"),
                         "strong_yes": _l("Strong yes")}
# The sections of a candidate's data export, by table; a table added later shows under its own
# name until it is given one here (it is exported either way).
EXPORT_SECTION_LABELS = {
    "application": _l("Applications"), "interview": _l("Interviews"),
    "booking_group": _l("Interviews booked together"),
    "interviewer_assignment": _l("Panel seats (interviewers' names only)"),
    "interview_no_show": _l("No-shows"), "feedback": _l("Feedback"),
    "feedback_score": _l("Feedback scores and evidence"),
    "feedback_amendment": _l("Feedback amendments"), "stage_decision": _l("Decisions"),
    "scheduling_link": _l("Scheduling links"), "reminder": _l("Reminders"),
    "outbox_message": _l("Email"), "access_record": _l("Who looked at this data"),
}
# What a person saw, by the code a view is marked with (scheduler/web.py shows_candidate_data).
ACCESS_WHAT_LABELS = {
    "applications_list": _l("Applications list"), "applications_csv": _l("Applications export"),
    "application": _l("Application page"), "feedback": _l("Feedback"),
    "links": _l("Scheduling links"), "slots_json": _l("Free times (JSON)"),
    "board": _l("Calendar board"), "board_ics": _l("Calendar board export"),
    "booking": _l("Booking"), "candidate_details": _l("Candidate's details"),
    "outbox": _l("Failed mail"), "pipeline": _l("Pipeline"), "interviews": _l("Interviews"),
    "interview": _l("Interview"), "week": _l("Interviewer's week"),
    "export": _l("Data export"), "access_log": _l("Access records"),
}


def select_locale() -> str:
    """Pick this request's language: the link's candidate's, else the session's choice, else the
    user's preference, else the browser's."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    candidate_language = g.get(CANDIDATE_LANGUAGE_KEY)
    if candidate_language in LANGUAGES:
        return candidate_language
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(LANGUAGES) or default


def use_candidate_language(language: str) -> None:
    """Speak *language* (a candidate's stored one) for the rest of this request.

    A candidate has no login: the view that resolves their link calls this. The locale may have
    been picked (and cached by Flask-Babel) earlier in the request, so it is picked again.
    """
    setattr(g, CANDIDATE_LANGUAGE_KEY, language)
    refresh()


def current_language() -> str:
    """Return the active language code, "zh" or "en"."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def viewer_zone() -> str:
    """Return the zone the current viewer reads times in."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.zone
    return current_app.config["DEFAULT_TIMEZONE"]


def localized(obj, field: str = "name", language: str | None = None) -> str:
    """Return obj.<field> in *language*, else the viewer's (see formatting.localized)."""
    return formatting.localized(obj, field, language or current_language())


def zone_label(instant: datetime, zone: str, language: str | None = None) -> str:
    """Name *zone* at *instant* in *language*, else the viewer's."""
    return formatting.zone_label(instant, zone, language or current_language())


def zone_offset_label(instant: datetime, zone: str, language: str | None = None) -> str:
    """Name *zone* with its offset at *instant* in *language*, else the viewer's."""
    return formatting.zone_offset_label(instant, zone, language or current_language())


def format_local_datetime(instant: datetime, zone: str, language: str | None = None) -> str:
    """Render an instant in *zone*, labelled with it, in *language*, else the viewer's."""
    return formatting.format_local_datetime(instant, zone, language or current_language())


def format_local_range(start: datetime, end: datetime, zone: str,
                       language: str | None = None) -> str:
    """Render [start, end) in *zone*, in *language*, else the viewer's."""
    return formatting.format_local_range(start, end, zone, language or current_language())


def format_duration(delta, language: str | None = None) -> str:
    """Render a length of time in *language*, else the viewer's."""
    return formatting.format_duration(delta, language or current_language())


def calendar_name(key: str, language: str | None = None) -> str:
    """Name a holiday calendar key ("GB-ENG": "England" / "英格兰") in *language*, else the viewer's."""
    return formatting.calendar_name(key, language or current_language())


def salary_band(requisition, language: str | None = None) -> str:
    """Render a requisition's salary band in *language*, else the viewer's; "" when unset."""
    return formatting.salary_band(requisition, language or current_language())


@dataclass(frozen=True)
class ZoneColumn:
    """One zone a page shows times in, and whose time that is."""

    zone: str
    heading: str
    is_own: bool
    is_candidate: bool


def zone_columns(chosen: str, own: str, candidate: str) -> list[ZoneColumn]:
    """Return the zones to show side by side: the chosen one first, then the viewer's own and
    the candidate's; one column for a zone that is several of these."""
    columns = []
    for zone in dict.fromkeys((chosen, own, candidate)):
        is_own, is_candidate = zone == own, zone == candidate
        if is_own and is_candidate:
            heading = _("Your time and the candidate's")
        elif is_own:
            heading = _("Your time")
        elif is_candidate:
            heading = _("Candidate's time")
        else:
            heading = _("Time")
        columns.append(ZoneColumn(zone, heading, is_own, is_candidate))
    return columns
