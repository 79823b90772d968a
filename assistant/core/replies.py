"""What the assistant says: one shape shared by the actions, the web app and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Citation:
    authority: str
    section_id: str
    title: str
    source_version: str
    topics: tuple[str, ...] = ()
    # The procedure's own words the answer relied on (a sentence, or several one per line),
    # so that a channel can show them highlighted in the section; empty when not one passage.
    quote: str = ""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "authority": self.authority,
            "section_id": self.section_id,
            "title": self.title,
            "topics": list(self.topics),
            "source_version": self.source_version,
        }
        if self.quote:
            body["quote"] = self.quote
        return body


@dataclass(frozen=True)
class Reply:
    """One message to the worker: text, quick-reply buttons and the sources relied on.

    `authority` is set when the reply changes which authority the conversation is about,
    so that a channel can keep its own picker in step.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    citations: tuple[Citation, ...] = ()
    authority: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "text": self.text,
            "buttons": [b.to_json() for b in self.buttons],
            "citations": [c.to_json() for c in self.citations],
        }
        if self.authority is not None:
            body["authority"] = self.authority
        body.update(self.extras)
        return body
