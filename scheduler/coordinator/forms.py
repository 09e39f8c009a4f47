"""Forms of the coordinator blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from scheduler.i18n import LANGUAGE_LABELS, localized


class CandidateForm(FlaskForm):
    """A new candidate and their application; the service checks email, zone and level."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the candidate's name."))])
    email = StringField(_l("Email"), validators=[
        DataRequired(_l("Enter the candidate's email address."))])
    phone = TelField(_l("Phone"), description=_l("Optional; include the country code."))
    zone = StringField(_l("Time zone"), validators=[DataRequired(_l("Choose a time zone."))],
                       description=_l("Type to search, e.g. Shanghai or London."))
    language = SelectField(_l("Language for emails and the booking page"),
                           choices=[SelectChoice(code, label)
                                    for code, label in LANGUAGE_LABELS.items()])
    requisition_id = SelectField(_l("Requisition"), coerce=int,
                                 validators=[DataRequired(_l("Choose a requisition."))])
    level = SelectField(_l("Level"), validators=[DataRequired(_l("Choose a level."))])
    submit = SubmitField(_l("Add candidate"))

    def offer(self, requisitions) -> None:
        """Fill the requisition and level choices from the open *requisitions*."""
        self.requisition_id.choices = [SelectChoice(r.id, localized(r, "title"))
                                       for r in requisitions]
        levels: dict[str, str] = {}
        for requisition in requisitions:
            for level in requisition.levels:
                levels.setdefault(level["code"], localized(level, "name"))
        self.level.choices = [SelectChoice(code, label) for code, label in levels.items()]
