"""Sign a staff member in through the real login form, in whichever language the page speaks."""
from __future__ import annotations

from scheduler.demo import DEMO_PASSWORD

# The login form's labels and button per page language (<html lang>).
LABELS = {
    "zh": ("邮箱", "密码", "登录"),
    "en": ("Email", "Password", "Sign in"),
}


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Open /login, fill the form by its visible labels and press the sign-in button."""
    page.goto("/login")
    language = page.evaluate("document.documentElement.lang").split("-")[0]
    email_label, password_label, button = LABELS[language]
    page.get_by_label(email_label, exact=True).fill(email)
    page.get_by_label(password_label, exact=True).fill(password)
    page.get_by_role("button", name=button).click()
