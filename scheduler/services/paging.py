"""One page of a query's rows for the admins' logs: counted, the page number kept in range."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from scheduler.extensions import db


@dataclass(frozen=True)
class PageOf:
    rows: list
    total: int
    page: int
    pages: int


def read_page(query: sa.Select, order_by, page: int, size: int) -> PageOf:
    """Return page *page* (1-based, clamped to the pages there are) of *query* in *order_by*."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(query.order_by(*order_by).offset((page - 1) * size).limit(size)))
    return PageOf(rows, total, page, pages)
