"""Every read of the registry, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, Q

from anju.orgs.models import Site

from .models import Household, ImportBatch, Person, SiteProfile


def households(user):
    return Household.objects.visible_to(user).select_related("site", "building", "destination")


def persons(user):
    return Person.objects.visible_to(user).select_related(
        "household", "household__site", "household__building", "household__destination"
    )


def profiles(user):
    return SiteProfile.objects.visible_to(user).select_related("site")


def batches(user):
    return ImportBatch.objects.visible_to(user).select_related("created_by")


def sites_with_counts(user):
    """Sites with their declared figures and the figures counted from the registry."""
    visible = Household.objects.visible_to(user)
    return (
        Site.objects.visible_to(user)
        .select_related("admin_unit", "profile")
        .annotate(
            counted_households=Count("households", filter=Q(households__in=visible), distinct=True),
            counted_persons=Count("households__members", filter=Q(households__in=visible)),
        )
        .order_by("path")
    )
