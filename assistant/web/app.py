"""The FastAPI application factory: `uvicorn assistant.web.app:create_app --factory`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.core.authorities import load_authorities
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.learning.bank import load_learning_bank
from assistant.core.plans.service import build_plan_service
from assistant.core.procedures.knowledge_base import KnowledgeBase, build_knowledge_base
from assistant.core.reminders.model import Channel
from assistant.core.timescales.rules import load_timescale_rules
from assistant.core.timescales.service import TimescaleService
from assistant.engine_client import EngineClient
from assistant.settings import Settings
from assistant.store.citation_log import SqlCitationLog
from assistant.store.database import create_database_engine
from assistant.store.learners import SqlLearnerRepository
from assistant.store.migrate import upgrade_to_latest
from assistant.store.plans import SqlPlanRepository
from assistant.store.reminders import SqlReminderRepository
from assistant.store.transcript import SqlTranscript
from assistant.teams import router as teams_router
from assistant.teams.tokens import OutboundTokenProvider
from assistant.web.conversation import ConversationService
from assistant.web.errors import error_response, install_error_handlers
from assistant.web.reminder_scheduler import (
    NoTeamsMessenger,
    ReminderScheduler,
    TranscriptMessenger,
)
from assistant.web.routers import (
    authorities,
    chat,
    health,
    knowledge,
    learning,
    plans,
    reminders,
    timescales,
)

STATIC_DIR = Path(__file__).parent / "static"
# Large enough for any message within the contract's limits, small enough to refuse abuse early.
MAX_BODY_BYTES = 64 * 1024


def create_app(
    settings: Settings | None = None,
    engine_client: EngineClient | None = None,
    knowledge_base: KnowledgeBase | None = None,
    teams_token_provider: OutboundTokenProvider | None = None,
) -> FastAPI:
    """Build the app; nothing is loaded or connected until it starts.

    Tests may pass a fake `engine_client` and a `knowledge_base` shared between apps, and a
    fake `teams_token_provider` for the Bot Connector (instead of MSAL).
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
        app.state.timescales = TimescaleService(
            app.state.authorities, load_timescale_rules(settings.knowledge_dir)
        )
        app.state.database = create_database_engine(settings.database_url)
        await run_in_threadpool(upgrade_to_latest, app.state.database)
        app.state.citation_log = SqlCitationLog(app.state.database)
        guide = BranchGuide(
            load_branches(settings.knowledge_dir, set(app.state.knowledge.topic_ids)),
            app.state.knowledge,
            app.state.timescales,
        )
        app.state.reminders = SqlReminderRepository(app.state.database)
        app.state.learning_bank = load_learning_bank(settings.knowledge_dir)
        app.state.learners = SqlLearnerRepository(app.state.database)
        app.state.plans = build_plan_service(
            settings.knowledge_dir, guide, SqlPlanRepository(app.state.database)
        )
        async with httpx.AsyncClient(timeout=settings.engine_timeout_seconds) as http:
            app.state.engine_client = engine_client or EngineClient(
                http, settings.engine_webhook_url, settings.engine_status_url
            )
            transcript = SqlTranscript(app.state.database)
            app.state.conversation = ConversationService(
                app.state.authorities,
                app.state.engine_client,
                app.state.knowledge,
                app.state.citation_log,
                transcript=transcript,
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
            )
            delivering = (
                asyncio.create_task(app.state.reminder_scheduler.run_forever())
                if settings.reminder_poll_seconds > 0
                else None
            )
            yield
            if delivering is not None:
                delivering.cancel()
                with suppress(asyncio.CancelledError):
                    await delivering
            if app.state.teams is not None:  # answers still being sent need the engine client
                await app.state.teams.aclose()
        app.state.database.dispose()

    app = FastAPI(
        title="Practice assistant for children's social care assessments",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    @app.middleware("http")
    async def refuse_oversized_bodies(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return error_response(
                413, "request_too_large", f"Request bodies are limited to {MAX_BODY_BYTES} bytes."
            )
        return await call_next(request)

    app.include_router(chat.router)
    app.include_router(authorities.router)
    app.include_router(knowledge.router)
    app.include_router(timescales.router)
    app.include_router(plans.router)
    app.include_router(reminders.router)
    app.include_router(learning.router)
    app.include_router(health.router)
    app.include_router(teams_router.router)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
