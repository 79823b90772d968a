"""/api/learning: a learner's progress (the web page's progress view), and the question bank's
topics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from assistant.core.learning.progress import progress_json
from assistant.web.auth import PrincipalDep
from assistant.web.dependencies import LearnersDep, LearningBankDep
from assistant.web.schemas import NOT_FOUND_OR_INVALID, ConversationId

router = APIRouter(prefix="/api/learning", tags=["learning"])


@router.get("/progress", responses=NOT_FOUND_OR_INVALID)
async def progress(
    bank: LearningBankDep,
    learners: LearnersDep,
    principal: PrincipalDep,
    learner_id: Annotated[ConversationId, Query(description="The id the page sends to /api/chat.")],
) -> dict[str, Any]:
    """A signed-in worker's progress is always their own, whatever id the page sends."""
    learner = await run_in_threadpool(
        learners.get, principal.subject if principal.signed_in else learner_id
    )
    return progress_json(bank, learner)


@router.get("/topics")
def topics(bank: LearningBankDep) -> dict[str, Any]:
    return {
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "questions": sum(q.topic == t.id for q in bank.questions),
            }
            for t in bank.topics.values()
        ],
        "practice_cases": len(bank.cases),
    }
