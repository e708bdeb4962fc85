"""Data quality checks as a background job: what each check finds, stored findings scoped to
the reader, runs that replace their subtree's findings atomically, and the 重新检查 button."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from unittest import mock

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from stdnum.cn import ric

from anju.accounts import access
from anju.orgs import services as org_services
from anju.registry import quality, services, summary, tasks
from anju.registry.models import Person, QualityFinding, QualityRun

from .sheets import family, make_id, write_xlsx

TODAY = date(2026, 6, 1)
REGISTRY_CHECKS = {"declared", "conflict", "head", "id", "duplicate", "schooling", "skill"}


def _findings(code):
    return list(QualityFinding.objects.filter(code=code).order_by("path", "id"))


def _spoil(world):
    """One problem of every kind in town 甲; town 乙 keeps its clean household."""
    a = world.a
    head = a.household.members.get(relation="户主")
    services.update_person(None, head, labour_skill="")  # 46 years old, no skill
    child = a.household.members.get(relation="之子")
    services.update_person(None, child, schooling="非在校生")  # 14 years old
    two_heads = services.create_household(None, number="甲002", category="lifted", site=a.site)
    for seq in (31, 33):
        services.add_person(
            None,
            two_heads,
            name=f"双户主{seq}",
            relation="之子",
            id_number=make_id("19900101", seq),
            labour_skill="普通劳动力",
        )
    # Two heads: the services refuse it now, older ledgers hold it.
    two_heads.members.update(relation="户主")
    headless = services.create_household(None, number="甲003", category="co_relocated", site=a.site)
    bad = services.add_person(
        None,
        headless,
        name="无户主",
        relation="配偶",
        id_number=make_id("19700101", 41),
        labour_skill="普通劳动力",
    )
    # A number the import would refuse today, kept from an older ledger.
    Person.objects.filter(pk=bad.pk).update(id_number=bad.id_number[:-1] + "0")
    # The same person (name and birth date) in a household of town 乙.
    services.add_person(
        None,
        world.b.household,
        name="甲户主",
        relation="之父",
        id_number=make_id("19800101", 51),
        labour_skill="普通劳动力",
    )
    return head, child, two_heads, headless


def test_each_check_finds_what_it_should(world):
    head, child, two_heads, headless = _spoil(world)
    run = quality.check_now(today=TODAY)
    assert run.status == QualityRun.Status.DONE
    assert [(f.household_id, f.message) for f in _findings("head")] == [
        (two_heads.pk, "有 2 个户主"),
        (headless.pk, "没有户主"),
    ]
    assert [(f.subject, f.message) for f in _findings("id")] == [
        ("无户主（户 甲003）", "身份证号校验不通过")
    ]
    assert [(f.person_id, f.message) for f in _findings("schooling")] == [
        (child.pk, "14 岁，标为非在校生")
    ]
    assert [(f.person_id, f.message) for f in _findings("skill")] == [
        (head.pk, "46 岁，未填劳动技能")
    ]
    duplicates = _findings("duplicate")
    assert {f.household_id for f in duplicates} == {world.a.household.pk, world.b.household.pk}
    assert all(f.message == "与其他 1 户的成员姓名、出生日期相同" for f in duplicates)
    # Checks other apps add (monitoring's) find nothing in this registry.
    assert {
        code: n for code, n in run.counts.items() if code not in REGISTRY_CHECKS
    } == dict.fromkeys(set(run.counts) - REGISTRY_CHECKS, 0)
    assert {code: n for code, n in run.counts.items() if code in REGISTRY_CHECKS} == {
        "declared": 0,
        "conflict": 0,
        "head": 2,
        "id": 1,
        "duplicate": 2,
        "schooling": 1,
        "skill": 1,
    }


def test_age_limits_match_age_on(world):
    """A child turns 6 on their birthday (29 February falls back to the 28th like age_on)."""
    household = world.a.household
    for birth, seq in (("20200229", 61), ("20200301", 63), ("20100602", 65), ("20100601", 67)):
        services.add_person(
            None,
            household,
            name=f"孩子{seq}",
            relation="之女",
            id_number=make_id(birth, seq),
            schooling="非在校生",
            labour_skill="无劳动力",
        )
    for on in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 6, 1), date(2028, 2, 29)):
        quality.check_now(today=on)
        flagged = {f.person_id for f in _findings("schooling")}
        expected = {
            p.pk
            for p in Person.objects.filter(schooling="非在校生")
            if quality.COMPULSORY_AGES[0] <= p.age_on(on) <= quality.COMPULSORY_AGES[1]
        }
        assert flagged == expected, on
        assert flagged  # the boundary cases are not all outside


def test_identity_rule_in_sql_matches_stdnum(db):
    """The SQL check (length, digits, check digit, date) agrees with python-stdnum on a mix of
    valid, mistyped and malformed numbers; the region rule is judged by region_in_use."""
    rng = random.Random(6)
    samples = ["", "12345", "61083019800101001X", "610830198002300011", "61083020000229001"]
    for _ in range(300):
        body = f"{rng.randint(110000, 659999)}{rng.randint(1900, 2025)}"
        body += f"{rng.randint(1, 13):02d}{rng.randint(1, 31):02d}{rng.randint(0, 999):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if rng.random() < 0.5:
            number = number[:-1] + rng.choice("0123456789Xx")
        samples.append(number)

    def stdnum_ok(number: str) -> bool:
        n = number.upper()
        if len(n) != 18 or not n[:17].isdigit() or n[-1] != ric.calc_check_digit(n):
            return False
        try:
            ric.get_birth_date(n)
        except Exception:
            return False
        return True

    with connection.cursor() as cursor:
        for number in samples:
            cursor.execute(
                f"SELECT {quality._id_valid_sql('t.v', 't.n')} FROM (SELECT n, "
                f"{quality._id_value_sql('n')} AS v FROM (SELECT CAST(%s AS TEXT) AS n) u) t",
                [number],
            )
            assert bool(cursor.fetchone()[0]) == stdnum_ok(number), number
    assert quality.region_in_use("610830", 2005) and quality.region_in_use("612731", 1990)
    assert not quality.region_in_use("612731", 2005)
    assert not quality.region_in_use("999999", 2005)


def test_region_code_not_in_use_is_listed_for_checking(world):
    person = services.add_person(
        None,
        world.a.household,
        name="补登",
        relation="之女",
        id_number=make_id("20050101", 71),
        labour_skill="无劳动力",
        schooling="高中",
    )
    # 612731 was retired in 1999: a number re-issued late keeps it (stored before the warning).
    Person.objects.filter(pk=person.pk).update(id_number=make_id("20050101", 71, region="612731"))
    quality.check_now(today=TODAY)
    found = _findings("id")
    assert [f.person_id for f in found] == [person.pk]
    assert "请核实" in found[0].message


def test_declared_figures_are_compared_with_grouped_counts(world):
    site = world.a.site
    services.save_profile(
        None,
        site,
        declared_households=3,
        declared_persons=2,
        declared_on=date(2026, 1, 1),
        declared_breakdowns={
            "age": {"bounds": [18, 61], "labels": ["<18", "18–60", "≥61"], "counts": [1, 1, 1]},
            "education": {
                "population": "labour",
                "labels": ["文盲", "小学至高中", "中专以上"],
                "counts": [0, 1, 0],
            },
            "labour_persons": 2,
        },
        declared_conflicts=["第一处与第二处户数不一致"],
    )
    quality.check_now(today=TODAY)
    declared = {f.subject: f.message for f in _findings("declared")}
    assert declared == {
        "户数": "申报 3，台账统计 1（差 -2）",
        "年龄分段": "申报 3 人（<18 1、18–60 1、≥61 1），台账统计 2 人（<18 1、18–60 1、≥61 0）",
        "有劳动能力人数": "申报 2，台账统计 1（差 -1）",
    }
    assert [(f.site_id, f.message) for f in _findings("conflict")] == [
        (site.pk, "第一处与第二处户数不一致")
    ]


def test_counted_by_site_equals_the_summary(world):
    """The grouped SQL counts the same figures the summary counts row by row."""
    site = world.a.site
    rng = random.Random(3)
    for i in range(12):
        household = services.create_household(
            None,
            number=f"甲C{i:02d}",
            category=rng.choice(["lifted", "co_relocated"]),
            site=site,
            safety_net=rng.choice(["", "dibao", "tekun"]),
        )
        for j in range(rng.randint(1, 4)):
            services.add_person(
                None,
                household,
                name=f"成员{i}{j}",
                relation="户主" if j == 0 else "之子",
                id_number=make_id(f"{rng.randint(1940, 2022)}0{rng.randint(1, 9)}15", i * 10 + j),
                education=rng.choice(["", "小学", "初中", "高中", "中专", "大专", "文盲或半文盲"]),
                schooling=rng.choice(["", "非在校生", "小学"]),
                labour_skill=rng.choice(["", "普通劳动力", "无劳动力", "技能劳动力"]),
            )
    on = date(2026, 3, 1)
    counted = quality.counted_by_site([site.path], on)[site.path]
    user = world.users["whole_county"]
    everyone = summary.for_node(user, site, on=on)
    lifted = summary.for_node(user, site, on=on, category="lifted")
    assert (counted.households["total"], counted.persons) == (everyone.households, everyone.persons)
    assert counted.lifted_persons == lifted.persons
    assert counted.age_bands([19, 36, 60]) == lifted.age_schemes[0]["counts"]
    for scheme in (summary.EDUCATION_FIVE, summary.EDUCATION_THREE):
        key = "five" if scheme is summary.EDUCATION_FIVE else "three"
        assert (
            summary.education_bands(counted.lifted_education_all, scheme)
            == (lifted.education_all[key])
        )
        assert (
            summary.education_bands(counted.lifted_education_labour, scheme)
            == (lifted.education_labour[key])
        )
    assert (counted.lifted_labour_persons, counted.lifted_labour_households) == (
        lifted.labour_persons,
        lifted.labour_households,
    )
    assert (counted.lifted_households["safety"], counted.lifted_safety_persons) == (
        lifted.safety_net_households,
        lifted.safety_net_persons,
    )


def test_findings_are_scoped_to_the_reader(world, client_for):
    _spoil(world)
    spoil_b = world.b.household.members.get(relation="户主")
    services.update_person(None, spoil_b, labour_skill="")
    quality.check_now(today=TODAY)
    b = client_for(world.users["b_town_staff"])
    data = b.get("/api/registry/quality/").json()
    assert data["count"] == 2  # 乙户主 without a skill, and 乙's half of the duplicate
    assert {(r["place"], r["subject"][-8:]) for r in data["results"]} == {
        ("乙安置点", "（户 乙001）")
    }
    duplicate = next(r for r in data["results"] if r["check"] == "duplicate")
    assert duplicate["detail"] == "另有 1 户在您的管辖范围外"
    page = b.get("/registry/quality/").content.decode()
    assert "户 甲" not in page and "甲安置点" not in page and "乙户主" in page
    county = client_for(world.users["whole_county"])
    rows = county.get("/api/registry/quality/?check=duplicate").json()["results"]
    assert {r["detail"] for r in rows} == {
        "与户 乙001 的成员姓名、出生日期相同",
        "与户 甲001 的成员姓名、出生日期相同",
    }
    b = client_for(world.users["b_town_staff"])  # the same test client, logged in again
    assert b.get(f"/api/registry/quality/?node={world.a.site.key}").status_code == 404
    assert b.get(f"/registry/quality/?node={world.a.site.key}").status_code == 404
    assert b.get("/api/registry/quality/?check=nonsense").status_code == 400


def test_page_export_and_api_show_the_same_figures(world, client_for):
    _spoil(world)
    run = quality.check_now(today=TODAY)
    client = client_for(world.users["town_staff"])
    data = client.get("/api/registry/quality/").json()
    body = client.get("/registry/quality/").content.decode()
    local = timezone.localtime(run.finished_at)
    assert f"检查时间：{local:%Y-%m-%d %H:%M}" in body
    assert data["checked_at"] == local.isoformat() and data["checked_at"].endswith("+08:00")
    assert f"共 {data['count']} 条" in body
    for item in data["counts"]:
        assert f'{item["check_label"]} <span class="text-muted small">（{item["count"]}）' in body
    response = client.get("/registry/quality/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == data["count"]
    assert sorted(r[3] for r in rows) == sorted(r["detail"] for r in data["results"])


def test_long_lists_are_paginated(world, client_for):
    household = world.a.household
    for i in range(120):
        services.add_person(
            None,
            household,
            name=f"无技能{i}",
            relation="之子",
            id_number=make_id("19900101", 100 + i * 2),
        )
    quality.check_now(today=TODAY)
    client = client_for(world.users["town_staff"])
    body = client.get("/registry/quality/").content.decode()
    assert "查看全部 120 条" in body and body.count("岁，未填劳动技能") == 50
    second = client.get("/registry/quality/?check=skill&page=2").content.decode()
    assert "第 2 / 2 页" in second and second.count("岁，未填劳动技能") == 20
    api = client.get("/api/registry/quality/?check=skill&page=2").json()
    assert (api["page"], api["pages"], len(api["results"])) == (2, 2, 20)


def test_a_rerun_replaces_the_findings_of_its_subtree_only(world):
    head = world.a.household.members.get(relation="户主")
    services.update_person(None, head, labour_skill="")
    b_head = world.b.household.members.get(relation="户主")
    services.update_person(None, b_head, labour_skill="")
    first = quality.check_now(today=TODAY)
    again = quality.check_now(today=TODAY)
    assert first.counts == again.counts
    assert QualityFinding.objects.count() == 2
    assert set(QualityFinding.objects.values_list("run_id", flat=True)) == {again.pk}
    # Fixed in town 甲, re-checked for town 甲: its finding goes, town 乙's stays as it was.
    services.update_person(None, head, labour_skill="普通劳动力")
    town = quality.check_now(world.a.unit.path, today=TODAY)
    assert town.counts["skill"] == 0 and town.unit_name == "甲镇"
    left = QualityFinding.objects.get()
    assert (left.person_id, left.run_id) == (b_head.pk, again.pk)
    # Town 甲's page shows the town's own run; town 乙's the run over everything.
    assert quality.runs_for(world.users["town_staff"])["last"] == town
    assert quality.runs_for(world.users["b_town_staff"])["last"] == again
    quality.check_now(world.a.site.path, today=TODAY)  # a smaller run inside does not replace it
    assert quality.runs_for(world.users["town_staff"])["last"] == town


def test_a_failing_run_is_marked_failed_and_the_old_findings_stay(world, monkeypatch):
    services.update_person(None, world.a.household.members.get(relation="户主"), labour_skill="")
    good = quality.check_now(today=TODAY)
    before = list(QualityFinding.objects.values_list("id", "message"))

    def broken(ctx):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(quality, "CHECK_STEPS", (*quality.CHECK_STEPS[:3], broken))
    failed = quality.check_now(today=TODAY)
    assert failed.status == QualityRun.Status.FAILED and "磁盘已满" in failed.error
    assert list(QualityFinding.objects.values_list("id", "message")) == before
    assert quality.runs_for(world.users["town_staff"])["last"] == good


def test_a_lost_run_expires_and_does_not_block(world):
    lost = QualityRun.objects.create(unit_path="", status=QualityRun.Status.RUNNING)
    assert quality.check_now(today=TODAY) is None  # one at a time
    QualityRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert quality.check_now(today=TODAY).status == QualityRun.Status.DONE
    lost.refresh_from_db()
    assert lost.status == QualityRun.Status.FAILED and "中断" in lost.error


def test_rerun_button_enqueues_once(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.users["town_staff"])
    with (
        mock.patch.object(tasks.run_quality, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = client.post("/registry/quality/rerun/", follow=True).content.decode()
        second = client.post("/registry/quality/rerun/", follow=True).content.decode()
    run = QualityRun.objects.get()
    assert (run.unit_path, run.status, run.requested_by) == (
        world.a.unit.path,
        QualityRun.Status.QUEUED,
        world.users["town_staff"],
    )
    delay.assert_called_once_with(run.pk)
    assert "已提交「甲镇」的数据质量检查" in first
    assert "「甲镇」的数据质量检查正在进行（排队中），请稍后刷新本页" in second
    tasks.run_quality(run.pk)  # what the worker does with it
    run.refresh_from_db()
    assert run.status == QualityRun.Status.DONE
    assert "检查时间：" in client.get("/registry/quality/").content.decode()
    assert client.get("/registry/quality/rerun/").status_code == 405


def test_rerun_button_needs_csrf_and_registry_read(world):
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(world.users["town_staff"])
    assert csrf.post("/registry/quality/rerun/").status_code == 403
    for role, user in world.users.items():
        if not access.allows(user, "registry", "read"):
            other = Client()
            other.force_login(user)
            assert other.post("/registry/quality/rerun/").status_code == 403, role
    assert not QualityRun.objects.exists()


def test_an_import_queues_the_checks_for_its_unit(
    world, client_for, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    client = client_for(world.users["town_staff"])
    rows = family("甲009")
    rows[0]["劳动技能"] = ""
    path = write_xlsx(tmp_path / "up.xlsx", rows)
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
        assert client.post("/registry/import/", {"file": handle}).status_code == 302
    run = QualityRun.objects.get()
    assert (run.reason, run.unit_path, run.status) == ("import", world.a.unit.path, "done")
    assert QualityFinding.objects.filter(code="skill", subject="王大山（户 甲009）").exists()


def test_cli_and_nightly_task(world, capsys):
    services.update_person(None, world.a.household.members.get(relation="户主"), labour_skill="")
    call_command("quality", "check", "--unit", "610830")
    out = capsys.readouterr().out
    assert "「清涧县」数据质量检查完成" in out and "劳动年龄人口未填劳动技能：1 条" in out
    call_command("quality", "check", "--unit", world.a.site.key)
    assert "「甲安置点」" in capsys.readouterr().out
    with pytest.raises(Exception, match="没有区划代码或单位键为「999」的单位"):
        call_command("quality", "check", "--unit", "999")
    assert tasks.quality_nightly() == "done"
    assert QualityRun.objects.filter(reason="nightly", unit_path="").exists()


def test_moving_a_site_moves_its_findings(world):
    services.update_person(None, world.a.household.members.get(relation="户主"), labour_skill="")
    quality.check_now(today=TODAY)
    org_services.update_node(None, world.a.site, admin_unit=world.a.unit)
    household = world.a.household
    household.refresh_from_db()
    assert QualityFinding.objects.get().path == household.path
    assert household.path.startswith(world.a.unit.path) and "u" + str(world.a.community.pk) not in (
        household.path
    )


def test_a_unit_run_finds_duplicates_outside_the_unit(world):
    """A town's run probes the index for each of its persons: the other household may be
    anywhere on the platform; the finding belongs to the town's person."""
    _spoil(world)
    run = quality.check_now(world.a.unit.path, today=TODAY)
    assert run.counts["duplicate"] == 1
    finding = QualityFinding.objects.get(code="duplicate")
    assert finding.household_id == world.a.household.pk
    assert finding.details["others"] == [
        {"id": world.b.household.pk, "number": "乙001", "path": world.b.household.path}
    ]
