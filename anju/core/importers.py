"""Kinds of ``anju import KIND FILE`` other than the registry's own, registered by the app that
owns them (in its ``AppConfig.ready``), so the command never imports an app above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    name: str
    help: str
    # handle(command, actor, path, user, dry_run, options) -> None; raises command.Refused.
    handle: Callable
    # (flag, argparse keyword arguments) the kind adds to the command.
    arguments: list[tuple[str, dict]] = field(default_factory=list)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind
