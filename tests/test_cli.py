"""``chitieu run`` runs the nightly job in process, as a cron user would."""

import shutil
from pathlib import Path

import duckdb
import pytest

from chitieu.cli import main
from tests.conftest import sample_inbox


@pytest.fixture
def cron_env(tmp_path, monkeypatch):
    """Everything the command writes goes below tmp_path; the inbox carries its receipt days."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    inbox = sample_inbox(tmp_path / "inbox")
    published = tmp_path / "published" / "chitieu.duckdb"
    for var, value in {
        "CHITIEU_INBOX_DIR": inbox,
        "CHITIEU_WAREHOUSE": tmp_path / "wh" / "chitieu.duckdb",
        "CHITIEU_OUTBOX_DIR": tmp_path / "outbox",
        "CHITIEU_GX_DIR": tmp_path / "gx",
        "CHITIEU_PUBLISHED_WAREHOUSE": published,
        "CHITIEU_REPORTS_DIR": tmp_path / "reports",
        "CHITIEU_EXPORTS_DIR": tmp_path / "exports",
    }.items():
        monkeypatch.setenv(var, str(value))
    return tmp_path


@pytest.fixture(autouse=True)
def _outputs_in_tmp(cron_env):
    """``chitieu run`` writes only below tmp_path and reads the sample inbox."""
    return cron_env


def _tree(root):
    return {
        str(p.relative_to(root)): p.read_bytes()
        for folder in ("published", "reports", "exports")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


def _yesterday(root):
    """The published snapshot, exports and council report already exist, as on a live machine."""
    published = root / "published" / "chitieu.duckdb"
    published.parent.mkdir()
    published.write_bytes(b"yesterday's snapshot")
    for folder in ("reports", "exports"):
        (root / folder).mkdir()
        (root / folder / "lai-chau-2024.html").write_bytes(b"yesterday's report")


def test_chitieu_run_prints_table_and_summary(cron_env, capsys):
    _yesterday(cron_env)
    warehouse = cron_env / "cron" / "chitieu.duckdb"
    before = _tree(cron_env)
    # a fresh warehouse as of 15 January 2025, its inbox files taken as received that day
    args = ["--warehouse", str(warehouse), "--as-of", "2025-01-15", "--received-at", "2025-01-15"]
    assert main(["run", "--demo", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SAMPLE DATA")
    assert "(3).1   Thu ngân sách trên địa bàn" in out
    assert (
        "[lai-chau-2024] Ước đạt và vượt 36/48 chỉ tiêu có số liệu (kế hoạch 50 chỉ tiêu);"
        " theo chỉ tiêu thành phần của tỉnh: 30/42 — Estimated to meet or exceed 36 of the 48"
        " targets with data (50 in the plan); as the province counts component targets: 30 of 42."
        in out
    )
    # the three plans' summary lines
    assert "[lai-chau-2021-2025] Giai đoạn 2021–2025: Ước đạt và vượt " in out
    assert "[lai-chau-2025] Ước đạt và vượt " in out
    for label in (
        "Đạt và vượt (achieved)",
        "Ước đạt (on_track)",
        "Có nguy cơ không đạt (at_risk)",
        "Không đạt (not_achieved)",
        "Chưa có số liệu (no_data)",
    ):
        assert label in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select plan_id, count(*) from mart.target_attainment group by 1 order by 1"
        ).fetchall() == [("lai-chau-2021-2025", 30), ("lai-chau-2024", 50), ("lai-chau-2025", 22)]
    # a what-if run (another warehouse and date) leaves what BI and the council read untouched
    assert "what-if run" in out
    assert _tree(cron_env) == before
    # --publish publishes it anyway
    assert main(["run", "--warehouse", str(warehouse), "--as-of", "2025-01-15", "--publish"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("[lai-chau-2021-2025] Giai đoạn 2021–2025")
    after = _tree(cron_env)
    assert after["published/chitieu.duckdb"] != before["published/chitieu.duckdb"]
    assert "reports/lai-chau-2025.html" in after


def test_an_invalid_as_of_date_is_refused_before_anything_runs(tmp_path, capsys):
    warehouse = tmp_path / "w" / "chitieu.duckdb"
    assert main(["run", "--warehouse", str(warehouse), "--as-of", "2024-02-30"]) == 2
    err = capsys.readouterr().err
    assert "as-of date '2024-02-30' is not a valid date; expected YYYY-MM-DD" in err
    assert main(["run", "--warehouse", str(warehouse), "--received-at", "2025-01-15T09:00"]) == 2
    err = capsys.readouterr().err
    assert "receipt time '2025-01-15T09:00' is not valid; expected YYYY-MM-DD or an ISO" in err
    assert not warehouse.parent.exists()


def test_chitieu_run_reports_a_failure(tmp_path, monkeypatch, capsys):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "broken.yaml").write_text("plan: {id: x}\ntargets: []\n", encoding="utf-8")
    monkeypatch.setenv("CHITIEU_PLANS_DIR", str(plans))
    assert main(["run", "--warehouse", str(tmp_path / "w.duckdb")]) == 1
    assert "broken.yaml: 1 problem(s)" in capsys.readouterr().err


def test_template_then_check_round_trip(tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "stc-2024-9M.xlsx"
    assert main(["template", "stc", "--period", "2024-9M", "-o", str(out)]) == 0
    wb = load_workbook(out)
    ws = wb["Biểu"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "budget_revenue")
    ws.cell(row, 8).value = 1720
    ws.cell(row, 9).value = 2365
    wb.save(out)
    capsys.readouterr()
    assert main(["check", str(out), "--department", "stc"]) == 0
    text = capsys.readouterr().out
    assert (
        "Kết quả / Result: ĐƯỢC CHẤP NHẬN / ACCEPTED — 0 lỗi / errors, 0 cảnh báo / warnings, 2 số liệu đọc được / figures read"
        in text
    )


def test_check_rejected_file_prints_bilingual_report_and_exits_1(tmp_path, capsys):
    from tests.sheets import write_bieu

    path = write_bieu(
        tmp_path / "tc.xlsx",
        [["1", "Thu ngân sách trên địa bàn", "triệu đồng", "2.180.000", "1.720.000", ""]],
    )
    assert main(["check", str(path), "--department", "stc"]) == 1
    text = capsys.readouterr().out
    for line in (
        "Kết quả / Result: BỊ TỪ CHỐI / REJECTED — 1 lỗi / errors",
        "1. LỖI / ERROR [unit_mismatch] — ô / cell Biểu!C4",
        "   Đơn vị tính khác với danh mục chỉ tiêu",
        "   The unit differs from the catalogue's",
        "   Tìm thấy / Found: 'triệu đồng'",
        "   Cần / Expected: 'tỷ đồng' for budget_revenue",
        "   Cách sửa: Quy đổi số liệu sang đơn vị tính của chỉ tiêu và sửa cột Đơn vị tính.",
    ):
        assert line in text


def test_check_unreadable_or_wrong_usage_exits_2(tmp_path, capsys):
    junk = tmp_path / "x.xlsx"
    junk.write_text("not excel", encoding="utf-8")
    assert main(["check", str(junk)]) == 2
    assert main(["check", str(tmp_path / "missing.xlsx")]) == 2
    assert main(["check", str(junk), "--department", "nope"]) == 2
    assert main(["check"]) == 2
    assert main(["template", "nope", "--period", "2024-9M", "-o", str(tmp_path / "t.xlsx")]) == 2


def test_check_on_a_folder_says_it_is_a_folder(tmp_path, capsys):
    folder = tmp_path / "bao-cao"
    folder.mkdir()
    assert main(["check", str(folder), "--department", "stc"]) == 2, "not a file: as unreadable"
    out = capsys.readouterr().out
    assert "[not_regular_file]" in out
    assert "Tìm thấy / Found: 'bao-cao (a folder)'" in out


def _feedback_paths(out: str) -> list[Path]:
    marker = "feedback file: "
    return [Path(line.split(marker, 1)[1]) for line in out.splitlines() if marker in line]


def test_printed_feedback_paths_are_files_on_disk_even_after_the_outbox_is_deleted(
    cron_env, capsys
):
    args = ["run", "--demo", "--warehouse", str(cron_env / "w" / "chitieu.duckdb")]
    args += ["--as-of", "2025-01-15", "--received-at", "2025-01-15"]
    outbox = cron_env / "outbox"
    # <outbox>/<department>/outbox/<file>: the inner outbox/ is the folder the inbox scanner
    # skips when the outbox root is the inbox root (docs/configuration.md)
    expected = [
        outbox / "sct" / "outbox" / "sct-bao-cao-9-thang.xlsx.phan-hoi.txt",
        outbox / "svhttdl" / "outbox" / "svhttdl-2024-9M.xlsx.phan-hoi.txt",
    ]
    assert main(args) == 0
    printed = _feedback_paths(capsys.readouterr().out)
    assert printed == expected
    assert all(p.is_file() for p in printed)
    shutil.rmtree(outbox)
    # nothing changed, so the job does not run; the feedback files are written again anyway
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("nothing changed since run")
    assert _feedback_paths(out) == expected
    assert all(p.is_file() for p in expected)
    assert "Đơn vị tính khác với danh mục" in expected[0].read_text(encoding="utf-8")


def test_a_file_still_being_copied_is_named_and_the_night_is_not_remembered(
    cron_env, monkeypatch, capsys
):
    import os
    import shutil

    from chitieu.resources import SAMPLE_INBOX_DIR

    inbox = cron_env / "copied-inbox"
    shutil.copytree(SAMPLE_INBOX_DIR, inbox)  # file times kept: settled long ago
    fresh = inbox / "stc" / "stc-2024-9M.xlsx"
    os.utime(fresh)  # written just now: held for the settle wait (60 s by default)
    monkeypatch.setenv("CHITIEU_INBOX_DIR", str(inbox))
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    held = [line for line in out.splitlines() if line.startswith("Tệp đang được chép")]
    assert (
        len(held) == 1
        and "Held for a later run (still being copied): stc-2024-9M.xlsx (" in held[0]
    )
    assert main(["run"]) == 0
    assert not capsys.readouterr().out.startswith("nothing changed"), "runs again for the file"
