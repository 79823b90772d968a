"""Learning mode in the core: which question comes next (missed ones sooner), reading answers,
feedback citing the section, progress by topic, practice cases compared with key actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.core.guidance.other_answers import explain_term
from assistant.core.learning.bank import (
    MY_AUTHORITY,
    KeyAction,
    LearningBank,
    PracticeCase,
    QuizQuestion,
    QuizTopic,
    load_learning_bank,
)
from assistant.core.learning.learner import Learner, learner_from_json, learner_to_json
from assistant.core.learning.practice import choose_case, compare, compare_reply
from assistant.core.learning.progress import progress_reply, topic_scores
from assistant.core.learning.quiz import (
    ask_question,
    feedback,
    in_scope,
    next_question,
    read_choice,
    read_scope,
)
from assistant.core.procedures.knowledge_base import KnowledgeBase
from tests.conftest import KNOWLEDGE_DIR

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NAMES = {"kent": "Kent County Council", "gateshead": "Gateshead Council"}


def question(qid: str, topic: str = "timescales", authority: str | None = None) -> QuizQuestion:
    return QuizQuestion(
        id=qid,
        topic=topic,
        authority=authority,
        question=f"Question {qid}?",
        choices=("10 working days", "45 working days", "3 months"),
        answer=1,
        reason="The maximum time frame is 45 working days from the point of referral.",
        key_phrase="45 working days",
        sections=("kent/11-timescales",),
    )


BANK = LearningBank(
    topics={
        "timescales": QuizTopic("timescales", "Timescales", ("timescales", "deadlines")),
        "nrm": QuizTopic("nrm", "Trafficking and the NRM", ("nrm", "trafficking")),
    },
    questions=(
        question("t1"),
        question("t2"),
        question("t3"),
        question("n1", "nrm"),
        question("k1", "nrm", "kent"),
        question("g1", "timescales", "gateshead"),
    ),
    cases=(),
)


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("quiz me", None),
        ("quiz me on timescales", "timescales"),
        ("quiz me on the NRM", "nrm"),
        ("quiz me on my authority", MY_AUTHORITY),
        ("quiz me on Kent County Council's procedure", MY_AUTHORITY),
    ],
)
def test_what_a_quiz_is_on(text: str, scope: str | None) -> None:
    assert read_scope(text, BANK, NAMES) == scope


def test_a_worker_is_never_asked_another_authoritys_questions() -> None:
    assert {q.id for q in in_scope(BANK, "kent", None)} == {"t1", "t2", "t3", "n1", "k1"}
    assert [q.id for q in in_scope(BANK, "kent", MY_AUTHORITY)] == ["k1"]
    assert [q.id for q in in_scope(BANK, "gateshead", "timescales")] == ["t1", "t2", "t3", "g1"]


def test_new_questions_come_first_and_a_missed_one_comes_back_after_two_others() -> None:
    learner = Learner("l1")
    asked: list[str] = []
    missed: str | None = None
    for turn in range(6):
        q = next_question(
            BANK, learner, "kent", "timescales", not_this=asked[-1] if asked else None
        )
        assert q is not None
        asked.append(q.id)
        wrong = turn == 0
        learner = learner.answered(q.id, correct=not wrong, now=NOW)
        if wrong:
            missed = q.id
    # The three questions are asked once each before any repeats, then the missed one first.
    assert sorted(asked[:3]) == ["t1", "t2", "t3"]
    assert asked[3] == missed
    record = learner.questions[missed]
    assert (record.attempts, record.correct) == (2, 1)


def test_a_learners_record_round_trips() -> None:
    learner = Learner("l1").answered("t1", True, NOW).practised("case-1", 2, 4, NOW)
    assert learner_from_json(learner_to_json(learner), NOW) == learner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B", 1),
        ("b", 1),
        ("B. 45 working days", 1),
        ("(a)", 0),
        ("option c", 2),
        ("2", 1),
        ("45 working days", 1),
        ("I think it's 45 working days", 1),
        ("not sure", None),
        ("E", None),
        ("Before Christmas", None),
    ],
)
def test_answers_are_read_by_letter_number_or_words(text: str, expected: int | None) -> None:
    assert read_choice(question("t1"), text) == expected


def test_a_question_has_a_button_per_choice_and_a_way_out() -> None:
    reply = ask_question(question("t1"), 2, "Timescales")
    assert reply.text.startswith("Question 2 (Timescales): Question t1?")
    assert [b.payload for b in reply.buttons] == ["A", "B", "C", "stop the quiz"]


def test_feedback_gives_the_answer_the_reason_and_the_workers_own_section(
    knowledge_base: KnowledgeBase,
) -> None:
    kent = next(s for s in knowledge_base.sections_of("kent") if "45 working days" in s.text)
    lewisham = next(
        s for s in knowledge_base.sections_of("lewisham") if "45 working days" in s.text
    )
    q = QuizQuestion(**{**question("t1").__dict__, "sections": (kent.id, lewisham.id)})
    wrong = feedback(q, 0, "lewisham", knowledge_base)
    assert wrong.text.startswith("Not quite: the answer is B, 45 working days.")
    assert wrong.citations[0].section_id == lewisham.id
    assert "45 working days" in wrong.citations[0].quote
    assert feedback(q, 1, "kent", knowledge_base).text.startswith("Right.")


def test_progress_shows_strengths_gaps_and_what_comes_back() -> None:
    learner = Learner("l1")
    for qid, right in [("t1", True), ("t2", True), ("t3", True), ("n1", False), ("k1", False)]:
        learner = learner.answered(qid, right, NOW)
    scores = {s.topic: s for s in topic_scores(BANK, learner)}
    assert (scores["timescales"].correct, scores["timescales"].attempts) == (3, 3)
    assert scores["nrm"].to_revisit == 2
    reply = progress_reply(BANK, learner)
    assert "5 questions and got 3 right (60%)" in reply.text
    assert "Strengths: Timescales (3/3)" in reply.text
    assert "To work on: Trafficking and the NRM (0/2)" in reply.text
    assert reply.buttons[0].payload == "quiz me on nrm"
    assert progress_reply(BANK, Learner("new")).text.startswith("You haven't answered")


def key_action(action_id: str, action: str, *groups: tuple[str, ...]) -> KeyAction:
    return KeyAction(action_id, action, groups, "key phrase", ("kent/x",), "Why.")


CASE = PracticeCase(
    id="homeless-17",
    title="A 17 year old sofa surfing",
    topic="homeless-16-17",
    authority=None,
    vignette="J, 17, has been sofa surfing for two weeks.",
    prompt="What would you do next?",
    key_actions=(
        key_action(
            "assess",
            "Assess what duties are owed",
            ("assess", "duties"),
            ("child in need assessment",),
        ),
        key_action(
            "accommodate", "Offer accommodation", ("section 20",), ("s20",), ("accommodat",)
        ),
        key_action("manager", "Tell your manager", ("manager",)),
    ),
)


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        (
            "I'd do a child in need assessment and accommodate him under s20",
            ["assess", "accommodate"],
        ),
        ("Assess the duties owed, talk to my manager", ["assess", "manager"]),
        ("Call his mum and see if he can go home", []),
    ],
)
def test_a_practice_answer_is_compared_with_the_key_actions(
    answer: str, covered: list[str]
) -> None:
    got, missed = compare(CASE, answer)
    assert got == covered
    assert missed == [a.id for a in CASE.key_actions if a.id not in covered]


# --- With the real bank (knowledge/quiz.yml, knowledge/practice_cases.yml) --------------


@pytest.fixture(scope="module")
def bank() -> LearningBank:
    return load_learning_bank(KNOWLEDGE_DIR)


def test_every_practice_case_can_be_answered_in_full(
    bank: LearningBank, knowledge_base: KnowledgeBase
) -> None:
    """An answer naming each key action's first words gets every action, cited for the rest."""
    for case in bank.cases:
        full = ". ".join(" ".join(a.words[0]) for a in case.key_actions)
        _, missed = compare(case, full)
        assert missed == [], case.id
        reply, count = compare_reply(case, "I would ring the family", "kent", knowledge_base)
        assert count < len(case.key_actions) and reply.citations, case.id


def test_a_practice_case_on_the_topic_named_is_chosen(
    bank: LearningBank, knowledge_base: KnowledgeBase
) -> None:
    weights = dict(knowledge_base.question_topics("a practice case on trafficking"))
    case = choose_case(bank, Learner("l1"), "gateshead", weights)
    assert case.topic == "trafficking-nrm" and case.authority in (None, "gateshead")


def test_a_quiz_on_my_authority_has_questions_for_every_authority(bank: LearningBank) -> None:
    for authority in ("gateshead", "blackpool", "kent", "lewisham", "regional"):
        assert next_question(bank, Learner("l1"), authority, MY_AUTHORITY) is not None


@pytest.mark.parametrize(
    ("text", "detail"),
    [("what does s47 mean?", False), ("explain s47 in more detail", True)],
)
def test_terms_are_explained_in_a_sentence_or_in_more_detail(
    knowledge_base: KnowledgeBase, text: str, detail: bool
) -> None:
    reply = explain_term(text, knowledge_base, "kent")
    assert reply is not None
    if detail:
        assert "Your procedure puts it like this" in reply.text
        assert any(c.authority == "kent" and c.quote for c in reply.citations)
    else:
        assert ", in a sentence: " in reply.text
        assert reply.buttons[0].title == "In more detail"
        follow = explain_term(reply.buttons[0].payload, knowledge_base, "kent")
        assert follow is not None and "Your procedure puts it like this" in follow.text
