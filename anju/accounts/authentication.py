"""``Authorization: Token <key>`` (or ``Bearer <key>``) for machine clients of the API."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from anju.core.scope import covers

from . import services
from .models import ApiToken

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    """The request acts as the token's owner, seeing no more than the token's node."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "令牌格式不正确，应为 “Authorization: Token <令牌>”。"
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("令牌含有无效字符。") from None
        token = (
            ApiToken.objects.select_related("user", "user__role", "admin_unit", "site", "grid")
            .select_related("building")
            .filter(key_hash=services.hash_token(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效。")
        if token.revoked_at:
            raise exceptions.AuthenticationFailed("令牌已吊销，请联系管理员重新发放。")
        if token.expires_at and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("令牌已过期，请联系管理员重新发放。")
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("令牌所属账号已停用。")
        node = token.node
        if node is not None:
            # The owner's scope may have shrunk since the token was made.
            if not covers(user, node.path):
                raise exceptions.AuthenticationFailed("令牌的范围已不在所属账号的管辖范围内。")
            # Every read and write goes through scope_paths(user): narrowing it here narrows
            # everything the request can reach.
            user._anju_scope_paths = [node.path]
        user._anju_token = token
        write = request.method not in SAFE_METHODS
        services.token_used(token, f"{request.method} {request.get_full_path()}", write=write)
        return (user, token)

    def authenticate_header(self, request):
        return self.keyword
