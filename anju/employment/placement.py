"""A household that moves takes its members' jobs and unemployment registrations along (the new
place's staff help them): the registry's signal, the registry's set-based follow."""

from anju.registry.signals import follow as rows_follow

from .models import EmploymentRecord, Unemployment


def follow(sender=None, *, household_ids, **kwargs) -> int:
    return rows_follow([EmploymentRecord, Unemployment], household_ids)
