"""“How am I doing?”: scores by topic, what is strong, what needs another go."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.learning.bank import LearningBank
from assistant.core.learning.learner import Learner
from assistant.core.replies import Button, Reply

STRONG = 0.8
WEAK = 0.6
MIN_ATTEMPTS = 2


@dataclass(frozen=True)
class TopicScore:
    topic: str
    title: str
    attempts: int
    correct: int
    to_revisit: int  # questions whose last answer was wrong

    @property
    def share(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


def topic_scores(bank: LearningBank, learner: Learner) -> list[TopicScore]:
    scores = []
    for topic in bank.topics.values():
        records = [
            learner.questions[q.id]
            for q in bank.questions
            if q.topic == topic.id and q.id in learner.questions
        ]
        scores.append(
            TopicScore(
                topic.id,
                topic.title,
                sum(r.attempts for r in records),
                sum(r.correct for r in records),
                sum(not r.last_correct for r in records),
            )
        )
    return scores


def progress_json(bank: LearningBank, learner: Learner) -> dict[str, object]:
    scores = topic_scores(bank, learner)
    return {
        "learner": learner.id,
        "answered": learner.asked,
        "topics": [
            {
                "topic": s.topic,
                "title": s.title,
                "attempts": s.attempts,
                "correct": s.correct,
                "to_revisit": s.to_revisit,
            }
            for s in scores
        ],
        "cases": {k: {"covered": v.covered, "total": v.total} for k, v in learner.cases.items()},
    }


def progress_reply(bank: LearningBank, learner: Learner) -> Reply:
    scores = topic_scores(bank, learner)
    tried = [s for s in scores if s.attempts]
    if not tried and not learner.cases:
        return Reply(
            "You haven't answered any questions yet. Say “quiz me” to start, or “give me a "
            "practice case”.",
            (
                Button("Quiz me", "quiz me"),
                Button("Give me a practice case", "give me a practice case"),
            ),
        )
    attempts = sum(s.attempts for s in tried)
    correct = sum(s.correct for s in tried)
    percent = correct * 100 // max(attempts, 1)
    lines = [f"You've answered {attempts} questions and got {correct} right ({percent}%)."]
    strong = [s for s in tried if s.attempts >= MIN_ATTEMPTS and s.share >= STRONG]
    weak = [s for s in tried if s.share < WEAK or s.to_revisit]
    if strong:
        lines.append(
            "Strengths: " + ", ".join(f"{s.title} ({s.correct}/{s.attempts})" for s in strong) + "."
        )
    if weak:
        lines.append(
            "To work on: " + ", ".join(f"{s.title} ({s.correct}/{s.attempts})" for s in weak) + "."
        )
    untried = [s.title for s in scores if not s.attempts]
    if untried:
        lines.append("Not tried yet: " + ", ".join(untried) + ".")
    revisit = sum(s.to_revisit for s in tried)
    if revisit:
        lines.append(
            f"{revisit} question{'s' if revisit != 1 else ''} you missed will come back soon."
        )
    if learner.cases:
        covered = sum(c.covered for c in learner.cases.values())
        total = sum(c.total for c in learner.cases.values())
        lines.append(
            f"Practice cases: {len(learner.cases)} tried, {covered} of {total} key actions covered."
        )
    focus = min(weak or tried, key=lambda s: s.share)
    return Reply(
        "\n".join(lines),
        (Button(f"Quiz me on {focus.title}"[:60], f"quiz me on {focus.topic}"),),
        extras={"progress": progress_json(bank, learner)},
    )
