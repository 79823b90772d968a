"""Every action's safety net: an action that raises says sorry, still answers from the
procedure, and the conversation carries on (rather than the engine saying nothing)."""

from __future__ import annotations

import abc
import functools
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import authority_directory, conversation_authority, message_text, send
from actions.adapters_knowledge import knowledge_base
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.replies import Reply

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side with that. If a child is in immediate danger, call "
    "the police on 999 and tell your manager."
)
Run = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], list[EventType]]


def fallback_reply(tracker: Tracker) -> Reply:
    """The apology, and what the procedure says about the message when that can be found."""
    authority = conversation_authority(tracker)
    text = message_text(tracker)
    if not text or authority not in authority_directory().ids:
        return Reply(SORRY)
    try:
        answer = answer_from_procedure(text, str(authority), knowledge_base()).reply
    except Exception:  # the safety net must not fail in turn
        log.exception("no retrieval answer after a failed action")
        return Reply(SORRY)
    return Reply(
        f"{SORRY} Here is what your procedure says:\n{answer.text}",
        answer.buttons,
        answer.citations,
    )


def _guard(run: Run) -> Run:
    @functools.wraps(run)
    def guarded(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said = len(dispatcher.messages)
        try:
            return run(self, dispatcher, tracker, domain)
        except Exception:
            log.exception("action %s failed", self.name())
            del dispatcher.messages[said:]  # nothing half-said
            send(dispatcher, fallback_reply(tracker))
            return []

    guarded.__dict__["guarded"] = True
    return guarded


class GuardedAction(Action, abc.ABC):
    """Base of every action here: each subclass's `run` is wrapped in the safety net."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.__dict__.get("run")
        if run is not None and not getattr(run, "guarded", False):
            cls.run = _guard(run)  # type: ignore[method-assign]

    @abc.abstractmethod
    def name(self) -> str: ...
