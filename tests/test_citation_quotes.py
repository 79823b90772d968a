"""Citations carry the procedure's words an answer relied on (`quote`), so that a channel can
show them highlighted in the section: every quoted sentence is in the cited section."""

from __future__ import annotations

import re

import pytest

from assistant.core.guidance.branch_answer import BranchGuide, answer_branch, explain_question
from assistant.core.guidance.branches import load_branches
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Citation, Reply
from assistant.core.timescales.service import load_timescale_service
from assistant.engine_client import replies_from_engine
from tests.conftest import KNOWLEDGE_DIR
from tests.test_branches import AUTHORITIES, EVERYTHING_YES, TODAY

QUESTIONS = (
    "16 year old sofa surfing",
    "when do I see the child alone",
    "do I need consent to speak to the school",
    "strategy discussion",
)


@pytest.fixture(scope="module")
def guide(knowledge_base: KnowledgeBase) -> BranchGuide:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    return BranchGuide(branches, knowledge_base, load_timescale_service(KNOWLEDGE_DIR))


def _fold(text: str) -> str:
    return " ".join(text.split())


def _assert_quotes_are_in_their_sections(reply: Reply, knowledge: KnowledgeBase) -> None:
    assert reply.citations
    for citation in reply.citations:
        assert citation.quote, f"{citation.section_id} cited without the words relied on"
        text = _fold(knowledge.sections[citation.section_id].text)
        for sentence in citation.quote.split("\n"):
            assert _fold(sentence) in text, f"{sentence!r} is not in {citation.section_id}"


@pytest.mark.parametrize("authority", AUTHORITIES)
@pytest.mark.parametrize("question", QUESTIONS)
def test_procedure_answers_quote_the_sentences_their_steps_use(
    knowledge_base: KnowledgeBase, authority: str, question: str
) -> None:
    reply = answer_from_procedure(question, authority, knowledge_base).reply
    _assert_quotes_are_in_their_sections(reply, knowledge_base)
    # Each step's opening words are in some citation's quote (steps may be shortened).
    quoted = " ".join(_fold(c.quote) for c in reply.citations)
    for step in re.findall(r"^\d+\. (?:Must|Should): (.*)$", reply.text, flags=re.MULTILINE):
        assert _fold(step)[:60] in quoted


@pytest.mark.parametrize("authority", AUTHORITIES)
@pytest.mark.parametrize(
    "branch_id",
    ["homeless-16-17", "trafficking-nrm", "family-abroad", "extra-familial-harm", "pre-birth"],
)
def test_branch_steps_quote_their_sentences(
    guide: BranchGuide, branch_id: str, authority: str
) -> None:
    reply = answer_branch(guide, guide.branches[branch_id], authority, EVERYTHING_YES, TODAY)
    for citation in reply.citations:
        if not citation.quote:  # a section cited only for a counted date
            continue
        text = _fold(guide.knowledge.sections[citation.section_id].text)
        for sentence in citation.quote.split("\n"):
            assert _fold(sentence) in text
    assert any(c.quote for c in reply.citations) or not re.search(r"^\d+\. ", reply.text)


def test_why_asking_quotes_the_sentence_behind_the_question(guide: BranchGuide) -> None:
    branch = guide.branches["homeless-16-17"]
    question = next(q for q in branch.questions if q.slot == "pregnant_or_caring")
    reply = explain_question(guide, branch, question, "kent")
    (citation,) = reply.citations
    assert citation.quote and _fold(citation.quote)[:60] in _fold(reply.text)


def test_a_quote_is_in_the_json_only_when_set_and_survives_the_engine() -> None:
    plain = Citation("kent", "kent/a", "A", "v1")
    quoted = Citation("kent", "kent/a", "A", "v1", quote="It must be done.")
    assert "quote" not in plain.to_json()
    assert quoted.to_json()["quote"] == "It must be done."
    (reply,) = replies_from_engine(
        [{"custom": Reply("Text.", citations=(plain, quoted)).to_json()}]
    )
    assert reply.citations == (plain, quoted)
