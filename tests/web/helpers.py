"""Helpers for web tests: read the CSRF token from a page, sign in through the real form."""
from __future__ import annotations

import re

from scheduler.demo import DEMO_PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """Return the first CSRF token on a rendered page."""
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """GET the page holding the form, then POST *data* with that page's CSRF token."""
    page = client.get(page_url or url, **kwargs)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


def sign_in(client, email: str, password: str = DEMO_PASSWORD, **kwargs):
    """Sign in through the login form; return the response (302 on success)."""
    return post_form(client, "/login", {"email": email, "password": password}, **kwargs)


def without_csrf(html: str) -> str:
    """Return *html* with CSRF tokens blanked, so two renderings can be compared."""
    return _CSRF.sub('name="csrf_token" value=""', html)
