"""Masking identifying details in a worker's text before it is stored or read.

Workers are asked to use initials or a case reference. When a message (or a plan's answer, or
anything else typed that is kept) carries an NHS number, a UK phone number, an email address
(also written "jo (at) example (dot) com"), a full UK postcode or a name ("a girl called ...",
"his name: ...", "child: ...", "... is 15"), each is replaced by a bracketed placeholder and the
worker is told.

Detectors look at the text NFKC-normalised, with every kind of dash read as "-" and every
decimal digit as 0-9, so full-width digits or an en dash in a phone number do not hide it;
what they find is masked in the text as typed.

Detectors run in a fixed order, each on the text the earlier ones left: emails first, because an
address may contain digits; names last, because they depend on cue words only. No detector
matches a placeholder (none holds a digit, an '@' or a capitalised word after a cue, and each
ends with "]"), and redaction repeats until a pass finds nothing, so redacting redacted text
changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from assistant.core.privacy.vocabulary import FUNCTION_WORDS, is_ordinary_word


class DetailKind(StrEnum):
    NHS_NUMBER = "nhs_number"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    NAME = "name"


PLACEHOLDERS: dict[DetailKind, str] = {
    DetailKind.NHS_NUMBER: "[NHS number]",
    DetailKind.PHONE: "[phone number]",
    DetailKind.EMAIL: "[email address]",
    DetailKind.POSTCODE: "[postcode]",
    DetailKind.NAME: "[name]",
}

_DESCRIPTIONS: dict[DetailKind, str] = {
    DetailKind.NHS_NUMBER: "an NHS number",
    DetailKind.PHONE: "a phone number",
    DetailKind.EMAIL: "an email address",
    DetailKind.POSTCODE: "a postcode",
    DetailKind.NAME: "a name",
}


@dataclass(frozen=True)
class Redaction:
    text: str
    # Each kind once, in order of first appearance (a kind only a repeat pass found comes last).
    removed: tuple[DetailKind, ...]

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def redact(text: str, not_names: Collection[str] = ()) -> Redaction:
    """`text` with identifying details replaced by placeholders; unchanged if there are none.

    `not_names` are words never taken as a name (the authorities' names: "she called Kent
    Front Door"), in lower case."""
    removed: dict[DetailKind, None] = {}
    redacted = text
    names: _Finder = partial(_names, not_names=frozenset(not_names))
    finders = (*_FINDERS, names)
    # One detail can hide another: in "a@b.coc@d.co" the second address only stands alone
    # once the first is masked. Passes repeat until one finds nothing, so that redacting the
    # result finds nothing either. Each pass masks text outside placeholders, so they end.
    while True:
        redacted, found = _redact_once(redacted, finders)
        if not found:
            break
        removed.update(dict.fromkeys(found))
    if not removed:
        return Redaction(text, ())
    return Redaction(redacted, tuple(removed))


def removal_notice(removed: Sequence[DetailKind]) -> str:
    """One sentence telling the worker what was removed; there must be something to tell."""
    described = [_DESCRIPTIONS[kind] for kind in dict.fromkeys(removed)]
    if not described:
        raise ValueError("Nothing was removed, so there is nothing to tell the worker.")
    listed = described[-1]
    if len(described) > 1:
        listed = f"{', '.join(described[:-1])} and {listed}"
    return (
        f"I removed identifying details from your message ({listed}) before it was stored "
        "or read. Please use initials or a case reference."
    )


# A piece of the message: raw text still to be searched (kind None), or a placeholder.
_Piece = tuple[str, DetailKind | None]
_Finder = Callable[[str], Iterator[tuple[int, int, DetailKind]]]


def _redact_once(text: str, finders: Sequence[_Finder]) -> tuple[str, tuple[DetailKind, ...]]:
    pieces: list[_Piece] = [(text, None)]
    for find in finders:
        pieces = [masked for piece in pieces for masked in _mask(piece, find)]
    found = tuple(dict.fromkeys(kind for _, kind in pieces if kind is not None))
    return "".join(piece for piece, _ in pieces), found


def _mask(piece: _Piece, find: _Finder) -> Iterator[_Piece]:
    raw, kind = piece
    if kind is not None:
        yield piece
        return
    normal, origin = _normalise(raw)
    cursor = 0
    for start, end, found in find(normal):
        # Back to the text as typed: a span covers every character it was normalised from.
        start, end = origin[start], origin[end - 1] + 1
        if start < cursor:
            continue  # the two ends of one typed character ("⑩") fell in two details
        if start > cursor:
            yield raw[cursor:start], None
        yield PLACEHOLDERS[found], found
        cursor = end
    if cursor < len(raw):
        yield raw[cursor:], None


# Dashes and minus signs a phone or NHS number may be typed with; detectors see "-".
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC, character by character, with the index in `text` of each normalised character."""
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            normal = char
        elif char in _DASHES:
            normal = "-"
        elif char.isdecimal():
            normal = str(unicodedata.decimal(char))
        else:
            normal = unicodedata.normalize("NFKC", char)
        parts.append(normal)
        origin.extend([index] * len(normal))
    return "".join(parts), origin


# Emails ---------------------------------------------------------------------------------------

# "@", or "at" in brackets ("(at)", "[at]", "{at}", "<at>"); "dot" in brackets or between
# spaces for "." A bare " at " counts only when a bracketed or spelt-out "dot" shows the words
# are an address ("jo at example dot com"), not a sentence ("seen at school.Then").
_AT = r"(?:[ \t]*@[ \t]*|[ \t]*[(\[{<][ \t]*at[ \t]*[)\]}>][ \t]*|(?P<bare_at>[ \t]+at[ \t]+))"
_SPELT_DOT = r"[ \t]*[(\[{<][ \t]*dot[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+"
_DOT = rf"(?:\.|{_SPELT_DOT})"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+{_AT}(?:[A-Za-z0-9-]+{_DOT})+[A-Za-z]{{2,}}",
    re.IGNORECASE | re.ASCII,
)
_IS_SPELT_DOT = re.compile(_SPELT_DOT, re.IGNORECASE)


def _emails(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    for match in _EMAIL.finditer(text):
        if match.group("bare_at") and not _IS_SPELT_DOT.search(match.group()):
            continue
        yield match.start(), match.end(), DetailKind.EMAIL


# NHS numbers ----------------------------------------------------------------------------------

# Ten digits in groups of three or more ("943 476 5919", "943 4765 919", "9434-765919",
# "943.476.5919"): shorter groups are dates and times ("01 02 2026 10"). After "NHS" or "NHS
# number", any grouping ("NHS 94 34 76 59 19"). The check digit decides either way.
_NUMBER_RUN = re.compile(r"(?<![0-9])[0-9]+(?:(?:[ ]?-[ ]?|[ ]{1,2}|\.)[0-9]+)*")
_NHS_CUE = re.compile(
    r"\bnhs(?:[ ]*(?:no|num|number|#)\b\.?)?[ ]*[:#=-]?[ ]*$", re.IGNORECASE | re.ASCII
)
# Ten digits straight after "+44 " or "(0)" are the rest of a phone number, whatever their sum.
_PHONE_PREFIX = re.compile(r"(?:\+44|\(0\))[ -]?$")
_NHS_DIGITS = 10
_NHS_MIN_GROUP = 3
_NOT_DIGIT = re.compile(r"[^0-9]")


def _nhs_checksum_is_valid(digits: str) -> bool:
    """Modulus 11: weights 10 down to 2 on the first nine digits; a check of 10 is never issued."""
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    for run in _NUMBER_RUN.finditer(text):
        groups = list(_DIGIT_GROUP.finditer(text, run.start(), run.end()))
        cued = bool(_NHS_CUE.search(text, 0, run.start()))
        first = 0
        while first < len(groups):
            last = _last_group_of_ten(groups, first, cued and first == 0)
            start = groups[first].start()
            if last is None or _PHONE_PREFIX.search(text, 0, start):
                first += 1
                continue
            digits = "".join(g.group() for g in groups[first : last + 1])
            end = groups[last].end()
            if _nhs_checksum_is_valid(digits):
                yield start, end, DetailKind.NHS_NUMBER
            elif digits.startswith("0") and text[start:end].count(".") == 0:
                # Ten digits with a leading 0 and a bad checksum is how a UK phone number looks.
                yield start, end, DetailKind.PHONE
            else:
                first += 1
                continue
            first = last + 1


def _last_group_of_ten(groups: list[re.Match[str]], first: int, any_grouping: bool) -> int | None:
    """The group that brings the digits from `first` to exactly ten, if there is one."""
    count = 0
    for last in range(first, len(groups)):
        if not any_grouping and len(groups[last].group()) < _NHS_MIN_GROUP:
            return None
        count += len(groups[last].group())
        if count == _NHS_DIGITS:
            return last
        if count > _NHS_DIGITS:
            return None
    return None


# Phone numbers --------------------------------------------------------------------------------

# A run of digit groups, optionally after "+44", "+44 (0)" or a bracketed area code. Which of
# the groups make up the number is decided in code: "07700 900123 3 times" must not swallow
# the 3, and "rang on 5 07700 900123" must not start at the 5. The second look-behind keeps
# the tail of a date, time or decimal ("12/0191...", "10:07...") from starting a number.
_PHONE_CANDIDATE = re.compile(
    r"(?<![0-9])(?<![0-9][/.:-])"
    r"(?:(?P<international>\+44[ -]?(?:\(0\)[ -]?)?)|\((?P<area>0[0-9]{2,5})\)[ -]?)?"
    r"(?P<body>[0-9]+(?:(?:[ ]?-[ ]?|[ ]{1,2})[0-9]+)*)"
)
_DIGIT_GROUP = re.compile(r"[0-9]+")
_CONTINUES_AS_DATE_OR_TIME = re.compile(r"[/.:][0-9]")
_LONGEST_PHONE_NUMBER = 11
_MIN_GROUP = 3  # "01 03 2026" and "12-03-2026" are dates, not numbers in 2-digit groups


def _is_uk_phone_number(national: str) -> bool:
    """Mobiles (07) and geographic or non-geographic landlines (01, 02, 03), 10 or 11 digits."""
    return len(national) in (10, 11) and national[:2] in ("01", "02", "03", "07")


def _phone_numbers(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    for candidate in _PHONE_CANDIDATE.finditer(text):
        groups = list(_DIGIT_GROUP.finditer(text, candidate.start("body"), candidate.end("body")))
        first = 0
        while first < len(groups):
            if first == 0:
                start, lead = candidate.start(), _national_lead(candidate)
                min_first_group = 1 if candidate.group("international") else _MIN_GROUP
            else:
                # Only a space starts a new number; "2024-0191..." is one reference.
                if text[groups[first].start() - 1] != " ":
                    first += 1
                    continue
                start, lead, min_first_group = groups[first].start(), "", _MIN_GROUP
            last = _last_group_of_phone(text, groups, first, lead, min_first_group)
            if last is None:
                first += 1
                continue
            yield start, groups[last].end(), DetailKind.PHONE
            first = last + 1


def _national_lead(candidate: re.Match[str]) -> str:
    """The digits the prefix stands for, written the national way with a leading 0."""
    if candidate.group("area"):
        return candidate.group("area")
    if candidate.group("international") and not candidate.group("body").startswith("0"):
        return "0"
    return ""


def _last_group_of_phone(
    text: str, groups: list[re.Match[str]], first: int, lead: str, min_first_group: int
) -> int | None:
    """The longest run of groups from `first` that reads as one UK phone number, if any."""
    found = None
    national = lead
    first_group_is_long_enough = len(groups[first].group()) >= min_first_group
    for last in range(first, len(groups)):
        group = groups[last].group()
        national += group
        if len(national) > _LONGEST_PHONE_NUMBER:
            break
        if (last > first or lead) and not first_group_is_long_enough:
            break
        if last > first and len(group) < _MIN_GROUP:
            break
        if _is_uk_phone_number(national) and not _CONTINUES_AS_DATE_OR_TIME.match(
            text, groups[last].end()
        ):
            found = last
    return found


# Postcodes ------------------------------------------------------------------------------------

# Outward code: a one-letter area (only B E G L M N S W exist) or a two-letter one, then a
# district; inward code: a digit and two letters from the twenty the Royal Mail uses. Both
# ends must stand alone, so section ids ("s47"), plan references and ordinary words never match.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:[BEGLMNSW]|[A-PR-UWYZ][A-HK-Y])[0-9](?:[0-9]|[A-HJKMNPR-Y])?"
    r"[ \u00a0]?"
    r"(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE | re.ASCII,
)
_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")


def _postcodes(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    for match in _POSTCODE.finditer(text):
        if match.group("inward")[1:] in _ORDINAL_SUFFIXES:
            continue  # "the s47 2nd visit": a lower-case ordinal, not "S47 2ND"
        yield match.start(), match.end(), DetailKind.POSTCODE


# Names ----------------------------------------------------------------------------------------

# Who a name may belong to: "the boy is called ...", "child: ...", "Mum - ...".
_PERSON = (
    r"(?:boy|girl|child|baby|infant|toddler|kid|son|daughter|brother|sister|sibling|twin|"
    r"young[ \t]+person|yp|cyp|teen|teenager|pupil|student|mum|mummy|mother|mom|dad|daddy|father|"
    r"step-?(?:mum|mother|dad|father|son|daughter|brother|sister)|parent|carer|partner|"
    r"boyfriend|girlfriend|friend|cousin|uncle|aunt|auntie|aunty|nan|nana|gran|granny|grandma|"
    r"grandad|grandpa|grandmother|grandfather|nephew|niece|man|woman|lady|person|victim|"
    r"he|she|they)"
)
_NAME_WORD = (
    r"(?:\b(?:nick|sur|fore|given[ \t]?)names?|"
    r"\b(?:(?:first|last|full|family|middle|maiden|preferred|christian|real|birth)[ \t]+)?names?)"
    r"\b"
)
# "name: Jo", "name = Jo", "name - Jo" (a dash between spaces: "name-calling" is no cue).
_LABEL = r"(?:[ \t]*[:=][ \t]*|[ \t]+-[ \t]+)"
_BE = r"(?:is|was|are|were|be|been|being|has[ \t]+been|had[ \t]+been)"
_CALLED = r"(?:called|named|known[ \t]+as|goes[ \t]+by|went[ \t]+by)"
# A strong cue says a name follows, so a lower-case word there is a name unless it is an
# ordinary word ("the boy is called jayden", not "the child is called into school"); after a
# weak one ("called", "named") only a capitalised word is ("Mum called Sarah", not "called back").
_STRONG_CUE = re.compile(
    rf"{_NAME_WORD}(?:[ \t]+(?:is|was|are|were)(?:{_LABEL}|[ \t]+)|['\u2019]s[ \t]+|{_LABEL})"
    rf"|\b{_PERSON}(?:['\u2019]s|[ \t]+{_BE})?[ \t]+{_CALLED}[ \t]+"
    rf"|\b{_PERSON}{_LABEL}",
    re.IGNORECASE,
)
_WEAK_CUE = re.compile(rf"\b{_CALLED}[ \t]+", re.IGNORECASE)
# A name then an age: "Jayden Smith is 15", "Jayden, 15,", "Jayden (aged 15)". Without a cue
# only capitalised words before it are taken, and the age must read as one ("15 miles" is not).
_AGE = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]*\([ \t]*|[ \t]+(?:is|was|aged|turned|turns|age)[ \t]+)"
    r"(?:(?:now|only|just|nearly|almost|about|aged|age)[ \t]+)?"
    r"[0-9]{1,2}(?![0-9]|[.:/][0-9])"
    r"(?P<years>[ \t]*(?:years?|yrs?|y/?o)\b(?:[ \t-]*old)?|-years?-old)?",
    re.IGNORECASE,
)
_AFTER_AGE = re.compile(r"[ \t]*(?P<word>[^\W\d_]+)?", re.IGNORECASE)
# Words after a number that make it a measure or a date, not an age.
_NOT_AGE_UNITS = frozenset(
    """
    miles mile minutes minute mins min hours hour hrs hr days day weeks week wks months month
    years year working times time pm am th st nd rd percent per pounds pence kg km cm mm metres
    meters m x of out points pages questions items children people january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec
    """.split()  # noqa: SIM905
)
_LIST_JOIN = re.compile(r"[ \t]*(?:,|&|\band\b)[ \t]*", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_SPACES = re.compile(r"[ \t]+")
_AFTER_INITIAL = re.compile(r"\.[ \t]*|[ \t]+")
_POSSESSIVE = ("'s", "\u2019s")
_MOST_WORDS_IN_A_NAME = 3
_LONGEST_INITIALS = 3  # "J", "JS", "JAS": what workers are asked to write, so kept
_SHORTEST_LOWER_CASE_NAME = 3  # "is called gp" is no name; "jo" typed in lower case is missed

# Capitalised words that follow a cue in casework without being anyone's name.
_NOT_NAMES = frozenset(
    """
    the this that these those it its he she they we you me him her them us his hers their our
    my your someone somebody anyone everyone nobody and or but about after again at back before
    by for from in into on off out over round to with not unknown unclear withheld today tonight
    tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday morning afternoon
    evening january february march april may june july august september october november
    december mum mummy mom mother dad daddy father parent parents carer carers nan nana nanny
    gran granny grandma grandad grandpa grandmother grandfather aunt auntie aunty uncle sister
    brother baby child children children's childrens boy girl son daughter stepmum stepdad
    partner foster police ambulance hospital school nursery college academy doctor nurse
    midwife health housing probation council county borough social services service worker
    team manager supervisor duty emergency early help front door safeguarding strategy section
    conference meeting discussion panel court person practitioner lead mash camhs nspcc
    childline lado icpc rcpc marac mappa spoa cspa cafcass ofsted senco gp a an age name
    names refuge barnardos samaritans
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a 150-line list
)
# A name followed by one of these is a place or an organisation ("called Oak Tree Primary",
# "called Lewisham Children's Services").
_ORGANISATION_WORDS = frozenset(
    """
    council county borough city district primary secondary academy school college nursery
    university hospital surgery practice clinic centre center police children's childrens
    services service team trust road street avenue lane close drive way house court
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class _NameRules:
    not_names: frozenset[str]
    lower_case: bool  # after a strong cue a name may be typed in lower case
    no_cue: bool = False  # before an age: ordinary capitalised words ("Actually") are no name

    def stops(self, word: str) -> bool:
        lowered = word.lower().replace("\u2019", "'")
        return lowered in _NOT_NAMES or lowered in self.not_names

    def takes(self, word: str) -> bool:
        """Whether `word` (not an initial) can be part of a name here."""
        if self.stops(word):
            return False
        if _is_capitalised(word):
            return not (self.no_cue and (word.lower() in FUNCTION_WORDS or is_ordinary_word(word)))
        return (
            self.lower_case
            and word.islower()
            and len(word) >= _SHORTEST_LOWER_CASE_NAME
            and not is_ordinary_word(word)
        )


def _names(
    text: str, not_names: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int, DetailKind]]:
    found = sorted(
        [
            *_after_cues(text, _STRONG_CUE, _NameRules(not_names, lower_case=True)),
            *_after_cues(text, _WEAK_CUE, _NameRules(not_names, lower_case=False)),
            *_before_ages(text, _NameRules(not_names, lower_case=False, no_cue=True)),
        ]
    )
    masked_until = 0
    for start, end in found:
        if start < masked_until:
            continue  # "named Called Amy": the second cue is part of the name just masked
        yield start, end, DetailKind.NAME
        masked_until = end


def _after_cues(text: str, cues: re.Pattern[str], rules: _NameRules) -> Iterator[tuple[int, int]]:
    for cue in cues.finditer(text):
        position = cue.end()
        # "called Jayden and Chloe", "names are jayden, chloe and amy"
        while (end := _end_of_name(text, position, rules)) is not None:
            yield position, end
            join = _LIST_JOIN.match(text, end)
            if join is None:
                break
            position = join.end()


def _end_of_name(text: str, position: int, rules: _NameRules) -> int | None:
    """Where the words of a name starting at `position` end, if at least one is a name, not an
    initial, and they are not the name of a place or an organisation."""
    end = None
    for _ in range(_MOST_WORDS_IN_A_NAME):
        word = _WORD.match(text, position)
        if word is not None and _is_organisation_word(word.group()):
            return None  # "called Oak Tree Primary"
        if word is None or rules.stops(word.group()):
            break
        possessive = word.group().endswith(_POSSESSIVE)
        bare = word.group()[: -len("'s")] if possessive else word.group()
        if _is_initial(bare):
            gap = _AFTER_INITIAL.match(text, word.end())
        elif rules.takes(bare):
            end = word.start() + len(bare)
            gap = _SPACES.match(text, word.end())
        else:
            break
        if possessive or gap is None:
            break
        position = gap.end()
    if end is not None and _names_an_organisation(text, end):
        return None
    return end


def _names_an_organisation(text: str, end: int) -> bool:
    gap = _SPACES.match(text, end)
    following = _WORD.match(text, gap.end() if gap else end)
    return following is not None and _is_organisation_word(following.group())


def _is_organisation_word(word: str) -> bool:
    return word.lower().replace("\u2019", "'") in _ORGANISATION_WORDS


def _before_ages(text: str, rules: _NameRules) -> Iterator[tuple[int, int]]:
    """Capitalised words just before an age: "Jayden Smith is 15", "Jayden, 15,"."""
    words = list(_WORD.finditer(text))
    ending_at = {w.end(): i for i, w in enumerate(words)}
    for age in _AGE.finditer(text):
        if not age.group("years"):
            after = _AFTER_AGE.match(text, age.end())
            unit = after.group("word") if after else None
            if unit is not None and unit.lower() in _NOT_AGE_UNITS:
                continue
        index = ending_at.get(age.start())
        taken: list[re.Match[str]] = []
        while index is not None and len(taken) < _MOST_WORDS_IN_A_NAME:
            word = words[index]
            if not (_is_initial(word.group()) or rules.takes(word.group())):
                break
            taken.append(word)
            joined = index > 0 and _SPACES.fullmatch(text, words[index - 1].end(), word.start())
            index = index - 1 if joined else None
        # A name has a word that is not an initial: "AB is 15" is what workers should write.
        if any(not _is_initial(w.group()) for w in taken):
            yield taken[-1].start(), age.start()


def _is_initial(word: str) -> bool:
    return len(word) <= _LONGEST_INITIALS and word.isupper()


def _is_capitalised(word: str) -> bool:
    # "Chloe", "McDonald", "O'Brien" and a shouted "CHLOE"; initials were caught before.
    return word[0].isupper() and (word.isupper() or any(c.islower() for c in word[1:]))


_FINDERS: tuple[_Finder, ...] = (_emails, _nhs_numbers, _phone_numbers, _postcodes)
