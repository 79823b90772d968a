"""POST /api/timescales and /api/timescales.ics; `assistant due`."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from assistant.cli import main
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.attribution import NO_APPROVER


def test_contract_fields_and_explanations(client: TestClient) -> None:
    response = client.post(
        "/api/timescales",
        json={
            "authority": "blackpool",
            "referral_date": "2026-11-20",
            "expected_delivery_date": "2027-11-14",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["assessment_due"] == "2027-01-27"
    assert [(c["working_days"], c["date"]) for c in body["checkpoints"]] == [
        (10, "2026-12-04"),
        (30, "2027-01-06"),
    ]
    assert body["pre_birth_complete_by"] == "2027-10-15"
    assert isinstance(body["warnings"], list)
    due = next(d for d in body["dates"] if d["key"] == "assessment_due")
    assert due["date_text"] == "Wednesday 27 January 2027"
    assert "Christmas Day" in due["explanation"]
    assert {h["name"] for h in due["skipped_holidays"]} >= {"Christmas Day", "New Year's Day"}
    # Blackpool's chapter says who records the reasons, not who agrees an extension.
    extension = body["extension"]
    assert extension["stated_by_procedure"] is False
    assert "the team manager" not in extension["approver"]
    assert extension["approver_quote"] is None
    assert "day 0" in body["conventions"]
    assert {c["section_id"] for c in body["citations"]} >= {
        "blackpool/the-maximum-time-frame-for-the-assessment-to-conclude"
    }


def test_the_clock_is_injectable(client: TestClient) -> None:
    # test_settings fixes today at 2026-11-23
    body = client.post(
        "/api/timescales", json={"authority": "kent", "referral_date": "2026-11-02"}
    ).json()
    assert body["today"] == "2026-11-23"
    due = next(d for d in body["dates"] if d["key"] == "assessment_due")
    assert due["days_left"] == 30 and due["status"] == "30 working days left"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"authority": "kent", "referral_date": "2026-02-30"}, 422, "invalid_request"),
        ({"authority": "kent", "referral_date": "14/12/2026"}, 422, "invalid_request"),
        ({"authority": "kent", "referral_date": 20261214}, 422, "invalid_request"),
        ({"authority": "kent"}, 422, "invalid_request"),
        ({"authority": "kent", "referral_date": "2050-01-05"}, 422, "invalid_dates"),
        (
            {"authority": "kent", "referral_date": "2026-11-02", "date_of_birth": "2026-12-01"},
            422,
            "invalid_dates",
        ),
        ({"authority": "narnia", "referral_date": "2026-11-02"}, 404, "unknown_authority"),
        (
            {"authority": "kent", "referral_date": "2026-11-02", "colour": "red"},
            422,
            "invalid_request",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(
    client: TestClient, body: dict[str, object], status: int, error: str
) -> None:
    response = client.post("/api/timescales", json=body)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["message"]


def test_a_future_referral_is_answered_with_a_warning(client: TestClient) -> None:
    body = client.post(
        "/api/timescales", json={"authority": "kent", "referral_date": "2027-01-04"}
    ).json()
    assert any("in the future" in w for w in body["warnings"])


def test_ics_has_an_all_day_event_for_every_date(client: TestClient) -> None:
    response = client.post(
        "/api/timescales.ics",
        json={
            "authority": "gateshead",
            "referral_date": "2026-11-02",
            "expected_delivery_date": "2027-06-01",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    starts = {e.decoded("dtstart") for e in events}
    assert {date(2027, 1, 7), date(2026, 11, 16), date(2027, 5, 4)} <= starts
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert all(
        "working day" in str(e["description"]) or "weeks" in str(e["description"]) for e in events
    )


def test_ics_bad_input_is_json_error(client: TestClient) -> None:
    response = client.post(
        "/api/timescales.ics", json={"authority": "kent", "referral_date": "nope"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_cli_due(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "2026-12-14", "--authority", "blackpool", "--today", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "Assessment to conclude: Thursday 18 February 2027 (60 working days left)" in out
    assert "10 day checkpoint" in out and "30 day checkpoint" in out
    assert main(["due", "31/02/2027", "--authority", "kent"]) == 2
    assert "not a real date" in capsys.readouterr().out


SATURDAY_REFERRAL = {"authority": "blackpool", "referral_date": "2027-08-07"}


def test_a_weekend_referral_is_day_0_through_the_api(client: TestClient) -> None:
    body = client.post("/api/timescales", json=SATURDAY_REFERRAL).json()
    assert body["assessment_due"] == "2027-10-11"
    assert [c["date"] for c in body["checkpoints"]] == ["2027-08-20", "2027-09-20"]
    due = next(d for d in body["dates"] if d["key"] == "assessment_due")
    assert (
        "Saturday 7 August 2027 (day 0); Monday 9 August is working day 1" in (due["explanation"])
    )
    assert "whatever day it is" in body["conventions"]


def test_a_bank_holiday_referral_is_day_0_in_the_ics(client: TestClient) -> None:
    response = client.post(
        "/api/timescales.ics", json={"authority": "gateshead", "referral_date": "2028-04-14"}
    )
    starts = {e.decoded("dtstart") for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert {date(2028, 6, 21), date(2028, 5, 2)} <= starts  # Good Friday is day 0
    assert date(2028, 6, 22) not in starts


def test_cli_counts_a_weekend_referral_from_the_day_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["due", "7/8/2027", "--authority", "blackpool", "--today", "2027-08-07"]) == 0
    out = capsys.readouterr().out
    assert "Assessment to conclude: Monday 11 October 2027" in out
    assert "Monday 20 September 2027" in out and "Friday 20 August 2027" in out
    assert "Monday 9 August is working day 1" in out


def _timescales(client: TestClient, **body: str) -> dict[str, Any]:
    response = client.post("/api/timescales", json=body)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def test_an_extension_approver_is_given_only_where_the_procedure_names_one(
    client: TestClient, knowledge_base: KnowledgeBase
) -> None:
    gateshead = _timescales(client, authority="gateshead", referral_date="2026-09-01")
    extension = gateshead["extension"]
    assert extension["stated_by_procedure"] is True
    assert extension["approver"] == "a Service Manager"
    assert "permission must be sought from a Service Manager" in extension["approver_quote"]
    assert extension["others"] == []
    assert extension["text"].startswith("Your procedure says a Service Manager agrees")
    section = knowledge_base.sections[extension["section_id"]]
    assert " ".join(extension["how_quote"].split()) in " ".join(section.text.split())
    # Overdue: the warning says what the chapter says, nothing more.
    assert any(
        "overdue" in w and "Your procedure says a Service Manager agrees an extension." in w
        for w in gateshead["warnings"]
    )


@pytest.mark.parametrize("authority", ["blackpool", "kent", "regional"])
def test_where_the_procedure_names_nobody_the_api_says_so_and_labels_others(
    client: TestClient, knowledge_base: KnowledgeBase, authority: str
) -> None:
    body = _timescales(client, authority=authority, referral_date="2026-09-01")
    extension = body["extension"]
    assert extension["stated_by_procedure"] is False
    assert extension["approver_quote"] is None
    assert extension["text"].startswith(NO_APPROVER)
    assert extension["section_id"].startswith(f"{authority}/")
    others = {o["authority"]: o for o in extension["others"]}
    assert set(others) == {"gateshead", "lewisham"}
    assert (
        others["gateshead"]["text"]
        == "Gateshead's procedure says a Service Manager agrees an extension"
    )
    for other in others.values():
        assert other["section_id"].startswith(f"{other['authority']}/")
        section = knowledge_base.sections[other["section_id"]]
        assert " ".join(other["quote"].split()) in " ".join(section.text.split())
    assert any(NO_APPROVER in w for w in body["warnings"] if "overdue" in w)
    # The others' sections are cited as theirs, with the words relied on.
    cited = {c["section_id"]: c for c in body["citations"]}
    for other in others.values():
        assert cited[other["section_id"]]["authority"] == other["authority"]
        assert cited[other["section_id"]]["quote"]


def test_a_pre_birth_date_from_another_authoritys_rule_says_whose_it_is(
    client: TestClient,
) -> None:
    body = _timescales(
        client,
        authority="lewisham",
        referral_date="2026-11-02",
        expected_delivery_date="2027-06-01",
    )
    dates = {d["key"]: d for d in body["dates"]}
    pre = dates["pre_birth_complete_by"]
    assert pre["rule_authority"] == "gateshead" and pre["stated_by_procedure"] is False
    assert pre["section_id"].startswith("gateshead/")
    assert (
        "Gateshead's procedure states this rule; yours doesn't state a pre-birth timescale."
        in (pre["explanation"])
    )
    assert "Gateshead's procedure, not yours" in pre["label"]
    assert body["pre_birth_complete_by"] == pre["date"]  # the contract's date is unchanged
    due = dates["assessment_due"]
    assert due["rule_authority"] == "lewisham" and due["stated_by_procedure"] is True
    own = _timescales(
        client, authority="kent", referral_date="2026-11-02", expected_delivery_date="2027-06-01"
    )
    kent_pre = next(d for d in own["dates"] if d["key"] == "pre_birth_complete_by")
    assert kent_pre["rule_authority"] == "kent" and kent_pre["stated_by_procedure"] is True


def test_cli_says_whose_rules_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["due", "2026-09-01", "--edd", "2027-01-10", "--today", "2026-11-23", "--authority"]
    assert main([*args, "lewisham"]) == 0
    out = capsys.readouterr().out
    assert "Your procedure says the Manager agrees an extension." in out
    assert "Gateshead's procedure, not yours" in out
    assert "Gateshead's source, not yours: gateshead/in-respect-of-assessment-these-were" in out
    assert main([*args, "kent"]) == 0
    out = capsys.readouterr().out
    assert NO_APPROVER in out
    assert "Other authorities' procedures, not yours: Gateshead's procedure says" in out
    assert "Lewisham's source, not yours: lewisham/11-timescales" in out
    assert "not yours" not in out.split("Going past the time limit")[0]  # Kent's own pre-birth
