"""``create_app``: the one place where settings, storage, domains and HTTP are wired together."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from piccolo.engine.base import Engine

from window_staff.appraisal import jobs as appraisal_jobs, policy as appraisal_policy, sources as appraisal_sources
from window_staff.appraisal.controllers.appeals import AppraisalAppealController, MyAppraisalController
from window_staff.appraisal.controllers.periods import AppraisalController
from window_staff.appraisal.sources import FactSource
from window_staff.appraisal.tables import SHEET_SEAL
from window_staff.attendance import facts as attendance_facts, jobs as attendance_jobs
from window_staff.attendance.controllers.admin import AttendanceAdminController
from window_staff.attendance.controllers.month import AttendanceReadController, MyAttendanceController
from window_staff.attendance.service import inputs
from window_staff.attendance.tables import PUNCH_SEAL
from window_staff.auth import service as auth_service
from window_staff.auth.controllers import AuthController, UserController
from window_staff.auth.tables import USER_ROLE_SEAL
from window_staff.biometrics import service as biometrics
from window_staff.biometrics.controllers import BiometricsController
from window_staff.bonuses.rules import bonus_rules_of
from window_staff.common import audit, cli as common_cli, integrity
from window_staff.common.clock import Clock, SystemClock
from window_staff.common.context import AppContext
from window_staff.common.controllers import SystemController
from window_staff.common.csrf import csrf_guard
from window_staff.common.db import bind_tables, close_pool, create_engine, start_pool
from window_staff.common.guards import PUBLIC
from window_staff.common.headers import security_headers_middleware
from window_staff.common.logging import configure_logging, request_id_middleware
from window_staff.common.web import provide_ctx
from window_staff.errors import EXCEPTION_HANDLERS
from window_staff.evaluations import facts as evaluations_facts, jobs as evaluation_jobs, policy as evaluations_policy
from window_staff.evaluations.controllers.delegates import CampaignController, DelegateAdminController, DelegateController
from window_staff.evaluations.controllers.metrics import ServiceMetricsController
from window_staff.evaluations.controllers.ratings import (
    DeviceRatingController,
    MyRatingCaseController,
    MyRatingsController,
    RatingCaseController,
    RatingCodeController,
    SatisfactionController,
)
from window_staff.evaluations.tables import EVALUATION_SEAL, RATING_SEAL
from window_staff.inspections import facts as inspections_facts
from window_staff.inspections.controllers.board import BoardController, ExposureController
from window_staff.inspections.controllers.evidence import EvidenceController
from window_staff.inspections.controllers.publication import AppealReviewController, MyAppealController
from window_staff.inspections.controllers.visits import FindingController, MyFindingsController, VisitController
from window_staff.inspections.policy import policy_of
from window_staff.inspections.tables import FINDING_SEAL
from window_staff.jobs import service as jobs_service
from window_staff.jobs.controllers import JobController
from window_staff.jobs.runner import Runner
from window_staff.migrations import all_tables, migrate
from window_staff.notifications.controllers import MyNotificationController
from window_staff.org.controllers import DepartmentController, SiteController, StaffController, WindowController
from window_staff.queues import facts as queues_facts, jobs as queues_jobs, policy as queues_policy
from window_staff.queues.controllers import QueueController, QueueDeviceController
from window_staff.scoring.rules import RULES_RESOURCE, load_rules
from window_staff.settings import Settings, get_settings
from window_staff.terminals.controllers.card import StaffCardController
from window_staff.terminals.controllers.device import IclockController, TerminalCheckInController
from window_staff.terminals.controllers.device_users import DeviceUserController
from window_staff.terminals.controllers.registry import TerminalController
from window_staff.web.controllers.account import AccountPages
from window_staff.web.controllers.admin import AdminPages
from window_staff.web.controllers.approver import ApproverPageController
from window_staff.web.controllers.audit_log import AuditLogPages
from window_staff.web.controllers.board import BoardPageController
from window_staff.web.controllers.delegate import DelegatePagesController
from window_staff.web.controllers.hall import HallController
from window_staff.web.controllers.hr import HrAppraisalPageController
from window_staff.web.controllers.hr_campaigns import HrCampaignPages
from window_staff.web.controllers.hr_cases import HrCasePages
from window_staff.web.controllers.hr_enrolment import HrEnrolmentPages
from window_staff.web.controllers.hr_leave import HrLeavePages, MyLeavePages
from window_staff.web.controllers.hr_org import HrOrgPages
from window_staff.web.controllers.hr_queue_import import HrQueueImportPages
from window_staff.web.controllers.hr_rating_codes import HrRatingCodePages
from window_staff.web.controllers.hr_services import HrServicePages
from window_staff.web.controllers.inspect import InspectorPages, LeadPages
from window_staff.web.controllers.jobs import JobPages
from window_staff.web.controllers.missed_punch import MissedPunchApprovalPages, MyMissedPunchPages
from window_staff.web.controllers.notifications import NotificationPages
from window_staff.web.controllers.queue_figures import QueueFigurePages
from window_staff.web.controllers.rating import RatingPageController
from window_staff.web.controllers.session import WebController
from window_staff.web.controllers.staff import StaffPagesController
from window_staff.web.controllers.today import TodayPages
from window_staff.web.pages import register_template_callables

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    WebController,
    create_static_files_router(path="/static", directories=[Path(__file__).parent / "web" / "static"], opt=PUBLIC, include_in_schema=False),
    SystemController,
    AuthController,
    UserController,
    SiteController,
    DepartmentController,
    WindowController,
    StaffController,
    TerminalController,
    StaffCardController,
    DeviceUserController,
    TerminalCheckInController,
    IclockController,
    BiometricsController,
    MyAttendanceController,
    AttendanceReadController,
    AttendanceAdminController,
    VisitController,
    FindingController,
    MyFindingsController,
    EvidenceController,
    MyNotificationController,
    MyAppealController,
    AppealReviewController,
    BoardController,
    BoardPageController,
    ExposureController,
    AppraisalController,
    JobController,
    AppraisalAppealController,
    MyAppraisalController,
    DelegateAdminController,
    CampaignController,
    DelegateController,
    ServiceMetricsController,
    QueueController,
    QueueDeviceController,
    DeviceRatingController,
    RatingCodeController,
    RatingPageController,
    RatingCaseController,
    MyRatingCaseController,
    MyRatingsController,
    SatisfactionController,
    HrAppraisalPageController,
    ApproverPageController,
    StaffPagesController,
    DelegatePagesController,
    InspectorPages,
    LeadPages,
    AdminPages,
    AuditLogPages,
    HallController,
    HrOrgPages,
    HrLeavePages,
    TodayPages,
    HrEnrolmentPages,
    HrCampaignPages,
    HrRatingCodePages,
    HrCasePages,
    HrServicePages,
    HrQueueImportPages,
    QueueFigurePages,
    MyLeavePages,
    MyMissedPunchPages,
    MissedPunchApprovalPages,
    NotificationPages,
    AccountPages,
    JobPages,
]
# Server-rendered pages (the public board); Litestar's Jinja engine autoescapes everything.
# The appraisal's fact sources, one line each: a domain that feeds the appraisal adds its facts.month_facts here.
FACT_SOURCES: tuple[FactSource, ...] = (
    attendance_facts.month_facts,
    inspections_facts.month_facts,
    evaluations_facts.month_facts,
    queues_facts.month_facts,
)

# The sealed tables `audit verify` walks, one line each: a domain that seals its rows (common/integrity.py) adds its Seal here.
SEALED_TABLES: tuple[integrity.Seal, ...] = (
    PUNCH_SEAL,
    FINDING_SEAL,
    EVALUATION_SEAL,
    RATING_SEAL,
    SHEET_SEAL,
    USER_ROLE_SEAL,
)

# The kinds of heavy work, one line per domain that offers some: runners run only kinds registered here.
JOB_KINDS: dict[str, jobs_service.JobKind] = {
    **appraisal_jobs.KINDS,
    **attendance_jobs.KINDS,
    **evaluation_jobs.KINDS,
    **queues_jobs.KINDS,
}

TEMPLATES = TemplateConfig(
    directory=Path(__file__).parent / "templates", engine=JinjaTemplateEngine, engine_callback=register_template_callables
)


def build_context(settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None) -> AppContext:
    """The context for the app or the CLI: engine bound to every table."""
    engine = engine or create_engine(
        settings.resolved_database_url,
        sqlite_pool_size=settings.sqlite_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pg_pool_min=settings.pg_pool_min,
        pg_pool_max=settings.pg_pool_max,
    )
    bind_tables(engine, all_tables())
    integrity.register(SEALED_TABLES)
    integrity.use_key(engine, integrity.load_key(settings))  # a malformed or unreadable key stops here
    ctx = AppContext(settings=settings, engine=engine, clock=clock or SystemClock())
    appraisal_sources.register(ctx, FACT_SOURCES)
    jobs_service.register(ctx, JOB_KINDS)
    return ctx


def load_rules_at_start(ctx: AppContext) -> None:
    """Read and validate every rule file once; an invalid rule set stops start-up instead of scoring wrongly."""
    ctx.resources[RULES_RESOURCE] = load_rules(ctx.settings.resolved_rules_dir)  # always re-read: this is the check
    inputs.grace_of(ctx)
    inputs.leave_rules_of(ctx)
    inputs.national_of(ctx)
    policy_of(ctx)
    bonus_rules_of(ctx)  # after the scoring rules: the bonus coefficients must name their grades
    appraisal_policy.policy_of(ctx)  # the appeal window's length
    evaluations_policy.policy_of(ctx)  # invitations, anonymity threshold, bad-review deadline
    queues_policy.policy_of(ctx)  # the longest pause, when a waiting queue is 空岗


# The domains' command-line jobs reach the wiring through common.cli (common imports no domain).
common_cli.configure(build_context=build_context, load_rules=load_rules_at_start, migrate=migrate)


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, clock: Clock | None = None, configure_logs: bool = True
) -> Litestar:
    """Build the Litestar application."""
    settings = settings or get_settings()
    if configure_logs:
        configure_logging(json_logs=settings.log_json, level=settings.log_level)
    ctx = build_context(settings, engine=engine, clock=clock)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        load_rules_at_start(ctx)
        await start_pool(ctx.engine)
        try:
            await audit.check_key(ctx.engine)  # a keyed chain needs its own key
            await biometrics.start(ctx, warm_galleries=True)  # vault check, face encoder pool, galleries loaded in the background
            runner = asyncio.create_task(Runner(ctx).run_forever()) if settings.job_runner == "in_process" else None
            try:
                yield
            finally:
                if runner is not None:
                    runner.cancel()  # a job cut short stays "running" and the next runner takes it up again
                    with contextlib.suppress(asyncio.CancelledError):
                        await runner
                await biometrics.stop(ctx)
        finally:
            await close_pool(ctx.engine)

    openapi = OpenAPIConfig(
        title="window-staff",
        version="0.1.0",
        description="Staff side of a county government service centre.",
        components=Components(security_schemes={"session": SecurityScheme(type="http", scheme="bearer")}),
        openapi_router=Router(path="/api/schema", route_handlers=[], opt=PUBLIC),
        use_handler_docstrings=True,
        # Swagger, ReDoc and the others load their scripts from a CDN (offline they are blank, and a tampered
        # script would run on this origin): only the demo offers them; the JSON and YAML documents stay.
        render_plugins=() if settings.demo else (JsonRenderPlugin(), YamlRenderPlugin()),
    )
    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        dependencies={"ctx": Provide(provide_ctx, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[request_id_middleware, security_headers_middleware],
        # Before every route's own guards: Origin, form token and JSON checks on unsafe requests (common/csrf.py).
        guards=[csrf_guard],
        lifespan=[lifespan],
        openapi_config=openapi,
        request_max_body_size=settings.body_limit_bytes,
        cors_config=CORSConfig(allow_origins=[]),
        template_config=TEMPLATES,
        # Litestar's own htmx support: every request is an HTMXRequest (request.htmx tells what htmx asked for).
        plugins=[HTMXPlugin()],
        debug=False,
        logging_config=None,
    )
    app.state.ctx = ctx
    # The guards (common) resolve a session through auth without importing it.
    app.state.resolve_principal = auth_service.resolve_session
    return app
