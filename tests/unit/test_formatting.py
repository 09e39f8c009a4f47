"""scheduler/formatting.py is pure: the language is an argument, no app, no request, no Flask."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from scheduler.formatting import format_local_datetime, localized, salary_band, zone_label

ROOT = Path(__file__).resolve().parents[2]
WINTER = datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc)


def test_importing_formatting_loads_no_flask():
    # A fresh interpreter: this test process may already have Flask loaded by other tests.
    code = ("import scheduler.formatting, sys; "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0].startswith('flask')); "
            "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_it_formats_in_the_language_it_is_given_with_no_app():
    assert format_local_datetime(WINTER, "Asia/Shanghai", "zh") == \
        "2026年12月1日 周二 09:30 (北京时间 Asia/Shanghai)"
    assert zone_label(WINTER, "Europe/London", "en") == "Europe/London, GMT+00:00"
    assert localized({"name_zh": "北京", "name_en": ""}, "name", "en") == "北京"


def test_salary_band_in_each_language():
    band = SimpleNamespace(salary_min=28000, salary_max=60000, salary_currency="CNY",
                           salary_period="month")
    assert salary_band(band, "en") == "CNY 28,000–60,000 a month"
    assert salary_band(band, "zh") == "每月 28,000–60,000 CNY"
    assert salary_band(SimpleNamespace(**{**vars(band), "salary_period": "year"}), "zh") == \
        "每年 28,000–60,000 CNY"
    assert salary_band(SimpleNamespace(**{**vars(band), "salary_min": None}), "en") == ""
