"""Steward flows through the TUI (Pilot) against a real store on disk seeded with the demo."""

from __future__ import annotations

from pathlib import Path

from circle.model import (
    MemberStatus,
    QuarantineItem,
    QuarantineState,
    Round,
    Story,
    StoryState,
    Visibility,
)
from tests.tui_support import FIXED, demo_app, screen_text, settle
from tui.screens.review import ReviewScreen


async def test_today_shows_the_round_and_what_needs_the_steward(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "round 2026-11" in text
        assert "What is a small risk you took recently" in text
        assert "waiting for a decision" in text and "in quarantine" in text


async def test_review_approves_a_pending_story_and_moves_on(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.current()
        assert first is not None and first.state in (StoryState.PENDING, StoryState.HELD)
        before = screen.table.row_count
        await pilot.press("a")
        await settle(pilot)
        assert screen.table.row_count == before - 1
        assert screen.current() is not None and screen.current().id != first.id
        stored = app.store.get(type(first), first.id)
        assert stored is not None and stored.state == StoryState.APPROVED


async def test_review_changes_visibility(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        post = app.screen.current()
        assert post is not None and post.visibility == Visibility.CIRCLE
        await pilot.press("v")
        await settle(pilot)
        assert app.store.get(type(post), post.id).visibility == Visibility.ANONYMOUS
        assert "anonymous" in screen_text(app)


async def test_review_edit_keeps_the_original(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        post = app.screen.current()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("TextArea").text = "Shorter words."
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = app.store.get(type(post), post.id)
        assert stored.text == "Shorter words." and stored.original_text == post.text


async def test_hosts_swap_two_rounds(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        before = {r.id: r.host_id for r in app.store.all(Round)}
        await pilot.press("down", "down", "s", "down", "s")  # 2027-02 <-> 2027-03
        await settle(pilot)
        after = {r.id: r.host_id for r in app.store.all(Round)}
        assert after["2027-02"] == before["2027-03"]
        assert after["2027-03"] == before["2027-02"]


async def test_hosts_approve_the_coming_question(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.store.get(Round, "2026-12").question_approved


async def test_members_pause_until_a_date(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        member = app.screen.current()
        assert member is not None and member.status == MemberStatus.ACTIVE
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"2027-01-31", "enter")
        await settle(pilot)
        stored = app.store.get(type(member), member.id)
        assert stored.status == MemberStatus.PAUSED
        assert stored.paused_until.isoformat() == "2027-01-31"


async def test_digest_preview_shows_the_plain_text_and_html_part(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot, lambda: app.screen.preview is not None)
        preview = app.screen.preview
        assert not preview.problem, preview.problem
        assert preview.plain.startswith("Subject: ")
        assert "What is a small risk you took recently" in preview.plain
        assert "What is a small risk" in preview.html_text
        await pilot.press("v")
        await pilot.pause()
        assert "HTML part" in screen_text(app)


async def test_quarantine_dismiss_and_assign(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        first = app.screen.current()
        assert first is not None and first.id == "q-4"  # newest: Kwame from home
        await pilot.press("a")
        await pilot.pause()
        option_list = app.screen.query_one("OptionList")
        index = next(i for i in range(option_list.option_count)
                     if option_list.get_option_at_index(i).id == "kwame")
        option_list.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.get(QuarantineItem, "q-4").state == QuarantineState.ASSIGNED
        story = next(s for s in app.store.all(Story) if s.message_id == first.message_id)
        assert story.member_id == "kwame" and story.state == StoryState.PENDING
        second = app.screen.current()
        await pilot.press("d")  # dismiss asks first (issue 14)
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.store.get(QuarantineItem, second.id).state == QuarantineState.DISMISSED
        assert app.screen.table.row_count == 2


async def test_member_text_is_never_markup(tmp_path: Path) -> None:
    hostile = "[@click=app.quit]click[/] [red]x[/red] [b]bold?[/b]"
    story = Story(id="s-hostile", round_id="2026-11", member_id="mei", text=hostile,
                  received_at=FIXED.replace(day=11, hour=0))
    app = demo_app(tmp_path, extra=[story])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.screen.table.move_cursor(row=app.screen.table.get_row_index("s-hostile"))
        await settle(pilot)
        assert app.screen.current().id == "s-hostile"
        assert hostile in screen_text(app)
        await pilot.click("#post-body", offset=(3, 1))
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_keys_are_remappable_from_config(tmp_path: Path) -> None:
    app = demo_app(tmp_path, approve="y")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        post = app.screen.current()
        await pilot.press("y")
        await settle(pilot)
        assert app.store.get(type(post), post.id).state == StoryState.APPROVED


async def test_palette_offers_actions_and_help_opens(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"swap")
        await pilot.pause(0.3)
        assert "Hosts: Swap" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert "Everywhere" in screen_text(app)


async def test_mail_stored_by_another_process_appears(tmp_path: Path) -> None:
    from data.store import TinyStore

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = TinyStore(tmp_path)  # as `circle run` would, in its own process
        other.put(Story(id="s-late", round_id="2026-11", member_id="jun", text="A small thing.",
                        received_at=FIXED))
        await settle(pilot, lambda: "s-late" in app.data.stories, timeout=8)
        assert any(p.id == "s-late" for p in app.data.review_queue())


async def test_review_lists_held_items_with_plain_reasons_and_today_counts_them(
        tmp_path: Path) -> None:
    held = Story("s-held-late", "2026-11", "ana", "Three short lines.\nAbout my week.\nThanks.",
                 FIXED, state=StoryState.HELD,
                 held_reasons=["too_long: 312 words (the limit is 300)"],
                 classify_reasons=["token-match", "has_new_text"])
    app = demo_app(tmp_path, extra=[held])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        waiting = app.data.review_queue(include_held=True)
        assert f"{len(waiting)} waiting for a decision" in screen_text(app)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "s-held-late" in screen.table.rows
        screen.table.move_cursor(row=screen.table.get_row_index("s-held-late"))
        await settle(pilot)
        text = screen_text(app)
        assert "Held because: It is 312 words long; the circle's limit is 300." in text
        for code in ("too_long", "token-match", "has_new_text"):
            assert code not in text
