"""Forms of the availability pages: hours, zone, time off, busy blocks, calendars, the feed;
and, for coordinators and admins, an interviewer's profile and the filters of the interviewers list.

Forms read what was typed (local wall-clock times in the interviewer's zone); the services
(scheduler/services/working_hours.py, calendars.py) decide whether it makes sense (end after
start, no overlaps, a known zone) and refuse it with a message otherwise.
"""
from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, Field, PasswordField, RadioField, SelectField,
    StringField, SubmitField, TimeField, URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import TextInput

from scheduler.i18n import (
    KIND_FILTER_CHOICES, LEVEL_FILTER_CHOICES, QUALIFICATION_LEVEL_LABELS, STAGE_KIND_LABELS,
)
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.models.user import QUALIFICATION_LEVELS
from scheduler.services.interviewers import ProfileDetails
from scheduler.services.working_hours import WEEKDAY_NAMES
from scheduler.timeutil import canonical_zone
from scheduler.web import day_in_range

# "09:30-12:00, 13:00-18:30": hyphen, en dash or "to"-like separators, commas or semicolons.
_WINDOW = re.compile(r"^\s*(\d{1,2})[:：.](\d{2})\s*(?:-|–|—|~|～|to)\s*(\d{1,2})[:：.](\d{2})\s*$")
_SEPARATORS = re.compile(r"[,，;；、]")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,9}$")
NOT_WORKING = _l("Not working")


def parse_windows(text: str) -> list[tuple[time, time]]:
    """Read "09:30-12:00, 13:00-18:30" into windows; raise ValueError naming what is unreadable."""
    windows = []
    for piece in _SEPARATORS.split(text or ""):
        if not piece.strip():
            continue
        match = _WINDOW.match(piece)
        if not match:
            raise ValueError(piece.strip())
        start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
        if start_h > 23 or end_h > 23 or start_m > 59 or end_m > 59:
            raise ValueError(piece.strip())
        windows.append((time(start_h, start_m), time(end_h, end_m)))
    return windows


class WindowsField(Field):
    """One weekday's working windows typed as text, e.g. "09:30-12:00, 13:00-18:30"."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(f"{s.strftime('%H:%M')}-{e.strftime('%H:%M')}" for s, e in self.data or ())

    def process_formdata(self, valuelist):
        self.data = []
        if not valuelist:
            return
        try:
            self.data = parse_windows(valuelist[0])
        except ValueError as error:
            self.data = []
            raise ValueError(_l("Could not read “%(text)s”: write times like 09:30-18:30, "
                                "several separated by commas.", text=str(error)))


def _day_field(weekday: int) -> WindowsField:
    return WindowsField(WEEKDAY_NAMES[weekday], render_kw={"placeholder": NOT_WORKING,
                                                            "autocomplete": "off",
                                                            "spellcheck": "false"})


class WeeklyHoursForm(FlaskForm):
    """Working windows for each weekday, in the interviewer's zone; an empty day is a day off."""

    day_0 = _day_field(0)
    day_1 = _day_field(1)
    day_2 = _day_field(2)
    day_3 = _day_field(3)
    day_4 = _day_field(4)
    day_5 = _day_field(5)
    day_6 = _day_field(6)
    submit_hours = SubmitField(_l("Save working hours"))

    def day_fields(self) -> list[WindowsField]:
        """Return the seven weekday fields, Monday first."""
        return [self[f"day_{weekday}"] for weekday in range(7)]

    def windows(self) -> dict[int, list[tuple[time, time]]]:
        """Return the typed windows per weekday."""
        return {weekday: list(self[f"day_{weekday}"].data or []) for weekday in range(7)}

    def fill(self, windows: dict[int, list[tuple[time, time]]]) -> None:
        """Show the stored windows."""
        for weekday in range(7):
            self[f"day_{weekday}"].data = windows.get(weekday, [])


class ZoneForm(FlaskForm):
    """The zone the working hours are in."""

    zone = StringField(_l("Time zone"), validators=[DataRequired(_l("Choose a time zone."))],
                       filters=[canonical_zone],
                       description=_l("Type to search, e.g. Shanghai or London."))
    submit_zone = SubmitField(_l("Save time zone"))


class DateOverrideForm(FlaskForm):
    """Time off or extra hours on one date; no times means the whole day off."""

    kind = RadioField(_l("Kind"), choices=[SelectChoice("off", _l("Time off")),
                                           SelectChoice("extra", _l("Extra hours"))],
                      default="off", validators=[InputRequired(_l("Choose time off or extra hours."))])
    day = DateField(_l("Date"),
                    validators=[InputRequired(_l("Choose a date.")), day_in_range])
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("Until"), validators=[Optional()],
                    description=_l("Leave both times empty for a whole day off."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    submit_override = SubmitField(_l("Add"))


class ManualBlockForm(FlaskForm):
    """A busy block typed by hand, in the interviewer's zone."""

    start = DateTimeLocalField(_l("Busy from"), format="%Y-%m-%dT%H:%M",
                               validators=[InputRequired(_l("Choose when it starts.")),
                                           day_in_range])
    end = DateTimeLocalField(_l("Until"), format="%Y-%m-%dT%H:%M",
                             validators=[InputRequired(_l("Choose when it ends.")),
                                         day_in_range])
    summary = StringField(_l("What"), validators=[Optional(), Length(max=200)])
    submit_block = SubmitField(_l("Add busy time"))


class CalendarFileForm(FlaskForm):
    """An .ics file exported from a calendar app."""

    file = FileField(_l("Calendar file (.ics)"),
                     validators=[FileRequired(_l("Choose a calendar file to upload."))])
    submit_file = SubmitField(_l("Upload"))


class CalendarUrlForm(FlaskForm):
    """A calendar subscription address (ICS)."""

    url = URLField(_l("Calendar address (ICS)"), validators=[
        DataRequired(_l("Enter the calendar's address.")), Length(max=1000)],
        description=_l("The secret iCal address from Google, Outlook or Apple Calendar."))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    submit_url = SubmitField(_l("Subscribe"))


class CalDAVForm(FlaskForm):
    """A CalDAV account: server address, user name and password."""

    url = URLField(_l("CalDAV server address"), validators=[
        DataRequired(_l("Enter the CalDAV server's address.")), Length(max=1000)])
    username = StringField(_l("User name"), validators=[
        DataRequired(_l("Enter the user name.")), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter the password.")), Length(max=500)],
        description=_l("Stored to re-read the calendar; never shown again."))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    submit_caldav = SubmitField(_l("Connect"))


class CalendarSourceForm(FlaskForm):
    """Change a connected calendar: its name, and for a subscription or a CalDAV account the
    connection. The stored address and password are never put back into the form: blank keeps them."""

    name = StringField(_l("Calendar name"), validators=[Optional(), Length(max=200)])
    url = URLField(_l("New address"), validators=[Optional(), Length(max=1000)],
                   description=_l("Leave blank to keep the current address."))
    username = StringField(_l("User name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=500)],
                             description=_l("Leave blank to keep the current password."))
    submit_source = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    """A button that changes something (refresh, remove, feed): only the CSRF token."""


# --- an interviewer's profile and the list's filters (coordinators and admins) -------------------

class CapField(StringField):
    """An optional limit on interviews: a whole number, or empty for none (the service checks
    the range)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text and not _WHOLE_NUMBER.match(text):
            raise ValueError(_l("Write a whole number, e.g. 3, or leave it empty for no limit."))
        if text:
            self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


NOT_QUALIFIED = _l("Not qualified")
LEVEL_CHOICES = [SelectChoice("", NOT_QUALIFIED)] + [
    SelectChoice(level, QUALIFICATION_LEVEL_LABELS[level]) for level in QUALIFICATION_LEVELS]


class ProfileForm(FlaskForm):
    """An interviewer's office, own zone, qualifications per stage kind, caps and video room;
    one `qualification_<kind>` field per stage kind is added below."""

    office = SelectField(_l("Office"), choices=[], validate_choice=False,
                         description=_l("Their holidays and workdays come from its calendar."))
    zone = StringField(_l("Own time zone"), validators=[Optional()], filters=[canonical_zone],
                       description=_l("Leave empty to use the office's zone."))
    daily_cap = CapField(_l("Most interviews a day"),
                         description=_l("Empty: no limit."))
    weekly_cap = CapField(_l("Most interviews a week"),
                          description=_l("Monday to Sunday in their own zone. Empty: no limit."))
    video_room_url = URLField(_l("Personal video room"), validators=[Optional()],
                              description=_l("An https:// address: the video interviews "
                                             "they lead take place there."))
    submit = SubmitField(_l("Save profile"))

    def qualification_fields(self) -> list:
        """Return one level field per stage kind, in the stages' usual order."""
        return [self[f"qualification_{kind}"] for kind in INTERVIEW_KINDS]

    def fill(self, profile) -> None:
        """Show *profile*'s stored values."""
        self.office.data = str(profile.office_id)
        self.zone.data = profile.zone or ""
        self.daily_cap.data, self.weekly_cap.data = profile.daily_cap, profile.weekly_cap
        self.video_room_url.data = profile.video_room_url
        levels = {q.stage_kind: q.level for q in profile.qualifications}
        for kind in INTERVIEW_KINDS:
            self[f"qualification_{kind}"].data = levels.get(kind, "")

    def details(self, office) -> ProfileDetails:
        """Return what was typed, with *office* the chosen one (None when none is)."""
        return ProfileDetails(
            office=office, zone=self.zone.data or "",
            qualifications={kind: self[f"qualification_{kind}"].data for kind in INTERVIEW_KINDS
                            if self[f"qualification_{kind}"].data},
            daily_cap=self.daily_cap.data, weekly_cap=self.weekly_cap.data,
            video_room_url=self.video_room_url.data or "")


for _kind in INTERVIEW_KINDS:
    setattr(ProfileForm, f"qualification_{_kind}",
            SelectField(STAGE_KIND_LABELS[_kind], choices=LEVEL_CHOICES, validate_choice=False,
                        default=""))


class InterviewerFilterForm(FlaskForm):
    """Which interviewers the list shows (GET, so a filtered list is a link)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    office = SelectField(_l("Office"), choices=[], validate_choice=False, default="")
    kind = SelectField(_l("Qualified for"), default="",
                       choices=KIND_FILTER_CHOICES)
    level = SelectField(_l("At least"), default="",
                        choices=LEVEL_FILTER_CHOICES)
    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=100)])
    active = BooleanField(_l("Active only"), default=True)
    submit = SubmitField(_l("Filter"))
