"""Materialised paths: how a scoped row knows where it sits in the organisation tree.

Moving a node rewrites the prefix of every row that carries a path under it, in one UPDATE per
model. Models that carry paths register here so a move never leaves a stale row behind.
"""

from contextlib import ExitStack

from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

_PATH_MODELS: list[tuple[type, str]] = []
# Context-manager factories ``(old, new)`` wrapped around every move: how an app that keeps
# figures per node (the registry's roll-ups) follows a move without core importing it.
_MOVE_WATCHERS: list = []


def register(model, field: str = "path"):
    _PATH_MODELS.append((model, field))
    return model


def watch_moves(factory):
    _MOVE_WATCHERS.append(factory)
    return factory


def rewrite_prefix(old: str, new: str) -> int:
    if old == new:
        return 0
    changed = 0
    with ExitStack() as stack:
        for factory in _MOVE_WATCHERS:
            stack.enter_context(factory(old, new))
        for model, field in _PATH_MODELS:
            changed += model._base_manager.filter(**{f"{field}__startswith": old}).update(
                **{field: Concat(Value(new), Substr(F(field), len(old) + 1, Length(F(field))))}
            )
    return changed


def prefixes(path: str) -> list[str]:
    """``u1/u7/s3/`` → ``["u1/", "u1/u7/", "u1/u7/s3/"]``: the node and its ancestors."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
