"""A booking attempt that runs in a thread or a spawned process, released by a barrier."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Attempt:
    application_id: int
    stage_ids: tuple[int, ...]
    start_at: datetime
    panels: tuple[tuple[int, ...], ...]
    break_minutes: int = 0


def attempt_booking(app, attempt: Attempt, now: datetime, barrier) -> str:
    """Load the rows, wait at the barrier, try to book, commit; return the outcome."""
    from scheduler.extensions import db
    from scheduler.models import Application, StageTemplate
    from scheduler.services.booking import BookingError, SlotTaken, book_loop

    with app.app_context():
        try:
            application = db.session.get(Application, attempt.application_id)
            stages = [db.session.get(StageTemplate, i) for i in attempt.stage_ids]
            _ = application.candidate, application.requisition, [s.kind for s in stages]
            # Give the connection back: the pool is smaller than the number of threads.
            db.session.commit()
        except Exception:
            barrier.abort()  # release the others at once instead of after the timeout
            raise
        barrier.wait(timeout=60)
        try:
            book_loop("race", application, stages, attempt.start_at,
                      [list(p) for p in attempt.panels], now,
                      break_minutes=attempt.break_minutes, as_group=len(stages) > 1)
            db.session.commit()
            return "booked"
        except SlotTaken:
            db.session.rollback()
            return "taken"
        except BookingError as error:
            db.session.rollback()
            return f"refused:{error.code}"
        except Exception as error:  # reported to the test, which fails on it
            db.session.rollback()
            return f"error:{type(error).__name__}:{error}"
        finally:
            db.session.remove()


def process_main(config: dict, attempt: Attempt, now: datetime, barrier, results) -> None:
    """Entry point of a spawned process: its own app and connections."""
    from scheduler import create_app

    app = create_app(config)
    results.put(attempt_booking(app, attempt, now, barrier))
