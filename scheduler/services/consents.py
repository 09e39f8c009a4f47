"""Candidates' consents (PIPL Art. 17 and 39, UK GDPR Art. 13): the acknowledged privacy notice,
and the separate consent before a candidate's data goes to staff outside mainland China.

Staff outside mainland China are users whose office is not in mainland China: the country of
the office's calendar key is not "CN" (Hong Kong "HK" and Macau "MO" count as outside). A user's
office is their interviewer profile's; staff without a profile (an admin or coordinator who
never interviews) have none and count as at the company's home in mainland China. Whoever gets
a booked interview's candidate data counts: the chosen panel, the opening's coordinators (those
told about it, services/openings.py) and every active admin.

An application's consent covers the union of the countries of its cross-border records; a
booking, move or panel change whose people reach a country outside that set needs a new
consent for the missing countries — given by the candidate on their link's confirm step, or
entered by a coordinator as received by email on a date — else the booking service refuses it
(`require_cross_border`, asked inside every booking, move and swap). Every record is audited.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from scheduler.domain.transfers import country_of, is_outside_mainland as _is_outside_key
from scheduler.extensions import db
from scheduler.formatting import calendar_name
from scheduler.models import (
    Application, Consent, InterviewerProfile, Office, SchedulingLink, User, UserRole,
)
from scheduler.services.audit import record_event
from scheduler.services.booking_errors import BookingError
from scheduler.services.errors import N_, reader_language
from scheduler.services.openings import coordinator_ids_to_tell
from scheduler.services.privacy_notices import current_version

# The latest UTC offset in use (UTC+14): no place on earth has a later date than now + 14 h.
_LATEST_OFFSET = timedelta(hours=14)


class ConsentError(BookingError):
    """A booking was refused for want of the candidate's consent, or a consent was refused."""

    messages = {
        "cross_border_missing": N_("This booking gives the candidate's data to staff in "
                                   "%(countries)s, outside mainland China, and the candidate has "
                                   "not agreed to that. Enter the date their consent was received "
                                   "by email, or ask them to book through their link."),
        "email_date_future": N_("The consent cannot have been received after today."),
    }

    def render(self, params) -> str:
        """Name the countries in the reader's language."""
        if "countries" in params:
            params = {**params, "countries": country_list(params["countries"],
                                                          reader_language())}
        return super().render(params)


def country_list(countries: Iterable[str], language: str) -> str:
    """Return the countries' names in *language* ("GB" -> "United Kingdom" / "英国"), joined."""
    return ("、" if language == "zh" else ", ").join(
        calendar_name(code, language) for code in sorted(countries))


def office_country(office: Office) -> str:
    """Return the country code of *office* (from its calendar key: "GB-ENG" -> "GB")."""
    return country_of(office.calendar_key)


def is_outside_mainland(office: Office) -> bool:
    """Tell whether *office* is outside mainland China (Hong Kong and Macau are outside)."""
    return _is_outside_key(office.calendar_key)


def recipient_offices(application: Application, panels: Sequence[Sequence[int]]
                      ) -> dict[str, list[Office]]:
    """Return, by country, the offices outside mainland China of the people who would get
    *application*'s data with *panels* (interviewer ids): the panel, the opening's coordinators
    and every active admin."""
    panel_ids = {i for panel in panels for i in panel}
    coordinator_ids = coordinator_ids_to_tell(application.requisition_id)
    admin_ids = (sa.select(User.id).join(UserRole, UserRole.user_id == User.id)
                 .where(UserRole.role == "admin", User.is_active.is_(True)))
    # Everyone's office in one statement.
    offices = db.session.scalars(
        sa.select(Office).join(InterviewerProfile, InterviewerProfile.office_id == Office.id)
        .where(sa.or_(InterviewerProfile.id.in_(panel_ids),
                      InterviewerProfile.user_id.in_(coordinator_ids),
                      InterviewerProfile.user_id.in_(admin_ids)))).unique()
    found: dict[str, dict[int, Office]] = {}
    for office in offices:
        if is_outside_mainland(office):
            found.setdefault(office_country(office), {})[office.id] = office
    return {country: sorted(by_id.values(), key=lambda o: o.code)
            for country, by_id in sorted(found.items())}


def interviewers_within(interviewer_ids: Iterable[int], countries: Collection[str]) -> set[int]:
    """Return those of *interviewer_ids* whose office is in mainland China or in *countries*."""
    rows = db.session.execute(
        sa.select(InterviewerProfile.id, Office)
        .outerjoin(Office, InterviewerProfile.office_id == Office.id)
        .where(InterviewerProfile.id.in_(list(interviewer_ids)))).all()
    return {profile_id for profile_id, office in rows
            if office is None or not is_outside_mainland(office)
            or office_country(office) in countries}


def consented_countries(application: Application) -> set[str]:
    """Return the countries *application*'s recorded cross-border consents cover."""
    rows = db.session.scalars(sa.select(Consent.countries).where(
        Consent.application_id == application.id, Consent.kind == Consent.CROSS_BORDER))
    return {country for countries in rows for country in countries}


def missing_countries(application: Application, panels: Sequence[Sequence[int]]
                      ) -> dict[str, list[Office]]:
    """Return the countries (with their offices) that *panels*, the coordinators and the admins
    reach and that *application*'s consents do not cover yet."""
    covered = consented_countries(application)
    return {country: offices for country, offices in recipient_offices(application, panels).items()
            if country not in covered}


@dataclass(frozen=True)
class GivenConsent:
    """A cross-border consent given with a booking: by the candidate on their link (for the
    *countries* they were shown), or received by email on *email_received_on* (entered by a
    coordinator, for every country the booking needs)."""

    countries: frozenset[str] = field(default_factory=frozenset)
    link: SchedulingLink | None = None
    email_received_on: date | None = None


def check_email_date(received_on: date, now: datetime) -> None:
    """Refuse a consent received after today (anywhere on earth)."""
    if received_on > (now + _LATEST_OFFSET).date():
        raise ConsentError("email_date_future", "consent_received_on")


def require_cross_border(actor: User | str, application: Application,
                         panels: Sequence[Sequence[int]], now: datetime,
                         given: GivenConsent | None = None) -> None:
    """Refuse (ConsentError) unless every country outside mainland China that *panels*, the
    coordinators and the admins reach is covered by a consent, recorded or *given* with the
    booking; then record *given* for the countries the booking needs."""
    missing = missing_countries(application, panels)
    if not missing:
        return
    covered: set[str] = set()
    if given is not None:
        if given.email_received_on is not None:
            check_email_date(given.email_received_on, now)
            covered = set(missing)
        else:
            covered = set(missing) & set(given.countries)
    if set(missing) - covered:
        # Nothing is recorded, and the refusal names every country the booking needs: the
        # candidate's link asks for them all on one page (services/link_booking.py).
        raise ConsentError("cross_border_missing", "consent_received_on",
                           countries=sorted(missing))
    record_cross_border(actor, application, covered, now, link=given.link,
                        email_received_on=given.email_received_on)


def record_cross_border(actor: User | str, application: Application, countries: Collection[str],
                        now: datetime, *, link: SchedulingLink | None = None,
                        email_received_on: date | None = None) -> Consent:
    """Store a cross-border consent for *countries* under the current notice; by the candidate
    (through *link*), or by the coordinator *actor* as received by email on a date."""
    by_email = email_received_on is not None
    consent = Consent(
        application_id=application.id, candidate_id=application.candidate_id,
        kind=Consent.CROSS_BORDER, notice_version=current_version(),
        countries=sorted(countries), given_at=now,
        given_by=Consent.COORDINATOR if by_email else Consent.CANDIDATE,
        link_id=link.id if link is not None else None,
        recorded_by_id=actor.id if isinstance(actor, User) else None,
        email_received_on=email_received_on)
    return _stored(actor, consent, now)


def record_notice_acknowledgement(actor: str, link: SchedulingLink, version: str,
                                  now: datetime) -> Consent:
    """Store that the candidate of *link* acknowledged the privacy notice *version* now."""
    application = link.application
    consent = Consent(
        application_id=application.id, candidate_id=application.candidate_id,
        kind=Consent.NOTICE, notice_version=version, countries=[], given_at=now,
        given_by=Consent.CANDIDATE, link_id=link.id)
    return _stored(actor, consent, now)


def _stored(actor: User | str, consent: Consent, now: datetime) -> Consent:
    db.session.add(consent)
    db.session.flush()
    after = {"kind": consent.kind, "notice_version": consent.notice_version,
             "countries": consent.countries, "given_by": consent.given_by}
    if consent.email_received_on is not None:
        after["email_received_on"] = consent.email_received_on.isoformat()
    record_event(actor, "consent.recorded", consent.application, now=now, after=after)
    return consent


def consents_of(application: Application) -> list[Consent]:
    """Return *application*'s consent records, oldest first."""
    return list(db.session.scalars(sa.select(Consent).where(
        Consent.application_id == application.id).order_by(Consent.given_at, Consent.id)))
