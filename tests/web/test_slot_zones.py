"""Times in several zones on the coordinator's booking pages (issue 16, item 3): the slot list,
the confirm page, reschedule and swap read each time side by side in the zone chosen, the
coordinator's own and the candidate's (one line when two of them are the same zone), the header
names those zones, and each panel member's local time is shown in their own zone beside their
name, with the humane flags beside whom they concern, in both languages; the JSON carries each
member's zone and local start.

The world: a coordinator in Shanghai, a candidate in New York, a senior interviewer in London
who works 09:00–17:30 and has added extra hours until 20:00 on one day, and two San Francisco
interviewers. On that day an interview at 18:00 London time (late for the Londoner) is 13:00 or
14:00 in New York and 01:00 or 02:00 the next day in Shanghai. Every expected string is computed
from the instant with tests/web/helpers.py, whatever NOW is (DST weeks included).
"""
from __future__ import annotations

import html as htmllib
import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import get_timezone_name

from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models import User
from scheduler.services.booking import book_interview
from scheduler.services.consents import GivenConsent
from tests import factories as f
from tests.clock import NOW, at_local, local_today
from tests.web.helpers import en_day_time, en_zone, sign_in, zh_day_time

PASSWORD = "correct horse battery staple"
LONDON, NEW_YORK, SHANGHAI, SAN_FRANCISCO = (
    "Europe/London", "America/New_York", "Asia/Shanghai", "America/Los_Angeles")


def _extra_hours_day() -> date:
    """The first weekday at least two days away that London and San Francisco both work."""
    london, california = WorkdayCalendar("GB-ENG"), WorkdayCalendar("US-CA")
    day = local_today(LONDON) + timedelta(days=2)
    while not (day.weekday() < 5 and london.is_workday(day) and california.is_workday(day)):
        day += timedelta(days=1)
    return day


DAY = _extra_hours_day()
SIX_PM_LONDON = at_local(DAY, "18:00", LONDON)
END = SIX_PM_LONDON + timedelta(hours=1)


@pytest.fixture
def world(db):
    london = f.make_office(code="LON", name_en="London", name_zh="伦敦", zone=LONDON,
                           calendar_key="GB-ENG")
    california = f.make_office(code="SFO", name_en="San Francisco", name_zh="旧金山",
                               zone=SAN_FRANCISCO, calendar_key="US-CA")
    oliver = f.make_interviewer(
        office=london, windows=((0, 5), time(9), time(17, 30)),
        user=f.make_user(name="Oliver Smith", email="oliver@example.com"),
        qualifications={"system_design": "senior"})
    f.make_availability_override(oliver, DAY, start_local=time(17, 30), end_local=time(20),
                                 is_available=True, note="extra hours")
    west = [f.make_interviewer(office=california, windows=((0, 5), time(9), time(17)),
                               user=f.make_user(name=name, email=f"{name.split()[0]}@example.com"),
                               qualifications={"system_design": "qualified"})
            for name in ("Sam Rivera", "Sofia Garcia")]
    requisition = f.make_requisition(stages=[dict(
        kind="system_design", panel_size=2, is_senior_seat_required=True, min_notice_minutes=0,
        horizon_days=(DAY - local_today()).days + 7)])
    application = f.make_application(requisition=requisition, candidate=f.make_candidate(
        name="Nora Candidate", zone=NEW_YORK))
    for language in ("en", "zh"):
        f.make_user(email=f"co.{language}@example.com", roles=("coordinator",),
                    password=PASSWORD, language=language, zone=SHANGHAI)
    db.session.commit()
    return oliver, west, application


def _coordinator(app, language: str):
    client = app.test_client()
    assert sign_in(client, f"co.{language}@example.com", PASSWORD).status_code == 302
    return client


def _clock(start, end, zone: str) -> str:
    tz = ZoneInfo(zone)
    return f"{start.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}"


def zh_zone(instant, zone: str) -> str:
    """How Chinese pages label *zone* at *instant*: "北京时间 Asia/Shanghai", "英国夏令时间 …"."""
    name = ("北京时间" if zone == SHANGHAI
            else get_timezone_name(instant.astimezone(ZoneInfo(zone)), locale="zh"))
    return f"{name} {zone}"


def en_day(instant, zone: str) -> str:
    """The day label of English pages, "Thu 3 Dec" (en_day_time without year and time)."""
    weekday, day, month, _rest = en_day_time(instant, zone).split(" ", 3)
    return f"{weekday} {day} {month}"


def zh_day(instant, zone: str) -> str:
    """The day label of Chinese pages, "12月3日 周四"."""
    text = zh_day_time(instant, zone)
    return f"{text.split('年', 1)[1].split(' ')[0]} {text.split(' ')[1]}"


def en_range(start, end, zone: str) -> str:
    """A range as English pages write it: "Wed 2 Dec 2026, 13:00–14:00 (America/New_York, …)"."""
    last = end.astimezone(ZoneInfo(zone))
    return f"{en_day_time(start, zone)}–{last:%H:%M} ({en_zone(start, zone)})"


def zh_range(start, end, zone: str) -> str:
    """A range as Chinese pages write it: "2026年12月2日 周三 13:00–14:00 (… America/New_York)"."""
    last = end.astimezone(ZoneInfo(zone))
    return f"{zh_day_time(start, zone)}–{last:%H:%M} ({zh_zone(start, zone)})"


WORDS = {
    "en": dict(zone=en_zone, day=en_day, range=en_range, oliver="Oliver Smith (London)",
               sam="Sam Rivera (San Francisco)", late="Late for Oliver Smith",
               yours="Your time", candidate="Candidate&#39;s time",
               both="Your time and the candidate&#39;s",
               note="Times are shown in {zones}. Each interviewer&#39;s time is beside their "
                    "name, in their own zone.", sep=", ",
               own="{zone} (yours)", theirs="{zone} (the candidate&#39;s)",
               own_and_theirs="{zone} (yours and the candidate&#39;s)"),
    "zh": dict(zone=zh_zone, day=zh_day, range=zh_range, oliver="Oliver Smith（伦敦）",
               sam="Sam Rivera（旧金山）", late="对 Oliver Smith 来说偏晚",
               yours="你的时间", candidate="候选人当地时间", both="你和候选人的时间",
               note="时间均以 {zones} 显示；每位面试官的时间按其本人所在时区显示在姓名旁。",
               sep="、", own="{zone}（你的时区）", theirs="{zone}（候选人的时区）",
               own_and_theirs="{zone}（你和候选人的时区）"),
}


def _member(words, who: str, zone: str, flag: str = "") -> str:
    """A panel member's line as the pages write it."""
    line = (f'<span class="who">{who}</span> <span class="local">'
            f'{_clock(SIX_PM_LONDON, END, zone)} <span class="quiet">'
            f'{words["zone"](SIX_PM_LONDON, zone)}</span></span>')
    return line + (f' <span class="badge flag">{flag}</span>' if flag else "")


def _row(html: str, start) -> str:
    """Return the slot list's row whose "Choose" link starts at *start*."""
    stamp = start.strftime("%Y-%m-%dT%H:%MZ")
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if f"start={stamp}" in row]
    assert len(rows) == 1, f"no row for {stamp}"
    return rows[0]


def _page(client, application, zone: str):
    return client.get(f"/coordinator/applications/{application.id}", query_string={
        "zone": zone, "day": SIX_PM_LONDON.astimezone(ZoneInfo(zone)).date().isoformat()}).text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_in_the_candidates_zone_the_list_keeps_the_coordinators_and_each_members_time(
        app, world, language):
    _oliver, _west, application = world
    words = WORDS[language]
    html = _page(_coordinator(app, language), application, NEW_YORK)
    row = _row(html, SIX_PM_LONDON)
    # The candidate's time first (the zone chosen), then the coordinator's own, with its date
    # (it is already the next day in Shanghai).
    assert (f'<td data-label="{words["candidate"]}"><div><strong>'
            f'{_clock(SIX_PM_LONDON, END, NEW_YORK)}</strong><br><span class="quiet">'
            f'{words["zone"](SIX_PM_LONDON, NEW_YORK)}</span></div></td>') in row
    assert (f'<td data-label="{words["yours"]}"><div>{_clock(SIX_PM_LONDON, END, SHANGHAI)} · '
            f'{words["day"](SIX_PM_LONDON, SHANGHAI)}<br><span class="quiet">'
            f'{words["zone"](SIX_PM_LONDON, SHANGHAI)}</span></div></td>') in row
    # Each panel member in their own zone: the Londoner at 18:00 with "late" beside him.
    assert _member(words, words["oliver"], LONDON, words["late"]) in row
    assert re.search(r">\s*18:00–19:00 <span", row)
    west = _member(words, words["sam"], SAN_FRANCISCO)
    sofia = west.replace(words["sam"], words["sam"].replace("Sam Rivera", "Sofia Garcia"))
    assert west in row or sofia in row
    # The table's headings and the header say whose zones these are.
    assert (f'<th scope="col">{words["candidate"]}</th><th scope="col">{words["yours"]}</th>'
            in html)
    zones = words["sep"].join([words["theirs"].format(zone=words["zone"](NOW, NEW_YORK)),
                               words["own"].format(zone=words["zone"](NOW, SHANGHAI))])
    assert f'<p class="zone-note">{words["note"].format(zones=zones)}</p>' in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_confirm_page_shows_two_zones_as_two_lines_and_the_panel_in_theirs(
        app, world, language):
    oliver, _west, application = world
    words = WORDS[language]
    client = _coordinator(app, language)
    row = _row(_page(client, application, NEW_YORK), SIX_PM_LONDON)
    pick = htmllib.unescape(re.search(r'href="(/coordinator/applications/\d+/book\?[^"]+)"',
                                      row).group(1))
    html = client.get(pick).text
    assert (f'<div><dt>{words["candidate"]}</dt><dd><strong>'
            f'{words["range"](SIX_PM_LONDON, END, NEW_YORK)}</strong></dd></div>') in html
    assert (f'<div><dt>{words["yours"]}</dt><dd>'
            f'{words["range"](SIX_PM_LONDON, END, SHANGHAI)}</dd></div>') in html
    assert _member(words, words["oliver"], LONDON, words["late"]) in html
    # Each seat's choices say the person's local time, zone and flags too.
    assert (f'<option value="{oliver.id}" selected>{words["oliver"]} · '
            f'{_clock(SIX_PM_LONDON, END, LONDON)} ({words["zone"](SIX_PM_LONDON, LONDON)}) · '
            f'{words["late"]}</option>') in html
    zones = words["sep"].join([words["theirs"].format(zone=words["zone"](NOW, NEW_YORK)),
                               words["own"].format(zone=words["zone"](NOW, SHANGHAI))])
    assert f'<p class="zone-note">{words["note"].format(zones=zones)}</p>' in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_one_line_when_the_coordinator_and_the_candidate_share_a_zone(app, db, world, language):
    _oliver, _west, application = world
    coordinator = db.session.scalar(sa.select(User).where(
        User.email == f"co.{language}@example.com"))
    coordinator.zone = NEW_YORK  # the candidate's zone
    db.session.commit()
    words = WORDS[language]
    client = _coordinator(app, language)
    html = _page(client, application, NEW_YORK)
    row = _row(html, SIX_PM_LONDON)
    assert row.count("<td data-label=") == 3  # one time, the panel, "Choose"
    assert f'<td data-label="{words["both"]}"><div><strong>' in row
    assert f'<th scope="col">{words["yours"]}</th>' not in html
    zones = words["own_and_theirs"].format(zone=words["zone"](NOW, NEW_YORK))
    assert f'<p class="zone-note">{words["note"].format(zones=zones)}</p>' in html
    pick = htmllib.unescape(re.search(r'href="(/coordinator/applications/\d+/book\?[^"]+)"',
                                      row).group(1))
    confirm = client.get(pick).text
    assert re.findall(r"<div><dt>([^<]*)</dt><dd>(?:<strong>)?[^<]*\d\d:\d\d \(", confirm) == [
        words["both"]]
    assert (f'<div><dt>{words["both"]}</dt><dd><strong>'
            f'{words["range"](SIX_PM_LONDON, END, NEW_YORK)}</strong></dd></div>') in confirm
    # Viewed in London instead: London's time, then the one line for both of them.
    confirm = client.get(pick.replace(f"zone={NEW_YORK}", f"zone={LONDON}")).text
    assert len(re.findall(r"<div><dt>[^<]*</dt><dd>(?:<strong>)?[^<]*\d\d:\d\d \(", confirm)) == 2
    assert f'<dt>{words["both"]}</dt>' in confirm


@pytest.mark.parametrize("language", ["en", "zh"])
def test_reschedule_and_swap_show_both_zones_and_each_members_time(app, db, world, language):
    oliver, (sam, sofia), application = world
    # A London and a San Francisco interviewer: the candidate's consent came by email.
    interview = book_interview("test", application, application.current_stage, SIX_PM_LONDON,
                               [oliver.id, sam.id], NOW,
                               consent=GivenConsent(email_received_on=NOW.date()))
    db.session.commit()
    words = WORDS[language]
    client = _coordinator(app, language)
    # The application's interview card: the coordinator's time on top, the candidate's below,
    # each interviewer in their own zone.
    html = client.get(f"/coordinator/applications/{application.id}").text
    assert f'<p class="when">{words["range"](SIX_PM_LONDON, END, SHANGHAI)}</p>' in html
    assert (f'<div><dt>{words["candidate"]}</dt><dd>{words["range"](SIX_PM_LONDON, END, NEW_YORK)}'
            f'</dd></div>') in html
    assert (f'<span class="local">{_clock(SIX_PM_LONDON, END, LONDON)} · '
            f'{words["day"](SIX_PM_LONDON, LONDON)} <span class="quiet">'
            f'{words["zone"](SIX_PM_LONDON, LONDON)}</span></span>') in html
    # Reschedule, read in the candidate's zone: now, in both zones, and the header says so.
    html = client.get(f"/coordinator/interviews/{interview.id}/reschedule",
                      query_string={"zone": NEW_YORK}).text
    assert words["range"](SIX_PM_LONDON, END, NEW_YORK) in html
    assert (f'<div><dt>{words["yours"]}</dt><dd>{words["range"](SIX_PM_LONDON, END, SHANGHAI)}'
            f'</dd></div>') in html
    zones = words["sep"].join([words["theirs"].format(zone=words["zone"](NOW, NEW_YORK)),
                               words["own"].format(zone=words["zone"](NOW, SHANGHAI))])
    assert f'<p class="zone-note">{words["note"].format(zones=zones)}</p>' in html
    # Swap Sam: the time in both zones, Sam and his replacement each in their own zone.
    html = client.get(f"/coordinator/interviews/{interview.id}/swap",
                      query_string={"interviewer": sam.id}).text
    assert (f'<div><dt>{words["yours"]}</dt><dd>{words["range"](SIX_PM_LONDON, END, SHANGHAI)}'
            f'</dd></div>') in html
    assert (f'<div><dt>{words["candidate"]}</dt><dd>'
            f'{words["range"](SIX_PM_LONDON, END, NEW_YORK)}</dd></div>') in html
    assert _member(words, words["sam"], SAN_FRANCISCO) in html
    sofia_label = words["sam"].replace("Sam Rivera", "Sofia Garcia")
    assert (f'<label for="new-{sofia.id}">{sofia_label}</label>\n        <span class="local">'
            f'{_clock(SIX_PM_LONDON, END, SAN_FRANCISCO)} <span class="quiet">'
            f'{words["zone"](SIX_PM_LONDON, SAN_FRANCISCO)}</span></span>') in html


def test_the_json_carries_each_members_zone_and_local_start(app, world):
    oliver, _west, application = world
    client = _coordinator(app, "en")
    body = client.get(f"/coordinator/applications/{application.id}/slots.json").get_json()
    stamp = SIX_PM_LONDON.strftime("%Y-%m-%dT%H:%M:%SZ")
    [slot] = [s for s in body["slots"] if s["start_at"] == stamp]
    [part] = slot["stages"]
    by_id = {member["id"]: member for member in part["panel"]}
    assert by_id[oliver.id]["zone"] == LONDON
    assert by_id[oliver.id]["start_local"] == SIX_PM_LONDON.astimezone(
        ZoneInfo(LONDON)).isoformat()
    assert by_id[oliver.id]["start_local"][11:16] == "18:00"
    [west] = [m for i, m in by_id.items() if i != oliver.id]
    assert west["zone"] == SAN_FRANCISCO and west["start_local"] == SIX_PM_LONDON.astimezone(
        ZoneInfo(SAN_FRANCISCO)).isoformat()
    assert {"kind": "late", "who": "interviewer", "interviewer_id": oliver.id,
            "name": "Oliver Smith", "message": "Late for Oliver Smith"} in slot["flags"]
