"""Apps share their URL rules' compiled url_for() builders (scheduler/app.py SharedBuilderRule):
each app still builds and matches its own URLs, exactly as werkzeug's own rules do."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map, Rule

from scheduler import create_app
from scheduler.app import SharedBuilderRule

CONFIG = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "TESTING": True,
          "SERVER_NAME": "localhost"}


def test_two_apps_share_each_rules_builder_and_build_the_same_urls():
    first, second = create_app(CONFIG), create_app(CONFIG)
    pairs = list(zip(first.url_map.iter_rules(), second.url_map.iter_rules(), strict=True))
    assert len(pairs) > 50
    for mine, theirs in pairs:
        assert mine.rule == theirs.rule and mine is not theirs
        assert isinstance(mine, SharedBuilderRule)
        assert mine._build.__func__ is theirs._build.__func__
        assert mine._build_unknown.__func__ is theirs._build_unknown.__func__
    values = {"requisition_id": 7, "stage_id": 7}
    with first.test_request_context():
        url = first.url_for("coordinator.edit_stage", **values, tab="x")
    assert url == "/coordinator/openings/7/stages/7?tab=x"
    with second.test_request_context():
        assert second.url_for("coordinator.edit_stage", **values, tab="x") == url


class PaddedInt(IntegerConverter):
    def to_url(self, value) -> str:
        return f"{int(value):04d}"


# (rule, defaults, values to build with): static, converters, a default, merged slashes.
RULES = [("/", None, {}), ("/n/<int(max=99):n>", None, {"n": 42}),
         ("/p/<path:rest>", None, {"rest": "a/b c"}),
         ("/d/<int:n>/<name>", {"name": "x"}, {"n": 42, "name": "x"}),
         ("/a//b/<name>", None, {"name": "é z"})]


def _build_all(rule_class, converters=None) -> list:
    url_map = Map([rule_class(text, endpoint=str(i), defaults=defaults)
                   for i, (text, defaults, _) in enumerate(RULES)], converters=converters)
    adapter = url_map.bind("localhost")
    return [adapter.build(str(i), values | {"q": "a b"})
            for i, (_, _, values) in enumerate(RULES)]


def test_shared_builders_build_what_werkzeugs_own_rules_build():
    assert _build_all(SharedBuilderRule) == _build_all(Rule) == [
        "/?q=a+b", "/n/42?q=a+b", "/p/a/b%20c?q=a+b", "/d/42/x?q=a+b", "/a/b/%C3%A9%20z?q=a+b"]


def test_a_rule_under_another_converter_gets_a_builder_of_its_own():
    padded = _build_all(SharedBuilderRule, {"int": PaddedInt})
    assert padded[1:2] == ["/n/0042?q=a+b"] == _build_all(Rule, {"int": PaddedInt})[1:2]
    assert _build_all(SharedBuilderRule)[1] == "/n/42?q=a+b"
