"""Where personal information goes: whether an office is outside mainland China (PIPL Art. 38–39).

An office's country is its holiday calendar key's country code ("GB-ENG" -> "GB"). Mainland
China is "CN"; Hong Kong ("HK") and Macau ("MO") have codes of their own and count as outside.
"""
from __future__ import annotations

from scheduler.domain.workdays import split_calendar_key

MAINLAND_CHINA = "CN"


def country_of(calendar_key: str) -> str:
    """Return the country code of an office's calendar key."""
    return split_calendar_key(calendar_key)[0]


def is_outside_mainland(calendar_key: str) -> bool:
    """Tell whether an office with this calendar key is outside mainland China."""
    return country_of(calendar_key) != MAINLAND_CHINA
