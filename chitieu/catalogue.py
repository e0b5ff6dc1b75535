"""The plan catalogue: every target of a resolution, loaded from YAML and checked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
import yaml

from chitieu.catalogue_checks import PERIOD_KINDS, entry_problems, whole_number_problems
from chitieu.reference import Reference
from chitieu.yaml_loader import at_line, key_lines, load_yaml

PLAN_KINDS = ("annual", "five_year")
SHARE_SUM_TOLERANCE = 0.05


class CatalogueError(ValueError):
    """One or more problems in a plan file; each names the file and the entry."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(
            f"{path}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class Target:
    """One plan target as the resolution sets it."""

    plan_id: str
    code: str
    group_no: int
    item_no: int
    source_ref: str
    name_vi: str
    name_en: str
    text_vi: str
    unit: str
    kind: str
    department_code: str
    area_code: str
    target_value: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    value_vi: str | None = None
    strict: bool = False
    tolerance: float = 0.0
    direction: str = "up"
    measure: str = "reported"
    measure_unit: str | None = None
    flow: bool = False
    share_group: str | None = None
    counted_as: str | None = None
    # co-reporting: departments that may also report this target; department_code is the owner,
    # whose figure wins over theirs for the same period (docs/submissions.md)
    also_reported_by: tuple[str, ...] = ()

    def may_report(self, department: str) -> bool:
        """True for the owner and the listed co-reporters."""
        return department == self.department_code or department in self.also_reported_by


@dataclass(frozen=True)
class Plan:
    """A plan resolution's header and its targets."""

    plan_id: str
    province_code: str
    year: int
    baseline_year: int
    title_vi: str
    title_en: str
    adopted_on: str
    source_document: str
    targets: list[Target] = field(default_factory=list)
    plan_kind: str = "annual"
    start_year: int | None = None
    sample: bool = False

    @property
    def first_year(self) -> int:
        """The first year the plan covers (the plan year itself for an annual plan)."""
        return self.start_year or self.year

    def covers(self, year: int) -> bool:
        """True when ``year`` is one of the plan's years."""
        return self.first_year <= year <= self.year

    def targets_frame(self) -> pd.DataFrame:
        """One row per target, with plan columns, ready for the warehouse."""
        rows = [
            asdict(t)
            | {
                "plan_year": self.year,
                "baseline_year": self.baseline_year,
                "plan_kind": self.plan_kind,
                "start_year": self.first_year,
            }
            for t in self.targets
        ]
        df = pd.DataFrame(rows).rename(columns={"code": "target_code"})
        df["also_reported_by"] = df["also_reported_by"].map(",".join)
        df["measure_unit"] = df["measure_unit"].fillna(df["unit"])
        return df


def load_plan(path: str | Path, ref: Reference) -> Plan:
    """Load and check a plan YAML; raises CatalogueError listing every problem found."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            doc = load_yaml(fh)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CatalogueError(
            path, [f"{where}YAML syntax error: {exc.problem or exc.context}"]
        ) from exc
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(path, [f"cannot read: {exc}"]) from exc
    if not isinstance(doc, dict) or "plan" not in doc or "targets" not in doc:
        raise CatalogueError(path, ["expected top-level keys 'plan' and 'targets'"])
    header = doc["plan"]
    shapes = (("plan", dict, "a mapping (id:, year:, …)"), ("targets", list, "a list"))
    if wrong := [
        f"{key}: found {type(doc[key]).__name__} {doc[key]!r:.60}, expected {shape}"
        for key, kind, shape in shapes
        if not isinstance(doc[key], kind)
    ]:
        raise CatalogueError(path, wrong)
    missing = [k for k in ("id", "province_code", "year", "baseline_year") if k not in header]
    if missing:
        raise CatalogueError(path, [f"plan header: missing {', '.join(missing)}"])
    line = key_lines(path)  # the line of a key, for the problems that name one
    problems = whole_number_problems(
        header, ("year", "baseline_year", "start_year"), "plan header", partial(line, "plan")
    )
    years_read = not problems
    plan_kind = header.get("kind", "annual")
    if plan_kind not in PLAN_KINDS:
        problems.append(f"plan header: kind {plan_kind!r}; expected one of {', '.join(PLAN_KINDS)}")
    start_year = header.get("start_year")
    if (
        plan_kind == "five_year"
        and years_read
        and not (
            isinstance(start_year, int)
            and int(header["baseline_year"]) < start_year <= int(header["year"])
        )
    ):
        problems.append(
            f"plan header: a five-year plan needs start_year between baseline_year and year, not {start_year!r}"
        )
    targets: list[Target] = []
    seen: dict[str, int] = {}
    incomplete = set()  # share groups missing an entry with problems: their sum says nothing
    for i, e in enumerate(doc["targets"], start=1):
        if not isinstance(e, dict):
            at = at_line(line("targets", i - 1))
            problems.append(
                f"{at}entry {i}: found {e!r:.60}, expected a mapping of fields (code:, name_vi:, …)"
            )
            continue
        where = f"entry {i} ({e.get('code', '?')})"
        found = entry_problems(e, where, ref) + whole_number_problems(
            e, ("group", "item"), where, partial(line, "targets", i - 1)
        )
        if e.get("code") in seen:
            found.append(f"{where}: duplicate code, first used by entry {seen[e['code']]}")
        seen.setdefault(e.get("code"), i)
        if e.get("kind") in PERIOD_KINDS and plan_kind == "annual":
            found.append(f"{where}: kind {e['kind']!r} needs a multi-year plan (kind: five_year)")
        problems += found
        if found:
            incomplete.add(e.get("share_group"))
            continue
        targets.append(
            Target(
                plan_id=header["id"],
                code=e["code"],
                group_no=int(e["group"]),
                item_no=int(e["item"]),
                source_ref=e.get("source_ref", f"Điều 1.2 ({e['group']})"),
                name_vi=e["name_vi"],
                name_en=e["name_en"],
                text_vi=e["text_vi"],
                unit=e["unit"],
                kind=e["kind"],
                department_code=e["department"],
                area_code=str(e["area"]),
                target_value=e.get("target_value"),
                target_low=e.get("target_low"),
                target_high=e.get("target_high"),
                value_vi=e.get("value_vi"),
                strict=bool(e.get("strict", False)),
                tolerance=float(e.get("tolerance", 0.0)),
                direction=e.get("direction", "up"),
                measure=e.get("measure", "reported"),
                measure_unit=e.get("measure_unit"),
                flow=bool(e.get("flow", False)),
                share_group=e.get("share_group"),
                counted_as=e.get("counted_as"),
                also_reported_by=tuple(e.get("also_reported_by", [])),
            )
        )
    groups: dict[str, float] = {}
    for t in targets:
        if t.share_group:
            groups[t.share_group] = groups.get(t.share_group, 0.0) + (t.target_value or 0.0)
    for name, total in groups.items():
        if name in incomplete:
            continue
        if abs(total - 100) > SHARE_SUM_TOLERANCE:
            problems.append(
                f"share group {name!r}: shares sum to {total:.2f}, expected 100 ± {SHARE_SUM_TOLERANCE}"
            )
    if problems:
        raise CatalogueError(path, problems)
    return Plan(
        plan_id=header["id"],
        province_code=str(header["province_code"]),
        year=int(header["year"]),
        baseline_year=int(header["baseline_year"]),
        title_vi=header.get("title_vi", ""),
        title_en=header.get("title_en", ""),
        adopted_on=str(header.get("adopted_on", "")),
        source_document=header.get("source_document", ""),
        targets=targets,
        plan_kind=plan_kind,
        start_year=int(start_year) if plan_kind == "five_year" else None,
        sample=bool(header.get("sample", False)),
    )
