"""Replies drawn as Teams messages, and the Teams app package."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from assistant.core.replies import Button, Reply
from assistant.settings import Settings
from assistant.teams.cards import reply_activity
from assistant.teams.package import PackageError, build_package
from tests.teams.conftest import APP_ID, TENANT_ID

BASE = "https://assistant.example.gov.uk"


def _card(reply: Reply) -> dict[str, Any]:
    activity = reply_activity(reply, BASE)
    assert activity.attachments, "expected an Adaptive Card"
    content = activity.attachments[0].content
    assert isinstance(content, dict)
    return content


def test_plain_text_has_no_card() -> None:
    activity = reply_activity(Reply("Just words.\nTwo lines."), BASE)
    assert activity.text == "Just words.\nTwo lines."
    assert not activity.attachments


def test_buttons_alone_make_a_card_with_a_line_and_the_buttons() -> None:
    card = _card(Reply("Which one?", (Button("Kent", "/kent"), Button("Blackpool", "/bp"))))
    assert card["version"] == "1.5"
    assert [a["data"]["payload"] for a in card["actions"]] == ["/kent", "/bp"]
    assert card["body"][0]["type"] == "TextBlock"


def test_timescales_make_a_table_of_dates() -> None:
    timescales = {
        "authority": "kent",
        "referral_date": "2026-12-14",
        "dates": [
            {
                "label": "Assessment due",
                "date": "2027-02-18",
                "date_text": "Thursday 18 February 2027",
                "status": "60 working days left",
            },
            {
                "label": "Day 10",
                "date": "2026-12-31",
                "date_text": "Thursday 31 December 2026",
                "status": "due today",
            },
        ],
    }
    card = _card(Reply("Timescales.", extras={"timescales": timescales}))
    table = next(b for b in card["body"] if b["type"] == "Table")
    cells = [[c["items"][0]["text"] for c in row["cells"]] for row in table["rows"]]
    assert cells == [
        ["What", "Date", "Status"],
        ["Assessment due", "Thursday 18 February 2027", "60 working days left"],
        ["Day 10", "Thursday 31 December 2026", "Due today"],
    ]


def test_a_plan_links_its_exports_on_the_web_app() -> None:
    plan = {
        "id": "3fa2b1c9d0",
        "version": 4,
        "authority": "kent",
        "children": ["AB", "CD"],
        "answered": 5,
        "finished": False,
        "exports": {
            "docx": "/api/plans/3fa2b1c9d0/export?format=docx",
            "ics": "/api/plans/3fa2b1c9d0/export?format=ics",
        },
    }
    card = _card(Reply("Saved.", extras={"plan": plan}))
    links = [(a["title"], a["url"]) for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert links == [
        ("Word (for your manager)", f"{BASE}/api/plans/3fa2b1c9d0/export?format=docx"),
        ("Calendar of the dates", f"{BASE}/api/plans/3fa2b1c9d0/export?format=ics"),
    ]
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert {"title": "Children", "value": "AB, CD"} in facts


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_teams_package_holds_the_manifest_and_icons(tmp_path: Path) -> None:
    settings = Settings(teams_app_id=APP_ID, teams_tenant_id=TENANT_ID, public_base_url=BASE)
    out = build_package(settings, tmp_path / "teams" / "practice-assistant.zip")
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert _png_size(package.read("color.png")) == (192, 192)
        assert _png_size(package.read("outline.png")) == (32, 32)
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal", "team"]
    assert manifest["validDomains"] == ["assistant.example.gov.uk"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert manifest["developer"]["privacyUrl"].startswith("https://")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"teams_app_id": ""}, "ASSISTANT_TEAMS_APP_ID"),
        ({"teams_app_id": "not-a-guid", "teams_tenant_id": TENANT_ID}, "ASSISTANT_TEAMS_APP_ID"),
        ({"public_base_url": "http://127.0.0.1:8000"}, "ASSISTANT_PUBLIC_BASE_URL"),
    ],
)
def test_the_package_needs_an_app_id_and_an_https_address(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    values = {"teams_app_id": APP_ID, "teams_tenant_id": TENANT_ID, "public_base_url": BASE}
    values.update(overrides)
    with pytest.raises(PackageError, match=message):
        build_package(Settings(**values), tmp_path / "p.zip")
