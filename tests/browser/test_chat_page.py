"""The chat page in a real browser (Debian's chromium through Playwright): a conversation held
through the page, restored after a reload, sources opened with the passage highlighted,
downloads, keyboard-only use, phone width, accessible names, colour contrast; screenshots at
1280 and 390 px wide under var/screenshots/."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Button, Citation, Reply
from tests.browser.conftest import LiveApp

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

PLAN = {
    "authority": "kent",
    "children": [{"reference": "AB", "date_of_birth": "2010-05-01"}],
    "referral_date": "2026-11-02",
    "branches": ["trafficking-nrm"],
    "answers": {"who_undertakes": {"text": "Me and a family support worker"}},
}


A11Y_CHECKS = (Path(__file__).parent / "a11y.js").read_text()


def check(page: Page, name: str) -> list[str]:
    """Run one of the accessibility checks in a11y.js in the page: the problems it found."""
    return list(page.evaluate(f"({A11Y_CHECKS}).{name}()"))


def fold(text: str) -> str:
    return " ".join(text.split())


def open_page(page: Page) -> None:
    page.goto("/")
    expect(page.locator("body[data-ready='1']")).to_be_attached()


def say(page: Page, text: str) -> None:
    """Type into the message box and press Enter, as a worker would."""
    before = page.locator("#log > li.bot").count()
    page.get_by_role("textbox", name="Your message").fill(text)
    page.get_by_role("textbox", name="Your message").press("Enter")
    expect(page.locator("#log > li.bot")).to_have_count(before + 1)


def bubbles(page: Page) -> list[tuple[str, str]]:
    return [
        ("worker" if "mine" in (li.get_attribute("class") or "") else "assistant", text)
        for li in page.locator("#log > li").all()
        for text in [li.locator("p.text").inner_text()]
    ]


def procedure_reply(knowledge_base: KnowledgeBase) -> Reply:
    """A real procedure answer from the core: its citations quote the sentences relied on."""
    reply = answer_from_procedure("16 year old sofa surfing", "kent", knowledge_base).reply
    assert reply.citations and reply.citations[0].quote
    return reply


def timescales_card(app: LiveApp) -> dict[str, Any]:
    with app.api() as api:
        result = api.post(
            "/api/timescales", json={"authority": "kent", "referral_date": "2026-12-14"}
        ).json()
    return {
        "authority": "kent",
        "referral_date": "2026-12-14",
        "expected_delivery_date": None,
        "date_of_birth": None,
        "dates": [
            {k: d[k] for k in ("label", "date", "date_text", "status")} for d in result["dates"]
        ],
    }


def a_plan(app: LiveApp) -> str:
    with app.api() as api:
        response = api.post("/api/plans", json=PLAN)
    assert response.status_code == 201, response.text
    return str(response.json()["plan"]["id"])


def no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"page is {width} px wide at {viewport['width']} px"


def test_a_conversation_through_the_page_with_quick_replies_and_the_authority(
    page: Page, app_under_test: LiveApp
) -> None:
    app_under_test.engine.script["hello"] = [
        Reply("Hello. Which do you need?", (Button("Yes, she is", "/affirm"),))
    ]
    app_under_test.engine.script["/affirm"] = [Reply("Then she must be accommodated.")]
    open_page(page)
    expect(page.locator("#empty")).to_be_visible()
    page.get_by_label("Your authority").select_option("kent")

    say(page, "hello")
    expect(page.locator("#empty")).to_be_hidden()
    page.get_by_role("button", name="Yes, she is").click()
    expect(page.locator("#log > li.bot")).to_have_count(2)

    assert bubbles(page) == [
        ("worker", "hello"),
        ("assistant", "Hello. Which do you need?"),
        ("worker", "Yes, she is"),  # the button's title is shown, its payload sent
        ("assistant", "Then she must be accommodated."),
    ]
    sent = app_under_test.engine.sent
    assert [s["message"] for s in sent] == ["hello", "/affirm"]
    # The authority, and the learner the page keeps across conversations (learning progress).
    assert all(s["metadata"]["authority"] == "kent" for s in sent)
    assert len({s["metadata"]["learner"] for s in sent}) == 1
    # The quick reply leaves the worker in the message box, ready to type.
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()

    page.reload()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    expect(page.get_by_label("Your authority")).to_have_value("kent")  # remembered


def test_the_conversation_survives_a_reload_and_a_new_one_starts_empty(
    page: Page, app_under_test: LiveApp, knowledge_base: KnowledgeBase
) -> None:
    app_under_test.engine.script["homeless"] = [procedure_reply(knowledge_base)]
    open_page(page)
    say(page, "first message")
    say(page, "homeless")
    before = bubbles(page)
    assert len(before) == 4

    page.reload()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    assert bubbles(page) == before
    # Restored messages work as they did: the source still opens.
    expect(page.locator("#log .sources button")).to_have_count(1)
    old_id = page.evaluate("localStorage.getItem('conversationId')")

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#log > li")).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
    new_id = page.evaluate("localStorage.getItem('conversationId')")
    assert new_id != old_id
    page.reload()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    expect(page.locator("#log > li")).to_have_count(0)
    # The old conversation stays on the server.
    with app_under_test.api() as api:
        kept = api.get(f"/api/chat/{old_id}/messages").json()["messages"]
    assert [m["text"] for m in kept][:1] == ["first message"] and len(kept) == 4


def test_a_failed_turn_keeps_the_typed_text_and_records_nothing(
    page: Page, app_under_test: LiveApp
) -> None:
    open_page(page)
    app_under_test.engine.down = True
    box = page.get_by_role("textbox", name="Your message")
    box.fill("is anyone there?")
    box.press("Enter")
    expect(page.locator("#log > li.error")).to_have_count(1)
    expect(box).to_have_value("is anyone there?")
    expect(page.locator("#log > li.mine")).to_have_count(0)
    app_under_test.engine.down = False
    page.reload()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    expect(page.locator("#log > li")).to_have_count(0)


def test_a_citation_opens_with_the_passage_highlighted_and_escape_closes_it(
    page: Page, app_under_test: LiveApp, knowledge_base: KnowledgeBase, screenshots: Path
) -> None:
    reply = procedure_reply(knowledge_base)
    cited = reply.citations[0]
    app_under_test.engine.script["sofa surfing"] = [reply]
    open_page(page)
    page.get_by_label("Your authority").select_option("kent")
    say(page, "sofa surfing")

    source = page.locator("#log .sources button").first
    source.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text(cited.title)
    expect(dialog).to_contain_text(cited.source_version)
    expect(dialog).to_contain_text("Kent")
    marks = dialog.locator("mark")
    expect(marks.first).to_be_visible()
    marked = [fold(m) for m in marks.all_inner_texts()]
    wanted = [fold(part) for part in cited.quote.split("\n")]
    assert marked == wanted or fold(" ".join(marked)) == fold(" ".join(wanted))
    # Focus is inside the panel, on its Close button.
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.screenshot(path=str(screenshots / "citation-1280.png"))

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(source).to_be_focused()  # back where the worker was

    # At phone width the panel fits the screen.
    page.set_viewport_size(PHONE)
    source.click()
    expect(dialog.locator("mark").first).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(screenshots / "citation-390.png"))
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_a_quote_missing_from_the_text_shows_the_section_unhighlighted(
    page: Page, app_under_test: LiveApp
) -> None:
    app_under_test.engine.script["timescales"] = [
        Reply(
            "See the timescales.",
            citations=(
                Citation(
                    "kent",
                    "kent/11-timescales",
                    "11. Timescales",
                    "refreshed July 2024",
                    quote="Words that are nowhere in this section.",
                ),
            ),
        )
    ]
    open_page(page)
    say(page, "timescales")
    page.locator("#log .sources button").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("not in this version of the text")
    expect(dialog.locator("#citation-text")).to_contain_text("working days")
    expect(dialog.locator("mark")).to_have_count(0)
    # Never markup from the server: the section text is text.
    assert dialog.locator("#citation-text *").count() == 0


def test_the_plan_panel_downloads_the_plan_as_word(page: Page, app_under_test: LiveApp) -> None:
    plan_id = a_plan(app_under_test)
    app_under_test.engine.script["help me plan"] = [
        Reply("Your plan is started.", extras={"plan": {"id": plan_id, "version": 1}})
    ]
    open_page(page)
    say(page, "help me plan")
    panel = page.get_by_role("complementary", name="Assessment plan")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(plan_id)

    with page.expect_download() as info:
        panel.get_by_role("link", name=re.compile("Word")).click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = download.path()
    assert path is not None
    data = Path(path).read_bytes()
    assert data[:2] == b"PK"
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()

    # The plan is shown again after a reload, and goes with "New conversation".
    page.reload()
    expect(panel).to_be_visible()
    page.get_by_role("button", name="New conversation").click()
    expect(panel).to_be_hidden()


def test_the_timescales_card_downloads_an_ics(page: Page, app_under_test: LiveApp) -> None:
    app_under_test.engine.script["when is it due?"] = [
        Reply(
            "The dates for a referral on 14 December.",
            extras={"timescales": timescales_card(app_under_test)},
        )
    ]
    open_page(page)
    say(page, "when is it due?")
    card = page.locator("#log .timescales")
    expect(card.get_by_role("table")).to_contain_text("Assessment")
    with page.expect_download() as info:
        card.get_by_role("button", name=re.compile(r"calendar \(\.ics\)")).click()
    download = info.value
    assert download.suggested_filename == "assessment-timescales-kent-2026-12-14.ics"
    path = download.path()
    assert path is not None
    text = Path(path).read_text()
    assert text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in text


def test_keyboard_only_tab_to_the_composer_and_enter_sends(
    page: Page, app_under_test: LiveApp
) -> None:
    open_page(page)
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.id || e.textContent.trim(); })()"
            )
        )
    # A logical order: skip link, the header's controls, then the message box and Send.
    assert order == [
        "Skip to the message box",
        "authority",
        "new-conversation",
        "my-progress",
        "message",
        "Send",
    ]
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("sent with the keyboard")
    page.keyboard.press("Enter")
    expect(page.locator("#log > li.bot")).to_have_count(1)
    expect(page.locator("#log > li.bot")).to_contain_text("You said: sent with the keyboard")
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
    expect(page.get_by_role("textbox", name="Your message")).to_have_value("")

    # The skip link takes a keyboard user past a long conversation to the message box.
    page.reload()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()


def fill_the_page(page: Page, app: LiveApp, knowledge_base: KnowledgeBase) -> None:
    """A conversation with every kind of message: text, buttons, sources, dates, a plan."""
    plan_id = a_plan(app)
    app.engine.script.update(
        {
            "A 16 year old at reception who has nowhere to stay tonight": [
                procedure_reply(knowledge_base)
            ],
            "when is the assessment due?": [
                Reply(
                    "The dates for a referral on Monday 14 December 2026 — Kent procedure.",
                    (Button("Show the checkpoints", "/checkpoints"),),
                    extras={"timescales": timescales_card(app)},
                )
            ],
            "help me plan my assessment": [
                Reply(
                    "Your plan is started. Who will be undertaking the assessment?",
                    (Button("Why are you asking?", "/why_asking"), Button("skip", "/skip")),
                    extras={"plan": {"id": plan_id, "version": 1}},
                )
            ],
        }
    )
    open_page(page)
    page.get_by_label("Your authority").select_option("kent")
    for message in app.engine.script:
        say(page, message)
    expect(page.get_by_role("complementary", name="Assessment plan")).to_be_visible()


def test_the_page_at_desktop_and_phone_width(
    page: Page, app_under_test: LiveApp, knowledge_base: KnowledgeBase, screenshots: Path
) -> None:
    fill_the_page(page, app_under_test, knowledge_base)
    for size, name in ((DESKTOP, "chat-1280.png"), (PHONE, "chat-390.png")):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        no_horizontal_overflow(page)
        # The reminder about judgement stays in view with the composer, wherever it is scrolled.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        expect(page.locator("#composer-hint")).to_be_in_viewport()
        expect(page.locator("#composer-hint")).to_contain_text("judgement")
        page.evaluate("window.scrollTo(0, 0)")
        expect(page.locator("#disclaimer")).to_be_in_viewport()
        page.screenshot(path=str(screenshots / name))
        # And where a worker is after the last answer: the latest messages above the composer.
        page.locator("#log > li").last.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / name.replace(".png", "-end.png")))
        small = check(page, "smallTargets")
        assert small == [], f"touch targets under 24 px at {size['width']} px: {small}"


def test_every_control_has_an_accessible_name(
    page: Page, app_under_test: LiveApp, knowledge_base: KnowledgeBase
) -> None:
    fill_the_page(page, app_under_test, knowledge_base)
    page.locator("#log .sources button").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    unnamed = check(page, "unnamed")
    assert unnamed == []
    # And as assistive technology sees them, by role and name.
    expect(page.get_by_role("combobox", name="Your authority")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Your message")).to_have_count(1)
    expect(page.get_by_role("button", name="Send")).to_have_count(1)
    expect(page.get_by_role("dialog", name=re.compile("16 and 17"))).to_have_count(1)
    # New messages are announced by a live region.
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"
    expect(page.locator("#announcer")).to_contain_text("Your plan is started")


def test_colours_meet_wcag_aa_contrast(
    page: Page, app_under_test: LiveApp, knowledge_base: KnowledgeBase
) -> None:
    fill_the_page(page, app_under_test, knowledge_base)
    assert check(page, "contrast") == []
    page.locator("#log .sources button").first.click()
    expect(page.get_by_role("dialog").locator("mark").first).to_be_visible()
    assert check(page, "contrast") == []


def test_learning_progress_shows_in_an_answer_and_in_the_progress_view(
    page: Page, app_under_test: LiveApp
) -> None:
    progress = {
        "learner": "l",
        "answered": 3,
        "topics": [
            {"topic": "nrm", "title": "Trafficking and the NRM", "attempts": 3, "correct": 2,
             "to_revisit": 1},
            {"topic": "timescales", "title": "Timescales", "attempts": 0, "correct": 0,
             "to_revisit": 0},
        ],
        "cases": {},
    }  # fmt: skip
    app_under_test.engine.script["how am I doing?"] = [
        Reply("You've answered 3 questions and got 2 right (66%).", extras={"progress": progress})
    ]
    open_page(page)
    say(page, "how am I doing?")
    table = page.get_by_role("table", name="Quiz answers by topic")
    expect(table).to_contain_text("Trafficking and the NRM")
    expect(table).to_contain_text("2 of 3")
    expect(table).to_contain_text("not tried")

    # The progress view asks the server for this browser's learner, kept across conversations.
    page.get_by_role("button", name="My progress").click()
    dialog = page.get_by_role("dialog", name="Your learning progress")
    expect(dialog).to_contain_text("No quiz questions answered yet")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    learner = page.evaluate("localStorage.getItem('learnerId')")
    assert app_under_test.engine.sent[-1]["metadata"]["learner"] == learner
