"""Pick an offered slot on the candidate page by its property (when it starts), never by position."""
from __future__ import annotations

import re
from datetime import datetime


def slot_link_starting_after(page, earliest):
    """Return the candidate page's first offered slot link that starts at or after *earliest*."""
    hrefs = page.locator("a.slot").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for index, href in enumerate(hrefs):
        start = re.search(r"start=([0-9T:-]+Z)", href)
        if start and datetime.fromisoformat(start.group(1).replace("Z", "+00:00")) >= earliest:
            return page.locator("a.slot").nth(index)
    raise AssertionError(f"no slot on offer starts at or after {earliest:%Y-%m-%d %H:%M} UTC")
