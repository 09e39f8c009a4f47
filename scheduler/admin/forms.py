"""Forms of the admin blueprint: workday overrides (one, or a pasted year's schedule), offices,
staff, and the filters of who looked and of the audit log."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, EmailField, HiddenField, IntegerField, PasswordField, RadioField, SelectField,
    SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.services.workdays import WorkdayEntry
from scheduler.web import day_in_range, is_day_in_range, parse_id, whole_number

_WORK_WORDS = {"work", "workday", "working", "on", "上班", "班", "工作日"}
_OFF_WORDS = {"off", "holiday", "dayoff", "rest", "休", "休息", "放假", "假"}
_LINE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})[\s,，]+(\S+?)(?:[\s,，]+(.*))?\s*$")


class ScheduleLineError(ValueError):
    """A pasted line could not be read; *line* is its number, from 1."""

    def __init__(self, line: int, text: str):
        super().__init__(text)
        self.line = line
        self.text = text


def parse_schedule(text: str) -> list[WorkdayEntry]:
    """Read lines "2027-02-07 work 春节调休" / "2027-02-10 off 春节" into entries."""
    entries = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _LINE.match(raw)
        if not match:
            raise ScheduleLineError(number, raw.strip())
        day_text, word, note = match.groups()
        try:
            day = date.fromisoformat("-".join(part.zfill(2) for part in day_text.split("-")))
        except ValueError:
            raise ScheduleLineError(number, raw.strip()) from None
        if not is_day_in_range(day):
            raise ScheduleLineError(number, raw.strip())
        word = word.lower()
        if word in _WORK_WORDS:
            is_workday = True
        elif word in _OFF_WORDS:
            is_workday = False
        else:
            raise ScheduleLineError(number, raw.strip())
        entries.append(WorkdayEntry(day, is_workday, (note or "").strip()))
    return entries


class WorkdayOverrideForm(FlaskForm):
    """One dated override for one calendar."""

    calendar_key = HiddenField(validators=[DataRequired()])
    day = DateField(_l("Date"),
                    validators=[InputRequired(_l("Choose a date.")), day_in_range])
    is_workday = RadioField(_l("The office"), choices=[
        SelectChoice("1", _l("works (e.g. a make-up working day)")),
        SelectChoice("0", _l("is closed (a holiday)"))],
                            default="0", validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)],
                       description=_l("For example 春节调休 or Company day off."))
    submit_one = SubmitField(_l("Add override"))


class ScheduleForm(FlaskForm):
    """Many overrides at once, one per line."""

    calendar_key = HiddenField(validators=[DataRequired()])
    lines = TextAreaField(_l("Schedule"), validators=[DataRequired(_l("Paste at least one line."))],
                          description=_l("One date per line: the date, then “work” or “off”, then an "
                                         "optional note. For example: 2027-02-20 work 春节调休"))
    submit_many = SubmitField(_l("Add all"))


class OfficeForm(FlaskForm):
    """An office: code, names, zone, holiday calendar, address (the service checks the values)."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Give the office a code."))],
                       description=_l("Upper-case letters or digits, e.g. SH or LDN."))
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(_l("Give the office a name."))])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Give the office a name."))])
    zone = StringField(_l("Time zone"), validators=[DataRequired(_l("Give a time zone."))],
                       description=_l("An IANA name, e.g. Asia/Shanghai or Europe/London."))
    calendar_key = StringField(_l("Holiday calendar"),
                               validators=[DataRequired(_l("Give a holiday calendar."))],
                               description=_l("A country code, with the subdivision where it has "
                                              "one: CN, SG, GB-ENG, US-CA."))
    address_zh = TextAreaField(_l("Address in Chinese"), validators=[Optional(), Length(max=500)])
    address_en = TextAreaField(_l("Address in English"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save"))


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_CHOICES = [SelectChoice("admin", _l("Admin")), SelectChoice("coordinator", _l("Coordinator")),
                SelectChoice("interviewer", _l("Interviewer"))]
LANGUAGE_CHOICES = [SelectChoice("zh", "中文"), SelectChoice("en", "English")]


class StaffEditForm(FlaskForm):
    """A staff member's name, zone, language and roles (and an office for a new interviewer)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the person's name.")),
                                               Length(max=100)])
    roles = MultiCheckboxField(_l("Roles"), choices=ROLE_CHOICES,
                               validators=[DataRequired(_l("Choose at least one role."))])
    office = SelectField(_l("Office"), choices=[], validate_choice=False,
                         description=_l("An interviewer's office (their profile is made there)."))
    zone = StringField(_l("Time zone"), validators=[DataRequired(_l("Give a time zone."))],
                       description=_l("An IANA name, e.g. Asia/Shanghai or Europe/London."))
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class StaffCreateForm(StaffEditForm):
    """A new staff member: also the email and the initial password."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Give an email address.")),
                                                Length(max=254)])
    password = PasswordField(_l("Initial password"),
                             validators=[DataRequired(_l("Give an initial password."))],
                             description=_l("At least 10 characters; they can change it after "
                                            "signing in."))


class AdminSwapForm(FlaskForm):
    """Give a deactivating interviewer's seat to one of the engine's suggestions."""

    new = IntegerField(validators=[InputRequired(), whole_number(1)])
    submit = SubmitField(_l("Swap"))


class AccessFilterForm(FlaskForm):
    """Which access records the admin page lists: one person, a candidate, a period (GET)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    person = SelectField(_l("Person"), default="", validate_choice=False)
    candidate = StringField(_l("Candidate"), validators=[Optional(), Length(max=100)],
                            description=_l("Part of the name or email address."))
    start = DateField(_l("From"), validators=[Optional(), day_in_range])
    end = DateField(_l("To (inclusive)"), validators=[Optional(), day_in_range])
    page = IntegerField(validators=[Optional(), whole_number(1)], default=1)
    submit = SubmitField(_l("Show"))

    def set_people(self, people) -> None:
        """Offer each person who has looked, after "Anyone"."""
        self.person.choices = [SelectChoice("", _l("Anyone"))] + [
            SelectChoice(str(p.id), p.name) for p in people]

    def chosen_person(self) -> int | None:
        """Return the chosen person's id, or None for anyone (an unknown one counts as anyone)."""
        ids = {choice.value for choice in self.person.choices}
        value = self.person.data or ""
        return int(value) if value in ids and value.isdigit() else None

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise StopValidation(_l("The end of the period must not be before its start."))


# The person filter's value for whoever is not staff: a candidate through their link, a job,
# the command line, the sign-in form.
NOT_STAFF = "none"


class AuditFilterForm(FlaskForm):
    """Which audit events the admin page and its export list: who acted, on what, which kind of
    event, in which period (GET)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    person = SelectField(_l("Person"), default="", validate_choice=False)
    kind = SelectField(_l("Kind of event"), default="", validate_choice=False,
                       validators=[Optional(), Length(max=50)])
    object_type = SelectField(_l("Object"), default="", validate_choice=False,
                              validators=[Optional(), Length(max=50)])
    object_id = IntegerField(_l("Object number"), validators=[Optional(), whole_number(1)],
                             description=_l("For example 12 for interview 12."))
    start = DateField(_l("From"), validators=[Optional(), day_in_range])
    end = DateField(_l("To (inclusive)"), validators=[Optional(), day_in_range])
    page = IntegerField(validators=[Optional(), whole_number(1)], default=1)
    submit = SubmitField(_l("Show"))

    def set_choices(self, people, kinds, object_types) -> None:
        """Offer every staff member, and each kind of event and of object as (code, words)
        pairs, after "Anyone" or "Any"."""
        self.person.choices = [SelectChoice("", _l("Anyone")),
                               SelectChoice(NOT_STAFF, _l("Not staff: candidates, jobs, the "
                                                          "sign-in form"))] + [
            SelectChoice(str(p.id), p.name) for p in people]
        self.kind.choices = [SelectChoice("", _l("Any kind"))] + [
            SelectChoice(value, label) for value, label in kinds]
        self.object_type.choices = [SelectChoice("", _l("Any object"))] + [
            SelectChoice(value, label) for value, label in object_types]

    def chosen_person(self) -> tuple[int | None, bool]:
        """Return (the chosen staff member's id or None, whether "not staff" is chosen)."""
        value = self.person.data or ""
        return (int(value) if value.isascii() and value.isdigit() else None), value == NOT_STAFF

    def validate_person(self, field) -> None:
        value = field.data or ""
        if value not in ("", NOT_STAFF) and parse_id(value) is None:
            raise StopValidation(_l("Choose a person from the list."))

    def validate_object_id(self, field) -> None:
        if field.data is not None and not self.object_type.data:
            raise StopValidation(_l("Choose the kind of object the number belongs to."))

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise StopValidation(_l("The end of the period must not be before its start."))
