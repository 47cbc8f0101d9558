"""A story full of escapes, bidi overrides and hidden characters is inert everywhere it shows:
`circle parse --json`, the stored records, the digest's text and HTML bytes, the TUI (Pilot)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from circle.app.ingest import InboundMail, ingest_batch
from circle.app.rounds import queue_digest
from circle.model import Member, Round, Story, StoryState
from data.store import TinyStore
from tests.mailin_support import NOW, ROUND, SECRET, make_config, seed, to_token
from tests.tui_support import FIXED, demo_app, screen_text, settle
from tui.screens.review import ReviewScreen

STORY = Path(__file__).parent / "fixtures" / "hostile" / "escape_story.eml"
RAW_TEXT = ("Before\x1b[2J after\x1b]0;wintitle\x07 and\x1b]52;c;Y3VybCBldmls\x07 done "
            "\u202eevil\u202c zero\u200bwidth\u2060joined\ufeff end")
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x9d", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u2060", "\ufeff", "\x00")
PAYLOADS = ("you have been owned", "Y3VybCBldmls", "Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==", "[2J",
            "]0;", "52;c;", "pwned", "wintitle")


def assert_inert(text: str) -> None:
    bad = [hex(ord(c)) for c in text if c in FORBIDDEN or (
        unicodedata.category(c) == "Cc" and c not in "\n\t\r")]
    assert bad == [], f"unsafe characters {bad} in {text[:200]!r}"
    found = [p for p in PAYLOADS if p in text]
    assert found == [], f"escape payloads {found} survived"


def test_circle_parse_json_text_is_inert() -> None:
    out = subprocess.run([sys.executable, "-m", "cli.commands.parse", "--json", str(STORY)],
                         capture_output=True, text=True, check=True).stdout
    assert "\\u001b" not in out and "\\u202e" not in out  # not even JSON-escaped
    got = json.loads(out)
    for key in ("text", "elided"):
        assert_inert(got[key])
    assert got["text"].startswith("Silence taught me to wait for the\nsecond answer.")
    assert got["sender"] == {"email": "ana@example.org", "name": "Ana Lima"}


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s)
    return s


def _ingest_story(store: TinyStore) -> Story:
    data = STORY.read_bytes().replace(b"TOKEN_ADDRESS", to_token("ana").encode())
    mail = InboundMail(data, store.archive.save(data), uid=1)
    report = ingest_batch(store, [mail], config=make_config(), secret=SECRET, now=NOW)
    (story_id,) = report.stories
    story = store.get(Story, story_id)
    assert story is not None
    return story


def test_stored_story_is_inert_and_the_raw_mail_is_byte_exact(store: TinyStore) -> None:
    story = _ingest_story(store)
    for text in (story.text, story.elided, story.subject, *story.attachments):
        assert_inert(text)
    assert story.attachments == ["notesfdp.exe (application/pdf, 9 bytes)"]
    raw = store.archive.load(story.raw_sha)
    assert b"\x1b]52;c;" in raw and raw == STORY.read_bytes().replace(
        b"TOKEN_ADDRESS", to_token("ana").encode())


def _digest(store: TinyStore) -> EmailMessage:
    rnd = store.get(Round, ROUND)
    assert rnd is not None
    store.put(replace(rnd, digest_approved=True))
    (item,) = [i for i in queue_digest(store, NOW, make_config(), SECRET, round_id=ROUND)
               if i.member_id == "bob"]
    msg = message_from_bytes(item.raw.encode("ascii"), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert b"=1B" not in item.raw.encode() and b"\x1b" not in item.raw.encode()
    return msg


def test_digest_text_and_html_carry_no_escapes(store: TinyStore) -> None:
    story = _ingest_story(store)
    store.put(replace(story, state=StoryState.APPROVED))
    # and a record stored raw (before the parser sanitised, or a steward edit): still inert
    store.put(Story(id="s-raw", round_id=ROUND, member_id="cleo", text=RAW_TEXT,
                    received_at=NOW, state=StoryState.APPROVED))
    msg = _digest(store)
    text_part = msg.get_body(("plain",))
    html_part = msg.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    for body in (text, html):
        assert_inert(body)
        flat = " ".join(body.split())
        assert "Silence taught me" in flat
        assert "Before after and done evil zerowidthjoined end" in flat
    # nor smuggled as character references: ESC (&#27; / &#x1b;) or RLO (&#8238; / &#x202e;)
    assert not re.search(r"&#(?:0*27|x0*1b|8238|x202e);", html, re.IGNORECASE)


async def test_review_screen_renders_no_escapes(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    raw = STORY.read_bytes()
    sha = app.store.archive.save(raw)
    member = next(m for m in app.store.all(Member) if not m.is_steward)
    app.store.put(Story(id="s-hostile", round_id="2026-11", member_id=member.id,
                        text=RAW_TEXT, elided="quoted\x1b[31m red", received_at=FIXED,
                        raw_sha=sha, state=StoryState.PENDING))
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.table.move_cursor(row=screen.table.get_row_index("s-hostile"))
        await settle(pilot)
        shown = screen_text(app)
        assert "Before after and" in shown
        assert_inert(shown)
        await pilot.press("o")  # the original email, straight from the archive
        await settle(pilot)
        original = screen_text(app)
        assert "the original email" in original and "Silence" in original
        assert_inert(original)
