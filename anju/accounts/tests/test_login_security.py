from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from anju.accounts import services
from anju.accounts.models import Role
from anju.conftest import PASSWORD


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(db, client):
    with override_settings(PASSWORD_HASHERS=settings.ARGON2_HASHERS):
        user = services.create_user(
            None,
            username="argon_user",
            password=PASSWORD,
            role=Role.objects.get(code="auditor", unit=None),
            nodes=[],
            is_superuser=True,
        )
        # OWASP's 19 MiB, 2 iterations, 1 lane: a morning's logins do not queue the pages.
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert _login(client, "argon_user", PASSWORD).status_code == 302


def test_hashes_with_other_argon2_parameters_still_verify_and_are_upgraded(db, client):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = services.create_user(
        None,
        username="old_hash",
        password=PASSWORD,
        role=Role.objects.get(code="auditor", unit=None),
        nodes=[],
        is_superuser=True,
    )
    # A hash stored before (Django's defaults: 100 MiB, 8 lanes).
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert "m=102400" in user.password
    with override_settings(PASSWORD_HASHERS=settings.ARGON2_HASHERS):
        assert _login(client, "old_hash", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_login_and_logout(world, client):
    response = _login(client, "a_town_staff", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert "甲镇" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_message_is_chinese(world, client):
    body = _login(client, "a_town_staff", "wrong-password").content.decode()
    assert "用户名或密码不正确" in body


def test_five_failures_lock_the_account_for_fifteen_minutes(world, client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _login(client, "a_town_staff", "wrong-password")
        locked = _login(client, "a_town_staff", PASSWORD)
        assert locked.status_code == 403
        assert "已被锁定 15 分钟" in locked.content.decode()
        # Another account from the same office is not locked.
        assert _login(client, "a_site_staff", PASSWORD).status_code == 302
        client.post("/accounts/logout/")
        clock.shift(timedelta(minutes=14))
        assert _login(client, "a_town_staff", PASSWORD).status_code == 403
        # An attempt during the lock counts as a failure and starts the 15 minutes again.
        clock.shift(timedelta(minutes=14))
        assert _login(client, "a_town_staff", PASSWORD).status_code == 403
        clock.shift(timedelta(minutes=15, seconds=1))
        assert _login(client, "a_town_staff", PASSWORD).status_code == 302


def test_four_failures_do_not_lock(world, client):
    for _ in range(4):
        _login(client, "a_town_staff", "wrong-password")
    assert _login(client, "a_town_staff", PASSWORD).status_code == 302


def test_idle_session_ends_after_thirty_minutes(world, client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "a_town_staff", PASSWORD)
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity pushes the expiry forward
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(
    "password, message",
    [
        ("Short-1", "至少"),  # shorter than 10
        ("2026112301", "全部为数字"),
        ("new_clerk_01", "用户名相同"),
    ],
)
def test_password_rules(world, password, message):
    role = Role.objects.get(code="town_staff", unit=None)
    with pytest.raises(ValidationError) as exc:
        services.create_user(
            None, username="new_clerk_01", password=password, role=role, nodes=[world.a.unit]
        )
    assert message in " ".join(exc.value.message_dict["password"])
