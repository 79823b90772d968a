"""Finding one child's data by the reference workers use for them (initials or a case
reference), for a subject-access request or an erasure.

Initials are matched however they are written ("AB", "A.B.", "A B" are one child) and in
capitals only, as workers are asked to write them ("ab" is a word); a case reference is matched
in any case. Either must stand alone: "AB" is not found in "ABC" or "CAB-1".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from assistant.core.plans.model import PlanValidationError, check_child_reference

_INITIALS = re.compile(r"^[A-Z](?:[.\- ]*[A-Z]){0,3}\.?$")
_STANDS_ALONE_BEFORE = r"(?<![A-Za-z0-9])"
_STANDS_ALONE_AFTER = r"(?![A-Za-z0-9])"
_SHORTEST = 2  # one initial is in too many messages to be one child's


class SubjectReference:
    """A child's reference, and how to recognise it in stored text."""

    def __init__(self, reference: str) -> None:
        # PlanValidationError for anything that is not initials or a case reference.
        self.reference = check_child_reference(reference)
        letters = re.sub(r"[^A-Za-z0-9]", "", self.reference)
        if len(letters) < _SHORTEST:
            raise PlanValidationError(
                f"“{self.reference}” is too short to find one child by: give at least two "
                "initials or the case reference."
            )
        if _INITIALS.match(self.reference):
            between = r"[.\- ]*"
            body = between.join(re.escape(c) for c in letters) + r"\.?"
            self._pattern = re.compile(_STANDS_ALONE_BEFORE + body + _STANDS_ALONE_AFTER)
        else:
            body = re.escape(self.reference)
            self._pattern = re.compile(
                _STANDS_ALONE_BEFORE + body + _STANDS_ALONE_AFTER, re.IGNORECASE
            )

    def in_text(self, text: str) -> bool:
        return bool(self._pattern.search(text))

    def in_json(self, value: Any) -> bool:
        """Whether any string in a JSON value (keys too) mentions the reference."""
        if isinstance(value, str):
            return self.in_text(value)
        if isinstance(value, Mapping):
            return any(self.in_json(k) or self.in_json(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(self.in_json(v) for v in value)
        return False
