"""Every error the API gives has the same JSON shape: error code, plain message, valid values."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.core.access import AccessDeniedError, Principal
from assistant.core.authorities import UnknownAuthorityError
from assistant.core.conversations import ConversationNotFoundError
from assistant.core.plans.model import PlanValidationError
from assistant.core.plans.repository import PlanNotFoundError, PlanVersionConflictError
from assistant.core.procedures.glossary import UnknownTermError
from assistant.core.procedures.knowledge_base import UnknownSectionError, UnknownTopicError
from assistant.core.reminders.delivery import ReminderNotFoundError
from assistant.core.timescales.compute import InvalidTimescaleInputError
from assistant.core.timescales.working_days import OutsideCalendarError
from assistant.core.turns import TurnKeyReusedError
from assistant.engine_client import EngineUnavailableError
from assistant.web.auth import NotSignedInError, SignInUnavailableError
from assistant.web.rate_limit import RateLimitedError
from assistant.web.security_log import security_event

logger = logging.getLogger(__name__)


def error_response(
    status: int, error: str, message: str, valid_values: list[str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"error": error, "message": message}
    if valid_values is not None:
        body["valid_values"] = valid_values
    return JSONResponse(status_code=status, content=body)


def _describe_validation_problem(problem: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
    if problem.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    return f"{location or 'body'}: {problem.get('msg', 'invalid')}"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(_describe_validation_problem(p) for p in exc.errors())
    return error_response(422, "invalid_request", f"Invalid request: {problems}.")


async def _unknown_authority(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownAuthorityError)
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal) and list(exc.valid_ids) == [principal.authority]:
        # Principal.require_authority: another authority's id, answered as an unknown one.
        security_event(request, "not_found", 404, resource="authority")
    return error_response(404, "unknown_authority", str(exc), list(exc.valid_ids))


async def _unknown_section(request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, "unknown_section", str(exc))


async def _unknown_topic(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownTopicError)
    return error_response(404, "unknown_topic", str(exc), list(exc.valid_ids))


async def _unknown_term(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownTermError)
    return error_response(404, "unknown_term", str(exc), list(exc.suggestions))


async def _bad_dates(request: Request, exc: Exception) -> JSONResponse:
    return error_response(422, "invalid_dates", str(exc))


async def _plan_not_found(request: Request, exc: Exception) -> JSONResponse:
    security_event(request, "not_found", 404, resource="plan")
    return error_response(404, "plan_not_found", str(exc))


async def _reminder_not_found(request: Request, exc: Exception) -> JSONResponse:
    security_event(request, "not_found", 404, resource="reminder")
    return error_response(404, "reminder_not_found", str(exc))


async def _plan_conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PlanVersionConflictError)
    response = error_response(409, "plan_version_conflict", str(exc))
    response.headers["X-Plan-Version"] = str(exc.current)
    return response


async def _invalid_plan(request: Request, exc: Exception) -> JSONResponse:
    return error_response(422, "invalid_plan", str(exc))


async def _engine_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return error_response(
        503,
        "engine_unavailable",
        "The conversation engine is not available at the moment, so your message was not "
        "answered. "
        "Please try again shortly; if a child is in immediate danger call 999 and tell your "
        "manager.",
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The driver's error class only, never the statement or its values (casework).
    cause = getattr(exc, "orig", None) or exc
    logger.error(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(cause).__name__
    )
    return error_response(
        503,
        "database_unavailable",
        "The assistant's database is busy or unavailable at the moment, so nothing was saved. "
        "Please try again shortly.",
    )


async def _not_signed_in(request: Request, exc: Exception) -> JSONResponse:
    # The reason names what failed (expired, wrong audience...), never a claim's value.
    security_event(request, "sign_in_failed", 401, reason=str(exc))
    response = error_response(401, "not_signed_in", f"Not signed in: {exc}.")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _sign_in_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return error_response(
        503, "sign_in_unavailable", "Sign-in cannot be checked at the moment; try again shortly."
    )


async def _access_denied(request: Request, exc: Exception) -> JSONResponse:
    security_event(request, "forbidden", 403)
    return error_response(403, "forbidden", str(exc))


async def _conversation_not_found(request: Request, exc: Exception) -> JSONResponse:
    security_event(request, "not_found", 404, resource="conversation")
    return error_response(404, "conversation_not_found", str(exc))


async def _turn_key_reused(request: Request, exc: Exception) -> JSONResponse:
    return error_response(409, "idempotency_key_reused", str(exc))


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitedError)
    security_event(request, "rate_limited", 429, limit=exc.what)
    response = error_response(429, "rate_limited", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return response


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, "http_error", str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(UnknownAuthorityError, _unknown_authority)
    app.add_exception_handler(EngineUnavailableError, _engine_unavailable)
    app.add_exception_handler(UnknownSectionError, _unknown_section)
    app.add_exception_handler(UnknownTopicError, _unknown_topic)
    app.add_exception_handler(UnknownTermError, _unknown_term)
    app.add_exception_handler(OutsideCalendarError, _bad_dates)
    app.add_exception_handler(InvalidTimescaleInputError, _bad_dates)
    app.add_exception_handler(PlanNotFoundError, _plan_not_found)
    app.add_exception_handler(PlanVersionConflictError, _plan_conflict)
    app.add_exception_handler(PlanValidationError, _invalid_plan)
    app.add_exception_handler(ReminderNotFoundError, _reminder_not_found)
    app.add_exception_handler(NotSignedInError, _not_signed_in)
    app.add_exception_handler(SignInUnavailableError, _sign_in_unavailable)
    app.add_exception_handler(AccessDeniedError, _access_denied)
    app.add_exception_handler(ConversationNotFoundError, _conversation_not_found)
    app.add_exception_handler(RateLimitedError, _rate_limited)
    app.add_exception_handler(TurnKeyReusedError, _turn_key_reused)

    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(SqlTimeoutError, _database_unavailable)

    app.add_exception_handler(StarletteHTTPException, _http_error)
