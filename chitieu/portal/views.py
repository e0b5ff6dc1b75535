"""Request handlers. Every page but sign-in needs a session; every query is filtered by the
session's department, and nothing in a URL names a department or a path."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from chitieu.portal.checker import CheckFailed
from chitieu.portal.history import department_history
from chitieu.portal.inbox import deliver
from chitieu.portal.security import REFUSED, csrf_ok, csrf_token, refusal, safe_name
from chitieu.portal.settings import EXTENSIONS
from chitieu.portal.store import Event

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CSS = (Path(__file__).parent / "templates" / "portal.css").read_text(encoding="utf-8")


def vi_time(value) -> str:
    """'01/12/2026 10:15' in Vietnam time, from a datetime or an ISO text."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")


def vi_number(value) -> str:
    """1234.5 -> '1.234,5'."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _portal(request: Request):
    return request.app.state.portal


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def signed_in(request: Request) -> str | None:
    """The session's department, if its password has not changed since it signed in."""
    dept = request.session.get("department")
    if not dept:
        return None
    if request.session.get("fingerprint") != _portal(request).credentials.current(dept):
        request.session.clear()
        return None
    return dept


def _page(request: Request, name: str, status: int = 200, **context) -> Response:
    portal = _portal(request)
    dept = context.pop("department", None)
    context |= {
        "csrf_token": csrf_token(request.session),
        "department": dept,
        "department_name": portal.departments.get(dept, ("", "")) if dept else None,
        "max_mb": vi_number(portal.settings.max_upload_mb),
    }
    return portal.templates.TemplateResponse(request, name, context, status_code=status)


def _to_sign_in() -> RedirectResponse:
    return RedirectResponse("/signin", status_code=303)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def stylesheet(request: Request) -> Response:
    return Response(CSS, media_type="text/css")


async def home(request: Request) -> Response:
    return RedirectResponse("/upload" if signed_in(request) else "/signin", status_code=303)


async def sign_in_page(request: Request) -> Response:
    portal = _portal(request)
    return _page(request, "signin.html", departments=portal.departments)


async def sign_in(request: Request) -> Response:
    portal = _portal(request)
    form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    if not csrf_ok(request.session, form.get("csrf_token")):
        return _page(request, "signin.html", 403, departments=portal.departments, error="csrf")
    dept = str(form.get("department", ""))[:32]
    password = str(form.get("password", ""))[:1024]
    keys = (f"client:{_client(request)}", f"department:{dept}")
    if portal.limiter.blocked(*keys):
        await run_in_threadpool(
            portal.events.record, Event("sign_in", dept, "rate_limited", _client(request))
        )
        return _page(
            request, "signin.html", 429, departments=portal.departments, error="rate_limited"
        )
    fp = await run_in_threadpool(portal.credentials.verify, dept, password)
    if fp is None or dept not in portal.departments:
        portal.limiter.failed(*keys)
        await run_in_threadpool(
            portal.events.record, Event("sign_in", dept, "wrong_password", _client(request))
        )
        return _page(request, "signin.html", 401, departments=portal.departments, error="wrong")
    request.session.clear()  # a new session (and CSRF token) at every sign-in
    request.session.update(department=dept, fingerprint=fp)
    await run_in_threadpool(portal.events.record, Event("sign_in", dept, "ok", _client(request)))
    return RedirectResponse("/upload", status_code=303)


async def sign_out(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=2, max_part_size=4096)
    if csrf_ok(request.session, form.get("csrf_token")):
        request.session.clear()
    return _to_sign_in()


def _periods(portal) -> list[str]:
    from chitieu.periods import periods_for_year

    return [
        p.code for plan in portal.plans for p in periods_for_year(plan.year) if not p.is_estimate
    ]


async def upload_page(request: Request) -> Response:
    dept = signed_in(request)
    if not dept:
        return _to_sign_in()
    return _page(request, "upload.html", department=dept, periods=_periods(_portal(request)))


async def upload(request: Request) -> Response:
    portal, settings = _portal(request), _portal(request).settings
    dept = signed_in(request)
    if not dept:
        return _to_sign_in()
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=4096)
    except ClientDisconnect:
        if REFUSED in request.scope:
            result = "too_large" if request.scope[REFUSED] == 413 else "too_slow"
            portal.events.record(Event("upload", dept, result, _client(request)))
            return refusal(request.scope, settings.max_upload_bytes)
        raise
    if not csrf_ok(request.session, form.get("csrf_token")):
        portal.events.record(Event("upload", dept, "csrf_refused", _client(request)))
        return PlainTextResponse(
            "Phiên làm việc không hợp lệ; hãy tải lại trang. / Invalid session token; reload the page.",
            status_code=403,
        )
    file, sender = form.get("file"), str(form.get("sender", "")).strip()[:100]
    periods = _periods(portal)
    if not isinstance(file, UploadFile) or not file.filename or not sender:
        return _page(request, "upload.html", 400, department=dept, periods=periods, error="missing")
    name = safe_name(file.filename)
    event = {"client": _client(request), "sender": sender, "file_name": name}
    if Path(name).suffix.lower() not in EXTENSIONS:
        portal.events.record(Event("upload", dept, "wrong_type", **event))
        return _page(request, "upload.html", 415, department=dept, periods=periods, error="type")
    content = await file.read()
    if len(content) > settings.max_upload_bytes:
        portal.events.record(Event("upload", dept, "too_large", size_bytes=len(content), **event))
        return refusal({}, settings.max_upload_bytes)
    started, received_at = time.perf_counter(), datetime.now(UTC)
    settings.incoming_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=uuid.uuid4().hex, dir=settings.incoming_dir))
    try:
        path = work / name
        path.write_bytes(content)
        verdict = await run_in_threadpool(
            portal.checker.check, path, dept, settings.check_timeout_seconds
        )
    except CheckFailed as exc:
        result = "timeout" if exc.timed_out else "check_failed"
        portal.events.record(Event("upload", dept, result, size_bytes=len(content), **event))
        return _page(request, "verdict.html", 503, department=dept, failed=result, file_name=name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stored = None
    if verdict.status != "rejected":
        stored = await run_in_threadpool(
            deliver, settings.inbox_dir, dept, name, content, received_at
        )
    event_id = portal.events.record(
        Event(
            "upload",
            dept,
            verdict.status,
            stored_name=stored.name if stored else "",
            sha256=verdict.sha256,
            size_bytes=len(content),
            period_code=verdict.period_code,
            error_count=len(verdict.errors),
            warning_count=len(verdict.warnings),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            report=verdict.report,
            **event,
        ),
        occurred_at=received_at,
    )
    return _page(
        request,
        "verdict.html",
        department=dept,
        verdict=verdict,
        file_name=name,
        stored=stored.name if stored else None,
        event_id=event_id,
        received_at=received_at,
    )


async def template(request: Request) -> Response:
    dept = signed_in(request)
    if not dept:
        return _to_sign_in()
    portal = _portal(request)
    period = request.query_params.get("period", "")
    if period not in _periods(portal):
        return PlainTextResponse("Kỳ báo cáo không hợp lệ. / Unknown period.", status_code=400)
    from chitieu.submissions.template import write_template

    plan = next(p for p in portal.plans if period.startswith(str(p.year)))
    out = Path(tempfile.mkdtemp(dir=portal.settings.incoming_dir.parent)) / f"{dept}-{period}.xlsx"
    await run_in_threadpool(write_template, plan, portal.ref, dept, period, out)
    data = out.read_bytes()
    shutil.rmtree(out.parent, ignore_errors=True)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{dept}-{period}.xlsx"'},
    )


async def history(request: Request) -> Response:
    dept = signed_in(request)
    if not dept:
        return _to_sign_in()
    portal = _portal(request)
    uploads = await run_in_threadpool(portal.events.uploads, dept)
    data = await run_in_threadpool(
        department_history, portal.settings.published_path, uploads, dept
    )
    return _page(request, "history.html", department=dept, **data)


async def upload_feedback(request: Request) -> Response:
    dept = signed_in(request)
    if not dept:
        return _to_sign_in()
    row = _portal(request).events.upload(dept, request.path_params["event_id"])
    if row is None or not row["report"]:
        return PlainTextResponse("Không tìm thấy. / Not found.", status_code=404)
    return PlainTextResponse(
        row["report"] + "\n",
        headers={"content-disposition": f'attachment; filename="phan-hoi-{row["event_id"]}.txt"'},
    )


async def run_feedback(request: Request) -> Response:
    """The nightly run's feedback file for one of the department's submissions."""
    from chitieu.portal.history import processed
    from chitieu.submissions.inbox import feedback_path

    dept = signed_in(request)
    if not dept:
        return _to_sign_in()
    settings = _portal(request).settings
    subs = await run_in_threadpool(processed, settings.published_path, dept)
    sub = next(
        (s for s in subs if s["submission_id"] == request.path_params["submission_id"]), None
    )
    path = feedback_path(settings.outbox_dir, dept, sub["file_name"]) if sub else None
    root = (Path(settings.outbox_dir) / dept).resolve()
    if path is None or not path.is_file() or not path.resolve().is_relative_to(root):
        return PlainTextResponse("Không tìm thấy. / Not found.", status_code=404)
    return FileResponse(path, media_type="text/plain; charset=utf-8", filename="phan-hoi.txt")
