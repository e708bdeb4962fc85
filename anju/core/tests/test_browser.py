"""A person at an office PC: logs in and walks the tree from the county down to a grid."""

import os
import shutil

import pytest

from anju.core import demo

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="未安装 Debian Chromium"),
]


@pytest.fixture
def page(live_server, transactional_db):
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    demo.run()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 800}
        )
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_county_leader_walks_from_county_to_site(page):
    from playwright.sync_api import expect

    # Each click starts a navigation: wait for the next page's heading, not the old one's.
    _login(page, "leader")
    page.get_by_role("link", name="清涧县").first.click()
    expect(page.locator("h1")).to_contain_text("清涧县")
    page.get_by_role("link", name="秀延街道办").click()
    expect(page.locator("h1")).to_contain_text("秀延街道办")
    page.get_by_role("link", name="幸福嘉苑社区").click()
    expect(page.locator("h1")).to_contain_text("幸福嘉苑社区")
    page.get_by_role("link", name="工业园区集中安置点").click()
    expect(page.locator("h1")).to_contain_text("工业园区集中安置点")
    crumbs = page.locator("nav[aria-label=单位层级]").inner_text()
    for name in ("清涧县", "秀延街道办", "幸福嘉苑社区", "工业园区集中安置点"):
        assert name in crumbs
    page.get_by_role("link", name="第一网格").click()
    expect(page.locator("h1")).to_contain_text("第一网格")
    expect(page.locator("body")).to_contain_text("1号楼")
    page.screenshot(path=os.path.join(os.environ.get("ANJU_VAR_DIR", "var"), "browser-site.png"))


def test_grid_worker_on_a_phone_cannot_leave_the_grid(page):
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "grid")
    page.get_by_role("link", name="第一网格").first.click()
    assert page.locator("h1").inner_text().startswith("第一网格")
    site_link = page.locator("nav[aria-label=单位层级] a", has_text="工业园区集中安置点")
    assert site_link.count() == 0  # the site above the grid shows as text, not a link
    response = page.goto("/orgs/sites/")
    assert response.status == 200 and "工业园区集中安置点" not in page.locator("table").inner_text()


def test_county_leader_reads_a_site_summary_with_charts(page):
    _login(page, "leader")
    page.get_by_role("link", name="安置点概况").first.click()
    page.get_by_role("link", name="冯家沟集中安置点").click()
    assert "申报数与台账统计" in page.content()
    page.get_by_role("link", name="安置点基本情况").click()
    page.fill("#on", "2020-06-30")
    page.select_option("#category", "lifted")
    page.click("button:text('统计')")
    page.wait_for_selector(".chart canvas")
    assert page.locator(".chart canvas").count() >= 5
    # 冯家沟 (seed 000, 附件1-2): 177 lifted persons, 26 / 44 / 64 / 43 by age.
    assert "0–18岁 26；19–35岁 44；36–59岁 64；60岁及以上 43" in page.locator("body").inner_text()


def test_site_staff_imports_a_sheet_and_sees_its_errors(page, tmp_path):
    from anju.registry.tests.sheets import family, write_xlsx

    rows = family("QJ9001", site="工业园区集中安置点", 楼栋="1号楼")
    rows[2]["身份证号"] = "61083020100901031"
    path = write_xlsx(tmp_path / "上报.xlsx", rows)
    _login(page, "site")
    page.goto("/registry/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并导入")
    page.wait_for_selector("text=有错误，未导入")
    assert "第 6 行" in page.content() and "身份证号应为 18 位" in page.content()


def test_rural_bureau_walks_a_warning_to_identification(page):
    """A self-report twelve days ago; 乡村振兴局 (county level) takes it through the door check,
    the village notice, the town's review and the county's decision on the warning's page."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone
    from playwright.sync_api import expect

    from anju.monitoring import reports
    from anju.registry.models import Household

    today = timezone.localdate()
    # A household the demo's year of monitoring left alone.
    household = (
        Household.objects.filter(members__isnull=False, county__code="610830")
        .exclude(warnings__isnull=False)
        .exclude(leads__isnull=False)
        .order_by("id")
        .first()
    )
    with time_machine.travel(today - timedelta(days=12), tick=False):
        card = reports.cards_for(None, [household])[household.pk]
        reports.report(card.token, hardships=["illness"], description="丈夫住院，花了两万多")

    def day(n):
        return (today - timedelta(days=n)).isoformat()

    def step(values: dict, *, passed=True):
        for name, value in values.items():
            page.fill(f"#id_{name}", value)
        page.check(f"input[name=passed][value='{1 if passed else 0}']")
        page.get_by_role("button", name="提交").click()
        expect(page.locator(".alert-success")).to_be_visible()

    _login(page, "xczx")
    page.goto("/monitoring/warnings/")
    page.get_by_role("link", name=household.number).first.click()
    expect(page.locator("h1")).to_contain_text("待入户核实")
    expect(page.locator("body")).to_contain_text("农户自主申报")
    expect(page.locator("form h3")).to_contain_text("办理：入户核实")
    page.check("#id_commitment_signed")
    page.select_option("#id_category", "hardship")
    page.check("input[name=risk_types][value=illness]")
    page.check("input[name=housing_safe][value='1']")
    page.check("input[name=water_safe][value='1']")
    step({"acted_on": day(10), "note": "住院自付两万余元"})
    expect(page.locator("form h3")).to_contain_text("村级民主评议和公示")
    step({"acted_on": day(9), "notice_from": day(9), "notice_to": day(5)})
    with page.expect_popup() as notice:
        page.get_by_role("link", name="打印公示").click()
    body = notice.value.locator("body").inner_text()
    assert "拟纳入名单公示" in body and "住院" not in body and "因病" not in body
    notice.value.close()
    step({"acted_on": day(3)})
    expect(page.locator("form h3")).to_contain_text("县级审定")
    step({"acted_on": day(0)})
    expect(page.locator("h1")).to_contain_text("已纳入监测")
    expect(page.locator("body")).to_contain_text("突发严重困难户")
    expect(page.locator("body")).to_contain_text("帮扶计划")
    page.screenshot(
        path=os.path.join(os.environ.get("ANJU_VAR_DIR", "var"), "browser-identification.png"),
        full_page=True,
    )


def test_hrss_finds_the_best_seekers_for_a_new_posting_and_pushes_it(page):
    """人社局 publishes a posting, sees the seekers ranked with the reasons, and pushes it to the
    best of them."""
    from datetime import date

    from playwright.sync_api import expect

    from anju.employment import services
    from anju.orgs.models import AdminUnit
    from anju.registry.models import Person

    today = date.today()
    county = AdminUnit.objects.get(code="610830")
    people = Person.objects.filter(
        household__county=county, labour_skill="普通劳动力", education="初中"
    ).order_by("id")
    young = next(p for p in people if 25 <= p.age_on(today) <= 40)
    older = next(p for p in people if 46 <= p.age_on(today) <= 48)
    for person in (young, older):
        services.save_seeker(None, person, where="county", min_pay="2500")
    employer = services.create_employer(
        None, name="清涧县园区电子厂", credit_code="91110000600037341L"
    )
    employer.path = county.path
    employer.save(update_fields=["path"])

    _login(page, "rsj")
    page.goto("/employment/postings/new/")
    page.select_option("#id_employer", label="清涧县园区电子厂")
    page.fill("#id_title", "装配工")
    page.fill("#id_head_count", "10")
    page.fill("#id_age_min", "18")
    page.fill("#id_age_max", "45")
    page.select_option("#id_education_min", "初中")
    page.fill("#id_place", "清涧县工业园区")
    page.fill("#id_pay_min", "3200")
    page.fill("#id_valid_from", today.replace(day=1).isoformat())
    page.fill("#id_valid_to", date(today.year + 1, 6, 30).isoformat())
    page.select_option("#id_source", "county_park")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("装配工")
    # The demo's own seekers are ranked too: the young one meets every requirement (100, among
    # the first), the older one is over the age limit, said, and ranked below.
    rows = page.locator("tr.match-row")
    young_row = rows.filter(has_text=young.name)
    expect(young_row).to_contain_text("得分100")
    older_row = rows.filter(has_text=older.name)
    expect(older_row).to_contain_text("超过上限 45 岁")
    names = [n.strip() for n in rows.locator("td:first-child a").all_inner_texts()]
    assert names.index(young.name) < names.index(older.name)
    young_row.get_by_role("button", name="推送").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已把岗位推送给 {young.name}")
    expect(page.locator("body")).to_contain_text("推送跟进")
    expect(rows.filter(has_text=young.name)).to_contain_text("已推送")
    page.screenshot(
        path=os.path.join(os.environ.get("ANJU_VAR_DIR", "var"), "browser-matching.png"),
        full_page=True,
    )
