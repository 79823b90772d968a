"""The engine's entity rules, run with plain spaCy here (outside Rasa)."""

from __future__ import annotations

import pytest
import yaml

from engine.entities import EntityFinder
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def finder() -> EntityFinder:
    countries = yaml.safe_load((KNOWLEDGE_DIR / "countries.yml").read_text())["countries"]
    return EntityFinder(countries)


def _found(finder: EntityFinder, text: str) -> list[tuple[str, str]]:
    return [(f.entity, f.value) for f in finder.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16yo sofa surfing", [("age", "16")]),
        ("a 17 year old lad", [("age", "17")]),
        ("she is 17 and a half", [("age", "17.5")]),
        ("he turned 16 last week", [("age", "16")]),
        ("the baby is 2 weeks old", []),
        ("mum is 24 weeks pregnant", []),
        ("she's 17 and a half years old", [("age", "17.5")]),
        ("aged 15 and a half", [("age", "15.5")]),
        ("14-year-old girl", [("age", "14")]),
        ("sixteen year old", [("age", "16")]),
        ("17 y/o", [("age", "17")]),
    ],
)
def test_ages(finder: EntityFinder, text: str, expected: list[tuple[str, str]]) -> None:
    assert [f for f in _found(finder, text) if f[0] == "age"] == expected


def test_relationships_are_normalised(finder: EntityFinder) -> None:
    found = _found(finder, "Mum's boyfriend hit him and his nan wants to help, stepdad left")
    assert ("relationship", "mother's partner") in found
    assert ("relationship", "grandparent") in found
    assert ("relationship", "stepfather") in found


def test_countries_and_dates(finder: EntityFinder) -> None:
    found = _found(finder, "dad lives in Poland, referral came in on 14 December and EDD 03/04")
    assert ("country", "Poland") in found
    assert ("date", "14 December") in found and ("date", "03/04") in found


def test_longest_match_wins_and_offsets_point_at_the_words(finder: EntityFinder) -> None:
    text = "the 13 year old from Vietnam"
    found = finder.find(text)
    assert [(f.entity, text[f.start : f.end]) for f in found] == [
        ("age", "13 year old"),
        ("country", "Vietnam"),
    ]
    assert found[0].as_rasa("SpacyEntityExtractor")["value"] == "13"


@pytest.mark.parametrize(
    "text",
    [
        "the 3rd",
        "tues just gone",
        "a week last Monday",
        "14/12",
        "2nd october",
        "on Friday",
        "it came in last thurs",
        "3 weeks ago",
        "Tuesday",
        "14th",
        "December 14th",
    ],
)
def test_a_date_reply_in_any_form_is_a_date_entity(finder: EntityFinder, text: str) -> None:
    assert any(f.entity == "date" for f in finder.find(text)), text


@pytest.mark.parametrize(
    "text", ["she works Monday to Friday", "the 15 year old", "sat with mum", "his 2nd visit"]
)
def test_words_that_only_look_like_a_date_are_not(finder: EntityFinder, text: str) -> None:
    assert not any(f.entity == "date" for f in finder.find(text)), text
