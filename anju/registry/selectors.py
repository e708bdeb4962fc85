"""Every read of the registry, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from anju.core.scope import scope_paths
from anju.orgs.models import Site

from .choices import HEAD
from .models import Household, HouseholdRollup, ImportBatch, Person, SiteProfile
from .summary import roots_for


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


def sites(user):
    return Site.objects.visible_to(user).select_related("admin_unit", "profile").order_by("path")


def attach_counts(user, sites) -> list:
    """Set ``counted_households`` and ``counted_persons`` on each site, as the user sees them:
    from the roll-ups for sites the user sees whole, else counted over the part the user serves
    (a grid worker's own grid). Two queries at most, whatever the number of sites."""
    sites = list(sites)
    whole = {s.path: s for s in sites if roots_for(user, s.path) == [s.path]}
    rows = (
        HouseholdRollup.objects.filter(node_path__in=list(whole))
        .values("node_path")
        .annotate(h=Sum("households"), p=Sum("persons"))
    )
    found = {r["node_path"]: (r["h"], r["p"]) for r in rows} if whole else {}
    partial = [s for s in sites if s.path not in whole]
    if partial:
        visible = Household.objects.visible_to(user).filter(site__in=partial)
        counted = visible.values("site_id").annotate(h=Count("id", distinct=True), p=Count("members"))
        by_site = {r["site_id"]: (r["h"], r["p"]) for r in counted}
        found.update({s.path: by_site.get(s.pk, (0, 0)) for s in partial})
    for site in sites:
        site.counted_households, site.counted_persons = found.get(site.path, (0, 0))
    return sites


def site_figures(site) -> dict:
    """One row of the site list (after ``attach_counts``): the page, its export and the API."""
    profile = getattr(site, "profile", None) if hasattr(site, "profile") else None
    return {
        "name": site.name,
        "admin_unit": site.admin_unit.name if site.admin_unit_id else "",
        "declared_households": profile.declared_households if profile else None,
        "counted_households": site.counted_households,
        "declared_persons": profile.declared_persons if profile else None,
        "counted_persons": site.counted_persons,
    }


def site_totals(user) -> dict:
    """合计 of the site list: declared and counted figures over every site the user sees (the
    list holds only sites the user sees whole, so the roll-ups of those sites add up exactly)."""
    visible = sites(user)
    declared = SiteProfile.objects.filter(site__in=visible).aggregate(
        households=Sum("declared_households"), persons=Sum("declared_persons")
    )
    counted = HouseholdRollup.objects.filter(
        node_path__in=Site.objects.visible_to(user).values("path")
    ).aggregate(households=Sum("households"), persons=Sum("persons"))
    return {
        "sites": visible.count(),
        "declared_households": declared["households"] or 0,
        "declared_persons": declared["persons"] or 0,
        "counted_households": counted["households"] or 0,
        "counted_persons": counted["persons"] or 0,
    }


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
