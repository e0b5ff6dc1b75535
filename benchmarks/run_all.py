"""Run every benchmark in turn (make bench)."""

from benchmarks import (
    incremental_night,
    parse_throughput,
    portal_upload,
    publish_snapshot,
    validation_vs_sql,
    warehouse_open,
)

if __name__ == "__main__":
    parse_throughput.main()
    validation_vs_sql.main()
    incremental_night.main()
    warehouse_open.main([])
    publish_snapshot.main([])
    portal_upload.main([])
