"""Plain words for the family's version of the plan.

Procedure and practice terms (after knowledge/glossary.yml's terms and aliases) are replaced
by everyday words. The worker's own answers go through the same replacements, since they are
often written in shorthand ("s47 strategy discussion held; NRM referral made"). Whatever
jargon is left after that is dropped, a sentence at a time, rather than shown to a family.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from assistant.core.timescales.formatting import long_date

# The timescale for a child and family assessment, in working days (Working Together).
ASSESSMENT_WORKING_DAYS = 45

# Branches (branches.yml ids) as a child or parent would say what the plan is about.
BRANCH_PLAIN = {
    "homeless-16-17": "finding you a safe place to live",
    "trafficking-nrm": (
        "getting the right help if someone has been forcing you to work or moving you around"
    ),
    "family-abroad": "working with your family and with services in other countries",
    "extra-familial-harm": "keeping you safe from harm outside your home",
    "pre-birth": "planning for when the baby is born",
}

_S47 = r"(?:s\.?\s?47|section\s47)"
_S20 = r"(?:s\.?\s?20|section\s20)"
_STRATEGY = r"(?:strateg(?:y|ic)|strat)\s(?:discussion|meeting)s?"
_SAFETY_MEETING = "meeting with the police and other services about keeping the child safe"
_NRM_REFERRAL = "referral for help for victims of trafficking"
_ICTG = "an independent guardian who helps children who may have been trafficked"

# (pattern, plain words), tried in this order: longer phrases before the words inside them.
# Patterns are case-insensitive and match whole words only.
GLOSSARY: tuple[tuple[str, str], ...] = (
    (rf"{_S47}\s{_STRATEGY}", _SAFETY_MEETING),
    (r"child in need strategy or planning meeting", "planning meeting"),
    (r"(?:cin|child in need) thresholds?", "level of need for extra help"),
    (r"(?:cin|child in need) (?:planning |strategy )?meetings?", "planning meeting"),
    (_STRATEGY, _SAFETY_MEETING),
    (rf"{_S47}(?:\senquiry|\senquiries)?", "child protection enquiries"),
    (r"(?:s\.?\s?17|section\s17)(?:\sassessment)?", "assessment of what help your family needs"),
    (rf"(?:accommodation|accommodated) under {_S20}", "somewhere to live"),
    (rf"{_S20}\saccommodation", "somewhere to live"),
    (_S20, "the law on giving children somewhere to live"),
    (r"(?:s\.?\s?31a|section\s31a)", "the care plan"),
    (r"section\s\d+[a-z]?|s\.?\d+[a-z]?", "the law"),
    (r"\(first responder\)", ""),
    (r"first responders?", "person who makes the referral"),
    (r"national referral mechanism \(nrm\) referrals?", _NRM_REFERRAL),
    (r"(?:national referral mechanism|nrm) referrals?", _NRM_REFERRAL),
    (r"national referral mechanism \(nrm\)|national referral mechanism|nrm", f"a {_NRM_REFERRAL}"),
    (
        r"(?:the |an? )?(?:independent child trafficking guardians? \(ictg\)|ictg|"
        r"independent child trafficking guardians?)(?: service)?",
        _ICTG,
    ),
    (
        r"children and families across borders \(cfab\)",
        "Children and Families Across Borders (a charity that helps families in different "
        "countries)",
    ),
    (r"cfab", "Children and Families Across Borders"),
    (
        r"multi[- ]agency safeguarding hub \(mash\)|multi[- ]agency safeguarding hub|mash",
        "the team that first looks at worries about children",
    ),
    (r"child in need plan|cin plan", "plan for the help your family gets"),
    (r"children in need", "children who need extra help"),
    (r"child in need|cin", "child who needs extra help"),
    (r"thresholds? (?:document|guidance)", "guide to the help families can get"),
    (r"thresholds?", "level of need"),
    (r"expected (?:date of )?delivery date|e\.?d\.?d", "date the baby is due"),
    (r"pre-?birth assessment", "assessment before the baby is born"),
    (r"pre-?birth", "before the baby is born"),
    (r"fsw", "family support worker"),
    (r"sw", "social worker"),
    (r"tm", "team manager"),
    (r"hv", "health visitor"),
    (r"dsl", "safeguarding lead at school"),
    (r"dob", "date of birth"),
    (r"icpc", "child protection conference"),
    (r"cp", "child protection"),
    (r"lac|cla|looked after child", "child in care"),
    (r"uasc", "child who came to this country alone"),
    (r"cce|child criminal exploitation", "being made to commit crimes"),
    (r"cse", "sexual exploitation"),
    (r"efh|extra[- ]familial harm", "harm outside the home"),
    (r"extra[- ]familial", "outside the family"),
    (r"contextual safeguarding", "keeping young people safe outside the home"),
    (r"plo|public law outline|pre-proceedings", "the legal steps before going to court"),
    (r"ehcp|ehc plan", "education, health and care plan"),
    (r"fgc", "family group conference"),
    (r"cafa", "assessment"),
    (r"eha", "early help assessment"),
    (r"genograms?", "family tree"),
    (r"chronolog(?:y|ies)", "timeline"),
    (r"checkpoints?", "check"),
    (r"(?:relevant )?partner agencies", "other services"),
    (r"alleged perpetrators", "children who may have caused harm"),
    (r"in parallel with", "at the same time as"),
    (r"significant harm", "serious harm"),
    (r"joint protocol", "agreed way of working"),
)
# Terms a family should never be left with (checked after the glossary has been applied).
JARGON: tuple[str, ...] = (
    r"s\.?\s?\d+[a-z]?",
    r"section\s\d+[a-z]?",
    r"nrm",
    r"national referral mechanism",
    r"cin",
    r"child(?:ren)? in need",
    r"mash",
    _STRATEGY,
    r"thresholds?",
    r"ictg",
    r"cfab",
    r"working days?",
    r"e\.?d\.?d",
    r"cafa",
    r"first responders?",
    r"sw",
    r"fsw",
    r"plo",
    r"uasc",
    r"lac",
    r"cla",
    r"cce",
    r"cse",
    r"efh",
    r"icpc",
    r"checkpoints?",
    r"extra[- ]familial",
    r"contextual safeguarding",
    r"[a-z]+/[a-z0-9]+(?:-[a-z0-9]+){2,}",  # a section id, such as kent/6-planning-the-assessment
)


def _words(pattern: str) -> str:
    return rf"(?<![\w/]){pattern}(?![\w/])"


_GLOSSARY = tuple((re.compile(_words(p), re.IGNORECASE), plain) for p, plain in GLOSSARY)
_JARGON = re.compile("|".join(_words(p) for p in JARGON), re.IGNORECASE)
_WORKING_DAYS = re.compile(_words(r"(?:(within|in|after) )?(\d+) working days?"), re.IGNORECASE)
_ME = re.compile(r"^(?:me|myself)(?: ?\((?:sw|social worker)\))?(?!\w)", re.IGNORECASE)
_DOUBLE_ARTICLE = re.compile(r"\b(?:(a|an) (a|an)|(the) (?:a|an)) ", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")


def has_jargon(text: str) -> bool:
    return _JARGON.search(text) is not None


def _working_days(assessment_due: date | None) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        days = int(match.group(2))
        if days == ASSESSMENT_WORKING_DAYS and assessment_due is not None:
            return f"by {long_date(assessment_due)}"
        weekdays = "weekday" if days == 1 else "weekdays"
        lead = f"{match.group(1)} " if match.group(1) else ""
        return f"{lead}{days} {weekdays}"

    return replace


def plain(text: str, assessment_due: date | None = None) -> str:
    """`text` in everyday words. "45 working days" becomes the date it comes to when known."""
    text = " ".join(text.split())
    text = _ME.sub("your social worker", text)
    text = _WORKING_DAYS.sub(_working_days(assessment_due), text)
    for pattern, words in _GLOSSARY:
        text = pattern.sub(words, text)
    text = _DOUBLE_ARTICLE.sub(lambda m: f"{m.group(2) or m.group(3)} ", text)
    text = re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\(\s*\)", "", text))
    return " ".join(text.split())


def plain_or_none(text: str, assessment_due: date | None = None) -> str | None:
    """`text` in everyday words, leaving out any sentence that still has jargon in it;
    None when nothing is left."""
    kept = [s for s in _SENTENCE.split(plain(text, assessment_due)) if s and not has_jargon(s)]
    result = " ".join(kept).strip()
    return result[:1].upper() + result[1:] if result else None
