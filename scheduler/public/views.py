"""The privacy notice, one public page per language (no login): the current version of
scheduler/privacy/, filled in with the controller, its contact, each opening's retention period
and the offices outside mainland China (services/privacy_notices.py). Every candidate page and
email links here."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from scheduler.i18n import current_language, use_candidate_language
from scheduler.models.user import LANGUAGES
from scheduler.public import bp
from scheduler.services.emails import company_name, organizer_address
from scheduler.services.privacy_notices import render_notice


@bp.get("/")
def privacy_notice_here():
    """Send the reader to the notice in their language."""
    return redirect(url_for(".privacy_notice", language=current_language()))


@bp.get("/<language>")
def privacy_notice(language: str):
    """Show the current privacy notice in *language*."""
    if language not in LANGUAGES:
        abort(404)
    # The page around the notice speaks the notice's language.
    use_candidate_language(language)
    notice = render_notice(language)
    other = next(code for code in LANGUAGES if code != language)
    return render_template("public/privacy_notice.html", notice=notice, other=other,
                           company=company_name(), contact=organizer_address(),
                           language_switch_action=None)
