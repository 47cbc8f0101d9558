"""One running demo: servers, seeded circle, mail loop + sender thread, simulated members."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import mailbox
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import FrameType
from typing import Any

from circle.app.ingest import IngestReport
from circle.errors import CircleError, MailError
from circle.model import Member, Round, RoundState
from cli.context import Context, load_context
from cli.demo.setup import (
    CIRCLE_ADDRESS,
    DemoDirs,
    MonthPace,
    current_story_authors,
    new_demo_dirs,
    next_host_for,
    remove_demo,
    seed,
    set_passwords,
)
from cli.demo.simulate import Simulator, Step, plan_steps
from data.locks import mail_loop_lock
from mail import devservers
from mail.devservers import DevServers
from mail.imap import ImapSource
from mail.loop import run_forever

log = logging.getLogger("circle.demo")
Say = Callable[[str], object]
IMAP_ENV = "CIRCLE_DEMO_IMAP"  # auto (default) | dovecot | pymap
DOVECOT_MISSING = (
    "The demo needs an IMAP server for members' mail: Dovecot, or the embedded pymap that\n"
    "`make demo` installs (pip install '.[demo]'). Install one of them, e.g.\n"
    "  .venv/bin/pip install -e '.[demo]'                   (embedded, no root)\n"
    "  sudo apt-get install dovecot-imapd dovecot-lmtpd     (Debian/Ubuntu)\n"
    "  sudo dnf install dovecot                             (Fedora)\n"
    "  brew install dovecot                                 (macOS)\n"
    "then run `make demo` again. Nothing else needs root: Dovecot runs as you, on 127.0.0.1.")


def send_due(ctx: Context) -> None:
    """Queue what the schedule and notices call for, then send the outbox (as `circle run`)."""
    from cli.commands.mailout import send_due as mailout_send_due

    asyncio.run(mailout_send_due(ctx))


def start_servers(directory: Path, imap: str = "") -> DevServers:
    """Start Dovecot (or, without it, the embedded pymap) + the SMTP relay.

    `imap` (default: $CIRCLE_DEMO_IMAP, else "auto") chooses; MailError with install
    instructions when neither server can run.
    """
    wanted = imap or os.environ.get(IMAP_ENV, "") or "auto"
    if wanted not in ("auto", "dovecot", "pymap"):
        raise MailError(f"{IMAP_ENV}={wanted}: use auto, dovecot or pymap")
    try:
        devservers.choose_imap(wanted)
    except MailError as exc:
        raise MailError(DOVECOT_MISSING if wanted == "auto" else str(exc)) from exc
    return devservers.start(directory, imap=wanted)


@dataclass
class Summary:
    """What the demo saw: mail sent by the simulation and what the loop made of it."""

    sent: list[tuple[Step, str]]
    fetched: int
    reports: list[str]


class DemoSession:
    """Start with `start()` (or `with`), stop with `stop()`; every process it starts it stops.

    `ctx` is the steward's context (for the TUI). With `run_loop` the mail loop (fetch, then
    send what is due) runs in a thread with its own store handle, holding the mail-loop lock as
    `circle run` would. Without it (the TUI fetches in its own worker), a thread only sends
    what is due every `send_every` seconds: receipts, confirmations, reminders, the digest.
    """

    def __init__(self, *, interval: float = 15.0, parent: Path | None = None,
                 say: Say | None = None, simulate: bool = True, run_loop: bool = True,
                 send_every: float = 2.0) -> None:
        self.interval = interval
        self.parent = parent
        self.say: Say = say or (lambda line: log.info("%s", line))
        self.simulate = simulate
        self.run_loop = run_loop
        self.send_every = send_every
        # The month in minutes: the invitation to host after ~2.5 emails' time, the reminder
        # after ~6 (cli.demo.setup.compress_month).
        self.pace = MonthPace(invite_in=2.5 * interval, reminder_in=6.0 * interval)
        self.dirs: DemoDirs | None = None
        self.servers: DevServers | None = None
        self.ctx: Context | None = None
        self.loop_ctx: Context | None = None
        self.simulator: Simulator | None = None
        self.stop_event = threading.Event()
        self.fetched = 0
        self.reports: list[str] = []
        self.errors: list[str] = []
        self.passes = 0
        self.started_at = datetime.now(UTC)
        self._threads: list[threading.Thread] = []
        self._stopped = False
        self._pass_done = threading.Condition()

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> DemoSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Context:
        """Servers up, circle seeded, mail loop and simulation running; the steward's context."""
        atexit.register(self.stop)
        self.dirs = new_demo_dirs(self.parent)
        self.say(f"Demo directory: {self.dirs.root}")
        try:
            self.servers = start_servers(self.dirs.mail)
            if self.servers.kind != "dovecot":
                self.say("Dovecot not found: mail runs on the embedded IMAP server (pymap)")
            _remember_pids(self.dirs, self.servers)
            now = datetime.now(UTC)
            self.started_at = now
            self.ctx = seed(self.dirs, self.servers, now, self.pace)
            self.loop_ctx = load_context(self.dirs.config_path)
            if self.run_loop:
                self._spawn(self._mail_loop, "demo-mail-loop")
            else:
                self._spawn(self._sender, "demo-sender")
            if self.simulate:
                self.simulator = self._make_simulator(now)
                self._spawn(self.simulator.run, "demo-members")
        except BaseException:
            self.stop()
            if self.servers is None:  # nothing to read later: leave no empty demo behind
                remove_demo(self.dirs)
            raise
        return self.ctx

    def stop(self) -> None:
        """Stop the threads, then the servers (idempotent; safe from atexit and signals)."""
        if self._stopped:
            return
        self._stopped = True
        self.stop_event.set()
        if self.simulator is not None:
            self.simulator.stop_event.set()
        for thread in self._threads:
            thread.join(timeout=15)
        if self.servers is not None:
            self.servers.stop()
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _make_simulator(self, now: datetime) -> Simulator:
        assert self.ctx is not None and self.servers is not None
        store = self.ctx.store
        current = next(r for r in store.all(Round) if r.state == RoundState.OPEN)
        invitee, host = next_host_for(store)
        steps = plan_steps(store.all(Member), current_story_authors(store, current.id), now,
                           invitee=invitee, host=host)

        def said(step: Step, outcome: str) -> None:
            self.say(f"member mail: {step.describe()} — {outcome}")
        return Simulator(self.servers, steps, interval=self.interval, on_sent=said,
                         wait_timeout=max(30.0, 8 * self.interval))

    # -- the mail loop ----------------------------------------------------------------------
    def _mail_loop(self) -> None:
        ctx = self.loop_ctx
        assert ctx is not None
        lock = mail_loop_lock(ctx.data_dir)
        try:
            lock.acquire()
        except CircleError as exc:
            self.say(f"mail loop not started here: {exc}")
            return
        try:
            with ImapSource(ctx.config.imap, stop_event=self.stop_event) as source:
                run_forever(source, ctx.store, ctx.store.archive, ctx.config, ctx.secret,
                            ctx.clock, self.stop_event, after_fetch=[self._after_fetch],
                            on_report=self._on_report, on_error=self._on_error,
                            idle_timeout=1.5, error_backoff=1.0, max_error_backoff=5.0)
        except Exception as exc:  # never a traceback over the TUI: report it
            self._on_error(exc)
        finally:
            lock.release()

    def _sender(self) -> None:
        """Without our own loop (the TUI fetches): send what is due every few seconds."""
        while not self.stop_event.wait(self.send_every):
            self._after_fetch()

    def _after_fetch(self) -> None:
        assert self.loop_ctx is not None
        try:
            send_due(self.loop_ctx)
        except Exception as exc:
            self._on_error(exc)
        with self._pass_done:
            self.passes += 1
            self._pass_done.notify_all()

    def _on_report(self, report: IngestReport) -> None:
        if report.fetched:
            self.fetched += report.fetched
            self.reports.append(report.summary())
            self.say(f"mail loop: {report.summary()}")

    def _on_error(self, exc: BaseException) -> None:
        self.errors.append(str(exc))
        self.say(f"mail loop problem: {exc}")

    def wait_passes(self, count: int, timeout: float) -> bool:
        """Wait until the loop has made `count` more passes (fetch + send); False on timeout."""
        with self._pass_done:
            target = self.passes + count
            return self._pass_done.wait_for(lambda: self.passes >= target, timeout=timeout)

    def summary(self) -> Summary:
        """What happened so far."""
        sent = list(self.simulator.done) if self.simulator else []
        return Summary(sent=sent, fetched=self.fetched, reports=list(self.reports))

    def connection_help(self) -> str:
        """How to point a mail client at the demo to be a member yourself."""
        s = self.servers
        assert s is not None and self.dirs is not None
        imaps = f"  IMAPS {s.host}:{s.imaps_port}" if s.imaps_port else ""
        server = "Dovecot" if s.kind == "dovecot" else "embedded pymap"
        return (f"Be a member yourself: point a mail client at ({server})\n"
                f"  IMAP {s.host}:{s.imap_port} (plain; STARTTLS offered){imaps}\n"
                f"  SMTP {s.host}:{s.smtp_port} (plain, no auth needed)  submission "
                f"{s.submission_port} (STARTTLS)  SMTPS {s.smtps_port}\n"
                f"  user: any member address, e.g. mei@example.org or rafael@example.org; "
                f"password: {s.catchall_password}\n"
                f"  the circle itself is {CIRCLE_ADDRESS} (its mail loop runs here)\n"
                f"  certificate to trust: {s.ca_file}\n"
                f"  config: {self.dirs.config_path}  (circle --config {self.dirs.config_path} ...)")


def _remember_pids(dirs: DemoDirs, servers: DevServers) -> None:
    if servers.relay is not None:
        (dirs.root / "relay.pid").write_text(f"{servers.relay.pid}\n", encoding="ascii")
    if servers.imap_proc is not None:
        (dirs.root / "imap.pid").write_text(f"{servers.imap_proc.pid}\n", encoding="ascii")


def install_signal_handlers(session: DemoSession) -> dict[int, Any]:
    """SIGTERM/SIGHUP stop the demo cleanly (as Ctrl-C does); returns the previous handlers."""
    def handler(signum: int, _frame: FrameType | None) -> None:
        session.stop()
        raise SystemExit(128 + signum)
    previous: dict[int, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, handler)
    return previous


def restore_signal_handlers(previous: dict[int, Any]) -> None:
    """Put back the handlers `install_signal_handlers` replaced."""
    for sig, old in previous.items():
        signal.signal(sig, old)


def read_inbox(dirs: DemoDirs, address: str) -> list[EmailMessage]:
    """Every message in a demo mailbox, oldest first (read from the Maildir on disk)."""
    path = dirs.mail / "mail" / address.lower() / "Maildir"
    if not path.exists():
        return []
    box = mailbox.Maildir(str(path), factory=None, create=False)
    parser = BytesParser(policy=policy.default)
    messages: list[tuple[float, EmailMessage]] = []
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        msg = parser.parsebytes(raw)
        messages.append((_sent_at(msg, box.get_message(key).get_date()), msg))
    return [m for _t, m in sorted(messages, key=lambda pair: pair[0])]


def _sent_at(msg: EmailMessage, fallback: float) -> float:
    """The message's Date header as a timestamp, else when it was delivered."""
    try:
        when = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError):
        return fallback
    return when.timestamp() if when.tzinfo else fallback


def mailboxes(dirs: DemoDirs) -> list[str]:
    """The addresses that have a mailbox in the demo."""
    base = dirs.mail / "mail"
    if not base.exists():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "Maildir").exists())


__all__ = ["DemoSession", "Summary", "mailboxes", "read_inbox", "send_due", "set_passwords",
           "start_servers"]
