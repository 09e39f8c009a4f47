"""Events whose start and end are written in different forms (issue 14 item 4).

RFC 5545 wants DTSTART and DTEND in the same form, but real files mix them: a UTC start with a
floating end, a zone-named start with a UTC end, one side naming a zone nobody knows. Each side
is read by its own rule (UTC as UTC, a known TZID in that zone, a floating time or an unknown TZID
in the interviewer's zone, or the calendar's X-WR-TIMEZONE); an event whose end then does not
come after its start is skipped; the warning says which side was read how.

Expected instants are worked out by hand: Asia/Shanghai is UTC+8, Europe/Berlin is CET (UTC+1)
on 2025-03-10, Europe/London is GMT (UTC+0) on that day.
"""
from __future__ import annotations

import pytest

from tests.unit.test_calendars_ics import codes, ics, read, spans

def one_warning(result):
    assert len(result.warnings) == 1, [w.message() for w in result.warnings]
    return result.warnings[0]


@pytest.mark.parametrize("start, end, expected", [
    # UTC start 01:00Z; floating end 10:00 Shanghai = 02:00Z: one hour (was read as 9 hours).
    ("DTSTART:20250310T010000Z", "DTEND:20250310T100000", ("2025-03-10 01:00", "2025-03-10 02:00")),
    # Floating start 09:00 Shanghai = 01:00Z; UTC end 02:00Z (was read as 02:00Z-09:00Z, swapped).
    ("DTSTART:20250310T090000", "DTEND:20250310T020000Z", ("2025-03-10 01:00", "2025-03-10 02:00")),
    # Berlin start 09:00 CET = 08:00Z; UTC end 09:00Z.
    ("DTSTART;TZID=Europe/Berlin:20250310T090000", "DTEND:20250310T090000Z",
     ("2025-03-10 08:00", "2025-03-10 09:00")),
    # UTC start 08:00Z; Berlin end 10:00 CET = 09:00Z.
    ("DTSTART:20250310T080000Z", "DTEND;TZID=Europe/Berlin:20250310T100000",
     ("2025-03-10 08:00", "2025-03-10 09:00")),
    # Windows name start 09:00 China Standard Time = 01:00Z; floating end 10:00 Shanghai = 02:00Z.
    ("DTSTART;TZID=China Standard Time:20250310T090000", "DTEND:20250310T100000",
     ("2025-03-10 01:00", "2025-03-10 02:00")),
])
def test_each_side_is_read_by_its_own_rule(start, end, expected):
    result = read(ics(f"UID:m\r\nSUMMARY:mixed\r\n{start}\r\n{end}"), "Asia/Shanghai")
    assert spans(result) == [(*expected, "mixed")]


def test_a_floating_end_after_a_utc_start_is_read_in_the_interviewers_zone_and_said_so():
    result = read(ics("UID:m\r\nSUMMARY:standup\r\nDTSTART:20250310T010000Z\r\nDTEND:20250310T100000"),
                  "Asia/Shanghai")
    assert spans(result) == [("2025-03-10 01:00", "2025-03-10 02:00", "standup")]
    warning = one_warning(result)
    assert warning.code == "end_floating"
    assert warning.params == {"summary": "standup", "line": 4, "zone": "Asia/Shanghai", "other_zone": "UTC"}
    assert warning.message() == (
        'The event "standup" (line 4) has its start in UTC but its end without a time zone; '
        "its end was read in Asia/Shanghai.")


def test_a_floating_start_before_a_utc_end_is_said_so():
    result = read(ics("UID:m\r\nSUMMARY:standup\r\nDTSTART:20250310T090000\r\nDTEND:20250310T020000Z"),
                  "Asia/Shanghai")
    assert spans(result) == [("2025-03-10 01:00", "2025-03-10 02:00", "standup")]
    assert one_warning(result).code == "start_floating"
    assert "its start was read in Asia/Shanghai" in one_warning(result).message()


def test_a_zone_named_start_and_a_utc_end_need_no_warning():
    result = read(ics("UID:m\r\nDTSTART;TZID=Europe/Berlin:20250310T090000\r\nDTEND:20250310T090000Z"))
    assert result.warnings == []


def test_an_unknown_tzid_on_the_end_only_is_named_for_the_end_only():
    # UTC start 01:00Z; "Office Time" is neither known nor defined: end 10:00 read in Shanghai = 02:00Z.
    data = ics("UID:m\r\nSUMMARY:review\r\nDTSTART:20250310T010000Z\r\nDTEND;TZID=Office Time:20250310T100000")
    result = read(data, "Asia/Shanghai")
    assert spans(result) == [("2025-03-10 01:00", "2025-03-10 02:00", "review")]
    warning = one_warning(result)
    assert warning.code == "end_unknown_timezone"
    assert warning.params["tzid"] == "Office Time"
    assert warning.message() == (
        'The time zone "Office Time" of the end of the event "review" (line 4) is unknown and not defined '
        "in the file; its end was read in Asia/Shanghai and its start in UTC.")


def test_an_unknown_tzid_on_the_start_with_a_known_zone_end():
    # Start 09:00 "Office Time" read in London = 09:00Z; end 11:00 Berlin (CET) = 10:00Z.
    data = ics("UID:m\r\nSUMMARY:review\r\nDTSTART;TZID=Office Time:20250310T090000\r\n"
               "DTEND;TZID=Europe/Berlin:20250310T110000")
    result = read(data, "Europe/London")
    assert spans(result) == [("2025-03-10 09:00", "2025-03-10 10:00", "review")]
    warning = one_warning(result)
    assert warning.code == "start_unknown_timezone"
    assert "its start was read in Europe/London and its end in Europe/Berlin" in warning.message()


def test_a_pair_that_cannot_be_reconciled_is_skipped_and_named():
    # UTC start 05:00Z; floating end 10:00 Shanghai = 02:00Z: the end comes before the start.
    bad = "UID:bad\r\nSUMMARY:backwards\r\nDTSTART:20250310T050000Z\r\nDTEND:20250310T100000"
    good = "UID:good\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z"
    result = read(ics(bad, good), "Asia/Shanghai")
    assert [i.external_uid for i in result.intervals] == ["good"]
    warning = one_warning(result)
    assert warning.code == "end_not_after_start"
    assert warning.params == {"summary": "backwards", "line": 4,
                              "start": "2025-03-10 05:00 UTC", "end": "2025-03-10 10:00 Asia/Shanghai"}
    assert warning.message() == (
        'The event "backwards" (line 4) starts at 2025-03-10 05:00 UTC and ends at 2025-03-10 10:00 '
        "Asia/Shanghai, which is not after its start; it was skipped.")


def test_a_repeating_mixed_event_keeps_its_length_on_every_occurrence():
    data = ics("UID:r\r\nSUMMARY:daily\r\nDTSTART:20250310T010000Z\r\nDTEND:20250310T100000\r\n"
               "RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20250311T010000Z")
    result = read(data, "Asia/Shanghai")
    assert spans(result) == [("2025-03-10 01:00", "2025-03-10 02:00", "daily"),
                             ("2025-03-12 01:00", "2025-03-12 02:00", "daily")]
    assert codes(result) == ["end_floating"]


def test_a_floating_side_follows_the_calendars_x_wr_timezone():
    # X-WR-TIMEZONE Europe/Berlin: floating end 10:00 CET = 09:00Z; start 08:00Z.
    data = ics("UID:m\r\nSUMMARY:x\r\nDTSTART:20250310T080000Z\r\nDTEND:20250310T100000",
               header="X-WR-TIMEZONE:Europe/Berlin\r\n")
    result = read(data, "Asia/Shanghai")
    assert spans(result) == [("2025-03-10 08:00", "2025-03-10 09:00", "x")]
    assert one_warning(result).params["zone"] == "Europe/Berlin"
