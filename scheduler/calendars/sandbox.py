"""The job process's backstop: read a calendar source in a child process with a memory cap and a deadline.

The reader is bounded by its own estimate and count (scheduler/calendars/repetition.py); this is
the second wall, for whatever those miss, so that one bad subscription can never stall the others
(DESIGN.md §5 "Calendars in", issue 21). Each source is read — fetched and parsed, as the network
can hang too — in a child forked from a forkserver that has loaded this module once (forking is
cheap and the child starts with no database connection and no threads); the child caps its own
address space with RLIMIT_AS and sends back the result or the CalendarError; the parent waits at
most the deadline, then kills it. A source is described by plain values (`SourceRequest`), never
by a database row, and `read_source()` is the one way to read one, in or out of the sandbox.
"""
from __future__ import annotations

import multiprocessing
import resource
from dataclasses import dataclass
from datetime import datetime

from scheduler.calendars.caldav_source import read_caldav_busy_intervals
from scheduler.calendars.fetch import fetch_calendar_url
from scheduler.calendars.ics import ImportResult, read_busy_intervals
from scheduler.calendars.limits import DEFAULT_LIMITS, ImportLimits
from scheduler.calendars.problems import CalendarError

_MEGABYTE = 1_000_000
# Forked children of a server that imported this module once; "fork" from a job process with
# threads and open connections is not safe, and "spawn" would pay the imports on every read.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])


@dataclass(frozen=True)
class SourceRequest:
    """What reading one source needs: its kind and where its calendar is, the zone and the window."""

    kind: str  # "file", "url" or "caldav"
    default_zone: str
    window_start_at: datetime
    window_end_at: datetime
    content: bytes = b""
    url: str = ""
    username: str = ""
    password: str = ""
    is_private_allowed: bool = False
    private_networks: tuple[str, ...] = ()
    limits: ImportLimits = DEFAULT_LIMITS


def read_source(request: SourceRequest) -> ImportResult:
    """Read the source in this process; raise CalendarError."""
    window = {"default_zone": request.default_zone, "window_start_at": request.window_start_at,
              "window_end_at": request.window_end_at, "limits": request.limits}
    address_rules = {"is_private_allowed": request.is_private_allowed,
                     "private_networks": request.private_networks}
    if request.kind == "caldav":
        return read_caldav_busy_intervals(request.url, request.username, request.password,
                                          **address_rules, **window)
    data = request.content
    if request.kind == "url":
        data = fetch_calendar_url(request.url, limits=request.limits, **address_rules)
    return read_busy_intervals(data, **window)


def read_source_in_sandbox(request: SourceRequest) -> ImportResult:
    """Read the source in a child process under the request's memory cap and deadline; raise CalendarError."""
    limits = request.limits
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_read_in_child, args=(request, sender), daemon=True,
                             name="calendar-reader")
    child.start()
    sender.close()  # the child holds the only writer: its death ends our wait with EOF
    try:
        if not receiver.poll(limits.reader_deadline_seconds):
            raise CalendarError("read_timed_out", seconds=_number(limits.reader_deadline_seconds))
        try:
            kind, value = receiver.recv()
        except (EOFError, OSError) as exc:
            raise CalendarError("read_failed") from exc
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()
    if kind == "result":
        return value
    if kind == "out_of_memory":
        raise CalendarError("read_out_of_memory", megabytes=limits.reader_memory_bytes // _MEGABYTE)
    raise CalendarError(value[0], **value[1])


def _read_in_child(request: SourceRequest, sender) -> None:
    """Cap this process's memory, read, and send ("result", ImportResult) or the refusal back."""
    cap = request.limits.reader_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        outcome = ("result", read_source(request))
    except CalendarError as error:
        outcome = ("refused", (error.code, dict(error.params)))
    except MemoryError:
        outcome = ("out_of_memory", None)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("out_of_memory", None))
    finally:
        sender.close()


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
