"""The KPI page in Debian's Chromium: the daily charts cover the chosen days (not a fixed fortnight), their
days add up to the tiles, the satisfaction tile shows the measured share beside the target, and the daily
containment and fallback rates are drawn from what the backend computed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.bot.console.test_console_browser import agent_page
from tests.support import screenshot


def _report(page: Page, days: int) -> dict:
    return page.evaluate("days => fetch('/console/api/kpi?days=' + days).then(r => r.json())", days)


def _choose(page: Page, days: int) -> None:
    page.select_option("#days", str(days))
    expect(page.locator("#chart-daily rect[data-day]")).to_have_count(days, timeout=10_000)


def _percent(rate: float | None, places: str = "0.1") -> str:
    """As the page's script writes it (toFixed / Math.round: a tie goes up, on the float's exact value)."""
    if rate is None:
        return "—"
    return f"{Decimal(rate * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP)}%"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1360, "height": 860}, {"width": 390, "height": 844}],
                         ids=["desktop", "mobile"])
def test_the_daily_charts_cover_the_chosen_days_and_agree_with_the_tiles(browser: Browser, desk_backend,
                                                                         viewport: dict) -> None:
    page = agent_page(browser, desk_backend.base_url, "li")
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{desk_backend.base_url}/console/kpi")
    page.locator("#chart-daily rect[data-day]").first.wait_for(state="attached", timeout=10_000)
    for days in (30, 7, 90, 1):
        if days != 30:  # 30 is the page's default
            _choose(page, days)
        report = _report(page, days)
        series = report["daily"]
        drawn = page.locator("#chart-daily rect[data-day]").evaluate_all("bars => bars.map(b => b.dataset.day)")
        assert drawn == [day["day"] for day in series] and len(drawn) == days, days
        # The server's today (COURIER_TZ) ends the window; the test machine's date may differ by the zone.
        last = date.fromisoformat(drawn[-1])
        assert abs((last - date.today()).days) <= 1 and date.fromisoformat(drawn[0]) == last - timedelta(days=days - 1)
        counts = report["counts"]
        assert sum(day["conversations"] for day in series) == counts["conversations"], days
        assert sum(day["contained"] for day in series) == counts["contained"], days
        assert sum(day["fallback"] for day in series) == counts["fallback"], days
        assert sum(day["ratings"] for day in series) == counts["ratings"], days
        # The page got through drawing everything (a failure shows in the window line instead).
        assert page.locator("#window").inner_text().startswith("统计区间："), page.locator("#window").inner_text()
        tiles = page.locator("#tiles").inner_text()
        assert f"{counts['contained']} / {counts['conversations']} 个会话" in tiles, (days, tiles)
        # Satisfaction: the measured share, the target beside it.
        satisfaction = page.locator("#tiles .tile", has_text="满意率").inner_text()
        assert _percent(report["satisfaction_rate"]) in satisfaction and "目标 ≥ 90%" in satisfaction, satisfaction
        assert f"{counts['satisfied']} / {counts['ratings']} 份评价" in satisfaction
        assert _percent(report["fallback_rate"]) in page.locator("#tiles .tile", has_text="未听懂率").inner_text()
        # A rate column for every day that had conversations, none for a day without.
        with_conversations = [day["day"] for day in series if day["conversations"]]
        for chart in ("#chart-containment", "#chart-fallback"):
            shown = page.locator(f"{chart} rect[data-day]").evaluate_all("bars => bars.map(b => b.dataset.day)")
            assert shown == with_conversations, (chart, days)
        if days == 30:
            assert report["counts"]["conversations"] > 0 and report["counts"]["fallback"] > 0  # the demo data's
            tooltip = page.locator("#chart-fallback rect[data-day] title").first.text_content()
            first = next(day for day in series if day["conversations"])
            assert tooltip == f"{first['day']}：{_percent(first['fallback_rate'], '1')}"
            screenshot(page, f"console-kpi-30-days-{'mobile' if viewport['width'] < 500 else 'desktop'}")
    screenshot(page, f"console-kpi-today-{'mobile' if viewport['width'] < 500 else 'desktop'}")
    assert not errors, errors
    page.context.close()
