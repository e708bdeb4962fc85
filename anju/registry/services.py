"""Every write to the registry: validate, check scope, write, audit, in one transaction."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anju.accounts import access
from anju.audit import services as audit
from anju.core.scope import covers, home_path
from anju.orgs.models import AdminUnit

from . import choices, normalize, rollups
from .errors_workbook import write_error_copy
from .importing import Outcome, RegistryImport, RowError
from .models import Household, HouseholdMove, ImportBatch, Person, PersonMove, SiteProfile
from .reading import FileError
from .signals import households_placed

PROFILE_FIELDS = [
    f.name for f in SiteProfile._meta.get_fields() if f.concrete and f.name not in ("id", "site")
]


@transaction.atomic
def save_profile(actor, site, **values) -> SiteProfile:
    """Create or change a site's profile; the changed fields land in the audit log."""
    if actor is not None:
        access.require(actor, "registry", "write")
        if not covers(actor, site.path):
            raise Http404("安置点不存在或不在您的管辖范围内。")
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    profile = SiteProfile.objects.filter(site=site).first()
    created = profile is None
    profile = profile or SiteProfile(site=site)
    before = {} if created else audit.snapshot(profile, PROFILE_FIELDS)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if created:
        audit.record_create(actor, profile, PROFILE_FIELDS, unit_path=site.path)
    else:
        audit.record_update(actor, profile, before, PROFILE_FIELDS, unit_path=site.path)
    return profile


logger = logging.getLogger(__name__)


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_registry(
    actor,
    path,
    filename: str = "",
    *,
    dry_run: bool = False,
    confirm_warnings: bool = False,
    progress=None,
) -> Outcome:
    """Import a registry sheet; all or nothing. File-level problems come back as row-0 errors."""
    if actor is not None:
        access.require(actor, "registry", "write")
    try:
        return RegistryImport(
            actor,
            path,
            filename,
            dry_run=dry_run,
            confirm_warnings=confirm_warnings,
            progress=progress,
        ).run()
    except FileError as exc:
        return Outcome(
            errors=[RowError(0, "文件", Path(filename or str(path)).name, str(exc))],
            dry_run=dry_run,
        )


def progress_key(batch_id: int) -> str:
    return f"anju:import:{batch_id}:rows"


def beat_key(batch_id: int) -> str:
    return f"anju:import:{batch_id}:beat"


def start_import(actor, upload, *, dry_run: bool = False) -> ImportBatch:
    """Keep an uploaded sheet and queue its import; the batch page follows its progress."""
    access.require(actor, "registry", "write")
    suffix = Path(upload.name).suffix.lower()
    stored = imports_dir() / f"{uuid.uuid4().hex}{suffix}"
    with open(stored, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    batch = ImportBatch.objects.create(
        created_by=actor,
        file_name=upload.name[:200],
        stored_file=str(stored),
        dry_run=dry_run,
        unit_path=home_path(actor),
    )
    _queue(batch)
    return batch


def _queue(batch: ImportBatch) -> None:
    from . import tasks  # the task module imports this one

    tasks.import_batch.delay(batch.pk)


def confirm_import(actor, batch: ImportBatch) -> ImportBatch:
    """“确认导入”: the uploader has read the warnings; the kept file is imported again, this
    time written if it is still free of errors."""
    access.require(actor, "registry", "write")
    if batch.created_by_id != actor.pk:
        raise PermissionDenied("只有上传人可以确认导入。")
    if batch.status != ImportBatch.Status.WARNED or not Path(batch.stored_file).exists():
        raise ValidationError("该批次不在待确认状态，或文件已过期；请重新上传。")
    batch.confirmed = True
    batch.status = ImportBatch.Status.PENDING
    batch.save(update_fields=["confirmed", "status"])
    _queue(batch)
    return batch


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_batch(batch_id: int) -> ImportBatch:
    """The background part of an upload: run the import and record its outcome on the batch.

    Whatever happens, the batch ends rejected, waiting for confirmation, or done, never left
    "running" (a runner that dies outright is caught by :func:`fail_stale_batches`); the
    uploaded file is deleted afterwards unless it waits for confirmation (the annotated copy of
    a rejected file is kept for the user)."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.PENDING:
        return batch  # a task delivered twice must not import twice
    batch.status = ImportBatch.Status.RUNNING
    batch.started_at = timezone.now()
    batch.runner = _runner()
    batch.save(update_fields=["status", "started_at", "runner"])
    path = Path(batch.stored_file)
    creator = batch.created_by

    def progress(rows):
        cache.set(progress_key(batch.pk), rows, 3600)
        cache.set(beat_key(batch.pk), timezone.now().timestamp(), 3600)

    try:
        if creator is None or not creator.is_active:
            raise PermissionDenied("上传该文件的账号已不存在或已停用，导入已取消。")
        outcome = import_registry(
            creator,
            path,
            batch.file_name,
            dry_run=batch.dry_run,
            confirm_warnings=batch.confirmed,
            progress=progress,
        )
    except PermissionDenied as exc:
        outcome = Outcome(errors=[RowError(0, "账号", "", str(exc))])
    except Exception:  # an unexpected failure must still end the batch, with a reason users read
        logger.exception("registry import %s failed", batch.pk)
        outcome = Outcome(
            errors=[
                RowError(
                    0,
                    "文件",
                    batch.file_name,
                    "导入时发生内部错误，未写入任何数据；请联系系统管理员。",
                )
            ]
        )
    batch.total_rows = batch.processed_rows = outcome.rows
    batch.errors = [e.as_dict() for e in outcome.errors[:5000]]
    batch.error_count = len(outcome.errors)
    batch.warnings = [e.as_dict() for e in outcome.warnings[:5000]]
    batch.warning_count = len(outcome.warnings)
    batch.summary = {**outcome.summary(), "text": outcome.describe()}
    if outcome.errors:
        batch.status = ImportBatch.Status.REJECTED
        if outcome.header_row and path.exists():
            target = imports_dir() / f"{batch.pk}-errors.xlsx"
            if write_error_copy(path, batch.file_name, outcome.errors, outcome.header_row, target):
                batch.error_file = str(target)
    elif batch.dry_run:
        batch.status = ImportBatch.Status.CHECKED
    elif outcome.needs_confirmation:
        batch.status = ImportBatch.Status.WARNED
    else:
        batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()
    if batch.status != ImportBatch.Status.WARNED:
        path.unlink(missing_ok=True)
    return batch


def _runner_alive(runner: str) -> bool | None:
    """Whether the process named "host:pid" still lives; None when it runs on another host."""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_stale_batches(now=None) -> int:
    """End every batch whose runner died (its process is gone, or no sign of life for
    ``ANJU_IMPORT_STALE_SECONDS``) as failed, with its stored file removed; drop the files of
    batches that waited for confirmation longer than ``ANJU_IMPORT_KEEP_SECONDS``. Called when
    the import pages load and periodically (task ``registry.fail_stale_imports``)."""
    now = now or timezone.now()
    stale = getattr(settings, "ANJU_IMPORT_STALE_SECONDS", 1800)
    keep = getattr(settings, "ANJU_IMPORT_KEEP_SECONDS", 2 * 86400)
    failed = 0
    running = ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING)
    for batch in running:
        alive = _runner_alive(batch.runner)
        beat = cache.get(beat_key(batch.pk))
        last = max((batch.started_at or batch.created_at).timestamp(), float(beat) if beat else 0.0)
        if alive is False or now.timestamp() - last > stale:
            updated = ImportBatch.objects.filter(
                pk=batch.pk, status=ImportBatch.Status.RUNNING
            ).update(
                status=ImportBatch.Status.FAILED,
                finished_at=now,
                errors=[
                    {
                        "row": 0,
                        "column": "文件",
                        "value": batch.file_name,
                        "message": "导入进程意外中止，未写入任何数据；请重新上传该文件。"
                        "如再次中止，请把台账复制到新建的工作簿中另存后上传，或联系系统管理员。",
                    }
                ],
                error_count=1,
                stored_file="",
            )
            if updated and batch.stored_file:
                Path(batch.stored_file).unlink(missing_ok=True)
            failed += updated
    waiting = ImportBatch.objects.filter(
        status=ImportBatch.Status.WARNED, finished_at__lt=now - timedelta(seconds=keep)
    ).exclude(stored_file="")
    for batch in waiting:
        Path(batch.stored_file).unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file="")
    return failed


# Households and persons, one at a time (the forms and the API) -------------------------------

HOUSEHOLD_FIELDS = [
    "number",
    "category",
    "settlement",
    "site",
    "destination",
    "building",
    "unit_no",
    "room_no",
    "origin_town",
    "origin_village",
    "move_in_date",
    "dwelling_area",
    "safety_net",
    "phone",
]
PERSON_FIELDS = [
    "name",
    "id_number",
    "relation",
    "ethnicity",
    "political_status",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "hukou_status",
    "medical_insurance",
    "pension_insurance",
    "phone",
]
PLACEMENT = ("site", "destination", "building", "unit_no", "room_no")


def _require(actor, path: str, module: str = "registry") -> None:
    if actor is None:
        return
    access.require(actor, module, "write")
    if not covers(actor, path):
        raise Http404("对象不存在或不在您的管辖范围内。")


def _county_of(node) -> AdminUnit:
    keys = [int(k[1:]) for k in node.path.split("/") if k.startswith("u")]
    county = AdminUnit.objects.filter(pk__in=keys, level=AdminUnit.Level.COUNTY).first()
    if county is None:
        raise ValidationError({"site": "安置点不在任何县（区）之下。"})
    return county


def _placed(household: Household) -> None:
    """Derive what follows from the household's place: county, building's site, path."""
    if (
        household.building_id
        and household.site_id
        and household.building.site_id != household.site_id
    ):
        raise ValidationError({"building": "所选楼栋不在该安置点内。"})
    node = household.building or household.site or household.destination
    if node is None:
        raise ValidationError(
            {"site": "集中安置户须选择安置点；分散安置户须选择安置点或迁入村（社区）。"}
        )
    household.county = _county_of(node)
    household.path = node.path


def _where(household: Household) -> str:
    place = (
        household.site.name
        if household.site_id
        else (household.destination.name if household.destination_id else "")
    )
    return " ".join(p for p in (place, household.place) if p) or "—"


@transaction.atomic
def create_household(actor, **values) -> Household:
    household = Household(**values)
    _placed(household)
    _require(actor, household.path)
    household.phone = normalize.phone(household.phone) if household.phone else ""
    household.full_clean(exclude=["path"])
    household.save()
    rollups.add_difference({}, rollups.snapshot(*rollups.households_where([household.pk])))
    audit.record_create(actor, household, HOUSEHOLD_FIELDS)
    return household


@transaction.atomic
def update_household(actor, household: Household, **changes) -> Household:
    _require(actor, household.path)
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    before_path = household.path
    where_before = _where(household)
    tracking = rollups.track_households([household.pk])
    tracking.start()
    for name, value in changes.items():
        setattr(household, name, value)
    _placed(household)
    _require(actor, household.path)
    household.updated_at = timezone.now()
    household.full_clean(exclude=["path"])
    household.save()
    Person.objects.filter(household=household).update(
        path=household.path, category=household.category
    )
    tracking.finish()
    if household.path != before_path:
        households_placed.send(None, household_ids=[household.pk])
    if any(before[f] != audit.snapshot(household, [f])[f] for f in PLACEMENT):
        HouseholdMove.objects.create(
            household=household,
            before=where_before,
            after=_where(household),
            actor_name=_name(actor),
        )
    audit.record_update(actor, household, before, HOUSEHOLD_FIELDS)
    return household


def _name(actor) -> str:
    return (
        actor.display_name if actor is not None and actor.is_authenticated else audit.SYSTEM_ACTOR
    )


def _clean_person(person: Person) -> None:
    """The same rules as the import: enumerations by label, identity number checked."""
    for field, (labels, aliases, what) in choices.PERSON_ENUMS.items():
        try:
            setattr(
                person,
                field,
                normalize.choice(getattr(person, field), labels, alias_group=aliases, what=what),
            )
        except normalize.CellError as exc:
            raise ValidationError({field: str(exc)}) from None
    if not person.relation:
        raise ValidationError({"relation": "与户主关系不能为空。"})
    for field, (labels, what) in choices.PERSON_MULTI.items():
        value = getattr(person, field) or []
        if not isinstance(value, list):
            raise ValidationError({field: f"{what}应为列表。"})
        try:
            setattr(person, field, normalize.many("、".join(map(str, value)), labels, what=what))
        except normalize.CellError as exc:
            raise ValidationError({field: str(exc)}) from None
    try:
        person.id_number = normalize.id_number(person.id_number)
    except normalize.CellError as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    person.birth_date = normalize.birth_date_of(person.id_number)
    person.sex = normalize.sex_of(person.id_number)
    if person.phone:
        try:
            person.phone = normalize.phone(person.phone)
        except normalize.CellError as exc:
            raise ValidationError({"phone": str(exc)}) from None
    if person.relation == choices.HEAD:
        heads = Person.objects.filter(household=person.household, relation=choices.HEAD)
        if heads.exclude(pk=person.pk).exists():
            raise ValidationError({"relation": "该户已有户主。"})
    person.path = person.household.path
    person.category = person.household.category


@transaction.atomic
def add_person(
    actor, household: Household, *, reason: str = "", module: str = "registry", **values
) -> Person:
    """``reason``: why, when another record caused it (the monthly visit that found a newborn),
    kept with the audit entry. ``module``: the module whose write right the change rests on —
    a grid worker, who may not edit the registry, records on a visit (monitoring) the newborn,
    the death or the illness found there; the scope check is the same."""
    _require(actor, household.path, module)
    person = Person(household=household, **values)
    _clean_person(person)
    person.full_clean(exclude=["path"])
    with rollups.track_households([household.pk]):
        person.save()
    audit.record_create(actor, person, PERSON_FIELDS, note=reason)
    return person


@transaction.atomic
def update_person(
    actor, person: Person, *, reason: str = "", module: str = "registry", **changes
) -> Person:
    """``reason`` and ``module``: as for ``add_person``."""
    _require(actor, person.path, module)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in changes.items():
        setattr(person, name, value)
    _clean_person(person)
    person.updated_at = timezone.now()
    person.full_clean(exclude=["path"])
    with rollups.track_households([person.household_id]):
        person.save()
    audit.record_update(actor, person, before, PERSON_FIELDS, note=reason)
    return person


@transaction.atomic
def move_person(
    actor, person: Person, household: Household, *, relation: str, note: str = ""
) -> Person:
    """A person leaves their household for another; the move stays in the person's history."""
    _require(actor, person.path)
    _require(actor, household.path)
    if household.pk == person.household_id:
        raise ValidationError({"household": "此人已在该户中。"})
    before = audit.snapshot(person, ["household", "relation"])
    old = person.household
    person.household = household
    person.relation = relation
    _clean_person(person)
    with rollups.track_households([old.pk, household.pk]):
        person.save()
    PersonMove.objects.create(
        person=person,
        from_household=old,
        to_household=household,
        actor_name=_name(actor),
        note=note,
    )
    audit.record_update(actor, person, before, ["household", "relation"])
    return person


def reveal_id_number(actor, person: Person) -> str:
    """The full identity number; only roles allowed to see it, and every look is logged."""
    if not access.can_reveal_identity(actor):
        raise PermissionDenied("您的角色无权查看完整身份证号。")
    audit.record_reveal(actor, person, "id_number", unit_path=person.path)
    return person.id_number


@transaction.atomic
def delete_person(actor, person: Person, *, reason: str, module: str = "registry") -> None:
    """A person entered by mistake or twice, or who died, is removed; the reason and the row stay
    in the audit log. ``module``: as for ``add_person``."""
    _require(actor, person.path, module)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写删除原因。"})
    if person.relation == choices.HEAD and person.household.members.exclude(pk=person.pk).exists():
        raise ValidationError({"relation": "该户还有其他成员，请先指定新的户主再删除原户主。"})
    before = audit.snapshot(person, PERSON_FIELDS)
    pk, path, household_id = person.pk, person.path, person.household_id
    with rollups.track_households([household_id]):
        person.delete()
    audit.record_delete(actor, person, {**before, "原因": reason}, object_id=pk, unit_path=path)


@transaction.atomic
def delete_household(actor, household: Household, *, reason: str) -> None:
    """A household entered by mistake is removed; only an empty one (move or delete its members
    first), so nobody disappears with it."""
    _require(actor, household.path)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写删除原因。"})
    if household.members.exists():
        raise ValidationError({"household": "该户还有家庭成员，不能删除；请先迁出或删除成员。"})
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    pk, path = household.pk, household.path
    with rollups.track_households([pk]):
        household.delete()
    audit.record_delete(actor, household, {**before, "原因": reason}, object_id=pk, unit_path=path)
