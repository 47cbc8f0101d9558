"""Digest: the live preview exactly as members will read it (or as one member will), the
steward's note, approval, sending and what it did, and the outbox with each item readable.

The steps are the CLI's: preview, approve (`a`), send (`S`, refused until approved); after
sending, the status line says how many copies the relay took and when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, ProgressBar, Static

from circle import outbox
from circle.app import apply_or_refuse
from circle.app.digests import digest_delivery
from circle.app.intents import ApproveDigest, OutboxAction, ResolveOutbox, SetDigestNote
from circle.carrying import digest_gone
from circle.model import Member, OutboxItem, OutboxState, Round
from tui import workers
from tui.bindings import bindings_for
from tui.messages import DigestComposed, OutboxItemRead
from tui.screens.base import CircleScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.edit_text import EditTextScreen
from tui.screens.outbox_item import OutboxItemScreen
from tui.screens.pick import PickScreen
from tui.widgets.filter import FilterBar
from tui.widgets.render import day_time, one_line, plain
from tui.widgets.tables import StableTable

SHOWN = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.FAILED_TEMPORARY,
    OutboxState.FAILED_PERMANENT, OutboxState.UNCERTAIN)
STATE_STYLE = {OutboxState.UNCERTAIN: "yellow", OutboxState.FAILED_TEMPORARY: "yellow",
               OutboxState.FAILED_PERMANENT: "red", OutboxState.QUEUED: "dim"}


class DigestScreen(CircleScreen):
    """Preview (plain text or the HTML part as text), send a test or to all, fix the outbox."""

    MODE = "digest"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("digest")]

    def __init__(self) -> None:
        super().__init__()
        self.show_html = False
        self.preview: DigestComposed | None = None
        self.reader: str | None = None  # the member whose own copy is previewed, or None

    def compose_body(self) -> ComposeResult:
        """Status, preview, progress, outbox."""
        yield Static("", id="digest-status")
        with VerticalScroll(id="digest-preview"):
            yield Static("Composing the digest…", id="digest-text")
        yield ProgressBar(id="digest-progress", show_eta=False)
        yield FilterBar("outbox-table")
        table = StableTable(id="outbox-table")
        table.add_columns("To", "Kind", "State", "Tries", "Why")
        yield table

    def digest_round(self) -> Round | None:
        """The round whose digest is being prepared: the latest whose question went out."""
        asked = [r for r in self.data.rounds.values() if "question" in r.fired]
        return max(asked, key=lambda r: r.gathering) if asked else None

    def recipients(self) -> list[Member]:
        """Members who would receive the digest now."""
        return self.data.digest_recipients(self.capp.today())

    def refresh_data(self) -> None:
        """Compose the preview in a worker; redraw the outbox at once."""
        if not self.data.loaded:
            return
        rnd, app = self.digest_round(), self.capp
        if rnd is not None:
            reader = self.reader if self.reader in self.data.members else None

            def compose() -> None:
                app.writer.wait()  # the preview reads the store: let pending changes land
                workers.compose_preview(app.store, app.config, app.secret, app.now(), rnd.id,
                                        post=self.post_message, member_id=reader)
            self.run_worker(compose, thread=True, group="preview", exclusive=True,
                            exit_on_error=False)
        else:
            self.query_one("#digest-text", Static).update(
                Text("No question has gone out yet, so there is no digest to prepare.",
                     style="italic"))
        self._fill_outbox()
        self.show_progress()

    def status_text(self) -> Text:
        """Where the digest stands (approval, sending, sent to N at HH:MM), the steward's note
        and whose copy the preview shows."""
        rnd, tz = self.digest_round(), self.capp.config.tz
        text = Text()
        if rnd is None:
            return text
        delivery = digest_delivery(self.data.outbox.values(), rnd.id)
        done, total = self.capp.send_progress
        if self.capp.sending:
            text.append(f"Sending… {done} of {total} handed to the relay.", style="bold")
        elif digest_gone(rnd) and delivery.done and delivery.last_sent_at is not None:
            text.append(f"Sent to {delivery.sent} members at "
                        f"{delivery.last_sent_at.astimezone(tz):%H:%M} "
                        f"({day_time(delivery.last_sent_at, tz)[:10]}).", style="green bold")
        elif digest_gone(rnd) and (delivery.sent or delivery.waiting or delivery.failed):
            text.append(f"Sent to {delivery.sent} members so far; {delivery.waiting} still to "
                        f"go, {delivery.failed} failed — see the outbox below.", style="yellow")
        elif digest_gone(rnd):
            text.append("This digest went out (its copies have moved to the archive).",
                        style="green")
        elif rnd.digest_approved:
            text.append(f"Approved. S sends it to {len(self.recipients())} members.",
                        style="green")
        else:
            text.append("Not approved yet: read it, a approves it, then S sends it.",
                        style="yellow")
        text.append("\nNote: ", style="dim")
        if rnd.digest_note:
            text.append_text(plain(one_line(rnd.digest_note, 30)))
        else:
            text.append("none" + ("" if digest_gone(rnd) else " (n)"), style="dim")
        reader = self.data.members.get(self.reader or "")
        text.append(" · Preview: ", style="dim")
        text.append(f"as {one_line(reader.name, 24)} will see it (m)" if reader else
                    "placeholder links (m: as a member)")
        return text

    def _fill_outbox(self) -> None:
        table = self.query_one("#outbox-table", StableTable)
        items = sorted((o for o in self.data.outbox.values() if o.state in SHOWN),
                       key=lambda o: (o.state != OutboxState.UNCERTAIN, o.created_at))
        table.fill((item.id, (Text(item.recipient), Text(item.kind),
                              Text(item.state.value, style=STATE_STYLE.get(item.state, "")),
                              str(item.attempts), Text(one_line(item.last_error, 40))))
                   for item in items)
        table.border_title = (f"Outbox: {len(items)} waiting, failed or uncertain" if items
                              else "Outbox: everything was delivered")
        self.refresh_keys()

    def on_digest_composed(self, message: DigestComposed) -> None:
        """The worker finished composing."""
        if message.member_id != (self.reader or ""):
            return  # an older preview, for another reader
        self.preview = message
        self._show_preview()

    def _show_preview(self) -> None:
        message, rnd = self.preview, self.digest_round()
        box = self.query_one("#digest-preview", VerticalScroll)
        part = "HTML part, as text" if self.show_html else "plain-text email"
        who = len(self.recipients())
        reader = self.data.members.get(self.reader or "")
        as_who = f"as {reader.name} will see it" if reader else f"to {who} members"
        # a Text, not a str: border titles are markup, and a member's name is theirs to write
        box.border_title = Text(f"Digest {rnd.id if rnd else ''} · {part} · {as_who}")
        self.query_one("#digest-status", Static).update(self.status_text())
        text = self.query_one("#digest-text", Static)
        if message is None:
            return
        if message.problem:
            text.update(Text(f"The digest cannot be composed: {message.problem}", style="red"))
            return
        text.update(plain(message.html_text if self.show_html else message.plain))

    def show_progress(self) -> None:
        """Show or hide the progress bar from the app's sending state."""
        bar = self.query_one("#digest-progress", ProgressBar)
        bar.set_class(self.capp.sending, "sending")
        done, total = self.capp.send_progress
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#digest-status", Static).update(self.status_text())

    def current_item(self) -> str | None:
        """The outbox item id under the cursor."""
        table = self.query_one("#outbox-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Sending needs a relay, a round, and no send in progress; outbox keys need an item."""
        rnd = self.digest_round()
        if action in ("send_test", "send_all"):
            ok = self.capp.sink is not None and rnd is not None and not self.capp.sending
            if action == "send_all" and rnd is not None:
                if not ok or digest_gone(rnd):
                    return False
                return True if rnd.digest_approved else None  # shown, waits for approval
            return ok
        if action == "approve_digest":
            return rnd is not None and not digest_gone(rnd) and not rnd.digest_approved
        if action == "digest_note":
            return rnd is not None and not digest_gone(rnd)
        if action == "preview_member":
            return rnd is not None
        if action == "outbox_detail":
            return self.data.outbox.get(self.current_item() or "") is not None
        if action in ("resend_item", "drop_item"):
            item = self.data.outbox.get(self.current_item() or "")
            if item is None or self.capp.sending:
                return False
            if action == "resend_item":
                return item.state in (OutboxState.UNCERTAIN, OutboxState.FAILED_TEMPORARY,
                                      OutboxState.FAILED_PERMANENT)
            return item.state != OutboxState.SENDING
        return True

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Keys follow the selected item."""
        self.refresh_keys()

    def action_toggle_part(self) -> None:
        """Plain text or HTML part."""
        self.show_html = not self.show_html
        self._show_preview()

    def action_approve_digest(self) -> None:
        """Approve the digest as previewed (the same step as `circle digest approve`)."""
        rnd = self.digest_round()
        if rnd is not None:
            self.act("approve the digest", ApproveDigest(round_id=rnd.id),
                     lambda: [replace(rnd, digest_approved=True)])
            self.notify(f"The digest of {rnd.id} is approved: S sends it.", timeout=4)

    def action_digest_note(self) -> None:
        """Write or change the steward's note at the top of the digest."""
        rnd = self.digest_round()
        if rnd is None:
            return

        def saved(text: str | None) -> None:
            if text is None or text.strip() == rnd.digest_note:
                return
            self.act("save the note", SetDigestNote(round_id=rnd.id, text=text),
                     lambda: [replace(rnd, digest_note=text.strip())])
        self.app.push_screen(EditTextScreen(
            f"The steward's note for the {rnd.id} digest",
            rnd.digest_note, "It opens the digest, signed by you. ctrl+s saves · escape "
            "cancels · an empty note removes it"), saved)

    def action_preview_member(self) -> None:
        """Choose whose own copy the preview shows (or the placeholder links)."""
        choices = [("*", "Everyone: placeholder reply links")]
        choices += [(m.id, f"{m.name} <{m.email}>")
                    for m in sorted(self.recipients(), key=lambda m: m.name)]

        def chosen(member_id: str | None) -> None:
            if member_id is None:
                return
            self.reader = None if member_id == "*" else member_id
            self.preview = None
            self.query_one("#digest-text", Static).update(Text("Composing…", style="italic"))
            self.refresh_data()
        self.app.push_screen(PickScreen("Preview the digest as…", choices), chosen)

    def action_outbox_detail(self) -> None:
        """Open the item under the cursor: why it waits, and the message itself."""
        self._read_item("read")

    def _read_item(self, purpose: str) -> None:
        item_id, store = self.current_item(), self.capp.store
        if item_id is None:
            return
        self.run_worker(lambda: workers.read_outbox_item(store, item_id, purpose,
                                                         post=self.post_message),
                        thread=True, group="outbox-item", exclusive=True, exit_on_error=False)

    def on_outbox_item_read(self, message: OutboxItemRead) -> None:
        """The item's message was read: show it (and, for a resend, ask)."""
        item = self.data.outbox.get(message.item_id)
        if item is None or message.problem:
            self.notify(message.problem or "the item is gone", title="Cannot open the item",
                        severity="warning")
            return
        resend = message.purpose == "resend"

        def answered(yes: bool | None) -> None:
            if yes:
                self._resend(message.item_id)
        self.app.push_screen(OutboxItemScreen(item, message.headline, message.text,
                                              resend=resend), answered)

    def action_send_test(self) -> None:
        """Send the digest to the steward only."""
        rnd, app = self.digest_round(), self.capp
        if rnd is not None:
            app.start_sending(lambda: workers.queue_test(app.store, app.config, app.secret,
                                                         app.now(), rnd.id), "test")
            self.notify(f"A test copy is on its way to {app.config.steward_email}", timeout=4)

    def action_send_all(self) -> None:
        """Ask, then send the digest to every member who receives mail."""
        rnd, recipients = self.digest_round(), self.recipients()
        if rnd is None:
            return
        if not rnd.digest_approved:
            self.notify("Read the preview and approve it first (a), as with `circle digest "
                        "approve`.", title="Not approved yet", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                app = self.capp
                app.start_sending(lambda: workers.queue_all(app.store, app.config, app.secret,
                                                            app.now(), rnd.id), "digest")
        when = day_time(rnd.gathering, self.capp.config.tz)
        now, tz = self.capp.now(), self.capp.config.tz  # the relay's per_minute, max_per_day:
        finish = outbox.finish_adding(self.data.outbox.values(), now, self.capp.config.smtp,
                                      "digest", len(recipients))
        by = (f" At the relay's limits the last should go by {day_time(finish, tz)}."
              if finish is not None and finish - now > timedelta(minutes=1) else "")
        self.app.push_screen(ConfirmScreen(
            f"Send the digest for {rnd.id}?",
            f"{len(recipients)} members will receive it now, each with their own reply "
            f"links. The gathering is {when}. Paused members and those who left receive "
            f"nothing.{by}", f"Send to {len(recipients)}", careful=True), confirmed)

    def _outbox_change(self, what: str, fn: Callable[[OutboxItem, datetime], OutboxItem],
                       action: OutboxAction) -> None:
        item = self.data.outbox.get(self.current_item() or "")
        if item is not None:
            self.act(what, ResolveOutbox(refs=(item.id,), action=action),
                     lambda: [fn(item, self.capp.now())])

    def action_resend_item(self) -> None:
        """Show what will be sent (the reason and the message), then resend if confirmed."""
        self._read_item("resend")

    def _resend(self, item_id: str) -> None:
        """Queue the item again and send it now."""
        item = self.data.outbox.get(item_id)
        if item is None:
            return
        try:
            again = outbox.resend(item, self.capp.now())
        except Exception as exc:
            self.capp.report("Cannot resend", exc)
            return
        app = self.capp
        self.data.patch(again)
        now = app.now()

        def prepare() -> list[OutboxItem]:
            return list(apply_or_refuse(app.store, ResolveOutbox(refs=(item.id,),
                                                                 action="resend"), now).records)
        app.start_sending(prepare, "resend")

    def action_drop_item(self) -> None:
        """Give up on the item (kept, never sent)."""
        self._outbox_change("drop", outbox.drop, "drop")
