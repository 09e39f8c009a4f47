"""The admins' audit log (issue 26 item 6): its filters — person, object, kind of event, period
(days in the admin's zone) — select exactly the right events, newest first, a page at a time;
every kind of event is shown in words in both languages, and its CSV export holds exactly the
events of all the pages, times in UTC and in the admin's zone (named in the header), with every
cell a spreadsheet would read as a formula escaped; bad filters are answered in words."""
from __future__ import annotations

import ast
import csv
import html
import io
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

import scheduler
from scheduler.formatting import format_local_datetime
from scheduler.i18n import AUDIT_ACTION_LABELS
from scheduler.models import AccessRecord, AuditEvent
from scheduler.services.audit import PAGE_SIZE
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"
LONDON = ZoneInfo("Europe/London")


def _admin(db, language="en"):
    admin = f.make_user(email="admin@example.com", name="Ada Admin", roles=("admin",),
                        password=PASSWORD, language=language, zone="Europe/London")
    db.session.commit()
    return admin


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-event="(\d+)">', page)]


def _row(page: str, event_id: int) -> str:
    match = re.search(rf'<tr data-event="{event_id}">(.*?)</tr>', page, re.S)
    assert match, f"event {event_id} is not listed"
    return html.unescape(match.group(1))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def log(db):
    """Events by two staff members and by the system, on objects of two kinds, either side of a
    London midnight ten days before NOW (whatever NOW is)."""
    wu = f.make_user(name="Wu Actor", roles=("coordinator",))
    li = f.make_user(name="Li Actor", roles=("coordinator",))
    midnight = NOW.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0) \
        - timedelta(days=10)
    e = {}
    e["booked"] = f.make_audit_event(actor_user_id=wu.id, action="interview.booked",
                                     object_type="interview", object_id=12,
                                     occurred_at=midnight - timedelta(minutes=5))
    e["moved"] = f.make_audit_event(actor_user_id=wu.id, action="interview.rescheduled",
                                    object_type="interview", object_id=12,
                                    before={"start_at": "2026-12-01T02:00:00+00:00"},
                                    after={"start_at": "2026-12-01T04:00:00+00:00"},
                                    occurred_at=midnight + timedelta(minutes=5))
    e["other"] = f.make_audit_event(actor_user_id=li.id, action="interview.cancelled",
                                    object_type="interview", object_id=13,
                                    occurred_at=midnight + timedelta(hours=23))
    e["link"] = f.make_audit_event(actor_label="candidate link 7", action="link.opened",
                                   object_type="scheduling_link", object_id=7, after=None,
                                   occurred_at=midnight + timedelta(hours=2))
    e["job"] = f.make_audit_event(actor_label="job", action="link.expired",
                                  object_type="scheduling_link", object_id=8, after=None,
                                  occurred_at=midnight + timedelta(days=1, hours=1))
    db.session.commit()
    return {"wu": wu, "li": li, "day": midnight.date(), **{k: v.id for k, v in e.items()}}


def test_the_filters_select_exactly_the_right_events_newest_first(client, db, log):
    sign_in(client, _admin(db).email, PASSWORD)
    mine = {log[k] for k in ("booked", "moved", "other", "link", "job")}
    everything = _ids(client.get("/admin/audit").text)
    assert mine <= set(everything)
    ours = [i for i in everything if i in mine]
    assert ours == [log["job"], log["other"], log["link"], log["moved"], log["booked"]]

    def shown(query: str) -> set[int]:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200
        return set(_ids(response.text))

    assert shown(f"person={log['wu'].id}") == {log["booked"], log["moved"]}
    assert shown("person=none") == {log["link"], log["job"]}
    assert shown("object_type=interview&object_id=12") == {log["booked"], log["moved"]}
    assert shown("object_type=scheduling_link") == {log["link"], log["job"]}
    assert shown("kind=interview.cancelled") == {log["other"]}
    day = log["day"].isoformat()
    # One London day: the event five minutes before its midnight belongs to the day before.
    assert shown(f"start={day}&end={day}") == {log["moved"], log["other"], log["link"]}
    assert shown(f"start={day}&end={day}&person={log['li'].id}") == {log["other"]}
    assert shown("kind=user.deactivated") == set()


def test_a_row_says_when_who_what_on_which_object_and_what_changed(client, db, log):
    sign_in(client, _admin(db).email, PASSWORD)
    page = client.get("/admin/audit?object_type=interview&object_id=12").text
    moved = _row(page, log["moved"])
    assert "Wu Actor" in moved and "Interview moved" in moved and "Interview 12" in moved
    assert "start_at: 2026-12-01T02:00:00+00:00 → 2026-12-01T04:00:00+00:00" in moved
    # The time in the admin's zone, labelled with it.
    at = db.session.get(AuditEvent, log["moved"]).occurred_at
    assert format_local_datetime(at, "Europe/London", "en") in moved
    link = _row(client.get("/admin/audit?person=none").text, log["link"])
    assert "The candidate (link 7)" in link and "Scheduling link 7" in link


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_kind_of_event_is_shown_in_words_and_exported(client, db, language):
    admin = _admin(db, language=language)
    events = {action: f.make_audit_event(actor_user_id=admin.id, action=action,
                                         occurred_at=NOW - timedelta(days=3)).id
              for action in AUDIT_ACTION_LABELS}
    db.session.commit()
    with client.application.test_request_context(), force_locale(language):
        words = {action: str(label) for action, label in AUDIT_ACTION_LABELS.items()}
    if language == "zh":
        assert words["interview.booked"] == "面试已预约"
    sign_in(client, admin.email, PASSWORD)
    for action, event_id in events.items():
        page = client.get(f"/admin/audit?kind={action}").text
        listed = _ids(page)
        # The admin's own sign-in is one of the "signed in" events too.
        assert event_id in listed and set(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.id.in_(listed)))) == {action}, action
        assert words[action] in _row(page, event_id), action
    rows = _csv(client.get("/admin/audit.csv"))
    by_id = {row[0]: row for row in rows[1:]}
    for action, event_id in events.items():
        assert by_id[str(event_id)][5:7] == [action, words[action]], action


def test_an_unknown_kind_falls_back_to_its_code(client, db):
    event = f.make_audit_event(action="experiment.ran", object_type="widget", object_id=3)
    db.session.commit()
    sign_in(client, _admin(db).email, PASSWORD)
    row = _row(client.get("/admin/audit?kind=experiment.ran").text, event.id)
    assert "experiment.ran" in row and "widget 3" in row


def test_events_come_a_page_at_a_time_and_the_export_holds_every_page(client, db, log):
    for n in range(2 * PAGE_SIZE + 3):
        f.make_audit_event(actor_user_id=log["li"].id, action="link.created",
                           object_type="scheduling_link", object_id=100 + n,
                           occurred_at=NOW - timedelta(days=20, minutes=n % 7))
    db.session.commit()
    sign_in(client, _admin(db).email, PASSWORD)
    query = f"person={log['li'].id}"
    pages, number = [], 1
    while True:
        text = client.get(f"/admin/audit?{query}&page={number}").text
        pages.append(_ids(text))
        if 'rel="next"' not in text:
            break
        number += 1
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 4]
    listed = [i for p in pages for i in p]
    assert len(set(listed)) == len(listed)
    rows = _csv(client.get(f"/admin/audit.csv?{query}"))
    assert [int(row[0]) for row in rows[1:]] == listed
    header = rows[0]
    assert header[1] == "Time (UTC)" and header[2] == "Time (Europe/London)"
    # Times in UTC ISO, and the same instant in London.
    first = rows[1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first[1])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first[2])


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
                                   "\tTAB", "\rCR"])
def test_the_export_escapes_cells_a_spreadsheet_would_read_as_formulas(client, db, value):
    event = f.make_audit_event(actor_label=value, action=value[:20], note=value,
                               object_type="interview", object_id=1)
    db.session.commit()
    sign_in(client, _admin(db).email, PASSWORD)
    rows = _csv(client.get("/admin/audit.csv?person=none"))
    [row] = [r for r in rows[1:] if r[0] == str(event.id)]
    who, action, what, note = row[3], row[5], row[6], row[11]
    assert who == "'" + value and note == "'" + value
    assert action == "'" + value[:20] and what == "'" + value[:20]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


BAD_FILTERS = [
    ("start=2026-13-45", "Not a valid date value.", "不是有效的日期值。"),
    ("start=2026-05-02&end=2026-05-01", "The end of the period must not be before its start.",
     "时段的结束不能早于开始。"),
    ("start=0001-01-01", "Choose a date between the years 1900 and 2199.",
     "请选择 1900 年至 2199 年之间的日期。"),
    ("object_id=12", "Choose the kind of object the number belongs to.",
     "请选择该编号所属的对象类型。"),
    ("object_type=interview&object_id=abc", "Not a valid integer value.", "不是有效的整数。"),
    ("object_type=interview&object_id=99999999999", "Enter a whole number from 1 to 2147483647.",
     "请输入 1 到 2147483647 之间的整数。"),
    ("person=abc", "Choose a person from the list.", "请从列表中选择人员。"),
    ("kind=" + "x" * 60, "Field cannot be longer than 50 characters.",
     "字段长度不能超过 50 个字符。"),
]


@pytest.mark.parametrize("query, english, chinese", BAD_FILTERS,
                         ids=[q.split("=")[0] + str(n) for n, (q, _e, _c) in
                              enumerate(BAD_FILTERS)])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_bad_filters_are_answered_in_words_not_errors(client, db, log, query, english, chinese,
                                                       language):
    sign_in(client, _admin(db, language=language).email, PASSWORD)
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    assert (english if language == "en" else chinese) in html.unescape(page.text)
    assert ("Audit log" if language == "en" else "审计日志") in page.text
    export = client.get(f"/admin/audit.csv?{query}")
    assert export.status_code == 302 and export.headers["Location"].startswith("/admin/audit?")


@pytest.mark.parametrize("roles, status", [(None, 302), (("interviewer",), 403),
                                           (("coordinator",), 403)])
def test_only_admins_read_or_export_the_audit_log(client, db, log, roles, status):
    if roles:
        f.make_user(email="x@example.com", roles=roles, password=PASSWORD)
        db.session.commit()
        sign_in(client, "x@example.com", PASSWORD)
    for url in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(url)
        assert response.status_code == status
        assert "Wu Actor" not in response.get_data(as_text=True)


def test_reading_and_exporting_the_log_are_recorded_as_looks(client, db, log):
    admin = _admin(db)
    sign_in(client, admin.email, PASSWORD)
    client.get("/admin/audit")
    client.get("/admin/audit.csv")
    assert db.session.execute(sa.select(AccessRecord.user_id, AccessRecord.what)
                              .order_by(AccessRecord.id)).all() == [
        (admin.id, "audit_log"), (admin.id, "audit_csv")]


def test_a_failed_sign_in_is_shown_with_its_reason_and_no_account(client, db):
    event = f.make_audit_event(actor_label="sign-in form", action="user.sign_in_failed",
                               object_type="user", object_id=None,
                               after={"reason": "unknown_email", "email_digest": "0123abcd"},
                               occurred_at=NOW - timedelta(days=1))
    db.session.commit()
    sign_in(client, _admin(db).email, PASSWORD)
    row = _row(client.get("/admin/audit?kind=user.sign_in_failed").text, event.id)
    assert "The sign-in form (no one signed in)" in row
    assert "Sign-in failed: no account has this email" in row
    assert "Staff account (none identified)" in row and "email_digest: 0123abcd" in row


def _recorded_actions() -> set[str]:
    """Every action code the code base passes to record_event (literal, either branch of a
    conditional, or a variable assigned literals in the same module)."""
    found = set()
    for path in Path(scheduler.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        assigned.setdefault(target.id, set()).add(node.value.value)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_event" \
                    and len(node.args) >= 2:
                action = node.args[1]
                if isinstance(action, ast.Name):
                    found |= assigned.get(action.id, set())
                found |= {n.value for n in ast.walk(action)
                          if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return found


def test_every_action_the_code_records_has_words():
    recorded = _recorded_actions()
    assert {"interview.booked", "user.signed_in", "user.sign_in_failed", "user.deactivated",
            "calendar_source.replaced", "stage.deleted"} <= recorded
    assert sorted(recorded - set(AUDIT_ACTION_LABELS)) == []
