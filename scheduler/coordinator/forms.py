"""Forms of the coordinator blueprint: candidates, booking, openings and their stages."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField,
    SelectField, SelectMultipleField, StringField, SubmitField, TelField, TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from scheduler.i18n import (
    KIND_FILTER_CHOICES, LEVEL_FILTER_CHOICES, LANGUAGE_LABELS, QUALIFICATION_LEVEL_LABELS,
    STAGE_KIND_LABELS, STAGE_MODE_LABELS, localized,
)
from scheduler.services.pipeline import DEFAULT_PAGE_SIZE, MAX_PAGE, PAGE_SIZES
from scheduler.services.stages import FIELDS as STAGE_FIELDS
from scheduler.services.stages import LOOP_BREAK_CHOICES, STEP_CHOICES
from scheduler.timeutil import canonical_zone, is_valid_zone
from scheduler.web import day_in_range, whole_number


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


def _id_or_none(value):
    """Read a chosen id; the empty choice ("nobody yet") is None."""
    return None if value in (None, "", "None") else int(value)


BREAK_CHOICES = LOOP_BREAK_CHOICES
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
    # Offered only when a stage being booked has a reviewer (the online coding test).
    reviewer_id = SelectField(_l("Reviewer of the coding test"), coerce=_id_or_none,
                              validators=[Optional()], choices=[],
                              description=_l("Optional: you can choose the reviewer later."))
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

    old = IntegerField(widget=HiddenInput(), validators=[DataRequired(), whole_number(1)])
    new = IntegerField(_l("Replacement"), widget=HiddenInput(),
                       validators=[DataRequired(_l("Choose who takes the seat.")),
                                   whole_number(1)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)],
                         description=_l("Optional; kept in the interview's history."))
    next = HiddenField()
    submit = SubmitField(_l("Swap"))


class ResendForm(FlaskForm):
    """Put a failed email back in the queue."""

    submit = SubmitField(_l("Send again"))


# --- After the interview: no-shows, the coding test's reviewer ------------------------------


class NoShowForm(FlaskForm):
    """Who did not come to an interview, and what happened (the no-show service checks it)."""

    party = RadioField(_l("Who did not come?"), validators=[Optional()], choices=[
        SelectChoice("candidate", _l("The candidate")),
        SelectChoice("interviewer", _l("An interviewer"))])
    absent_interviewer_id = SelectField(_l("Which interviewer?"), coerce=_id_or_none,
                                        validators=[Optional()], choices=[])
    note = TextAreaField(_l("What happened?"), validators=[Optional()])
    submit = SubmitField(_l("Mark as a no-show"))


class ReviewerForm(FlaskForm):
    """Choose who reviews a coding test."""

    reviewer_id = SelectField(_l("Reviewer"), coerce=_id_or_none, validators=[Optional()],
                              choices=[])
    submit = SubmitField(_l("Save reviewer"))

    def offer(self, people: list[tuple[int, str]]) -> None:
        """Offer *people* (id, label: the qualified interviewers), after "nobody yet"."""
        self.reviewer_id.choices = reviewer_choices_with_nobody(people)


def reviewer_choices_with_nobody(people: list[tuple[int, str]]) -> list[SelectChoice]:
    """Return the choices of a reviewer select: "nobody yet", then *people* (id, label)."""
    return [SelectChoice("", _("Nobody yet"))] + [SelectChoice(i, label) for i, label in people]


# --- Openings and their stages (the services check every value) ------------------------------


def _checkboxes(label, **kwargs) -> SelectMultipleField:
    """Several choices as checkboxes (their ids as numbers)."""
    return SelectMultipleField(label, coerce=int, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), **kwargs)


class LevelForm(Form):
    """One level of an opening (a row of the levels table; an empty row is left out)."""

    code = StringField(_l("Code"))
    name_zh = StringField(_l("Name in Chinese"))
    name_en = StringField(_l("Name in English"))
    years = StringField(_l("Years"))


class OpeningForm(FlaskForm):
    """An opening's details: titles, levels, salary band, offices, open or closed, coordinators."""

    title_zh = StringField(_l("Title in Chinese"))
    title_en = StringField(_l("Title in English"))
    levels = FieldList(FormField(LevelForm), label=_l("Levels"),
                       description=_l("Years as 3-5 (from 3 to 5) or 8+. Clear a row's fields "
                                      "to remove that level; fill an empty row to add one."))
    # The openings service checks the band (0 to SALARY_MAX) before anything is stored.
    salary_min = IntegerField(_l("Lowest salary"), validators=[Optional()])
    salary_max = IntegerField(_l("Highest salary"), validators=[Optional()])
    salary_currency = StringField(_l("Currency"), default="CNY",
                                  description=_l("A three-letter code, e.g. CNY, USD, GBP."))
    salary_period = SelectField(_l("Per"), choices=[SelectChoice("month", _l("month")),
                                                    SelectChoice("year", _l("year"))])
    office_ids = _checkboxes(_l("Offices"))
    coordinator_ids = _checkboxes(
        _l("Coordinators"), description=_l("They are told when something happens to this "
                                           "opening; with none ticked, every coordinator is."))
    is_open = BooleanField(_l("Open: candidates can be added"), default=True)
    retention_days = IntegerField(_l("Keep candidates' data for (days)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def details(self) -> dict:
        """Return the form's values as the openings service takes them."""
        return {name: self[name].data for name in (
            "title_zh", "title_en", "levels", "salary_min", "salary_max", "salary_currency",
            "salary_period", "office_ids", "coordinator_ids", "is_open", "retention_days")}


class StageForm(FlaskForm):
    """One stage of an opening, with everything the slot engine needs."""

    name_zh = StringField(_l("Name in Chinese"))
    name_en = StringField(_l("Name in English"))
    kind = SelectField(_l("Kind"), choices=[SelectChoice(code, label)
                                            for code, label in STAGE_KIND_LABELS.items()])
    mode = SelectField(_l("How it takes place"),
                       choices=[SelectChoice(code, label)
                                for code, label in STAGE_MODE_LABELS.items()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[Optional()],
                                    description=_l("0 for an offer."))
    panel_size = IntegerField(_l("Panel size"), validators=[Optional()],
                              description=_l("Interviewers on the panel; 0 for an offer."))
    required_level = SelectField(_l("Lowest qualification on the panel"),
                                 choices=[SelectChoice(code, label) for code, label
                                          in QUALIFICATION_LEVEL_LABELS.items()])
    is_senior_seat_required = BooleanField(_l("One seat must be senior"))
    buffer_before_minutes = IntegerField(_l("Free time before (minutes)"), validators=[Optional()])
    buffer_after_minutes = IntegerField(_l("Free time after (minutes)"), validators=[Optional()])
    min_notice_minutes = IntegerField(_l("Minimum notice (minutes)"), validators=[Optional()],
                                      description=_l("1440 minutes is one day."))
    horizon_days = IntegerField(_l("Booking horizon (days)"), validators=[Optional()],
                                description=_l("How far ahead times are offered."))
    step_minutes = SelectField(_l("Start times every"), coerce=int,
                               choices=[SelectChoice(m, _l("%(minutes)d min", minutes=m))
                                        for m in STEP_CHOICES])
    candidate_day_start = TimeField(_l("Candidate's day starts"), validators=[Optional()],
                                    description=_l("In the candidate's own time zone."))
    candidate_day_end = TimeField(_l("Candidate's day ends"), validators=[Optional()])
    reschedule_cutoff_hours = IntegerField(_l("Rescheduling closes (hours before)"),
                                           validators=[Optional()])
    feedback_due_hours = IntegerField(_l("Feedback due (hours after)"), validators=[Optional()],
                                      description=_l("Empty for an offer."))
    sla_days = IntegerField(_l("Offer SLA (days)"), validators=[Optional()],
                            description=_l("Offer stage only: days after the previous stage "
                                           "passes."))
    rubric_id = SelectField(_l("Rubric"), coerce=_id_or_none, validators=[Optional()],
                            choices=[], description=_l("What the panel scores; new feedback "
                                                       "uses its latest version."))
    description_zh = TextAreaField(_l("Description in Chinese"))
    description_en = TextAreaField(_l("Description in English"))
    submit = SubmitField(_l("Save stage"))

    def offer_rubrics(self, rubrics) -> None:
        """Offer *rubrics* (the latest version of each), each labelled with the kind it
        scores; the service refuses one for another kind."""
        kinds = STAGE_KIND_LABELS
        self.rubric_id.choices = [SelectChoice("", _("No rubric"))] + [
            SelectChoice(r.id, f"{localized(r)} · {kinds.get(r.stage_kind, r.stage_kind)}")
            for r in rubrics]

    def details(self) -> dict:
        """Return the form's values as the stages service takes them."""
        return {name: self[name].data for name in STAGE_FIELDS}


class StageMoveForm(FlaskForm):
    """Move a stage one place up or down (a button with a CSRF token)."""

    direction = HiddenField(validators=[DataRequired()])


class StageRemoveForm(FlaskForm):
    """Remove a stage, after its confirmation page."""

    submit = SubmitField(_l("Remove the stage"))


class LoopForm(FlaskForm):
    """Which stages are booked back to back with the next one, and the default break."""

    looped = _checkboxes(_l("Booked back to back with the next stage"),
                         description=_l("Ticked stages and the stage after each form a loop: "
                                        "booked together on one day, by different panels."))
    break_minutes = SelectField(_l("Default break between the stages of a loop"), coerce=int,
                                choices=[SelectChoice(m, _l("%(minutes)d min", minutes=m))
                                         for m in BREAK_CHOICES])
    submit = SubmitField(_l("Save loops"))


class CalibrationFilterForm(FlaskForm):
    """Whose feedback the calibration page counts: one opening or all, over a period (GET)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    opening = SelectField(_l("Opening"), default="", validate_choice=False)
    period = SelectField(_l("Interviews ended in"), default="all",
                         choices=[SelectChoice("90", _l("The last 90 days")),
                                  SelectChoice("365", _l("The last year")),
                                  SelectChoice("all", _l("Any time"))])
    submit = SubmitField(_l("Show"))

    def set_openings(self, requisitions) -> None:
        """Offer every opening, by title in the viewer's language, after "All openings"."""
        self.opening.choices = [SelectChoice("", _("All openings"))] + [
            SelectChoice(str(r.id), localized(r, "title")) for r in requisitions]

    def chosen_opening(self) -> int | None:
        """Return the chosen opening's id, or None for all (an unknown one counts as all)."""
        ids = {choice.value for choice in self.opening.choices}
        value = self.opening.data or ""
        return int(value) if value in ids and value.isdigit() else None


OUTCOME_LABELS = {"advance": _l("Advance to the next stage"), "reject": _l("Reject"),
                  "hold": _l("Put on hold"), "offer": _l("Make an offer")}
REJECT_REASON_LABELS = {
    "skills": _l("Skills"), "experience_level": _l("Experience level"),
    "communication": _l("Communication"), "salary_expectations": _l("Salary expectations"),
    "candidate_withdrew": _l("The candidate withdrew"), "other": _l("Other (say what)"),
}


class DecisionForm(FlaskForm):
    """A decision on the application's current stage (the decisions service checks it)."""

    stage_id = HiddenField()
    outcome = RadioField(_l("Decision"), validators=[Optional()], choices=[])
    reason_code = SelectField(_l("Reason for rejecting"), validators=[Optional()], choices=[
        SelectChoice("", "—"),
        *(SelectChoice(code, label) for code, label in REJECT_REASON_LABELS.items())])
    note = TextAreaField(_l("Note"), validators=[Optional()],
                         description=_l("For the hiring team; the candidate never sees it."))
    is_override = BooleanField(_l("Decide without waiting for all feedback"))
    override_reason = TextAreaField(_l("Why decide without waiting?"), validators=[Optional()])
    tell_candidate = BooleanField(_l("Email the candidate about a rejection or an offer"),
                                  description=_l("Off unless you tick it; the email is in the "
                                                 "candidate's language."))
    submit = SubmitField(_l("Record the decision"))

    def offer(self, outcomes) -> None:
        """Offer *outcomes* (codes, in order) as the decision's choices."""
        self.outcome.choices = [SelectChoice(code, OUTCOME_LABELS[code]) for code in outcomes]


# --- The calendar board ----------------------------------------------------------------------

BOARD_VIEWS = ("week", "day")


class BoardForm(_ZoneChoice, FlaskForm):
    """What the board shows (GET, so every board is a link): the week or a day holding *day*, in
    the chosen zone, of the interviewers the filters select."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    view = SelectField(_l("Show"), default="week",
                       choices=[SelectChoice("week", _l("Week")), SelectChoice("day", _l("Day"))])
    day = DateField(_l("Date"), validators=[Optional(), day_in_range])
    office = SelectMultipleField(_l("Offices"), choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    opening = SelectField(_l("Opening"), choices=[], validate_choice=False, default="")
    kind = SelectField(_l("Qualified for"), default="",
                       choices=KIND_FILTER_CHOICES)
    level = SelectField(_l("At least"), default="",
                        choices=LEVEL_FILTER_CHOICES)
    q = StringField(_l("Interviewer or candidate"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Show the board"))

    def offer(self, offices, requisitions) -> None:
        """Offer every office and opening to choose from."""
        self.office.choices = [SelectChoice(str(o.id), f"{o.code} · {localized(o)}")
                               for o in offices]
        self.opening.choices = [SelectChoice("", _l("Any opening"))] + [
            SelectChoice(str(r.id), localized(r, "title")) for r in requisitions]


class ApplicationListForm(FlaskForm):
    """What the applications list and its export show (GET); the view fills the choices."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(_l("Name, email or phone"), validators=[
        Optional(), Length(max=100, message=_l("Use at most %(max)d characters."))])
    page = StringField(_l("Page"), default="1", validators=[Optional(), Regexp(
        r"^[1-9][0-9]{0,3}$", message=_l("Enter a page number from 1 to %(max)d.", max=MAX_PAGE))])
    submit = SubmitField(_l("Search"))


_LIST_SELECTS = dict(opening=_l("Opening"), stage=_l("Current stage"), status=_l("Status"),
                     state=_l("State"), office=_l("Office"), zone=_l("Candidate's time zone"),
                     sort=_l("Sort by"), size=_l("Per page"))
for _name, _label in _LIST_SELECTS.items():
    setattr(ApplicationListForm, _name, SelectField(_label, choices=[], default={
        "sort": "-activity", "size": str(DEFAULT_PAGE_SIZE)}.get(_name, "")))
