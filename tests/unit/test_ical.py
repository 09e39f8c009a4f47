"""Invites, feeds, downloads and calendar links from scheduler.ical.

The invites are read back by two independent parsers (icalendar and vobject) and stored into a
real CalDAV server (Radicale on loopback), so "valid" means "other software understands it".
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import caldav
import pytest
import vobject
from icalendar import Calendar

from scheduler.ical import (
    ROLE_CHAIR,
    ROLE_REQUIRED,
    STATUS_CANCELLED,
    Attendee,
    InviteEvent,
    build_download,
    build_feed,
    build_invite,
    google_calendar_url,
    outlook_calendar_url,
)
from scheduler.mail import build_message, make_message_id
from tests.radicale_server import RadicaleServer

UTC = timezone.utc
UID = "interview-42@hire.example"
CANDIDATE = Attendee("li.lei@example.com", "李雷", ROLE_REQUIRED)
ZHANG = Attendee("zhang.wei@hire.example", "张伟", ROLE_CHAIR)
WANG = Attendee("wang.fang@hire.example", "王芳", ROLE_REQUIRED)
CHEN = Attendee("chen.jing@hire.example", "陈静", ROLE_REQUIRED)
# Commas, semicolons, a backslash and a newline all need escaping in iCalendar TEXT.
DESCRIPTION = (
    "系统设计面试，请提前五分钟进入会议室。\n"
    "您的时间：2026年3月27日 09:00 (Europe/London); 北京时间 17:00\\备注"
)


def _event(**changes) -> InviteEvent:
    base = InviteEvent(
        uid=UID,
        sequence=0,
        # 09:00 in London before the clocks go forward on 29 March 2026.
        start_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        end_at=datetime(2026, 3, 27, 10, 0, tzinfo=UTC),
        summary="系统设计面试 – 李雷",
        description=DESCRIPTION,
        location="https://meet.example.com/room/zhang-wei",
        organizer_email="recruiting@hire.example",
        organizer_name="招聘团队",
        attendees=(ZHANG, WANG, CANDIDATE),
    )
    return dataclasses.replace(base, **changes)


@dataclasses.dataclass(frozen=True)
class Step:
    method: str
    event: InviteEvent
    dtstamp_at: datetime
    is_uninvite: bool = False

    def build(self) -> bytes:
        return build_invite(self.event, self.method, self.dtstamp_at, is_uninvite=self.is_uninvite)


def _lifecycle() -> list[Step]:
    """Book, reschedule across the DST change, swap an interviewer, cancel."""
    booked = _event()
    # 09:00 in London after the change is 08:00 UTC.
    moved = dataclasses.replace(
        booked,
        sequence=1,
        start_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
        end_at=datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
    )
    new_panel = dataclasses.replace(moved, sequence=2, attendees=(ZHANG, CHEN, CANDIDATE))
    removed = dataclasses.replace(moved, sequence=2, attendees=(WANG,))
    cancelled = dataclasses.replace(new_panel, sequence=3)
    return [
        Step("REQUEST", booked, datetime(2026, 3, 20, 10, 0, tzinfo=UTC)),
        Step("REQUEST", moved, datetime(2026, 3, 21, 11, 0, tzinfo=UTC)),
        Step("REQUEST", new_panel, datetime(2026, 3, 22, 12, 0, tzinfo=UTC)),
        Step("CANCEL", removed, datetime(2026, 3, 22, 12, 0, tzinfo=UTC), is_uninvite=True),
        Step("CANCEL", cancelled, datetime(2026, 3, 23, 13, 0, tzinfo=UTC)),
    ]


def _vevent(ics: bytes):
    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    return vevent


def _emails(vevent) -> list[str]:
    attendees = vevent.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return [str(a).removeprefix("mailto:") for a in attendees]


# -- the lifecycle of one interview ----------------------------------------------------------


def test_lifecycle_keeps_uid_and_raises_sequence():
    steps = _lifecycle()
    vevents = [_vevent(step.build()) for step in steps]

    assert {str(v["UID"]) for v in vevents} == {UID}
    main_line = [v for v, step in zip(vevents, steps) if not step.is_uninvite]
    sequences = [int(v["SEQUENCE"]) for v in main_line]
    assert sequences == [0, 1, 2, 3]
    # The removed interviewer's CANCEL belongs to the same change as the panel update.
    assert int(vevents[3]["SEQUENCE"]) == int(vevents[2]["SEQUENCE"])
    assert [v["DTSTAMP"].dt for v in vevents] == [s.dtstamp_at for s in steps]


@pytest.mark.parametrize("index", range(5))
def test_lifecycle_method_matches_mime_method(index):
    step = _lifecycle()[index]
    ics = step.build()
    msg = build_message(
        from_addr="招聘团队 <recruiting@hire.example>",
        to_addr="李雷 <li.lei@example.com>",
        subject="面试邀请",
        text_body="见附件",
        html_body="<p>见附件</p>",
        message_id=make_message_id(UID, step.event.sequence, "li.lei@example.com", "hire.example"),
        ics_bytes=ics,
        method=step.method,
    )
    [calendar_part] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]

    assert str(Calendar.from_ical(ics)["METHOD"]) == step.method
    assert calendar_part.get_param("method") == step.method


@pytest.mark.parametrize("index", range(5))
def test_icalendar_and_vobject_read_the_same_utc_instants(index):
    step = _lifecycle()[index]
    ics = step.build()

    vevent = _vevent(ics)
    parsed = vobject.readOne(ics.decode("utf-8"))

    assert vevent["DTSTART"].dt == step.event.start_at
    assert vevent["DTEND"].dt == step.event.end_at
    assert vevent["DTSTART"].dt.utcoffset() == timedelta(0)
    assert parsed.method.value == step.method
    assert parsed.vevent.uid.value == UID
    assert int(parsed.vevent.sequence.value) == step.event.sequence
    assert parsed.vevent.dtstart.value == step.event.start_at
    assert parsed.vevent.dtend.value == step.event.end_at
    assert parsed.vevent.dtstart.value.utcoffset() == timedelta(0)
    assert parsed.vevent.description.value == DESCRIPTION
    assert sorted(a.value.removeprefix("mailto:") for a in parsed.vevent.attendee_list) == sorted(
        a.email for a in step.event.attendees
    )


def test_times_are_written_in_utc_whatever_zone_the_input_has():
    start_at = datetime(2026, 3, 27, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    event = _event(start_at=start_at, end_at=start_at + timedelta(hours=1))

    ics = build_invite(event, "REQUEST", datetime(2026, 3, 20, tzinfo=UTC))

    assert b"\r\nDTSTART:20260327T090000Z\r\n" in ics
    assert b"\r\nDTEND:20260327T100000Z\r\n" in ics
    assert b"TZID" not in ics and b"VTIMEZONE" not in ics


def test_request_names_organizer_and_attendees_and_carries_an_alarm():
    ics = build_invite(_event(), "REQUEST", datetime(2026, 3, 20, tzinfo=UTC))
    calendar = Calendar.from_ical(ics)
    vevent = _vevent(ics)

    assert str(calendar["PRODID"]).startswith("-//Interview Scheduler//")
    assert "UID" not in calendar  # a calendar-level UID is not part of an iTIP message
    organizer = vevent["ORGANIZER"]
    assert str(organizer) == "mailto:recruiting@hire.example"
    assert organizer.params["CN"] == "招聘团队"
    attendees = {str(a).removeprefix("mailto:"): a.params for a in vevent["ATTENDEE"]}
    assert set(attendees) == {ZHANG.email, WANG.email, CANDIDATE.email}
    assert attendees[ZHANG.email]["CN"] == "张伟"
    assert attendees[ZHANG.email]["ROLE"] == "CHAIR"
    assert attendees[CANDIDATE.email]["ROLE"] == "REQ-PARTICIPANT"
    for params in attendees.values():
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "TRUE"
    assert str(vevent["LOCATION"]) == "https://meet.example.com/room/zhang-wei"
    assert str(vevent["DESCRIPTION"]) == DESCRIPTION
    assert str(vevent["STATUS"]) == "CONFIRMED"
    [alarm] = vevent.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-15)


def test_candidate_copy_names_only_the_attendees_it_is_given():
    event = _event(attendees=(CANDIDATE,))

    ics = build_invite(event, "REQUEST", datetime(2026, 3, 20, tzinfo=UTC))

    assert _emails(_vevent(ics)) == [CANDIDATE.email]
    for interviewer in (ZHANG, WANG, CHEN):
        assert interviewer.email.encode() not in ics
        assert interviewer.name.encode() not in ics


def test_cancel_of_the_interview_is_status_cancelled_without_alarm_or_rsvp():
    step = _lifecycle()[4]
    vevent = _vevent(step.build())

    assert str(vevent["STATUS"]) == STATUS_CANCELLED
    assert str(vevent["TRANSP"]) == "TRANSPARENT"
    assert vevent.walk("VALARM") == []
    assert sorted(_emails(vevent)) == sorted(a.email for a in step.event.attendees)
    assert all("RSVP" not in a.params for a in vevent["ATTENDEE"])


def test_uninvite_cancel_lists_the_removed_person_and_no_status():
    step = _lifecycle()[3]
    vevent = _vevent(step.build())

    # RFC 5546 §3.2.5: STATUS:CANCELLED would cancel the interview for everyone.
    assert "STATUS" not in vevent
    assert _emails(vevent) == [WANG.email]
    assert vevent.walk("VALARM") == []


def test_lines_end_in_crlf_and_fold_without_splitting_characters():
    long_text = "请准备一个你主导过的机器学习系统，说明数据、模型、上线与监控。" * 12
    event = _event(description=long_text, summary="项目经验面试" * 8)

    ics = build_invite(event, "REQUEST", datetime(2026, 3, 20, tzinfo=UTC))

    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    lines = ics.split(b"\r\n")[:-1]
    assert any(line.startswith(b" ") for line in lines)  # it did fold
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # a fold never cuts a multi-byte character in half
    assert str(_vevent(ics)["DESCRIPTION"]) == long_text


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"start_at": datetime(2026, 3, 27, 9, 0)}, "timezone-aware"),
        ({"end_at": datetime(2026, 3, 27, 9, 0, tzinfo=UTC)}, "after start_at"),
        ({"sequence": -1}, "SEQUENCE"),
        ({"status": "MAYBE"}, "status"),
        ({"uid": ""}, "UID"),
    ],
)
def test_event_refuses_impossible_values(changes, message):
    with pytest.raises(ValueError, match=message):
        _event(**changes)


def test_attendee_refuses_unknown_role():
    with pytest.raises(ValueError, match="role"):
        Attendee("a@example.com", "A", "BOSS")


STAMP_AT = datetime(2026, 3, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    "event, method, dtstamp_at, kwargs, message",
    [
        (_event(), "PUBLISH", STAMP_AT, {}, "method"),
        (_event(), "REQUEST", datetime(2026, 3, 20), {}, "timezone-aware"),
        (_event(), "REQUEST", STAMP_AT, {"is_uninvite": True}, "CANCEL"),
        (_event(status=STATUS_CANCELLED), "REQUEST", STAMP_AT, {}, "CANCEL"),
        (_event(attendees=()), "REQUEST", STAMP_AT, {}, "ATTENDEE"),
    ],
)
def test_build_invite_refuses_inconsistent_requests(event, method, dtstamp_at, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_invite(event, method, dtstamp_at, **kwargs)


# -- Radicale: a CalDAV server accepts every REQUEST -----------------------------------------


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    with RadicaleServer(tmp_path_factory.mktemp("radicale")) as server:
        yield server


def test_each_request_stores_into_caldav_and_reads_back(radicale):
    requests = [step for step in _lifecycle() if step.method == "REQUEST"]
    with caldav.DAVClient(url=radicale.url, username="zhang.wei", password="unused") as client:
        calendar = client.principal().make_calendar(name="面试")
        for step in requests:
            ics = step.build()
            # RFC 4791 §4.1: a stored calendar object carries no METHOD.
            assert ics.count(b"\r\nMETHOD:REQUEST\r\n") == 1
            stored = ics.replace(b"METHOD:REQUEST\r\n", b"")
            # increase_seqno=False: store the object verbatim, SEQUENCE is ours to set.
            calendar.add_event(stored.decode("utf-8"), increase_seqno=False)

            [resource] = calendar.get_events()
            read_back = _vevent(resource.data.encode("utf-8"))
            assert str(read_back["UID"]) == UID
            assert int(read_back["SEQUENCE"]) == step.event.sequence
            assert read_back["DTSTART"].dt == step.event.start_at
            assert read_back["DTEND"].dt == step.event.end_at
            assert sorted(_emails(read_back)) == sorted(a.email for a in step.event.attendees)
            assert str(read_back["DESCRIPTION"]) == DESCRIPTION


# -- feeds and downloads ---------------------------------------------------------------------


def _two_events() -> list[InviteEvent]:
    first = _event(attendees=())
    second = _event(
        uid="interview-43@hire.example",
        sequence=4,
        start_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
        end_at=datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
        status=STATUS_CANCELLED,
        attendees=(),
    )
    return [first, second]


def test_feed_is_a_named_refreshing_calendar_without_method_or_people():
    events = _two_events()
    ics = build_feed(events, "张伟的面试", datetime(2026, 3, 25, 6, 0, tzinfo=UTC))
    calendar = Calendar.from_ical(ics)

    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "张伟的面试"
    assert str(calendar["NAME"]) == "张伟的面试"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in ics
    assert b"ORGANIZER" not in ics and b"ATTENDEE" not in ics
    vevents = calendar.walk("VEVENT")
    assert [str(v["UID"]) for v in vevents] == [e.uid for e in events]
    assert [v["DTSTART"].dt for v in vevents] == [e.start_at for e in events]
    assert [str(v["STATUS"]) for v in vevents] == ["CONFIRMED", "CANCELLED"]
    assert [str(v["TRANSP"]) for v in vevents] == ["OPAQUE", "TRANSPARENT"]
    assert b"\r\nDTSTART:20260330T080000Z\r\n" in ics

    parsed = vobject.readOne(ics.decode("utf-8"))
    assert [v.dtstart.value for v in parsed.vevent_list] == [e.start_at for e in events]


def test_feed_refresh_interval_is_configurable():
    ics = build_feed(
        _two_events(),
        "feed",
        datetime(2026, 3, 25, tzinfo=UTC),
        refresh_interval=timedelta(minutes=15),
    )
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in ics
    assert b"X-PUBLISHED-TTL:PT15M\r\n" in ics


@pytest.mark.parametrize(
    "zone, local_starts",
    [
        # The two interviews sit either side of the March change in each zone.
        ("Europe/London", [b"20260327T090000", b"20260330T090000"]),
        ("America/Los_Angeles", [b"20260327T020000", b"20260330T010000"]),
        ("Asia/Shanghai", [b"20260327T170000", b"20260330T160000"]),
    ],
)
def test_download_in_a_zone_carries_its_vtimezone_and_keeps_the_instants(zone, local_starts):
    events = _two_events()
    ics = build_download(events, datetime(2026, 3, 25, tzinfo=UTC), zone=zone, name="面试")
    calendar = Calendar.from_ical(ics)

    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [tz.tz_name for tz in calendar.timezones] == [zone]
    for local_start in local_starts:
        assert b"DTSTART;TZID=" + zone.encode() + b":" + local_start + b"\r\n" in ics
    assert [v["DTSTART"].dt for v in calendar.walk("VEVENT")] == [e.start_at for e in events]
    assert [v["DTEND"].dt for v in calendar.walk("VEVENT")] == [e.end_at for e in events]

    # vobject reads the times through the file's own VTIMEZONE, not through zoneinfo.
    parsed = vobject.readOne(ics.decode("utf-8"))
    assert [v.dtstart.value for v in parsed.vevent_list] == [e.start_at for e in events]
    assert [v.dtend.value for v in parsed.vevent_list] == [e.end_at for e in events]


def test_download_without_zone_is_utc_and_has_no_vtimezone():
    events = _two_events()
    ics = build_download(events, datetime(2026, 3, 25, tzinfo=UTC))

    assert b"VTIMEZONE" not in ics
    assert b"\r\nDTSTART:20260327T090000Z\r\n" in ics
    assert b"X-WR-CALNAME" not in ics


# -- "add to calendar" links -----------------------------------------------------------------


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, strict_parsing=True).items()}


LINK_EVENT = _event(
    summary="System design + coding 系统设计",
    description="Room 3, 北京 & online\nBring a laptop",
    location="北京市朝阳区 1号楼 3层",
)


def test_google_calendar_link_carries_the_event():
    url = google_calendar_url(LINK_EVENT)
    parts = urlsplit(url)
    query = _query(url)

    assert (parts.scheme, parts.netloc, parts.path) == (
        "https", "calendar.google.com", "/calendar/render"
    )
    assert query == {
        "action": "TEMPLATE",
        "text": "System design + coding 系统设计",
        "dates": "20260327T090000Z/20260327T100000Z",
        "details": "Room 3, 北京 & online\nBring a laptop",
        "location": "北京市朝阳区 1号楼 3层",
    }
    assert "+" not in parts.query  # spaces are %20, a literal "+" is %2B


@pytest.mark.parametrize(
    "is_office365, host", [(False, "outlook.live.com"), (True, "outlook.office.com")]
)
def test_outlook_link_carries_the_event(is_office365, host):
    url = outlook_calendar_url(LINK_EVENT, is_office365=is_office365)
    parts = urlsplit(url)
    query = _query(url)

    assert parts.netloc == host
    assert parts.path == "/calendar/0/deeplink/compose"
    assert query == {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": "System design + coding 系统设计",
        "startdt": "2026-03-27T09:00:00Z",
        "enddt": "2026-03-27T10:00:00Z",
        "body": "Room 3, 北京 & online\nBring a laptop",
        "location": "北京市朝阳区 1号楼 3层",
    }
    assert "+" not in parts.query
