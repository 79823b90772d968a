"""A plan's exports, each a pure function of the plan's view: Markdown and Word for the
worker and their manager, an iCalendar file of the dates, and a plain-language version for
the child and family."""

from assistant.core.plans.exports.family import plan_for_family
from assistant.core.plans.exports.ical import plan_calendar
from assistant.core.plans.exports.markdown import plan_markdown
from assistant.core.plans.exports.word import plan_docx

__all__ = ["plan_calendar", "plan_docx", "plan_for_family", "plan_markdown"]
