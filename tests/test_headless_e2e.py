"""A whole round of a fresh circle through the command line only (real `circle` processes).

`circle init`, `members add`, `question set`, `question approve`, `run --once` (the question goes
out with no other command), members reply by real email (SMTP relay → Dovecot LMTP → the
circle's IMAP folder), `run --once` ingests them and sends the receipts, `stories list --json`,
`stories approve`, `digest approve`, `digest send` (twice): every member's mailbox at the SMTP sink
holds exactly one digest. Time moves with the test-only `$CIRCLE_NOW` (cli/context.py).
"""

from __future__ import annotations

import smtplib
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from circle.errors import ConfigError
from cli.context import NOW_ENV, SystemClock, clock_from_env
from tests.headless_support import Headless, configure_servers, kind_of, parsed, plain_text
from tests.mailservers import PASSWORD_ENV, Mailbox, wait_until

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

# Europe/Berlin, gatherings on the last Wednesday at 18:00: the November 2026 round gathers on
# the 25th. On the 15th its invitation time (T-28d) and question time (T-14d) have passed, so
# the steward hosts this first round and its question goes out as soon as it is approved.
START = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
DIGEST_DAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # T-2d: the digest is due
QUESTION = "What surprised you in your practice this month?"
MEMBERS = {"Ana Ruiz": "ana@example.org", "Bo Li": "bo@example.org",
           "Chidi Okafor": "chidi@example.org", "Dana Weiss": "dana@example.org"}
REPLIES = {"ana@example.org": "A colleague asked me to slow down, and the meeting went better.",
           "bo@example.org": "I listened without preparing an answer for once.",
           "chidi@example.org": "Saying no to a project made room for the one that mattered."}


def _by_kind(smtp_server: SmtpServer) -> dict[str, Counter[str]]:
    """For each kind of mail the sink received, how many went to each recipient."""
    out: dict[str, Counter[str]] = {}
    with smtp_server.handler.lock:
        received = list(smtp_server.handler.received)
    for r in received:
        kind = kind_of(r.message)
        for rcpt in r.rcpt:
            out.setdefault(kind, Counter())[rcpt] += 1
    return out


def _questions(smtp_server: SmtpServer) -> dict[str, EmailMessage]:
    with smtp_server.handler.lock:
        received = list(smtp_server.handler.received)
    return {r.rcpt[0]: parsed(r.raw) for r in received if kind_of(r.message) == "question"}


def _reply(question: EmailMessage, member: str, text: str) -> EmailMessage:
    """The reply a member's mail program sends: to Reply-To, threaded under the question."""
    msg = EmailMessage()
    msg["From"] = member
    msg["To"] = parseaddr(str(question["Reply-To"]))[1]
    msg["Subject"] = f"Re: {question['Subject']}"
    msg["Message-ID"] = f"<reply-{member.partition('@')[0]}@example.org>"
    msg["In-Reply-To"] = str(question["Message-ID"])
    msg["References"] = str(question["Message-ID"])
    msg["Date"] = "Sun, 15 Nov 2026 12:00:00 +0000"
    quoted = "\n".join(f"> {line}" for line in plain_text(question).splitlines()[:5])
    sender = str(question["From"])
    msg.set_content(f"{text}\n\nOn Sun, 15 Nov 2026 at 10:00, {sender} wrote:\n{quoted}\n")
    return msg


def test_a_fresh_circle_runs_its_round_through_the_command_line(
        tmp_path: Path, mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    config = tmp_path / "circle" / "config.toml"
    circle = Headless(config, env={PASSWORD_ENV: mailbox.password})
    circle.run("init", "--name", "Headless Circle", "--address", mailbox.user,
               "--steward-email", "steward@circle.test", "--timezone", "Europe/Berlin",
               "--data-dir", str(tmp_path / "data"), now=START)
    configure_servers(config, imap={
        "host": "127.0.0.1", "port": mailbox.servers.imap_port, "security": "plain",
        "username": mailbox.user, "password_env": PASSWORD_ENV, "poll_seconds": 1,
    }, smtp={"host": "127.0.0.1", "port": smtp_server.port, "security": "plain",
             "username": "", "per_minute": 0})
    for name, email in MEMBERS.items():
        circle.run("members", "add", name, email, now=START)
    assert "Question saved" in circle.run("question", "set", QUESTION, now=START).out
    circle.run("question", "approve", now=START)
    # status tells the operator what the next pass will do: the question (the steward hosts;
    # the invitation's time is long past, so it is not announced)
    upcoming = circle.run("status", "--json", now=START).jsonl()[0]["next"]
    assert upcoming[0].startswith("Round 2026-11 ") and "Next: question, due since" in upcoming[0]
    assert "host_invite" not in upcoming[0] and "next `circle run` pass" in upcoming[0]

    # the question goes out with no other command
    circle.run("run", "--once", now=START)
    questions = _questions(smtp_server)
    assert sorted(questions) == sorted(MEMBERS.values())
    assert all(QUESTION in plain_text(q) for q in questions.values())
    assert _by_kind(smtp_server)["question"] == Counter(dict.fromkeys(MEMBERS.values(), 1))

    # members reply by real email: SMTP relay → Dovecot → the circle's folder
    with smtplib.SMTP(mailbox.servers.host, mailbox.servers.smtp_port, timeout=10) as relay:
        for member, text in REPLIES.items():
            relay.send_message(_reply(questions[member], member, text))
    assert wait_until(lambda: len(mailbox.uids()) == len(REPLIES), timeout=15)

    run = circle.run("run", "--once", now=NEXT_DAY)
    assert "3 fetched: 3 stories, 0 responses, 0 commands, 0 quarantined" in run.out, run.out
    stories = circle.run("stories", "list", "--json", now=NEXT_DAY).jsonl()
    by_member = {s["member_id"]: s for s in stories}
    assert len(stories) == len(REPLIES) and all(s["kind"] == "story" for s in stories)
    assert {s["state"] for s in stories} == {"pending"}
    texts = sorted(str(s["text"]).strip() for s in stories)
    assert texts == sorted(REPLIES.values()), texts  # the quoted question is trimmed away
    receipts = _by_kind(smtp_server).get("receipt", Counter())
    assert receipts == Counter(dict.fromkeys(REPLIES, 1)), _by_kind(smtp_server)
    circle.run("stories", "approve", *(str(s["id"]) for s in stories), now=NEXT_DAY)

    # the digest: previewed, approved, sent once to every member
    circle.run("digest", "approve", now=DIGEST_DAY)
    sent = circle.run("digest", "send", now=DIGEST_DAY)
    assert f"Queued the digest for {len(MEMBERS)} member(s)." in sent.out, sent.out
    digests = _by_kind(smtp_server)["digest"]
    assert digests == Counter(dict.fromkeys(MEMBERS.values(), 1)), digests
    # nothing goes twice: sending again (as a steward unsure it worked would) sends nothing
    circle.run("digest", "send", now=DIGEST_DAY, ok=(0, 65))
    kinds = _by_kind(smtp_server)
    assert kinds["digest"] == Counter(dict.fromkeys(MEMBERS.values(), 1))
    assert kinds["question"] == Counter(dict.fromkeys(MEMBERS.values(), 1))
    assert kinds["receipt"] == Counter(dict.fromkeys(REPLIES, 1))
    with smtp_server.handler.lock:
        bodies = [parsed(r.raw) for r in smtp_server.handler.received
                  if kind_of(r.message) == "digest"]
    digest_text = plain_text(bodies[0])
    assert all(text in digest_text for text in REPLIES.values())
    assert by_member.keys() == {"ana-ruiz", "bo-li", "chidi-okafor"}


def test_the_time_override_is_exact_or_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """`$CIRCLE_NOW` (test-only) fixes the instant; a value without an offset is refused."""
    monkeypatch.delenv(NOW_ENV, raising=False)
    assert isinstance(clock_from_env(), SystemClock)
    monkeypatch.setenv(NOW_ENV, "2026-11-15T10:00:00+01:00")
    assert clock_from_env().now() == START
    for bad in ("2026-11-15T10:00:00", "next tuesday"):
        monkeypatch.setenv(NOW_ENV, bad)
        with pytest.raises(ConfigError, match=NOW_ENV):
            clock_from_env()
