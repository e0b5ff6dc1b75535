"""The portal's ASGI application: routes, sessions, middleware, and the warm checker's lifetime."""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from chitieu.portal import views
from chitieu.portal.checker import Checker
from chitieu.portal.credentials import Credentials
from chitieu.portal.security import BodyLimit, SecurityHeaders, SignInLimiter
from chitieu.portal.settings import PortalSettings
from chitieu.portal.store import EventLog

TEMPLATES = Path(__file__).parent / "templates"
log = logging.getLogger("chitieu.portal")


@dataclass
class Portal:
    """What every request handler needs, built once per server."""

    settings: PortalSettings
    credentials: Credentials
    events: EventLog
    limiter: SignInLimiter
    checker: Checker
    departments: dict[str, tuple[str, str]]
    plans: list
    ref: object
    templates: Jinja2Templates


def build_portal(settings: PortalSettings) -> Portal:
    from chitieu.catalogue import load_plan
    from chitieu.reference import load_reference

    ref = load_reference(settings.reference_dir)
    plans = [load_plan(p, ref) for p in sorted(Path(settings.plans_dir).glob("*.yaml"))]
    owners = {t.department_code for p in plans for t in p.targets}
    departments = {
        row.department_code: (row.name_vi, row.name_en)
        for row in ref.departments.itertuples()
        if row.department_code in owners
    }
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["vi_time"] = views.vi_time
    templates.env.filters["vi_number"] = views.vi_number
    return Portal(
        settings=settings,
        credentials=Credentials(settings.credentials_path),
        events=EventLog(settings.log_path),
        limiter=SignInLimiter(settings.sign_in_attempts, settings.sign_in_window_seconds),
        checker=Checker(
            settings.plans_dir,
            settings.reference_dir,
            settings.published_path,
            settings.check_workers,
        ),
        departments=departments,
        plans=plans,
        ref=ref,
        templates=templates,
    )


def create_app(settings: PortalSettings):
    """The application, wrapped in the body-limit and security-header middleware."""
    portal = build_portal(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        from starlette.concurrency import run_in_threadpool

        # GX and the parser are imported and exercised before the first department waits
        await run_in_threadpool(portal.checker.start)
        log.info("portal ready: %d check worker(s) warm", portal.checker.workers)
        yield
        await run_in_threadpool(portal.checker.stop)

    session_key = settings.session_key or secrets.token_urlsafe(32)
    app = Starlette(
        routes=[
            Route("/", views.home),
            Route("/healthz", views.healthz),
            Route("/static/portal.css", views.stylesheet),
            Route("/signin", views.sign_in_page, methods=["GET"]),
            Route("/signin", views.sign_in, methods=["POST"]),
            Route("/signout", views.sign_out, methods=["POST"]),
            Route("/upload", views.upload_page, methods=["GET"]),
            Route("/upload", views.upload, methods=["POST"]),
            Route("/template", views.template, methods=["GET"]),
            Route("/history", views.history, methods=["GET"]),
            Route("/feedback/{event_id:int}", views.upload_feedback, methods=["GET"]),
            Route("/feedback/s/{submission_id:str}", views.run_feedback, methods=["GET"]),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_key,
                session_cookie="chitieu_session",
                max_age=settings.session_hours * 3600,
                same_site="strict",
                https_only=settings.secure_cookies,
            )
        ],
        lifespan=lifespan,
    )
    app.state.portal = portal
    # outermost: the multipart envelope may add a little to the file itself
    return SecurityHeaders(
        BodyLimit(app, settings.max_upload_bytes + 65536, settings.upload_timeout_seconds)
    )


def serve(settings: PortalSettings) -> None:
    """Run the portal with uvicorn (one process; the checks run in warm worker processes)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.bind,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        timeout_keep_alive=5,
        log_level="info",
    )
