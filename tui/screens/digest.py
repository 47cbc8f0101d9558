"""Digest: the live preview exactly as members will read it, sending, and the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, ProgressBar, Static

from circle import outbox
from circle.app import apply_or_refuse
from circle.app.intents import OutboxAction, ResolveOutbox
from circle.model import Member, OutboxItem, OutboxState, Round, RoundState
from tui import workers
from tui.bindings import bindings_for
from tui.messages import DigestComposed
from tui.screens.base import CircleScreen
from tui.screens.confirm import ConfirmScreen
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

    def compose_body(self) -> ComposeResult:
        """Preview, progress, outbox."""
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
            def compose() -> None:
                app.writer.wait()  # the preview reads the store: let pending changes land
                workers.compose_preview(app.store, app.config, app.secret, app.now(), rnd.id,
                                        post=self.post_message)
            self.run_worker(compose, thread=True, group="preview", exclusive=True,
                            exit_on_error=False)
        else:
            self.query_one("#digest-text", Static).update(
                Text("No question has gone out yet, so there is no digest to prepare.",
                     style="italic"))
        self._fill_outbox()
        self.show_progress()

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
        self.preview = message
        self._show_preview()

    def _show_preview(self) -> None:
        message, rnd = self.preview, self.digest_round()
        box = self.query_one("#digest-preview", VerticalScroll)
        part = "HTML part, as text" if self.show_html else "plain-text email"
        who = len(self.recipients())
        box.border_title = f"Digest {rnd.id if rnd else ''} · {part} · to {who} members"
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

    def current_item(self) -> str | None:
        """The outbox item id under the cursor."""
        table = self.query_one("#outbox-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Sending needs a relay, a round, and no send in progress; outbox keys need an item."""
        if action in ("send_test", "send_all"):
            rnd = self.digest_round()
            ok = self.capp.sink is not None and rnd is not None and not self.capp.sending
            if action == "send_all" and rnd is not None:
                ok = ok and rnd.state != RoundState.DIGEST_SENT
            return ok
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
            f"nothing.{by}", f"Send to {len(recipients)}"), confirmed)

    def _outbox_change(self, what: str, fn: Callable[[OutboxItem, datetime], OutboxItem],
                       action: OutboxAction) -> None:
        item = self.data.outbox.get(self.current_item() or "")
        if item is not None:
            self.act(what, ResolveOutbox(refs=(item.id,), action=action),
                     lambda: [fn(item, self.capp.now())])

    def action_resend_item(self) -> None:
        """Queue the item again and send it now."""
        item = self.data.outbox.get(self.current_item() or "")
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
