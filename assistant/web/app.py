"""The FastAPI application factory: `uvicorn assistant.web.app:create_app --factory`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.core.authorities import load_authorities
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.guidance.reader import shared_reader
from assistant.core.learning.bank import load_learning_bank
from assistant.core.plans.service import build_plan_service
from assistant.core.procedures.knowledge_base import KnowledgeBase, build_knowledge_base
from assistant.core.reminders.delivery import OwnerCheck
from assistant.core.reminders.model import Channel
from assistant.core.timescales.rules import load_timescale_rules
from assistant.core.timescales.service import TimescaleService
from assistant.engine_client import EngineClient
from assistant.settings import Environment, Settings
from assistant.store.audit_log import SqlAuditLog
from assistant.store.citation_log import SqlCitationLog
from assistant.store.conversations import SqlConversationDirectory
from assistant.store.database import create_database_engine
from assistant.store.learners import SqlLearnerRepository
from assistant.store.migrate import upgrade_to_latest
from assistant.store.plans import SqlPlanRepository
from assistant.store.reminders import SqlReminderRepository
from assistant.store.transcript import SqlTranscript
from assistant.store.turns import SqlTurnLedger
from assistant.teams import router as teams_router
from assistant.teams.tokens import OutboundTokenProvider
from assistant.web.auth import build_authenticator, current_principal
from assistant.web.conversation import ConversationService
from assistant.web.errors import install_error_handlers
from assistant.web.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from assistant.web.rate_limit import RateLimiter
from assistant.web.reminder_scheduler import (
    NoTeamsMessenger,
    ReminderScheduler,
    TranscriptMessenger,
)
from assistant.web.retention_job import RetentionJob
from assistant.web.routers import (
    audit,
    authorities,
    chat,
    health,
    knowledge,
    learning,
    plans,
    reminders,
    timescales,
)
from assistant.web.schemas import ErrorOut

STATIC_DIR = Path(__file__).parent / "static"
# Large enough for any message within the contract's limits, small enough to refuse abuse early.
MAX_BODY_BYTES = 64 * 1024


def create_app(
    settings: Settings | None = None,
    engine_client: EngineClient | None = None,
    knowledge_base: KnowledgeBase | None = None,
    teams_token_provider: OutboundTokenProvider | None = None,
    identity_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the app; nothing is loaded or connected until it starts.

    Tests may pass a fake `engine_client` and a `knowledge_base` shared between apps, and a
    fake `teams_token_provider` for the Bot Connector (instead of MSAL), and an
    `identity_transport` serving the identity provider's keys.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.authorities = load_authorities(settings.knowledge_dir)
        # Blocking work (reading, ingesting, indexing ~3 s) off the event loop.
        app.state.knowledge = knowledge_base or await run_in_threadpool(
            build_knowledge_base, settings.knowledge_dir
        )
        # The card matcher trains from the paraphrases (a few seconds, once per process).
        app.state.reader = await run_in_threadpool(
            shared_reader, settings.knowledge_dir, app.state.knowledge
        )
        app.state.timescales = TimescaleService(
            app.state.authorities, load_timescale_rules(settings.knowledge_dir)
        )
        app.state.database = create_database_engine(
            settings.database_url, settings.database_busy_timeout_seconds
        )
        await run_in_threadpool(upgrade_to_latest, app.state.database)
        app.state.citation_log = SqlCitationLog(app.state.database)
        app.state.audit_log = SqlAuditLog(app.state.database)
        app.state.chat_rate_limiter = RateLimiter(
            settings.effective_chat_rate_per_minute, settings.chat_rate_burst
        )
        app.state.search_rate_limiter = RateLimiter(
            settings.effective_search_rate_per_minute,
            settings.search_rate_burst,
            what="searches and downloads",
        )
        guide = BranchGuide(
            load_branches(settings.knowledge_dir, set(app.state.knowledge.topic_ids)),
            app.state.knowledge,
            app.state.timescales,
            app.state.reader.library,
        )
        app.state.reminders = SqlReminderRepository(app.state.database)
        app.state.learning_bank = load_learning_bank(settings.knowledge_dir)
        app.state.learners = SqlLearnerRepository(app.state.database)
        app.state.plans = build_plan_service(
            settings.knowledge_dir, guide, SqlPlanRepository(app.state.database)
        )
        # Every call to the engine is bounded: a slow engine is a 503, not a hung request.
        engine_timeout = httpx.Timeout(settings.engine_timeout_seconds, connect=3.0)
        async with (
            httpx.AsyncClient(timeout=engine_timeout) as http,
            httpx.AsyncClient(timeout=10.0, transport=identity_transport) as identity_http,
        ):
            app.state.authenticator = build_authenticator(
                settings, identity_http, app.state.authorities.ids
            )
            app.state.engine_client = engine_client or EngineClient.from_settings(http, settings)
            transcript = SqlTranscript(app.state.database)
            conversations = SqlConversationDirectory(app.state.database)
            app.state.conversation = ConversationService(
                app.state.authorities,
                app.state.engine_client,
                app.state.knowledge,
                app.state.citation_log,
                transcript=transcript,
                conversations=conversations,
                audit=app.state.audit_log,
                turns=SqlTurnLedger(app.state.database),
                turn_secret=settings.secret_key.encode(),
                reader=app.state.reader,
            )
            app.state.teams = teams_router.start_channel(
                settings,
                app.state.conversation,
                app.state.database,
                app.state.authorities,
                teams_token_provider,
            )
            app.state.reminder_scheduler = ReminderScheduler(
                app.state.reminders,
                {
                    Channel.WEB: TranscriptMessenger(transcript),
                    Channel.TEAMS: (
                        app.state.teams.messenger if app.state.teams else NoTeamsMessenger()
                    ),
                },
                settings.managers_by_authority,
                settings.current_date,
                settings.reminder_poll_seconds,
                OwnerCheck(conversations, app.state.plans),
            )
            retention = RetentionJob(
                app.state.database,
                settings.tracker_store_url,
                settings.retention_days,
                settings.retention_poll_seconds,
                plan_retention_days=settings.plan_retention_days,
            )
            background = [
                asyncio.create_task(job.run_forever())
                for job, seconds in (
                    (app.state.reminder_scheduler, settings.reminder_poll_seconds),
                    (retention, settings.retention_poll_seconds),
                )
                if seconds > 0
            ]
            yield
            for task in background:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            if app.state.teams is not None:  # answers still being sent need the engine client
                await app.state.teams.aclose()
        app.state.database.dispose()

    production = settings.environment is Environment.PRODUCTION
    app = FastAPI(
        title="Practice assistant for children's social care assessments",
        version="0.1.0",
        lifespan=lifespan,
        # The interactive docs load scripts from a CDN; the schema itself stays available, to
        # signed-in callers only in production (it maps every route for an attacker).
        docs_url=None if production else "/docs",
        redoc_url=None if production else "/redoc",
        openapi_url=None if production else "/openapi.json",
        # What any route may answer besides its own: an unreadable or too large body, no
        # sign-in, sign-in that cannot be checked right now.
        responses={
            400: {"model": ErrorOut, "description": "The request could not be read."},
            401: {"model": ErrorOut, "description": "Not signed in."},
            413: {"model": ErrorOut, "description": "The request body is too large."},
            422: {"model": ErrorOut, "description": "The request is not valid."},
            429: {
                "model": ErrorOut,
                "description": "Too many messages, searches or downloads in a short time.",
            },
            503: {"model": ErrorOut, "description": "Sign-in or the engine is unavailable."},
        },
    )
    install_error_handlers(app)

    # The app's own outer layers (the last added is outermost): every answer, refusals
    # included, carries the security headers; the body limit holds before routing and sign-in.
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)

    # Every /api route needs a signed-in caller (Teams has its own tokens; probes need none).
    signed_in = [Depends(current_principal)]
    for module in (chat, authorities, knowledge, timescales, plans, reminders, learning, audit):
        app.include_router(module.router, dependencies=signed_in)
    app.include_router(health.router)
    if production:

        @app.get("/openapi.json", include_in_schema=False, dependencies=signed_in)
        async def openapi_schema() -> JSONResponse:
            return JSONResponse(app.openapi())

    app.include_router(teams_router.router)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
