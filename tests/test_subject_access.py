"""One child's data by their reference: `assistant subject export REF` shows every plan, version,
reminder, transcript message and tracker event that mentions it; `assistant subject erase REF
--yes` deletes exactly those and says how many."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.cli import main
from assistant.core.plans.model import Answer, Child, Plan, PlanValidationError, new_plan_id
from assistant.core.privacy.subject import SubjectReference
from assistant.core.reminders.model import Channel, Reminder, new_reminder_id
from assistant.core.transcript import ASSISTANT, WORKER, TranscriptEntry
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.plans import SqlPlanRepository
from assistant.store.reminders import SqlReminderRepository
from assistant.store.transcript import SqlTranscript
from tests.test_retention_and_audit import rasa_tracker_store, tracker_senders_and_texts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reference", "text", "found"),
    [
        ("AB", "visit AB at school", True),
        ("AB", "A.B. was seen", True),
        ("A.B.", "AB's brother", True),
        ("AB", "A B and CD", True),
        ("AB", "ABC was seen", False),
        ("AB", "CAB-1", False),
        ("AB", "an ab workout", False),  # initials are matched in capitals only
        ("AB", "AB1", False),
        ("CR-20391", "case cr-20391 closed", True),
        ("CR-20391", "CR-203912", False),
        ("CR-20391", "XCR-20391", False),
    ],
)
def test_a_reference_is_found_however_it_is_written_and_only_standing_alone(
    reference: str, text: str, found: bool
) -> None:
    assert SubjectReference(reference).in_text(text) is found


def test_a_reference_is_found_anywhere_in_json() -> None:
    subject = SubjectReference("AB")
    assert subject.in_json({"plan": {"children": ["AB"]}})
    assert subject.in_json([{"text": "hello"}, {"text": "A.B. is 4"}])
    assert not subject.in_json({"text": "hello", "n": 3, "AB1": None})


@pytest.mark.parametrize("reference", ["J", "Jayden Smith", ""])
def test_a_name_or_a_single_initial_is_refused(reference: str) -> None:
    with pytest.raises(PlanValidationError):
        SubjectReference(reference)


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Engine, str]:
    """An app store and a tracker store holding two children's data and another's."""
    database = f"sqlite:///{tmp_path / 'app.db'}"
    engine = create_database_engine(database)
    upgrade_to_latest(engine)
    tracker = rasa_tracker_store(tmp_path / "tracker.db")
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", database)
    monkeypatch.setenv("ASSISTANT_TRACKER_STORE_URL", tracker)
    return engine, tracker


def seed(engine: Engine, tracker_url: str) -> dict[str, str]:
    plans = SqlPlanRepository(engine)
    # AB's plan, in two versions; CD's plan that mentions AB; EF's plan that does not.
    ab = plans.add(Plan(new_plan_id(), "kent", children=(Child("A.B."),)), "amy", NOW)
    plans.save(ab.with_changes(answers={"recording": Answer("On Mosaic")}), "amy", NOW)
    cd = plans.add(
        Plan(
            new_plan_id(),
            "kent",
            children=(Child("CD"),),
            answers={"family": Answer("AB's sister")},
        ),
        "amy",
        NOW,
    )
    ef = plans.add(Plan(new_plan_id(), "kent", children=(Child("EF"),)), "kim", NOW)
    SqlReminderRepository(engine).add_all(
        [
            Reminder(new_reminder_id(), "c1", Channel.WEB, "kent", "Assessment due",
                     date(2026, 12, 1), date(2026, 11, 2), plan_id=plan_id)
            for plan_id in (ab.id, ef.id)
        ]
    )  # fmt: skip
    SqlTranscript(engine).append(
        [
            TranscriptEntry("c1", WORKER, {"text": "plan for AB please"}, NOW),
            TranscriptEntry("c1", ASSISTANT, {"text": "ok", "plan": {"children": ["AB"]}}, NOW),
            TranscriptEntry("c1", WORKER, {"text": "and now EF"}, NOW),
        ]
    )
    import sqlalchemy as sa

    tracker = sa.create_engine(tracker_url)
    events = sa.Table("events", sa.MetaData(), autoload_with=tracker)
    with tracker.begin() as db:
        db.execute(
            events.insert().values(
                sender_id="c1", type_name="user", timestamp=NOW.timestamp(),
                data=json.dumps({"text": "plan for AB please"}),
            )
        )  # fmt: skip
    tracker.dispose()
    return {"ab": ab.id, "cd": cd.id, "ef": ef.id}


def test_export_shows_every_plan_version_reminder_and_message_that_mentions_the_child(
    stores: tuple[Engine, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, tracker = stores
    ids = seed(engine, tracker)
    out = tmp_path / "sar" / "ab.json"
    assert main(["subject", "export", "AB", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    found = json.loads(out.read_text())
    assert found["reference"] == "AB"
    assert [p["id"] for p in found["plans"]] == [ids["ab"], ids["cd"]]
    assert [v["version"] for v in found["plans"][0]["versions"]] == [1, 2]
    assert found["plans"][0]["versions"][1]["plan"]["answers"]["recording"]["text"] == "On Mosaic"
    assert [r["plan_id"] for r in found["reminders"]] == [ids["ab"]]
    assert [t["body"]["text"] for t in found["transcript"]] == ["plan for AB please", "ok"]
    assert [e["data"]["text"] for e in found["tracker_events"]] == ["plan for AB please"]
    assert main(["subject", "export", "CR-999"]) == 0
    nothing = json.loads(capsys.readouterr().out)
    assert nothing["plans"] == nothing["transcript"] == nothing["tracker_events"] == []


def test_erase_needs_yes_then_deletes_exactly_what_export_shows(
    stores: tuple[Engine, str], capsys: pytest.CaptureFixture[str]
) -> None:
    engine, tracker = stores
    ids = seed(engine, tracker)
    assert main(["subject", "erase", "AB"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert SqlPlanRepository(engine).get(ids["ab"]).version == 2  # nothing erased yet

    assert main(["subject", "erase", "AB", "--yes"]) == 0
    said = capsys.readouterr().out
    assert said.strip() == (
        "Erased everything that mentions AB: 2 plans (3 versions), 1 reminders, "
        "2 transcript messages, 1 tracker events."
    )
    plans = SqlPlanRepository(engine)
    assert [s.id for s in plans.list("kent")] == [ids["ef"]]
    assert [r.plan_id for r in SqlReminderRepository(engine).for_conversation("c1")] == [ids["ef"]]
    assert [e.body["text"] for e in SqlTranscript(engine).entries("c1")] == ["and now EF"]
    assert all("AB" not in (text or "") for _, text in tracker_senders_and_texts(tracker))
    assert len(tracker_senders_and_texts(tracker)) == 4  # the other children's events are kept
    assert main(["subject", "export", "AB"]) == 0
    assert json.loads(capsys.readouterr().out)["plans"] == []


def test_a_name_given_as_the_reference_is_refused_with_a_clear_message(
    stores: tuple[Engine, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["subject", "erase", "Jayden Smith", "--yes"]) == 2
    assert "not initials or a case reference" in capsys.readouterr().err
