"""Mail is written one way (DESIGN.md §3): only scheduler/services/emails.py renders a template
under templates/emails/ and builds a message with scheduler.mail; everyone else calls its
`compose_and_enqueue`. Checked on the source, so a second copy cannot creep back in."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scheduler"
EMAILS = PACKAGE / "services" / "emails.py"
MAIL = PACKAGE / "mail.py"
BUILDERS = {"build_message", "make_message_id"}
RENDERERS = {"render_template", "render_template_string", "get_template"}


def _strings(node: ast.AST) -> list[str]:
    """Return the literal text of a string argument (the fixed parts of an f-string too)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)]
    return []


def mail_writing(source: str) -> list[str]:
    """Return what in *source* writes mail itself: a builder it names, a mail template it uses."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            found += [alias.name for alias in node.names if alias.name in BUILDERS]
        elif isinstance(node, ast.Name) and node.id in BUILDERS:
            found.append(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in BUILDERS:
            found.append(node.attr)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            texts = [t for arg in node.args[:1] for t in _strings(arg)]
            if name in RENDERERS and any(t.startswith("emails/") for t in texts):
                found.append(f"{name}({texts[0]!r})")
        elif isinstance(node, ast.Constant) and str(node.value).startswith("emails/"):
            # A mail template named anywhere (even kept in a variable) is about to be rendered.
            found.append(node.value)
    return sorted(set(found))


def test_the_checker_catches_a_second_way():
    second_way = (
        "from flask import render_template\n"
        "from scheduler.mail import build_message\n"
        "def send(user):\n"
        "    body = render_template('emails/password_reset.txt', user=user)\n"
        "    return build_message(text_body=body)\n")
    assert mail_writing(second_way) == ["build_message", "emails/password_reset.txt",
                                        "render_template('emails/password_reset.txt')"]
    assert mail_writing("import scheduler.mail as m\nm.make_message_id('x', 0, 'a', 'b')\n") \
        == ["make_message_id"]


def test_emails_is_the_one_module_that_renders_and_builds_mail():
    assert set(mail_writing(EMAILS.read_text(encoding="utf-8"))) >= {
        "build_message", "make_message_id", "render_template('emails/{}.txt')",
        "render_template('emails/{}.html')"}
    others = {str(path.relative_to(ROOT)): mail_writing(path.read_text(encoding="utf-8"))
              for path in PACKAGE.rglob("*.py") if path not in (EMAILS, MAIL)}
    assert {path: found for path, found in others.items() if found} == {}
