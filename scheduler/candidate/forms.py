"""Forms of the candidate pages; every one carries a CSRF token."""
from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from scheduler.models.user import LANGUAGES
from scheduler.services.links import MAX_NOTE_LENGTH
from scheduler.timeutil import canonical_zone
from scheduler.web import day_in_range

REASON_MAX = 500


def _half_hours(first: int, last: int) -> list[SelectChoice]:
    """Return "HH:MM" choices every 30 minutes from *first* to *last* minutes after midnight."""
    return [SelectChoice(f"{m // 60:02d}:{m % 60:02d}", f"{m // 60:02d}:{m % 60:02d}")
            for m in range(first, last + 1, 30)]


def parse_hhmm(value: str) -> time:
    """Turn "HH:MM" into a time; "24:00" is midnight at the end of the day, stored as 00:00."""
    hours, minutes = (int(part) for part in value.split(":"))
    return time(0) if hours == 24 else time(hours, minutes)


class LanguageForm(FlaskForm):
    """The language switch on the candidate's pages: stored on the candidate."""

    language = HiddenField(validators=[AnyOf(LANGUAGES)])
    next = HiddenField()


class ZoneForm(FlaskForm):
    """Show and check times in another zone (the page's script fills in the browser's)."""

    zone = StringField(_l("Time zone"), validators=[DataRequired(_l("Choose a time zone."))],
                       filters=[canonical_zone],
                       description=_l("Type to search, e.g. Shanghai or London."))
    submit = SubmitField(_l("Use this time zone"))


class HoursForm(FlaskForm):
    """The candidate's acceptable local hours."""

    day_start = SelectField(_l("My day starts at"), choices=_half_hours(0, 23 * 60 + 30))
    day_end = SelectField(_l("My day ends at"), choices=_half_hours(30, 24 * 60))
    submit = SubmitField(_l("Show these hours"))

    def validate_day_end(self, field) -> None:
        # A missing choice is its field's own error ("Not a valid choice"): nothing to compare.
        if not (isinstance(field.data, str) and isinstance(self.day_start.data, str)):
            return
        if field.data != "24:00" and field.data <= self.day_start.data:
            raise ValidationError(_l("The end must be later than the start."))


class BookForm(FlaskForm):
    """Book (or move the booking to) the chosen start, acknowledging the privacy notice shown
    and, when asked, agreeing separately to the countries outside mainland China shown.

    The booking service refuses without them (services/link_booking.py); the form only carries
    what the page showed: the notice's version and the countries, as codes.
    """

    start = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the change (optional)"),
                           validators=[Optional(), Length(max=REASON_MAX)])
    notice_version = HiddenField(validators=[Optional(), Length(max=20)])
    acknowledge = BooleanField(_l("I have read the privacy notice."))
    countries = HiddenField(validators=[Optional(), Length(max=200)])
    cross_border = BooleanField(_l("I agree to my information going to the recipients above, "
                                   "outside mainland China, for this purpose."))
    submit = SubmitField(_l("Book this time"))

    def acknowledged_version(self) -> str | None:
        """Return the notice version the candidate acknowledged, or None if they did not."""
        return (self.notice_version.data or None) if self.acknowledge.data else None

    def agreed_countries(self) -> frozenset[str]:
        """Return the country codes the candidate agreed to (none unless the box is ticked)."""
        if not self.cross_border.data:
            return frozenset()
        return frozenset(code.strip().upper() for code in (self.countries.data or "").split(",")
                         if code.strip())


class CancelForm(FlaskForm):
    """Cancel the booking (a loop as a whole)."""

    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX)])
    submit = SubmitField(_l("Cancel my interview"))


class NoneWorkForm(FlaskForm):
    """Times the candidate proposes instead, and a note."""

    first = DateTimeLocalField(_l("A time that works for me"),
                               validators=[Optional(), day_in_range],
                               format="%Y-%m-%dT%H:%M")
    second = DateTimeLocalField(_l("Another time"), validators=[Optional(), day_in_range],
                                format="%Y-%m-%dT%H:%M")
    third = DateTimeLocalField(_l("Another time"), validators=[Optional(), day_in_range],
                               format="%Y-%m-%dT%H:%M")
    note = TextAreaField(_l("Note for the recruiting team"),
                         validators=[Optional(), Length(max=MAX_NOTE_LENGTH)],
                         description=_l("For example: which days suit you, or why none of the "
                                        "times work."))
    submit = SubmitField(_l("Send to the recruiting team"))

    def local_times(self):
        """Return the proposed wall-clock times the candidate filled in."""
        return [f.data for f in (self.first, self.second, self.third) if f.data is not None]
