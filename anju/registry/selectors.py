"""Every read of the registry, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from anju.core.scope import scope_paths
from anju.orgs.models import Site

from .choices import HEAD
from .models import Household, ImportBatch, Person, SiteProfile


def households(user):
    return Household.objects.visible_to(user).select_related("site", "building", "destination")


def with_head_and_size(households):
    """户主 name and 人数 as two correlated subqueries: the database computes them only for the
    rows of the page (one query, whatever the page size), using the index on household_id."""
    members = Person.objects.filter(household=OuterRef("pk")).order_by()
    return households.annotate(
        head_name=Subquery(members.filter(relation=HEAD).order_by("id").values("name")[:1]),
        size=Coalesce(
            Subquery(
                members.values("household").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


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


def profile_site(user, pk: int):
    """The site whose 安置点概况 the user may read: one in their scope, or the site a grid worker
    or building head serves inside (read-only for them). ``None`` otherwise."""
    site = Site.objects.select_related("admin_unit", "profile").filter(pk=pk).first()
    if site is None:
        return None
    paths = scope_paths(user)
    if paths is None or any(p.startswith(site.path) or site.path.startswith(p) for p in paths):
        return site
    return None
