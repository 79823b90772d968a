"""schemathesis against the OpenAPI spec: for generated requests, valid (positive) and invalid
(negative), no route answers 500, every response matches the schema (documented status code,
content type, body), and invalid requests are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.web.app import create_app
from assistant.web.auth import hash_api_token
from tests.conftest import FakeEngineClient
from tests.test_sign_in import signed_in_settings

SERVICE_TOKEN = "pa_fuzzing-service-token"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
EXAMPLES_PER_OPERATION = 50
# Teams' route takes Bot Framework activities with their own tokens: tested in tests/teams.
NOT_FUZZED = {"/api/messages"}
AUTHORITY_IDS = ["gateshead", "blackpool", "kent", "lewisham", "regional"]


@pytest.fixture(scope="module")
def fuzzed_api(
    tmp_path_factory: pytest.TempPathFactory, knowledge_base: KnowledgeBase
) -> Iterator[TestClient]:
    tokens = [{"name": "fuzzing", "sha256": hash_api_token(SERVICE_TOKEN), "role": "manager"}]
    app = create_app(
        signed_in_settings(
            Path(tmp_path_factory.mktemp("fuzz")),
            api_tokens=tokens,
            chat_rate_per_minute=0,
            search_rate_per_minute=0,
        ),
        engine_client=FakeEngineClient(),  # type: ignore[arg-type]
        knowledge_base=knowledge_base,
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _operations() -> list[Any]:
    spec = create_app().openapi()  # the schema needs no lifespan: nothing is loaded
    schema = schemathesis.openapi.from_dict(spec)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if op.path not in NOT_FUZZED]


OPERATIONS = _operations()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_route_fails_or_answers_off_its_schema(
    operation: Any, mode: GenerationMode, fuzzed_api: TestClient
) -> None:
    sent: list[int] = []

    # Derandomised: CI runs the same requests every time, so a failure is reproducible; a
    # change to the schema changes what is generated.
    @given(
        case=operation.as_strategy(generation_mode=mode),
        authority=st.sampled_from([None, *AUTHORITY_IDS]),
    )
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any, authority: str | None) -> None:
        # Random text is never an authority: half the time use a real one, to get past it.
        if authority is not None and mode is GenerationMode.POSITIVE:
            if isinstance(case.body, dict) and "authority" in case.body:
                case.body["authority"] = authority
            if isinstance(case.query, dict) and "authority" in case.query:
                case.query["authority"] = authority
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=AUTH)
        response = fuzzed_api.request(**kwargs)
        sent.append(response.status_code)
        assert response.status_code < 500, (case.method, case.formatted_path, kwargs, response.text)
        # A schema-valid request may still break a rule the schema cannot state (a date past
        # the bank holiday calendar, a plan without a child): those are 422 by design.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    try:
        check()
    except Unsatisfiable:
        # Nothing about this operation can be made invalid (no parameters, no body).
        assert mode is GenerationMode.NEGATIVE and not sent
        pytest.skip(f"{operation.label}: no invalid request can be generated")
    assert sent, "no request was sent"
    print(f"\n{operation.label} {mode.value}: {len(sent)} requests, statuses {sorted(set(sent))}")


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 18
