"""The inbox in the pipeline: nothing of a rejected file loads, revisions, duplicates, permissions, the sensor."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from chitieu.resources import InputsResource
from pipelines.sensors import inbox_sensor
from tests.conftest import run_nightly
from tests.sheets import write_bieu

JOBS = [["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", "8.500"]]


@pytest.fixture
def inbox(tmp_path, resources):
    root = tmp_path / "inbox"
    (root / "sldtbxh").mkdir(parents=True)
    (root / "stc").mkdir()
    resources["inputs"] = InputsResource(
        **(resources["inputs"].model_dump() | {"inbox_dir": str(root)})
    )
    return root


def _q(resources, sql):
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        return con.execute(sql).fetchall()


def _clock(resources, received_at: str) -> None:
    """The next runs receive the files they see first at ``received_at`` (the receipt clock)."""
    inputs = resources["inputs"].model_dump() | {"received_at": received_at}
    resources["inputs"] = InputsResource(**inputs)


def test_rejected_file_loads_nothing_and_others_still_load(inbox, resources):
    write_bieu(inbox / "sldtbxh" / "ld.xlsx", JOBS)
    bad = [["1", "Thu ngân sách trên địa bàn", "tỷ đồng", "2.180", "1.720,5,0", "2.365"]]
    write_bieu(inbox / "stc" / "tc.xlsx", bad)
    assert run_nightly(resources).success
    subs = _q(
        resources,
        "select file_name, status, value_count, error_count from raw.submissions order by 1",
    )
    assert subs == [("ld.xlsx", "accepted", 3, 0), ("tc.xlsx", "rejected", 2, 1)]
    problems = _q(resources, "select rule, cell, found, message_vi from raw.submission_problems")
    assert problems == [
        ("ambiguous_number", "Biểu!E4", "1.720,5,0", "Số không rõ ràng hoặc không phải số")
    ]
    assert _q(
        resources,
        "select count(*) from raw.submission_values v join raw.submissions s using (submission_id) where s.file_name = 'tc.xlsx'",
    ) == [(0,)]
    assert _q(
        resources, "select count(*) from core.fact_observation where source_file = 'tc.xlsx'"
    ) == [(0,)]
    assert _q(
        resources,
        "select actual_source, actual_value from mart.target_attainment where target_code = 'budget_revenue'",
    ) == [("manual", 1720.0)]
    assert _q(
        resources,
        "select actual_source, actual_value, actual_source_ref from mart.target_attainment where target_code = 'jobs_created'",
    ) == [("department", 6100.0, "ld.xlsx (Biểu!E4)")]


def test_resend_supersedes_and_history_shows_the_change(inbox, resources):
    _clock(resources, "2025-01-10T09:00:00+07:00")
    write_bieu(inbox / "sldtbxh" / "ld-lan-1.xlsx", JOBS)
    assert run_nightly(resources).success
    revised = [["1", "Giải quyết việc làm", "lao động", "8.870", "6.250", "8.500"]]
    write_bieu(inbox / "sldtbxh" / "ld-lan-2.xlsx", revised)
    _clock(resources, "2025-01-11T09:00:00+07:00")
    assert run_nightly(resources).success
    # received when the pipeline first saw each file, not at the file's own time
    assert _q(
        resources,
        "select file_name, strftime(timezone('Asia/Ho_Chi_Minh', received_at), '%Y-%m-%d %H:%M')"
        " from raw.submissions order by 1",
    ) == [("ld-lan-1.xlsx", "2025-01-10 09:00"), ("ld-lan-2.xlsx", "2025-01-11 09:00")]
    assert _q(
        resources, "select file_name, effective_status from staging.stg_submissions order by 1"
    ) == [("ld-lan-1.xlsx", "superseded"), ("ld-lan-2.xlsx", "accepted")]
    changes = _q(
        resources,
        "select department_code, target_code, period_code, old_value, new_value, old_file, new_file, cell from mart.submission_changes",
    )
    assert changes == [
        (
            "sldtbxh",
            "jobs_created",
            "2024-9M",
            6100.0,
            6250.0,
            "ld-lan-1.xlsx",
            "ld-lan-2.xlsx",
            "Biểu!E4",
        )
    ]
    assert _q(
        resources,
        "select actual_value from mart.target_attainment where target_code = 'jobs_created'",
    ) == [(6250.0,)]
    # both files are kept
    assert _q(resources, "select count(*) from raw.submissions") == [(2,)]
    # the first version sent again: a new receipt (own id, same content hash), current again
    shutil.copy(inbox / "sldtbxh" / "ld-lan-1.xlsx", inbox / "sldtbxh" / "ld-lan-3.xlsx")
    _clock(resources, "2025-01-12T09:00:00+07:00")
    assert run_nightly(resources).success
    assert _q(
        resources,
        "select file_name, effective_status from staging.stg_submissions order by received_at, file_name",
    ) == [
        ("ld-lan-1.xlsx", "superseded"),
        ("ld-lan-2.xlsx", "superseded"),
        ("ld-lan-3.xlsx", "accepted"),
    ]
    assert _q(
        resources,
        "select count(distinct submission_id), count(distinct content_sha256) from raw.submissions",
    ) == [(3, 2)]
    assert _q(
        resources,
        "select actual_value from mart.target_attainment where target_code = 'jobs_created'",
    ) == [(6100.0,)]
    # a fourth night with the same three files records nothing
    assert run_nightly(resources).success
    assert _q(resources, "select count(*) from raw.submissions") == [(3,)]


def test_same_file_twice_is_one_submission(inbox, resources):
    first = write_bieu(inbox / "sldtbxh" / "ld.xlsx", JOBS)
    shutil.copy(first, inbox / "sldtbxh" / "ld (1).xlsx")
    assert run_nightly(resources).success
    assert run_nightly(resources).success
    assert _q(resources, "select count(*), count(distinct submission_id) from raw.submissions") == [
        (1, 1)
    ]
    assert _q(resources, "select count(*) from raw.submission_values") == [(3,)]


def test_files_outside_department_folders_or_with_path_tricks_are_refused(inbox, resources):
    write_bieu(inbox / "loose.xlsx", JOBS)
    write_bieu(inbox / "phong-khac" / "x.xlsx", JOBS)
    write_bieu(inbox / "sldtbxh" / "..ld.xlsx", JOBS)
    write_bieu(inbox / "sldtbxh" / "ok.xlsx", JOBS)
    assert run_nightly(resources).success
    refused = _q(
        resources,
        "select rule, file_path, found from raw.submission_problems where rule = 'path_refused' order by 2",
    )
    assert [(r, Path(p).name, f) for r, p, f in refused] == [
        ("path_refused", "loose.xlsx", "loose.xlsx"),
        ("path_refused", "x.xlsx", "phong-khac/x.xlsx"),
        ("path_refused", "..ld.xlsx", "..ld.xlsx"),
    ]
    assert _q(
        resources, "select file_name, status from raw.submissions where status = 'accepted'"
    ) == [("ok.xlsx", "accepted")]


def test_symlink_escaping_the_folder_is_refused(inbox, resources, tmp_path):
    outside = write_bieu(tmp_path / "elsewhere.xlsx", JOBS)
    (inbox / "sldtbxh" / "link.xlsx").symlink_to(outside)
    assert run_nightly(resources).success
    assert _q(resources, "select rule, found from raw.submission_problems") == [
        ("path_refused", "link.xlsx")
    ]


PLANS = ["lai-chau-2024", "lai-chau-2025"]


def _tick(resources, cursor=None, plans=PLANS):
    instance = dg.DagsterInstance.ephemeral()
    if plans:
        instance.add_dynamic_partitions("plans", plans)
    ctx = dg.build_sensor_context(
        instance=instance, resources={"inputs": resources["inputs"]}, cursor=cursor
    )
    return inbox_sensor(ctx)


def test_sensor_batches_new_files_into_one_run_per_tick(inbox, resources):
    a = write_bieu(inbox / "sldtbxh" / "ld.xlsx", JOBS)
    write_bieu(inbox / "stc" / "tc.xlsx", JOBS)
    waiting = _tick(resources, plans=[])
    # no plan registered as a partition yet: nothing to run, and the files stay new
    assert isinstance(waiting, dg.SkipReason) and "no plan partition" in waiting.skip_message
    first = _tick(resources)
    assert len(first.run_requests) == 1 and len(first.run_requests[0].run_key) == 64
    # the run covers every registered plan
    assert first.run_requests[0].tags == {
        "chitieu/new_files": "2",
        "dagster/asset_partition_range_start": "lai-chau-2024",
        "dagster/asset_partition_range_end": "lai-chau-2025",
    }
    again = _tick(resources, first.cursor)
    assert isinstance(again, dg.SkipReason) and "nothing new" in again.skip_message
    write_bieu(a, [["1", "Giải quyết việc làm", "lao động", "8.870", "6.300", ""]])
    changed = _tick(resources, first.cursor)
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].tags["chitieu/new_files"] == "1"
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key
    shutil.rmtree(inbox)
    inbox.mkdir()
    assert isinstance(_tick(resources, changed.cursor), dg.SkipReason)


def test_sensor_triggers_the_whole_nightly_job():
    # the whole job, so a fresh warehouse is built before submissions are loaded into it
    assert inbox_sensor.job_name == "nightly"


def test_upload_times_replace_the_scan_time_only_for_the_same_bytes_and_department(tmp_path):
    from datetime import datetime

    from chitieu.submissions.inbox import InboxFile, with_upload_times

    scan = datetime.fromisoformat("2025-01-16T09:00:00+07:00")
    upload = datetime.fromisoformat("2025-01-15T23:59:30+07:00")
    files = [
        InboxFile(tmp_path / "stc" / "a.xlsx", "stc", "sha-a", scan),
        InboxFile(tmp_path / "stc" / "b.xlsx", "stc", "sha-b-edited", scan),
        InboxFile(tmp_path / "snn" / "c.xlsx", "snn", "sha-c", scan),
        InboxFile(tmp_path / "stc" / "d.xlsx", "stc", "sha-d", scan),
    ]
    uploads = {
        ("stc", "a.xlsx"): ("sha-a", upload),
        ("stc", "b.xlsx"): ("sha-b", upload),  # the file was changed after the upload
        ("stc", "c.xlsx"): ("sha-c", upload),  # another department's folder
        ("stc", "d.xlsx"): ("sha-d", datetime.fromisoformat("2025-01-16T10:00:00+07:00")),
    }
    stamped = [f.received_at for f in with_upload_times(files, uploads)]
    assert stamped == [upload, scan, scan, scan]


def test_a_portal_upload_is_received_when_it_was_uploaded_not_when_the_night_saw_it(
    inbox, resources, tmp_path
):
    from datetime import datetime

    from chitieu.portal.inbox import deliver
    from chitieu.portal.store import Event, EventLog

    log = EventLog(tmp_path / "portal" / "events.sqlite")
    uploaded = datetime.fromisoformat("2025-01-15T23:59:30+07:00")  # the deadline day, 23:59
    write_bieu(tmp_path / "ld.xlsx", JOBS)
    content = (tmp_path / "ld.xlsx").read_bytes()
    stored = deliver(inbox, "sldtbxh", "ld.xlsx", content, uploaded)
    sha = __import__("hashlib").sha256(content).hexdigest()
    log.record(
        Event("upload", "sldtbxh", "accepted", stored_name=stored.name, sha256=sha), uploaded
    )
    revised = [["1", "Giải quyết việc làm", "lao động", "8.870", "6.250", "8.500"]]
    write_bieu(inbox / "sldtbxh" / "ld-lan-2.xlsx", revised)  # dropped in the folder, not uploaded
    resources["inputs"] = InputsResource(
        **(
            resources["inputs"].model_dump()
            | {"portal_log": str(log.path), "received_at": "2025-01-16T09:00:00+07:00"}
        )
    )
    assert run_nightly(resources).success
    assert _q(
        resources,
        "select file_name, strftime(timezone('Asia/Ho_Chi_Minh', received_at), "
        "'%Y-%m-%d %H:%M:%S') from raw.submissions order by received_at",
    ) == [(stored.name, "2025-01-15 23:59:30"), ("ld-lan-2.xlsx", "2025-01-16 09:00:00")]
