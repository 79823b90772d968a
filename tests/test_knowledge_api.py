"""GET /api/search, /api/sections/{id}, /api/compare, /api/glossary/{term}: shapes and errors."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient


def test_search_returns_the_contract_shape(client: TestClient) -> None:
    response = client.get(
        "/api/search",
        params={"q": "when is the 10 day checkpoint", "authority": "blackpool", "k": 3},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 3
    for result in results:
        assert set(result) == {"section_id", "authority", "title", "topics", "score", "snippet"}
        assert result["authority"] == "blackpool"
    assert "timescales" in {t for r in results for t in r["topics"]}


def test_search_without_an_authority_searches_all(client: TestClient) -> None:
    results = client.get("/api/search", params={"q": "ICACU Hague Convention"}).json()["results"]
    assert len({r["authority"] for r in results}) > 1


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "   "}, {"q": "x" * 2001}, {}, {"q": "ok", "k": 0}, {"q": "ok", "k": "many"}],
)
def test_bad_searches_are_422(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_search_with_an_unknown_authority_is_404_listing_the_valid_ones(
    client: TestClient,
) -> None:
    response = client.get("/api/search", params={"q": "timescales", "authority": "narnia"})
    assert response.status_code == 404
    assert response.json()["valid_values"] == [
        "gateshead",
        "blackpool",
        "kent",
        "lewisham",
        "regional",
    ]


def test_search_is_fast(client: TestClient) -> None:
    timings = []
    for _ in range(40):
        started = time.perf_counter()
        client.get("/api/search", params={"q": "homeless 16 year old", "authority": "kent"})
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[int(len(timings) * 0.95)] < 0.05  # generous: CI machines vary


def test_a_section_has_its_text_metadata_and_statements(client: TestClient) -> None:
    response = client.get("/api/sections/kent/11-timescales")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "11. Timescales"
    assert body["authority_name"] == "Kent County Council Integrated Children's Services"
    assert body["source_version"] == "refreshed July 2024"
    assert "45 working days" in body["text"]
    assert {s["force"] for s in body["statements"]} <= {"requirement", "guidance", "information"}
    assert any(s["force"] == "requirement" for s in body["statements"])


def test_an_unknown_section_is_404(client: TestClient) -> None:
    response = client.get("/api/sections/kent/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_section"


def test_compare_lists_every_authority_and_says_which_are_silent(client: TestClient) -> None:
    body = client.get("/api/compare", params={"topic": "safety-planning"}).json()
    assert [a["authority"] for a in body["authorities"]] == [
        "gateshead",
        "blackpool",
        "kent",
        "lewisham",
        "regional",
    ]
    by_id = {a["authority"]: a for a in body["authorities"]}
    assert by_id["blackpool"]["covered"] is True and by_id["blackpool"]["sections"]
    assert by_id["kent"]["covered"] is False and by_id["kent"]["sections"] == []


def test_compare_with_an_unknown_topic_is_404_listing_topics(client: TestClient) -> None:
    response = client.get("/api/compare", params={"topic": "astrology"})
    assert response.status_code == 404
    assert "timescales" in response.json()["valid_values"]


def test_glossary_explains_a_term_with_citations(client: TestClient) -> None:
    body = client.get("/api/glossary/s20").json()
    assert "accommodat" in body["meaning"].lower()
    assert body["citations"] and all(c["section_id"] for c in body["citations"])


def test_glossary_unknown_term_is_404(client: TestClient) -> None:
    response = client.get("/api/glossary/flux capacitor")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_term"
