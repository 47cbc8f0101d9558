"""The demo month's curation by keystrokes (issue 14, "Done when"): ≤ 120 keys, end state checked.

The seeded demo circle at the fixed clock has 11 items to review (6 held), 4 quarantined
messages, an unapproved question for 2026-12, two outbox items in trouble and the November
digest to send. The steward does all of it with the keys shown on screen, against a real
aiosmtpd relay on 127.0.0.1; every key press is counted (a typed character is one press).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from circle.config import SmtpSettings
from circle.model import (
    Member,
    OutboxItem,
    OutboxState,
    QuarantineItem,
    QuarantineState,
    Response,
    Round,
    RoundState,
    Story,
    StoryState,
)
from mail.smtp import SmtpSink
from tests.tui_support import demo_app, settle

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

KEY_BUDGET = 120


class Keys:
    """Presses keys through Pilot and counts them."""

    def __init__(self, pilot: Any) -> None:
        self.pilot, self.count = pilot, 0

    async def __call__(self, *keys: str, until: Any = None) -> None:
        """Press `keys` one after the other, then wait until the app is idle (and `until`)."""
        self.count += len(keys)
        await self.pilot.press(*keys)
        await settle(self.pilot, until, timeout=30)


def outbox_sent(app: Any, item_id: str) -> bool:
    """The resend of `item_id` went through (the snapshot shows it sent)."""
    item = app.data.outbox.get(item_id)
    return item is not None and item.state == OutboxState.SENT and not app.sending


async def test_the_demo_month_in_at_most_120_keys(tmp_path: Path,
                                                  smtp_server: SmtpServer) -> None:
    sink = SmtpSink(SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="plain",
                                 connections=2, per_minute=6000))
    app = demo_app(tmp_path / "data", sink=sink)
    store = app.store
    to_review = [p.id for cls in (Story, Response) for p in store.all(cls)
                 if p.state in (StoryState.PENDING, StoryState.HELD)]
    assert len(to_review) == 11
    hosts_before = {r.id: r.host_id for r in store.all(Round)}
    async with app.run_test(size=(80, 24)) as pilot:
        press = Keys(pilot)
        await settle(pilot)
        # Review: the cursor starts on the oldest item; approving moves to the next one.
        await press("2", *["a"] * 11)
        assert not app.data.review_queue(True)
        # Quarantine, newest first: Kwame from his home address (he is offered first),
        # Sam asks to join, Hélène's out-of-office and a bounce need nothing.
        await press("7")
        assert [i.id for i in app.data.open_quarantine()] == ["q-4", "q-1", "q-3", "q-2"]
        await press("a", "enter")
        await press("m", "ctrl+s")
        await press("d", "y", "d", "y")  # dismissing asks first (and can be undone)
        assert not app.data.open_quarantine()
        # Hosts: approve December's question; swap December's and January's hosts.
        await press("5", "a")
        await press("s", "down", "s")
        # Digest: drop the question to Tomasz (his mailbox is full; the uncertain one to
        # Rafael is listed first), resend Rafael's, then send November's digest to everyone (asks first).
        await press("6", until=lambda: getattr(app.screen, "preview", None) is not None)
        await press("tab", "down", "d")  # tab: from the preview to the outbox table
        await press("r", "y", until=lambda: outbox_sent(app, "o-2026-11-question-rafael"))
        await press("a", "S", "y",  # approve, then send (asks first)
                    until=lambda: app.send_progress[1] > 0 and not app.sending)
        assert press.count <= KEY_BUDGET
        count = press.count

    # the end state, read back from the store
    for post_id in to_review:
        post = store.get(Story, post_id) or store.get(Response, post_id)
        assert post is not None and post.state == StoryState.APPROVED, post_id
    states = {q.id: (q.state, q.resolution) for q in store.all(QuarantineItem)}
    assert states["q-4"] == (QuarantineState.ASSIGNED, "member:kwame")
    assert states["q-2"][0] == states["q-3"][0] == QuarantineState.DISMISSED
    assert any(m.email == "sam.taylor@elsewhere.example" for m in store.all(Member))
    december, january = store.get(Round, "2026-12"), store.get(Round, "2027-01")
    assert december is not None and january is not None and december.question_approved
    assert (december.host_id, january.host_id) == (hosts_before["2027-01"],
                                                   hosts_before["2026-12"])
    outbox = {o.id: o for o in store.all(OutboxItem)}
    assert outbox["o-2026-11-question-rafael"].state == OutboxState.SENT
    assert outbox["o-2026-11-question-tomasz"].state == OutboxState.DROPPED
    digests = [o for o in outbox.values() if o.kind == "digest" and o.round_id == "2026-11"]
    # ten members received mail before; Sam, added from quarantine, is the eleventh
    assert len(digests) == 11 and all(o.state == OutboxState.SENT for o in digests)
    november = store.get(Round, "2026-11")
    assert november is not None and november.state == RoundState.DIGEST_SENT
    received = {r for m in smtp_server.handler.received for r in m.rcpt}
    assert "rafael@example.org" in received and "sam.taylor@elsewhere.example" in received
    assert count == 35  # the figure reported in docs/architecture.md; ≤ KEY_BUDGET
