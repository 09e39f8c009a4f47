"""Forms of the admin blueprint: add one workday override, or paste a year's schedule."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from scheduler.services.workdays import WorkdayEntry

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
    day = DateField(_l("Date"), validators=[InputRequired(_l("Choose a date."))])
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
