"""A small calibration history with hand-computed answers, shared by the service and page tests.

Three interviewers (A, B, C) on the test system-design rubric (framing, modelling, serving), six
held interviews of six candidates, each feedback submitted an hour after the end (due 24 hours
after it) except B's alone on I6, thirty hours after (late), a hundred days ago:

    interview  panel  framing  modelling  serving
    I1         A B    4 3      3 3        3 3
    I2         A C    3 2      2 2        3 3
    I3         A B    4 3      4 4        3 3
    I4         B C    2 3      3 3        3 3
    I5         A C    3 2      1 1        3 3
    I6         B      2        3          3

By hand: A's offset (+1 on four framing scores, 0 on eight others) is 4/12 = +0.33; B's
(-1, -1, -1 on framing, six zeros) -3/9 = -0.33; C's (-1, +1, -1) -1/9 = -0.11. On time: A 4/4,
B 3/4, C 3/3. Framing's ordinal alpha over I1–I5 is 95/1400 = 0.07 (n2=3, n3=5, n4=2; D_o
sum 145, D_e sum 1400; 1 - 9·145/1400); modelling's is 1.00; serving never varies (11 threes).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import feedback_world

TABLE = [  # (days ago, [(person, framing, modelling, serving)])
    (10, [("A", 4, 3, 3), ("B", 3, 3, 3)]),
    (9, [("A", 3, 2, 3), ("C", 2, 2, 3)]),
    (8, [("A", 4, 4, 3), ("B", 3, 4, 3)]),
    (7, [("B", 2, 3, 3), ("C", 3, 3, 3)]),
    (6, [("A", 3, 1, 3), ("C", 2, 1, 3)]),
    (100, [("B", 2, 3, 3)]),
]


@dataclass
class CalibrationWorld:
    world: object
    people: dict        # "A", "B", "C" -> interviewer profile
    interviews: list    # I1..I6
    feedback: list      # every Feedback row, in table order


def calibration_world() -> CalibrationWorld:
    world = feedback_world()
    people = dict(zip("ABC", world.people))
    people["A"].user.name, people["B"].user.name, people["C"].user.name = (
        "Alice Kind", "Bo Harsh", "Cai Middle")
    interviews, rows = [], []
    for days_ago, panel in TABLE:
        application = f.make_application(requisition=world.requisition,
                                          candidate=f.make_candidate())
        interview = f.make_interview(application=application, stage=world.design,
                                     panel=[people[p] for p, *_ in panel],
                                     start_at=NOW - timedelta(days=days_ago))
        interviews.append(interview)
        late = len(panel) == 1
        for person, framing, modelling, serving in panel:
            rows.append(f.make_feedback(
                interview, people[person], rubric=world.rubric,
                scores={"framing": framing, "modelling": modelling, "serving": serving},
                submitted_at=interview.end_at + timedelta(hours=30 if late else 1)))
    return CalibrationWorld(world, people, interviews, rows)
