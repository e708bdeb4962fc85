"""Officials read plans by their titles: no page cites a line of a file, a seed file's number or
"the first set" of age bands."""

from __future__ import annotations

import re

from anju.registry.seed_conflicts import CONFLICTS, source_of
from anju.registry.seed_sites import SITES

INTERNAL = re.compile(r"第\s*\d+(、\d+)*\s*行|种子|seed|第\s*\d+\s*套")


def test_every_plan_disagreement_cites_its_plan_by_title():
    assert CONFLICTS
    for site, texts in CONFLICTS.items():
        title = SITES[site]["plan_title"]
        assert title.startswith("清涧县") and title.endswith("后续扶持方案")
        for text in texts:
            assert text.startswith(f"《{title}》"), text
            assert not INTERNAL.search(text), text


def test_every_site_names_its_plan():
    for site in SITES:
        assert source_of(site) == f"《{SITES[site]['plan_title']}》"
    assert source_of("牛家湾集中安置点") == "《清涧县牛家湾集中安置点后续扶持方案》"
    assert source_of("不存在的安置点") == ""


def test_age_band_schemes_are_named_by_their_bands(world, client_for):
    from datetime import date

    from anju.policies import services

    for key, value in (
        ("registry.age_bands", "18, 60"),
        ("registry.age_bands_secondary", "19, 36, 60"),
    ):
        services.set_value(
            None, key=key, unit=world.county, valid_from=date(2020, 1, 1), value=value
        )
    client = client_for(world.users["whole_county"])
    body = client.get(f"/registry/summary/{world.county.key}/").content.decode()
    assert not INTERNAL.search(body)
    headers = re.findall(r"<th>(年龄[^<]*)</th>", body)
    assert len(headers) == 2 and len(set(headers)) == 2, headers
    assert "年龄（0–18岁/19–35岁/36–59岁/60岁及以上）" in headers
    assert "年龄（0–17岁/18–59岁/60岁及以上）" in headers


def test_policy_presets_cite_documents_by_title():
    from anju.policies.presets import PRESETS

    for *_, source in PRESETS:
        assert not re.match(r"\d{3}\b", source), source
        assert "《" in source or source.startswith("清涧县各集中安置点"), source
