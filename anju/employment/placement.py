"""A household that moves takes its members' jobs, unemployment registrations and training enrolments along (the new
place's staff help them): the registry's signal, the registry's set-based follow."""

from anju.registry.signals import follow as rows_follow

from .models import EmploymentRecord, Enrolment, Unemployment


def follow(sender=None, *, household_ids, **kwargs) -> int:
    return rows_follow([EmploymentRecord, Unemployment, Enrolment], household_ids)
