"""The published read-only warehouse, the BI contract, exports and SQLAlchemy access."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from assets.portal import portal_events
from assets.publish import published_warehouse
from chitieu.dictionary import bi_contract, data_dictionary
from chitieu.portal.store import Event, EventLog
from chitieu.publish import csv_safe, publish_snapshot
from chitieu.resources import InputsResource
from chitieu.warehouse import personal_columns
from tests.conftest import run_nightly

ROOT = Path(__file__).resolve().parents[1]
LETTER = "plan_id,target_code,area_code,period_code,value,data_status,note\nlai-chau-2024,ethnic_minority_tv_radio,12,2024-EST,95.6,estimated,letter\n"


@pytest.fixture
def published(nightly):
    """After one successful nightly run (a copy of the worker's first, tests/conftest.py)."""
    return nightly


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _status(con, code="ethnic_minority_tv_radio"):
    return con.execute(
        "select status from mart.target_attainment where target_code = ?", [code]
    ).fetchall()[0][0]


def test_reader_held_open_through_a_nightly_run(published, inputs_dir):
    path = published["publish"].published_path
    old = duckdb.connect(path, read_only=True)
    assert _status(old) == "no_data"
    (inputs_dir / "observations" / "letter.csv").write_text(LETTER, encoding="utf-8")
    assert run_nightly(published).success
    # the old reader keeps its consistent old snapshot...
    assert _status(old) == "no_data"
    assert old.execute("select count(*) from mart.target_attainment").fetchall() == [(50,)]
    old.close()
    # ...and a new reader sees the new data
    with duckdb.connect(path, read_only=True) as new:
        assert _status(new) == "on_track"
    assert not Path(f"{path}.wal").exists()
    assert [p.name for p in Path(path).parent.iterdir()] == ["chitieu.duckdb"]


def test_failed_run_leaves_the_published_snapshot(published, inputs_dir):
    path = published["publish"].published_path
    before = _sha(path)
    plan = inputs_dir / "plans" / "lai-chau-2024.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("department: ctk", "department: nowhere", 1),
        encoding="utf-8",
    )
    assert not run_nightly(published, raise_on_error=False).success
    assert _sha(path) == before


def test_killed_run_before_publishing_leaves_the_snapshot_intact(published, tmp_path):
    path = Path(published["publish"].published_path)
    working = Path(published["warehouse"].path)
    before = _sha(path)
    env = os.environ | {
        "CHITIEU_WAREHOUSE": str(working),
        "CHITIEU_PUBLISHED_WAREHOUSE": str(path),
        "CHITIEU_EXPORTS_DIR": str(tmp_path / "exports"),
        "CHITIEU_REPORTS_DIR": str(tmp_path / "reports"),
        "CHITIEU_PLANS_DIR": published["inputs"].plans_dir,
        "CHITIEU_MANUAL_DIR": published["inputs"].manual_observations_dir,
    }
    env.pop("DAGSTER_HOME", None)
    start_mtime = working.stat().st_mtime_ns
    proc = subprocess.Popen(
        [sys.executable, "-m", "chitieu.cli", "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and working.stat().st_mtime_ns == start_mtime
        and not Path(f"{working}.wal").exists()
    ):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert _sha(path) == before
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from mart.target_attainment").fetchall() == [(50,)]


def test_stale_wal_beside_the_published_file_is_removed(published):
    path = Path(published["publish"].published_path)
    Path(f"{path}.wal").write_bytes(b"stale write-ahead log from a crashed writer")
    publish_snapshot(published["warehouse"].path, path)
    assert not Path(f"{path}.wal").exists()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from mart.attainment_summary").fetchall() == [(11,)]


def test_bi_contract_snapshot(published):
    with duckdb.connect(published["publish"].published_path, read_only=True) as con:
        live = bi_contract(con)
    snapshot = json.loads(
        (ROOT / "tests" / "snapshots" / "bi_contract.json").read_text(encoding="utf-8")
    )
    assert live == snapshot, (
        "the BI-facing schema changed: if deliberate, run `chitieu dictionary --write` and note it for analysts"
    )


def test_data_dictionary_matches_the_warehouse(published):
    """The dictionary documents the working warehouse; the snapshot is the same minus the
    personal columns (marked so in the dictionary)."""
    doc = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    with duckdb.connect(published["warehouse"].path, read_only=True) as con:
        assert data_dictionary(con) == doc
    with duckdb.connect(published["publish"].published_path, read_only=True) as con:
        snapshot = data_dictionary(con)
    personal = [line for line in doc.splitlines() if "[personal: not published to BI]" in line]
    assert [line.split("`")[1] for line in personal] == ["sender", "client"]
    assert snapshot.splitlines() == [line for line in doc.splitlines() if line not in personal]


def test_personal_columns_never_reach_the_snapshot(published, tmp_path):
    """Who signed in and from which address stays in the working warehouse: the published
    snapshot has raw.portal_events without sender and client, and not even free blocks of the
    file hold them."""
    log = EventLog(tmp_path / "portal.sqlite")
    log.record(Event("sign_in", "stc", "ok", client="203.0.113.77"))
    log.record(
        Event(
            "upload",
            "stc",
            "accepted",
            client="198.51.100.23",
            sender="Nguyễn Thị Lan",
            file_name="bc.xlsx",
        )
    )
    resources = published | {"inputs": InputsResource(portal_log=str(log.path))}
    for asset in (portal_events, published_warehouse):  # no dependency orders them
        assert dg.materialize([asset], resources=resources).success
    assert personal_columns() == {"raw.portal_events": ["sender", "client"]}
    with duckdb.connect(published["warehouse"].path, read_only=True) as con:
        working = con.execute(
            "select kind, sender, client from raw.portal_events order by event_id"
        ).fetchall()
    assert working == [
        ("sign_in", "", "203.0.113.77"),
        ("upload", "Nguyễn Thị Lan", "198.51.100.23"),
    ]
    path = published["publish"].published_path
    with duckdb.connect(path, read_only=True) as con:
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw' "
                "and table_name = 'portal_events' order by column_index"
            ).fetchall()
        ]
        rows = con.execute(
            "select kind, department_code, result, file_name from raw.portal_events order by event_id"
        ).fetchall()
        found = con.execute(
            "select table_schema || '.' || table_name || '.' || column_name from information_schema.columns "
            "where column_name in ('sender', 'client')"
        ).fetchall()
    assert "client" not in columns and "sender" not in columns
    assert columns[:4] == ["event_id", "occurred_at", "kind", "department_code"]
    assert rows == [("sign_in", "stc", "ok", ""), ("upload", "stc", "accepted", "bc.xlsx")]
    assert found == []
    data = Path(path).read_bytes()
    for secret in ("203.0.113.77", "198.51.100.23", "Nguyễn Thị Lan"):
        assert secret.encode() not in data


def test_a_view_needing_a_withheld_column_stops_publishing(published, tmp_path):
    working = Path(published["warehouse"].path)
    with duckdb.connect(str(working)) as con:
        con.execute(
            "create view mart.sign_ins as select client, count(*) as n from raw.portal_events group by 1"
        )
    target = tmp_path / "out" / "chitieu.duckdb"
    with pytest.raises(RuntimeError, match=r"mart\.sign_ins needs a column withheld from BI"):
        publish_snapshot(working, target)
    assert not target.exists()
    # withholding nothing, the same warehouse publishes with the view
    publish_snapshot(working, target, withheld={})
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select count(*) from mart.sign_ins").fetchall() == [(0,)]


def test_every_bi_column_is_commented_in_both_languages(published):
    with duckdb.connect(published["publish"].published_path, read_only=True) as con:
        missing = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'mart' and (comment is null or comment not like '% | %')"
        ).fetchall()
    assert missing == []


def test_exports_parquet_and_two_csv_flavours_with_dimensions(published):
    out = Path(published["publish"].exports_dir)
    names = sorted(p.name for p in out.iterdir())
    stems = sorted({n.split(".")[0] for n in names})
    assert {"core__dim_department", "core__dim_plan_group", "core__dim_label"} <= set(stems)
    assert len(stems) == 14 and len(names) == 14 * 3
    parquet = pd.read_parquet(out / "mart__target_attainment.parquet")
    assert (
        len(parquet) == 50
        and parquet.loc[parquet.target_code == "budget_revenue", "target_value"].item() == 2236
    )
    machine = (out / "mart__target_attainment.csv").read_bytes()
    assert not machine.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(out / "mart__target_attainment.csv", encoding="utf-8")
    trade = csv.loc[csv.target_code == "trade_turnover_growth"]
    assert trade["actual_value"].item() == pytest.approx(-4.561404, abs=1e-5)
    assert trade["actual_value_display"].item() == -4.56
    sheet = pd.read_csv(
        out / "mart__target_attainment.spreadsheet.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    assert sheet.equals(csv)
    spreadsheet_text = (out / "mart__target_attainment.spreadsheet.csv").read_text("utf-8-sig")
    assert ";-4,561404;" in spreadsheet_text and ";-4,56;" in spreadsheet_text


def test_csv_keeps_nullable_integers_integers(published):
    out = Path(published["publish"].exports_dir)
    header, *lines = (out / "mart__attainment_summary.csv").read_text("utf-8").splitlines()
    group_no = header.split(",").index("group_no")
    # the plan's row has no group: empty, and the groups' rows are 1..10, never "1.0"
    assert [line.split(",")[group_no] for line in lines] == ["", *map(str, range(1, 11))]


def test_csv_safe_neutralises_formulas_but_not_numbers():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tcmd", "Lai Châu"],
            "n": [-4.5, 1, 2, 3, 4, 5],
        }
    )
    safe = csv_safe(frame)
    assert safe["text"].tolist() == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tcmd",
        "Lai Châu",
    ]
    assert safe["n"].tolist() == [-4.5, 1, 2, 3, 4, 5]


def test_sqlalchemy_duckdb_engine_reads_the_published_file(published):
    engine = sa.create_engine(
        f"duckdb:///{published['publish'].published_path}?access_mode=read_only"
    )
    with engine.connect() as con:
        rows = con.execute(
            sa.text(
                "select target_code, status from mart.target_attainment where target_code in ('budget_revenue', 'underweight_under5') order by 1"
            )
        ).fetchall()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("budget_revenue", "on_track"),
        ("underweight_under5", "not_achieved"),
    ]
