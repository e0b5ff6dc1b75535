"""Run every benchmark in turn (make bench)."""

from benchmarks import parse_throughput

if __name__ == "__main__":
    parse_throughput.main()
