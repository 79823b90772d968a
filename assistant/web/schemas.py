"""Request and response bodies of the public HTTP contract."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# Long enough for a detailed question, short enough that a whole case file is not pasted in.
MAX_MESSAGE_CHARS = 2000

# ASCII only, unstripped: the schema's pattern (ECMA regex, where \w is ASCII) is the rule.
ConversationId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
]
# "Something other than spaces", said in the schema too, so that clients know a blank message is
# refused (pydantic strips before it checks the length; the schema cannot say that).
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"  # Python strips \x1c-\x1f and NEL too; ECMA \s does not
# Plan versions and the like: far beyond any real count, within every database's integers.
MAX_COUNT = 2**31 - 1
MessageText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS, pattern=NOT_BLANK
    ),
]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId = Field(
        description="Chosen by the client; letters, digits and . _ : @ - only."
    )
    message: MessageText
    authority: str | None = Field(default=None, description="An id from GET /api/authorities.")
    learner_id: ConversationId | None = Field(
        default=None,
        description="Optional: the same worker across conversations, for learning progress.",
    )


class ButtonOut(BaseModel):
    title: str
    payload: str


class CitationOut(BaseModel):
    authority: str
    section_id: str
    title: str
    topics: list[str]
    source_version: str
    quote: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The procedure's words the answer relied on (one sentence a line), to "
        "highlight in the section; absent when the answer did not rest on particular words.",
    )


class MessageOut(BaseModel):
    text: str
    buttons: list[ButtonOut] = []
    citations: list[CitationOut] = []
    authority: str | None = Field(
        default=None, description="Set when this message switched the conversation's authority."
    )
    timescales: dict[str, Any] | None = Field(
        default=None, description="The dates behind a timescales answer, for a card and .ics."
    )
    plan: dict[str, Any] | None = Field(
        default=None,
        description="The assessment plan being built: id, version and export links; the rest "
        "is at /api/plans/{id}.",
    )
    progress: dict[str, Any] | None = Field(
        default=None,
        description="A learner's scores by topic (learning mode), for the progress view.",
    )


class ChatResponse(BaseModel):
    conversation_id: str
    messages: list[MessageOut]


class HistoryMessageOut(MessageOut):
    role: Literal["worker", "assistant"]
    created_at: datetime
    payload: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The worker's message was this quick reply's payload; `text` is its title.",
    )


class HistoryOut(BaseModel):
    conversation_id: str
    messages: list[HistoryMessageOut] = Field(
        description="Oldest first: the worker's messages and the assistant's, as they were shown."
    )


class AuthorityOut(BaseModel):
    id: str
    name: str
    source_version: str
    last_updated: str


class ErrorOut(BaseModel):
    error: str
    message: str
    valid_values: list[str] | None = None


# The error responses every lookup route documents in its OpenAPI description.
NOT_FOUND_OR_INVALID: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


MAX_QUERY_CHARS = 2000


class SearchResultOut(BaseModel):
    section_id: str
    authority: str
    title: str
    topics: list[str]
    score: float
    snippet: str


class SearchOut(BaseModel):
    results: list[SearchResultOut]


class StatementOut(BaseModel):
    text: str
    force: str = Field(description="requirement (must), guidance (should) or information")


class SectionOut(BaseModel):
    section_id: str
    authority: str
    authority_name: str
    title: str
    heading_path: list[str]
    text: str
    topics: list[str]
    source_version: str
    last_updated: str
    source_lines: list[int]
    statements: list[StatementOut]


class ComparedSectionOut(BaseModel):
    section_id: str
    title: str
    snippet: str


class AuthorityPositionOut(BaseModel):
    authority: str
    name: str
    source_version: str
    covered: bool
    sections: list[ComparedSectionOut]


class CompareOut(BaseModel):
    topic: str
    title: str
    authorities: list[AuthorityPositionOut]


class GlossaryOut(BaseModel):
    term: str
    meaning: str
    aliases: list[str]
    citations: list[CitationOut]


def _iso_date_text(value: object) -> object:
    # Only "YYYY-MM-DD": a number or "03/04/2027" would otherwise be read some other way.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("dates are written YYYY-MM-DD, e.g. 2026-12-14")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text), Field(description="YYYY-MM-DD")]


class TimescalesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    authority: str
    referral_date: IsoDate
    expected_delivery_date: IsoDate | None = None
    date_of_birth: IsoDate | None = None
    visit_date: IsoDate | None = Field(default=None, description="a child in need visit")
    cin_plan_start_date: IsoDate | None = Field(
        default=None, description="when a Child in Need plan began"
    )


class SkippedHolidayOut(BaseModel):
    date: date
    name: str


class DatedItemOut(BaseModel):
    key: str
    label: str
    date: date
    date_text: str = Field(description='e.g. "Thursday 18 February 2027"')
    explanation: str
    working_days: int | None
    skipped_holidays: list[SkippedHolidayOut]
    days_left: int | None = Field(description="working days from today; negative when overdue")
    status: str
    section_id: str | None
    rule_authority: str | None = Field(
        default=None,
        description="the authority whose procedure states this rule; another authority's id "
        "when the requested authority's procedure does not state it",
    )
    stated_by_procedure: bool = Field(
        default=True, description="false when the rule is another authority's (rule_authority)"
    )


class CheckpointOut(DatedItemOut):
    pass


class OtherExtensionRuleOut(BaseModel):
    authority: str
    text: str = Field(description='labelled as theirs: "Gateshead\'s procedure says ..."')
    quote: str
    section_id: str


class ExtensionOut(BaseModel):
    approver: str = Field(
        description="who the procedure says agrees an extension; when it names nobody "
        "(stated_by_procedure false), advice to agree it with your manager"
    )
    how: str
    section_id: str
    stated_by_procedure: bool = Field(
        default=True, description="whether the authority's own procedure names the approver"
    )
    approver_quote: str | None = Field(
        default=None, description="the procedure's words naming the approver"
    )
    how_quote: str = ""
    reasons: str | None = None
    reasons_quote: str | None = None
    text: str = Field(default="", description="what the chat says about going past the limit")
    others: list[OtherExtensionRuleOut] = Field(
        default_factory=list,
        description="when the procedure names nobody: who other authorities' procedures name",
    )


class TimescalesOut(BaseModel):
    authority: str
    referral_date: date
    today: date
    assessment_due: date
    checkpoints: list[CheckpointOut]
    pre_birth_complete_by: date | None
    eighteenth_birthday: date | None
    warnings: list[str]
    dates: list[DatedItemOut]
    extension: ExtensionOut
    conventions: str
    citations: list[CitationOut]
