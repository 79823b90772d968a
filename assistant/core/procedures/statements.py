"""Must or should: whether the procedure's own wording makes a statement a requirement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Force(StrEnum):
    REQUIREMENT = "requirement"  # the law or the authority requires it ("must")
    GUIDANCE = "guidance"  # good practice ("should", "may", "consider")
    INFORMATION = "information"  # neither: context, definitions


_REQUIREMENT = re.compile(
    r"\b(must|shall|(is|are|will be) required|statutory requirement|(has|have) a duty|duty to|"
    r"(is|are) obliged)\b",
    re.IGNORECASE,
)
_GUIDANCE = re.compile(
    # Not "may": in these texts it mostly describes ("hostility may be shown by"), not advises.
    r"\b(should|good practice|it is (important|vital|vitally important|helpful)|"
    r"consider|is expected|are expected|recommended|ought)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(•])")


@dataclass(frozen=True)
class Statement:
    text: str
    force: Force


def classify(text: str) -> Force:
    """A statement with "must" is a requirement even if it also says "should"."""
    if _REQUIREMENT.search(text):
        return Force.REQUIREMENT
    if _GUIDANCE.search(text):
        return Force.GUIDANCE
    return Force.INFORMATION


def _sentences(line: str) -> list[str]:
    text = " ".join(line.split()).lstrip("•").strip()  # also folds non-breaking spaces
    return [s for s in _SENTENCE_END.split(text) if s]


def statements(passage: str) -> list[Statement]:
    """Split a passage into sentences and list items, each with its force.

    A list item with no force word of its own takes the force of the sentence that
    introduces the list ("The social worker must ensure that: • the child is seen").
    """
    lines = passage.splitlines()
    if not lines:
        return []
    out = [Statement(s, classify(s)) for s in _sentences(lines[0])]
    lead_force = out[-1].force if out else Force.INFORMATION
    for line in lines[1:]:
        for sentence in _sentences(line):
            force = classify(sentence)
            if force is Force.INFORMATION and lines[0].rstrip().endswith(":"):
                force = lead_force
            out.append(Statement(sentence, force))
    return out
