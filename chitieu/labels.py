"""Vietnamese labels of the codes the marts expose, from one table (sources/reference/labels.yaml,
loaded into core.dim_label): every labelled column gets a ``<column>_vi`` beside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

LABELS_FILE = "labels.yaml"
LABEL_COLUMNS = ["vocabulary", "code", "label_vi", "label_en"]
# a column holding several codes (quality_flags: "jump;outlier") is labelled code by code
LIST_SEPARATOR = ";"


class LabelsError(ValueError):
    """labels.yaml is malformed: names the file and the entry."""


def load_labels(reference_dir: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The label table (vocabulary, code, label_vi, label_en) and which vocabulary each mart
    column (``mart.table.column``) carries."""
    path = Path(reference_dir) / LABELS_FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for vocabulary, codes in (doc.get("vocabularies") or {}).items():
        for code, label in (codes or {}).items():
            if not (isinstance(label, dict) and set(label) == {"vi", "en"} and all(label.values())):
                raise LabelsError(
                    f"{path}: vocabularies.{vocabulary}.{code}: found {label!r}, "
                    "expected {vi: ..., en: ...}"
                )
            rows.append((vocabulary, str(code), str(label["vi"]), str(label["en"])))
    table = pd.DataFrame(rows, columns=LABEL_COLUMNS).astype("string")
    columns = {str(k): str(v) for k, v in (doc.get("columns") or {}).items()}
    unknown = {c: v for c, v in columns.items() if v not in set(table["vocabulary"])}
    if unknown:
        raise LabelsError(f"{path}: columns name unknown vocabularies: {unknown}")
    return table, columns


def vocabulary_names(labels: pd.DataFrame, vocabulary: str) -> dict[str, str]:
    """Code -> Vietnamese label of one vocabulary."""
    known = labels[labels["vocabulary"] == vocabulary]
    return dict(zip(known["code"], known["label_vi"], strict=True))


def label(labels: pd.DataFrame, vocabulary: str, value: str | None) -> str | None:
    """The Vietnamese label of ``value`` (each code of a ';'-list, joined by '; '); the code itself
    when the table lacks it (never a blank for a value); None for no value."""
    return _label_with(vocabulary_names(labels, vocabulary), value)


def _label_with(names: dict[str, str], value: str | None) -> str | None:
    if value is None or pd.isna(value) or value == "":
        return None
    return "; ".join(names.get(code, code) for code in str(value).split(LIST_SEPARATOR))


def add_label_columns(
    frame: pd.DataFrame, labels: pd.DataFrame, columns: dict[str, str], relation: str
) -> pd.DataFrame:
    """``frame`` (the rows of ``relation``) with ``<column>_vi`` for each of its labelled columns."""
    out = frame.copy()
    for key, vocabulary in columns.items():
        table, _, column = key.rpartition(".")
        if table == relation and column in out.columns:
            names = vocabulary_names(labels, vocabulary)
            out[f"{column}_vi"] = (
                out[column].map(lambda v, n=names: _label_with(n, v)).astype("string")
            )
    return out
