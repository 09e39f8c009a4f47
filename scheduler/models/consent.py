"""Candidates' consents: the privacy notice they acknowledged, and their separate consent to
their data going to recipients outside mainland China (PIPL Art. 39), per application.

A row is never changed: every acknowledgement or consent is a new row with the notice version
it was given under and when. A cross-border consent covers the set of countries in `countries`
(country codes such as "GB", "HK"); an application's consented countries are the union of its
rows. Given by the candidate on their link's confirm step (`given_by` "candidate"), or entered by
a coordinator who received it by email (`given_by` "coordinator", with `email_received_on`, the
date the email says it was given, and `recorded_by_id`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime


class Consent(db.Model):
    NOTICE, CROSS_BORDER = "notice", "cross_border"
    KINDS = (NOTICE, CROSS_BORDER)
    CANDIDATE, COORDINATOR = "candidate", "coordinator"
    GIVERS = (CANDIDATE, COORDINATOR)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # The privacy notice's version (its file name's YYYY-MM) the candidate was shown.
    notice_version: Mapped[str] = mapped_column(String(20))
    # Country codes a cross-border consent covers; empty for a notice acknowledgement.
    countries: Mapped[list] = mapped_column(JSON, default=list)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    given_by: Mapped[str] = mapped_column(String(20))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("scheduling_link.id",
                                                           ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    email_received_on: Mapped[date | None] = mapped_column(Date)

    application = relationship("Application")
    recorded_by = relationship("User")

    __table_args__ = (
        Index("ix_consent_application_kind", "application_id", "kind"),
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
        CheckConstraint(f"given_by IN {GIVERS}", name="given_by"),
        # A coordinator's entry says when the email gave the consent.
        CheckConstraint("given_by = 'candidate' OR email_received_on IS NOT NULL",
                        name="email_date"),
    )
