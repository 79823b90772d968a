"""Every local rule in knowledge/authorities.yml is stated by its authority's own chapter.

Each rule carries the chapter's words for it (`quote`); these tests prove each quote is in the
section it cites, as the knowledge base loads it, that an extension approver is named only
where the chapter names one, and (by breaking the data on purpose) that the check catches a
rule the chapter does not state.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.rules import (
    Quoted,
    TimescaleRules,
    approver_words,
    fold,
    load_timescale_rules,
    unsupported_rules,
)
from tests.conftest import KNOWLEDGE_DIR

AUTHORITIES = ("gateshead", "blackpool", "kent", "lewisham", "regional")
_NUMBER_WORDS = {2: "two", 4: "four", 9: "nine", 10: "ten", 12: "twelve", 30: "thirty"}


@pytest.fixture(scope="module")
def rules() -> dict[str, TimescaleRules]:
    return load_timescale_rules(KNOWLEDGE_DIR)


def _problems(rules: dict[str, TimescaleRules], knowledge: KnowledgeBase) -> list[str]:
    def text(section_id: str) -> str | None:
        section = knowledge.sections.get(section_id)
        return section.text if section else None

    return unsupported_rules(rules, text)


def _says(quote: tuple[str, ...], number: int, *also: str) -> bool:
    text = fold(" ".join(quote)).lower()
    words = (str(number), _NUMBER_WORDS.get(number, str(number)), *also)
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


def test_every_rule_is_in_its_authoritys_cited_section(
    rules: dict[str, TimescaleRules], knowledge_base: KnowledgeBase
) -> None:
    assert set(rules) == set(AUTHORITIES)
    assert _problems(rules, knowledge_base) == []


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_every_rule_has_the_chapters_words_and_its_number_is_in_them(
    rules: dict[str, TimescaleRules], authority: str
) -> None:
    r = rules[authority]
    quoted = {q.rule: q.quote for q in r.rule_quotes()}
    assert all(quoted.values()), quoted
    assert _says(r.quote, r.assessment_working_days)
    assert "working days" in fold(" ".join(r.quote))
    for checkpoint in r.checkpoints:
        assert _says(checkpoint.quote, checkpoint.working_days)
    assert "extension.how" in quoted
    if r.cin_visit_record_working_days is not None:
        assert _says(r.cin_visit_quote, r.cin_visit_record_working_days)
    if r.review_every_months is not None:
        assert _says(r.review_quote, r.review_every_months, "annually")
    if r.cin_plan_update_months is not None:
        assert _says(r.cin_plan_quote, r.cin_plan_update_months)
    if r.pre_birth_section is not None:
        assert _says(r.pre_birth_quote, 4) and "weeks before" in fold(" ".join(r.pre_birth_quote))


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_an_approver_is_named_only_in_the_chapters_own_words(
    rules: dict[str, TimescaleRules], authority: str
) -> None:
    approver = rules[authority].extension.approver
    if approver is None:
        return
    quote = fold(approver.quote_text).lower()
    assert approver_words(approver.text)
    assert all(word in quote for word in approver_words(approver.text))


def test_the_approvers_the_chapters_name(rules: dict[str, TimescaleRules]) -> None:
    """Only Gateshead's and Lewisham's chapters say who agrees an extension."""
    named = {a: r.extension.approver.text for a, r in rules.items() if r.extension.approver}
    assert named == {"gateshead": "a Service Manager", "lewisham": "the Manager"}


# Breaking the data on purpose: each of these must be caught.


def _with(
    rules: dict[str, TimescaleRules], authority: str, **changes: Any
) -> dict[str, TimescaleRules]:
    return {**rules, authority: replace(rules[authority], **changes)}


def test_a_quote_not_in_the_section_is_caught(
    rules: dict[str, TimescaleRules], knowledge_base: KnowledgeBase
) -> None:
    kent = rules["kent"]
    wrong = (kent.quote[0].replace("45 working days", "40 working days"),)
    problems = _problems(_with(rules, "kent", quote=wrong), knowledge_base)
    assert len(problems) == 1
    assert problems[0].startswith("kent assessment_working_days (kent/11-timescales)")
    assert "is not in the section" in problems[0]


def test_a_quote_from_another_section_is_caught(
    rules: dict[str, TimescaleRules], knowledge_base: KnowledgeBase
) -> None:
    # Gateshead's pre-birth sentence is true, but not of its CIN visit section.
    gateshead = rules["gateshead"]
    broken = _with(rules, "gateshead", cin_visit_quote=gateshead.pre_birth_quote)
    [problem] = _problems(broken, knowledge_base)
    assert problem.startswith("gateshead cin_visit_record_working_days")


def test_another_authoritys_section_is_caught(
    rules: dict[str, TimescaleRules], knowledge_base: KnowledgeBase
) -> None:
    # Lewisham's chapter has no pre-birth timescale: citing Kent's for it is not Lewisham's rule.
    kent = rules["kent"]
    borrowed = _with(
        rules,
        "lewisham",
        pre_birth_section=kent.pre_birth_section,
        pre_birth_quote=kent.pre_birth_quote,
    )
    [problem] = _problems(borrowed, knowledge_base)
    assert "lewisham pre_birth" in problem and "another authority's section" in problem


@pytest.mark.parametrize(
    ("authority", "invented"),
    [
        # What authorities.yml used to say: none of these chapters names them.
        ("blackpool", "the team manager"),
        ("kent", "your Practice Supervisor or manager"),
        ("regional", "a Service Manager"),
        ("lewisham", "a Service Manager"),
    ],
)
def test_an_approver_the_quote_does_not_name_is_caught(
    rules: dict[str, TimescaleRules],
    knowledge_base: KnowledgeBase,
    authority: str,
    invented: str,
) -> None:
    extension = rules[authority].extension
    how = extension.how
    approver = Quoted(invented, how.quote, how.section)  # a real quote, not naming them
    broken = _with(rules, authority, extension=replace(extension, approver=approver))
    [problem] = _problems(broken, knowledge_base)
    assert problem == (f"{authority} extension.approver: {invented!r} is not named in its quote")


def test_an_empty_quote_is_caught(
    rules: dict[str, TimescaleRules], knowledge_base: KnowledgeBase
) -> None:
    checkpoint = replace(rules["blackpool"].checkpoints[1], quote=())
    broken = _with(rules, "blackpool", checkpoints=(rules["blackpool"].checkpoints[0], checkpoint))
    [problem] = _problems(broken, knowledge_base)
    assert problem.startswith("blackpool checkpoint 30") and "no supporting quote" in problem


def test_a_rule_without_a_quote_does_not_load(tmp_path: Path) -> None:
    text = (KNOWLEDGE_DIR / "authorities.yml").read_text(encoding="utf-8")
    without = re.sub(r"\n      review_quote: [^\n]*", "", text)
    assert without != text
    (tmp_path / "authorities.yml").write_text(without, encoding="utf-8")
    with pytest.raises(ValueError, match=r"blackpool review has no 'review_quote'"):
        load_timescale_rules(tmp_path)
