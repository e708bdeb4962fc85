"""API tokens for machine clients: made and revoked through services with audit rows, the key
shown once and stored only as a hash, scope no wider than the owner's (and narrowed if asked),
refused in Chinese when revoked, expired or unknown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from anju.accounts import access, services
from anju.accounts.models import ApiToken, Membership
from anju.audit.models import AuditLog
from anju.conftest import ROLE_NODES


def _client(key: str, scheme: str = "Token") -> Client:
    return Client(HTTP_AUTHORIZATION=f"{scheme} {key}")


def test_the_key_is_shown_once_and_only_its_hash_is_kept(world):
    admin = world.users["admin"]
    token, key = services.create_token(admin, user=admin, name="县人社局就业数据对接")
    assert key.startswith("anju_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.prefix) and stored.key_hash == services.hash_token(
        key
    )
    assert stored.path == world.a.unit.path
    log = AuditLog.objects.get(object_type="accounts.apitoken", action="create")
    assert log.actor == admin and "县人社局就业数据对接" in log.changes["name"][1]
    assert key not in str(log.changes) and "接口令牌范围" in log.note


def test_token_reads_as_its_owner_with_token_or_bearer(world):
    owner = world.users["town_staff"]
    _, key = services.create_token(None, user=owner, name="对接")
    for scheme in ("Token", "Bearer"):
        response = _client(key, scheme).get("/api/households/")
        assert response.status_code == 200
        assert [h["number"] for h in response.json()["results"]] == ["甲001"]


def test_a_narrowed_token_sees_only_its_node(world):
    from anju.orgs import services as org_services
    from anju.registry import services as registry_services

    owner = world.users["town_staff"]
    other_site = org_services.create_site(None, admin_unit=world.a.community, name="甲二号安置点")
    registry_services.create_household(None, number="甲900", category="lifted", site=other_site)
    _, wide = services.create_token(None, user=owner, name="全镇")
    _, narrow = services.create_token(None, user=owner, name="一个点", node=world.a.site)
    numbers = {h["number"] for h in _client(wide).get("/api/households/").json()["results"]}
    assert numbers == {"甲001", "甲900"}
    numbers = {h["number"] for h in _client(narrow).get("/api/households/").json()["results"]}
    assert numbers == {"甲001"}
    household = other_site.households.get()
    assert _client(narrow).get(f"/api/households/{household.pk}/").status_code == 404


def test_a_token_cannot_reach_beyond_its_owner(world):
    owner = world.users["town_staff"]
    with pytest.raises(ValidationError) as exc:
        services.create_token(None, user=owner, name="越界", node=world.b.site)
    assert "不在账号" in str(exc.value)
    # An administrator cannot hand out a token for a place or an account outside their scope.
    with pytest.raises(Http404):
        services.create_token(world.users["admin"], user=owner, name="越界", node=world.b.site)
    with pytest.raises(Http404):
        services.create_token(world.users["admin"], user=world.users["b_town_staff"], name="x")
    with pytest.raises(ValidationError):
        services.create_token(None, user=owner, name="  ")


def test_roles_without_account_rights_cannot_make_tokens(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_token(
            world.users["town_staff"], user=world.users["town_staff"], name="自己"
        )


@pytest.mark.parametrize(
    "change, message",
    [
        ("revoke", "令牌已吊销"),
        ("expire", "令牌已过期"),
        ("garbage", "令牌无效"),
        ("inactive", "令牌所属账号已停用"),
        ("moved", "不在所属账号的管辖范围内"),
    ],
)
def test_refused_tokens_get_a_chinese_message(world, change, message):
    owner = world.users["town_staff"]
    token, key = services.create_token(None, user=owner, name="对接", node=world.a.site)
    assert _client(key).get("/api/households/").status_code == 200
    if change == "revoke":
        services.revoke_token(world.users["admin"], token)
        assert AuditLog.objects.filter(
            object_type="accounts.apitoken", note="吊销接口令牌"
        ).exists()
    elif change == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    elif change == "garbage":
        key = key[:-4] + "abcd"
    elif change == "inactive":
        type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    elif change == "moved":
        Membership.objects.filter(user=owner).update(admin_unit=world.b.unit)
    response = _client(key).get("/api/households/")
    assert response.status_code in (401, 403)
    assert message in response.json()["detail"]


def test_use_is_recorded_and_writes_are_audited(world):
    owner = world.users["site_staff"]
    token, key = services.create_token(None, user=owner, name="民政局对接")
    assert token.last_used_at is None
    _client(key).get("/api/households/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    response = _client(key).post(
        "/api/households/",
        {"number": "甲777", "category": "lifted", "site": world.a.site.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    token.refresh_from_db()
    assert token.last_used_at > first
    used = AuditLog.objects.get(object_type="accounts.apitoken", action="update")
    assert "POST /api/households/" in used.note and used.actor == owner
    created = AuditLog.objects.get(object_type="registry.household", object_repr="甲777")
    assert "经接口令牌「民政局对接」" in created.note


def test_tokens_need_no_csrf_token_but_sessions_do(world):
    _, key = services.create_token(None, user=world.users["site_staff"], name="对接")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {key}")
    data = {"number": "甲778", "category": "lifted", "site": world.a.site.pk}
    assert client.post("/api/households/", data, content_type="application/json").status_code == 201
    session = Client(enforce_csrf_checks=True)
    session.force_login(world.users["site_staff"])
    response = session.post("/api/households/", data, content_type="application/json")
    assert response.status_code == 403 and "安全校验未通过" in response.json()["detail"]


ROLES = sorted(ROLE_NODES)
API_LISTS = [
    ("/api/admin-units/", "orgs"),
    ("/api/sites/", "orgs"),
    ("/api/grids/", "orgs"),
    ("/api/buildings/", "orgs"),
    ("/api/positions/", "orgs"),
    ("/api/policy-values/", "policies"),
    ("/api/audit-logs/", "audit"),
    ("/api/users/", "accounts"),
    ("/api/households/", "registry"),
    ("/api/persons/", "registry"),
    ("/api/households/?search=乙", "registry"),
    ("/api/site-profiles/", "registry"),
    ("/api/registry/quality/", "registry"),
]


@pytest.mark.parametrize("role", ROLES)
def test_a_token_reads_only_its_owners_scope(world, role):
    """The scope matrix, through tokens instead of sessions."""
    user = world.users[role]
    _, key = services.create_token(None, user=user, name="矩阵")
    client = _client(key)
    for url, module in API_LISTS:
        response = client.get(url)
        if not access.allows(user, module):
            assert response.status_code == 403, (role, url)
            continue
        assert response.status_code == 200, (role, url, response.status_code)
        assert "乙" not in response.content.decode(), (role, url)
    b = world.b
    for url, module in [
        (f"/api/households/{b.household.pk}/", "registry"),
        (f"/api/sites/{b.site.pk}/", "orgs"),
        (f"/api/registry/summary/?unit={b.site.key}", "registry"),
    ]:
        expected = 404 if access.allows(user, module) else 403
        assert client.get(url).status_code == expected, (role, url)


def test_admin_creates_and_revokes_tokens_on_pages(world, client_for):
    admin = world.users["admin"]
    client = client_for(admin)
    page = client.get("/accounts/tokens/new/")
    assert page.status_code == 200 and "限定范围" in page.content.decode()
    assert "乙" not in page.content.decode()
    response = client.post(
        "/accounts/tokens/new/",
        {
            "name": "全国系统交换",
            "user": world.users["town_staff"].pk,
            "node": world.a.site.key,
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "只显示这一次" in body
    token = ApiToken.objects.get(name="全国系统交换")
    key = body.split('id="token-key" value="')[1].split('"')[0]
    assert services.hash_token(key) == token.key_hash and token.site == world.a.site
    listing = client.get("/accounts/tokens/").content.decode()
    assert "全国系统交换" in listing and key not in listing and token.prefix in listing
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已吊销" in client.get("/accounts/tokens/").content.decode()
    # A node outside the admin's scope is not on offer, so posting one is refused.
    response = client.post(
        "/accounts/tokens/new/",
        {"name": "越界", "user": world.users["town_staff"].pk, "node": world.b.site.key},
    )
    assert response.status_code == 200 and not ApiToken.objects.filter(name="越界").exists()


def test_token_pages_follow_the_accounts_rights(world, client_for):
    services.create_token(None, user=world.users["b_town_staff"], name="乙镇对接")
    reader = client_for(world.users["county_leader"])
    expected = 200 if access.allows(world.users["county_leader"], "accounts") else 403
    assert reader.get("/accounts/tokens/").status_code == expected
    staff = client_for(world.users["town_staff"])
    assert staff.get("/accounts/tokens/").status_code == 403
    assert staff.get("/accounts/tokens/new/").status_code == 403
    admin = client_for(world.users["admin"])
    assert "乙镇对接" not in admin.get("/accounts/tokens/").content.decode()
    b_token = ApiToken.objects.get(name="乙镇对接")
    assert admin.post(f"/accounts/tokens/{b_token.pk}/revoke/").status_code == 404
    b_token.refresh_from_db()
    assert b_token.revoked_at is None
