"""Redaction of identifying details: what is masked, what is deliberately left alone, and
properties over generated NHS numbers, mobiles, emails and arbitrary text."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.core.privacy.redaction import DetailKind, Redaction, redact, removal_notice

NHS = DetailKind.NHS_NUMBER
PHONE = DetailKind.PHONE
EMAIL = DetailKind.EMAIL
POSTCODE = DetailKind.POSTCODE
NAME = DetailKind.NAME


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        # NHS numbers with a valid Modulus 11 check digit, however they are grouped
        ("NHS no 943 476 5919", "NHS no [NHS number]", (NHS,)),
        ("NHS no 943-476-5919.", "NHS no [NHS number].", (NHS,)),
        ("nhs:9434765919", "nhs:[NHS number]", (NHS,)),
        ("401 023 2137 is hers", "[NHS number] is hers", (NHS,)),
        # ten digits from 0 with a bad check digit read as a phone number
        ("ring 0123 456 788", "ring [phone number]", (PHONE,)),
        ("ring 012 345 6788", "ring [phone number]", (PHONE,)),
        # phone numbers
        ("mobile +44 7700 900123", "mobile [phone number]", (PHONE,)),
        ("mobile +447700900123", "mobile [phone number]", (PHONE,)),
        ("mobile +44 (0)7700 900123", "mobile [phone number]", (PHONE,)),
        ("mobile 07700 900123", "mobile [phone number]", (PHONE,)),
        ("mobile 07700-900-123", "mobile [phone number]", (PHONE,)),
        ("mobile (07700) 900123", "mobile [phone number]", (PHONE,)),
        ("school on 020 7946 0958", "school on [phone number]", (PHONE,)),
        ("school on +44 20 7946 0958", "school on [phone number]", (PHONE,)),
        ("GP (0191) 498 0000", "GP [phone number]", (PHONE,)),
        ("GP 0191-498-0000", "GP [phone number]", (PHONE,)),
        ("GP 0113 496 0000 ext 2", "GP [phone number] ext 2", (PHONE,)),
        ("rang 07700 900123 3 times", "rang [phone number] 3 times", (PHONE,)),
        ("rang 5 07700 900123", "rang 5 [phone number]", (PHONE,)),
        ("housing 0303 123 4567", "housing [phone number]", (PHONE,)),
        # email addresses
        ("email sarah.jones@example.org", "email [email address]", (EMAIL,)),
        ("(j.smith+school@mail.example.co.uk)", "([email address])", (EMAIL,)),
        ("ask A.B-99@council.gov.uk.", "ask [email address].", (EMAIL,)),
        # postcodes
        ("lives at NE8 1HH", "lives at [postcode]", (POSTCODE,)),
        ("SW1A 1AA", "[postcode]", (POSTCODE,)),
        ("postcode ne81hh", "postcode [postcode]", (POSTCODE,)),
        ("FY1 1AA, Blackpool", "[postcode], Blackpool", (POSTCODE,)),
        ("moved to m1 1ae", "moved to [postcode]", (POSTCODE,)),
        ("B33 8TH", "[postcode]", (POSTCODE,)),
        # names after a cue
        ("a girl called Chloe Smith", "a girl called [name]", (NAME,)),
        ("her name is Amira", "her name is [name]", (NAME,)),
        ("their name's Jo Bloggs", "their name's [name]", (NAME,)),
        ("their name\u2019s Jo", "their name\u2019s [name]", (NAME,)),
        ("a baby named Ava-Rose O'Brien", "a baby named [name]", (NAME,)),
        ("her surname is McDonald", "her surname is [name]", (NAME,)),
        ("the boy called J Smith", "the boy called [name]", (NAME,)),
        ("the boy called J.S. Smith", "the boy called [name]", (NAME,)),
        ("a child called Chloe's mum", "a child called [name]'s mum", (NAME,)),
        ("a child called CHLOE", "a child called [name]", (NAME,)),
        ("his brother, called Łukasz,", "his brother, called [name],", (NAME,)),
        ("Called Amy Jones. She is 4", "Called [name]. She is 4", (NAME,)),
        ("a girl called Chloe Anne Marie Smith", "a girl called [name] Smith", (NAME,)),
    ],
)
def test_identifying_details_are_masked(
    text: str, expected: str, removed: tuple[DetailKind, ...]
) -> None:
    result = redact(text)
    assert result == Redaction(expected, removed)
    assert result.changed


@pytest.mark.parametrize(
    "text",
    [
        "NHS no 943 476 5918",  # check digit wrong and no leading 0
        "ref 123 456 7890",  # check digit would be 10, never issued
        "940 123 456",  # nine digits
        "referral on 12/03/2026",
        "referral on 2026-03-12",
        "visit 01-02-2026 10 children",
        "at 09:30 and 14.45",
        "45 working days",
        "within 15 working days of the strategy discussion",
        "case CR-2024-0012",
        "plan 3fa2b1c9d0",
        "rent arrears of £2000",
        "£2,000 and 1,500",
        "Childline 0800 1111",
        "call 999 or 101",
        "the s47 and s17",
        "section 2.3 of the procedure",
        "S20 accommodation, CIN plan",
        "the s47 2nd visit",
        "KS2 SATs in Year 6",
        "called the police",
        "the named person",
        "called back",
        "called a strategy discussion",
        "Mum called MASH and then called Children's Services",
        "she called Children\u2019s Services",
        "called The Police",
        "she called Mum",
        "named Social Worker",
        "the child called J",
        "the child called JS",
        "their name is not known",
        "a girl referred to as Chloe",  # no cue phrase
        "recalled Chloe",
        "reach me at the office",
    ],
)
def test_near_misses_are_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text is text
    assert result.removed == ()
    assert not result.changed


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        (
            "Mum called Sarah Jones rang on 07700 900123 about the s47 on 12/11/2026",
            "Mum called [name] rang on [phone number] about the s47 on 12/11/2026",
            (NAME, PHONE),
        ),
        (
            "Referral from school (020 7946 0958) about a girl called Chloe, "
            "NHS 943 476 5919, at NE8 1HH; 45 working days from 2 November 2026",
            "Referral from school ([phone number]) about a girl called [name], "
            "NHS [NHS number], at [postcode]; 45 working days from 2 November 2026",
            (PHONE, NAME, NHS, POSTCODE),
        ),
        (
            "Dad called the police on 12/11/2026, then a strategy discussion was called back",
            "Dad called the police on 12/11/2026, then a strategy discussion was called back",
            (),
        ),
        (
            "HV j.bloggs@nhs.example.net says baby named Ava is seen at FY1 1AA; "
            "HV j.bloggs@nhs.example.net again",
            "HV [email address] says baby named [name] is seen at [postcode]; "
            "HV [email address] again",
            (EMAIL, NAME, POSTCODE),
        ),
        (
            "Is the ICPC within 15 working days of the s47 starting on 3/2/2026?",
            "Is the ICPC within 15 working days of the s47 starting on 3/2/2026?",
            (),
        ),
    ],
)
def test_practitioner_messages(text: str, expected: str, removed: tuple[DetailKind, ...]) -> None:
    assert redact(text) == Redaction(expected, removed)


@pytest.mark.parametrize(
    ("removed", "listed"),
    [
        ((NHS,), "an NHS number"),
        ((NHS, PHONE), "an NHS number and a phone number"),
        ((NAME, EMAIL, POSTCODE), "a name, an email address and a postcode"),
        ((PHONE, PHONE, NAME), "a phone number and a name"),
    ],
)
def test_removal_notice_says_what_was_removed(removed: tuple[DetailKind, ...], listed: str) -> None:
    assert removal_notice(removed) == (
        f"I removed identifying details from your message ({listed}) before it was stored or "
        "read. Please use initials or a case reference."
    )


def test_removal_notice_needs_something_removed() -> None:
    with pytest.raises(ValueError, match="Nothing was removed"):
        removal_notice(())


# Properties -----------------------------------------------------------------------------------

SURROUNDINGS = st.text(alphabet=string.ascii_letters + " " + string.punctuation, max_size=30)
SURROUNDINGS_WITHOUT_AT = st.text(
    alphabet=string.ascii_letters + " " + string.punctuation.replace("@", ""), max_size=30
)
DIGITS = re.compile(r"[0-9]")


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    first_nine = draw(st.lists(st.integers(0, 9), min_size=9, max_size=9))
    total = sum(digit * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assume(check != 10)
    return "".join(map(str, first_nine)) + str(check)


@settings(max_examples=150, deadline=None)
@given(
    nhs=valid_nhs_numbers(),
    grouping=st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}"]),
    before=SURROUNDINGS,
    after=SURROUNDINGS,
)
def test_a_valid_nhs_number_never_survives(
    nhs: str, grouping: str, before: str, after: str
) -> None:
    written = grouping.format(nhs[:3], nhs[3:6], nhs[6:])
    result = redact(before + written + after)
    assert nhs not in "".join(DIGITS.findall(result.text))
    assert result.changed


@st.composite
def uk_mobiles(draw: st.DrawFn) -> str:
    """A mobile as a worker might type it."""
    rest = draw(st.text(alphabet=string.digits, min_size=9, max_size=9))
    written = draw(
        st.sampled_from(
            [
                f"07{rest[:3]} {rest[3:]}",
                f"07{rest}",
                f"07{rest[:3]}-{rest[3:]}",
                f"07{rest[:3]} {rest[3:6]} {rest[6:]}",
                f"(07{rest[:3]}) {rest[3:]}",
                f"+44 7{rest[:3]} {rest[3:]}",
                f"+447{rest}",
                f"+44 (0)7{rest[:3]} {rest[3:]}",
                f"+44 07{rest[:3]} {rest[3:]}",
            ]
        )
    )
    return written


@settings(max_examples=150, deadline=None)
@given(mobile=uk_mobiles(), before=SURROUNDINGS_WITHOUT_AT, after=SURROUNDINGS_WITHOUT_AT)
def test_a_uk_mobile_never_survives(mobile: str, before: str, after: str) -> None:
    result = redact(f"{before}{mobile}{after}")
    assert not DIGITS.search(result.text)
    assert PHONE in result.removed


LOCAL_PART = st.text(alphabet=string.ascii_letters + string.digits + "._%+-", min_size=1)
DOMAIN_LABEL = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1)
TOP_LEVEL_DOMAIN = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    local=LOCAL_PART,
    labels=st.lists(DOMAIN_LABEL, min_size=1, max_size=3),
    top=TOP_LEVEL_DOMAIN,
    before=SURROUNDINGS_WITHOUT_AT,
    after=SURROUNDINGS_WITHOUT_AT,
)
def test_an_email_address_never_survives(
    local: str, labels: list[str], top: str, before: str, after: str
) -> None:
    address = f"{local}@{'.'.join(labels)}.{top}"
    result = redact(f"{before} {address} {after}")
    assert "@" not in result.text
    assert EMAIL in result.removed


# Fragments of the kinds of text the detectors look at, to make near-collisions likely.
# fmt: off
FRAGMENTS = st.sampled_from(
    [
        "07700", "900123", "+44", "(0)", "(0191)", "943", "476", "5919", "0", "12", "2026",
        " ", " ", "-", "/", ".", ":", "@", "x.co", "ab", "NE8", "1HH", "s47", "2nd", "SW1A",
        "called ", "named ", "name is ", "name's ", "Chloe", "Smith", "J", "J.", "'s", "the",
        "Mum", "[name]", "]", "[",
    ]
)
# fmt: on
MESSAGE_LIKE_TEXT = st.lists(
    st.one_of(FRAGMENTS, st.text(alphabet="0123456789 -.@+()ACJSacs'", max_size=4)), max_size=25
).map("".join)


def assert_idempotent(text: str) -> None:
    once = redact(text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.removed == ()


@pytest.mark.parametrize(
    "text",
    [
        # Found by the property below: the first address hid the start of the second, which
        # a second redaction then found on its own. Redaction now repeats until nothing is found.
        "07700@0.Chloe07700@0.AA",
        "a@b.coc@d.co",
        "called Chloe Anne Marie Smith",
        "ring 07700 900123 or +44 7700 900123, NE8 1HH",
    ],
)
def test_redaction_is_idempotent_where_one_detail_hid_another(text: str) -> None:
    assert_idempotent(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_redaction_is_idempotent_on_any_text(text: str) -> None:
    assert_idempotent(text)


@settings(max_examples=150, deadline=None)
@given(text=MESSAGE_LIKE_TEXT)
def test_redaction_is_idempotent_on_text_made_of_near_misses(text: str) -> None:
    assert_idempotent(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_characters=string.digits + "@")))
def test_text_without_digits_at_signs_or_cue_words_is_unchanged(text: str) -> None:
    assume("called" not in text.lower() and "name" not in text.lower())
    result = redact(text)
    assert result.text == text
    assert result.removed == ()
