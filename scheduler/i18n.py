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
    "audit_log": _l("Audit log"), "audit_csv": _l("Audit log export"),
}

# What each kind of audit event means (scheduler/services/audit.py record_event's action); an
# action without a label here is shown by its code.
AUDIT_ACTION_LABELS = {
    "application.anonymised": _l("Application anonymised (retention period passed)"),
    "application.created": _l("Application added"),
    "application.decided": _l("Decision recorded"),
    "application.withdrawn": _l("Application withdrawn"),
    "availability_override.added": _l("Availability exception added"),
    "availability_override.removed": _l("Availability exception removed"),
    "busy_block.added": _l("Busy time added"),
    "busy_block.removed": _l("Busy time removed"),
    "calendar_source.added": _l("Calendar connected"),
    "calendar_source.changed": _l("Calendar settings changed"),
    "calendar_source.removed": _l("Calendar removed"),
    "calendar_source.replaced": _l("Calendar file replaced"),
    "candidate.anonymised": _l("Candidate anonymised (retention period passed)"),
    "candidate.erased": _l("Candidate's data erased"),
    "candidate.erasure_requested": _l("Erasure of a candidate's data requested"),
    "candidate.language_changed": _l("The candidate changed their language"),
    "candidate.updated": _l("Candidate's details corrected"),
    "candidate.zone_changed": _l("The candidate changed their time zone"),
    "consent.recorded": _l("Consent recorded"),
    "export_completed": _l("Candidate's data exported"),
    "export_requested": _l("Export of a candidate's data requested"),
    "feed.issued": _l("Calendar feed address issued"),
    "feed.revoked": _l("Calendar feed address revoked"),
    "feedback.amended": _l("Feedback amended"),
    "feedback.started": _l("Feedback started"),
    "feedback.submitted": _l("Feedback submitted"),
    "interview.booked": _l("Interview booked"),
    "interview.cancelled": _l("Interview cancelled"),
    "interview.declined": _l("An interviewer declined their seat"),
    "interview.no_show": _l("No-show recorded"),
    "interview.panel_swapped": _l("Panel changed"),
    "interview.rescheduled": _l("Interview moved"),
    "interview.reviewer_assigned": _l("Reviewer assigned"),
    "interviewer_profile.created": _l("Interviewer profile created"),
    "interviewer_profile.updated": _l("Interviewer profile changed"),
    "interviewer_zone.changed": _l("Interviewer's time zone changed"),
    "link.booked": _l("Booked through a scheduling link"),
    "link.created": _l("Scheduling link created and sent"),
    "link.expired": _l("Scheduling link expired"),
    "link.hours_changed": _l("The candidate changed their acceptable hours"),
    "link.none_work": _l("The candidate said no time works"),
    "link.opened": _l("Scheduling link opened"),
    "link.resent": _l("Scheduling link sent again"),
    "link.revoked": _l("Scheduling link revoked"),
    "office.created": _l("Office added"),
    "office.updated": _l("Office changed"),
    "outbox.resend": _l("Email sent again"),
    "requisition.created": _l("Opening created"),
    "requisition.loops_changed": _l("Opening's back-to-back stages changed"),
    "requisition.updated": _l("Opening changed (details, offices or coordinators)"),
    "rubric.loaded": _l("Rubric loaded"),
    "stage.archived": _l("Stage archived"),
    "stage.created": _l("Stage added"),
    "stage.deleted": _l("Stage deleted"),
    "stage.moved": _l("Stage moved"),
    "stage.updated": _l("Stage changed"),
    "user.created": _l("Staff account created"),
    "user.deactivated": _l("Staff account deactivated"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by email"),
    "user.reactivated": _l("Staff account reactivated"),
    "user.sign_in_failed": _l("Sign-in failed"),
    "user.signed_in": _l("Signed in"),
    "user.updated": _l("Staff account changed (name, zone, language or roles)"),
    "workday_override.added": _l("Workday override added"),
    "workday_override.removed": _l("Workday override removed"),
    "workday_year.marked": _l("Year marked as entered"),
    "workday_year.unmarked": _l("Year's mark removed"),
    "working_hours.changed": _l("Working hours changed"),
}
# Why a sign-in failed (scheduler/auth/accounts.py record_failed_sign_in).
SIGN_IN_FAILURE_LABELS = {
    "wrong_password": _l("wrong password"), "unknown_email": _l("no account has this email"),
    "account_inactive": _l("the account is deactivated"),
    "throttled": _l("too many failures: not checked"),
}
# What an audit event is about, by table; a table without a label is shown by its name.
AUDIT_OBJECT_LABELS = {
    "application": _l("Application"), "availability_override": _l("Availability exception"),
    "busy_block": _l("Busy time"), "calendar_source": _l("Calendar"),
    "candidate": _l("Candidate"), "feedback": _l("Feedback"), "interview": _l("Interview"),
    "interviewer_profile": _l("Interviewer profile"), "office": _l("Office"),
    "outbox_message": _l("Email"), "requisition": _l("Opening"), "rubric": _l("Rubric"),
    "scheduling_link": _l("Scheduling link"), "stage_template": _l("Stage"),
    "user": _l("Staff account"), "workday_override": _l("Workday override"),
    "workday_year_mark": _l("Year mark"),
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
