"""The calibration page shows the hand-computed numbers of a small history (tests/calibration_
setup.py) beside its inline SVG charts, in both languages; interviewers are refused."""
from __future__ import annotations

import html as htmllib
import re

import pytest

from tests import factories as f
from tests.calibration_setup import calibration_world
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def history(db):
    history = calibration_world()
    db.session.commit()
    return history


def _coordinator_page(client, db, language="en", query=""):
    f.make_user(roles=("coordinator",), email="coord@example.com", language=language)
    db.session.commit()
    assert sign_in(client, "coord@example.com", PASSWORD).status_code == 302
    response = client.get(f"/coordinator/calibration{query}")
    assert response.status_code == 200
    return htmllib.unescape(response.text)


def _row(page, name):
    """Return the text of the table row whose header is *name*, tags removed."""
    header = f'<th scope="row">{name}</th>'
    row = next((r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if header in r), None)
    assert row, f"no row for {name}"
    return " ".join(re.sub(r"<title>.*?</title>|<[^>]+>", " ", row).split())


def test_the_page_shows_the_hand_computed_numbers(client, db, history):
    page = _coordinator_page(client, db)
    assert 'href="/coordinator/calibration"' in page  # the nav entry
    alice = _row(page, "Alice Kind")
    assert "1: 1 · 2: 1 · 3: 7 · 4: 3" in alice and "mean 3.00" in alice
    assert "+0.33 (12 scores)" in alice and " 4 " in alice and "100% (4/4)" in alice
    bo = _row(page, "Bo Harsh")
    assert "-0.33 (9 scores)" in bo and "75% (3/4)" in bo
    cai = _row(page, "Cai Middle")
    assert "-0.11 (9 scores)" in cai and "100% (3/3)" in cai
    assert "0.07 (5 pairable units)" in _row(page, "Criterion framing")
    assert "1.00 (5 pairable units)" in _row(page, "Criterion modelling")
    serving = _row(page, "Criterion serving")
    assert "No variation to measure agreement on" in serving and "Never varies" in serving
    # The charts are inline SVG that say what they show.
    assert page.count("<svg") == 6
    assert 'aria-label="Mean offset +0.33 against the other panel members, over 12 scores"' \
        in page
    assert "<title>Scores Alice Kind gave: 1: 1 · 2: 1 · 3: 7 · 4: 3</title>" in page


def test_not_enough_data_names_the_count_and_the_minimum(client, db, history):
    # The last 90 days leave I6 out; a fresh opening has nothing at all.
    other = f.make_requisition(title_en="Data Engineer")
    db.session.commit()
    page = _coordinator_page(client, db, query=f"?opening={other.id}&period=90")
    assert "No submitted feedback yet." in page


def test_a_few_panels_are_not_enough_data(client, db, history):
    for feedback in history.feedback[4:]:  # keep I1 and I2 only
        db.session.delete(feedback)
    db.session.commit()
    page = _coordinator_page(client, db)
    assert "Not enough data (2 pairable units, minimum 5)" in _row(page, "Criterion framing")


def test_the_page_in_chinese(client, db, history):
    page = _coordinator_page(client, db, language="zh")
    assert "校准" in page and "标准framing" in page and "+0.33" in page


def test_interviewers_are_refused(client, db, history):
    assert sign_in(client, history.people["A"].user.email, PASSWORD).status_code == 302
    assert client.get("/coordinator/calibration").status_code == 403
