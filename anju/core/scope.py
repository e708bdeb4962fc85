"""The one gate for data scope.

Every scoped row carries the materialised path of the organisation node it belongs to
(``u1/u7/s3/`` = unit 1 › unit 7 › site 3). A user serves one or more nodes and sees the rows
whose path starts with one of theirs. Lists, details, exports, searches and API views all reach
their rows through :func:`visible` (usually via ``Model.objects.visible_to(user)``), so a row
outside the user's subtree is simply not found: detail views answer 404, not 403.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

UNRESTRICTED = None


def scope_paths(user) -> list[str] | None:
    """Paths of the nodes the user serves; ``None`` means the whole platform (superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_anju_scope_paths", False)
    if cached is not False:
        return cached
    paths = UNRESTRICTED if user.is_superuser else _minimal(user.served_paths())
    user._anju_scope_paths = paths
    return paths


def _minimal(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter one, so filters stay small."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def path_q(paths: list[str], field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def visible(queryset: models.QuerySet, user, field: str | None = None) -> models.QuerySet:
    field = field or queryset.model.scope_path_field
    paths = scope_paths(user)
    if paths is UNRESTRICTED:
        return queryset
    return queryset.filter(path_q(paths, field))


def covers(user, path: str) -> bool:
    """Whether a node path lies inside the user's scope (for writes that name a parent)."""
    paths = scope_paths(user)
    if paths is UNRESTRICTED:
        return True
    return any(path.startswith(p) for p in paths)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        return visible(self, user)


def home_path(user) -> str:
    """The one path that covers everything the user serves (their common ancestor)."""
    paths = scope_paths(user)
    if not paths:
        return ""
    common = paths[0].split("/")
    for path in paths[1:]:
        parts = path.split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    joined = "/".join(p for p in common if p)
    return joined + "/" if joined else ""
