"""The demo end to end: simulated members' real mail goes round through Dovecot and back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from circle.app.rounds import approve_digest, queue_digest
from circle.model import (
    Appreciation,
    HostState,
    InboundRecord,
    Member,
    MemberStatus,
    QuarantineItem,
    Response,
    Round,
    RoundState,
    Story,
    StoryState,
    Visibility,
)
from cli.demo.session import DemoSession
from cli.demo.simulate import STRANGER
from cli.main import main
from mail import devservers
from tests.mailservers import servers_unavailable

pytestmark = pytest.mark.timeout(90)
ROOT = Path(__file__).resolve().parents[1]


def _dovecot() -> bool:
    try:
        devservers.find_dovecot()
    except Exception:
        return False
    return True


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
            request: pytest.FixtureRequest) -> Iterator[DemoSession]:
    """A running demo on Dovecot, or (param "pymap") on the embedded server with Dovecot hidden."""
    kind = getattr(request, "param", "dovecot")
    if kind == "pymap":
        monkeypatch.setenv("CIRCLE_DOVECOT", str(tmp_path / "no-dovecot"))  # as if absent
    elif not _dovecot():
        servers_unavailable("Dovecot is not installed")
    monkeypatch.delenv("CIRCLE_DEMO_IMAP", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("CIRCLE_DEMO_IMAP_PASSWORD", "CIRCLE_DEMO_SMTP_PASSWORD"):
        monkeypatch.setenv(name, "")  # restored (unset) after the test
    parent = Path(tempfile.mkdtemp(prefix="circle-demotest-"))
    parent.chmod(0o755)  # as root, Dovecot's vmail user must traverse it
    demo = DemoSession(interval=0.2, parent=parent, say=lambda _line: None, send_every=0.5)
    try:
        demo.start()
        assert demo.servers is not None and demo.servers.kind == kind
        yield demo
    finally:
        demo.stop()
        shutil.rmtree(parent, ignore_errors=True)


def _wait(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.1)
    return False


def _kinds(demo: DemoSession, user: str) -> list[str]:
    assert demo.servers is not None
    c = IMAPClient(demo.servers.host, port=demo.servers.imap_port, ssl=False, timeout=10)
    try:
        c.login(user, demo.servers.password(user))
        c.select_folder("INBOX", readonly=True)
        uids = c.search(["ALL"])
        data = c.fetch(uids, [b"BODY.PEEK[HEADER.FIELDS (X-CIRCLE-KIND)]"]) if uids else {}
    finally:
        c.logout()
    return [bytes(v[b"BODY[HEADER.FIELDS (X-CIRCLE-KIND)]"]).decode().partition(":")[2].strip()
            for v in data.values()]


def _holds(demo: DemoSession, user: str, kind: str) -> bool:
    """Whether `user`'s inbox holds a Circle email of `kind`."""
    return any(k.partition(";")[0] == kind for k in _kinds(demo, user))


@pytest.mark.parametrize("session", ["dovecot", "pymap"], indirect=True)
def test_simulated_mail_goes_all_the_way_round(session: DemoSession) -> None:
    demo = session
    assert demo.simulator is not None and demo.loop_ctx is not None and demo.ctx is not None
    steps = {s.kind: s for s in reversed(demo.simulator.steps)}  # first step of each kind
    assert {"story", "response", "auto_reply", "bounce", "command", "unknown", "host",
            "thanks"} <= set(steps)
    assert demo.simulator.finished.wait(60)
    failures = [(s.kind, outcome) for s, outcome in demo.simulator.done
                if outcome.startswith("failed")]
    assert not failures
    store = demo.loop_ctx.store
    sent = len(demo.simulator.done)
    assert _wait(lambda: sum(1 for r in store.all(InboundRecord)
                             if r.received_at >= demo.started_at) >= sent, 20), demo.errors

    by_member = {m.id: m for m in store.all(Member)}
    current = next(r for r in store.all(Round) if r.state == RoundState.OPEN)
    new_stories = [s for s in store.all(Story) if s.received_at >= demo.started_at]
    story_authors = {s.member_id for s in demo.simulator.steps if s.kind == "story"}
    assert {s.member_id for s in new_stories} == story_authors
    assert all(s.round_id == current.id and s.state == StoryState.PENDING for s in new_stories)
    assert all("token" not in s.held_reasons for s in new_stories)

    responses = [r for r in store.all(Response) if r.received_at >= demo.started_at]
    responders = [s.member_id for s in demo.simulator.steps if s.kind == "response"]
    assert sorted(r.member_id for r in responses) == sorted(responders)
    assert len(responders) >= 4 and all(r.story_id for r in responses)  # threaded
    assert len({r.story_id for r in responses}) >= 3  # under different stories of the digest

    # The month's moments reach the mailboxes: the invitation to host (answered HOST YES),
    # and the reminder, only to members who had neither replied nor hosted.
    host_step = next(s for s in demo.simulator.steps if s.kind == "host")
    assert _holds(demo, host_step.email, "invitation")
    later = sorted((r for r in store.all(Round) if r.gathering > current.gathering),
                   key=lambda r: r.gathering)[0]
    assert later.host_id == host_step.member_id and later.host_state == HostState.ACCEPTED
    answered = [s for s in demo.simulator.steps if s.wait_for == "reminder"]
    assert answered
    for step in answered:
        assert _holds(demo, step.email, "reminder")
    seeded_author = next(s for s in store.all(Story) if s.round_id == current.id
                         and s.received_at < demo.started_at and s.member_id in by_member)
    assert not _holds(demo, by_member[seeded_author.member_id].email, "reminder")
    assert current.host_id and not _holds(demo, by_member[current.host_id].email, "reminder")
    reminded = [s for s in new_stories if s.member_id in {a.member_id for a in answered}]
    assert len(reminded) == len(answered)  # each answer to the reminder is a story

    quarantined = [q for q in store.all(QuarantineItem) if q.received_at >= demo.started_at]
    assert [q.sender for q in quarantined] == [STRANGER[1]]

    bounced = by_member[steps["bounce"].member_id]
    assert any(p.permanent and p.address == bounced.email for p in bounced.delivery_problems)
    away = by_member[steps["auto_reply"].member_id]  # "jusqu'au 14 décembre": in their words
    assert away.status == MemberStatus.PAUSED and away.paused_until is not None
    assert f"{away.paused_until.day} " in steps["auto_reply"].text
    commands = {s.text: s for s in demo.simulator.steps if s.kind == "command"}
    assert by_member[commands["PAUSE"].member_id].status == MemberStatus.PAUSED
    theirs = [s for s in store.all(Story) if s.member_id == commands["ANONYMOUS"].member_id
              and s.round_id == current.id]
    assert max(theirs, key=lambda s: s.received_at).visibility == Visibility.ANONYMOUS
    assert any(a.received_at >= demo.started_at for a in store.all(Appreciation))

    # Receipts went out over SMTP and landed in the story writers' mailboxes.
    writer = by_member[steps["story"].member_id].email
    assert _wait(lambda: "receipt" in " ".join(_kinds(demo, writer)), 15)

    # The steward approves the stories and sends the digest: it reaches members by IMAP.
    steward = demo.ctx
    steward.store.put_many([replace(s, state=StoryState.APPROVED) for s in steward.store.all(Story)
                            if s.round_id == current.id and s.state == StoryState.PENDING])
    approve_digest(steward.store, current.id)
    items = queue_digest(steward.store, steward.clock.now(), steward.config, steward.secret,
                         round_id=current.id)
    assert items
    reader = items[0].recipient
    assert _wait(lambda: any(k.startswith("digest; round=" + current.id)
                             for k in _kinds(demo, reader)), 20), demo.errors


def test_stop_leaves_no_processes_and_inbox_reads_the_mail(
        session: DemoSession, capsys: pytest.CaptureFixture[str]) -> None:
    demo = session
    assert demo.servers is not None and demo.simulator is not None
    assert demo.simulator.finished.wait(30)
    relay = demo.servers.relay
    pidfile = demo.servers.directory / "run" / "master.pid"
    master = int(pidfile.read_text().strip())
    demo.stop()
    assert relay is not None and relay.poll() is not None
    assert not Path(f"/proc/{master}").exists() or "State:\tZ" in Path(
        f"/proc/{master}/status").read_text()
    assert main(["demo", "inbox"]) == 0
    assert "circle@example.org" in capsys.readouterr().out
    assert main(["demo", "inbox", "circle"]) == 0
    listing = capsys.readouterr().out
    assert "Joining the circle?" in listing
    assert main(["demo", "inbox", "circle", "1"]) == 0
    assert "From:" in capsys.readouterr().out


def test_demo_command_does_not_import_textual() -> None:
    code = ("import sys, cli.main, cli.commands.demo; cli.main.build_parser(); "
            "sys.exit('textual' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_without_dovecot_the_demo_runs_on_the_embedded_server(tmp_path: Path) -> None:
    """`circle demo --no-tui` with Dovecot absent: pymap serves IMAP, mail goes round, and
    `circle demo inbox` reads it afterwards; no server process is left behind."""
    env = {**os.environ, "CIRCLE_DOVECOT": str(tmp_path / "no-dovecot"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    env.pop("CIRCLE_DEMO_IMAP", None)
    demo = subprocess.run([sys.executable, "-m", "cli.main", "demo", "--no-tui", "--seconds", "5",
                           "--interval", "0.3"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "embedded IMAP server (pymap)" in demo.stdout
    fetched = re.search(r"the mail loop fetched (\d+)", demo.stdout)
    assert fetched and int(fetched.group(1)) > 0, demo.stdout
    root = Path(re.search(r"Its files stay in (\S+)\.", demo.stdout).group(1))  # type: ignore[union-attr]
    inbox = subprocess.run([sys.executable, "-m", "cli.main", "demo", "inbox", "circle"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                           check=False)
    assert inbox.returncode == 0, inbox.stderr
    assert "Joining the circle?" in inbox.stdout or "message(s)" in inbox.stdout
    pids = [int((root / name).read_text()) for name in ("imap.pid", "relay.pid")]
    assert all(not Path(f"/proc/{pid}").exists() or "State:\tZ" in Path(
        f"/proc/{pid}/status").read_text() for pid in pids)
    shutil.rmtree(root, ignore_errors=True)


def test_missing_dovecot_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """Neither Dovecot nor pymap: exit 69 with both ways to get a server."""
    from circle.errors import MailError

    def missing() -> Path:
        raise MailError("Dovecot is not installed")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CIRCLE_DEMO_IMAP", raising=False)
    monkeypatch.setattr(devservers, "find_dovecot", missing)
    monkeypatch.setattr(devservers, "pymap_available", lambda: False)
    code = main(["demo", "--no-tui", "--seconds", "1"])
    err = capsys.readouterr().err
    assert code == 69
    assert "apt-get install dovecot-imapd dovecot-lmtpd" in err
    assert "pip install -e '.[demo]'" in err
    from cli.demo.setup import pointer_file

    left = Path(pointer_file().read_text().strip())
    assert not left.exists()  # no empty demo directory left behind


def test_embedded_server_maps_addresses_like_dovecot() -> None:
    """Plus-addressing lands in the base mailbox; a login name never leaves the mail dir."""
    from pymap.exceptions import InvalidAuth

    from mail.devimap import _safe
    from mail.devrelay import mailbox_user

    assert mailbox_user("Circle+tok.en@Example.org") == "circle@example.org"
    assert mailbox_user("mei@example.org") == "mei@example.org"
    assert _safe(" Mei@Example.org ") == "mei@example.org"
    for bad in ("../etc@x", "a/b@x", ".hidden", ""):
        with pytest.raises(InvalidAuth):
            _safe(bad)


def _sentences(text: str) -> set[str]:
    return {s.strip().lower() for s in re.split(r"(?<=[.!?:;])\s+|\n+", text)
            if len(s.strip()) > 12}


def _script() -> list[Any]:
    from cli.demo.seed import build_demo
    from cli.demo.setup import MonthPace, compress_month
    from cli.demo.simulate import plan_steps

    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    demo = build_demo(now)
    records = compress_month(demo.records(), now, MonthPace(invite_in=30, reminder_in=90))
    rounds = [r for r in records if isinstance(r, Round)]
    current = next(r for r in rounds if r.state == RoundState.OPEN)
    authors = {s.member_id for s in demo.stories if s.round_id == current.id}
    from circle.rotation import next_host

    later = min((r for r in rounds if r.gathering > current.gathering), key=lambda r: r.gathering)
    invitee = next_host(demo.members, rounds, later.id)
    return plan_steps(demo.members, authors, now, invitee=invitee, host=current.host_id)


def test_members_write_their_own_words_some_in_their_own_language() -> None:
    """No two simulated emails share a sentence, none repeats the seeded stories, and a few
    are in Portuguese, French and Spanish."""
    from cli.demo.seed import MIDDLES, PEOPLE
    from cli.demo.voices import RESPONSES, STORIES, THANKS_FOR

    texts = [*STORIES.values(), *RESPONSES.values(), *THANKS_FOR.values()]
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        for sentence in _sentences(text):
            assert seen.setdefault(sentence, i) == i, sentence
    seeded = {s for _n, _l, opener, closer in PEOPLE for s in _sentences(f"{opener} {closer}")}
    seeded |= {s for group in MIDDLES for m in group for s in _sentences(m)}
    assert not seeded & set(seen)
    steps = _script()
    written = [s.text for s in steps if s.kind in ("story", "response")]
    assert len(written) == len(set(written)) >= 10
    langs = {"pt": "português", "fr": "m'a fait sourire", "es": "Qué bonito"}
    assert all(any(word in t for t in written) for word in langs.values())


def test_the_month_takes_minutes_at_a_gentle_pace() -> None:
    """At the default pace the month's mail spreads over several minutes, unevenly, and the
    script answers the invitation and the reminder once they arrive."""
    from cli.demo.session import DemoSession

    steps = _script()
    interval = DemoSession().interval
    total = sum(s.gap for s in steps) * interval
    assert total >= 240, total  # several minutes, not 9 emails in 32 s
    assert min(s.gap for s in steps) * interval >= 10  # never a burst
    assert len({s.gap for s in steps}) > 3  # an uneven, human pace
    kinds = [s.kind for s in steps]
    assert {"story", "response", "host", "auto_reply", "bounce", "command", "thanks",
            "unknown"} <= set(kinds)
    assert {s.wait_for for s in steps} == {"", "invitation", "reminder"}
    pace = DemoSession().pace
    assert 0 < pace.invite_in < pace.reminder_in < total


async def test_mail_notices_coalesce_into_one_line(tmp_path: Path) -> None:
    """Three arrivals while the notice shows: one "New mail" notice counting 3, not three."""
    from tests.tui_support import demo_app, settle
    from tui.messages import RepliesIngested

    app = demo_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for n in range(3):
            app.post_message(RepliesIngested(1, f"1 fetched: 1 stories (#{n})"))
            await pilot.pause()
        await settle(pilot)
        notices = [n for n in app._notifications if n.title == "New mail"]
        assert len(notices) == 1
        assert notices[0].message.startswith("3 new since ")
        assert "(#2)" in notices[0].message
