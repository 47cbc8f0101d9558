"""Today at fixed times before and after each moment of a round: a tick only for what
happened, with when; what is ahead with its date; the digest's sent state; the mail line
moving as fetches and sends are stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from circle.model import OutboxItem, OutboxState, Round, RoundState, SyncState
from tests.tui_support import FIXED, demo_config, seeded_store, settle
from tests.tui_support import screen_text as raw_screen
from tui.app import make_app
from tui.messages import StoreChanged

NOV = "2026-11"


def screen_text(app: Any) -> str:
    """The screen's words with panel borders gone and wrapped lines joined."""
    return " ".join(raw_screen(app).replace("│", " ").split())


class MovableClock:
    """A clock the test sets (never the real one)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


async def _show(pilot: Any, clock: MovableClock, at: datetime, *records: Any,
                expect: str) -> str:
    """Store `records`, move the clock, and wait until Today shows `expect`."""
    app = pilot.app
    if records:
        app.store.put_many(list(records))
    clock.at = at
    app.post_message(StoreChanged())
    await settle(pilot, lambda: expect in screen_text(app))
    return screen_text(app)


def _nov(app: Any) -> Round:
    rnd = app.store.get(Round, NOV)
    assert rnd is not None
    return rnd


async def test_today_before_and_after_each_moment(tmp_path: Path) -> None:
    clock = MovableClock(FIXED)  # Mon 16 Nov 10:00: the question went on Wed 11 Nov
    store = seeded_store(tmp_path / "data")
    app = make_app(demo_config(), store, None, None, clock, secret=b"test-secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "today Mon 16 Nov 2026" in text
        assert "✓ question Wed 11 Nov 18:00" in text
        assert "· reminder Fri 20 Nov" in text and "· digest due Mon 23 Nov" in text
        assert "· gathering Wed 25 Nov 18:00" in text
        assert "Next: reminder for 2026-11 Fri 20 Nov" in text

        # a record that says the reminder fired on Friday is not true on Monday: no tick
        times = _nov(app).timeline
        early = replace(_nov(app), fired={**_nov(app).fired, "reminder": times["reminder"]})
        text = await _show(pilot, clock, FIXED, early, expect="· reminder Fri 20 Nov")
        assert "✓ reminder" not in text

        # Saturday: it happened, ticked with its day
        text = await _show(pilot, clock, times["reminder"] + timedelta(days=1),
                           expect="✓ reminder Fri 20 Nov")
        assert "· digest due Mon 23 Nov" in text

        # the digest is due: it waits for the steward, in the round line and in Needs you
        due = replace(_nov(app), fired={**_nov(app).fired, "digest_due": times["digest_due"]})
        text = await _show(pilot, clock, times["digest_due"] + timedelta(hours=1), due,
                           expect="! digest due since Mon 23 Nov")
        assert "the 2026-11 digest is due: preview, approve and send it (6 Digest)" in text

        # queued, one copy still waiting: not "sent to N" yet
        at = datetime(2026, 11, 23, 14, 2, tzinfo=UTC)
        copies = [OutboxItem(id=f"o-nov-digest-{m}", message_id=f"d-{m}@x", kind="digest",
                             recipient=f"{m}@example.org", raw="", created_at=at,
                             round_id=NOV, member_id=m, state=OutboxState.SENT, attempts=1,
                             sent_at=at) for m in ("ana", "kwame", "mei")]
        waiting = replace(copies[2], state=OutboxState.QUEUED, sent_at=None, attempts=0)
        gone = replace(_nov(app), state=RoundState.DIGEST_SENT)
        text = await _show(pilot, clock, at + timedelta(minutes=1), gone, *copies[:2],
                           waiting, expect="… digest: 2 of 3 sent")
        assert "digest sent to" not in text

        # every copy went: the digest line says so, with the relay's time, and nothing waits
        text = await _show(pilot, clock, at + timedelta(minutes=5), replace(copies[2], version=1),
                           expect="✓ digest sent to 3 members at 14:02 Mon 23 Nov")
        assert "digest due" not in text and "digest is due" not in text

        # 2 December: the next round shows; its record says the question fired on the 16th
        # (as the demo seeded it): not true yet, so it is ahead with its date, never ticked
        dec = app.store.get(Round, "2026-12")
        assert dec is not None
        claims = replace(dec, fired={**dec.fired, "question": dec.timeline["question"]})
        text = await _show(pilot, clock, datetime(2026, 12, 2, 10, tzinfo=UTC), claims,
                           expect="today Wed 2 Dec 2026 · round 2026-12")
        assert "· question Wed 16 Dec" in text and "✓ question Wed 16 Dec" not in text
        assert "Digest for 2026-10 sent to 10 members" in text  # what happened, with when


async def test_the_mail_line_moves_as_fetches_and_sends_are_stored(tmp_path: Path) -> None:
    clock = MovableClock(FIXED)
    store = seeded_store(tmp_path / "data")
    app = make_app(demo_config(), store, None, None, clock, secret=b"test-secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "last fetch: none yet" in screen_text(app)
        first = FIXED - timedelta(minutes=2)
        await _show(pilot, clock, FIXED, SyncState("INBOX", 7, 12, last_fetch_at=first),
                    expect="last fetch: Mon 16 Nov 09:58 (INBOX)")
        later = FIXED + timedelta(minutes=5)
        sent = OutboxItem(id="o-receipt-ana", message_id="r-ana@x", kind="receipt",
                          recipient="ana@example.org", raw="", created_at=later,
                          state=OutboxState.SENT, attempts=1, sent_at=later)
        text = await _show(pilot, clock, later,
                           SyncState("INBOX", 7, 13, last_fetch_at=later,
                                     last_error="connection reset by the server", version=1),
                           sent, expect="last fetch: Mon 16 Nov 10:05 (INBOX)")
        assert "last send: Mon 16 Nov 10:05 (receipt to ana@example.org)" in text
        assert "fetch error (INBOX): connection reset by the server" in text


async def test_today_fits_80_by_24_without_scrolling(tmp_path: Path) -> None:
    """At 80×24 everything Today says is on screen, the mail line included; wider, the
    full layout comes back."""
    from textual.containers import VerticalScroll

    from tests.tui_support import demo_app

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        column = app.screen.query_one("#today", VerticalScroll)
        assert column.virtual_size.height <= column.size.height  # nothing below the fold
        lines = raw_screen(app).splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        text = screen_text(app)
        assert "Lecturers' Circle · today Mon 16 Nov 2026" in text
        assert "Round 2026-11 · host Rafael Costa (accepted)" in text
        assert "· gathering 25 Nov 18:00" in text
        assert "Not heard from yet (5): Amara Okafor" in text and "more" in text
        assert "Needs you" in text and "11 waiting for a decision" in text
        assert "Mail: " in text and "last fetch: none yet" in text
        await pilot.resize_terminal(120, 40)
        await settle(pilot, lambda: "Passed this time (0)" in screen_text(app))
        text = screen_text(app)
        assert "Lecturers' Circle · today Mon 16 Nov 2026 · round 2026-11" in text
        assert "Siobhán O'Leary" in text and "· gathering Wed 25 Nov 18:00" in text
