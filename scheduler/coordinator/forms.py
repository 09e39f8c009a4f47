"""Forms of the coordinator blueprint."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField,
    StringField, SubmitField, TelField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from scheduler.i18n import (
    LANGUAGE_LABELS, QUALIFICATION_LEVEL_LABELS, STAGE_KIND_LABELS, localized,
)
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.models.user import QUALIFICATION_LEVELS
from scheduler.timeutil import canonical_zone, is_valid_zone


class CandidateDetailsForm(FlaskForm):
    """A candidate's own details; the service checks email, zone and language."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the candidate's name."))])
    email = StringField(_l("Email"), validators=[
        DataRequired(_l("Enter the candidate's email address."))])
    phone = TelField(_l("Phone"), description=_l("Optional; include the country code."))
    zone = StringField(_l("Time zone"), validators=[DataRequired(_l("Choose a time zone."))],
                       filters=[canonical_zone],
                       description=_l("Type to search, e.g. Shanghai or London."))
    language = SelectField(_l("Language for emails and the booking page"),
                           choices=[SelectChoice(code, label)
                                    for code, label in LANGUAGE_LABELS.items()])
    submit = SubmitField(_l("Save details"))


class _OpeningFields:
    """The requisition and level an application is for, offered from the open requisitions."""

    requisition_id = SelectField(_l("Requisition"), coerce=int,
                                 validators=[DataRequired(_l("Choose a requisition."))])
    level = SelectField(_l("Level"), validators=[DataRequired(_l("Choose a level."))])

    def offer(self, requisitions) -> None:
        """Fill the requisition and level choices from the open *requisitions*."""
        self.requisition_id.choices = [SelectChoice(r.id, localized(r, "title"))
                                       for r in requisitions]
        levels: dict[str, str] = {}
        for requisition in requisitions:
            for level in requisition.levels:
                levels.setdefault(level["code"], localized(level, "name"))
        self.level.choices = [SelectChoice(code, label) for code, label in levels.items()]


class CandidateForm(_OpeningFields, CandidateDetailsForm):
    """A new candidate and their application; the service checks email, zone and level."""

    submit = SubmitField(_l("Add candidate"))


class AddApplicationForm(_OpeningFields, FlaskForm):
    """Add a candidate who is already known to another requisition."""

    submit = SubmitField(_l("Add to this requisition"))


# --- Booking on an application: which slots to show, confirm, reschedule, cancel, swap -------

BREAK_CHOICES = (0, 10, 15, 20, 30)
DEFAULT_BREAK = 15


def _http_link(form, field) -> None:
    """Accept only http(s) links, so a video link always opens in a browser."""
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise ValidationError(_l("Enter a link that starts with https://"))


class _ZoneChoice:
    """The zone a page's times are read in, typed with a list of zones to pick from (GET)."""

    zone = StringField(_l("Show times in"), validators=[Optional()], filters=[canonical_zone],
                       description=_l("Type to search, e.g. Shanghai or London."))

    def chosen_zone(self, default: str) -> str:
        """Return the zone typed in the form, or *default* (noting an unknown zone on the field)."""
        zone = (self.zone.data or "").strip()
        if zone and not is_valid_zone(zone):
            self.zone.errors = [_("Unknown time zone: choose one from the list, such as "
                                  "Asia/Shanghai or Europe/London.")]
            zone = ""
        self.zone.data = zone or default
        return self.zone.data


class SlotViewForm(_ZoneChoice, FlaskForm):
    """Which slots to list (the stage or a loop, the break) and the zone to read them in (GET)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    plan = RadioField(_l("What to book"), default="stage",
                      choices=[SelectChoice("stage", _l("The current stage")),
                               SelectChoice("loop", _l("A loop of stages, back to back"))])
    brk = SelectField(_l("Break between the stages of a loop"), coerce=int, default=DEFAULT_BREAK,
                      choices=[SelectChoice(m, _l("%(minutes)d min", minutes=m))
                               for m in BREAK_CHOICES])
    submit = SubmitField(_l("Show times"))


class BookForm(FlaskForm):
    """Book the chosen time; each seat is a select named seat-<stage>-<n> (read by the view)."""

    start = HiddenField(validators=[DataRequired()])
    plan = HiddenField(default="stage")
    brk = HiddenField(default="0")
    zone = HiddenField()
    video_url = StringField(_l("Video link"), validators=[Optional(), Length(max=500), _http_link],
                            description=_l("Leave empty to use the lead interviewer's room."))
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)],
                           description=_l("Leave empty for the office address or the phone call."))
    submit = SubmitField(_l("Book"))


class RescheduleForm(FlaskForm):
    """Move an interview (its whole loop) to the chosen time, with the panel on the page."""

    start = HiddenField(validators=[DataRequired()])
    zone = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Say why the interview moves.")), Length(max=1000)],
        description=_l("Kept in the interview's history."))
    submit = SubmitField(_l("Move the interview"))


class CancelForm(FlaskForm):
    """Cancel an interview (its whole loop) with a reason; *next* is the coordinator page to
    return to (the application's by default)."""

    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Say why the interview is cancelled.")), Length(max=1000)])
    next = HiddenField()
    submit = SubmitField(_l("Cancel the interview"))


class SwapForm(FlaskForm):
    """Replace one panel member by another, keeping the time."""

    old = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    new = IntegerField(_l("Replacement"), widget=HiddenInput(),
                       validators=[DataRequired(_l("Choose who takes the seat."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)],
                         description=_l("Optional; kept in the interview's history."))
    next = HiddenField()
    submit = SubmitField(_l("Swap"))


class ResendForm(FlaskForm):
    """Put a failed email back in the queue."""

    submit = SubmitField(_l("Send again"))


# --- The calendar board ----------------------------------------------------------------------

BOARD_VIEWS = ("week", "day")


class BoardForm(_ZoneChoice, FlaskForm):
    """What the board shows (GET, so every board is a link): the week or a day holding *day*, in
    the chosen zone, of the interviewers the filters select."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    view = SelectField(_l("Show"), default="week",
                       choices=[SelectChoice("week", _l("Week")), SelectChoice("day", _l("Day"))])
    day = DateField(_l("Date"), validators=[Optional()])
    office = SelectMultipleField(_l("Offices"), choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    opening = SelectField(_l("Opening"), choices=[], validate_choice=False, default="")
    kind = SelectField(_l("Qualified for"), default="",
                       choices=[SelectChoice("", _l("Any stage"))]
                       + [SelectChoice(kind, STAGE_KIND_LABELS[kind]) for kind in INTERVIEW_KINDS])
    level = SelectField(_l("At least"), default="",
                        choices=[SelectChoice("", _l("Any level"))]
                        + [SelectChoice(level, QUALIFICATION_LEVEL_LABELS[level])
                           for level in QUALIFICATION_LEVELS])
    q = StringField(_l("Interviewer or candidate"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Show the board"))

    def offer(self, offices, requisitions) -> None:
        """Offer every office and opening to choose from."""
        self.office.choices = [SelectChoice(str(o.id), f"{o.code} · {localized(o)}")
                               for o in offices]
        self.opening.choices = [SelectChoice("", _l("Any opening"))] + [
            SelectChoice(str(r.id), localized(r, "title")) for r in requisitions]
