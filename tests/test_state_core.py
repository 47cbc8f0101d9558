"""The state core: a member's own choice made in another process wins over a stale TUI view.

Each race runs two real processes on one data directory: the steward's TUI (Pilot, in this
process) holds a snapshot; a second Python process applies the member's mail (or intent)
through the same application layer; then the steward acts on the old view.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from circle.model import (
    Member,
    MemberStatus,
    OutboxItem,
    OutboxState,
    Story,
    StoryState,
    Visibility,
)
from circle.tokens import TokenClaim, make_token, reply_address
from tests.tui_support import FIXED, demo_app, demo_config, settle
from tui.screens.review import ReviewScreen

pytest_plugins = ["tests.smtp_server"]
ROOT = Path(__file__).resolve().parents[1]
SECRET = b"test-secret"


def _other_process(data_dir: Path, body: str) -> None:
    """Run `body` in a second Python process with `store` open on the same directory."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from data.store import TinyStore
        from tests.tui_support import FIXED, demo_config
        store = TinyStore(Path({str(data_dir)!r}))
    """) + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def _stale_app(tmp_path: Path):  # noqa: ANN202
    """The demo app, not polling the store: its view stays the one loaded at start."""
    app = demo_app(tmp_path)
    app.poll_seconds = 3600.0
    return app


def _member_mail(data_dir: Path, story: Story, command: str, mid: str) -> None:
    """The mail loop (another process) ingests `command` from the story's author, token-verified."""
    token = make_token(SECRET, TokenClaim(story.member_id, story.round_id, story.id))
    to = reply_address(demo_config().address, token)
    raw = (f"From: {story.member_id}@example.org\r\nTo: {to}\r\nSubject: {command}\r\n"
           f"Message-ID: <{mid}>\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{command}\r\n").encode()
    _other_process(data_dir, f"""
        import hashlib
        from circle.app.ingest import InboundMail, ingest_batch
        raw = {raw!r}
        sha = store.archive.save(raw)
        report = ingest_batch(store, [InboundMail(raw=raw, raw_sha=sha)], config=demo_config(),
                              secret={SECRET!r}, now=FIXED)
        assert report.commands, report.summary()
    """)


async def test_private_from_the_mail_loop_beats_an_approve_on_an_older_view(tmp_path: Path) -> None:
    app = _stale_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        seen = screen.current()
        assert isinstance(seen, Story) and seen.visibility == Visibility.CIRCLE
        _member_mail(tmp_path, seen, "PRIVATE", "private-1@member.example")
        await pilot.press("a")  # approve, on the view loaded before the PRIVATE
        await settle(pilot, until=lambda: any(
            "after you opened it" in n.message for n in app._notifications))
        stored = app.store.get(Story, seen.id)
        assert stored is not None
        assert stored.state == StoryState.APPROVED
        assert stored.visibility == Visibility.STEWARD, "the author's consent stands"
        told = [n.message for n in app._notifications]
        assert any("keep it between them and you after you opened it" in m for m in told), told
        assert any("stays out of the digest" in m for m in told), told


async def test_visibility_change_on_an_older_view_is_refused_after_the_members_private(
        tmp_path: Path) -> None:
    app = _stale_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        seen = app.screen.current()
        assert isinstance(seen, Story) and seen.visibility == Visibility.CIRCLE
        _member_mail(tmp_path, seen, "PRIVATE", "private-2@member.example")
        await pilot.press("v")  # circle → anonymous, decided on the old view
        await settle(pilot, until=lambda: any(
            "their choice stands" in n.message for n in app._notifications))
        stored = app.store.get(Story, seen.id)
        assert stored is not None and stored.visibility == Visibility.STEWARD
        # the view went back to what is stored: no "anonymous" left on screen for this story
        await settle(pilot, until=lambda: app.data.stories[seen.id].visibility
                     == Visibility.STEWARD)


async def test_a_withdrawn_story_cannot_be_approved_from_an_older_view(tmp_path: Path) -> None:
    app = _stale_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        seen = app.screen.current()
        assert isinstance(seen, Story)
        _other_process(tmp_path, f"""
            from circle.app import apply
            from circle.app.intents import WithdrawPost
            outcome = apply(store, WithdrawPost(post_id={seen.id!r}, by="member"), FIXED)
            assert outcome.ok, outcome.refused
        """)
        await pilot.press("a")
        await settle(pilot, until=lambda: any("withdrew" in n.message
                                              for n in app._notifications))
        stored = app.store.get(Story, seen.id)
        assert stored is not None and stored.state == StoryState.WITHDRAWN
        await settle(pilot, until=lambda: app.data.stories[seen.id].state
                     == StoryState.WITHDRAWN)
        assert seen.id not in [p.id for p in app.data.review_queue()]
        assert "withdrew" in " ".join(n.message for n in app._notifications)


async def test_stop_after_the_digest_was_queued_means_no_digest_for_that_member(
        tmp_path: Path, smtp_server) -> None:
    """The member's STOP (mail loop, another process) wins over a digest queued before it;
    the STOP confirmation itself still goes out, and everyone else gets the digest."""
    from circle.app import apply
    from circle.app.intents import ApproveDigest
    from circle.app.rounds import queue_digest
    from circle.model import Round, RoundState
    from data.locks import sending_lock
    from mail.send import send_due_now
    from mail.smtp import SmtpSink
    from tests.mailout_world import make_config as smtp_config
    from tests.tui_support import seeded_store

    store, config = seeded_store(tmp_path), demo_config()
    open_round = next(r for r in store.all(Round) if r.state == RoundState.OPEN)
    assert apply(store, ApproveDigest(round_id=open_round.id), FIXED).ok
    items = queue_digest(store, FIXED, config, SECRET, round_id=open_round.id, force=True)
    queued = {i.member_id for i in items}
    story = next(s for s in store.all(Story) if s.member_id in queued
                 and s.round_id == open_round.id)
    leaving = store.get(Member, story.member_id)
    assert leaving is not None and leaving.status == MemberStatus.ACTIVE
    _member_mail(tmp_path, story, "STOP", "stop-1@member.example")
    from circle.app.rounds import plan_due_mail
    plan_due_mail(store, FIXED, config, SECRET)  # the STOP's confirmation is queued
    sink = SmtpSink(smtp_config(smtp_server.port).smtp, password="")
    try:
        report = await send_due_now(store, sink, FIXED, sender=config.address,
                                    lock=sending_lock(tmp_path))
    finally:
        await sink.close()
    digests = {i.member_id: i for i in store.all(OutboxItem) if i.kind == "digest"}
    assert digests[leaving.id].state == OutboxState.DROPPED
    assert "stopped or paused" in digests[leaving.id].history[-1]
    assert report.dropped == 1
    delivered = {(r.rcpt[0], r.message["X-Circle-Kind"] or r.message["Subject"])
                 for r in smtp_server.handler.received}
    to_leaving = [r for r in smtp_server.handler.received if leaving.email in r.rcpt]
    assert to_leaving, "the STOP confirmation reaches the member"
    assert all(r.message_id != digests[leaving.id].message_id for r in to_leaving)
    others = [i for i in digests.values() if i.member_id != leaving.id]
    assert others and all(i.state == OutboxState.SENT for i in others), delivered
