"""No file can stop the night: a corpus of hostile and broken files, one per hazard, goes through one
nightly run beside good files of other departments; each is rejected with its reason and cell, the
good files load, the marts equal a run without the hazards, and a second night adds nothing."""

from __future__ import annotations

import os
import unicodedata
from itertools import permutations
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from chitieu.cli import main
from chitieu.resources import AlertsResource, InputsResource
from chitieu.submissions.inbox import feedback_path
from tests.conftest import make_resources, run_nightly
from tests.hazards import HAZARDS
from tests.sheets import write_bieu

OLD = 1_730_000_000  # file times well past any settle period
JOBS = [["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", "8.500"]]
BHYT = "Tỷ lệ bao phủ bảo hiểm y tế"
INJECTED = '=HYPERLINK("http://example.org","Cơ cấu")'


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores Vietnamese: a base letter (ê, ơ, ă...), then a combining tone mark."""
    out = bytearray()
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        for order in permutations(marks):
            for k in range(len(order), -1, -1):
                try:
                    head = unicodedata.normalize("NFC", base + "".join(order[:k]))
                    out += (head + "".join(order[k:])).encode("cp1258")
                    break
                except UnicodeEncodeError:
                    continue
            else:
                continue
            break
        else:
            raise AssertionError(f"{ch!r} has no Windows-1258 form")
    return bytes(out)


def _good_files(root: Path) -> None:
    write_bieu(root / "sldtbxh" / "ld.xlsx", JOBS)
    # the owner of the coverage target and a co-reporter (Health) both report it: the owner wins
    write_bieu(root / "bhxh" / "bh.xlsx", [["1", BHYT, "%", "95,1", "96,0", "96,6"]])
    write_bieu(
        root / "syt" / "yt.xlsx",
        [
            ["1", BHYT, "%", "95,0", "95,8", "96,4"],
            ["2", "Số bác sĩ/1 vạn dân", "bác sĩ/1 vạn dân", "12,1", "12,5", "12,8"],
        ],
    )
    # what Excel saves as CSV in a Vietnamese locale: ';' between fields, Windows-1258
    csv = (
        "Báo cáo 9 tháng năm 2024\r\n\r\nSTT;Chỉ tiêu;ĐVT;TH năm trước;TH kỳ báo cáo;Ước TH cả năm\r\n"
        "1;Diện tích cây chè;ha;9.100;9.350,5;9.500\r\n"
    )
    (root / "snn").mkdir(parents=True, exist_ok=True)
    (root / "snn" / "snn.csv").write_bytes(cp1258(csv))
    for f in root.rglob("*.*"):
        os.utime(f, (OLD, OLD))


def _resources(base: Path, inputs_dir: Path, inbox: Path, urls: str = "") -> dict:
    res = make_resources(base, inputs_dir)
    res["inputs"] = InputsResource(
        **(
            res["inputs"].model_dump()
            | {
                "inbox_dir": str(inbox),
                "outbox_dir": str(base / "outbox"),
                "max_file_mb": 2,
                "parse_memory_mb": 300,
            }
        )
    )
    res["alerts"] = AlertsResource(urls=urls)
    return res


def _q(res, sql, params=None):
    with duckdb.connect(res["warehouse"].path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _mart(res) -> list[tuple]:
    cols = [
        c
        for (c,) in _q(
            res,
            "select column_name from information_schema.columns where table_schema = 'mart' "
            "and table_name = 'target_attainment' order by ordinal_position",
        )
        if not c.endswith(("_at", "run_id"))
    ]
    return _q(res, f"select {', '.join(cols)} from mart.target_attainment order by all")


def _counts(res) -> tuple:
    return tuple(
        _q(res, f"select count(*) from {t}")[0][0]
        for t in ("raw.submissions", "raw.submission_problems", "raw.inbox_files")
    )


@pytest.fixture
def catalogue_with_formula_name(inputs_dir: Path) -> Path:
    plan = inputs_dir / "plans" / "lai-chau-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    old = "name_vi: 'Cơ cấu kinh tế: dịch vụ'"
    assert old in text or "name_vi: Cơ cấu kinh tế: dịch vụ" in text
    plan.write_text(
        text.replace(old, f"name_vi: '{INJECTED}'").replace(
            "name_vi: Cơ cấu kinh tế: dịch vụ", f"name_vi: '{INJECTED}'"
        ),
        encoding="utf-8",
    )
    return inputs_dir


def test_hazard_corpus_costs_each_file_only_itself(
    tmp_path, catalogue_with_formula_name, httpserver, monkeypatch, capfd
):
    inputs_dir = catalogue_with_formula_name
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    hook = f"json://{httpserver.host}:{httpserver.port}/hook"

    clean_inbox = tmp_path / "clean" / "inbox"
    _good_files(clean_inbox)
    clean = _resources(tmp_path / "clean", inputs_dir, clean_inbox)
    assert run_nightly(clean).success

    inbox = tmp_path / "night" / "inbox"
    _good_files(inbox)
    (inbox / "stc").mkdir()
    for name, (build, _, _) in HAZARDS.items():
        build(inbox / "stc" / name)
        if not (inbox / "stc" / name).is_fifo():
            os.utime(inbox / "stc" / name, (OLD, OLD))
    night = _resources(tmp_path / "night", inputs_dir, inbox, urls=hook)

    assert run_nightly(night).success
    got = {
        name: (status, rule, cell)
        for name, status, rule, cell in _q(
            night,
            """select s.file_name, s.status, p.rule, p.cell
               from raw.submissions s join raw.submission_problems p using (submission_id)
               where p.severity = 'error'""",
        )
    }
    assert got == {name: ("rejected", rule, cell) for name, (_, rule, cell) in HAZARDS.items()}
    assert _q(
        night,
        "select file_name, status from raw.submissions where status = 'accepted' order by 1",
    ) == [
        ("bh.xlsx", "accepted"),
        ("ld.xlsx", "accepted"),
        ("snn.csv", "accepted"),
        ("yt.xlsx", "accepted"),
    ]
    for name in HAZARDS:
        text = feedback_path(night["inputs"].outbox_dir, "stc", name).read_text(encoding="utf-8")
        assert "BỊ TỪ CHỐI / REJECTED" in text and "How to fix:" in text
    # the hazards changed nothing else
    assert _mart(night) == _mart(clean)
    # department figures in force: the owner's coverage figure wins over the co-reporter's
    assert _q(
        night,
        "select target_code, value, source_file, source_locator from staging.stg_department_observations "
        "where period_code = '2024-9M' and target_code in "
        "('health_insurance_coverage', 'tea_area', 'doctors_per_10k') order by 1",
    ) == [
        ("doctors_per_10k", 12.5, "yt.xlsx", "Biểu!E5"),
        ("health_insurance_coverage", 96.0, "bh.xlsx", "Biểu!E4"),
        ("tea_area", 9350.5, "snn.csv", "csv!E4"),
    ]
    alerts_after_first = len(httpserver.log)
    assert alerts_after_first >= len(HAZARDS)

    # a second night: nothing new recorded, no new alert, feedback restored when deleted
    before = _counts(night)
    lost = feedback_path(night["inputs"].outbox_dir, "stc", "far-cell.xlsx")
    lost.unlink()
    assert run_nightly(night).success
    assert _counts(night) == before
    assert len(httpserver.log) == alerts_after_first
    assert "Biểu!XFD1048576" in lost.read_text(encoding="utf-8")

    # chitieu check gives the nightly verdict for every file, exit 1 or 2, no traceback
    monkeypatch.setenv("CHITIEU_MAX_FILE_MB", "2")
    monkeypatch.setenv("CHITIEU_PARSE_MEMORY_MB", "300")
    monkeypatch.setenv("CHITIEU_PLANS_DIR", str(inputs_dir / "plans"))
    capfd.readouterr()  # drop the nightly runs' logs
    for name, (_, rule, cell) in HAZARDS.items():
        code = main(["check", str(inbox / "stc" / name), "--department", "stc"])
        out = capfd.readouterr()  # file-descriptor level: the child's stderr too
        assert code in (1, 2), name
        assert f"[{rule}]" in out.out, name
        assert "Traceback" not in out.out + out.err and "backtrace" not in out.err, name
        if cell:
            assert cell in out.out, name

    # the council report keeps a catalogue name starting with '=' as text
    from chitieu.reports import write_xlsx

    with duckdb.connect(clean["warehouse"].path, read_only=True) as con:
        out = write_xlsx(con, tmp_path / "report.xlsx")
    ws = load_workbook(out)["Báo cáo"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == INJECTED)
    assert cell.data_type == "s"


SLOW_CSV = (
    "Báo cáo 9 tháng năm 2024\n\nSTT,Chỉ tiêu,ĐVT,TH năm trước,TH kỳ báo cáo,Ước TH cả năm\n"
    '1,Giải quyết việc làm,lao động,"8.870","6.100","8.500"\n'
    '2,Đào tạo nghề,lao động,"8.050","6.800","21,5"\n'
)


def test_a_file_copied_slowly_is_never_loaded_half_written(tmp_path, inputs_dir):
    import threading
    import time

    import dagster as dg

    from pipelines.partitions import plan_ids, sync_plan_partitions
    from pipelines.sensors import inbox_sensor

    inbox = tmp_path / "inbox"
    (inbox / "sldtbxh").mkdir(parents=True)
    res = _resources(tmp_path, inputs_dir, inbox)
    res["inputs"] = InputsResource(**(res["inputs"].model_dump() | {"settle_seconds": 2}))
    target = inbox / "sldtbxh" / "ld.csv"
    data = SLOW_CSV.encode()
    stop = threading.Event()

    def writer():
        with open(target, "wb", buffering=0) as fh:
            for i in range(len(data)):
                fh.write(data[i : i + 1])
                if stop.is_set():
                    fh.write(data[i + 1 :])
                    return
                time.sleep(0.3)  # a slow network copy: ~70 s for the whole file, unless stopped

    # plans registered, so the only reason for the sensor to skip is that nothing is new
    instance = dg.DagsterInstance.ephemeral()
    sync_plan_partitions(instance, plan_ids(res["inputs"].plans_dir))
    ticks: list = []
    errors: list[BaseException] = []

    def sensor():
        try:
            with dg.build_sensor_context(
                instance=instance, resources={"inputs": res["inputs"]}
            ) as ctx:
                while not stop.is_set():
                    ticks.append(inbox_sensor(ctx))
                    time.sleep(0.2)
        except BaseException as exc:  # a sensor that raised must fail the test, not go quiet
            errors.append(exc)

    threads = [threading.Thread(target=writer), threading.Thread(target=sensor)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        assert run_nightly(res).success
        written_during_run = target.stat().st_size
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert 0 < written_during_run < len(data)  # the run really met a half-written file
    assert not errors
    # the sensor saw the file and never asked for a run on it
    assert ticks and all(isinstance(t, dg.SkipReason) for t in ticks), ticks
    messages = {t.skip_message for t in ticks}
    assert f"nothing new in {inbox} (1 file(s) seen)" in messages
    assert all(m.startswith(f"nothing new in {inbox} (") for m in messages), messages
    assert _q(res, "select count(*) from raw.submissions") == [(0,)]

    time.sleep(2.1)  # settled
    with dg.build_sensor_context(instance=instance, resources={"inputs": res["inputs"]}) as ctx:
        settled = inbox_sensor(ctx)
    assert isinstance(settled, dg.SensorResult), "once settled, the file is asked for"
    assert [r.tags["chitieu/new_files"] for r in settled.run_requests] == ["1"]
    assert run_nightly(res).success
    assert _q(
        res,
        "select v.target_code, v.value_kind, v.value from raw.submission_values v "
        "join raw.submissions s using (submission_id) where s.file_name = 'ld.csv' order by 1, 2",
    ) == [
        ("jobs_created", "actual", 6100.0),
        ("jobs_created", "estimate", 8500.0),
        ("jobs_created", "prev_year", 8870.0),
        ("vocational_training", "actual", 6800.0),
        ("vocational_training", "estimate", 21.5),
        ("vocational_training", "prev_year", 8050.0),
    ]


# --- pure functions: header roles, CSV text, receipts, limits ------------------------------------

SPLIT_ROW = ["1", "Giải quyết việc làm", "lao động", "8.870", "9.000", "4.100", "8.950"]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("TH 2023", "prev_year"),
        ("Thực hiện năm 2023", "prev_year"),
        ("KH 2024", "plan"),
        ("TH 6 tháng", "actual"),
        ("Ước TH năm 2024", "estimate"),
        ("Ước thực hiện cả năm 2024", "estimate"),
        ("TH năm trước", "prev_year"),
        ("KH 2023", None),
        ("TH 2025", "header_year"),
        ("Ước TH năm 2026", "header_year"),
    ],
)
def test_header_roles_from_years(text, role):
    from chitieu.submissions.layout import _role

    assert _role(text, 2024) == role


def _split_values(sub) -> dict:
    return {(v.value_kind, v.period_code): (v.value, v.cell) for v in sub.values}


def test_split_header_loads_previous_year_actual_and_estimate_into_their_fields(tmp_path):
    from chitieu.submissions.parser import parse_submission
    from tests.test_submissions import PLAN, REF

    header = ["STT", "Chỉ tiêu", "ĐVT", "TH 2023", "KH 2024", "TH 6 tháng", "Ước TH năm 2024"]
    path = write_bieu(
        tmp_path / "ld.xlsx", [SPLIT_ROW], title="Báo cáo 6 tháng đầu năm 2024", header=header
    )
    sub = parse_submission(path, PLAN, REF, "sldtbxh")
    assert sub.accepted and sub.period_code == "2024-6M"
    assert _split_values(sub) == {
        ("prev_year", "2023"): (8870.0, "Biểu!D4"),
        ("actual", "2024-6M"): (4100.0, "Biểu!F4"),
        ("estimate", "2024-EST"): (8950.0, "Biểu!G4"),
    }


def test_split_header_over_two_rows_with_the_year_above(tmp_path):
    from openpyxl import Workbook

    from chitieu.submissions.parser import parse_submission
    from tests.test_submissions import PLAN, REF

    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu"
    ws["A1"] = "Báo cáo 6 tháng đầu năm 2024"
    ws.append([])
    ws.append(["STT", "Chỉ tiêu", "ĐVT", "Năm 2023", "Năm 2024", "", ""])
    ws.append(["", "", "", "TH", "KH", "TH 6 tháng", "Ước TH"])
    ws.merge_cells("E3:G3")
    ws.append(SPLIT_ROW)
    wb.save(tmp_path / "ld.xlsx")
    sub = parse_submission(tmp_path / "ld.xlsx", PLAN, REF, "sldtbxh")
    assert sub.accepted, [p.text_en() for p in sub.errors]
    assert _split_values(sub) == {
        ("prev_year", "2023"): (8870.0, "Biểu!D5"),
        ("actual", "2024-6M"): (4100.0, "Biểu!F5"),
        ("estimate", "2024-EST"): (8950.0, "Biểu!G5"),
    }


@pytest.mark.parametrize(
    ("data", "delimiter", "encoding"),
    [
        ("STT;Chỉ tiêu;ĐVT\n1;Giải quyết việc làm;lao động\n".encode(), ";", "utf-8"),
        ("STT,Chỉ tiêu,ĐVT\n1,Giải quyết việc làm,lao động\n".encode("utf-8-sig"), ",", "utf-8"),
        ("STT\tChỉ tiêu\tĐVT\n1\tGiải quyết việc làm\tlao động\n".encode(), "\t", "utf-8"),
        (cp1258("STT;Chỉ tiêu;ĐVT\n1;Giải quyết việc làm;lao động\n"), ";", "cp1258"),
    ],
)
def test_csv_delimiter_and_encoding_are_detected(tmp_path, data, delimiter, encoding):
    from chitieu.submissions.reader import open_workbook

    path = tmp_path / "x.csv"
    path.write_bytes(data)
    wb = open_workbook(path)
    assert wb.read_notes == {"csv_encoding": encoding, "csv_delimiter": delimiter}
    assert wb.grids["csv"].rows[1] == ["1", "Giải quyết việc làm", "lao động"]


def test_csv_in_an_unknown_encoding_names_the_byte(tmp_path):
    from chitieu.submissions.reader import ReadError, open_workbook

    path = tmp_path / "x.csv"
    path.write_bytes(b"STT;Ch\x81 ti\x90u\n")
    with pytest.raises(ReadError, match=r"byte 0x81 at offset 6.*CSV UTF-8"):
        open_workbook(path)


def test_empty_files_hash_normally_and_refusals_have_their_own_ids(tmp_path):
    import hashlib

    from chitieu.submissions.inbox import scan_inbox

    (tmp_path / "stc").mkdir()
    (tmp_path / "stc" / "a.xlsx").write_bytes(b"")
    (tmp_path / "loose.xlsx").write_bytes(b"")
    (tmp_path / "other.xlsx").write_bytes(b"")
    files = {f.path.name: f for f in scan_inbox(tmp_path, {"stc"})}
    assert files["a.xlsx"].sha256 == hashlib.sha256(b"").hexdigest()
    ids = {files[n].sha256 for n in ("loose.xlsx", "other.xlsx")}
    assert len(ids) == 2 and files["a.xlsx"].sha256 not in ids


def test_receipts_are_by_content_per_path_and_old_bytes_sent_again_are_new(tmp_path):
    from datetime import UTC, datetime

    from chitieu.submissions.inbox import InboxFile
    from chitieu.submissions.intake import IntakeState

    now = datetime(2024, 10, 1, tzinfo=UTC)
    state = IntakeState(
        path_content={"/in/stc/a.xlsx": "A", "/in/stc/b.xlsx": "B", "/in/stc/bad.xlsx": "X"},
        receipts={
            "A": ("A", "accepted", "stc", "p", "2024-9M"),
            "B": ("B", "accepted", "stc", "p", "2024-9M"),
            "X": ("X", "rejected", "stc", None, None),
        },
        current={"B"},
    )

    def f(path, sha):
        return InboxFile(Path(path), "stc", sha, now)

    assert state.receipt_id(f("/in/stc/a.xlsx", "A")) is None  # unchanged at its path
    assert state.receipt_id(f("/in/stc/b-copy.xlsx", "B")) is None  # a copy of the current one
    assert state.receipt_id(f("/in/stc/bad-again.xlsx", "X")) is None  # rejected: recorded once
    assert state.receipt_id(f("/in/stc/new.xlsx", "N")) == "N"
    resent = state.receipt_id(f("/in/stc/a-again.xlsx", "A"))  # the earlier version sent again
    assert resent not in (None, "A") and len(resent) == 64


def test_a_file_over_the_time_limit_costs_only_itself(tmp_path):
    from chitieu.submissions.isolate import ParseLimits, parse_isolated
    from tests.hazards import ods_huge_range
    from tests.test_submissions import PLAN, REF

    path = ods_huge_range(tmp_path / "slow.ods")
    sub = parse_isolated(
        path, PLAN, REF, "stc", path.read_bytes(), "x", ParseLimits(0.2, memory_mb=8192)
    )
    (p,) = sub.errors
    assert (p.rule, p.found) == ("unreadable", "time limit")
    assert "more than 0.2 s" in p.detail


def test_the_receipt_clock_stamps_receipts_while_settling_keeps_the_real_time(tmp_path):
    from datetime import UTC, datetime

    from chitieu.periods import parse_receipt_time
    from chitieu.submissions.inbox import scan_inbox

    day = parse_receipt_time("2024-10-08")  # noon in Vietnam: the same calendar day in UTC
    assert day.astimezone(UTC) == datetime(2024, 10, 8, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="receipt time '2024-10-08T09:00' is not valid"):
        parse_receipt_time("2024-10-08T09:00")  # no offset: which day is ambiguous
    write_bieu(tmp_path / "stc" / "a.xlsx", [["1", "Thu ngân sách", "tỷ đồng", "1", "2", "3"]])
    # a file written just now is still held, though the clock says October 2024
    (held,) = scan_inbox(tmp_path, {"stc"}, settle_seconds=60, received_at=day)
    assert held.held and "may still be being copied" in held.held
    (taken,) = scan_inbox(tmp_path, {"stc"}, received_at=day)
    assert (taken.held, taken.received_at) == (None, day)
    (now,) = scan_inbox(tmp_path, {"stc"})
    assert abs((now.received_at - datetime.now(UTC)).total_seconds()) < 60


def test_the_plan_is_chosen_inside_the_isolated_child(tmp_path):
    from chitieu.catalogue import load_plan
    from chitieu.resources import DEFAULT_PLANS_DIR
    from chitieu.submissions.isolate import ParseLimits, parse_isolated
    from tests.hazards import undefined_entity
    from tests.test_submissions import PLAN, REF

    plans = [PLAN, load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2025.yaml", REF)]
    limits = ParseLimits(10)
    rows = [["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", "8.500"]]

    def parse(path):
        return parse_isolated(path, plans, REF, "sldtbxh", path.read_bytes(), "x", limits)

    # the period in the title picks the plan of its year
    ok = parse(write_bieu(tmp_path / "a.xlsx", rows, "Báo cáo 9 tháng năm 2025"))
    assert (ok.plan_id, ok.period_code) == ("lai-chau-2025", "2025-9M")
    assert "no_plan_for_period" not in {p.rule for p in ok.problems}
    (none,) = parse(write_bieu(tmp_path / "b.xlsx", rows, "Báo cáo 9 tháng năm 2026")).errors
    assert (none.rule, none.found) == ("no_plan_for_period", "2026-9M")
    # a file that breaks the reader while its plan is chosen costs that file, in the child
    (bad,) = parse(undefined_entity(tmp_path / "c.xlsx")).errors
    assert bad.rule == "unreadable" and "reader" in bad.found
