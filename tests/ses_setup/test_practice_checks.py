"""The data-driven readiness checks: lists (double opt-in, imports, captcha) and rate thresholds."""

from __future__ import annotations

from types import SimpleNamespace

from services.sender.ses_setup.practice_checks import captcha_provider, check_lists, check_rates
from services.sender.ses_setup.project_data import Rates


def _list(name: str, double_optin: bool = True, form: dict | None = None) -> SimpleNamespace:  # type: ignore[type-arg]
    return SimpleNamespace(name=name, double_optin=double_optin, form_settings=form or {})


def test_captcha_provider_reads_form_settings_like_the_gateway() -> None:
    assert captcha_provider({}) is None
    assert captcha_provider({"captcha": "none"}) is None
    assert captcha_provider({"captcha": "altcha"}) == "altcha"
    assert captcha_provider({"captcha": {"provider": "turnstile"}}) is None  # no site key: no widget
    assert captcha_provider({"captcha": {"provider": "turnstile", "site_key": "k"}}) == "turnstile"
    assert captcha_provider({"captcha": {"provider": "mystery"}}) == "altcha"
    assert captcha_provider("garbage") is None


def test_imports_turn_double_optin_into_a_warning() -> None:
    lists = [_list("News", form={"captcha": "altcha"})]
    ok, captcha = check_lists(lists)
    assert ok.status == "pass" and captcha.status == "pass"
    warn, _ = check_lists(lists, [("trade fair badge scans 2025", 1200)])
    assert warn.status == "warn" and "1200 subscriptions were imported" in warn.detail
    fail, _ = check_lists([*lists, _list("Promo", double_optin=False)], [("x", 1)])
    assert fail.status == "fail" and "Promo" in fail.detail
    empty = check_lists([])
    assert [c.status for c in empty] == ["warn", "warn"]


def test_rate_thresholds() -> None:
    def statuses(sent: int, bounces: int, complaints: int) -> tuple[str, str]:
        b, c = check_rates(Rates(14, sent, bounces, complaints), 200)
        return b.status, c.status

    assert statuses(100, 50, 50) == ("warn", "warn")  # too little volume to judge
    assert statuses(10_000, 199, 4) == ("pass", "pass")
    assert statuses(10_000, 200, 5) == ("warn", "warn")
    assert statuses(10_000, 500, 10) == ("fail", "fail")
