"""``chitieu run`` runs the nightly job in process, as a cron user would."""

import duckdb

from chitieu.cli import main


def test_chitieu_run_prints_table_and_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    warehouse = tmp_path / "cron" / "chitieu.duckdb"
    assert main(["run", "--demo", "--warehouse", str(warehouse), "--as-of", "2025-01-15"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SAMPLE DATA")
    assert "(3).1   Thu ngân sách trên địa bàn" in out
    assert (
        "[lai-chau-2024] Ước đạt và vượt 36/50 chỉ tiêu — Estimated to meet or exceed 36 of 50 targets."
        in out
    )
    for label in (
        "Đạt và vượt (achieved)",
        "Ước đạt (on_track)",
        "Có nguy cơ không đạt (at_risk)",
        "Không đạt (not_achieved)",
        "Chưa có số liệu (no_data)",
    ):
        assert label in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from mart.target_attainment").fetchall() == [(50,)]


def test_chitieu_run_reports_a_failure(tmp_path, monkeypatch, capsys):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "broken.yaml").write_text("plan: {id: x}\ntargets: []\n", encoding="utf-8")
    monkeypatch.setenv("CHITIEU_PLANS_DIR", str(plans))
    assert main(["run", "--warehouse", str(tmp_path / "w.duckdb")]) == 1
    assert "broken.yaml: 1 problem(s)" in capsys.readouterr().err
