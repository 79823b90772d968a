"""Learning mode: quizzes (quiz_form), progress, practice cases (practice_form).

Each form has one slot that its validation action sets to None to ask again, or to "done"
to end; a question to the assistant in the middle is left to the rules in
nlu/rules_learning.yml, as in the plan (actions/plans.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import NOBODY_SIGNED_IN, authority_or_ask, message_text, send
from actions.adapters_knowledge import knowledge_base
from actions.adapters_learning import learner_id, learner_repository, learning_bank
from actions.guarded import GuardedAction
from actions.plans import is_digression
from assistant.core.learning.practice import case_reply, choose_case, compare_reply
from assistant.core.learning.progress import progress_reply
from assistant.core.learning.quiz import (
    ask_question,
    feedback,
    next_question,
    read_choice,
    read_scope,
)
from assistant.core.replies import Button, Reply
from assistant.engine_client import replies_from_engine

QUIZ_LENGTH = 5
DONE = "done"
# A note (feedback, how to answer) said together with the form's next question.
NOTE = "learning_note"
_STOP_WORDS = (
    "stop", "stop the quiz", "stop quiz", "end quiz", "end the quiz", "enough", "that's enough",
    "thats enough", "finish", "no more", "quit", "stop practice", "stop the case", "skip",
)  # fmt: skip


def _stopping(text: str) -> bool:
    return " ".join(text.lower().replace("\u2019", "'").strip(" .!").split()) in _STOP_WORDS


def _learner_or_refuse(dispatcher: CollectingDispatcher, tracker: Tracker) -> str | None:
    """Whose record to read and write; for a turn that names nobody, say so instead."""
    learner = learner_id(tracker)
    if learner is None:
        send(dispatcher, Reply(NOBODY_SIGNED_IN))
    return learner


def _asking(tracker: Tracker) -> bool:
    """A question to the assistant, not an answer (left to the rules)."""
    intent = tracker.latest_message.get("intent", {})
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    return is_digression(message_text(tracker), name, confidence)


class ActionStartQuiz(GuardedAction):
    def name(self) -> str:
        return "action_start_quiz"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = _learner_or_refuse(dispatcher, tracker)
        if who is None:
            return [SlotSet("quiz_step", DONE)]
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return [SlotSet("quiz_step", DONE)]
        bank = learning_bank()
        names = {
            a: knowledge_base().authorities.get(a).name for a in knowledge_base().authorities.ids
        }
        scope = read_scope(message_text(tracker), bank, names)
        learner = learner_repository().get(who)
        question = next_question(bank, learner, authority, scope)
        if question is None:
            send(dispatcher, Reply("I have no questions on that for your authority yet."))
            return [SlotSet("quiz_step", DONE)]
        on = (
            bank.topics[scope].title
            if scope in bank.topics
            else ("your authority's own procedure" if scope else "the whole procedure")
        )
        send(
            dispatcher,
            Reply(
                f"A quiz of {QUIZ_LENGTH} questions on {on}. Tap an answer or say its letter; "
                "say “stop the quiz” at any time. Questions you miss come back later."
            ),
        )
        return [
            SlotSet("quiz_scope", scope),
            SlotSet("quiz_question", question.id),
            SlotSet("quiz_count", 1),
            SlotSet("quiz_right", 0),
            SlotSet("quiz_step", None),
        ]


class ActionAskQuizStep(GuardedAction):
    def name(self) -> str:
        return "action_ask_quiz_step"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        bank = learning_bank()
        question = bank.question(str(tracker.get_slot("quiz_question")))
        if question is None:
            send(dispatcher, Reply("I've lost the question: say “quiz me” to start again."))
            return []
        number = int(tracker.get_slot("quiz_count") or 1)
        asked = ask_question(question, number, bank.topics[question.topic].title)
        send(dispatcher, _after_note(tracker, asked))
        return [SlotSet(NOTE, None)] if tracker.get_slot(NOTE) else []


def _note(reply: Reply) -> SlotSet:
    """Said with the next question, in one message (feedback, or how to answer)."""
    return SlotSet(NOTE, reply.to_json())


def _after_note(tracker: Tracker, reply: Reply) -> Reply:
    """`reply` after the note the validation left, as one message."""
    note = tracker.get_slot(NOTE)
    if not isinstance(note, dict) or not note.get("text"):
        return reply
    before = replies_from_engine([note])[0]
    return Reply(
        f"{before.text}\n\n{reply.text}",
        reply.buttons,
        before.citations + reply.citations,
        extras=reply.extras,
    )


def _summary(right: int, asked: int, scope: str | None) -> Reply:
    again = f"quiz me on {scope}" if scope else "quiz me"
    return Reply(
        f"You got {right} of {asked} right.",
        (Button("Another quiz", again), Button("How am I doing?", "how am I doing?")),
    )


class ValidateQuizForm(GuardedAction):
    def name(self) -> str:
        return "validate_quiz_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("requested_slot") != "quiz_step":
            return []
        bank = learning_bank()
        question = bank.question(str(tracker.get_slot("quiz_question")))
        authority = authority_or_ask(dispatcher, tracker)
        if question is None or authority is None:
            return [SlotSet("quiz_step", DONE)]
        text = message_text(tracker)
        number = int(tracker.get_slot("quiz_count") or 1)
        right = int(tracker.get_slot("quiz_right") or 0)
        scope = tracker.get_slot("quiz_scope")
        if _stopping(text):
            send(dispatcher, _summary(right, number - 1, scope))
            return [SlotSet("quiz_step", DONE)]
        chosen = read_choice(question, text)
        if chosen is None:
            if _asking(tracker):
                return []
            how = Reply("Answer with A, B, C or D, or say “stop the quiz”.")
            return [_note(how), SlotSet("quiz_step", None)]
        who = _learner_or_refuse(dispatcher, tracker)
        if who is None:
            return [SlotSet("quiz_step", DONE)]
        said = feedback(question, chosen, authority, knowledge_base())
        repository = learner_repository()
        learner = repository.get(who)
        learner = learner.answered(question.id, chosen == question.answer, datetime.now(UTC))
        repository.save(learner)
        right += int(chosen == question.answer)
        following = next_question(bank, learner, authority, scope, not_this=question.id)
        if number >= QUIZ_LENGTH or following is None:
            summary = _summary(right, number, scope)
            ending = Reply(f"{said.text}\n\n{summary.text}", summary.buttons, said.citations)
            send(dispatcher, ending)
            return [SlotSet("quiz_right", right), SlotSet("quiz_step", DONE)]
        return [
            _note(said),
            SlotSet("quiz_question", following.id),
            SlotSet("quiz_count", number + 1),
            SlotSet("quiz_right", right),
            SlotSet("quiz_step", None),
        ]


class ActionLearningProgress(GuardedAction):
    def name(self) -> str:
        return "action_learning_progress"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = _learner_or_refuse(dispatcher, tracker)
        if who is None:
            return []
        learner = learner_repository().get(who)
        send(dispatcher, progress_reply(learning_bank(), learner))
        return []


class ActionStartPractice(GuardedAction):
    def name(self) -> str:
        return "action_start_practice"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = _learner_or_refuse(dispatcher, tracker)
        if who is None:
            return [SlotSet("practice_step", DONE)]
        authority = authority_or_ask(dispatcher, tracker)
        if authority is None:
            return [SlotSet("practice_step", DONE)]
        learner = learner_repository().get(who)
        weights = knowledge_base().question_topics(message_text(tracker))
        case = choose_case(learning_bank(), learner, authority, dict(weights))
        tried = " (one you have tried before)" if case.id in learner.cases else ""
        send(
            dispatcher,
            Reply(
                f"A practice case{tried}. Read it, then say what you would do; I'll compare "
                "it with the key actions in your procedure."
            ),
        )
        return [SlotSet("practice_case", case.id), SlotSet("practice_step", None)]


class ActionAskPracticeStep(GuardedAction):
    def name(self) -> str:
        return "action_ask_practice_step"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        case = learning_bank().case(str(tracker.get_slot("practice_case")))
        if case is None:
            send(dispatcher, Reply("I've lost the case: say “give me a practice case”."))
            return []
        reply = case_reply(case)
        asked = Reply(reply.text, (Button("Stop the case", "stop the case"),), extras=reply.extras)
        send(dispatcher, _after_note(tracker, asked))
        return [SlotSet(NOTE, None)] if tracker.get_slot(NOTE) else []


class ValidatePracticeForm(GuardedAction):
    def name(self) -> str:
        return "validate_practice_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("requested_slot") != "practice_step":
            return []
        case = learning_bank().case(str(tracker.get_slot("practice_case")))
        authority = authority_or_ask(dispatcher, tracker)
        if case is None or authority is None:
            return [SlotSet("practice_step", DONE)]
        text = message_text(tracker)
        if _stopping(text):
            send(dispatcher, Reply("Case put aside. Say “give me a practice case” for another."))
            return [SlotSet("practice_step", DONE)]
        if _asking(tracker):
            return []
        if len(text.split()) < 3:
            how = Reply("Say what you would do, in a sentence or two.")
            return [_note(how), SlotSet("practice_step", None)]
        who = _learner_or_refuse(dispatcher, tracker)
        if who is None:
            return [SlotSet("practice_step", DONE)]
        reply, covered = compare_reply(case, text, authority, knowledge_base())
        send(dispatcher, reply)
        repository = learner_repository()
        learner = repository.get(who)
        repository.save(
            learner.practised(case.id, covered, len(case.key_actions), datetime.now(UTC))
        )
        return [SlotSet("practice_step", DONE)]
