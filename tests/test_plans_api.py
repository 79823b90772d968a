"""/api/plans over HTTP: create, read, update with versions, list, export; clear errors."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

PLAN = {
    "authority": "kent",
    "children": [{"reference": "AB", "date_of_birth": "2010-05-01"}],
    "referral_date": "2026-11-02",
    "branches": ["trafficking-nrm"],
    "answers": {"who_undertakes": {"text": "Me and a family support worker"}},
    "decisions": {"interpreter": {"decided": True, "reason": "Mother speaks Tigrinya"}},
    "actions": [{"what": "Visit school", "who": "Me", "due": "2026-12-04"}],
}


def create(client: TestClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/api/plans", json=body or PLAN)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_plan_is_created_with_its_dates_worked_out(client: TestClient) -> None:
    created = create(client)
    plan, view = created["plan"], created["view"]
    assert plan["version"] == 1 and plan["authority"] == "kent"
    due = next(d for d in view["dates"] if d["label"].startswith("Assessment"))
    assert due["when"] == "2027-01-07"
    actions = {a["what"]: a for a in view["actions"]}
    assert actions["Visit school"]["due"] == "2026-12-04"
    nrm = next(a for a in view["actions"] if "National Referral Mechanism" in a["what"])
    assert nrm["due"] == "2026-11-03" and nrm["section_id"].startswith("kent/")
    interpreter = next(q for q in view["questions"] if q["id"] == "interpreter")
    assert interpreter["decision"] == {"decided": True, "reason": "Mother speaks Tigrinya"}
    assert interpreter["citation"]["authority"] == "kent"
    assert "child_seen_alone" in {c["id"] for c in view["checklist"]}


def test_reading_gives_the_latest_or_an_earlier_version(client: TestClient) -> None:
    plan_id = create(client)["plan"]["id"]
    client.patch(f"/api/plans/{plan_id}", json={"version": 1, "finished": True})
    assert client.get(f"/api/plans/{plan_id}").json()["plan"]["version"] == 2
    assert client.get(f"/api/plans/{plan_id}?version=1").json()["plan"]["finished"] is False
    versions = client.get(f"/api/plans/{plan_id}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]


def test_changing_the_referral_date_moves_every_dependent_date(client: TestClient) -> None:
    plan_id = create(client)["plan"]["id"]
    response = client.patch(
        f"/api/plans/{plan_id}", json={"version": 1, "referral_date": "2026-11-09"}
    )
    assert response.status_code == 200
    moved = response.json()["moved"]
    assert "Assessment to conclude: Thursday 7 January 2027 → Thursday 14 January 2027" in moved
    assert any(line.startswith("Make a National Referral Mechanism") for line in moved)
    assert not any(line.startswith("Visit school") for line in moved)  # a fixed date stays


def test_an_edit_from_an_old_version_gets_409_and_loses_nothing(client: TestClient) -> None:
    plan_id = create(client)["plan"]["id"]
    first = client.patch(
        f"/api/plans/{plan_id}", json={"version": 1, "checklist": {"parents_seen": True}}
    )
    assert first.status_code == 200
    stale = client.patch(
        f"/api/plans/{plan_id}", json={"version": 1, "answers": {"recording": {"text": "x"}}}
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "plan_version_conflict"
    assert stale.headers["X-Plan-Version"] == "2"
    latest = client.get(f"/api/plans/{plan_id}").json()["plan"]
    assert latest["checklist"] == {"parents_seen": True} and "recording" not in latest["answers"]


def test_plans_are_listed_by_authority(client: TestClient) -> None:
    ids = [create(client)["plan"]["id"] for _ in range(2)]
    create(client, {"authority": "lewisham"})
    listed = client.get("/api/plans", params={"authority": "kent"}).json()["plans"]
    assert [p["id"] for p in listed] == ids[::-1]
    assert listed[0]["children"] == ["AB"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error"),
    [
        ("get", "/api/plans/0123456789", None, 404, "plan_not_found"),
        ("patch", "/api/plans/0123456789", {"version": 1}, 404, "plan_not_found"),
        ("get", "/api/plans/0123456789/export?format=docx", None, 404, "plan_not_found"),
        ("get", "/api/plans?authority=narnia", None, 404, "unknown_authority"),
        ("get", "/api/plans", None, 422, "invalid_request"),
        ("post", "/api/plans", {"authority": "narnia"}, 404, "unknown_authority"),
        (
            "post",
            "/api/plans",
            {**PLAN, "children": [{"reference": "Jane Smith"}]},
            422,
            "invalid_plan",
        ),
        ("post", "/api/plans", {**PLAN, "referral_date": "2026-02-31"}, 422, "invalid_request"),
        ("post", "/api/plans", {**PLAN, "branches": ["space-travel"]}, 422, "invalid_request"),
        ("post", "/api/plans", {**PLAN, "answers": {"nope": {"text": "x"}}}, 422, "invalid_plan"),
        ("post", "/api/plans", {**PLAN, "surname": "Smith"}, 422, "invalid_request"),
        (
            "post",
            "/api/plans",
            {**PLAN, "answers": {"recording": {"text": "x" * 2001}}},
            422,
            "invalid_request",
        ),
        (
            "post",
            "/api/plans",
            {**PLAN, "actions": [{"what": "Visit", "who": "Me", "due": "soon"}]},
            422,
            "invalid_plan",
        ),
        (
            "post",
            "/api/plans",
            {**PLAN, "children": [{"reference": "AB", "date_of_birth": "2027-01-01"}]},
            422,
            "invalid_plan",
        ),
    ],
)
def test_bad_requests_get_clear_errors(
    client: TestClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    error: str,
) -> None:
    response = client.request(method.upper(), path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["message"]


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/plans", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["message"]


def test_an_update_without_a_version_is_refused(client: TestClient) -> None:
    plan_id = create(client)["plan"]["id"]
    response = client.patch(f"/api/plans/{plan_id}", json={"finished": True})
    assert response.status_code == 422 and "version" in response.json()["message"]


def test_the_word_export_reads_back_with_the_plans_headings_dates_and_actions(
    client: TestClient,
) -> None:
    plan_id = create(client)["plan"]["id"]
    response = client.get(f"/api/plans/{plan_id}/export?format=docx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"assessment-plan-{plan_id}-v1.docx" in response.headers["content-disposition"]
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Who will undertake the assessment and what resources are needed" in headings
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for expected in ("Thursday 7 January 2027", "Visit school", "Me and a family support worker"):
        assert expected in text


@pytest.mark.parametrize(
    ("fmt", "media", "expected"),
    [
        ("md", "text/markdown", "Visit school"),
        ("family", "text/markdown", "AB"),
        ("ics", "text/calendar", "BEGIN:VCALENDAR"),
    ],
)
def test_the_other_exports(client: TestClient, fmt: str, media: str, expected: str) -> None:
    plan_id = create(client)["plan"]["id"]
    response = client.get(f"/api/plans/{plan_id}/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert expected in response.text
    if fmt == "ics":
        events = Calendar.from_ical(response.content).walk("VEVENT")
        assert any("Visit school" in str(e["summary"]) for e in events)


def test_an_unknown_export_format_is_a_422(client: TestClient) -> None:
    plan_id = create(client)["plan"]["id"]
    response = client.get(f"/api/plans/{plan_id}/export?format=pdf")
    assert response.status_code == 422
