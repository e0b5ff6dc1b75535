"""Each target's path over the year for the HTML report: a small inline SVG from mart.attainment_history."""

from __future__ import annotations

import html

import duckdb

from chitieu.attainment import STATUS_VI

# best at the top; no_data at the bottom
_RANK = {"achieved": 0, "on_track": 1, "at_risk": 2, "not_achieved": 3, "no_data": 4}
_COLOURS = {
    "achieved": "#1a7f37",
    "on_track": "#4caf50",
    "at_risk": "#d4a72c",
    "not_achieved": "#cf222e",
    "no_data": "#8c959f",
}
MAX_POINTS = 24


def _has_history(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'mart' and table_name = 'attainment_history'"
        ).fetchall()[0][0]
    )


def sparkline(points: list[tuple]) -> str:
    """An inline SVG of (as_of, status) points, oldest first: one dot per run, joined by a line."""
    if len(points) < 2:
        return ""
    points = points[-MAX_POINTS:]
    step, height = 8, 5
    xy = [(4 + i * step, 3 + _RANK[s] * height) for i, (_, s) in enumerate(points)]
    line = " ".join(f"{x},{y}" for x, y in xy)
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="2.2" fill="{_COLOURS[s]}">'
        f"<title>{d:%d/%m/%Y}: {html.escape(STATUS_VI[s])} ({s})</title></circle>"
        for (x, y), (d, s) in zip(xy, points, strict=True)
    )
    width = 8 + (len(points) - 1) * step
    first, last = points[0][0], points[-1][0]
    return (
        f'<svg class="path" width="{width}" height="26" viewBox="0 0 {width} 26" role="img"'
        f' aria-label="Diễn biến / path {first:%d/%m/%Y}–{last:%d/%m/%Y}">'
        f'<polyline points="{line}" fill="none" stroke="#8c959f" stroke-width="1"/>{dots}</svg>'
    )


def status_paths(con: duckdb.DuckDBPyConnection, plan_id: str) -> dict[str, str]:
    """target_code → the sparkline of its status over the recorded as-of dates (empty without history)."""
    if not _has_history(con):
        return {}
    rows = con.execute(
        "select target_code, as_of, status from mart.attainment_history"
        " where plan_id = ? order by target_code, as_of",
        [plan_id],
    ).fetchall()
    by_target: dict[str, list[tuple]] = {}
    for code, as_of, status in rows:
        by_target.setdefault(code, []).append((as_of, status))
    return {code: svg for code, pts in by_target.items() if (svg := sparkline(pts))}
