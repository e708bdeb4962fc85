"""Data scope, for every role and every scoped list, detail, export, search and API endpoint:
a user serving a place in town 甲 never receives a row of town 乙, and a direct URL to one of
town 乙's objects answers 404."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from anju.accounts import access
from anju.audit.models import AuditLog
from anju.conftest import ROLE_NODES

# (url, module the role must be able to read for a 200)
LISTS = [
    ("/orgs/units/", "orgs"),
    ("/orgs/sites/", "orgs"),
    ("/orgs/grids/", "orgs"),
    ("/orgs/buildings/", "orgs"),
    ("/orgs/positions/", "orgs"),
    ("/policies/", "policies"),
    ("/audit/", "audit"),
    ("/accounts/users/", "accounts"),
    ("/api/admin-units/", "orgs"),
    ("/api/sites/", "orgs"),
    ("/api/grids/", "orgs"),
    ("/api/buildings/", "orgs"),
    ("/api/positions/", "orgs"),
    ("/api/policy-values/", "policies"),
    ("/api/audit-logs/", "audit"),
    ("/api/users/", "accounts"),
    ("/registry/", "registry"),
    ("/registry/sites/", "registry"),
    ("/registry/quality/", "registry"),
    ("/api/households/", "registry"),
    ("/api/persons/", "registry"),
    ("/api/site-profiles/", "registry"),
    ("/api/registry/quality/", "registry"),
    ("/api/registry/sites/", "registry"),
    ("/accounts/tokens/", "accounts"),
]
EXPORTS = [url for url, _ in LISTS[:7]] + ["/registry/", "/registry/sites/", "/registry/quality/"]
# Search terms that match both towns' rows, so a leak would show up in the results.
SEARCHES = [
    ("/orgs/units/?q=镇", "orgs"),
    ("/orgs/sites/?q=安置点", "orgs"),
    ("/orgs/positions/?q=楼长", "orgs"),
    ("/api/admin-units/?search=社区", "orgs"),
    ("/api/sites/?q=安置点", "orgs"),
    ("/audit/?object_type=orgs.site", "audit"),
    ("/api/audit-logs/?action=create", "audit"),
    ("/registry/?q=户主", "registry"),
    ("/api/persons/?q=户主", "registry"),
    ("/api/households/?q=001", "registry"),
    ("/api/households/?search=001", "registry"),
    ("/api/persons/?search=户主", "registry"),
    ("/api/sites/?search=安置点", "orgs"),
]


def _details(world):
    b = world.b
    b_user = world.users["b_town_staff"]
    b_log = AuditLog.objects.filter(unit_path__startswith=b.unit.path).first()
    b_person = b.household.members.first()
    return [
        (f"/api/users/{b_user.pk}/", "accounts"),
        (f"/registry/households/{b.household.pk}/", "registry"),
        (f"/registry/persons/{b_person.pk}/", "registry"),
        (f"/registry/sites/{b.site.pk}/", "registry"),
        (f"/registry/summary/{b.site.key}/", "registry"),
        (f"/registry/summary/{b.unit.key}/?export=xlsx", "registry"),
        (f"/api/households/{b.household.pk}/", "registry"),
        (f"/api/persons/{b_person.pk}/", "registry"),
        (f"/api/registry/summary/?node={b.site.key}", "registry"),
        (f"/registry/quality/?node={b.site.key}", "registry"),
        (f"/api/registry/summary/?unit={b.site.key}", "registry"),
        (f"/api/registry/quality/?unit={b.site.key}", "registry"),
        (f"/api/households/?unit={b.unit.key}", "registry", "read", 200),
        (f"/api/policy-values/resolve/?unit={b.unit.key}", "policies"),
        ("/accounts/tokens/new/", "accounts", "write", 200),
        (f"/registry/households/{b.household.pk}/edit/", "registry", "write"),
        (f"/registry/persons/{b_person.pk}/move/", "registry", "write"),
        (f"/accounts/users/{b_user.pk}/edit/", "accounts", "write"),
        (f"/api/audit-logs/{b_log.pk}/", "audit"),
        (f"/policies/{b.policy_value.pk}/edit/", "policies", "write"),
        (f"/orgs/nodes/{b.site.key}/edit/", "orgs", "write"),
        (f"/orgs/nodes/{b.grid.key}/buildings/new/", "orgs", "write"),
        (f"/accounts/nodes/{b.site.key}/users/new/", "accounts", "write"),
        (f"/orgs/units/{b.unit.pk}/", "orgs"),
        (f"/orgs/units/{b.community.pk}/", "orgs"),
        (f"/orgs/sites/{b.site.pk}/", "orgs"),
        (f"/orgs/grids/{b.grid.pk}/", "orgs"),
        (f"/orgs/buildings/{b.building.pk}/", "orgs"),
        (f"/api/admin-units/{b.unit.pk}/", "orgs"),
        (f"/api/sites/{b.site.pk}/", "orgs"),
        (f"/api/grids/{b.grid.pk}/", "orgs"),
        (f"/api/buildings/{b.building.pk}/", "orgs"),
        (f"/api/positions/{b.position.pk}/", "orgs"),
        (f"/api/policy-values/{b.policy_value.pk}/", "policies"),
        (f"/api/policy-values/resolve/?unit={b.unit.pk}", "policies"),
    ]


def _leaks(response) -> bool:
    return "乙" in response.content.decode()


ROLES = sorted(ROLE_NODES)


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_searches_never_show_the_other_town(world, client_for, role):
    user = world.users[role]
    client = client_for(user)
    for url, module in LISTS + SEARCHES:
        response = client.get(url)
        if not access.allows(user, module):
            assert response.status_code == 403, url
            continue
        assert response.status_code == 200, (url, response.status_code)
        assert not _leaks(response), f"{role} sees town 乙 at {url}"


@pytest.mark.parametrize("role", ROLES)
def test_exports_never_contain_the_other_town(world, client_for, role):
    user = world.users[role]
    client = client_for(user)
    for url in EXPORTS:
        response = client.get(url + "?export=xlsx")
        if response.status_code == 403:
            continue
        assert response.status_code == 200, url
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)
        assert "乙" not in text, f"{role} exports town 乙 from {url}"


@pytest.mark.parametrize("role", ROLES)
def test_background_exports_never_contain_the_other_town(
    world, client_for, role, settings, django_capture_on_commit_callbacks
):
    """Every ledger export made as a background job (anju.exports) instead of streamed."""
    settings.ANJU_EXPORT_INLINE_ROWS = 0
    client = client_for(world.users[role])
    for url in EXPORTS:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url + "?export=xlsx")
        if response.status_code == 403:
            continue
        if response.status_code == 302:
            job = client.get(response.url)
            assert "已完成" in job.content.decode(), (role, url)
            response = client.get(response.url + "download")
        assert response.status_code == 200, (role, url)
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)
        assert "乙" not in text, f"{role} exports town 乙 from {url} in the background"


@pytest.mark.parametrize("role", ROLES)
def test_direct_urls_to_the_other_town_answer_404(world, client_for, role):
    user = world.users[role]
    client = client_for(user)
    for url, module, *rest in _details(world):
        # (url, module[, level needed[, status for a role that may: 404 unless a list]])
        level = rest[0] if rest else "read"
        ok = rest[1] if len(rest) > 1 else 404
        response = client.get(url)
        expected = ok if access.allows(user, module, level) else 403
        assert response.status_code == expected, (role, url, response.status_code)
        assert not _leaks(response)


@pytest.mark.parametrize("role", ROLES)
def test_api_tokens_of_the_other_town_stay_hidden(world, client_for, role):
    from anju.accounts import services as account_services

    token, _ = account_services.create_token(
        None, user=world.users["b_town_staff"], name="乙镇对接", node=world.b.site
    )
    user = world.users[role]
    client = client_for(user)
    listing = client.get("/accounts/tokens/")
    assert listing.status_code == (200 if access.allows(user, "accounts") else 403)
    assert not _leaks(listing)
    revoke = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert revoke.status_code == (404 if access.allows(user, "accounts") else 403), role
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", ROLES)
def test_writes_aimed_at_the_other_town_answer_404(world, client_for, role):
    user = world.users[role]
    client = client_for(user)
    b = world.b
    attempts = [
        ("post", f"/orgs/units/{b.unit.pk}/sites/new/", {"name": "侵入", "kind": "centralized"}),
        ("post", f"/orgs/nodes/{b.site.key}/edit/", {"name": "改名", "kind": "centralized"}),
        ("post", f"/orgs/nodes/{b.building.key}/delete/", {}),
        ("patch", f"/api/sites/{b.site.pk}/", {"name": "改名"}),
        ("delete", f"/api/buildings/{b.building.pk}/", None),
        ("post", "/api/grids/", {"name": "侵入网格", "site": b.site.pk}),
    ]
    for method, url, data in attempts:
        kwargs = {"content_type": "application/json"} if method in ("patch", "delete") else {}
        response = (
            getattr(client, method)(url, data, **kwargs)
            if data is not None
            else getattr(client, method)(url)
        )
        if not access.allows(user, "orgs", "write"):
            assert response.status_code == 403, (role, url)
        else:
            assert response.status_code in (400, 404), (role, url, response.status_code)
    b.site.refresh_from_db()
    assert b.site.name == "乙安置点"
    assert type(b.building).objects.filter(pk=b.building.pk).exists()


def test_own_town_is_visible(world, client_for):
    """The negative checks above mean something only if the own town's rows do show."""
    client = client_for(world.users["town_staff"])
    body = client.get("/orgs/sites/").content.decode()
    assert "甲安置点" in body
    data = client.get("/api/buildings/").json()
    assert [row["name"] for row in data["results"]] == ["甲楼"]
    assert client.get(f"/orgs/buildings/{world.a.building.pk}/").status_code == 200


def test_county_user_sees_both_towns(world, client_for):
    client = client_for(world.users["whole_county"])
    names = {row["name"] for row in client.get("/api/sites/").json()["results"]}
    assert names == {"甲安置点", "乙安置点"}


def test_building_head_sees_only_own_building(world, client_for):
    client = client_for(world.users["building_head"])
    assert client.get(f"/orgs/sites/{world.a.site.pk}/").status_code == 404
    assert client.get(f"/orgs/buildings/{world.a.building.pk}/").status_code == 200
    assert client.get("/api/sites/").json()["count"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_quality_findings_never_show_the_other_town(world, client_for, role):
    """The stored findings of a run over both towns: page, export and API show town 甲's
    finding to whoever may read the registry there, and never town 乙's."""
    from anju.registry import quality, services

    for town in (world.a, world.b):
        head = town.household.members.get(relation="户主")
        services.update_person(None, head, labour_skill="")
    assert quality.check_now().counts["skill"] == 2
    user = world.users[role]
    client = client_for(user)
    urls = ["/registry/quality/", "/registry/quality/?check=skill", "/api/registry/quality/"]
    for url in urls + ["/registry/quality/?export=xlsx"]:
        response = client.get(url)
        if not access.allows(user, "registry"):
            assert response.status_code == 403, url
            continue
        assert response.status_code == 200, url
        if url.endswith("xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
            text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row)
        else:
            text = response.content.decode()
        assert "乙" not in text, f"{role} sees town 乙 at {url}"
        assert "甲户主（户 甲001）" in text, f"{role} misses its own finding at {url}"


def _warnings_page(url: str) -> bool:
    """Pages a department's staff reach without the monitoring module."""
    return any(part in url for part in ("warnings", "feeds", "signals"))


@pytest.mark.parametrize("role", ROLES)
def test_monitoring_never_shows_the_other_town(world, client_for, role, tmp_path):
    """Monthly visits and their coverage: lists, export, details and the API."""
    import time_machine

    from anju.monitoring import reports
    from anju.monitoring import services as monitoring

    with time_machine.travel(date(2026, 11, 20), tick=False):
        for town in (world.a, world.b):
            monitoring.record_visit(
                None,
                town.household,
                period="2026-11",
                visited_on=date(2026, 11, 2),
                visitor_name=f"{town.unit.name}网格员",
            )
            monitoring.record_income(None, town.household, year=2025, wage="9000")
            card = reports.cards_for(None, [town.household])[town.household.pk]
            reports.report(card.token, hardships=["illness"], description=f"{town.unit.name}住院")
        from anju.monitoring.feeds import import_feed
        from anju.monitoring.tests.test_feeds import _xlsx

        for town, staff in ((world.a, "town_staff"), (world.b, "b_town_staff")):
            head = town.household.members.get(relation="户主")
            sheet = _xlsx(
                tmp_path / f"{town.unit.name}人社.xlsx",
                [[head.id_number, head.name, "失业", "", "2026-11-03", f"{town.unit.name}"]],
            )
            assert import_feed(
                world.users[staff], sheet, sheet.name, department="hrss", period="2026-11"
            ).ok
        b_feed = world.b.household.signals.get().feed
        b_signal = world.b.household.signals.get()
        b_visit = world.b.household.visits.get()
        b_income = world.b.household.incomes.get()
        b_lead = world.b.household.leads.get()
        b_warning = world.b.household.warnings.get()  # the self-report raised it at once
        user = world.users[role]
        client = client_for(user)
        may = access.allows(user, "monitoring")
        lists = [
            "/monitoring/?period=2026-11",
            "/monitoring/unvisited/?period=2026-10",
            "/monitoring/visits/",
            "/monitoring/visits/?q=001",
            "/api/visits/",
            "/api/visits/?search=001",
            "/api/monitoring/coverage/?period=2026-11",
            "/monitoring/incomes/",
            "/monitoring/incomes/?q=001",
            "/api/incomes/",
            "/api/incomes/?year=2025",
            "/monitoring/leads/",
            "/monitoring/leads/?q=001",
            "/api/leads/",
            "/monitoring/warnings/",
            "/monitoring/warnings/?q=001&status=open",
            "/api/warnings/",
            "/monitoring/feeds/",
            "/api/feeds/",
            "/api/signals/",
            "/monitoring/ledger/?period=2026-11",
            "/api/monitoring/ledger/?period=2026-11",
            "/monitoring/policies/",
            "/monitoring/policies/?q=001",
            "/api/monitoring/policies/",
            "/api/monitoring/policies/?q=001",
            "/monitoring/exchange/",
        ]
        from anju.monitoring.selectors import may_see_warnings

        for url in lists:
            response = client.get(url)
            if not (may_see_warnings(user) if _warnings_page(url) else may):
                assert response.status_code == 403, (role, url)
                continue
            assert response.status_code == 200, (role, url, response.status_code)
            assert not _leaks(response), f"{role} sees town 乙 at {url}"
        exports = (
            "/monitoring/visits/",
            "/monitoring/incomes/",
            "/monitoring/leads/",
            "/monitoring/warnings/",
            "/monitoring/feeds/",
            "/monitoring/ledger/",
            "/monitoring/policies/",
        )
        for url in (f"{u}?export=xlsx" for u in exports):
            export = client.get(url)
            allowed = may_see_warnings(user) if _warnings_page(url) else may
            assert export.status_code == (200 if allowed else 403), (role, url)
            if allowed:
                book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
                rows = book.active.iter_rows(values_only=True)
                assert "乙" not in " ".join(str(c) for row in rows for c in row), url
        # The national exchange sheets carry full identity numbers: only roles that may see them.
        for url in ("/monitoring/exchange/?export=xlsx", "/api/monitoring/exchange/"):
            export = client.get(url)
            allowed = may and access.can_reveal_identity(user)
            assert export.status_code == (200 if allowed else 403), (role, url)
            if allowed:
                book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
                cells = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
                assert "乙" not in " ".join(str(c) for c in cells), url
        b = world.b
        for url, level in [
            (f"/monitoring/visits/{b_visit.pk}/", "read"),
            (f"/api/visits/{b_visit.pk}/", "read"),
            (f"/monitoring/?unit={b.unit.key}", "read"),
            (f"/monitoring/unvisited/?unit={b.site.key}", "read"),
            (f"/api/monitoring/coverage/?unit={b.unit.key}", "read"),
            (f"/monitoring/households/{b.household.pk}/visit/", "write"),
            (f"/monitoring/households/{b.household.pk}/income/", "read"),
            (f"/api/incomes/{b_income.pk}/", "read"),
            (f"/api/leads/{b_lead.pk}/", "read"),
            (f"/monitoring/warnings/{b_warning.pk}/", "read"),
            (f"/api/warnings/{b_warning.pk}/", "read"),
            (f"/monitoring/warnings/{b_warning.pk}/notice/", "read"),
            (f"/monitoring/warnings/{b_warning.pk}/step/", "write"),
            (f"/monitoring/feeds/{b_feed.pk}/", "read"),
            (f"/api/feeds/{b_feed.pk}/", "read"),
            (f"/api/signals/{b_signal.pk}/", "read"),
            (f"/monitoring/cards/?household={b.household.pk}", "write"),
            (f"/monitoring/cards/?unit={b.unit.key}", "write"),
        ]:
            response = client.get(url)
            allowed = access.allows(user, "monitoring", level) or (
                _warnings_page(url) and level == "read" and may_see_warnings(user)
            )
            expected = 404 if allowed else 403
            assert response.status_code == expected, (role, url, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_employment_never_shows_the_other_town(world, client_for, role):
    """Jobs, the labour roster, the household ledger, unemployment help, training: lists,
    exports, the one-person file, a course's page and the API."""
    import time_machine

    from anju.employment import services as employment

    codes = {"甲镇": "91110000600037341L", "乙镇": "91350100M000100Y43"}
    postings, seekers = {}, {}
    with time_machine.travel(date(2026, 11, 20), tick=False):
        for town in (world.a, world.b):
            # Registered by each town's staff: kept at the town.
            employer = employment.create_employer(
                None, name=f"{town.unit.name}工厂", credit_code=codes[town.unit.name]
            )
            employer.path = town.unit.path
            employer.save(update_fields=["path"])
            postings[town.unit.name] = employment.create_posting(
                None,
                employer,
                title=f"{town.unit.name}普工",
                head_count=5,
                place=f"{town.unit.name}园区",
                pay_kind="monthly",
                pay_min=3000,
                valid_from=date(2026, 11, 1),
                valid_to=date(2027, 1, 31),
                source="local",
            )
        workshops = {}
        for town in (world.a, world.b):
            # Each town's workshop serves its own site; a quarter recorded for each.
            workshops[town.unit.name] = employment.create_workshop(
                None,
                name=f"{town.unit.name}扶贫车间",
                sites=[town.site],
                jobs=10,
                opened_on=date(2026, 1, 1),
            )
            employment.record_quarter(
                None,
                workshops[town.unit.name],
                period="2026-Q3",
                total_workers=10,
                relocated_workers=2,
                wages_paid=1000,
            )
            son = town.household.members.get(relation="之子")
            employment.record_job(
                None,
                son,
                kind="public_post",
                post_type="保洁员",
                employer=f"{town.unit.name}社区",
                monthly_income=800,
                started_on=date(2026, 3, 1),
            )
        for key, value in (
            ("employment.workshop_local_share", "50"),
            ("employment.workshop_site_lifted_persons", 800),
        ):
            from anju.policies import services as policy_services

            policy_services.set_value(
                None, key=key, unit=world.county, valid_from=date(2021, 1, 1), value=value
            )
        jobs = {}
        for town in (world.a, world.b):
            head = town.household.members.get(relation="户主")
            seekers[town.unit.name] = employment.save_seeker(None, head, where="any")
            jobs[town.unit.name] = employment.record_job(
                None,
                head,
                kind="in_county",
                employer=f"{town.unit.name}工厂",
                started_on=date(2026, 3, 1),
            )
            employment.end_job(
                None,
                jobs[town.unit.name],
                ended_on=date(2026, 11, 10),
                reason="lost",
                helper=f"{town.unit.name}干部",
            )
            # Hired through a push: the job again, and its retention checks.
            pushed = employment.push(None, postings[town.unit.name], seekers[town.unit.name])
            employment.advance_push(None, pushed, status="hired", started_on=date(2026, 11, 15))
        courses = {}
        for town in (world.a, world.b):
            # A course at each town's site, and its head enrolled (培训档案).
            courses[town.unit.name] = employment.save_course(
                None,
                site=town.site,
                kind="order",
                title=f"{town.unit.name}订单式培训",
                provider=f"{town.unit.name}职校",
                starts_on=date(2026, 10, 9),
                ends_on=date(2026, 10, 18),
                planned_count=10,
                filed_on=date(2026, 9, 20),
            )
            employment.save_enrolment(
                None,
                courses[town.unit.name],
                town.household.members.get(relation="户主"),
                attended_days=5,
            )
        from anju.employment import monthly

        monthly.compute("2026-11")
        # The nightly batch over everything: each town's seekers get their own town's jobs.
        employment.refresh_recommendations(None)
    user = world.users[role]
    client = client_for(user)
    may = access.allows(user, "employment")
    lists = [
        "/employment/",
        "/employment/?q=户主",
        "/employment/households/",
        "/employment/households/?status=zero",
        "/employment/records/",
        "/employment/records/?q=工厂",
        "/employment/helps/",
        "/api/employment/records/",
        "/api/employment/records/?search=工厂",
        "/api/employment/helps/",
        "/api/employment/roster/",
        "/api/employment/households/?status=zero",
        "/employment/employers/",
        "/employment/postings/",
        "/employment/postings/?q=工厂",
        "/api/employment/employers/",
        "/api/employment/postings/",
        "/employment/months/",
        "/api/employment/months/",
        "/employment/retentions/",
        "/api/employment/retentions/",
        "/employment/records/?list=migrant",
        "/api/employment/records/?list=self",
        "/employment/workshops/",
        "/employment/workshops/?q=车间",
        "/employment/workshops/checks/share/",
        "/employment/workshops/checks/sites/",
        "/employment/workshops/checks/quarter/",
        "/employment/public-posts/",
        "/employment/public-posts/?q=社区",
        "/api/employment/workshops/",
        "/api/employment/workshop-quarters/",
        "/api/employment/workshop-ledger/",
        "/api/employment/workshop-checks/?check=share",
        "/api/employment/workshop-checks/?check=sites",
        "/api/employment/workshop-checks/?check=quarter",
        "/api/employment/public-posts/",
        "/api/employment/public-posts/?by=type",
        "/employment/training/",
        "/employment/training/?q=培训",
        "/employment/training/people/",
        "/employment/training/people/?q=户主",
        "/employment/training/sites/?year=2027",
        "/api/employment/courses/",
        "/api/employment/courses/?search=培训",
        "/api/employment/enrolments/",
        "/api/employment/trainees/",
        "/api/employment/untrained-sites/?year=2027",
        "/employment/recommendations/",
        f"/employment/recommendations/?site={world.a.site.pk}",
        "/api/employment/recommendations/",
        f"/api/employment/recommendations/?site={world.a.site.pk}",
    ]
    for url in lists:
        response = client.get(url)
        if not may:
            assert response.status_code == 403, (role, url)
            continue
        assert response.status_code == 200, (role, url, response.status_code)
        assert not _leaks(response), f"{role} sees town 乙 at {url}"
    for url in (
        "/employment/",
        "/employment/households/",
        "/employment/records/",
        "/employment/helps/",
        "/employment/retentions/",
        "/employment/workshops/",
        "/employment/workshops/checks/share/",
        "/employment/workshops/checks/sites/",
        "/employment/workshops/checks/quarter/",
        "/employment/public-posts/",
        "/employment/public-posts/?by=type",
        "/employment/training/",
        "/employment/training/people/",
        "/employment/training/sites/",
        "/employment/recommendations/",
    ):
        export = client.get(f"{url}{'&' if '?' in url else '?'}export=xlsx")
        assert export.status_code == (200 if may else 403), (role, url)
        if may:
            book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
            rows = book.active.iter_rows(values_only=True)
            assert "乙" not in " ".join(str(c) for row in rows for c in row), url
    b_job = jobs["乙镇"]
    for url in (
        f"/employment/persons/{b_job.person_id}/",
        f"/api/employment/records/{b_job.pk}/",
        f"/employment/months/?unit={world.b.unit.key}",
        f"/api/employment/months/?unit={world.b.unit.key}",
        f"/employment/workshops/{workshops['乙镇'].pk}/",
        f"/api/employment/workshops/{workshops['乙镇'].pk}/",
        f"/api/employment/workshop-quarters/{workshops['乙镇'].quarters.get().pk}/",
        f"/employment/training/{courses['乙镇'].pk}/",
        f"/employment/training/{courses['乙镇'].pk}/edit/",
        f"/api/employment/courses/{courses['乙镇'].pk}/",
        f"/api/employment/enrolments/{courses['乙镇'].enrolments.get().pk}/",
    ):
        assert client.get(url).status_code in (403, 404), (role, url)
    b_workshop = workshops["乙镇"]
    quarter = client.post(
        f"/employment/workshops/{b_workshop.pk}/quarter/",
        {"period": "2026-Q4", "total_workers": 1, "relocated_workers": 1, "wages_paid": "1"},
    )
    assert quarter.status_code in (403, 404), role
    api_quarter = client.post(
        "/api/employment/workshop-quarters/",
        {
            "workshop": b_workshop.pk,
            "period": "2026-Q4",
            "total_workers": 1,
            "relocated_workers": 1,
            "wages_paid": "1",
        },
        content_type="application/json",
    )
    assert api_quarter.status_code in (400, 403), role
    assert not b_workshop.quarters.filter(period="2026-Q4").exists()
    b_head = world.b.household.members.get(relation="户主")
    a_course = courses["甲镇"]
    enrol = client.post(
        f"/employment/training/{a_course.pk}/enrol/",
        {"id_number": b_head.id_number, "attended_days": "1"},
    )
    assert enrol.status_code in (200, 403, 404), role
    enrol_api = client.post(
        "/api/employment/enrolments/",
        {"course": courses["乙镇"].pk, "person": b_head.pk, "attended_days": 9},
        content_type="application/json",
    )
    assert enrol_api.status_code in (400, 403, 404), role
    assert courses["乙镇"].enrolments.get().attended_days == 5
    assert not a_course.enrolments.filter(person=b_head).exists()
    end = client.post(
        f"/api/employment/records/{b_job.pk}/end/", {}, content_type="application/json"
    )
    assert end.status_code in (403, 404), role
    b_posting, b_seeker = postings["乙镇"], seekers["乙镇"]
    assert client.get(f"/employment/postings/{b_posting.pk}/").status_code in (403, 404), role
    a_posting = postings["甲镇"]
    push = client.post(f"/employment/postings/{a_posting.pk}/push/{b_seeker.pk}/")
    assert push.status_code in (403, 404), role
    refresh = client.post("/employment/recommendations/refresh/", {"site": world.b.site.pk})
    assert refresh.status_code in (403, 404), role
    if may:  # the posting page ranks only the user's own seekers
        page = client.get(f"/employment/postings/{a_posting.pk}/")
        assert page.status_code == 200 and not _leaks(page), role


@pytest.mark.parametrize("role", [*ROLES, "b_town_staff"])
def test_subsidies_never_show_the_other_town(world, client_for, role):
    """就业补贴: the eligibility list, the batches, the payment list (page, Excel, API), a person's
    findings, and every write on a batch of the other town."""
    import time_machine

    from anju.employment import services as employment
    from anju.policies import services as policies

    with time_machine.travel(date(2026, 11, 20), tick=False):
        for key in (
            "employment.hiring_subsidy",
            "employment.tracking_service_subsidy",
            "employment.training_living_allowance_daily",
        ):
            policies.set_value(
                None, key=key, unit=world.county, valid_from=date(2019, 1, 1), value="500"
            )
        batches, heads = {}, {}
        for town in (world.a, world.b):
            head = heads[town.unit.name] = town.household.members.get(relation="户主")
            employment.record_job(
                None,
                head,
                kind="local_enterprise",
                employer=f"{town.unit.name}工厂",
                started_on=date(2026, 1, 10),
                contract_months=12,
                social_insurance=True,
                organised_by=f"{town.unit.name}劳务公司",
            )
            batches[town.unit.name] = employment.create_batch(None, town.unit, cause="hiring")
            # A finished course each: the training causes list enrolments, per person and course.
            course = employment.save_course(
                None,
                site=town.site,
                kind="order",
                title=f"{town.unit.name}刺绣培训",
                provider=f"{town.unit.name}培训学校",
                starts_on=date(2026, 10, 12),
                ends_on=date(2026, 10, 23),
                planned_count=10,
                filed_on=date(2026, 9, 1),
            )
            employment.save_enrolment(None, course, head, attended_days=10)
        user = world.users[role]
        client = client_for(user)
        may = access.allows(user, "employment")
        writes = access.allows(user, "employment", "write")
        mine, other = ("乙镇", "甲镇") if role == "b_town_staff" else ("甲镇", "乙镇")
        mark = other[0]
        a_batch, b_batch = batches[mine], batches[other]

        def leaks(content: str) -> bool:
            return mark in content

        for url in (
            "/employment/subsidies/?cause=tracking",
            "/employment/subsidies/?cause=hiring&q=户主",
            "/employment/subsidies/batches/",
            "/api/employment/subsidies/eligible/?cause=tracking",
            "/api/employment/subsidies/batches/",
            "/api/employment/subsidies/batches/?search=2026",
            "/employment/subsidies/?cause=training_living",
            "/api/employment/subsidies/eligible/?cause=training_living",
        ):
            response = client.get(url)
            if not may:
                assert response.status_code == 403, (role, url)
                continue
            assert response.status_code == 200, (role, url, response.status_code)
            assert not leaks(response.content.decode()), f"{role} sees {other} at {url}"
        if may:
            own = client.get("/employment/subsidies/?cause=tracking").content.decode()
            assert heads[mine].name in own, role  # the list is not empty for the wrong reason
            own = client.get("/employment/subsidies/?cause=training_living").content.decode()
            assert f"{mine}刺绣培训" in own, role
        for url in (
            "/employment/subsidies/?cause=tracking",
            "/employment/subsidies/?cause=training_living",
            "/employment/subsidies/batches/",
        ):
            export = client.get(f"{url}{'&' if '?' in url else '?'}export=xlsx")
            assert export.status_code == (200 if may else 403), (role, url)
            if may:
                book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
                rows = book.active.iter_rows(values_only=True)
                assert not leaks(" ".join(str(c) for row in rows for c in row)), url
        sees_own_batch = may and a_batch.path.startswith(
            next(iter(user.memberships.all())).node.path
        )
        if sees_own_batch:  # a site's staff do not see their town's batches
            assert client.get(a_batch.get_absolute_url()).status_code == 200
        for url in (
            b_batch.get_absolute_url(),
            f"{b_batch.get_absolute_url()}?export=xlsx&reveal=1",
            f"/api/employment/subsidies/batches/{b_batch.pk}/",
            f"/api/employment/subsidies/persons/{heads[other].pk}/",
            f"/employment/subsidies/?cause=tracking&unit={batches[other].unit.key}",
            f"/api/employment/subsidies/eligible/?cause=tracking&unit={batches[other].unit.key}",
            f"/employment/subsidies/?cause=training_living&unit={batches[other].unit.key}",
            f"/api/employment/subsidies/eligible/?cause=training_living&unit={batches[other].unit.key}",
        ):
            assert client.get(url).status_code in (403, 404), (role, url)
        for url, data in (
            (f"/employment/subsidies/batches/{b_batch.pk}/advance/", {"to": "submitted"}),
            (f"/employment/subsidies/batches/{b_batch.pk}/add/", {"id_number": "x"}),
            (f"/api/employment/subsidies/batches/{b_batch.pk}/submit/", {}),
            (
                "/api/employment/subsidies/batches/",
                {"cause": "tracking", "unit": batches[other].unit.key},
            ),
            (
                "/api/employment/subsidies/batches/",
                {"cause": "training_living", "unit": batches[other].unit.key},
            ),
        ):
            response = client.post(url, data, content_type="application/json")
            assert response.status_code in (403, 404), (role, url, response.status_code)
        payment = b_batch.payments.get()
        response = client.post(
            f"/employment/subsidies/payments/{payment.pk}/withdraw/", {"reason": "试"}
        )
        assert response.status_code in (403, 404), role
        b_batch.refresh_from_db()
        assert b_batch.status == "draft" and b_batch.payments.get().status == "pending"
        assert (
            writes
            or client.post(
                "/employment/subsidies/batches/new/", {"cause": "tracking", "unit": "x"}
            ).status_code
            == 403
        )
