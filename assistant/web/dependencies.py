"""What routes need, provided from the app's state (set up in its lifespan, not at import)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy import Engine

from assistant.core.audit import CitationLog
from assistant.core.authorities import AuthorityDirectory
from assistant.core.learning.bank import LearningBank
from assistant.core.learning.learner import LearnerRepository
from assistant.core.plans.service import PlanService
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.reminders.delivery import ReminderRepository
from assistant.core.timescales.service import TimescaleService
from assistant.engine_client import EngineClient
from assistant.settings import Settings
from assistant.web.auth import PrincipalDep
from assistant.web.conversation import ConversationService
from assistant.web.rate_limit import RateLimiter, RateSpender


def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def _authorities(request: Request) -> AuthorityDirectory:
    return cast(AuthorityDirectory, request.app.state.authorities)


def _engine_client(request: Request) -> EngineClient:
    return cast(EngineClient, request.app.state.engine_client)


def _knowledge(request: Request) -> KnowledgeBase:
    return cast(KnowledgeBase, request.app.state.knowledge)


def _citation_log(request: Request) -> CitationLog:
    return cast(CitationLog, request.app.state.citation_log)


def _timescales(request: Request) -> TimescaleService:
    return cast(TimescaleService, request.app.state.timescales)


def _conversation(request: Request) -> ConversationService:
    return cast(ConversationService, request.app.state.conversation)


def _learning_bank(request: Request) -> LearningBank:
    return cast(LearningBank, request.app.state.learning_bank)


def _learners(request: Request) -> LearnerRepository:
    return cast(LearnerRepository, request.app.state.learners)


def _reminders(request: Request) -> ReminderRepository:
    return cast(ReminderRepository, request.app.state.reminders)


def _plans(request: Request) -> PlanService:
    return cast(PlanService, request.app.state.plans)


async def _chat_rate(request: Request, principal: PrincipalDep) -> RateSpender:
    return RateSpender(cast(RateLimiter, request.app.state.chat_rate_limiter), principal.subject)


async def _search_rate(request: Request, principal: PrincipalDep) -> RateSpender:
    return RateSpender(cast(RateLimiter, request.app.state.search_rate_limiter), principal.subject)


def _database(request: Request) -> Engine:
    return cast(Engine, request.app.state.database)


SettingsDep = Annotated[Settings, Depends(_settings)]
AuthoritiesDep = Annotated[AuthorityDirectory, Depends(_authorities)]
EngineClientDep = Annotated[EngineClient, Depends(_engine_client)]
DatabaseDep = Annotated[Engine, Depends(_database)]
KnowledgeDep = Annotated[KnowledgeBase, Depends(_knowledge)]
CitationLogDep = Annotated[CitationLog, Depends(_citation_log)]
TimescalesDep = Annotated[TimescaleService, Depends(_timescales)]
PlansDep = Annotated[PlanService, Depends(_plans)]
ConversationDep = Annotated[ConversationService, Depends(_conversation)]
RemindersDep = Annotated[ReminderRepository, Depends(_reminders)]
LearningBankDep = Annotated[LearningBank, Depends(_learning_bank)]
LearnersDep = Annotated[LearnerRepository, Depends(_learners)]
# Spend one in the route's body (`rate.spend()`), after the request was found valid.
ChatRateDep = Annotated[RateSpender, Depends(_chat_rate)]
SearchRateDep = Annotated[RateSpender, Depends(_search_rate)]
