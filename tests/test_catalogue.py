"""The plan catalogue loads, and each kind of mistake is reported with file and entry."""

from pathlib import Path

import pytest
import yaml

from chitieu.catalogue import CatalogueError, load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR

PLAN = Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml"


@pytest.fixture(scope="module")
def ref():
    return load_reference(DEFAULT_REFERENCE_DIR)


@pytest.fixture
def plan_doc():
    return yaml.safe_load(PLAN.read_text(encoding="utf-8"))


def _write(tmp_path, doc) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_bundled_plan_loads(ref):
    plan = load_plan(PLAN, ref)
    assert plan.plan_id == "lai-chau-2024"
    assert (plan.year, plan.baseline_year) == (2024, 2023)
    assert len(plan.targets) == 50
    frame = plan.targets_frame()
    assert frame["target_code"].is_unique
    assert set(frame["plan_id"]) == {"lai-chau-2024"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda t: t[1].update(code=t[0]["code"]),
            "entry 2 (grdp_growth): duplicate code, first used by entry 1",
        ),
        (lambda t: t[0].update(unit="tấn/ha"), "entry 1 (grdp_growth): unknown unit 'tấn/ha'"),
        (
            lambda t: t[0].update(department="sxyz"),
            "entry 1 (grdp_growth): unknown department 'sxyz'",
        ),
        (lambda t: t[0].update(area="999"), "entry 1 (grdp_growth): unknown area '999'"),
        (lambda t: t[0].update(kind="about"), "entry 1 (grdp_growth): unknown kind 'about'"),
        (
            lambda t: t[0].update(value_vi="9.0"),
            "entry 1 (grdp_growth): value_vi does not parse: found '9.0': ambiguous",
        ),
        (
            lambda t: t[0].update(value_vi="9,5"),
            "entry 1 (grdp_growth): value_vi '9,5' reads as 9.5, but target_value is 9.0",
        ),
        (
            lambda t: t[0].update(target_value="chín"),
            "entry 1 (grdp_growth): target_value 'chín' is not a number",
        ),
        (
            lambda t: t[0].pop("tolerance"),
            "entry 1 (grdp_growth): kind 'approx' needs a numeric tolerance",
        ),
        (
            lambda t: t[1].update(target_value=16.31, value_vi="16,31"),
            "share group 'grdp_structure': shares sum to 101.01, expected 100 ± 0.05",
        ),
    ],
)
def test_catalogue_errors_name_file_and_entry(tmp_path, ref, plan_doc, mutate, message):
    mutate(plan_doc["targets"])
    path = _write(tmp_path, plan_doc)
    with pytest.raises(CatalogueError) as err:
        load_plan(path, ref)
    assert str(err.value).startswith(f"{path}: ")
    assert any(p.startswith(message) for p in err.value.problems), err.value.problems


def _set(lines: list[str], start: str, value: str, after: str = "") -> int:
    """The first line starting with ``start`` (below the line ``after``) becomes ``start +
    value``; returns its number, from 1."""
    first = lines.index(after) if after else 0
    n = next(n for n in range(first, len(lines)) if lines[n].startswith(start))
    lines[n] = start + value
    return n + 1


def _write_lines(tmp_path, lines: list[str]) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_numbers_int_cannot_read_are_problems_with_their_line(tmp_path, ref):
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    year = _set(lines, "  year: ", "2024.5")
    group = _set(lines, "  group: ", "yes", after="- code: econ_share_agriculture")
    with pytest.raises(CatalogueError) as err:
        load_plan(_write_lines(tmp_path, lines), ref)
    assert err.value.problems == [
        f"line {year}: plan header: year: found 2024.5, expected a whole number",
        f"line {group}: entry 2 (econ_share_agriculture): group: found True, expected a whole number",
    ], "and no share sum of a group that misses an entry"
    five_year = Path(DEFAULT_PLANS_DIR) / "lai-chau-2021-2025.yaml"
    lines = five_year.read_text(encoding="utf-8").splitlines()
    baseline = _set(lines, "  baseline_year: ", "'2020 {oops'")
    with pytest.raises(CatalogueError) as err:  # not int()'s ValueError
        load_plan(_write_lines(tmp_path, lines), ref)
    assert err.value.problems == [
        f"line {baseline}: plan header: baseline_year: found '2020 {{oops', expected a whole number"
    ]


def test_an_entry_or_section_of_the_wrong_shape_is_a_problem_not_a_crash(tmp_path, ref):
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    first = next(
        i for i, x in enumerate(lines) if x.startswith("  - code: ") or x.startswith("- code: ")
    )
    indent = lines[first][: lines[first].index("-")]
    lines.insert(first, f"{indent}- just a sentence")
    with pytest.raises(CatalogueError) as err:
        load_plan(_write_lines(tmp_path, lines), ref)
    assert err.value.problems == [
        f"line {first + 1}: entry 1: found 'just a sentence', expected a mapping of fields "
        "(code:, name_vi:, …)"
    ]
    path = tmp_path / "shapes.yaml"
    path.write_text("plan: 2024\ntargets: {code: x}\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_plan(path, ref)
    assert err.value.problems == [
        "plan: found int 2024, expected a mapping (id:, year:, …)",
        "targets: found dict {'code': 'x'}, expected a list",
    ]


def test_shares_summing_to_100_01_are_accepted(ref):
    plan = load_plan(PLAN, ref)
    shares = [t.target_value for t in plan.targets if t.share_group == "grdp_structure"]
    assert shares == [15.31, 39.6, 38.64, 6.46]
    assert round(sum(shares), 2) == 100.01


def test_unreadable_file(tmp_path, ref):
    path = tmp_path / "bad.yaml"
    path.write_text("plan: [unclosed", encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=r"line 1, column 16: YAML syntax error: expected ',' or '\]'"
    ):
        load_plan(path, ref)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_plan(tmp_path / "missing.yaml", ref)
