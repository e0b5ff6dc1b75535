"""The five-year plan 2021–2025 and the SAMPLE 2025 plan, checked against the text they come from."""

import re
from pathlib import Path

import pytest
import yaml

from chitieu.catalogue import CatalogueError, load_plan
from chitieu.numbers import parse_vi_number
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR

PLANS = Path(DEFAULT_PLANS_DIR)
REF = load_reference(DEFAULT_REFERENCE_DIR)
FIVE = load_plan(PLANS / "lai-chau-2021-2025.yaml", REF)
Y2025 = load_plan(PLANS / "lai-chau-2025.yaml", REF)
SECTIONS = {"Economy": 1, "Infrastructure": 2, "Education": 3}


def _bullets() -> dict[int, list[str]]:
    """The summary's bullets by section (1 economy, 2 infrastructure, 3 education)."""
    text = (PLANS / "lai-chau-2021-2025-targets.vi.md").read_text(encoding="utf-8")
    out, group = {}, None
    for line in text.splitlines():
        if line.strip() in SECTIONS:
            group = SECTIONS[line.strip()]
        elif line.startswith("Known outcomes"):
            group = None
        elif group and line.startswith("- ") and not line.startswith("- (the summary"):
            out.setdefault(group, []).append(line[2:].strip())
    return out


BULLETS = _bullets()


def test_the_summary_has_three_sections():
    assert {g: len(b) for g, b in BULLETS.items()} == {1: 12, 2: 4, 3: 2}


@pytest.mark.parametrize(
    "target", FIVE.targets + Y2025.targets, ids=lambda t: f"{t.plan_id}:{t.code}"
)
def test_clause_is_verbatim_in_its_section(target):
    assert any(target.text_vi in b for b in BULLETS[target.group_no])


@pytest.mark.parametrize(
    "target",
    [t for t in FIVE.targets + Y2025.targets if t.value_vi],
    ids=lambda t: f"{t.plan_id}:{t.code}",
)
def test_value_is_written_in_the_clause_and_parses_to_the_target(target):
    assert re.search(rf"(?<![\d,.]){re.escape(target.value_vi)}(?![\d,])", target.text_vi)
    assert parse_vi_number(target.value_vi).as_float() == target.target_value


def test_every_number_of_each_section_is_a_five_year_target():
    # not target values: "(2025)", "15 criteria", "5-year-olds", "level 2 / level 1"
    not_targets = {"2025", "15", "5", "2", "1"}
    for g, bullets in BULLETS.items():
        numbers = {n for b in bullets for n in re.findall(r"\d+(?:[.,]\d+)*", b)}
        values = {t.value_vi for t in FIVE.targets if t.group_no == g and t.value_vi}
        assert numbers - not_targets == values - {"5"}, f"section {g}"


def test_five_year_plan_header_and_kinds():
    assert (FIVE.plan_kind, FIVE.start_year, FIVE.year, FIVE.baseline_year) == (
        "five_year",
        2021,
        2025,
        2020,
    )
    assert [FIVE.covers(y) for y in (2020, 2021, 2025, 2026)] == [False, True, True, False]
    kinds = {t.code: (t.kind, t.target_value, t.strict) for t in FIVE.targets}
    assert kinds["grdp_growth_avg"] == ("avg_growth", 9.0, False)
    assert kinds["agri_value_added_growth_avg"] == ("avg_growth", 5.0, True)
    assert kinds["tourist_arrivals_growth_avg"] == ("avg_growth", 20.0, False)
    assert kinds["cereal_output"] == ("end_level", 226000.0, True)
    assert kinds["communes_under_15_criteria"] == ("end_level", 0.0, False)
    assert sum(t.kind == "avg_growth" for t in FIVE.targets) == 6
    assert len(FIVE.targets) == 30
    shares = sum(t.target_value for t in FIVE.targets if t.share_group == "grdp_structure")
    assert round(shares, 2) == 100.0


def test_2025_plan_is_a_labelled_sample_of_the_end_targets():
    from chitieu.plan_header import load_plan_header

    assert Y2025.sample and Y2025.title_en.startswith("SAMPLE")
    # reports cite it as a sample, never as a council resolution
    header = load_plan_header(PLANS / "lai-chau-2025.yaml")
    assert header.title_vi.startswith(
        "MẪU (SAMPLE) — Kế hoạch phát triển kinh tế - xã hội năm 2025"
    )
    assert header.citation_vi() == "kế hoạch MẪU (SAMPLE), không phải nghị quyết chính thức"
    assert header.citation_en() == "a SAMPLE plan, not an official resolution"
    assert (
        load_plan_header(PLANS / "lai-chau-2024.yaml")
        .citation_vi()
        .startswith("Nghị quyết ngày 07/12/2023 của Hội đồng nhân dân tỉnh Lai Châu")
    )
    assert (Y2025.plan_kind, Y2025.year, Y2025.baseline_year) == ("annual", 2025, 2024)
    assert {t.kind for t in Y2025.targets} <= {"at_least", "at_most", "share", "maintain"}
    five = {t.text_vi: t for t in FIVE.targets}
    for t in Y2025.targets:
        assert (
            five[t.text_vi].kind != "avg_growth" and five[t.text_vi].target_value == t.target_value
        )


def test_period_kinds_need_a_multi_year_plan(tmp_path):
    doc = yaml.safe_load((PLANS / "lai-chau-2024.yaml").read_text(encoding="utf-8"))
    doc["targets"][0] |= {"kind": "avg_growth", "tolerance": None}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=r"entry 1 \(grdp_growth\): kind 'avg_growth' needs a multi-year plan"
    ):
        load_plan(bad, REF)
    doc = yaml.safe_load((PLANS / "lai-chau-2021-2025.yaml").read_text(encoding="utf-8"))
    doc["plan"]["start_year"] = 2026
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        CatalogueError,
        match="a five-year plan needs start_year between baseline_year and year, not 2026",
    ):
        load_plan(bad, REF)
