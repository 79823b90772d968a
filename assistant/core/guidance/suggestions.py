"""What the worker's intent says about the answer: its topic, and "Did you mean…?" buttons."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.core.replies import Button

# Questions about one part of the procedure: the topic to answer from when the words alone
# do not name one ("what do I have to do?" after asking about consent).
TOPIC_OF_INTENT = {
    "ask_outcomes": "outcomes-and-decisions",
    "ask_planning": "planning-the-assessment",
    "ask_consent": "consent-information-sharing",
    "see_child_alone": "seeing-the-child",
    "ask_interpreter": "communication-interpreters",
    "ask_police": "police-notification",
    "ask_education": "education-not-attending",
    "ask_timescale": "timescales",
}
# The card a topic intent asks for, when its message names nothing more ("what do I have
# to do?" classified as a question about interpreters).
CARD_OF_INTENT = {
    "ask_outcomes": "outcome-options",
    "ask_planning": "planning-the-assessment",
    "ask_consent": "consent-for-assessment",
    "see_child_alone": "see-child-alone",
    "ask_interpreter": "interpreters",
    "ask_police": "police-involvement",
    "ask_education": "child-not-in-school",
    "ask_timescale": "timescale-overall",
}
# What each suggestion says, in the worker's terms; intents not here are never suggested.
SUGGESTION_OF_INTENT = {
    "homeless_16_17": "A 16 or 17 year old who may be homeless",
    "trafficking": "Trafficking or modern slavery (NRM)",
    "family_abroad": "Family members abroad",
    "extra_familial_harm": "Harm outside the family (exploitation, gangs)",
    "pre_birth": "A pre-birth assessment",
    "report_danger": "A child in danger or a disclosure of abuse",
    "ask_timescale": "When the assessment is due",
    "ask_outcomes": "Outcomes of the assessment",
    "ask_planning": "Planning the assessment",
    "ask_consent": "Consent and information sharing",
    "see_child_alone": "Seeing the child alone",
    "ask_interpreter": "Interpreters",
    "ask_police": "Involving the police",
    "ask_education": "School and education",
    "ask_next_step": "What to do next in a new assessment",
}
MAX_SUGGESTIONS = 3
# Below this confidence an intent is noise, not a likely meaning.
MIN_CONFIDENCE = 0.08


def did_you_mean(ranking: Sequence[tuple[str, float]]) -> tuple[Button, ...]:
    """The two or three likeliest meanings as buttons, when the engine was unsure.

    `ranking` is the engine's intent ranking, most confident first.
    """
    likely = [
        name
        for name, confidence in ranking
        if name in SUGGESTION_OF_INTENT and confidence >= MIN_CONFIDENCE
    ][:MAX_SUGGESTIONS]
    if len(likely) < 2:
        return ()
    return tuple(
        Button(f"Did you mean: {SUGGESTION_OF_INTENT[name]}?", f"/{name}") for name in likely
    )
