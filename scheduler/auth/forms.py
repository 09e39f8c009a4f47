"""Forms of the auth blueprint: sign in, change password, switch language, sign out."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError

from scheduler.auth.accounts import is_current_password
from scheduler.models.user import LANGUAGES
from scheduler.services.users import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[
        DataRequired(_l("Enter your email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password."))])
    submit = SubmitField(_l("Sign in"))


class NewPasswordForm(FlaskForm):
    """A new password typed twice, long enough."""

    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Enter a new password.")),
        Length(min=MIN_PASSWORD_LENGTH,
               message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH))])
    confirm_password = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("new_password", _l("The two new passwords differ."))])


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password."))])
    submit = SubmitField(_l("Change password"))

    def validate_current_password(self, field):
        if not is_current_password(current_user, field.data or ""):
            raise ValidationError(_l("This is not your current password."))


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[AnyOf(LANGUAGES)])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so other sites cannot trigger it."""


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("Email"), validators=[
        DataRequired(_l("Enter your email address.")), Length(max=254)])
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(NewPasswordForm):
    submit = SubmitField(_l("Set new password"))
