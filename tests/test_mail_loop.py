"""The mail loop against real Dovecot: fetch → archive → store → flag; crashes, restarts, IDLE."""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import mail.loop
from circle.errors import LockedError, MailError
from circle.model import InboundRecord, Notice, Response, Story, SyncState
from data.locks import mail_loop_lock
from data.store import TinyStore
from mail.imap import PROCESSED, ImapSource
from mail.loop import fetch_once, run_forever
from tests.conftest import FixedClock
from tests.mailin_support import NOW, SECRET, make_config, our_mid, raw, seed, story, to_token
from tests.mailservers import Mailbox, wait_until


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s, [story("s-bob1", "bob")])
    return s


@pytest.fixture
def source(mailbox: Mailbox) -> Iterator[ImapSource]:
    with ImapSource(mailbox.settings(), backoff=0.05) as src:
        yield src


def _stories(n: int, start: int = 0) -> list[bytes]:
    return [raw("Ana <ana@example.org>", to_token("ana"), mid=f"story{i}@ana")
            for i in range(start, start + n)]


def _fetch(source, store, mailbox: Mailbox, **kw):
    config = make_config(mailbox.settings())
    return fetch_once(source, store, store.archive, config, SECRET, NOW, **kw)


def _ana_story_ids(store: TinyStore) -> list[str]:
    return sorted(s.message_id for s in store.all(Story) if s.member_id == "ana")


def test_appended_mail_becomes_stories_and_threads(mailbox: Mailbox, source: ImapSource,
                                                   store: TinyStore) -> None:
    mailbox.append(raw("Ana <ana@example.org>", to_token("ana"), mid="s1@ana"))
    mailbox.append(raw("cleo@example.org", to_token("cleo", parent="s-bob1"), mid="r1@cleo"))
    mailbox.append(raw("bob@work.example", mid="r2@bob",
                       references=f"<x@y> <{our_mid('bob', parent='s-bob1')}>"))
    report = _fetch(source, store, mailbox)
    assert (len(report.stories), len(report.responses), report.fetched) == (1, 2, 3)
    assert {r.story_id for r in store.all(Response)} == {"s-bob1"}
    assert [n.kind for n in store.all(Notice)] == ["receipt"]
    state = store.get(SyncState, "INBOX")
    assert state.last_uid == 3 and state.uidvalidity and state.pending_ack == []
    for flags in mailbox.flags().values():
        assert PROCESSED in flags and b"\\Seen" in flags
    assert store.archive.count() == 3
    assert _fetch(source, store, mailbox).fetched == 0


def test_processed_folder_receives_the_mail(mailbox: Mailbox, store: TinyStore) -> None:
    mailbox.append(_stories(1)[0])
    with ImapSource(mailbox.settings(processed_folder="Circle/Done")) as src:
        config = make_config(mailbox.settings(processed_folder="Circle/Done"))
        assert len(fetch_once(src, store, store.archive, config, SECRET, NOW).stories) == 1
    assert mailbox.uids() == [] and len(mailbox.uids("Circle/Done")) == 1


def test_tls_verifies_the_certificate(mailbox: Mailbox, store: TinyStore) -> None:
    servers = mailbox.servers
    mailbox.append(_stories(1)[0])
    for security, port in (("tls", servers.imaps_port), ("starttls", servers.imap_port)):
        with ImapSource(mailbox.settings(security=security, port=port, host="localhost")) as s:
            assert s.uidvalidity() > 0
    with pytest.raises(MailError, match="certificate"), ImapSource(
            mailbox.settings(security="tls", port=servers.imaps_port, ca_file="",
                             host="localhost"), attempts=1) as s:
        s.uidvalidity()
    with pytest.raises(MailError, match=r"\[imap\] refusing plain text to mail.example.org"):
        ImapSource(mailbox.settings(host="mail.example.org"))


def test_bad_password_names_the_server(mailbox: Mailbox, monkeypatch) -> None:
    with pytest.raises(MailError, match=f"127.0.0.1:{mailbox.servers.imap_port}"), \
            ImapSource(mailbox.settings(), password="wrong") as s:
        s.uidvalidity()
    monkeypatch.delenv("CIRCLE_TEST_IMAP_PASSWORD")
    with pytest.raises(MailError, match="CIRCLE_TEST_IMAP_PASSWORD"):
        ImapSource(mailbox.settings()).uidvalidity()
    s = ImapSource(mailbox.settings(password_command=f"echo {mailbox.password}"))
    assert s.uidvalidity() > 0
    s.close()


def test_connection_dropped_mid_fetch_loses_and_duplicates_nothing(
        mailbox: Mailbox, source: ImapSource, store: TinyStore) -> None:
    for data in _stories(5):
        mailbox.append(data)
    acknowledge = source.acknowledge

    def ack_then_kick(uids: list[int]) -> None:
        acknowledge(uids)
        if uids[0] == 1:
            mailbox.kick()  # the server drops us between two batches
    source.acknowledge = ack_then_kick  # type: ignore[method-assign]
    report = _fetch(source, store, mailbox, batch_size=2)
    assert len(report.stories) == 5 and source.reconnects >= 1
    assert _ana_story_ids(store) == sorted(f"story{i}@ana" for i in range(5))


def test_crash_between_store_and_flag_is_finished_next_time(
        mailbox: Mailbox, source: ImapSource, store: TinyStore) -> None:
    for data in _stories(3):
        mailbox.append(data)

    def crash(uids: list[int]) -> None:
        raise RuntimeError("power cut")
    real_ack = source.acknowledge
    source.acknowledge = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        _fetch(source, store, mailbox)
    assert store.get(SyncState, "INBOX").pending_ack == [1, 2, 3]
    assert not any(PROCESSED in f for f in mailbox.flags().values())
    source.acknowledge = real_ack  # type: ignore[method-assign]
    report = _fetch(source, store, mailbox)
    assert report.fetched == 0 and len(_ana_story_ids(store)) == 3
    assert all(PROCESSED in f for f in mailbox.flags().values())


def test_crash_before_store_refetches_exactly_once(
        mailbox: Mailbox, source: ImapSource, store: TinyStore, monkeypatch) -> None:
    for data in _stories(2):
        mailbox.append(data)
    real = mail.loop.ingest_batch

    def crash(*a, **kw):
        raise RuntimeError("killed while parsing")
    monkeypatch.setattr(mail.loop, "ingest_batch", crash)
    with pytest.raises(RuntimeError):
        _fetch(source, store, mailbox)
    assert store.archive.count() == 2 and store.all(InboundRecord) == []
    monkeypatch.setattr(mail.loop, "ingest_batch", real)
    assert len(_fetch(source, store, mailbox).stories) == 2
    assert len(_ana_story_ids(store)) == 2


def test_server_restart_loses_and_duplicates_nothing(
        mailbox: Mailbox, source: ImapSource, store: TinyStore) -> None:
    mailbox.append(_stories(1)[0])
    assert len(_fetch(source, store, mailbox).stories) == 1
    mailbox.servers.restart_dovecot()
    mailbox.append(_stories(1, start=1)[0])
    report = _fetch(source, store, mailbox)
    assert len(report.stories) == 1 and report.duplicates == 0
    assert _ana_story_ids(store) == ["story0@ana", "story1@ana"]


def test_uidvalidity_change_rescans_without_duplicates(
        mailbox: Mailbox, source: ImapSource, store: TinyStore) -> None:
    for data in _stories(2):
        mailbox.append(data)
    _fetch(source, store, mailbox)
    old = store.get(SyncState, "INBOX").uidvalidity
    mailbox.set_uidvalidity(old + 1000)
    mailbox.append(_stories(1, start=2)[0])
    report = _fetch(source, store, mailbox)
    assert report.rescanned and report.duplicates == 2 and len(report.stories) == 1
    assert store.get(SyncState, "INBOX").uidvalidity == old + 1000
    assert len(_ana_story_ids(store)) == 3


IDLE_TIMEOUT = 60.0  # the loop's own wake-up; mail must arrive long before it


def test_idle_wakes_the_loop_quickly(mailbox: Mailbox, store: TinyStore) -> None:
    """Mail appended while the loop waits is fetched because IDLE woke it, not its timeout.

    Waits on conditions, never a fixed sleep: the loop's pass count (after_fetch) says when it
    has fetched and gone back to waiting; each story must then arrive within half the IDLE
    timeout (generous under load, yet only an IDLE wake-up can meet it).
    """
    stop = threading.Event()
    passes: list[float] = []
    latencies: list[float] = []
    config = make_config(mailbox.settings())
    with ImapSource(mailbox.settings(), stop_event=stop) as src:
        loop = threading.Thread(target=run_forever, daemon=True, args=(
            src, store, store.archive, config, SECRET, FixedClock(NOW), stop),
            kwargs={"idle_timeout": IDLE_TIMEOUT,
                    "after_fetch": [lambda: passes.append(time.monotonic())]})
        loop.start()
        assert wait_until(lambda: len(passes) >= 1, timeout=30), "the loop never fetched"
        for i, data in enumerate(_stories(2)):
            before = len(passes)
            mailbox.append(data)
            appended = time.monotonic()
            assert wait_until(lambda i=i: len(_ana_story_ids(store)) == i + 1,
                              timeout=IDLE_TIMEOUT / 2, interval=0.01), \
                f"story {i + 1} not fetched before half the IDLE timeout: IDLE did not wake"
            latencies.append(time.monotonic() - appended)
            assert wait_until(lambda before=before: len(passes) > before, timeout=30)
        stop.set()
        loop.join(timeout=30)  # the IDLE wait checks stop_event every 0.5 s
        assert not loop.is_alive(), "the loop did not stop when asked"
    print(f"IDLE latency: {', '.join(f'{t:.2f}s' for t in latencies)}")


def _write_config(tmp_path: Path, mailbox: Mailbox) -> Path:
    s = mailbox.settings()
    path = tmp_path / "config.toml"
    path.write_text(f"""[circle]
name = "Teachers"
slug = "teachers"
address = "circle@circle.test"
steward_email = "steward@circle.test"
data_dir = "data"

[imap]
host = "{s.host}"
port = {s.port}
security = "plain"
username = "{s.username}"
password_env = "{s.password_env}"
""")
    return path


def test_cli_fetch_run_once_and_the_loop_lock(mailbox: Mailbox, store: TinyStore,
                                              tmp_path: Path, monkeypatch, capsys) -> None:
    from cli.commands import mailin

    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    config = _write_config(tmp_path, mailbox)  # data_dir = tmp_path/data: the seeded store
    mailbox.append(_stories(1)[0])
    assert mailin._fetch(argparse.Namespace(config=config)) == 0
    assert "1 fetched: 1 stories" in capsys.readouterr().out
    called: list[object] = []
    monkeypatch.setattr(mailin, "after_fetch", called.append)  # the daemon's explicit step
    assert mailin._run(argparse.Namespace(config=config, once=True)) == 0
    assert len(called) == 1 and "0 fetched" in capsys.readouterr().out
    with mail_loop_lock(tmp_path / "data"), pytest.raises(LockedError, match="already running"):
        mailin._run(argparse.Namespace(config=config, once=True))


def test_mixed_inbox_over_imap(mailbox: Mailbox, source: ImapSource, store: TinyStore) -> None:
    from circle.model import Member, QuarantineItem
    from tests.mailin_support import CIRCLE, dsn, out_of_office

    for data in (dsn("bob@example.org", mid="b1@mx", returned=our_mid("bob")),
                 out_of_office("cleo@example.org", "20 November 2026", mid="o1@cleo",
                               in_reply_to=our_mid("cleo")),
                 raw(CIRCLE, "ana@example.org", mid="own1@circle.test"),
                 raw("eve@evil.example", mid="e1@eve"),
                 raw("bob@example.org", to_token("ana"), mid="f1@bob"),
                 raw("ana@example.org", to_token("ana"), "PASS", " ", mid="p1@ana")):
        mailbox.append(data)
    report = _fetch(source, store, mailbox)
    assert (report.bounces, report.auto_replies, report.ignored) == (1, 1, 1)
    assert len(report.quarantined) == 2 and report.commands == ["PASS"]
    assert report.stories == [] and [s.id for s in store.all(Story)] == ["s-bob1"]
    assert store.all(Story)[0].text == story("s-bob1", "bob").text  # untouched by the forgery
    assert store.get(Member, "bob").delivery_problems[0].address == "bob@example.org"
    assert [n.kind for n in store.all(Notice)] == ["confirmation"]
    assert {q.message_id for q in store.all(QuarantineItem)} == {"e1@eve", "f1@bob"}


def test_polling_when_the_server_has_no_idle(mailbox: Mailbox, source: ImapSource,
                                             monkeypatch) -> None:
    from imapclient import IMAPClient

    real = IMAPClient.has_capability
    monkeypatch.setattr(IMAPClient, "has_capability",
                        lambda self, cap: cap != "IDLE" and real(self, cap))
    source.fetch_since(0, 10)
    threading.Timer(0.3, mailbox.append, args=(_stories(1)[0],)).start()
    # True only when a poll saw the new mail (at a timeout it returns False)
    assert source.wait(30.0) is True


def test_missing_dovecot_is_a_clear_error(monkeypatch) -> None:
    from mail import devservers

    monkeypatch.setattr(devservers.shutil, "which", lambda name: None)
    monkeypatch.setattr(devservers, "DOVECOT_CANDIDATES", ("/nonexistent/dovecot",))
    with pytest.raises(MailError, match="apt-get install dovecot-imapd"):
        devservers.find_dovecot()
