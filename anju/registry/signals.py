"""What the registry tells the apps built on it.

``households_placed``: households may have changed place (path), in the transaction that moved
them; sent with ``household_ids``. The rows other apps keep per household with a copy of its path
(a monitoring warning, an income) follow it there, so the new place's staff see them and the old
place's no longer do.
"""

from django.dispatch import Signal

households_placed = Signal()


CHUNK = 500  # ids per statement: SQLite's limit on parameters, and short statements


def follow(models, household_ids, via: str = "") -> int:
    """Set the path of the rows of ``models`` that belong to the given households to their
    household's path, set-based (one UPDATE per model and chunk, only rows that differ).
    ``via``: the relation that leads to a model with a ``household`` (``"warning"`` for a step
    of a warning), whose path the rows take."""
    from django.db.models import OuterRef, Subquery

    from .models import Household

    ids = list(household_ids)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for model in models:
            if via:
                owner = model._meta.get_field(via).related_model
                source = owner._base_manager.filter(pk=OuterRef(f"{via}_id")).values("path")[:1]
                rows = model._base_manager.filter(**{f"{via}__household_id__in": chunk})
            else:
                source = Household.objects.filter(pk=OuterRef("household_id")).values("path")[:1]
                rows = model._base_manager.filter(household_id__in=chunk)
            changed += rows.exclude(path=Subquery(source)).update(path=Subquery(source))
    return changed
