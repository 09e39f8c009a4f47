"""Shared set-up for feedback tests: a small rubric of the real shape, and a candidate whose
interviews are over (rows inserted directly: booking rules forbid booking the past).

`feedback_world()` makes a requisition with a system-design stage (panel of two), a project
deep dive, an online coding test (no panel: a reviewer) and an HR final, each naming a rubric;
Beijing interviewers; and one candidate's application. Interviews are made by the test with
`past_interview` / `future_interview`, relative to the frozen NOW.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from scheduler.extensions import db
from scheduler.models import Rubric
from tests import factories as f
from tests.clock import NOW

LEVELS = [
    {"code": "junior", "name_zh": "初级（3–5年）", "name_en": "Junior (3–5 years)", "years": "3-5"},
    {"code": "mid", "name_zh": "中级（5–8年）", "name_en": "Mid (5–8 years)", "years": "5-8"},
    {"code": "senior", "name_zh": "高级（8年以上）", "name_en": "Senior (8+ years)", "years": "8+"},
]


def _texts(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def rubric_definition(code: str = "test_design", version: int = 1,
                      stage_kind: str = "system_design",
                      criteria=("framing", "modelling", "serving")) -> dict:
    """Return a valid rubric definition (what a rubric file holds) with *criteria*."""
    return {
        "code": code, "version": version, "stage_kind": stage_kind,
        "name": _texts(f"测试评分表 {code}", f"Test rubric {code}"),
        "description": _texts("测试用评分表。", "A rubric for tests."),
        "criteria": [{
            "code": name,
            "name": _texts(f"标准{name}", f"Criterion {name}"),
            "question": _texts(f"关于{name}的问题？", f"Question about {name}?"),
            "descriptors": {str(score): _texts(f"{name}得{score}分的描述",
                                               f"What a {score} on {name} looks like")
                            for score in (1, 2, 3, 4)},
            "expectations": {level: _texts(f"{name}对{level}的期望",
                                           f"Expected of a {level} on {name}")
                             for level in ("junior", "mid", "senior")},
        } for name in criteria],
    }


def make_rubric_version(definition: dict) -> Rubric:
    """Store *definition* as a Rubric row, as `flask rubrics load` would."""
    rubric = Rubric(code=definition["code"], version=definition["version"],
                    stage_kind=definition["stage_kind"], name_zh=definition["name"]["zh"],
                    name_en=definition["name"]["en"], definition=definition, created_at=NOW)
    db.session.add(rubric)
    db.session.flush()
    return rubric


@dataclass
class FeedbackWorld:
    requisition: object
    design: object      # the system-design stage (panel 2)
    deep_dive: object   # the project deep dive (panel 1)
    coding: object      # the online coding test (panel 0, a reviewer)
    hr_final: object
    application: object
    people: list        # interviewer profiles, qualified for every stage
    rubric: Rubric      # the system-design rubric


def feedback_world(people: int = 5) -> FeedbackWorld:
    """Make the requisition, its rubrics, *people* interviewers and one application."""
    office = f.make_office(code="BJ", zone="Asia/Shanghai", calendar_key="CN")
    rubrics = {kind: make_rubric_version(rubric_definition(f"test_{kind}", stage_kind=kind))
               for kind in ("system_design", "project_deep_dive", "coding_test", "hr_final")}
    requisition = f.make_requisition(levels=LEVELS, stages=[
        dict(kind="system_design", name_zh="系统设计", name_en="System design", panel_size=2,
             rubric_id=rubrics["system_design"].id),
        dict(kind="project_deep_dive", name_zh="项目经验", name_en="Project deep dive",
             rubric_id=rubrics["project_deep_dive"].id),
        dict(kind="coding_test", name_zh="技术笔试", name_en="Online coding test",
             mode="online", duration_minutes=90, panel_size=0,
             rubric_id=rubrics["coding_test"].id),
        dict(kind="hr_final", name_zh="HR终面", name_en="HR final", duration_minutes=45,
             rubric_id=rubrics["hr_final"].id),
    ])
    qualified = {kind: "qualified" for kind in rubrics}
    profiles = [f.make_interviewer(office=office, qualifications=qualified,
                                   user=f.make_user(language="en", name=f"Interviewer {n}"))
                for n in range(1, people + 1)]
    application = f.make_application(requisition=requisition,
                                      candidate=f.make_candidate(name="Mei Candidate"))
    design, deep_dive, coding, hr_final = requisition.stages
    return FeedbackWorld(requisition, design, deep_dive, coding, hr_final, application,
                         profiles, rubrics["system_design"])


def past_interview(world: FeedbackWorld, stage, panel, *, hours_ago: float = 3, **kw):
    """Insert an interview of *stage* that ended before NOW (held, unless marked otherwise)."""
    start_at = NOW - timedelta(hours=hours_ago)
    return f.make_interview(application=world.application, stage=stage, panel=panel,
                            start_at=start_at, **kw)


def future_interview(world: FeedbackWorld, stage, panel, *, days: int = 3, **kw):
    """Insert an interview of *stage* that starts *days* after NOW."""
    return f.make_interview(application=world.application, stage=stage, panel=panel,
                            start_at=NOW + timedelta(days=days), **kw)


def answers(definition: dict, score: int = 3, **overrides) -> dict:
    """Return complete form data for *definition*: every criterion scored *score* with evidence,
    strengths, concerns, a recommendation and a level; *overrides* replace fields."""
    data = {}
    for criterion in definition["criteria"]:
        data[f"score_{criterion['code']}"] = str(score)
        data[f"evidence_{criterion['code']}"] = f"Saw good work on {criterion['code']}."
    data |= {"strengths": "Clear thinking.", "concerns": "Little serving experience.",
             "recommendation": "yes", "hire_level": "mid"}
    return data | overrides
