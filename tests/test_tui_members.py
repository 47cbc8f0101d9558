"""Members, the filter of every list and stable tables, driven with Pilot on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from circle.model import Member
from tests.tui_support import demo_app, screen_text, settle
from tui.widgets.filter import FilterBar
from tui.widgets.tables import StableTable


def _keys(table: StableTable) -> list[str]:
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value)
            for i in range(table.row_count)]


async def test_roles_shown_and_switched_and_kept_in_the_store(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "Hosting" in screen_text(app)
        table = app.screen.query_one("#members-table", StableTable)
        jun = _keys(table).index("jun")
        table.move_cursor(row=jun)
        await pilot.pause()
        assert app.screen.current().id == "jun"
        assert not app.store.get(Member, "jun").can_host
        await pilot.press("h")
        await settle(pilot)
        assert app.store.get(Member, "jun").can_host
        assert app.screen.current().id == "jun"  # the cursor stayed on the record
        await pilot.press("h")
        await settle(pilot)
        assert not app.store.get(Member, "jun").can_host


async def test_member_detail_says_what_the_delivery_problem_is(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "slash", *"tomasz", "enter")
        await settle(pilot)
        table = app.screen.query_one("#members-table", StableTable)
        assert _keys(table) == ["tomasz"]
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "452 4.2.2 Mailbox full" in text
        assert "not delivered for now" in text
        assert "Stories (" in text and "Hosting" in text
        await pilot.press("escape")
        await settle(pilot)
        assert "Mailbox full" not in screen_text(app)
        assert app.screen.query_one("#members-table", StableTable).row_count == 1
        await pilot.press("escape")  # the table has the focus: escape clears the filter
        await settle(pilot)
        assert app.screen.query_one("#members-table", StableTable).row_count == 12
        assert not app.screen.query_one(FilterBar).active


async def test_paused_member_detail_says_until_when(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4", "slash", *"ingrid", "enter", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "paused until" in text and "resumes by itself" in text


@pytest.mark.parametrize(("screen", "table_id", "query", "expected"), [
    ("2", "queue", "held", 6),
    ("5", "hosts-table", "planned", 10),
    ("6", "outbox-table", "mailbox full", 1),
    ("7", "quarantine-list", "automatic", 1),
])
async def test_every_list_filters_and_escape_clears(tmp_path: Path, screen: str, table_id: str,
                                                    query: str, expected: int) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(screen)
        await settle(pilot)
        table = app.screen.query_one(f"#{table_id}", StableTable)
        before = table.row_count
        await pilot.press("slash", *query)
        await settle(pilot)
        assert table.row_count == expected < before
        await pilot.press("escape")  # in the box: clears at once
        await settle(pilot)
        assert table.row_count == before
        assert app.focused is table


async def test_filter_survives_a_reload_and_typing_does_not_act(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "slash", *"hélène")  # "h" "e" … would hold and edit
        await settle(pilot)
        table = app.screen.query_one("#queue", StableTable)
        assert table.row_count == 2
        app.action_reload()
        await settle(pilot)
        assert table.row_count == 2
        assert all(p.state.value in ("pending", "held") for p in app.data.stories.values()
                   if p.round_id == "2026-11" and p.member_id == "helene")


async def test_cursor_and_scroll_stay_on_the_record_across_refreshes(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 16)) as pilot:  # short: the rotation must scroll
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one("#hosts-table", StableTable)
        await pilot.press(*["down"] * 11)
        await settle(pilot)
        key, scroll = table.current_key(), table.scroll_y
        assert scroll > 0
        for _ in range(3):
            app.action_reload()
            await settle(pilot)
        assert table.current_key() == key
        assert table.scroll_y == scroll


async def test_a_filter_with_brackets_is_words_not_markup(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4", "slash", *"[/b]x")
        await settle(pilot)
        table = app.screen.query_one("#members-table", StableTable)
        assert table.row_count == 0
        assert "[/b]x" in screen_text(app)


def test_hosting_from_the_command_line_is_what_the_screen_shows(tmp_path: Path) -> None:
    """`circle members hosting NAME yes|no` is the same SetHosting intent as key h."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli.main", "--config",
                               str(tmp_path / "config.toml"), *args], cwd=root,
                              capture_output=True, text=True, timeout=60)
    assert run("init", "--name", "Test Circle", "--address", "circle@circle.test",
               "--steward-email", "steward@circle.test", "--timezone", "UTC",
               "--data-dir", str(tmp_path / "data")).returncode == 0
    assert run("members", "add", "Ana Ruiz", "ana@example.org").returncode == 0
    r = run("members", "hosting", "ana", "no")
    assert r.returncode == 0 and r.stdout == "Ana Ruiz will not be asked to host.\n"
    rows = [json.loads(line) for line in run("members", "list", "--json").stdout.splitlines()]
    assert [row["can_host"] for row in rows] == [False]
    r = run("members", "hosting", "ana", "maybe")
    assert r.returncode != 0 and "invalid choice" in r.stderr
    assert run("members", "hosting", "ana", "yes").returncode == 0
    rows = [json.loads(line) for line in run("members", "list", "--json").stdout.splitlines()]
    assert [row["can_host"] for row in rows] == [True]


async def test_escape_still_cancels_a_swap_on_hosts(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5", "s")
        await settle(pilot)
        assert app.screen.swap_from == "2026-12"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.swap_from is None
        assert "Swapping" not in screen_text(app)


async def test_add_member_with_a_taken_address_stays_open_then_saves(tmp_path: Path) -> None:
    """Add member: another member's address shows the error under Email and keeps the
    dialog and what was typed; fixing it and pressing Enter adds the member."""
    from textual.widgets import Input

    from tui.screens.form import FormScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        taken = app.store.get(Member, "jun").email
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Noor Haddad", "tab", *taken, "enter")
        await pilot.pause()
        assert app.screen is form  # still open
        assert form.query_one("#field-name", Input).value == "Noor Haddad"
        email = form.query_one("#field-email", Input)
        assert email.value == taken and email.has_focus
        error = form.query_one("#error-email")
        assert error.has_class("shown") and "already belongs to" in str(error.render())
        assert "already belongs to" in screen_text(app)
        assert not [m for m in app.store.all(Member) if m.name == "Noor Haddad"]
        email.value = ""
        await pilot.press(*"noor@example.org", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        noor = [m for m in app.store.all(Member) if m.name == "Noor Haddad"]
        assert [m.email for m in noor] == ["noor@example.org"]


async def test_edit_member_and_pause_show_errors_inline(tmp_path: Path) -> None:
    """Edit with an empty name and a taken other address, and a pause until a past day:
    each error sits under its field and nothing is saved until it is fixed."""
    from textual.widgets import Input

    from tui.screens.form import FormScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#members-table", StableTable)
        table.move_cursor(row=_keys(table).index("jun"))
        await pilot.pause()
        taken = app.store.get(Member, "tomasz").email
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-name", Input).value = " "
        form.query_one("#field-aliases", Input).value = taken
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        assert "needs a name" in str(form.query_one("#error-name").render())
        assert "already belongs to" in str(form.query_one("#error-aliases").render())
        assert not form.query_one("#error-email").has_class("shown")
        assert form.query_one("#field-name", Input).has_focus
        form.query_one("#field-name", Input).value = "Jun W."
        form.query_one("#field-aliases", Input).value = "jun.w@example.org"
        await pilot.press("enter")
        await settle(pilot)
        jun = app.store.get(Member, "jun")
        assert (jun.name, jun.aliases) == ("Jun W.", ["jun.w@example.org"])
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"2026-01-01", "enter")
        await pilot.pause()
        assert app.screen is form
        assert "that date has passed" in str(form.query_one("#error-until").render())
        assert form.query_one("#field-until", Input).value == "2026-01-01"
        await pilot.press("escape")
        await settle(pilot)
        assert app.store.get(Member, "jun").status.value == "active"
