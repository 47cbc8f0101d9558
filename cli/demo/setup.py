"""Build the throwaway demo: its directory, a config for the local servers, seeded store, mail."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import smtplib
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from circle.app.rounds import load_digest, mail_setting
from circle.compose import digest_mail, digest_reply_keys, question
from circle.model import (
    HostState,
    Member,
    MemberStatus,
    OutboxItem,
    OutboxState,
    ReplyKey,
    Round,
    RoundState,
    Story,
)
from circle.outbox import new_item, sent, start
from cli.context import Context, load_context
from cli.demo.seed import build_demo
from mail.devservers import DevServers

MARKER = ".circle-demo"
IMAP_PASSWORD_ENV = "CIRCLE_DEMO_IMAP_PASSWORD"  # noqa: S105 - a variable name
SMTP_PASSWORD_ENV = "CIRCLE_DEMO_SMTP_PASSWORD"  # noqa: S105 - a variable name
CIRCLE_ADDRESS = "circle@example.org"


@dataclass(frozen=True)
class DemoDirs:
    """Where one demo keeps everything: mail servers, config and the circle's data."""

    root: Path

    @property
    def mail(self) -> Path:
        """The dev servers' directory (Dovecot config, Maildirs, relay spool)."""
        return self.root / "mailservers"

    @property
    def config_path(self) -> Path:
        """The demo circle's config file."""
        return self.root / "config.toml"

    @property
    def data_dir(self) -> Path:
        """The demo circle's data directory (store, raw archive, secret)."""
        return self.root / "data"


def pointer_file() -> Path:
    """The file remembering the last demo's directory (in the user's cache dir)."""
    return Path(platformdirs.user_cache_dir("circle")) / "last-demo"


def last_demo() -> DemoDirs | None:
    """The most recent demo's directories, if it still exists."""
    try:
        root = Path(pointer_file().read_text(encoding="utf-8").strip())
    except OSError:
        return None
    return DemoDirs(root) if (root / MARKER).exists() else None


def new_demo_dirs(parent: Path | None = None) -> DemoDirs:
    """A fresh demo directory (the previous demo's is removed) and remember it.

    Lives under the system temp dir by default: when run as root, Dovecot's unprivileged
    user must be able to traverse every parent directory.
    """
    previous = last_demo()
    if previous is not None and parent is None:
        stop_leftovers(previous)
        shutil.rmtree(previous.root, ignore_errors=True)
    root = Path(tempfile.mkdtemp(prefix="circle-demo-", dir=parent)).resolve()
    root.chmod(0o755)
    (root / MARKER).write_text("a throwaway Circle demo; safe to delete\n", encoding="utf-8")
    pointer = pointer_file()
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(f"{root}\n", encoding="utf-8")
    return DemoDirs(root)


def write_config(dirs: DemoDirs, servers: DevServers) -> Path:
    """The demo circle's config: plain IMAP/SMTP to the loopback servers, passwords in env."""
    text = f"""# A throwaway demo circle made by `circle demo` (mail stays on 127.0.0.1).
[circle]
name = "Lecturers' Circle"
slug = "lecturers"
address = "{CIRCLE_ADDRESS}"
steward_email = "steward@example.org"
timezone = "UTC"
purpose = "Supporting each other to be that change."
place = "Room 4.12 and online"
agreements = [
  "What is shared in the circle stays in the circle.",
  "We speak from the \\"I\\".",
  "We really listen before we answer.",
]
data_dir = "data"
secret_env = "CIRCLE_DEMO_SECRET"

[imap]
host = "{servers.host}"
port = {servers.imap_port}
security = "plain"
username = "{CIRCLE_ADDRESS}"
password_env = "{IMAP_PASSWORD_ENV}"
ca_file = "{servers.ca_file}"
poll_seconds = 1

[smtp]
host = "{servers.host}"
port = {servers.smtp_port}
security = "plain"
username = "{CIRCLE_ADDRESS}"
password_env = "{SMTP_PASSWORD_ENV}"
ca_file = "{servers.ca_file}"
connections = 2
per_minute = 6000
"""
    dirs.config_path.write_text(text, encoding="utf-8")
    return dirs.config_path


def set_passwords(servers: DevServers) -> None:
    """Put the circle's mailbox password where the config says (this process only)."""
    os.environ[IMAP_PASSWORD_ENV] = servers.password(CIRCLE_ADDRESS)
    os.environ[SMTP_PASSWORD_ENV] = servers.password(CIRCLE_ADDRESS)


def deliver(servers: DevServers, sender: str, recipients: list[str], raw: bytes) -> None:
    """Hand one message to the local SMTP relay (it lands in the recipients' IMAP INBOX)."""
    with smtplib.SMTP(servers.host, servers.smtp_port, timeout=30) as smtp:
        smtp.sendmail(sender, recipients, raw)


def seed(dirs: DemoDirs, servers: DevServers, now: datetime,
         month: MonthPace | None = None) -> Context:
    """Write config, seed the store from `cli.demo.seed`, and send the mail members hold.

    Members already have the current round's question in their inboxes (as the circle sent it
    two days ago) and last round's digest, so the simulated members can reply to real mail.
    With `month`, the month's moments still to come are brought into the demo's minutes
    (`compress_month`).
    """
    write_config(dirs, servers)
    set_passwords(servers)
    ctx = load_context(dirs.config_path)
    demo = build_demo(now)
    for raw in demo.raws.values():
        ctx.store.archive.save(raw)
    records = []
    for rec in demo.records():
        if isinstance(rec, OutboxItem) and rec.state == OutboxState.FAILED_TEMPORARY:
            rec = replace(rec, next_attempt_at=now + timedelta(hours=2))
        records.append(rec)
    if month is not None:
        records = compress_month(records, now, month)
    ctx.store.put_many(records)
    ctx.store.put_many(_first_mail(ctx, servers, now))
    return ctx


@dataclass(frozen=True)
class MonthPace:
    """When, in seconds after the demo starts, the month's next moments fall in the demo."""

    invite_in: float  # the next round's invitation to host
    reminder_in: float  # the open round's reminder


def compress_month(records: list[Any], now: datetime, pace: MonthPace) -> list[Any]:
    """The seeded records with the month's coming moments moved into the demo's minutes.

    A real month takes weeks; the demo shows it in minutes, so the open round's reminder is
    due `pace.reminder_in` seconds from `now` (it still goes only to members who neither
    replied nor passed), and the next round's host is not asked yet: its invitation is due
    `pace.invite_in` seconds from `now` (the rotation picks whom; its question is theirs to
    propose). Every other date stays as the gathering rule sets it.
    """
    rounds = sorted((r for r in records if isinstance(r, Round)), key=lambda r: r.gathering)
    current = next((r for r in rounds if r.state == RoundState.OPEN), None)
    if current is None:
        return records
    later = [r for r in rounds if r.gathering > current.gathering]
    changed: dict[str, Round] = {}
    if "reminder" not in current.fired:
        changed[current.id] = replace(current, timeline={
            **current.timeline, "reminder": now + timedelta(seconds=pace.reminder_in)})
    if later:
        nxt = later[0]
        changed[nxt.id] = replace(
            nxt, host_id=None, host_state=HostState.UNASKED, hosts_asked=[], question="",
            question_approved=False, fired={},
            timeline={**nxt.timeline, "host_invite": now + timedelta(seconds=pace.invite_in)})
    return [changed.get(r.id, r) if isinstance(r, Round) else r for r in records]


def next_host_for(store: Any) -> tuple[str | None, str | None]:
    """(who the rotation will ask to host the round after the open one, the open round's
    host); None where there is none."""
    from circle.app.rounds import archived_rounds
    from circle.rotation import next_host

    rounds = sorted(store.all(Round), key=lambda r: r.gathering)
    current = next((r for r in rounds if r.state == RoundState.OPEN), None)
    if current is None:
        return None, None
    later = [r for r in rounds if r.gathering > current.gathering]
    host = current.host_id if current.host_state == HostState.ACCEPTED else None
    if not later:
        return None, host
    return next_host(store.all(Member), [*archived_rounds(store, {r.id for r in rounds}), *rounds],
                     later[0].id), host


def _first_mail(ctx: Context, servers: DevServers, now: datetime) -> list[OutboxItem]:
    """Deliver the open round's question and the last digest; the outbox items that record it."""
    store, config = ctx.store, ctx.config
    members = store.all(Member)
    rounds = sorted(store.all(Round), key=lambda r: r.gathering)
    current = next(r for r in rounds if r.state == RoundState.OPEN)
    last = max((r for r in rounds if r.state == RoundState.CLOSED), key=lambda r: r.gathering)
    by_id = {m.id: m for m in members}
    host = by_id.get(current.host_id or "")
    have = {(i.kind, i.member_id): i for i in store.all(OutboxItem, bodies=False)
            if i.round_id == current.id}
    items: list[OutboxItem] = []
    sent_at = current.fired.get("question", now)
    ms = mail_setting(config, ctx.secret, sent_at, members)
    for m in members:
        earlier = have.get(("question", m.id))
        if m.status != MemberStatus.ACTIVE or (
                earlier is not None and earlier.state != OutboxState.UNCERTAIN):
            continue  # the seed's "mailbox full" member never got it; "uncertain" did
        mail = question(ms, m, current, host)
        deliver(servers, config.address, [m.email], mail.raw)
        if earlier is None:
            items.append(sent(start(new_item(mail, sent_at), sent_at), sent_at))
    digest_at = last.timeline.get("digest_due", now)
    data = load_digest(store, last, config, force=True)
    dms = mail_setting(config, ctx.secret, digest_at, members)
    readers = [m for m in members if m.status != MemberStatus.LEFT]
    for m in readers:
        deliver(servers, config.address, [m.email], digest_mail(dms, m, data).raw)
    # its "Reply to this story" links carry short keys: store them, as queue_digest does
    minted = {key for (key,) in store.project(ReplyKey, "id")}
    store.put_many([k for m in readers for k in digest_reply_keys(dms, m, data)
                    if k.id not in minted])
    return items


def current_story_authors(store: object, round_id: str) -> set[str]:
    """Member ids with a story in `round_id` already."""
    stories: list[Story] = store.all(Story)  # type: ignore[attr-defined]
    return {s.member_id for s in stories if s.round_id == round_id}


def remove_demo(dirs: DemoDirs) -> None:
    """Delete a demo's directory (only if it carries the demo marker)."""
    if (dirs.root / MARKER).exists():
        with contextlib.suppress(OSError):
            shutil.rmtree(dirs.root)


def stop_leftovers(dirs: DemoDirs) -> None:
    """Stop servers a killed demo left behind (by the pid files in its own directory)."""
    for pidfile in (dirs.mail / "run" / "master.pid", dirs.root / "relay.pid",
                    dirs.root / "imap.pid"):
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if any(name in cmdline for name in (b"dovecot", b"mail.devrelay", b"mail.devimap")):
                os.kill(pid, signal.SIGTERM)
