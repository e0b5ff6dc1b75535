"""A plan resolution's header for reports and BI: number, title, issuer, date and group headings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from chitieu.catalogue import CatalogueError


@dataclass(frozen=True)
class PlanHeader:
    """What the council report's title and footer cite, and the headings of the target groups."""

    plan_id: str
    year: int
    title_vi: str
    title_en: str
    issuer_vi: str
    issuer_en: str
    number: str | None
    adopted_on: date | None
    source_document: str
    groups: dict[int, tuple[str, str]] = field(default_factory=dict)
    sample: bool = False

    def citation_vi(self) -> str:
        """'Nghị quyết số 61/NQ-HĐND ngày 07/12/2023 của ...', leaving out what the catalogue lacks;
        a SAMPLE plan (``sample: true``) is cited as one, never as a resolution."""
        if self.sample:
            return "kế hoạch MẪU (SAMPLE), không phải nghị quyết chính thức"
        parts = ["Nghị quyết"]
        if self.number:
            parts.append(f"số {self.number}")
        if self.adopted_on:
            parts.append(f"ngày {self.adopted_on:%d/%m/%Y}")
        if self.issuer_vi:
            parts.append(f"của {self.issuer_vi}")
        return " ".join(parts)

    def citation_en(self) -> str:
        """The English counterpart of :meth:`citation_vi`."""
        if self.sample:
            return "a SAMPLE plan, not an official resolution"
        parts = ["Resolution"]
        if self.number:
            parts.append(f"No. {self.number}")
        if self.issuer_en:
            parts.append(f"of the {self.issuer_en}")
        if self.adopted_on:
            parts.append(f"adopted on {self.adopted_on:%d/%m/%Y}")
        return " ".join(parts)


def load_plan_header(
    path: str | Path, groups_used: dict[str, set[int]] | None = None
) -> PlanHeader:
    """Read the ``plan:`` header of a plan YAML; every group its targets use (``groups_used``,
    by plan id) must have a heading. Raises CatalogueError naming the file and what is wrong."""
    path = Path(path)
    try:
        header = yaml.safe_load(path.read_text(encoding="utf-8"))["plan"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise CatalogueError(path, [f"cannot read the plan header: {exc}"]) from exc
    problems = []
    groups: dict[int, tuple[str, str]] = {}
    for key, names in (header.get("groups") or {}).items():
        if not isinstance(names, dict) or not names.get("vi") or not names.get("en"):
            problems.append(f"plan header: group {key!r} needs both 'vi' and 'en' headings")
            continue
        groups[int(key)] = (str(names["vi"]), str(names["en"]))
    missing = sorted((groups_used or {}).get(str(header.get("id")), set()) - set(groups))
    if missing:
        problems.append(f"plan header: no heading under 'groups' for group(s) {missing}")
    adopted = header.get("adopted_on")
    try:
        adopted_on = date.fromisoformat(str(adopted)) if adopted else None
    except ValueError:
        problems.append(f"plan header: adopted_on {adopted!r} is not a date (YYYY-MM-DD)")
        adopted_on = None
    if problems:
        raise CatalogueError(path, problems)
    number = header.get("number")
    return PlanHeader(
        plan_id=str(header["id"]),
        year=int(header["year"]),
        title_vi=header.get("title_vi", ""),
        title_en=header.get("title_en", ""),
        issuer_vi=header.get("issuer_vi", ""),
        issuer_en=header.get("issuer_en", ""),
        number=str(number) if number else None,
        adopted_on=adopted_on,
        source_document=header.get("source_document", ""),
        groups=groups,
        sample=bool(header.get("sample", False)),
    )


def header_frames(headers: list[PlanHeader]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``core.dim_plan`` (one row per plan) and ``core.dim_plan_group`` (one per plan × group)."""
    plans = pd.DataFrame(
        [
            {
                "plan_id": h.plan_id,
                "plan_year": h.year,
                "number": h.number,
                "title_vi": h.title_vi,
                "title_en": h.title_en,
                "issuer_vi": h.issuer_vi,
                "issuer_en": h.issuer_en,
                "adopted_on": h.adopted_on,
                "citation_vi": h.citation_vi(),
                "citation_en": h.citation_en(),
                "source_document": h.source_document,
            }
            for h in headers
        ]
    )
    plans["number"] = plans["number"].astype("string")
    plans["adopted_on"] = pd.to_datetime(plans["adopted_on"]).dt.date
    groups = pd.DataFrame(
        [
            {"plan_id": h.plan_id, "group_no": g, "name_vi": vi, "name_en": en}
            for h in headers
            for g, (vi, en) in sorted(h.groups.items())
        ],
        columns=["plan_id", "group_no", "name_vi", "name_en"],
    )
    return plans, groups
