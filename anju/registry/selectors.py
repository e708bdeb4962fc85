"""Every read of the registry, scoped to the user."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Count, Func, IntegerField, OuterRef, Subquery, Sum, TextField, Value
from django.db.models.functions import Coalesce

from anju.core.scope import scope_paths
from anju.orgs.models import Site
from anju.orgs.selectors import node_by_key

from . import rollups
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


class NameChars(Func):
    """The characters of a name as an array: ``string_to_array(name, NULL)``, the expression the
    GIN index ``registry_person_name_chars`` holds (migration 0007)."""

    function = "string_to_array"
    template = "%(function)s(%(expressions)s, NULL)"
    output_field = ArrayField(TextField())


# A household number is searched by a fragment of at least this many characters: the trigram
# index (migration 0007) needs three, and one or two digits would match most of a county.
NUMBER_FRAGMENT = 3


def matching_households(user, text: str):
    """Ids of the households the user sees whose number contains ``text``, or one of whose
    members is named with ``text`` in the name or has ``text`` as identity number.

    Chinese names are two or three characters and users type one (the surname) or all of them,
    so a trigram index cannot serve them. On PostgreSQL the name is matched through the GIN
    index of its characters (every character of the text must be in the name) and then checked
    as a substring; the number through a trigram index. Each part reads its own index, and the
    union of three small id lists replaces a scan of every person in the scope."""
    text = text.strip()
    people = Person.objects.visible_to(user).order_by()
    if connection.vendor == "postgresql":
        people = people.alias(chars=NameChars("name")).filter(chars__contains=list(set(text)))
    parts = [
        people.filter(name__contains=text).values("household_id"),
        Person.objects.visible_to(user)
        .order_by()
        .filter(id_number=text.upper())
        .values("household_id"),
    ]
    if len(text) >= NUMBER_FRAGMENT:
        parts.append(
            Household.objects.visible_to(user)
            .order_by()
            .filter(number__icontains=text)
            .values("pk")
        )
    return parts[0].union(*parts[1:], all=True)


def matching_persons(user, text: str):
    """Ids of the persons the user sees named with ``text``, with ``text`` as identity number,
    or in a household whose number contains it (see ``matching_households``)."""
    text = text.strip()
    people = Person.objects.visible_to(user).order_by()
    named = people
    if connection.vendor == "postgresql":
        named = people.alias(chars=NameChars("name")).filter(chars__contains=list(set(text)))
    parts = [
        named.filter(name__contains=text).values("pk"),
        people.filter(id_number=text.upper()).values("pk"),
    ]
    if len(text) >= NUMBER_FRAGMENT:
        numbered = Household.objects.visible_to(user).order_by().filter(number__icontains=text)
        parts.append(people.filter(household__in=numbered.values("pk")).values("pk"))
    return parts[0].union(*parts[1:], all=True)


# The filters of the household and person lists that are dimensions of the roll-ups: a list
# filtered by these alone has its length in the roll-ups, exact, without counting a row.
ROLLUP_FILTERS = ("unit", "site", "category", "safety_net")


def _within(roots: list[str], others: list[str]) -> list[str]:
    """The intersection of two unions of subtrees (each a list of non-overlapping paths)."""
    return [max(a, b, key=len) for a in roots for b in others if a.startswith(b) or b.startswith(a)]


def counted_from_rollups(user, cleaned: dict, *, persons: bool = False) -> int | None:
    """The exact length of the user's household list (or person list) under the filters in
    ``cleaned`` (a filter form's cleaned data), read from the roll-ups; ``None`` when a filter
    in use is not a roll-up dimension (a search), and the list must be counted."""
    used = {key: value for key, value in cleaned.items() if value not in (None, "")}
    if any(key not in ROLLUP_FILTERS for key in used):
        return None
    roots = roots_for(user, rollups.ROOT)
    if "unit" in used:
        node = node_by_key(user, used["unit"])
        if node is None:
            return 0
        roots = _within(roots, roots_for(user, node.path))
    if "site" in used:
        roots = _within(roots, roots_for(user, used["site"].path))
    households, people = rollups.totals(
        roots, category=used.get("category", ""), safety_net=used.get("safety_net")
    )
    return people if persons else households


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
        counted = visible.values("site_id").annotate(
            h=Count("id", distinct=True), p=Count("members")
        )
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
