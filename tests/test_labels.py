"""Every code a published mart exposes has a Vietnamese label beside it, from one table
(sources/reference/labels.yaml → core.dim_label)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from chitieu.catalogue_checks import KINDS
from chitieu.labels import LabelsError, label, load_labels
from chitieu.periods import PERIOD_TYPES
from chitieu.resources import DEFAULT_REFERENCE_DIR
from chitieu.warehouse import model

ROOT = Path(__file__).resolve().parents[1]
CODES = re.compile(r"[a-z][a-z0-9_]*(;[a-z][a-z0-9_]*)*")
# code columns labelled elsewhere, or keys rather than codes
NOT_FROM_THE_TABLE = {
    "status": "status_vi from chitieu.attainment / the submission rules (verdict wording)",
    "counted_as": "a plan's own grouping key (the plan YAML), not a code list",
}


@pytest.fixture(scope="module")
def labels():
    return load_labels(DEFAULT_REFERENCE_DIR)


def _code_columns(con) -> list[tuple[str, str]]:
    """Text columns of the published marts whose values all look like codes (``on_track``,
    ``jump;outlier``), keys and names left out."""
    found = []
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'mart' and data_type = 'VARCHAR' order by all"
    ).fetchall():
        if column.endswith(("_vi", "_en", "_code", "_id", "_file", "_ref")):
            continue
        values = [
            v
            for (v,) in con.execute(
                f'select distinct "{column}" from mart.{table} where "{column}" is not null'
            ).fetchall()
        ]
        if values and all(CODES.fullmatch(v) for v in values):
            found.append((table, column))
    return found


def test_every_code_column_of_the_published_marts_has_a_vietnamese_label(published_once, labels):
    table, columns = labels
    with duckdb.connect(published_once["publish"].published_path, read_only=True) as con:
        code_columns = _code_columns(con)
        assert ("indicator_series", "source_kind") in code_columns  # the probe finds codes
        names = {
            (t, c)
            for t, c in con.execute(
                "select table_name, column_name from information_schema.columns where table_schema = 'mart'"
            ).fetchall()
        }
        unlabelled = [
            f"mart.{t}.{c}"
            for t, c in code_columns
            if f"mart.{t}.{c}" not in columns and c not in NOT_FROM_THE_TABLE
        ]
        assert unlabelled == []
        for t, c in code_columns:
            if c in NOT_FROM_THE_TABLE:
                continue
            assert (t, f"{c}_vi") in names, f"mart.{t}.{c} has no {c}_vi"
        # every declared column: its _vi is the table's label of each code, never missing
        for key, vocabulary in columns.items():
            _, t, c = key.split(".")
            rows = con.execute(f'select distinct "{c}", "{c}_vi" from mart.{t}').fetchall()
            for code, vi in rows:
                assert vi == label(table, vocabulary, code), (key, code, vi)
                for part in (code or "").split(";"):
                    if part:
                        known = table[table["vocabulary"] == vocabulary]["code"]
                        assert part in set(known), f"{key}: {part!r} is not in labels.yaml"
            # documented in the model's YAML (so it carries a COMMENT and reaches the dictionary)
            assert f"{c}_vi" in model(f"mart.{t}").spec["columns"], key
        (n,) = con.execute("select count(*) from core.dim_label").fetchall()[0]
        assert n == len(table)
    # a column the sample fills: labels really appear
    with duckdb.connect(published_once["publish"].published_path, read_only=True) as con:
        assert set(
            con.execute("select distinct source_kind_vi from mart.indicator_series").fetchall()
        ) == {("Cơ quan thống kê",), ("Báo cáo của sở, ngành",), ("Nhập tay (văn bản)",)}
        assert con.execute(
            "select distinct other_source, other_source_vi from mart.source_discrepancies"
        ).fetchall() == [("manual", "Nhập tay (văn bản)")]


def test_vocabularies_cover_every_code_the_pipeline_can_write(labels):
    table, _ = labels

    def codes(vocabulary: str) -> set[str]:
        return set(table[table["vocabulary"] == vocabulary]["code"])

    assert set(KINDS) <= codes("target_kind")
    assert codes("period_type") == set(PERIOD_TYPES)
    precedence = yaml.safe_load(
        (Path(DEFAULT_REFERENCE_DIR) / "source_precedence.yaml").read_text(encoding="utf-8")
    )
    assert codes("data_status") == {f["data_status"] for f in precedence["figures"]}
    assert codes("source_kind") == {s["source_kind"] for s in precedence["sources"]}
    warnings = {
        e["meta"]["rule"]
        for suite in (ROOT / "expectations").glob("*.json")
        for e in json.loads(suite.read_text(encoding="utf-8")).get("expectations", [])
        if e.get("meta", {}).get("severity") == "warning"
    }
    assert warnings and warnings <= codes("quality_flag")


def test_label_lists_unknown_codes_and_blanks(labels):
    table, _ = labels
    assert label(table, "quality_flag", "jump;outlier") == (
        "Thay đổi quá lớn so với năm trước; Số liệu bất thường so với lịch sử"
    )
    assert label(table, "source_kind", "portal") == "portal"  # never a blank for a value
    assert label(table, "source_kind", None) is None
    assert label(table, "source_kind", "") is None


def test_a_label_without_english_is_a_clear_error(tmp_path):
    (tmp_path / "labels.yaml").write_text(
        "vocabularies:\n  source_kind:\n    manual: {vi: Nhập tay}\n", encoding="utf-8"
    )
    with pytest.raises(LabelsError, match=r"labels.yaml: vocabularies.source_kind.manual"):
        load_labels(tmp_path)
    (tmp_path / "labels.yaml").write_text(
        "vocabularies:\n  a: {x: {vi: X, en: X}}\ncolumns:\n  mart.t.c: b\n", encoding="utf-8"
    )
    with pytest.raises(LabelsError, match="unknown vocabularies"):
        load_labels(tmp_path)
