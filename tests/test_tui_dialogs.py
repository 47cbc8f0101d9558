"""Dialogs (Pilot, demo store): Enter saves a valid form without moving focus, the keys are
shown, an error appears next to its field and the dialog stays open with the input kept."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TextArea

from circle.model import Member, QuarantineItem, QuarantineState, Round, Story
from tests.tui_support import demo_app, screen_text, settle
from tui.screens.confirm import ConfirmScreen
from tui.screens.edit_text import EditTextScreen
from tui.screens.form import FormScreen


async def test_enter_in_the_first_field_saves_and_does_not_select_the_next(
        tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        app.screen.table.move_cursor(row=app.screen.table.get_row_index("q-1"))
        await pilot.press("m")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "enter saves" in screen_text(app) and "escape cancels" in screen_text(app)
        name = form.query_one("#field-name", Input)
        assert name.has_focus
        name.value = "Sam Taylor"
        await pilot.press("enter")  # in the first of two fields: saves (the form is valid)
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        sam = [m for m in app.store.all(Member) if m.email == "sam.taylor@elsewhere.example"]
        assert [m.name for m in sam] == ["Sam Taylor"]


async def test_an_invalid_form_shows_the_error_inline_and_keeps_the_input(
        tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        app.screen.table.move_cursor(row=app.screen.table.get_row_index("q-1"))
        taken = next(m for m in app.store.all(Member)).email
        await pilot.press("m")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-name", Input).value = "Sam T."
        email = form.query_one("#field-email", Input)
        email.value = taken
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form  # still open
        assert form.query_one("#field-name", Input).value == "Sam T."
        assert email.value == taken and email.has_focus
        error = form.query_one("#error-email")
        assert error.has_class("shown") and "already belongs to" in str(error.render())
        await pilot.press("end", *"x")  # typing goes on where it was, nothing selected
        assert email.value == taken + "x"
        await pilot.press("escape")
        await settle(pilot)
        assert app.store.get(QuarantineItem, "q-1").state == QuarantineState.OPEN


async def test_the_editor_keeps_the_text_after_an_error_and_ctrl_s_saves(
        tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        post = app.screen.current()
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditTextScreen)
        assert "ctrl+s saves" in screen_text(app)
        area = editor.query_one(TextArea)
        area.text = "   "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and area.text == "   "
        assert "The text is empty" in screen_text(app)
        area.text = "Kept words.\nSecond line."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.store.get(Story, post.id).text == "Kept words.\nSecond line."


async def test_confirm_shows_its_keys_and_n_leaves_it(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        item = app.screen.current()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "y or enter: yes" in screen_text(app) and "n or escape: no" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.store.get(QuarantineItem, item.id).state == QuarantineState.OPEN
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.store.get(QuarantineItem, item.id).state == QuarantineState.DISMISSED


async def test_an_empty_question_on_hosts_stays_in_the_editor(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        rnd = app.screen.coming()
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditTextScreen)
        area = editor.query_one(TextArea)
        area.text = "  "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and area.text == "  "
        assert "The question is empty" in screen_text(app)
        area.text = "What did a student teach you this term?"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = app.store.get(Round, rnd.id)
        assert saved.question == "What did a student teach you this term?"
        assert not saved.question_approved


async def test_help_reads_well_at_80_columns(tmp_path: Path) -> None:
    """Keys as typed (j or ], not right_square_bracket) in a narrow column; a long
    description wraps under itself, never under the keys."""
    from tui.screens.help import HelpScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        approve = next(line for line in lines if "Approve: Approve for the digest" in line)
        assert "a        Approve:" in approve  # the key column is as wide as its keys
        column = approve.index("Approve:")
        assert any("j or ]" in line and "Next: Next item" in line for line in lines)
        wrapped = next(n for n, line in enumerate(lines) if "Visibility: Cycle" in line)
        assert lines[wrapped + 1][column - 2:column].isspace()  # no key beside the wrap
        assert lines[wrapped + 1][column:column + 1].strip()  # it goes on in its column
        assert "right_square_bracket" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
