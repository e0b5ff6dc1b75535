"""The canonical manual-observations CSV: every bad line is named, and the file is rejected whole."""

import pytest

from chitieu.manual import read_manual_observations

HEADER = "plan_id,target_code,area_code,period_code,value,data_status,note\n"
KNOWN = {("lai-chau-2024", "budget_revenue"), ("lai-chau-2024", "jobs_created")}
AREAS = {"12", "105"}


def _read(tmp_path, body: str, name: str = "letter.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + HEADER + body).encode("utf-8"))
    return read_manual_observations(path, KNOWN, AREAS)


def test_good_file_with_bom(tmp_path):
    f = _read(
        tmp_path, "lai-chau-2024,budget_revenue,12,2024-9M,1720.5,reported,letter 123\n", bom=True
    )
    assert f.accepted
    row = f.rows.iloc[0]
    assert (row["value"], row["value_text"], row["source_row"], row["period_code"]) == (
        1720.5,
        "1720.5",
        2,
        "2024-9M",
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'lai-chau-2024,budget_revenue,12,2024-9M,"1.720,5",reported,',
            "letter.csv: line 2, column value: found '1.720,5'; expected a number with '.' as decimal mark",
        ),
        (
            "lai-chau-2024,budget_revenue,12,2024-9M,,reported,",
            "letter.csv: line 2, column value: found ''; expected a number",
        ),
        (
            "lai-chau-2024,budget_revenue,12,2024-9M,nan,reported,",
            "letter.csv: line 2, column value: found 'nan'",
        ),
        (
            "lai-chau-2024,revenue,12,2024-9M,1,reported,",
            "letter.csv: line 2, column target_code: found 'revenue'; expected a target of plan 'lai-chau-2024'",
        ),
        (
            "lai-chau-2024,budget_revenue,99,2024-9M,1,reported,",
            "letter.csv: line 2, column area_code: found '99'",
        ),
        (
            "lai-chau-2024,budget_revenue,12,2024-H1,1,reported,",
            "letter.csv: line 2, column period_code: period '2024-H1' is not valid",
        ),
        (
            "lai-chau-2024,budget_revenue,12,2024-9M,1,final,",
            "letter.csv: line 2, column data_status: found 'final'",
        ),
    ],
)
def test_bad_line_rejects_the_file(tmp_path, line, message):
    good = "lai-chau-2024,jobs_created,12,2024-9M,6100,reported,\n"
    f = _read(tmp_path, line + "\n" + good)
    assert not f.accepted
    assert f.rows.empty
    assert any(p.startswith(message) for p in f.problems), f.problems


def test_duplicate_line(tmp_path):
    row = "lai-chau-2024,jobs_created,12,2024-9M,6100,reported,\n"
    f = _read(tmp_path, row + row)
    assert f.problems == [
        "letter.csv: line 3: duplicates line 2 (lai-chau-2024, jobs_created, 12, 2024-9M)"
    ]


def test_missing_column_and_empty_file(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("plan_id,target_code,value\n", encoding="utf-8")
    f = read_manual_observations(path, KNOWN, AREAS)
    assert f.problems == [
        "short.csv: line 1: missing column(s) area_code, period_code, data_status, note; expected plan_id, target_code, area_code, period_code, value, data_status, note"
    ]
    assert _read(tmp_path, "").problems == ["letter.csv: no data lines"]


def test_not_utf8(tmp_path):
    path = tmp_path / "cp1258.csv"
    # "Sở" saved by an old Windows tool as Windows-1258: 0xD5 never starts a valid UTF-8 sequence
    path.write_bytes(HEADER.encode() + b"lai-chau-2024,jobs_created,12,2024,1,official,S\xd5\n")
    f = read_manual_observations(path, KNOWN, AREAS)
    assert f.problems[0].startswith("cp1258.csv: not UTF-8 text")
