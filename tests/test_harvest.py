"""The harvest (issue 16, item 1): request → reply → review → next digest, and the steward's
own words, through the real use-cases, the real store and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from circle.app import apply
from circle.app.harvest import carrier_id, harvest_rows
from circle.app.ingest import InboundMail, ingest_batch
from circle.app.intents import ReviewHarvest, SetHarvest
from circle.app.rounds import approve_digest, load_digest, plan_due_mail, queue_digest
from circle.compose.harvest import harvest_id
from circle.config import Config
from circle.model import (
    Event,
    Harvest,
    OutboxItem,
    Round,
    RoundState,
    Story,
    StoryState,
)
from circle.schedule import HARVEST, harvest_due
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox
from tests.mailout_world import SECRET, accept_host, make_config, seed

if TYPE_CHECKING:
    from tests.smtp_server import Received, SmtpServer

pytest_plugins = ["tests.smtp_server"]

NOV, DEC = "2026-11", "2026-12"


def _world(tmp_path: Path, port: int = 2525) -> tuple[TinyStore, Config]:
    config = make_config(port)
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    dec = store.get(Round, DEC)
    assert dec is not None
    store.put(replace(dec, question="What are you carrying into the new year?",
                      question_approved=True))
    return store, config


def _round(store: TinyStore, round_id: str) -> Round:
    rnd = store.get(Round, round_id)
    assert rnd is not None
    return rnd


def _through_november(store: TinyStore, config: Config) -> dict[str, datetime]:
    """November's question, one approved story, its digest sent: the gathering comes next."""
    t = _round(store, NOV).timeline
    plan_due_mail(store, t["question"], config, SECRET)
    store.put(Story("s-ben", NOV, "ben", "A story for November.", t["question"] +
                    timedelta(days=1), state=StoryState.APPROVED))
    approve_digest(store, NOV)
    assert queue_digest(store, t["digest_due"], config, SECRET, round_id=NOV)
    return t


def _plain(raw: bytes) -> str:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def _reply(config: Config, request: Received, body: str, *, sender: str, at: datetime,
           attach: bool = False) -> bytes:
    """The member's reply to the request as a mail client writes it: to its Reply-To, with
    In-Reply-To, the request quoted below the new words."""
    msg = request.message
    mid = f"{hashlib.sha256(body.encode()).hexdigest()[:12]}@client.example"
    quoted = "\r\n".join("> " + line for line in _plain(request.raw).split(". "))
    head = (f"From: {sender}\r\nTo: {msg['Reply-To']}\r\nSubject: Re: {msg['Subject']}\r\n"
            f"Message-ID: <{mid}>\r\nIn-Reply-To: {msg['Message-ID']}\r\n"
            f"Date: {format_datetime(at)}\r\nMIME-Version: 1.0\r\n")
    text = (body.replace("\n", "\r\n") + "\r\n\r\nOn Thu, 26 Nov 2026 at 18:00, "
            "Practitioners' Circle <circle@example.org> wrote:\r\n" + quoted)
    if not attach:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
                + "\r\n").encode()
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b1\r\n"
            'Content-Type: image/jpeg; name="circle.jpg"\r\nContent-Disposition: attachment; '
            'filename="circle.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n'
            "--b1--\r\n").encode()


def _ingest(store: TinyStore, config: Config, raw: bytes, at: datetime) -> None:
    ingest_batch(store, [InboundMail(raw, hashlib.sha256(raw).hexdigest())], config=config,
                 secret=SECRET, now=at)


async def _send(store: TinyStore, config: Config, now: datetime) -> None:
    async with SmtpSink(config.smtp) as sink:
        report = await send_outbox(store, sink, now, sender=config.address)
    assert report.failed_temporary == report.failed_permanent == 0


async def test_harvest_round_trip_request_reply_review_next_digest(
        tmp_path: Path, smtp_server: SmtpServer) -> None:
    store, config = _world(tmp_path, smtp_server.port)
    t = _through_november(store, config)
    await _send(store, config, t["digest_due"])

    # The day after the gathering: the host is asked, the steward gets a copy; only once.
    after = t["gathering"] + timedelta(days=1)
    assert plan_due_mail(store, after - timedelta(minutes=1), config, SECRET) == [] or all(
        i.kind != "harvest" for i in store.all(OutboxItem))
    items = [i for i in plan_due_mail(store, after, config, SECRET) if i.kind == "harvest"]
    assert sorted(i.member_id for i in items) == ["ana", "maya"]
    assert not [i for i in plan_due_mail(store, after + timedelta(hours=1), config, SECRET)
                if i.kind == "harvest"]
    assert HARVEST in _round(store, NOV).fired
    await _send(store, config, after)
    sent = {r.rcpt[0]: r for r in smtp_server.handler.received
            if "harvest" in str(r.message["X-Circle-Kind"])}
    to_ana = sent["ana@example.org"]
    words = _plain(to_ana.raw)
    assert "Thank you for hosting the November 2026 round" in words
    promise = "goes in the next digest (the December 2026 digest), under \"From our last gathering\""
    assert promise in words
    assert "we asked Ana María Ruiz, who hosted, the same" in _plain(sent["maya@example.org"].raw)

    # Ana replies with a poem and a photo; the quoted request is trimmed, lines are kept.
    poem = "We came with our questions,\nwe left with each other.\n\nInsight: slow is fine."
    _ingest(store, config, _reply(config, to_ana, poem, sender="Ana <ana@example.org>",
                                  at=after + timedelta(hours=3), attach=True),
            after + timedelta(hours=3))
    harvest = store.get(Harvest, harvest_id(NOV))
    assert harvest is not None
    assert (harvest.state, harvest.round_id, harvest.member_ids) == (
        StoryState.PENDING, DEC, ["ana"])
    assert harvest.text.startswith("We came with our questions,\nwe left with each other.")
    assert "wrote:" not in harvest.text and "hosting" not in harvest.text
    assert any("circle.jpg" in a for a in harvest.attachments)
    assert not store.all(Story) or all(s.round_id != DEC for s in store.all(Story))
    assert any(e.kind == "harvest" for e in store.all(Event))

    # Not in the December digest until the steward approves it.
    dec_t = _round(store, DEC).timeline
    store.put(Story("s-dee", DEC, "dee", "A story for December.", dec_t["question"] +
                    timedelta(days=1), state=StoryState.APPROVED))
    assert not load_digest(store, _round(store, DEC), config).sections
    assert apply(store, ReviewHarvest(round_id=NOV, action="approve"), after).ok

    plan_due_mail(store, dec_t["question"], config, SECRET)
    approve_digest(store, DEC)
    assert queue_digest(store, dec_t["digest_due"], config, SECRET, round_id=DEC)
    await _send(store, config, dec_t["digest_due"])
    digests = [r for r in smtp_server.handler.received if r.rcpt == ["chloe@example.org"]
               and "digest; round=2026-12" in str(r.message["X-Circle-Kind"])]
    assert len(digests) == 1
    text = _plain(digests[0].raw)
    assert "From our last gathering" in text
    assert "hosted by Ana María Ruiz" in text
    assert "We came with our questions, we left with each other." in text
    assert "circle.jpg" in text
    html = message_from_bytes(digests[0].raw, policy=policy.default)
    assert isinstance(html, EmailMessage)
    part = html.get_body(("html",))
    assert part is not None and "we left with each other." in part.get_content()
    # The November digest (already gone) never carried it.
    nov = load_digest(store, _round(store, NOV), config)
    assert not nov.sections


def test_a_second_reply_is_added_below_and_goes_back_to_review(tmp_path: Path) -> None:
    store, config = _world(tmp_path)
    t = _through_november(store, config)
    after = t["gathering"] + timedelta(days=1)
    items = [i for i in plan_due_mail(store, after, config, SECRET) if i.kind == "harvest"]
    by = {i.member_id: i for i in items}

    class _Req:
        def __init__(self, item: OutboxItem) -> None:
            self.raw = item.raw.encode() if isinstance(item.raw, str) else item.raw

        @property
        def message(self) -> EmailMessage:
            msg = message_from_bytes(self.raw, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            return msg

    _ingest(store, config, _reply(config, _Req(by["ana"]), "Notes from Ana.",  # type: ignore[arg-type]
                                  sender="ana@example.org", at=after), after)
    assert apply(store, ReviewHarvest(round_id=NOV, action="approve"), after).ok
    later = after + timedelta(hours=2)
    _ingest(store, config, _reply(config, _Req(by["maya"]), "A poem from Maya.",  # type: ignore[arg-type]
                                  sender="maya@example.org", at=later), later)
    harvest = store.get(Harvest, harvest_id(NOV))
    assert harvest is not None
    assert harvest.text == "Notes from Ana.\n\nA poem from Maya."
    assert harvest.state == StoryState.PENDING and harvest.member_ids == ["ana", "maya"]
    # the same message again changes nothing
    _ingest(store, config, _reply(config, _Req(by["maya"]), "A poem from Maya.",  # type: ignore[arg-type]
                                  sender="maya@example.org", at=later), later)
    again = store.get(Harvest, harvest_id(NOV))
    assert again is not None and again.text == harvest.text


def test_the_steward_types_the_harvest_and_the_next_digest_carries_it(tmp_path: Path) -> None:
    store, config = _world(tmp_path)
    t = _through_november(store, config)
    at = t["gathering"] + timedelta(hours=2)
    refused = apply(store, SetHarvest(round_id=NOV, text="   \n"), at)
    assert not refused.ok and "empty" in refused.refused
    assert store.get(Harvest, harvest_id(NOV)) is None  # nothing lost, nothing made
    done = apply(store, SetHarvest(round_id=NOV, text="Seven of us; we laughed a lot."), at)
    assert done.ok and "December 2026 digest" in done.message
    harvest = store.get(Harvest, harvest_id(NOV))
    assert harvest is not None and harvest.state == StoryState.APPROVED
    assert harvest.typed_by_steward and harvest.round_id == DEC
    data = load_digest(store, _round(store, DEC), config)
    (section,) = data.sections
    assert section.title == "From our last gathering"
    assert "Seven of us; we laughed a lot." in section.text
    # hidden: gone from the digest, kept in the store
    assert apply(store, ReviewHarvest(round_id=NOV, action="hide"), at).ok
    assert not load_digest(store, _round(store, DEC), config).sections
    assert harvest_rows(store, NOV)[0]["state"] == "hidden"


def test_the_harvest_request_is_skipped_when_the_question_never_went(tmp_path: Path) -> None:
    store, config = _world(tmp_path)
    rnd = _round(store, DEC)
    later = rnd.gathering + timedelta(days=2)
    due = harvest_due(rnd, later, config.schedule)
    assert due is not None and not due.fire and "question was not sent" in due.skip_reason
    too_late = replace(rnd, fired={**rnd.fired, "question": rnd.timeline["question"]})
    due = harvest_due(too_late, rnd.gathering + timedelta(days=30), config.schedule)
    assert due is not None and "too late" in due.skip_reason
    assert harvest_due(too_late, rnd.gathering, config.schedule) is None  # not yet


def test_carrier_skips_digests_already_gone(tmp_path: Path) -> None:
    store, config = _world(tmp_path)
    _through_november(store, config)
    rounds = store.all(Round)
    assert carrier_id(rounds, _round(store, NOV)) == DEC
    assert carrier_id(rounds, _round(store, "2026-10")) == DEC  # Nov's digest already went


@pytest.mark.parametrize("args", [["harvest", "set", NOV, "--file", "missing.txt"]])
def test_cli_harvest_set_refuses_a_missing_file_with_a_clear_error(
        tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    code = main(["--config", str(tmp_path / "nope.toml"), *args[:-1],
                 str(tmp_path / args[-1])])
    assert code == 66
    assert "no file" in capsys.readouterr().err


# -- past questions offered to the host (issue 16, item 4) ----------------------------------
def test_the_host_invitation_offers_past_questions_that_drew_many_stories(
        tmp_path: Path) -> None:
    config = make_config()
    store = seed(tmp_path / "data", config)
    oct_ = replace(_round(store, "2026-10"), state=RoundState.DIGEST_SENT)
    old = Round(id="2025-06", gathering=datetime(2025, 6, 25, 18, tzinfo=oct_.gathering.tzinfo),
                question="What are you\nletting go of?", question_approved=True,
                fired={"question": datetime(2025, 6, 11, 18, tzinfo=oct_.gathering.tzinfo)},
                state=RoundState.CLOSED)
    quiet = replace(old, id="2025-07", gathering=old.gathering + timedelta(days=28),
                    question="A question nobody answered")
    at = old.gathering - timedelta(days=3)
    stories = [Story(f"s-old-{m}", "2025-06", m, "An old story.", at)
               for m in ("ana", "ben", "chloe", "dee")]
    stories += [Story(f"s-oct-{m}", "2026-10", m, "An October story.", oct_.gathering)
                for m in ("ben", "dee")]
    stories.append(Story("s-oct-gone", "2026-10", "eve", "Withdrawn.", oct_.gathering,
                         state=StoryState.WITHDRAWN))
    store.put_many([oct_, old, quiet, *stories])
    store.move_to_archive(2025, [old, quiet, *stories[:4]])
    items = plan_due_mail(store, _round(store, NOV).timeline["host_invite"], config, SECRET)
    (invite,) = [i for i in items if i.kind == "invitation"]
    text = _plain(invite.raw.encode())
    assert "Past questions that drew many stories" in text
    first = "What are you letting go of? (June 2025: 4 stories)"
    second = "When did you last feel truly listened to? (October 2026: 2 stories)"
    assert first in text and second in text and text.index(first) < text.index(second)
    assert "A question nobody answered" not in text


# -- the steward types it in Threads (key H) --------------------------------------------------
async def test_threads_key_h_types_the_round_harvest_and_shows_it(tmp_path: Path) -> None:
    from textual.widgets import Static, TextArea

    from tests.tui_support import demo_app, settle
    from tui.screens.edit_text import EditTextScreen
    from tui.screens.threads import ThreadsScreen

    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ThreadsScreen)
        tree = screen.thread_tree
        node = next(n for n in tree.root.children if n.data and n.data[0] == "round")
        round_id = node.data[1] if node.data else ""
        tree.move_cursor(node)
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot, until=lambda: isinstance(app.screen, EditTextScreen))
        app.screen.query_one(TextArea).text = "We sat in a circle of chairs.\nA poem came."
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: app.store.get(Harvest, harvest_id(round_id))
                     is not None)
        stored = app.store.get(Harvest, harvest_id(round_id))
        assert stored is not None and stored.state == StoryState.APPROVED
        assert stored.text == "We sat in a circle of chairs.\nA poem came."
        await settle(pilot, until=lambda: harvest_id(round_id) in app.data.harvests)
        fresh = next(n for n in tree.root.children if n.data == ("round", round_id))
        tree.move_cursor(fresh)
        await settle(pilot)
        await pilot.press("down")
        await pilot.press("up")  # the round is highlighted again: its detail is drawn anew
        await settle(pilot, until=lambda: "A poem came." in str(
            screen.query_one("#thread-text", Static).render()))
        assert "harvest (approved)" in str(fresh.label)


async def test_review_lists_a_pending_harvest_and_approves_it(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tests.tui_support import demo_app, settle
    from tui.screens.review import ReviewScreen

    app = demo_app(tmp_path)
    rnd = max(app.store.all(Round), key=lambda r: r.gathering)
    got = datetime(2020, 1, 1, tzinfo=rnd.gathering.tzinfo)  # oldest: first in the queue
    app.store.put(Harvest(id=harvest_id(rnd.id), gathering_round=rnd.id, round_id=rnd.id,
                          text="Notes from the gathering.", received_at=got,
                          member_ids=["ana"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.table.move_cursor(row=screen.table.get_row_index(harvest_id(rnd.id)))
        await settle(pilot, until=lambda: "Notes from the gathering." in str(
            screen.query_one("#post-body", Static).render()))
        assert screen.check_action("visibility", ()) is False  # a harvest has no author
        await pilot.press("a")
        await settle(pilot, until=lambda: (app.store.get(Harvest, harvest_id(rnd.id))
                                           or replace(Harvest("", "", "", "", got))).state
                     == StoryState.APPROVED)
        assert harvest_id(rnd.id) not in screen.table.rows


# -- the command line: circle harvest set|show, circle digest year ---------------------------
def test_cli_harvest_set_show_and_year_digest_refusals(tmp_path: Path) -> None:
    import json

    from tests.test_cli import run

    config = tmp_path / "config.toml"
    assert run("init", "--name", "Test Circle", "--address", "circle@circle.test",
               "--steward-email", "steward@circle.test", "--timezone", "Europe/Berlin",
               "--data-dir", str(tmp_path / "data"), config=config).returncode == 0
    assert run("members", "add", "Ana Ruiz", "ana@example.org", config=config).returncode == 0
    assert run("question", "set", "What did you notice?", config=config).returncode == 0
    rounds = sorted(json.loads(line)["round"] for line in run(
        "questions", "list", "--json", config=config).stdout.splitlines()) or []
    listed = run("rounds", config=config).stdout
    round_id = next(w for w in listed.split() if len(w) == 7 and w[4] == "-")
    assert rounds == []  # nothing asked yet; the round exists (planned)

    bad = tmp_path / "notes-latin1.txt"
    bad.write_bytes("Caf\xe9 notes".encode("latin-1"))
    r = run("harvest", "set", round_id, "--file", str(bad), config=config)
    assert r.returncode == 65 and "not UTF-8" in r.stderr and "Traceback" not in r.stderr
    assert run("harvest", "show", "--json", config=config).stdout == ""  # nothing changed
    assert run("harvest", "set", "1999-01", "x", config=config).returncode == 66

    notes = tmp_path / "notes.txt"
    notes.write_text("A poem, caught.\nSecond line.", encoding="utf-8")
    r = run("harvest", "set", round_id, "--file", str(notes), config=config)
    assert r.returncode == 0 and "digest carries it" in r.stdout, r.stderr
    (row,) = [json.loads(line) for line in run("harvest", "show", "--json",
                                               config=config).stdout.splitlines()]
    assert (row["round"], row["state"], row["text"]) == (round_id, "approved",
                                                         "A poem, caught.\nSecond line.")
    assert row["carried_by"] > round_id and row["typed_by_steward"] is True
    assert run("harvest", "hold", round_id, config=config).returncode == 0
    assert "held" in run("harvest", "show", round_id, config=config).stdout

    year = round_id[:4]
    r = run("digest", "year", year, config=config)
    assert r.returncode == 0 and f"a year in stories: {year}" in r.stdout
    r = run("digest", "year", year, "--send", config=config)
    assert r.returncode == 65 and "not approved" in r.stderr
    assert run("digest", "year", year, "--approve", config=config).returncode == 0
    r = run("digest", "year", year, "--send", config=config)
    assert r.returncode == 65 and f"no question was asked in {year}" in r.stderr
