"""The calibration service turns submitted feedback into the domain's score sheets (due time from
the stage's hours, unscored criteria left out, drafts ignored), filters by opening and period,
and reads everything in a fixed number of queries."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.domain.scorecard import ScoreSheet
from scheduler.extensions import db as _db
from scheduler.services.calibration import (
    CalibrationRefused, build_calibration, score_sheet, submitted_feedback,
)
from tests import factories as f
from tests.calibration_setup import calibration_world
from tests.clock import NOW


@pytest.fixture
def history(db):
    history = calibration_world()
    db.session.commit()
    return history


@pytest.fixture
def coordinator(db):
    return f.make_user(roles=("coordinator",), name="Coordinator")


def test_submitted_feedback_becomes_score_sheets(db, history):
    first = history.interviews[0]
    alice = history.people["A"]
    # A draft (no submission) counts for nothing.
    draft_on = f.make_interview(application=f.make_application(
        requisition=history.world.requisition), stage=history.world.design,
        panel=[alice], start_at=NOW - timedelta(days=2))
    f.make_feedback(draft_on, alice, rubric=history.world.rubric, scores={"framing": None})
    db.session.commit()
    rows = submitted_feedback()
    assert len(rows) == 11 and draft_on.id not in {row.interview_id for row in rows}
    sheet = score_sheet(next(row for row in rows if row.interview_id == first.id
                             and row.interviewer_id == alice.id))
    assert sheet == ScoreSheet(
        interviewer_id=alice.id, interview_id=first.id, application_id=first.application_id,
        rubric_code="test_system_design",
        scores={"framing": 4, "modelling": 3, "serving": 3}, recommendation="yes",
        level="mid", submitted_at=first.end_at + timedelta(hours=1),
        due_at=first.end_at + timedelta(hours=24))


def test_an_unscored_criterion_is_left_out_and_the_stage_hours_set_the_due_time(db, history):
    history.world.design.feedback_due_hours = 48
    row = history.feedback[0]
    row.scores[2].score = None
    db.session.commit()
    sheet = score_sheet(row)
    assert sheet.scores == {"framing": 4, "modelling": 3}
    assert sheet.due_at == row.interview.end_at + timedelta(hours=48)


def test_the_report_filters_by_period_and_opening(db, history, coordinator):
    everything = build_calibration(coordinator, NOW, "en")
    assert everything.sheet_count == 11
    recent = build_calibration(coordinator, NOW, "en", period="90")
    assert recent.sheet_count == 10  # I6, a hundred days ago, is left out
    other = f.make_requisition()
    assert build_calibration(coordinator, NOW, "en", requisition_id=other.id).sheet_count == 0
    assert build_calibration(coordinator, NOW, "en",
                             requisition_id=history.world.requisition.id).sheet_count == 11
    names = {(row.rubric_name, row.name) for row in everything.criteria}
    assert ("Test rubric test_system_design", "Criterion framing") in names
    zh = build_calibration(coordinator, NOW, "zh")
    assert ("测试评分表 test_system_design", "标准framing") in {(r.rubric_name, r.name)
                                                           for r in zh.criteria}


def test_an_interviewer_is_refused(db, history):
    with pytest.raises(CalibrationRefused):
        build_calibration(history.people["A"].user, NOW, "en")


def test_the_number_of_queries_does_not_grow_with_the_feedback(db, history, coordinator):
    statements = []

    def count(*_args):
        statements.append(1)

    def queries() -> int:
        statements.clear()
        _db.session.expire_all()
        sa.event.listen(_db.engine, "before_cursor_execute", count)
        try:
            build_calibration(coordinator, NOW, "en")
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", count)
        return len(statements)

    small = queries()
    for n in range(4):
        interview = f.make_interview(
            application=f.make_application(requisition=history.world.requisition),
            stage=history.world.design, panel=[history.people["A"], history.people["C"]],
            start_at=NOW - timedelta(days=11 + n))  # days no other interview of theirs uses
        for person in ("A", "C"):
            f.make_feedback(interview, history.people[person], rubric=history.world.rubric,
                            scores={"framing": 3}, submitted_at=interview.end_at)
    db.session.commit()
    assert queries() == small <= 12
