"""The procedure branches in the core: steps from the worker's own procedure, never invented."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant.core.guidance.branch_answer import (
    BranchGuide,
    answer_branch,
    explain_question,
    question_reply,
    questions_worth_asking,
    reconcile_branch,
    situation,
)
from assistant.core.guidance.branch_facts import (
    UNKNOWN,
    Entity,
    age_on,
    facts_from_message,
    read_answer,
)
from assistant.core.guidance.branches import BranchDataError, load_branches
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.dates import DateParseError
from assistant.core.timescales.service import load_timescale_service
from tests.conftest import KNOWLEDGE_DIR

TODAY = date(2026, 11, 23)
AUTHORITIES = ("gateshead", "blackpool", "kent", "lewisham", "regional")
EVERYTHING_YES = {
    "young_person_age": 17,
    "homeless_now": True,
    "pregnant_or_caring": True,
    "significant_harm": True,
    "interpreter_needed": True,
    "country": "Poland",
    "siblings": True,
    "trafficking_concern": True,
    "due_date": "2027-11-14",
    "parent_looked_after": True,
}


@pytest.fixture(scope="module")
def guide(knowledge_base: KnowledgeBase) -> BranchGuide:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    return BranchGuide(branches, knowledge_base, load_timescale_service(KNOWLEDGE_DIR))


def _steps(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\d+\. (.*)$", text, flags=re.MULTILINE)]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


@pytest.mark.parametrize("authority", AUTHORITIES)
@pytest.mark.parametrize(
    "branch_id",
    ["homeless-16-17", "trafficking-nrm", "family-abroad", "extra-familial-harm", "pre-birth"],
)
def test_every_step_is_a_sentence_of_a_cited_section_or_a_counted_date(
    guide: BranchGuide, branch_id: str, authority: str
) -> None:
    reply = answer_branch(guide, guide.branches[branch_id], authority, EVERYTHING_YES, TODAY)
    assert reply.citations, "every answer cites its sources"
    cited = " ".join(
        _normalise(guide.knowledge.sections[c.section_id].text) for c in reply.citations
    )
    steps = _steps(reply.text)
    assert steps
    for step_text in steps:
        body = step_text
        labelled = re.match(r"^([A-Z][\w ]*?)'s? procedure (?:—|says) ", step_text)
        if labelled:  # another authority's step, labelled as theirs: theirs is what is cited
            owners = {
                guide.knowledge.authorities.get(c.authority).short_name for c in reply.citations
            }
            assert labelled.group(1) in owners
            assert labelled.group(1) != guide.knowledge.authorities.get(authority).short_name
            body = step_text[labelled.end() :]
        body = re.sub(r"^(Must|Should): ", "", body)
        if body.startswith(
            ("The assessment concludes within", "complete the assessment", "to complete the")
        ):
            assert "How I counted:" in body  # a date always says how it was counted
            continue
        sentence = body.split(": by ")[0].split(": How I counted")[0].rstrip(".…")
        assert _normalise(sentence)[:120] in cited, f"{step_text!r} is not in the cited text"


def test_the_answer_names_the_situation_and_the_authority(guide: BranchGuide) -> None:
    facts = {"young_person_age": 16, "homeless_now": True}
    reply = answer_branch(guide, guide.branches["homeless-16-17"], "kent", facts, TODAY)
    first_line = reply.text.splitlines()[0]
    assert first_line == "A 16 year old who is homeless now — Kent procedure."
    assert "section 20" in reply.text and "refused by the child" in reply.text
    assert "by Thursday 28 January 2027 for a referral today" in reply.text
    assert "The decision rests with you and your manager." in reply.text


def test_homeless_warns_about_the_18th_birthday_with_its_date(guide: BranchGuide) -> None:
    facts = {"young_person_age": 17, "date_of_birth": "2009-01-10"}
    reply = answer_branch(guide, guide.branches["homeless-16-17"], "lewisham", facts, TODAY)
    assert "turns 18 on Sunday 10 January 2027" in reply.text
    without_dob = answer_branch(
        guide, guide.branches["homeless-16-17"], "lewisham", {"young_person_age": 17}, TODAY
    )
    assert "give me their date of birth" in without_dob.text


def test_a_step_that_depends_on_a_fact_appears_only_with_it(guide: BranchGuide) -> None:
    branch = guide.branches["pre-birth"]
    due = {"due_date": "2027-11-14"}
    with_it = answer_branch(guide, branch, "lewisham", {**due, "parent_looked_after": True}, TODAY)
    without = answer_branch(guide, branch, "lewisham", {**due, "parent_looked_after": False}, TODAY)
    assert "referred to the MASH" in with_it.text
    assert "MASH" not in without.text


def test_pre_birth_puts_the_counted_date_on_the_procedure_step(guide: BranchGuide) -> None:
    reply = answer_branch(
        guide, guide.branches["pre-birth"], "kent", {"due_date": "2027-11-14"}, TODAY
    )
    assert reply.text.startswith("A pre-birth assessment, baby due Sunday 14 November 2027")
    assert "expected delivery date: by Friday 15 October 2027. How I counted:" in reply.text
    assert reply.text.count("15 October 2027") == 1


def test_trafficking_in_kent_has_the_nrm_consent_and_the_ictg(guide: BranchGuide) -> None:
    reply = answer_branch(guide, guide.branches["trafficking-nrm"], "kent", {}, TODAY)
    assert "referral should be made to the NRM, as soon as possible" in reply.text
    assert "consent is not needed" in reply.text
    assert "ICTG referral should be made in parallel" in reply.text


def test_no_ictg_step_where_the_procedure_has_no_ictg_service(guide: BranchGuide) -> None:
    reply = answer_branch(guide, guide.branches["trafficking-nrm"], "gateshead", {}, TODAY)
    assert "National Referral Mechanism" in reply.text
    assert "ICTG" not in reply.text and "Guardian" not in reply.text


def test_family_abroad_does_not_travel_and_uses_cfab(guide: BranchGuide) -> None:
    facts = {"country": "Poland", "relative": "father"}
    reply = answer_branch(guide, guide.branches["family-abroad"], "gateshead", facts, TODAY)
    assert reply.text.startswith("A father in Poland — Gateshead procedure.")
    assert "should not routinely travel overseas" in reply.text
    assert "CFAB" in reply.text and "1996 Hague Convention" in reply.text


def test_extra_familial_harm_brings_in_partners_and_the_nrm_when_it_is_trafficking(
    guide: BranchGuide,
) -> None:
    branch = guide.branches["extra-familial-harm"]
    plain = answer_branch(guide, branch, "lewisham", {}, TODAY)
    assert "Multi-Agency work" in plain.text and "line-manager" in plain.text
    assert "alleged perpetrators" in plain.text
    assert "National Referral Mechanism" not in plain.text
    trafficked = answer_branch(guide, branch, "lewisham", {"trafficking_concern": True}, TODAY)
    assert "National Referral Mechanism" in trafficked.text


def test_a_silent_procedure_says_so_and_labels_other_authorities(guide: BranchGuide) -> None:
    reply = answer_branch(guide, guide.branches["homeless-16-17"], "regional", {}, TODAY)
    assert reply.text.startswith("I can't find anything on 16 and 17 year olds")
    assert "not your authority's own procedure" in reply.text
    assert all(c.authority != "regional" for c in reply.citations)


def test_only_questions_that_change_the_steps_are_asked(guide: BranchGuide) -> None:
    def asked(branch_id: str, authority: str) -> list[str]:
        return [q.slot for q in questions_worth_asking(guide, guide.branches[branch_id], authority)]

    assert asked("pre-birth", "lewisham") == ["due_date", "parent_looked_after"]
    assert asked("pre-birth", "kent") == ["due_date"]  # Kent's text has no care-leaver route
    assert "siblings" in asked("extra-familial-harm", "kent")
    assert "homeless_now" not in asked("homeless-16-17", "kent")  # the same steps either way


def test_why_are_you_asking_gives_the_reason_and_the_sentence(guide: BranchGuide) -> None:
    branch = guide.branches["homeless-16-17"]
    question = branch.question("pregnant_or_caring")
    assert question is not None
    reply = explain_question(guide, branch, question, "kent")
    assert reply.text.startswith(question.why)
    assert "pregnant or have children in their care" in reply.text
    assert [c.authority for c in reply.citations] == ["kent"]
    assert reply.buttons[0].payload.startswith("/show_section")


def test_a_yes_no_question_offers_answers_and_why() -> None:
    branches = load_branches(KNOWLEDGE_DIR, {"homeless-16-17", "accommodation-s20"} | _ALL_TOPICS)
    question = branches["homeless-16-17"].question("homeless_now")
    assert question is not None
    reply = question_reply(question)
    assert [b.payload for b in reply.buttons] == ["/affirm", "/deny", "/why_asking"]
    assert [b.title for b in reply.buttons][:2] == ["Homeless now", "At risk"]


_ALL_TOPICS = set(
    yaml.safe_load((KNOWLEDGE_DIR / "topics.yml").read_text(encoding="utf-8"))["topics"]
)


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        (
            "17 year old lad sofa surfing, his dad won't have him back",
            [Entity("age", "17")],
            {"young_person_age": 17, "homeless_now": True},
        ),
        (
            "16yo whose mum is threatening to kick her out",
            [Entity("age", "16")],
            {"young_person_age": 16, "homeless_now": False},
        ),
        (
            "pregnant 16 year old, nowhere to stay tonight",
            [Entity("age", "16")],
            {"young_person_age": 16, "homeless_now": True, "pregnant_or_caring": True},
        ),
        (
            "young person DOB 10/01/2009 kicked out",
            [Entity("date", "10/01/2009")],
            {"date_of_birth": "2009-01-10", "young_person_age": 17, "homeless_now": True},
        ),
        ("homeless teenager", [], {}),
    ],
)
def test_facts_from_a_description_of_homelessness(
    guide: BranchGuide, text: str, entities: list[Entity], expected: dict[str, object]
) -> None:
    assert facts_from_message(guide.branches["homeless-16-17"], text, entities, TODAY) == expected


def test_facts_from_descriptions_of_other_branches(guide: BranchGuide) -> None:
    abroad = facts_from_message(
        guide.branches["family-abroad"],
        "dad lives in Poland",
        [Entity("relationship", "father"), Entity("country", "Poland")],
        TODAY,
    )
    assert abroad == {"country": "Poland", "relative": "father"}
    pre_birth = facts_from_message(
        guide.branches["pre-birth"], "pre-birth, EDD 14/11/2027", [], TODAY
    )
    assert pre_birth == {"due_date": "2027-11-14"}
    with pytest.raises(DateParseError):
        facts_from_message(guide.branches["pre-birth"], "baby due 31/02/2027", [], TODAY)


@pytest.mark.parametrize(
    ("slot", "text", "intent", "entities", "expected"),
    [
        ("pregnant_or_caring", "yes", "affirm", [], {"pregnant_or_caring": True}),
        ("pregnant_or_caring", "/deny", "deny", [], {"pregnant_or_caring": False}),
        ("pregnant_or_caring", "she's not", "nlu_fallback", [], {"pregnant_or_caring": False}),
        ("pregnant_or_caring", "she is", "nlu_fallback", [], {"pregnant_or_caring": True}),
        ("pregnant_or_caring", "not sure", "nlu_fallback", [], {"pregnant_or_caring": UNKNOWN}),
        ("pregnant_or_caring", "she's been trafficked by her uncle", "trafficking", [], {}),
        ("pregnant_or_caring", "what does s20 mean", "explain_term", [], {}),
        ("young_person_age", "16", "nlu_fallback", [], {"young_person_age": 16}),
        (
            "young_person_age",
            "she's 17 and a half",
            "ask_procedure",
            [Entity("age", "17.5")],
            {"young_person_age": 17},
        ),
        (
            "young_person_age",
            "born 10/01/2009",
            "nlu_fallback",
            [],
            {"date_of_birth": "2009-01-10", "young_person_age": 17},
        ),
        ("young_person_age", "do I need to tell the police about this", "ask_police", [], {}),
        ("due_date", "14 November 2027", "nlu_fallback", [], {"due_date": "2027-11-14"}),
        ("due_date", "why?", "why_asking", [], {}),
        ("due_date", "referral came in 16/11/2026, when's it due?", "ask_timescale", [], {}),
        ("due_date", "1 March 2026", "nlu_fallback", [], {}),  # past: not a due date
        (
            "country",
            "Romania",
            "nlu_fallback",
            [Entity("country", "Romania")],
            {"country": "Romania"},
        ),
    ],
)
def test_reading_an_answer(
    guide: BranchGuide,
    slot: str,
    text: str,
    intent: str,
    entities: list[Entity],
    expected: dict[str, object],
) -> None:
    question = guide.question(slot)
    assert read_answer(question, text, intent, entities, TODAY) == expected


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2009, 1, 10), date(2026, 11, 23), 17),
        (date(2009, 11, 23), date(2026, 11, 23), 17),
        (date(2009, 11, 24), date(2026, 11, 23), 16),
        # The same convention as the 18th-birthday warning: 28 February in other years.
        (date(2008, 2, 29), date(2026, 2, 27), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 18),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_on_a_date(born: date, today: date, age: int) -> None:
    assert age_on(born, today) == age


def test_situation_lines_read_naturally(guide: BranchGuide) -> None:
    branches = guide.branches
    assert situation(
        branches["trafficking-nrm"], {"young_person_age": 14, "country": "Albania"}
    ) == ("A 14 year old who may have been trafficked from Albania")
    assert situation(branches["extra-familial-harm"], {}) == (
        "A child at risk of harm outside the family"
    )
    assert situation(branches["homeless-16-17"], {"homeless_now": False}) == (
        "A 16 or 17 year old at risk of becoming homeless"
    )


def test_branch_data_is_checked_when_loaded(tmp_path: Path) -> None:
    raw = yaml.safe_load((KNOWLEDGE_DIR / "branches.yml").read_text(encoding="utf-8"))
    raw["branches"]["pre-birth"]["points"].append({"find": "x", "when": {"nonexistent": True}})
    (tmp_path / "branches.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(BranchDataError, match="nonexistent"):
        load_branches(tmp_path, _ALL_TOPICS)
    raw["branches"]["pre-birth"]["points"].pop()
    raw["branches"]["pre-birth"]["topics"] = ["not-a-topic"]
    (tmp_path / "branches.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(BranchDataError, match="not-a-topic"):
        load_branches(tmp_path, _ALL_TOPICS)


@pytest.mark.parametrize(
    ("classified", "text", "meant"),
    [
        (
            "homeless-16-17",
            "a 14 year old girl may have been trafficked from Albania",
            "trafficking-nrm",
        ),
        ("homeless-16-17", "16yo kicked out, she's pregnant", "homeless-16-17"),
        ("family-abroad", "dad lives in Poland, how do we assess him?", "family-abroad"),
        (
            "pre-birth",
            "the 13 year old is carrying knives for an older gang",
            "extra-familial-harm",
        ),
        # Trafficking is named, if faintly, by the words: the classifier stands.
        (
            "trafficking-nrm",
            "the 13 year old is carrying knives for an older gang",
            "trafficking-nrm",
        ),
        ("pre-birth", "something else entirely", "pre-birth"),
    ],
)
def test_the_words_overrule_a_misclassified_branch_only_when_clear(
    guide: BranchGuide, classified: str, text: str, meant: str
) -> None:
    assert reconcile_branch(guide, classified, text).id == meant


@pytest.mark.parametrize("authority", ["lewisham", "regional"])
def test_a_pre_birth_date_from_another_authority_is_labelled_not_marked_as_theirs(
    guide: BranchGuide, authority: str
) -> None:
    """Neither chapter states a pre-birth timescale: the date comes labelled as Gateshead's,
    without a Must/Should of the worker's procedure, and cites Gateshead's words."""
    reply = answer_branch(
        guide, guide.branches["pre-birth"], authority, {"due_date": "2027-11-14"}, TODAY
    )
    [dated] = [s for s in _steps(reply.text) if "4 weeks before" in s]
    assert dated.startswith("Gateshead's procedure says to complete the assessment")
    assert "by Friday 15 October 2027" in dated and "Yours doesn't state" in dated
    [gateshead] = [c for c in reply.citations if c.authority == "gateshead"]
    assert "at least 4 weeks before" in gateshead.quote
    assert "Sources: " in reply.text and "Gateshead — " in reply.text
