"""Undo and the decision log: each decision kind taken back where it was made (Pilot, real
store), from the ctrl+z log and the CLI; refused when the digest went or the member chose."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from circle.app import apply
from circle.app.decisions import decisions, why_not
from circle.app.intents import ApproveDigest, ReviewPost, UndoDecision
from circle.app.rounds import queue_digest
from circle.model import (
    Decision,
    Member,
    QuarantineItem,
    QuarantineState,
    Round,
    Story,
    StoryState,
    Visibility,
)
from tests.test_cli import run
from tests.tui_support import FIXED, demo_app, demo_config, screen_text, seeded_store, settle
from tui.screens.decisions import DecisionsScreen
from tui.screens.review import ReviewScreen


async def _review(pilot: Any) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def test_undo_approve_and_hide_on_review(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _review(pilot)
        first = screen.current()
        assert first is not None
        await pilot.press("a")
        await settle(pilot)
        assert app.store.get(Story, first.id).state == StoryState.APPROVED
        await pilot.press("u")
        await settle(pilot, lambda: first.id in screen.table.rows)
        assert app.store.get(Story, first.id).state == first.state
        screen.table.move_cursor(row=screen.table.get_row_index(first.id))
        await pilot.press("x")
        await settle(pilot)
        assert app.store.get(Story, first.id).state == StoryState.HIDDEN
        await pilot.press("u")
        await settle(pilot, lambda: first.id in screen.table.rows)
        assert app.store.get(Story, first.id).state == first.state
        log = decisions(app.store)
        assert [d.intent for d in log] == ["ReviewPost", "ReviewPost"]
        assert all(d.undone_at == FIXED for d in log)


async def test_undo_visibility_and_edit_on_review(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _review(pilot)
        post = screen.current()
        assert post is not None and post.visibility == Visibility.CIRCLE
        await pilot.press("v")
        await settle(pilot)
        assert app.store.get(Story, post.id).visibility == Visibility.ANONYMOUS
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("TextArea").text = "Shorter words."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.store.get(Story, post.id).text == "Shorter words."
        await pilot.press("u")  # the edit first (newest)
        await settle(pilot)
        stored = app.store.get(Story, post.id)
        assert stored.text == post.text and stored.visibility == Visibility.ANONYMOUS
        await pilot.press("u")  # then the visibility
        await settle(pilot)
        assert app.store.get(Story, post.id).visibility == Visibility.CIRCLE


async def test_quarantine_dismiss_asks_is_findable_and_undone(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        item = app.screen.current()
        assert item is not None
        await pilot.press("d")
        await pilot.pause()
        assert "Dismiss this message?" in screen_text(app)
        await pilot.press("n")  # leaves it
        await settle(pilot)
        assert app.store.get(QuarantineItem, item.id).state == QuarantineState.OPEN
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")  # Enter goes ahead, like y
        await settle(pilot)
        assert app.store.get(QuarantineItem, item.id).state == QuarantineState.DISMISSED
        await pilot.press("f")  # the resolved ones: the dismissed message is found again
        await settle(pilot)
        assert item.id in app.screen.table.rows
        app.screen.table.move_cursor(row=app.screen.table.get_row_index(item.id))
        await pilot.press("u")
        await settle(pilot)
        assert app.store.get(QuarantineItem, item.id).state == QuarantineState.OPEN


async def test_add_sender_makes_no_story_and_is_undone(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        sam = app.store.get(QuarantineItem, "q-1")  # a stranger's reply
        assert sam is not None and sam.state == QuarantineState.OPEN
        app.screen.table.move_cursor(row=app.screen.table.get_row_index("q-1"))
        stories = len(app.store.all(Story))
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # Enter saves the valid form
        await settle(pilot)
        added = [m for m in app.store.all(Member) if m.email == sam.sender]
        assert len(added) == 1
        assert len(app.store.all(Story)) == stories  # their message is not a story
        assert not any(s.message_id == sam.message_id for s in app.store.all(Story))
        assert app.store.get(QuarantineItem, "q-1").state == QuarantineState.ASSIGNED
        await pilot.press("u")
        await settle(pilot)
        assert not [m for m in app.store.all(Member) if m.email == sam.sender]
        assert app.store.get(QuarantineItem, "q-1").state == QuarantineState.OPEN


async def test_swap_and_add_member_undone_from_the_decision_log(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        before = {r.id: r.host_id for r in app.store.all(Round)}
        await pilot.press("down", "down", "s", "down", "s")  # 2027-02 <-> 2027-03
        await settle(pilot)
        assert app.store.get(Round, "2027-02").host_id == before["2027-03"]
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Noor Haddad", "tab", *"noor@example.org", "enter")
        await settle(pilot)
        assert any(m.email == "noor@example.org" for m in app.store.all(Member))
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: isinstance(app.screen, DecisionsScreen)
                     and app.screen.current() is not None)
        log = app.screen
        assert isinstance(log, DecisionsScreen)
        assert log.current().intent == "AddMember"
        await pilot.press("u")
        await settle(pilot, lambda: log.current() is not None and
                     log.current().undone_at is not None)
        assert not any(m.email == "noor@example.org" for m in app.store.all(Member))
        await pilot.press("down", "u")  # the swap
        await settle(pilot, lambda: app.store.get(Round, "2027-02").host_id
                     == before["2027-02"])
        assert app.store.get(Round, "2027-03").host_id == before["2027-03"]
        assert "undone" in screen_text(app)


async def test_undo_refused_once_the_digest_that_carries_it_is_sent(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _review(pilot)
        post = next(p for p in screen.queue() if p.round_id == "2026-11")
        screen.table.move_cursor(row=screen.table.get_row_index(post.id))
        await pilot.pause()
        await pilot.press("a")
        await settle(pilot)
        apply(app.store, ApproveDigest(round_id="2026-11"), FIXED)
        assert queue_digest(app.store, FIXED, demo_config(), b"test-secret", round_id="2026-11")
        decision = next(d for d in decisions(app.store) if d.intent == "ReviewPost")
        assert "digest that carries it has been sent" in why_not(app.store, decision)
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: isinstance(app.screen, DecisionsScreen)
                     and app.screen.current() is not None)
        app.screen.query_one("DataTable").move_cursor(
            row=app.screen.query_one("DataTable").get_row_index(decision.id))
        await pilot.pause()
        assert "has been sent" in screen_text(app)
        assert "stays" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert app.store.get(Story, post.id).state == StoryState.APPROVED


def test_undo_never_overrides_the_members_later_choice(tmp_path: Path) -> None:
    store = seeded_store(tmp_path / "data")
    post = next(s for s in store.all(Story) if s.state == StoryState.PENDING)
    done = apply(store, ReviewPost(post_id=post.id, action="approve"), FIXED)
    assert done.decision_id
    with store.transaction():  # the author then writes PRIVATE (as the mail loop records it)
        now = store.get(Story, post.id)
        store.put(replace(now, visibility=Visibility.STEWARD,
                          member_consent_version=now.version + 1))
    refused = apply(store, UndoDecision(decision_id=done.decision_id), FIXED)
    assert not refused.ok and "their choice stands" in refused.refused
    stored = store.get(Story, post.id)
    assert stored.state == StoryState.APPROVED and stored.visibility == Visibility.STEWARD
    assert store.get(Decision, done.decision_id).undone_at is None


def test_undo_chain_and_a_stale_order_are_explained(tmp_path: Path) -> None:
    store = seeded_store(tmp_path / "data")
    post = next(s for s in store.all(Story) if s.state == StoryState.PENDING)
    first = apply(store, ReviewPost(post_id=post.id, action="approve"), FIXED).decision_id
    second = apply(store, ReviewPost(post_id=post.id, action="hide"), FIXED).decision_id
    early = apply(store, UndoDecision(decision_id=first), FIXED)
    assert not early.ok and f"({second}) first" in early.refused
    assert apply(store, UndoDecision(decision_id=second), FIXED).ok
    assert store.get(Story, post.id).state == StoryState.APPROVED
    assert apply(store, UndoDecision(decision_id=first), FIXED).ok  # now it can
    assert store.get(Story, post.id).state == StoryState.PENDING
    again = apply(store, UndoDecision(decision_id=first), FIXED)
    assert not again.ok and "already undone" in again.refused
    nothing = apply(store, UndoDecision(area="posts"), FIXED)
    assert not nothing.ok and "Nothing to undo on stories" in nothing.refused


def test_cli_lists_and_undoes_decisions(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert run("init", "--name", "Test Circle", "--address", "circle@circle.test",
               "--steward-email", "steward@circle.test", "--timezone", "Europe/Berlin",
               "--data-dir", str(tmp_path / "data"), config=config).returncode == 0
    assert run("members", "add", "Ana Ruiz", "ana@example.org", config=config).returncode == 0
    listed = run("decisions", "list", "--json", config=config)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["id"], r["intent"], r["undoable"]) for r in rows] == [("d1", "AddMember", True)]
    assert rows[0]["records"] == ["members:ana-ruiz"]
    undone = run("decisions", "undo", "d1", config=config)
    assert undone.returncode == 0 and undone.stdout.startswith("Undone: Welcome, Ana Ruiz")
    assert "ana@example.org" not in run("members", "list", config=config).stdout
    again = run("decisions", "undo", "d1", config=config)
    assert again.returncode == 65 and "already undone" in again.stderr


async def test_threads_decide_again_and_undo_on_the_selected_post(tmp_path: Path) -> None:
    from tui.screens.threads import ThreadsScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ThreadsScreen)
        target = next(s for s in app.store.all(Story) if s.round_id == "2026-11"
                      and s.state == StoryState.PENDING)
        screen.reveal(target.id)
        await settle(pilot, lambda: screen.selected_post() is not None)
        post = screen.selected_post()
        assert post is not None and post.id == target.id
        await pilot.press("x")
        await settle(pilot)
        assert app.store.get(type(post), post.id).state == StoryState.HIDDEN
        await pilot.press("a")  # a hidden item can be decided again
        await settle(pilot)
        assert app.store.get(type(post), post.id).state == StoryState.APPROVED
        await pilot.press("u")
        await settle(pilot)
        assert app.store.get(type(post), post.id).state == StoryState.HIDDEN


async def test_review_decided_filter_lets_an_approved_item_be_hidden(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _review(pilot)
        first = screen.current()
        assert first is not None
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("f", "f")  # needs a decision → pending only → decided
        await settle(pilot)
        assert screen.filter == "decided" and first.id in screen.table.rows
        assert "decided (approved or hidden)" in screen_text(app)
        screen.table.move_cursor(row=screen.table.get_row_index(first.id))
        await pilot.press("x")
        await settle(pilot)
        assert app.store.get(Story, first.id).state == StoryState.HIDDEN
        assert first.id in screen.table.rows  # still listed: hidden is decided too
        await pilot.press("f")
        await settle(pilot)
        assert screen.filter == "needs" and first.id not in screen.table.rows


async def test_review_shows_a_request_found_in_a_story_and_sets_it_aside(
        tmp_path: Path) -> None:
    story = Story(id="s-req", round_id="2026-11", member_id="priya", text="A story.\n\n"
                  "Please keep it anonymous.", received_at=FIXED,
                  suggested_command="ANONYMOUS", suggested_words="Please keep it anonymous.")
    app = demo_app(tmp_path, extra=[story])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _review(pilot)
        screen.table.move_cursor(row=screen.table.get_row_index("s-req"))
        await pilot.pause()
        assert "also asks: ANONYMOUS" in screen_text(app) and "y accepts" in screen_text(app)
        await pilot.press("z")
        await settle(pilot)
        stored = app.store.get(Story, "s-req")
        assert stored.suggested_command == "" and stored.visibility == Visibility.CIRCLE
        await pilot.press("u")  # setting it aside is a decision too
        await settle(pilot)
        assert app.store.get(Story, "s-req").suggested_command == "ANONYMOUS"
        await pilot.press("y")
        await settle(pilot)
        assert app.store.get(Story, "s-req").visibility == Visibility.ANONYMOUS
