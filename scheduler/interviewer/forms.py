"""Forms of the interviewer pages: why an interviewer cannot make an interview."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class DeclineForm(FlaskForm):
    """Why the interviewer cannot make an interview."""

    reason = TextAreaField(_l("Why can't you make it?"), validators=[
        DataRequired(_l("Give a reason, so the coordinators can plan.")), Length(max=1000)],
        description=_l("The coordinators see this; the candidate does not."))
    submit = SubmitField(_l("Tell the coordinators"))
