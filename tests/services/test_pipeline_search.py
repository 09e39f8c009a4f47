"""The applications list's query (services/pipeline.py `search_applications`): search, filters,
sort and pages return the right applications on both databases, in a fixed number of
statements, and only for coordinators and admins."""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.models import Requisition, User
from scheduler.services.permissions import NotAllowed
from scheduler.services.pipeline import (
    STATE_KINDS, ApplicationCriteria, all_applications, candidate_zones, search_applications,
)
from tests import factories as f
from tests.services.test_find_slots_queries import counted_statements

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
MAX_STATEMENTS = 10


@pytest.fixture
def world(db, now):
    """Two openings in different offices and five candidates with what the filters ask about."""
    beijing, london, sf = (f.make_office(code=code, zone=zone) for code, zone in (
        ("BJ", "Asia/Shanghai"), ("LON", "Europe/London"), ("SFO", "America/Los_Angeles")))
    ml = f.make_requisition(title_en="Machine Learning Engineer", title_zh="机器学习工程师",
                            stages=[{"kind": "phone_screen", "name_en": "Phone screen"},
                                    {"kind": "system_design"}])
    data = f.make_requisition(title_en="Data Engineer", title_zh="数据工程师",
                              stages=[{"kind": "phone_screen", "name_en": "Phone screen"}])
    ml.offices, data.offices = [beijing, london], [sf]
    coordinator = f.make_user(roles=("coordinator",), email="co@example.com")
    apps = {}
    for key, name, email, phone, zone, requisition, stage, status, created in (
            ("chen", "陈晓明", "xiaoming.chen@example.org", "+86 138 1000 0001", "Asia/Shanghai",
             ml, 0, "active", 5),
            ("hannah", "Hannah Wright", "hannah.wright@example.org", "+44 7700 900123",
             "Europe/London", ml, 1, "on_hold", 4),
            ("jose", "José Álvarez", "jose.alvarez@example.org", "+34 600 123 456",
             "Europe/Madrid", data, 0, "rejected", 3),
            ("lin", "林雨萱", "yuxuan.lin@example.org", "+86 139 1000 0002", "Asia/Shanghai",
             ml, 0, "active", 2),
            ("ken", "佐藤健 Ken Sato", "ken.sato@example.org", "+81 90 1234 5678", "Asia/Tokyo",
             data, 0, "active", 1)):
        apps[key] = f.make_application(
            requisition=requisition, current_stage=requisition.stages[stage], status=status,
            candidate=f.make_candidate(name=name, email=email, phone=phone, zone=zone),
            created_at=now - created * DAY, updated_at=now - created * DAY)
    # 林雨萱 has a link out for her stage (sent an hour ago: her latest activity);
    # Ken has an interview booked.
    f.make_link(apps["lin"], created_at=now - HOUR, last_sent_at=now - HOUR)
    f.make_interview(application=apps["ken"], panel=[f.make_interviewer(office=sf)],
                     start_at=now + 2 * DAY, created_at=now - 6 * HOUR, updated_at=now - 6 * HOUR)
    db.session.commit()
    return coordinator, apps, {"BJ": beijing, "LON": london, "SFO": sf}, (ml, data)


def _keys(page_or_rows, apps):
    names = {a.id: key for key, a in apps.items()}
    rows = page_or_rows.rows if hasattr(page_or_rows, "rows") else page_or_rows
    return [names[row.application.id] for row in rows]


def _search(world, now, **criteria):
    coordinator, apps, *_ = world
    return _keys(search_applications(coordinator, ApplicationCriteria(**criteria), now), apps)


SEARCHES = [
    ("晓明", {"chen"}),                      # part of a Chinese name
    ("佐藤", {"ken"}), ("ken sato", {"ken"}),  # a name in both scripts, any case
    ("HANNAH", {"hannah"}), ("wRiGhT", {"hannah"}),
    ("JOSÉ", {"jose"}), ("álvarez", {"jose"}),  # case beyond ASCII, alike on both databases
    ("Yuxuan.Lin@", {"lin"}),                # part of an email
    ("13810000001", {"chen"}),               # a phone number typed without its spaces
    ("7700 900", {"hannah"}), ("+81 90", {"ken"}),
    ("example.org", {"chen", "hannah", "jose", "lin", "ken"}),
    ("%", set()), ("_", set()),              # wildcards are plain characters
    ("nobody", set()),
]


def test_search_by_name_email_or_phone(app, db, now, world):
    found = {text: set(_search(world, now, text=text)) for text, _expected in SEARCHES}
    assert found == dict(SEARCHES)


def test_each_filter_narrows_the_list_and_they_combine(app, db, now, world):
    _coordinator, apps, offices, (ml, data) = world
    assert set(_search(world, now, requisition_id=data.id)) == {"jose", "ken"}
    assert set(_search(world, now, stage_kind="system_design")) == {"hannah"}
    assert set(_search(world, now, status="active")) == {"chen", "lin", "ken"}
    # An office filters by the openings it hires for.
    assert set(_search(world, now, office_id=offices["LON"].id)) == {"chen", "hannah", "lin"}
    assert set(_search(world, now, office_id=offices["SFO"].id)) == {"jose", "ken"}
    assert set(_search(world, now, zone="Asia/Shanghai")) == {"chen", "lin"}
    assert set(_search(world, now, state="link_sent")) == {"lin"}
    assert set(_search(world, now, state="booked")) == {"ken"}
    assert set(_search(world, now, state="needs_scheduling")) == {"chen"}
    assert set(_search(world, now, state="on_hold")) == {"hannah"}
    assert set(_search(world, now, zone="Asia/Shanghai", state="needs_scheduling",
                       requisition_id=ml.id, text="陈")) == {"chen"}
    assert _search(world, now, zone="Asia/Shanghai", requisition_id=data.id) == []
    assert candidate_zones() == sorted({a.candidate.zone for a in apps.values()})


def test_each_sort_in_both_directions(app, db, now, world):
    _coordinator, apps, *_ = world
    by_name = sorted(apps, key=lambda key: apps[key].candidate.name.lower())
    assert _search(world, now, sort="name", is_descending=False) == by_name
    assert _search(world, now, sort="name") == by_name[::-1]
    oldest = sorted(apps, key=lambda key: apps[key].created_at)
    assert _search(world, now, sort="created", is_descending=False) == oldest
    # Last activity: a link sent or an interview booked counts, not only the application's row.
    latest = _search(world, now, sort="activity")
    assert latest[:2] == ["lin", "ken"]
    assert latest[2:] == sorted(latest[2:], key=lambda key: apps[key].updated_at, reverse=True)
    assert _search(world, now, sort="activity", is_descending=False) == latest[::-1]
    assert _search(world, now, sort="stage")[0] == "hannah"  # the only one past the first stage
    assert _search(world, now, sort="stage", is_descending=False)[-1] == "hannah"
    for is_descending in (False, True):
        kinds = [row.state.kind for row in search_applications(world[0], ApplicationCriteria(
            sort="state", is_descending=is_descending), now).rows]
        assert kinds == sorted(kinds, key=STATE_KINDS.index, reverse=is_descending)
        assert len(set(kinds)) == 5
    titles = _search(world, now, sort="opening", is_descending=False)
    assert set(titles[:2]) == {"jose", "ken"}  # "Data Engineer" before "Machine Learning Engineer"


def test_pages_cover_the_list_once_and_a_page_past_the_end_is_the_last(app, db, now, world):
    coordinator, apps, *_ = world
    whole = _search(world, now, sort="name", is_descending=False)
    pages = [search_applications(coordinator, ApplicationCriteria(
        sort="name", is_descending=False, page=n, page_size=2), now) for n in (1, 2, 3)]
    assert [page.total for page in pages] == [5, 5, 5]
    assert [page.page_count for page in pages] == [3, 3, 3]
    assert sum((_keys(page, apps) for page in pages), []) == whole
    assert (pages[0].has_previous, pages[0].has_next, pages[2].has_next) == (False, True, False)
    assert pages[1].first_index == 3
    past = search_applications(coordinator, ApplicationCriteria(
        sort="name", is_descending=False, page=99, page_size=2), now)
    assert (past.number, _keys(past, apps)) == (3, whole[4:])
    # Out-of-bounds sizes and pages are brought within bounds, never an error.
    huge = search_applications(coordinator, ApplicationCriteria(page=-3, page_size=10**6), now)
    assert (huge.number, huge.size, huge.total) == (1, 100, 5)
    assert _keys(all_applications(coordinator, ApplicationCriteria(
        sort="name", is_descending=False, page=2, page_size=2), now), apps) == whole
    assert search_applications(coordinator, ApplicationCriteria(text="nobody"), now).rows == []


def test_interviewers_may_not_list_applications(app, db, now, world):
    interviewer = f.make_interviewer().user
    with pytest.raises(NotAllowed):
        search_applications(interviewer, ApplicationCriteria(), now)
    with pytest.raises(NotAllowed):
        list(all_applications(interviewer, ApplicationCriteria(), now))


def test_a_page_takes_the_same_statements_for_few_and_many(app, db, now, world):
    coordinator_id, requisition_id = world[0].id, world[3][0].id
    asks = [{}, {"sort": "state", "state": "feedback_pending", "text": "候选人"},
            {"sort": "name", "page_size": 100}, {"sort": "opening", "office_id": world[2]["BJ"].id}]

    def add(count):
        requisition = db.session.get(Requisition, requisition_id)
        for n in range(count):
            application = f.make_application(requisition=requisition)
            if n % 2:  # feedback owed (a draft saved) on an interview three days ago
                person = f.make_interviewer()
                interview = f.make_interview(application=application, panel=[person],
                                             start_at=now - 3 * DAY)
                f.make_feedback(interview, person, submitted_at=None)
            else:
                f.make_link(application)

    def measure(ask):
        db.session.commit()
        db.session.expunge_all()
        coordinator = db.session.get(User, coordinator_id)
        with counted_statements(db) as statements:
            page = search_applications(coordinator, ApplicationCriteria(**ask), now)
        assert page.rows
        return len(statements)

    add(2)
    few = [measure(ask) for ask in asks]
    add(40)
    many = [measure(ask) for ask in asks]
    # A page whose rows hold every kind of detail costs the most: the count, the rows, their
    # kinds, the interviews (booked; owing feedback, with their seats and stages), the
    # submitted feedback, the authors' names and the links. Fewer kinds on a page, fewer reads.
    assert many[2] == few[2] == MAX_STATEMENTS  # every application on one page, each time
    assert max(few + many) <= MAX_STATEMENTS
