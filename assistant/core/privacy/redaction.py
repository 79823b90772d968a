"""Masking identifying details in a worker's message before it is stored or read.

Workers are asked to use initials or a case reference. When a message carries an NHS number, a
UK phone number, an email address, a full UK postcode or a name introduced by a phrase such as
"a girl called ...", each is replaced by a bracketed placeholder and the worker is told.

Detectors run in a fixed order, each on the text the earlier ones left: emails first, because an
address may contain digits; names last, because they depend on cue words only. No detector
matches a placeholder (none holds a digit, an '@' or a capitalised word after a cue), and
redaction repeats until a pass finds nothing, so redacting redacted text changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum


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


def redact(text: str) -> Redaction:
    """`text` with identifying details replaced by placeholders; unchanged if there are none."""
    removed: dict[DetailKind, None] = {}
    redacted = text
    # One detail can hide another: in "a@b.coc@d.co" the second address only stands alone
    # once the first is masked. Passes repeat until one finds nothing, so that redacting the
    # result finds nothing either. Each pass masks text outside placeholders, so they end.
    while True:
        redacted, found = _redact_once(redacted)
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


def _redact_once(text: str) -> tuple[str, tuple[DetailKind, ...]]:
    pieces: list[_Piece] = [(text, None)]
    for find in _FINDERS:
        pieces = [masked for piece in pieces for masked in _mask(piece, find)]
    found = tuple(dict.fromkeys(kind for _, kind in pieces if kind is not None))
    return "".join(piece for piece, _ in pieces), found


def _mask(piece: _Piece, find: _Finder) -> Iterator[_Piece]:
    raw, kind = piece
    if kind is not None:
        yield piece
        return
    cursor = 0
    for start, end, found in find(raw):
        if start > cursor:
            yield raw[cursor:start], None
        yield PLACEHOLDERS[found], found
        cursor = end
    if cursor < len(raw):
        yield raw[cursor:], None


# Emails ---------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


def _emails(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), DetailKind.EMAIL


# NHS numbers ----------------------------------------------------------------------------------

# Ten digits straight after "+44 " or "(0)" are the rest of a phone number, whatever their sum.
_TEN_DIGITS = re.compile(
    r"(?<![0-9])(?<!\+44[ -])(?<!\(0\))(?<!\(0\)[ -])"
    r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])"
)
_NOT_DIGIT = re.compile(r"[^0-9]")


def _nhs_checksum_is_valid(digits: str) -> bool:
    """Modulus 11: weights 10 down to 2 on the first nine digits; a check of 10 is never issued."""
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    for match in _TEN_DIGITS.finditer(text):
        digits = _NOT_DIGIT.sub("", match.group())
        if _nhs_checksum_is_valid(digits):
            yield match.start(), match.end(), DetailKind.NHS_NUMBER
        elif digits.startswith("0"):
            # Ten digits with a leading 0 and a bad checksum is how a UK phone number looks.
            yield match.start(), match.end(), DetailKind.PHONE


# Phone numbers --------------------------------------------------------------------------------

# A run of digit groups, optionally after "+44", "+44 (0)" or a bracketed area code. Which of
# the groups make up the number is decided in code: "07700 900123 3 times" must not swallow
# the 3, and "rang on 5 07700 900123" must not start at the 5. The second look-behind keeps
# the tail of a date, time or decimal ("12/0191...", "10:07...") from starting a number.
_PHONE_CANDIDATE = re.compile(
    r"(?<![0-9])(?<![0-9][/.:-])"
    r"(?:(?P<international>\+44[ -]?(?:\(0\)[ -]?)?)|\((?P<area>0[0-9]{2,5})\)[ -]?)?"
    r"(?P<body>[0-9]+(?:[ -][0-9]+)*)"
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

# Apostrophes may be typed straight (') or curly (\u2019, what phones and Word put in).
_NAME_CUE = re.compile(
    r"\b(?:called|named|(?:sur)?name(?:[ \t]+is|['\u2019]s))[ \t]+", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_SPACES = re.compile(r"[ \t]+")
_AFTER_INITIAL = re.compile(r"\.[ \t]*|[ \t]+")
_POSSESSIVE = ("'s", "\u2019s")
_MOST_WORDS_IN_A_NAME = 3
_LONGEST_INITIALS = 3  # "J", "JS", "JAS": what workers are asked to write, so kept

# Capitalised words that follow "called" or "named" in casework without being anyone's name.
_NOT_NAMES = frozenset(
    """
    the this that these those it its he she they we you me him her them us his hers their our
    my your someone somebody anyone everyone nobody and or but about after again at back before
    by for from in into on off out over round to with not unknown unclear withheld today tonight
    tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday morning afternoon
    evening mum mummy mom mother dad daddy father parent parents carer carers nan nana nanny gran
    granny grandma grandad grandpa grandmother grandfather aunt auntie aunty uncle sister brother
    baby child children children's boy girl son daughter stepmum stepdad partner foster police
    ambulance hospital school nursery college doctor nurse midwife health housing probation
    council social services service worker team manager supervisor duty emergency early help
    front door safeguarding strategy section conference meeting discussion panel court person
    practitioner lead mash camhs nspcc childline lado icpc rcpc marac mappa spoa cspa cafcass
    ofsted senco
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a 150-line list
)


def _names(text: str) -> Iterator[tuple[int, int, DetailKind]]:
    masked_until = 0
    for cue in _NAME_CUE.finditer(text):
        if cue.start() < masked_until:
            continue  # "named Called Amy": the second cue is part of the name just masked
        end = _end_of_name(text, cue.end())
        if end is not None:
            yield cue.end(), end, DetailKind.NAME
            masked_until = end


def _end_of_name(text: str, position: int) -> int | None:
    """Where the capitalised words after a cue end, if at least one is a name, not an initial."""
    end = None
    for _ in range(_MOST_WORDS_IN_A_NAME):
        word = _WORD.match(text, position)
        if word is None or word.group().lower() in _NOT_NAMES:
            break
        possessive = word.group().endswith(_POSSESSIVE)
        bare = word.group()[: -len("'s")] if possessive else word.group()
        if bare.lower() in _NOT_NAMES:
            break
        if _is_initial(bare):
            gap = _AFTER_INITIAL.match(text, word.end())
        elif _is_capitalised(bare):
            end = word.start() + len(bare)
            gap = _SPACES.match(text, word.end())
        else:
            break
        if possessive or gap is None:
            break
        position = gap.end()
    return end


def _is_initial(word: str) -> bool:
    return len(word) <= _LONGEST_INITIALS and word.isupper()


def _is_capitalised(word: str) -> bool:
    # "Chloe", "McDonald", "O'Brien" and a shouted "CHLOE"; initials were caught before.
    return word[0].isupper() and (word.isupper() or any(c.islower() for c in word[1:]))


_FINDERS: tuple[_Finder, ...] = (_emails, _nhs_numbers, _phone_numbers, _postcodes, _names)
