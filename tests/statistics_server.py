"""Serve the recorded statistics answers from a real local HTTP server (pytest-httpserver)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml
from pytest_httpserver import HTTPServer

from chitieu.resources import DEFAULT_STATS_RECORDED

RECORDED = Path(DEFAULT_STATS_RECORDED)
PXWEB_PREFIX = "https://pxweb.nso.gov.vn"
WB_PREFIX = "https://api.worldbank.org"


def recorded_answers() -> list[dict]:
    return yaml.safe_load((RECORDED / "index.yaml").read_text(encoding="utf-8"))["answers"]


def serve_config(server: HTTPServer, max_calls: int = 30, time_window: int = 10) -> None:
    """PX-Web's ``/api/v1/vi/?config`` answer, with the call limits the throttle keeps to."""
    server.expect_request("/api/v1/vi/", query_string="config").respond_with_data(
        json.dumps({"maxValues": 10000, "maxCalls": max_calls, "timeWindow": time_window}),
        content_type="application/json",
    )


def data_requests(server: HTTPServer) -> list:
    """The requests ``server`` received, without the ``?config`` look-ups."""
    return [req for req, _ in server.log if req.query_string != b"config"]


def serve_recordings(server: HTTPServer) -> None:
    """Register every recorded answer at the same path (and query) on ``server``, and PX-Web's ``?config``."""
    serve_config(server)
    for entry in recorded_answers():
        parts = urlsplit(entry["url"])
        body = (RECORDED / entry["file"]).read_bytes()
        kwargs = {"method": entry["method"]}
        if parts.query:
            kwargs["query_string"] = dict(parse_qsl(parts.query))
        if entry.get("payload") is not None:
            kwargs["json"] = entry["payload"]
        server.expect_request(parts.path, **kwargs).respond_with_data(
            body, content_type="application/json"
        )


def base_urls(server: HTTPServer) -> tuple[str, str]:
    """PX-Web and World Bank base URLs pointing at ``server``."""
    return server.url_for("/api/v1"), server.url_for("/v2")
