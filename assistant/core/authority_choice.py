"""Choosing which authority's procedure a conversation follows."""

from __future__ import annotations

import json
from dataclasses import dataclass

from assistant.core.authorities import Authority, AuthorityDirectory
from assistant.core.replies import Button, Reply

CHOOSE_AUTHORITY_INTENT = "choose_authority"


def choose_authority_payload(authority_id: str) -> str:
    """The button payload that picks an authority without going through NLU."""
    return f"/{CHOOSE_AUTHORITY_INTENT}{json.dumps({'authority': authority_id})}"


@dataclass(frozen=True)
class AuthorityChoice:
    reply: Reply
    chosen: Authority | None


def _authority_buttons(directory: AuthorityDirectory) -> tuple[Button, ...]:
    return tuple(Button(a.short_name, choose_authority_payload(a.id)) for a in directory)


def choose_authority(
    directory: AuthorityDirectory, requested: str | None, current: str | None
) -> AuthorityChoice:
    """Settle the authority from what the worker named, or offer the choice.

    `requested` is the worker's words or an entity value; `current` the authority the
    conversation already follows, if any.
    """
    chosen = directory.find(requested)
    if chosen is not None:
        text = (
            f"I'll follow the {chosen.chapter} procedure of {chosen.name} "
            f"({chosen.source_version}, last updated {chosen.last_updated})."
        )
        return AuthorityChoice(Reply(text=text, authority=chosen.id), chosen)

    lines = []
    if requested:
        lines.append(f'I don\'t have a procedure for "{requested}".')
    current_authority = directory.find(current)
    if current_authority is not None:
        lines.append(f"You're currently working to the procedure of {current_authority.name}.")
    names = "; ".join(a.name for a in directory)
    lines.append(f"I can follow the assessment procedures of: {names}. Which is yours?")
    return AuthorityChoice(Reply(text=" ".join(lines), buttons=_authority_buttons(directory)), None)


def ask_for_authority(directory: AuthorityDirectory) -> Reply:
    """Asked before answering about procedure: answers come from the worker's own text."""
    return Reply(
        "Which authority's procedure do you follow? I answer from your own authority's text.",
        _authority_buttons(directory),
    )
