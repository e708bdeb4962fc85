"""On a phone the household list is a column of cards, not a table to scroll sideways; the
audit log's changes wrap inside the page. Screenshots land in var/ for a person to look at."""

import os

import pytest

from anju.core.tests.test_browser import CHROMIUM, _login, page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="未安装 Debian Chromium"),
]


def _shot(page, name):  # noqa: F811
    page.screenshot(path=os.path.join(os.environ.get("ANJU_VAR_DIR", "var"), name))


def _no_sideways_scroll(page) -> bool:  # noqa: F811
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_household_list_on_a_phone_shows_cards(page):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "leader")
    page.goto("/registry/")
    cards = page.locator(".ledger-card")
    assert cards.count() >= 10
    first = cards.first.inner_text()
    assert "户主" in first and "人数" in first
    assert not page.locator(".ledger-table thead").is_visible()
    assert _no_sideways_scroll(page)
    _shot(page, "browser-households-phone.png")
    # The menu folds into the toggler and still reaches import-free pages like the charts.
    page.click(".navbar-toggler")
    page.get_by_role("link", name="统计图表").click()
    assert "安置点基本情况" in page.locator("h1").inner_text()


def test_audit_log_changes_wrap_on_a_desktop(page):  # noqa: F811
    _login(page, "auditor")
    page.goto("/audit/")
    table = page.locator("table").first
    assert table.is_visible()
    width = page.evaluate("document.querySelector('.table-wrap table').scrollWidth")
    assert width <= 1280, width
    body = page.locator("tbody").inner_text()
    for python in ("True", "None", "{'", "['"):
        assert python not in body
    _shot(page, "browser-audit.png")


def test_grid_worker_opens_his_sites_profile_from_the_menu(page):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "grid")
    page.click(".navbar-toggler")
    page.get_by_role("link", name="安置点概况").click()
    assert page.locator("h1").inner_text().startswith("工业园区集中安置点")
    body = page.locator("body").inner_text()
    assert "申报数与台账统计" in body and "编辑概况" not in body
    _shot(page, "browser-grid-profile-phone.png")
    assert _no_sideways_scroll(page)


def test_grid_worker_records_a_visit_on_a_phone(page):  # noqa: F811
    """每月回访 on a phone: the list of doors still to knock on, the form, the list again."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "grid")
    page.goto("/monitoring/unvisited/")
    first = page.locator(".ledger-card").first
    number = first.locator("a").first.inner_text()
    first.get_by_role("link", name="回访").click()
    expect(page.locator("h1")).to_contain_text(number)
    page.get_by_label("就业务工").check()
    page.get_by_label("饮水安全", exact=True).check()
    page.fill("textarea", "户主本月在外务工返乡，饮用水管破损")
    assert _no_sideways_scroll(page)
    _shot(page, "browser-visit-phone.png")
    page.get_by_role("button", name="保存回访").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已记录 {number}")
    assert number not in page.locator("tbody").inner_text()
    # The month's ledger shows what was found.
    page.goto("/monitoring/visits/")
    card = page.locator(".ledger-card", has_text=number)
    expect(card).to_contain_text("就业务工")
    expect(card).to_contain_text("饮水安全")
