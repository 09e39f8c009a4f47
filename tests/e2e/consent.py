"""The privacy steps of a booking in the browser (issue 24), taken by property: the notice's
acknowledgement is always on a candidate's confirm step; the separate cross-border consent, and
a coordinator's "consent received by email" date, only when the people the booking reaches
include staff outside mainland China — which depends on the panel the engine chose."""
from __future__ import annotations

from datetime import date


def agree_on_confirm(page, *, keyboard: bool = False) -> bool:
    """Tick the privacy notice's acknowledgement on a candidate's confirm step, and the
    separate cross-border consent when the page asks for it (with the Space key when
    *keyboard*); return whether the consent was asked."""
    boxes = [page.locator("#acknowledge")]
    consent = page.locator("#cross_border")
    asked = consent.count() > 0
    if asked:
        boxes.append(consent)
    for box in boxes:
        if keyboard:
            box.focus()
            page.keyboard.press("Space")
        else:
            box.check()
    return asked


def enter_email_consent_if_asked(page, received_on: date) -> bool:
    """Enter the date the candidate's consent came by email on a coordinator's confirm or swap
    form, when the form asks for it; return whether it did."""
    field = page.locator("#consent_received_on")
    if not field.count():
        return False
    field.fill(received_on.isoformat())
    return True
