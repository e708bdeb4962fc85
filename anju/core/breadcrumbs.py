"""The unit breadcrumb: the chain of nodes above a page, each linked if the user may open it."""

from __future__ import annotations

from django.urls import reverse

from anju.core.scope import covers


def trail(user, path: str) -> list[dict]:
    from anju.orgs.models import NODE_MODELS

    keys = [k for k in path.split("/") if k]
    wanted: dict[str, list[int]] = {}
    for key in keys:
        wanted.setdefault(key[0], []).append(int(key[1:]))
    found = {}
    for prefix, ids in wanted.items():
        for node in NODE_MODELS[prefix].objects.filter(pk__in=ids).only("id", "name", "path"):
            found[node.key] = node
    crumbs = []
    for key in keys:
        node = found.get(key)
        if node is None:
            continue
        url = node_url(node) if covers(user, node.path) else None
        crumbs.append({"name": node.name, "url": url})
    return crumbs


def node_url(node) -> str:
    names = {
        "u": "orgs:unit-detail",
        "s": "orgs:site-detail",
        "g": "orgs:grid-detail",
        "b": "orgs:building-detail",
    }
    return reverse(names[node.PREFIX], args=[node.pk])
