"""Markdown that does nothing when it is opened: the worker's free text (answers, decision
reasons, actions) goes into the Markdown and family exports as text, and a Markdown viewer
(a wiki, a case-recording system, an editor's preview) would otherwise act on what it holds:
run raw HTML (`<img onerror=...>`, `<script>`), follow a `javascript:` link on a click, or
fetch a remote image when the file is opened, telling whoever runs that server who read the
plan, when and where. So, in the finished document:

- raw HTML tags and comments are removed (again until none are left, so that removing one
  cannot join the pieces of another);
- an image becomes its description;
- a link keeps its words, and its address only when it is http(s) or mailto (checked after
  the character references a viewer would decode, so `jav&#x61;script:` is caught);
- link reference definitions (`[id]: address`) are removed.

The exports' own Markdown uses none of these, so only the worker's text is changed.
"""

from __future__ import annotations

import html
import re

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![A-Za-z\[][^<>]*>|<\?[^<>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\s*(?:\([^)]*\)?|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$", re.MULTILINE)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_MAX_PASSES = 20


def _safe_address(address: str) -> bool:
    decoded = "".join(ch for ch in html.unescape(address) if ch.isprintable() and not ch.isspace())
    return decoded.lower().startswith(_SAFE_SCHEMES)


def _link(match: re.Match[str]) -> str:
    words, address = match.group(1), match.group(2)
    return match.group(0) if _safe_address(address) else words


def inert_markdown(text: str) -> str:
    for _ in range(_MAX_PASSES):
        before = text
        text = _COMMENT.sub("", text)
        text = _TAG.sub("", text)
        text = _IMAGE.sub(lambda m: m.group(1), text)
        text = _LINK.sub(_link, text)
        text = _REFERENCE_DEFINITION.sub("", text)
        if text == before:
            return text
    # Still changing after every pass (built to defeat this): no angle brackets at all.
    return text.replace("<", "").replace(">", "")
