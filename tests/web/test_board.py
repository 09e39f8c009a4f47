"""The calendar board at fixed instants: each office's ruler reads its own local time, holidays and
make-up working days are marked for their own offices only, conflicts and cap overruns are said in
words, busy time never shows a title; filters, navigation, the zone picker and the details of an
interview with its reschedule, swap and cancel coming back to the board; who may see it.

The weeks are fixed dates (past or future of NOW, the board shows either): Wednesday 9 December
2026, when London is on GMT and San Francisco on PST; the week of Saturday 10 October 2026, worked
in mainland China in exchange for National Day; Monday 28 December 2026, Boxing Day's bank holiday
in England.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import re

import pytest
from lxml import html as lxml_html

from scheduler.models import Interview
from tests import factories as f
from tests.clock import NOW, local_today
from tests.web.helpers import post_form, sign_in

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en"}
DECEMBER_9_AT_2 = datetime(2026, 12, 9, 2, tzinfo=timezone.utc)
NINE_THIRTY_TO_SIX_THIRTY = ((0, 5), time(9, 30), time(18, 30))


@pytest.fixture
def world(db):
    """Four offices in three zones, an interviewer in each, a coordinator in Shanghai time, and an
    interview at 02:00 UTC on 9 December 2026 with a Beijing, a London and a San Francisco seat."""
    offices = {
        "BJ": f.make_office(code="BJ", name_en="Beijing", name_zh="北京"),
        "SH": f.make_office(code="SH", name_en="Shanghai", name_zh="上海"),
        "LON": f.make_office(code="LON", name_en="London", name_zh="伦敦", zone="Europe/London",
                             calendar_key="GB-ENG"),
        "SFO": f.make_office(code="SFO", name_en="San Francisco", name_zh="旧金山",
                             zone="America/Los_Angeles", calendar_key="US-CA"),
    }
    people = {
        "BJ": f.make_interviewer(office=offices["BJ"], daily_cap=1,
                                 windows=NINE_THIRTY_TO_SIX_THIRTY,
                                 user=f.make_user(name="Li Wei", email="li.wei@example.com"),
                                 qualifications={"system_design": "senior"}),
        "SH": f.make_interviewer(office=offices["SH"], windows=NINE_THIRTY_TO_SIX_THIRTY,
                                 user=f.make_user(name="Sun Li", email="sun.li@example.com"),
                                 qualifications={"project_deep_dive": "qualified"}),
        "LON": f.make_interviewer(office=offices["LON"], windows=NINE_THIRTY_TO_SIX_THIRTY,
                                  user=f.make_user(name="Oliver Smith",
                                                   email="oliver.smith@example.com"),
                                  qualifications={"system_design": "shadow"}),
        "SFO": f.make_interviewer(office=offices["SFO"], windows=NINE_THIRTY_TO_SIX_THIRTY,
                                  user=f.make_user(name="James Miller",
                                                   email="james.miller@example.com"),
                                  qualifications={"project_deep_dive": "qualified"}),
    }
    requisition = f.make_requisition(stages=[{}, {"kind": "project_deep_dive",
                                                  "name_en": "Project deep dive",
                                                  "name_zh": "项目经验"}])
    application = f.make_application(requisition=requisition,
                                     candidate=f.make_candidate(name="Hannah Wright"))
    interview = f.make_interview(application=application, start_at=DECEMBER_9_AT_2,
                                 panel=[people["BJ"], people["LON"], people["SFO"]])
    f.make_user(roles=("coordinator",), email="co@example.com", language="en",
                zone="Asia/Shanghai")
    db.session.commit()
    return {"offices": offices, "people": people, "interview": interview,
            "application": application, "requisition": requisition}


def _signed_in(client, email="co@example.com"):
    sign_in(client, email, PASSWORD)
    return client


def board_page(client, query: str = "", headers=EN):
    response = client.get(f"/coordinator/board{query}", headers=headers)
    assert response.status_code == 200, response.text
    return lxml_html.fromstring(response.text), response.text


def ruler_of(page, office_code: str):
    return page.xpath(f'//section[@data-office="{office_code}"]//svg[contains(@class, "ruler")]')[0]


def tick_at(ruler, x: str) -> str:
    """Return the label of the ruler's tick at *x* (a percentage as the page writes it)."""
    return ruler.xpath(f'.//text[@class="tick-label"][@x="{x}"]')[0].text


def band(ruler, day: str):
    return ruler.xpath(f'.//g[@data-day="{day}"]')[0]


def band_holding(ruler, x: str):
    """Return the ruler's day band that holds position *x*."""
    at = float(x.rstrip("%"))
    for g in ruler.xpath('.//g[contains(@class, "band")]'):
        rect = g.xpath("./rect")[0]
        start = float(rect.get("x").rstrip("%"))
        if start <= at < start + float(rect.get("width").rstrip("%")):
            return g
    raise AssertionError(f"no day band holds {x}")


def interview_x(page, profile, interview) -> str:
    row = page.xpath(f'//div[@data-profile="{profile.id}"]')[0]
    block = row.xpath(f'.//a[@data-interview="{interview.id}"]/rect[contains(@class, "block")]')
    return block[0].get("x")


def row_of(page, profile):
    return page.xpath(f'//div[@data-profile="{profile.id}"]')[0]


def stretches(row, kind: str) -> list[tuple[float, float]]:
    """Return a row's working or busy stretches as (start, width) percentages of the track."""
    paths = row.xpath(f'.//path[@class="{kind}"]')
    if not paths:
        return []
    return [(float(start) / 100, float(width) / 100) for start, width in
            re.findall(r"M([\d.]+) 0h([\d.]+)v1h-[\d.]+z", paths[0].get("d"))]


def test_an_interview_at_2_utc_reads_10_in_beijing_2_in_london_and_18_the_day_before_in_sf(
        client, world):
    _signed_in(client)
    page, _html = board_page(client, "?view=day&day=2026-12-09&zone=Asia/Shanghai")
    interview, people = world["interview"], world["people"]
    x = interview_x(page, people["BJ"], interview)
    # The same instant on every row that sits on it.
    assert interview_x(page, people["LON"], interview) == interview_x(
        page, people["SFO"], interview) == x
    assert row_of(page, people["SFO"]).xpath('.//a[@class="row-name"]')[0].get("href") == (
        f"/availability/{people['SFO'].id}")
    assert tick_at(ruler_of(page, "BJ"), x) == "10:00"
    assert tick_at(ruler_of(page, "LON"), x) == "02:00"
    assert tick_at(ruler_of(page, "SFO"), x) == "18:00"
    assert band_holding(ruler_of(page, "SFO"), x).get("data-day") == "2026-12-08"
    assert band_holding(ruler_of(page, "LON"), x).get("data-day") == "2026-12-09"
    # The coordinator's own axis is Shanghai time, and says so.
    axis = page.xpath('//div[contains(@class, "board-axis")]')[0]
    assert tick_at(axis.xpath(".//svg")[0], x) == "10:00"
    assert "Asia/Shanghai" in axis.text_content()

    # Opened, the interview says its time on every office's clock, in words.
    page, _html = board_page(client, f"?view=day&day=2026-12-09&open={interview.id}")
    clocks = [li.text_content() for li in page.xpath('//ul[@class="clocks"]/li')]
    assert clocks == ["Beijing, Shanghai: Wed 9 Dec 10:00 (Asia/Shanghai)",
                      "London: Wed 9 Dec 02:00 (Europe/London)",
                      "San Francisco: Tue 8 Dec 18:00 (America/Los_Angeles)"]
    # On a board of London alone, the panel's other offices still tell their time.
    page, _html = board_page(client, f"?view=day&day=2026-12-09&open={interview.id}"
                                     f"&office={world['offices']['LON'].id}")
    clocks = [li.text_content() for li in page.xpath('//ul[@class="clocks"]/li')]
    assert clocks == ["London: Wed 9 Dec 02:00 (Europe/London)",
                      "Beijing: Wed 9 Dec 10:00 (Asia/Shanghai)",
                      "San Francisco: Tue 8 Dec 18:00 (America/Los_Angeles)"]


def test_the_zone_picker_puts_the_axis_in_london_time(client, world):
    _signed_in(client)
    page, _html = board_page(client, "?view=day&day=2026-12-09&zone=Europe/London")
    x = interview_x(page, world["people"]["BJ"], world["interview"])
    axis = page.xpath('//div[contains(@class, "board-axis")]//svg')[0]
    assert tick_at(axis, x) == "02:00"
    assert page.xpath('//input[@name="zone"]')[0].get("value") == "Europe/London"
    # An unknown zone is said beside the field; the board stays in the coordinator's own.
    page, html = board_page(client, "?view=day&day=2026-12-09&zone=Mars/Olympus")
    assert "Unknown time zone" in html
    x = interview_x(page, world["people"]["BJ"], world["interview"])
    assert tick_at(page.xpath('//div[contains(@class, "board-axis")]//svg')[0], x) == "10:00"


@pytest.mark.parametrize("language, makeup, weekend, holiday, national_day", [
    ("en", "Make-up working day", "Weekend", "Public holiday", "National Day"),
    ("zh", "调休上班", "周末", "法定节假日", "国庆节"),
])
def test_the_makeup_saturday_is_a_working_day_for_mainland_offices_only(
        client, world, language, makeup, weekend, holiday, national_day):
    _signed_in(client)
    client.post("/language", data={"csrf_token": _token(client), "language": language,
                                   "next": "/"})
    page, _html = board_page(client, "?day=2026-10-10", headers={})
    for code in ("BJ", "SH"):
        saturday = band(ruler_of(page, code), "2026-10-10")
        assert "day-makeup_workday" in saturday.get("class")
        assert makeup in saturday.text_content() and national_day in saturday.text_content()
        monday = band(ruler_of(page, code), "2026-10-05")
        assert "day-holiday" in monday.get("class") and holiday in monday.text_content()
        notes = page.xpath(f'//section[@data-office="{code}"]//ul[@class="office-notes"]')[0]
        assert makeup in notes.text_content()
    for code in ("LON", "SFO"):
        saturday = band(ruler_of(page, code), "2026-10-10")
        assert "day-weekend" in saturday.get("class") and weekend in saturday.text_content()
        assert makeup not in ruler_of(page, code).xpath("string()")
        assert "day-workday" in band(ruler_of(page, code), "2026-10-05").get("class")
    # Working hours follow: the Beijing interviewer works Saturday 09:30–18:30 Beijing time
    # (5 days and 9.5 hours into the Shanghai week), the London one does not.
    saturday_at = round((5 * 24 + 9.5) / 168 * 100, 3)
    assert saturday_at in {round(start, 3) for start, _width in stretches(
        row_of(page, world["people"]["BJ"]), "working")}
    london_working = [start for start, _width in stretches(row_of(page, world["people"]["LON"]),
                                                           "working")]
    assert london_working and max(london_working) < (5 * 24) / 168 * 100


def _token(client) -> str:
    from tests.web.helpers import csrf_token

    return csrf_token(client.get("/coordinator/board", headers=EN).text)


def test_an_england_bank_holiday_shows_for_london_only(client, world):
    _signed_in(client)
    page, _html = board_page(client, "?day=2026-12-28")
    monday = band(ruler_of(page, "LON"), "2026-12-28")
    assert "day-holiday" in monday.get("class")
    assert "Boxing Day" in monday.text_content()
    for code in ("BJ", "SH", "SFO"):
        other = band(ruler_of(page, code), "2026-12-28")
        assert "day-workday" in other.get("class") and "Boxing" not in other.text_content()


def test_a_conflict_and_a_cap_overrun_are_flagged_in_words_and_busy_time_has_no_title(
        client, db, world):
    people, interview = world["people"], world["interview"]
    # Li Wei (daily limit 1) gets a second interview that day and a meeting over the first.
    f.make_interview(application=world["application"], stage=world["requisition"].stages[1],
                     panel=[people["BJ"]], start_at=DECEMBER_9_AT_2 + timedelta(hours=3))
    f.make_busy_block(f.make_calendar_source(people["BJ"], kind="file", name="Acme calendar"),
                      DECEMBER_9_AT_2 - timedelta(minutes=30),
                      DECEMBER_9_AT_2 + timedelta(minutes=30), summary="Secret merger talks")
    f.make_busy_block(f.make_calendar_source(people["BJ"]), DECEMBER_9_AT_2 + timedelta(hours=5),
                      DECEMBER_9_AT_2 + timedelta(hours=6), summary="Dentist")
    db.session.commit()
    _signed_in(client)
    for query in ("?day=2026-12-09", "?view=day&day=2026-12-09",
                  f"?day=2026-12-09&open={interview.id}"):
        page, html = board_page(client, query)
        assert "Secret merger talks" not in html and "Dentist" not in html and "Acme" not in html
        row = row_of(page, people["BJ"])
        assert len(stretches(row, "busy")) == 2
        assert row.xpath('.//g[@class="busy-time"]/title')[0].text == "Busy"
        block = row.xpath(f'.//a[@data-interview="{interview.id}"]')[0]
        assert "is-conflict" in block.get("class")
        assert block.xpath(".//text")[0].text.startswith("⚠ System design · Hannah Wright")
        assert "Overlaps busy time" in block.get("aria-label")
        flags = page.xpath('//details[contains(@class, "board-flags")]')[0].text_content()
        assert "Overlaps busy time" in flags and "Li Wei (Beijing)" in flags
        assert "Over the daily limit on Wed 9 Dec: 2 interviews, limit 1" in flags
        assert "Over the daily limit on Wed 9 Dec" in row.text_content()
        # 18:00–19:00 in San Francisco runs past James Miller's 18:30.
        assert "Outside working hours" in row_of(page, people["SFO"]).xpath(
            f'.//a[@data-interview="{interview.id}"]')[0].get("aria-label")
    assert "⚠ Li Wei: Overlaps busy time" in page.xpath('//aside[@id="details"]')[0].text_content()
    # Three hours apart in a week: the second label goes on a line of its own, the row grows.
    page, _html = board_page(client, "?day=2026-12-09")
    row = row_of(page, people["BJ"])
    assert [svg.get("y") for svg in row.xpath('.//a[@data-interview]/svg')] == ["27", "43"]
    assert row.xpath('./svg[@class="track"]')[0].get("height") == "62"
    assert row_of(page, people["SH"]).xpath('./svg[@class="track"]')[0].get("height") == "46"
    # The day view writes "Busy" in the busy stretches themselves.
    page, _html = board_page(client, "?view=day&day=2026-12-09")
    assert [t.text for t in row_of(page, people["BJ"]).xpath('.//text[@class="busy-label"]')] == [
        "Busy", "Busy"]


def test_interviews_carry_their_stage_as_colour_pattern_and_words(client, world):
    _signed_in(client)
    page, _html = board_page(client, "?day=2026-12-09")
    block = row_of(page, world["people"]["BJ"]).xpath(
        f'.//a[@data-interview="{world["interview"].id}"]')[0]
    assert "kind-system_design" in block.xpath("./rect")[0].get("class")
    assert block.xpath("./rect")[1].get("fill") == "url(#pattern-system_design)"
    assert page.xpath('//pattern[@id="pattern-system_design"]')
    assert block.xpath(".//text")[0].text == "System design · Hannah Wright"
    legend = page.xpath('//ul[contains(@class, "board-legend")]')[0].text_content()
    assert "System design" in legend and "Busy" in legend


def test_filters_narrow_the_rows_and_keep_other_interviews_faint(client, db, world):
    people = world["people"]
    other = f.make_requisition(title_en="Data Engineer",
                               stages=[{"kind": "phone_screen", "name_en": "Phone screen"}])
    f.make_interview(application=f.make_application(requisition=other), panel=[people["LON"]],
                     start_at=DECEMBER_9_AT_2 + timedelta(hours=8))
    db.session.commit()
    _signed_in(client)

    def rows(query):
        page, _html = board_page(client, f"?day=2026-12-09&{query}")
        return {int(div.get("data-profile")) for div in page.xpath('//div[@data-profile]')}, page

    everyone = {p.id for p in people.values()}
    assert rows("")[0] == everyone
    london = world["offices"]["LON"]
    shown, page = rows(f"office={london.id}")
    assert shown == {people["LON"].id}
    checkbox = page.xpath(f'//input[@name="office"][@value="{london.id}"]')[0]
    assert checkbox.get("checked") is not None
    assert rows(f"office={london.id}&office={world['offices']['SFO'].id}")[0] == {
        people["LON"].id, people["SFO"].id}
    assert rows("kind=system_design")[0] == {people["BJ"].id, people["LON"].id}
    assert rows("kind=system_design&level=senior")[0] == {people["BJ"].id}
    assert rows("q=oliver")[0] == {people["LON"].id}
    # A candidate's name finds who interviews them on the board.
    assert rows("q=hannah")[0] == {people["BJ"].id, people["LON"].id, people["SFO"].id}
    # The opening: those qualified for one of its stages, and those on one of its interviews.
    shown, page = rows(f"opening={world['requisition'].id}")
    assert shown == everyone
    faint = page.xpath('//a[contains(@class, "is-faint")]')
    assert [a.xpath(".//text")[0].text for a in faint] == ["Phone screen · " + _candidate_of(other)]
    assert rows(f"opening={other.id}")[0] == {people["LON"].id}
    # Nonsense is ignored, not an error.
    assert rows("office=999&kind=astrology&level=guru&opening=x&day=2026-13-45")[0] == everyone


def _candidate_of(requisition) -> str:
    from scheduler.extensions import db
    from scheduler.models import Application
    import sqlalchemy as sa

    return db.session.scalar(sa.select(Application).where(
        Application.requisition_id == requisition.id)).candidate.name


def test_navigation_by_week_day_today_and_a_date_picker(client, world):
    _signed_in(client)
    page, html = board_page(client, "?day=2026-12-09&zone=Asia/Shanghai")
    assert "Week of 7 Dec 2026" in html
    links = {a.get("rel"): a.get("href") for a in page.xpath('//nav[@class="board-nav"]/a[@rel]')}
    assert "day=2026-12-02" in links["prev"] and "day=2026-12-16" in links["next"]
    today = page.xpath('//nav[@class="board-nav"]/a')[1]
    assert today.text == "Today" and "day=" not in today.get("href")
    picker = page.xpath('//input[@name="day"]')[0]
    assert picker.get("type") == "date" and picker.get("value") == "2026-12-09"
    assert page.xpath('//form[contains(@class, "board-filters")]')[0].get("method") == "get"
    page, html = board_page(client, "?view=day&day=2026-12-09")
    links = {a.get("rel"): a.get("href") for a in page.xpath('//nav[@class="board-nav"]/a[@rel]')}
    assert "day=2026-12-08" in links["prev"] and "day=2026-12-10" in links["next"]
    # Without a date the board holds today, in the coordinator's zone, with the now line.
    page, html = board_page(client)
    assert page.xpath(f'//g[@data-day="{local_today().isoformat()}"]'
                      '[contains(@class, "is-today")]')
    assert page.xpath('//div[@class="board-scroll"]//line[@class="now"]')
    assert f"Now {NOW.astimezone(_shanghai()):%H:%M}" in html
    page, _html = board_page(client, "?day=2026-12-09" if local_today() < date(2026, 12, 7)
                             else "?day=2026-11-04")
    assert not page.xpath('//div[@class="board-scroll"]//line[@class="now"]')


def _shanghai():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_the_details_reuse_reschedule_swap_and_cancel_and_come_back_to_the_board(
        client, db, world):
    interview = world["interview"]
    interview.start_at = NOW + timedelta(days=3)  # still to come, so it can be changed
    interview.end_at = interview.start_at + timedelta(hours=1)
    for seat in interview.assignments:
        seat.start_at, seat.end_at = interview.start_at, interview.end_at
    db.session.commit()
    _signed_in(client)
    day = interview.start_at.astimezone(_shanghai()).date().isoformat()
    page, _html = board_page(client, f"?day={day}&open={interview.id}")
    details = page.xpath('//aside[@id="details"]')[0]
    back = details.xpath('.//a[text()="Close"]')[0].get("href")
    assert back.startswith("/coordinator/board?") and "open=" not in back
    reschedule = details.xpath('.//a[text()="Reschedule"]')[0].get("href")
    assert reschedule.startswith(f"/coordinator/interviews/{interview.id}/reschedule?")
    swaps = details.xpath('.//a[starts-with(text(), "Swap")]')
    assert len(swaps) == 3 and all("&next=/coordinator/board?" in a.get("href") for a in swaps)
    assert details.xpath('.//form[contains(@action, "/cancel")]//input[@name="next"]')[0].get(
        "value") == back

    # Rescheduling keeps the way back in every step.
    page = lxml_html.fromstring(client.get(reschedule, headers=EN).text)
    assert page.xpath('//p[@class="back-link"]/a')[0].get("href") == back
    assert page.xpath('//form[contains(@class, "search-form")]//input[@name="next"]')[0].get(
        "value") == back

    # A way back off the coordinator's pages is not followed.
    response = post_form(client, f"/coordinator/interviews/{interview.id}/cancel",
                         {"reason": "", "next": "https://evil.example/coordinator/"},
                         page_url=f"/coordinator/board?day={day}&open={interview.id}",
                         headers=EN)
    assert response.headers["Location"] == (
        f"/coordinator/applications/{interview.application_id}")

    response = post_form(client, f"/coordinator/interviews/{interview.id}/cancel",
                         {"reason": "Candidate withdrew", "next": back},
                         page_url=f"/coordinator/board?day={day}&open={interview.id}",
                         headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == back
    assert db.session.get(Interview, interview.id).status == "cancelled"
    page, _html = board_page(client, back.removeprefix("/coordinator/board"))
    assert not page.xpath(f'//a[@data-interview="{interview.id}"]')


@pytest.mark.parametrize("path", ["/coordinator/board", "/coordinator/board.ics?day=2026-12-09"])
def test_interviewers_and_anonymous_visitors_cannot_reach_the_board(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    _signed_in(client, "li.wei@example.com")
    assert client.get(path).status_code == 403


def test_an_admin_sees_the_board(client, db, world):
    f.make_user(roles=("admin",), email="admin@example.com")
    db.session.commit()
    _signed_in(client, "admin@example.com")
    assert client.get("/coordinator/board?day=2026-12-09").status_code == 200


def test_the_board_is_in_the_navigation_for_coordinators_only(client, world):
    _signed_in(client)
    assert 'href="/coordinator/board"' in client.get("/coordinator/", headers=EN).text


def test_a_year_without_official_holiday_data_is_said_on_the_board(client, world):
    from scheduler.domain.workdays import WorkdayCalendar

    year = next(y for y in range(2027, 2100) if not WorkdayCalendar("CN").is_year_covered(y))
    _signed_in(client)
    page, _html = board_page(client, f"?day={year}-06-09")
    notices = [p.text_content() for p in page.xpath('//p[@class="notice"]')]
    assert notices == [f"The official China (mainland) holiday schedule for {year} is not "
                       f"available yet: working days in {year} are estimated as Monday to Friday "
                       "minus statutory holidays. Enter the published days, including make-up "
                       "working weekends, as workday overrides."]  # none for London or SF
