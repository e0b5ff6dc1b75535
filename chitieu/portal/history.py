"""A department's submission history: what the nightly run recorded, plus portal uploads it has
not processed yet.

It reads the **published snapshot** (``CHITIEU_PUBLISHED_WAREHOUSE``), read-only and only for the
length of a request: the working warehouse is held for writing by the nightly run (DuckDB fails at
once on a lock conflict), while the snapshot is replaced atomically and is never half-written.
Every query is filtered by the signed-in department.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

_SUBMISSIONS = """
select s.submission_id, s.file_name, s.period_code, s.received_at, s.status, s.effective_status,
       s.is_current, s.value_count, s.error_count, s.warning_count, r.file_path
from staging.stg_submissions as s join raw.submissions as r using (submission_id)
where s.department_code = ?
order by s.received_at desc, s.file_name desc
"""
_PROBLEMS = """
select submission_id, severity, rule, cell, found, expected, message_vi, message_en, fix_vi, fix_en
from raw.submission_problems where department_code = ? order by submission_id, severity, cell
"""
_VALUES = """
select v.submission_id, v.target_code, v.area_code, v.period_code, v.value_kind, v.value, v.cell
from raw.submission_values as v join raw.submissions as s using (submission_id)
where s.department_code = ? order by v.submission_id, v.cell
"""


def _rows(con, sql: str, department: str) -> list[dict]:
    cur = con.execute(sql, [department])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def processed(published_path: str | Path, department: str) -> list[dict]:
    """The department's submissions in the snapshot, newest first, each with its problems and figures."""
    path = Path(published_path)
    if not path.exists():
        return []
    with duckdb.connect(str(path), read_only=True) as con:
        subs = _rows(con, _SUBMISSIONS, department)
        problems = _rows(con, _PROBLEMS, department)
        values = _rows(con, _VALUES, department)
    by_id = {s["submission_id"]: s | {"problems": [], "figures": []} for s in subs}
    for p in problems:
        if p["submission_id"] in by_id:
            by_id[p["submission_id"]]["problems"].append(p)
    for v in values:
        if v["submission_id"] in by_id:
            by_id[v["submission_id"]]["figures"].append(v)
    return list(by_id.values())


def department_history(published_path: str | Path, uploads: list[dict], department: str) -> dict:
    """``processed``: the snapshot's submissions (with the portal upload that brought each, if any);
    ``pending``: uploads written to the inbox that the snapshot does not hold yet; ``refused``:
    uploads the check rejected or could not finish (never written to the inbox)."""
    subs = processed(published_path, department)
    seen = {s["submission_id"] for s in subs}
    by_sha = {u["sha256"]: u for u in reversed(uploads) if u["sha256"]}
    for s in subs:
        s["upload"] = by_sha.get(s["submission_id"])
    delivered = [u for u in uploads if u["stored_name"]]
    return {
        "processed": subs,
        "pending": [u for u in delivered if u["sha256"] not in seen],
        "refused": [u for u in uploads if not u["stored_name"]],
        "snapshot": Path(published_path).exists(),
    }
