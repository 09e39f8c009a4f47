"""Forms of the interviewer pages: why an interviewer cannot make an interview, the feedback
scorecard (a class built from each rubric), an amendment, and a no-show."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from scheduler.domain.rubric import SCORES, Criterion, RubricDefinition
from scheduler.i18n import RECOMMENDATION_LABELS, localized
from scheduler.services.feedback import FeedbackInput, evidence_field, score_field


class DeclineForm(FlaskForm):
    """Why the interviewer cannot make an interview."""

    reason = TextAreaField(_l("Why can't you make it?"), validators=[
        DataRequired(_l("Give a reason, so the coordinators can plan.")), Length(max=1000)],
        description=_l("The coordinators see this; the candidate does not."))
    submit = SubmitField(_l("Tell the coordinators"))


# --- Feedback: a form class built at runtime from the rubric the feedback is written on -------


class FeedbackFormBase(FlaskForm):
    """What every scorecard asks besides its criteria; `feedback_form_class` adds a score and
    an evidence note per criterion. The rules (every criterion scored, evidence for a 1 or a
    4, …) are the feedback service's, which refuses field by field."""

    strengths = TextAreaField(_l("Strengths"), validators=[Optional()],
                              description=_l("What the candidate did well, with examples."))
    concerns = TextAreaField(_l("Concerns"), validators=[Optional()],
                             description=_l("What worries you, with examples."))
    recommendation = RadioField(_l("Overall recommendation"), validators=[Optional()],
                                choices=[SelectChoice(code, label)
                                         for code, label in RECOMMENDATION_LABELS.items()])
    hire_level = RadioField(_l("The level you would hire at"), validators=[Optional()],
                            choices=[])
    save_draft = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit feedback"))

    criteria: tuple[Criterion, ...] = ()

    def rows(self):
        """Yield (criterion, its score field, its evidence field) in the rubric's order."""
        for criterion in self.criteria:
            yield criterion, self[score_field(criterion.code)], self[evidence_field(criterion.code)]

    def offer_levels(self, levels: list[dict]) -> None:
        """Offer the opening's *levels* as the hire level choices."""
        self.hire_level.choices = [SelectChoice(level["code"], localized(level, "name"))
                                   for level in levels]

    def feedback_input(self) -> FeedbackInput:
        """Return what was typed, for the feedback service."""
        return FeedbackInput(
            scores={c.code: self[score_field(c.code)].data for c in self.criteria},
            evidence={c.code: self[evidence_field(c.code)].data or "" for c in self.criteria},
            strengths=self.strengths.data or "", concerns=self.concerns.data or "",
            recommendation=self.recommendation.data or None,
            hire_level=self.hire_level.data or None)

    def fill(self, feedback) -> None:
        """Show a saved draft in the form."""
        rows = {row.criterion_code: row for row in feedback.scores}
        for criterion in self.criteria:
            row = rows.get(criterion.code)
            self[score_field(criterion.code)].data = row.score if row else None
            self[evidence_field(criterion.code)].data = row.evidence if row else ""
        self.strengths.data, self.concerns.data = feedback.strengths, feedback.concerns
        self.recommendation.data = feedback.recommendation
        self.hire_level.data = feedback.hire_level


def _int_or_none(value):
    """Read a chosen number (a score, an interviewer); nothing chosen stays None."""
    return None if value in (None, "", "None") else int(value)


def feedback_form_class(definition: RubricDefinition, language: str) -> type[FeedbackFormBase]:
    """Build the scorecard form of *definition*: per criterion, its 1–4 score (labelled with
    the criterion's name in *language*) and an evidence note."""
    fields: dict[str, object] = {"criteria": definition.criteria}
    for criterion in definition.criteria:
        fields[score_field(criterion.code)] = RadioField(
            criterion.text("name", language), coerce=_int_or_none, validators=[Optional()],
            choices=[SelectChoice(score, str(score)) for score in SCORES])
        fields[evidence_field(criterion.code)] = TextAreaField(
            _l("Evidence"), validators=[Optional()],
            description=_l("What you saw and heard. Needed for a score of 1 or 4."))
    return type(f"FeedbackForm_{definition.code}_v{definition.version}", (FeedbackFormBase,),
                fields)


class AmendmentForm(FlaskForm):
    """A note added beside submitted feedback."""

    text = TextAreaField(_l("Amendment"), validators=[DataRequired(_l("Write the amendment."))],
                         description=_l("Kept beside your feedback with your name and the time; "
                                        "the feedback itself stays as submitted."))
    submit = SubmitField(_l("Add amendment"))


class NoShowForm(FlaskForm):
    """Who did not come to an interview, and what happened."""

    party = RadioField(_l("Who did not come?"), validators=[Optional()], choices=[
        SelectChoice("candidate", _l("The candidate")),
        SelectChoice("interviewer", _l("An interviewer"))])
    absent_interviewer_id = SelectField(_l("Which interviewer?"), coerce=_int_or_none,
                                        validators=[Optional()], choices=[])
    note = TextAreaField(_l("What happened?"), validators=[Optional()],
                         description=_l("The coordinators see this; the candidate does not."))
    submit = SubmitField(_l("Mark as a no-show"))
