"""The assistant's replies as Teams messages: the text as it is (plain, the same words as the
web chat), plus one Adaptive Card when the reply has more than words:

- buttons → `Action.Submit` with `msteams.messageBack`: Teams shows the button's title as the
  user's message and sends the payload (as `text` and `value.payload`), which agent.py passes
  on as the message;
- citations → a "Sources" FactSet: authority, section title and version;
- `extras["timescales"]` → a table of the dates with their status;
- `extras["plan"]` → the plan's reference and its exports as `Action.OpenUrl` links to the web
  app (`public_base_url`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment, TextFormatTypes
from microsoft_agents.hosting.core import CardFactory

from assistant.core.replies import Button, Citation, Reply

ADAPTIVE_CARD_VERSION = "1.5"  # Table needs 1.5; Teams desktop, web and mobile render it
EXPORT_TITLES = {
    "docx": "Word (for your manager)",
    "md": "Markdown",
    "ics": "Calendar of the dates",
    "family": "Plain-language (for the family)",
}


def reply_activity(
    reply: Reply, public_base_url: str, authority_names: Mapping[str, str] | None = None
) -> Activity:
    activity = Activity(
        type=ActivityTypes.message, text=reply.text, text_format=TextFormatTypes.plain
    )
    card = adaptive_card(reply, public_base_url, authority_names or {})
    if card is not None:
        activity.attachments = [card]
    return activity


def text_activity(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format=TextFormatTypes.plain)


def adaptive_card(
    reply: Reply, public_base_url: str, authority_names: Mapping[str, str]
) -> Attachment | None:
    body: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = [_submit(b) for b in reply.buttons]
    timescales = reply.extras.get("timescales")
    if isinstance(timescales, dict):
        body += _timescales(timescales)
    plan = reply.extras.get("plan")
    if isinstance(plan, dict):
        plan_body, plan_actions = _plan(plan, public_base_url)
        body += plan_body
        actions += plan_actions
    if reply.citations:
        body += _sources(reply.citations, authority_names)
    if not body and not actions:
        return None
    if not body:  # a card needs a body: say what the buttons are for
        body.append({"type": "TextBlock", "text": "Choose one:", "wrap": True, "isSubtle": True})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return CardFactory.adaptive_card(card)


def _submit(button: Button) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": button.title,
        "data": {
            "payload": button.payload,
            "msteams": {
                "type": "messageBack",
                "displayText": button.title,  # shown in the chat as the user's message
                "text": button.payload,  # sent to the bot, not shown
                "value": {"payload": button.payload},
            },
        },
    }


def _sources(
    citations: tuple[Citation, ...], authority_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    facts = [
        {
            "title": authority_names.get(c.authority, c.authority),
            "value": f"{c.title} ({c.source_version})" if c.source_version else c.title,
        }
        for c in citations
    ]
    return [
        {
            "type": "TextBlock",
            "text": "Sources",
            "weight": "Bolder",
            "separator": True,
            "spacing": "Medium",
        },
        {"type": "FactSet", "facts": facts},
    ]


def _timescales(card: dict[str, Any]) -> list[dict[str, Any]]:
    dates = [d for d in card.get("dates") or () if isinstance(d, dict)]
    if not dates:
        return []
    header = [_cell("What", bold=True), _cell("Date", bold=True), _cell("Status", bold=True)]
    rows = [{"type": "TableRow", "cells": header}]
    for item in dates:
        status = str(item.get("status") or "")  # "12 working days left", "due today", ...
        rows.append(
            {
                "type": "TableRow",
                "cells": [
                    _cell(str(item.get("label") or "")),
                    _cell(str(item.get("date_text") or item.get("date") or "")),
                    _cell(status[:1].upper() + status[1:]),
                ],
            }
        )
    referral = str(card.get("referral_date") or "")
    return [
        {
            "type": "TextBlock",
            "text": f"Dates for the referral of {referral}" if referral else "Dates",
            "weight": "Bolder",
            "wrap": True,
        },
        {
            "type": "Table",
            "columns": [{"width": 3}, {"width": 3}, {"width": 2}],
            "firstRowAsHeader": True,
            "showGridLines": False,
            "rows": rows,
        },
    ]


def _cell(text: str, *, bold: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    if bold:
        block["weight"] = "Bolder"
    return {"type": "TableCell", "items": [block]}


def _plan(plan: dict[str, Any], public_base_url: str) -> tuple[list[Any], list[Any]]:
    children = ", ".join(str(c) for c in plan.get("children") or ()) or "not given yet"
    state = "finished" if plan.get("finished") else "in progress"
    body = [
        {
            "type": "TextBlock",
            "text": f"Assessment plan {plan.get('id', '')}",
            "weight": "Bolder",
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": "Children", "value": children},
                {"title": "Version", "value": str(plan.get("version", ""))},
                {"title": "Questions answered", "value": str(plan.get("answered", 0))},
                {"title": "State", "value": state},
            ],
        },
    ]
    base = public_base_url.rstrip("/")
    exports = plan.get("exports")
    if not isinstance(exports, dict):
        exports = {}
    actions = [
        {"type": "Action.OpenUrl", "title": EXPORT_TITLES.get(kind, kind), "url": base + path}
        for kind, path in exports.items()
        if isinstance(path, str) and path.startswith("/")
    ]
    return body, actions
