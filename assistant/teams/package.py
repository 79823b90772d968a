"""The Teams app package: `manifest.json` and two icons, zipped, to upload in Teams (Apps →
Manage your apps → Upload an app) or in the Teams admin centre. Built from settings:

    make teams-package          # writes var/teams/practice-assistant.zip
    .venv/bin/python -m assistant.teams.package [--out PATH]

The manifest (schema v1.17) names the bot by its Entra app id (`teams_app_id`, also the app's
own id), for personal chat and teams; `validDomains` is the host of `public_base_url`, whose
https pages the developer links point to. The icons are drawn here (no image library): a 192x192
colour icon and a 32x32 white outline on transparency, as Teams asks.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from assistant.settings import PROJECT_ROOT, Settings

MANIFEST_VERSION = "1.17"
MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
)
DEFAULT_OUT = PROJECT_ROOT / "var" / "teams" / "practice-assistant.zip"
ACCENT = (0x1F, 0x4E, 0x79)  # dark blue
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

Pixel = tuple[int, int, int, int]


class PackageError(ValueError):
    """The settings cannot make a package Teams accepts; the message says which to set."""


def manifest(settings: Settings) -> dict[str, Any]:
    app_id = settings.teams_app_id.strip()
    if not _GUID.match(app_id):
        raise PackageError(
            "ASSISTANT_TEAMS_APP_ID must be the bot's Entra app registration id (a GUID), "
            f"got {app_id!r}"
        )
    base = settings.public_base_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(
            "ASSISTANT_PUBLIC_BASE_URL must be the https address users reach the assistant at "
            f"(Teams refuses http links), got {settings.public_base_url!r}"
        )
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": settings.teams_app_version,
        "id": app_id,
        "developer": {
            "name": settings.teams_developer_name,
            "websiteUrl": f"{base}/",
            "privacyUrl": f"{base}/",
            "termsOfUseUrl": f"{base}/",
        },
        "name": {"short": settings.teams_app_short_name, "full": settings.teams_app_full_name},
        "description": {
            "short": "Your authority's Assessments procedure: next steps, timescales, sources.",
            "full": (
                "Walks social workers in English local authorities through their own "
                "authority's Assessments procedure (Children Act 1989): what to do next, the "
                "deadlines in working days, and the procedure text behind every answer. It "
                "supports professional judgement and management oversight; it never replaces "
                "them. If a child is in immediate danger call 999 and tell your manager."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team"],
                        "commands": [
                            {"title": "help", "description": "What I can help with"},
                            {"title": "timescales", "description": "Deadlines for a referral"},
                            {"title": "plan", "description": "Plan an assessment"},
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [parts.netloc],
    }


def build_package(settings: Settings, out: Path = DEFAULT_OUT) -> Path:
    body = json.dumps(manifest(settings), indent=2, ensure_ascii=False) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", body)
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out


def color_icon(size: int = 192) -> bytes:
    """A white speech bubble with three lines of text on the accent colour."""
    return _png(size, size, _bubble(size, filled=True))


def outline_icon(size: int = 32) -> bytes:
    """The bubble's outline in white on transparency."""
    return _png(size, size, _bubble(size, filled=False))


def _bubble(size: int, *, filled: bool) -> Callable[[int, int], Pixel]:
    s = size / 32  # drawn on a 32-unit grid
    left, right, top, bottom = 5 * s, 27 * s, 6 * s, 21 * s
    white: Pixel = (255, 255, 255, 255)
    background: Pixel = (*ACCENT, 255) if filled else (0, 0, 0, 0)
    stroke = max(1.0, 2 * s if filled else 2.0)

    def inside_bubble(x: float, y: float) -> bool:
        body = left <= x <= right and top <= y <= bottom
        # the tail: a triangle below the bubble's lower left
        tail = bottom <= y <= bottom + 5 * s and 9 * s <= x <= 9 * s + (bottom + 5 * s - y)
        return body or tail

    def pixel(px: int, py: int) -> Pixel:
        x, y = px + 0.5, py + 0.5
        if not inside_bubble(x, y):
            return background
        if filled:
            for line_y, line_end in ((10.5, 23), (13.5, 23), (16.5, 18)):
                if abs(y - line_y * s) <= 0.75 * s and 9 * s <= x <= line_end * s:
                    return (*ACCENT, 255)
            return white
        # outline: inside the shape but near its edge
        near_edge = not all(
            inside_bubble(x + dx, y + dy)
            for dx, dy in ((stroke, 0), (-stroke, 0), (0, stroke), (0, -stroke))
        )
        return white if near_edge else background

    return pixel


def _png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    rows = io.BytesIO()
    for y in range(height):
        rows.write(b"\x00")  # filter: none
        rows.write(b"".join(struct.pack("4B", *pixel(x, y)) for x in range(width)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.getvalue(), 9))
        + chunk(b"IEND", b"")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Teams app package from settings.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        out = build_package(Settings(), args.out)
    except (PackageError, ValidationError) as error:
        print(f"teams-package: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {out} (manifest.json, color.png 192x192, outline.png 32x32)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
