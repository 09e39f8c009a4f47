"""Auth views: the role-based front door, sign in and out, own password, language switch."""
from __future__ import annotations

import math
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from scheduler.auth import bp, throttle
from scheduler.auth.accounts import (
    authenticate, change_password as store_new_password, record_failed_sign_in, record_sign_in,
)
from scheduler.auth.forms import (
    ChangePasswordForm, ForgotPasswordForm, LanguageForm, LoginForm, LogoutForm, ResetPasswordForm,
)
from scheduler.extensions import limiter
from scheduler.i18n import SESSION_KEY, current_language, format_duration
from scheduler.services.users import end_sessions
from scheduler.web import request_now, safe_next, write_despite_refusal

# Per client address; enough for typos, too few for guessing passwords. LOGIN_RATE_LIMIT in the
# app config overrides it (tests use a small one). Per account: scheduler/auth/throttle.py.
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"


def _login_rate_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT)


def _home_for(user) -> str | None:
    if user.has_role("coordinator", "admin"):
        return url_for("coordinator.home")
    if user.has_role("interviewer"):
        return url_for("interviewer.home")
    return None


@bp.get("/")
def home():
    """Send the visitor to the home page of their role, or to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    target = _home_for(current_user)
    if target is None:
        abort(403)
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    """Sign a staff member in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        email = form.email.data
        now = request_now()
        if wait := throttle.seconds_to_wait(email):
            # Not even checked: guessing an account's password waits out its delay.
            form.form_errors.append(_wait_message(wait))
            write_despite_refusal(lambda: record_failed_sign_in(email, now=now, is_throttled=True))
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = authenticate(email, form.password.data)
        if user is not None:
            throttle.clear_failures(email)
            record_sign_in(user, now=now)
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))
        # One message for an unknown email and a wrong password alike, and one count; the
        # audit record is written after the 401's rollback, the same for both.
        form.form_errors.append(_("Email or password is incorrect."))
        write_despite_refusal(lambda: record_failed_sign_in(email, now=now))
        status = 401
        if wait := throttle.record_failure(email):
            form.form_errors.append(_wait_message(wait))
            headers["Retry-After"] = str(wait)
    return render_template("auth/login.html", form=form), status, headers


def _wait_message(seconds: int) -> str:
    # Whole minutes past two, so "3 minutes" never means 2 minutes 10 seconds.
    if seconds > 120:
        seconds = math.ceil(seconds / 60) * 60
    return _("Too many failed sign-ins with this email address. Wait %(wait)s, then try again.",
             wait=format_duration(timedelta(seconds=seconds)))


@bp.post("/logout")
def logout():
    """Sign the current user out."""
    if LogoutForm().validate_on_submit() and current_user.is_authenticated:
        # Every copy of this session (and the user's others) ends, not just this cookie.
        end_sessions(current_user)
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the signed-in user's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        store_new_password(current_user, form.new_password.data, now=request_now())
        # Older sessions ended with the change; this one goes on under the new version.
        login_user(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("auth.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/forgot", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password():
    """Ask for a password reset link by email."""
    from scheduler.services.password_reset import request_password_reset

    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data, request_now(), current_language())
        # The same answer whether or not the address has an account.
        flash(_("If an account uses that address, a reset link is on its way. "
                "It works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through an emailed reset link."""
    from scheduler.services.password_reset import (
        InvalidResetLink, reset_password as store_reset_password, user_for_reset_token,
    )

    try:
        user_for_reset_token(token, request_now())
    except InvalidResetLink:
        return render_template("auth/reset_link_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        store_reset_password(token, form.new_password.data, request_now())
        flash(_("Your password has been changed. Sign in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.post("/language")
def set_language():
    """Switch the interface language for this session and, when signed in, for the user."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session[SESSION_KEY] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
    return redirect(safe_next(form.next.data) or url_for("auth.home"))
