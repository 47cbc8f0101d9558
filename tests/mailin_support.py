"""Shared helpers for the mail-in tests: a config, a small circle, raw messages, tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime

from circle.config import Config, ImapSettings
from circle.model import Member, Round, RoundState, Story
from circle.tokens import TokenClaim, make_token, message_id, reply_address

SECRET = b"mail-in-test-secret"
CIRCLE = "circle@circle.test"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
ROUND = "2026-11"


def make_config(imap: ImapSettings | None = None, **changes: object) -> Config:
    return Config(name="Teachers' circle", slug="teachers", address=CIRCLE,
                  steward_email="steward@circle.test", imap=imap or ImapSettings(),
                  max_story_words=200, **changes)  # type: ignore[arg-type]


def members() -> list[Member]:
    joined = date(2026, 1, 1)
    return [Member(id="ana", name="Ana Lima", email="ana@example.org", joined=joined),
            Member(id="bob", name="Bob Stone", email="bob@example.org", joined=joined,
                   aliases=["bob@work.example"]),
            Member(id="cleo", name="Cleo Park", email="cleo@example.org", joined=joined)]


def rounds() -> list[Round]:
    return [Round(id="2026-10", gathering=datetime(2026, 10, 28, 18, tzinfo=UTC),
                  state=RoundState.DIGEST_SENT),
            Round(id=ROUND, gathering=datetime(2026, 11, 25, 18, tzinfo=UTC),
                  state=RoundState.OPEN, question="What did silence teach you?")]


def story(id: str = "s-ana1", member_id: str = "ana", round_id: str = ROUND) -> Story:
    return Story(id=id, round_id=round_id, member_id=member_id, text="A story.",
                 received_at=NOW)


def seed(store: object, extra: list[object] | None = None) -> None:
    store.put_many([*members(), *rounds(), *(extra or [])])  # type: ignore[attr-defined]


def token(member: str, round_id: str = ROUND, parent: str = "", secret: bytes = SECRET) -> str:
    return make_token(secret, TokenClaim(member, round_id, parent))


def to_token(member: str, round_id: str = ROUND, parent: str = "") -> str:
    return reply_address(CIRCLE, token(member, round_id, parent))


def our_mid(member: str, round_id: str = ROUND, parent: str = "", unique: str = "q1") -> str:
    return message_id(token(member, round_id, parent), unique, "circle.test")


def raw(frm: str, to: str = CIRCLE, subject: str = "Re: the question", body: str = "",
        *, mid: str, in_reply_to: str = "", references: str = "",
        headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    lines = [f"From: {frm}", f"To: {to}", f"Subject: {subject}", f"Message-ID: <{mid}>",
             f"Date: {format_datetime(NOW)}", "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8"]
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
    if references:
        lines.append(f"References: {references}")
    lines += [f"{k}: {v}" for k, v in headers]
    text = body or "When the room went quiet I learned to wait for the second answer."
    return ("\r\n".join(lines) + "\r\n\r\n" + text.replace("\n", "\r\n") + "\r\n").encode()


def dsn(recipient: str, *, mid: str, to: str = CIRCLE, status: str = "5.1.1",
        returned: str = "") -> bytes:
    """A delivery-status report; `returned` = the Message-ID of the mail it returns."""
    original = (f"""--BB
Content-Type: text/rfc822-headers

From: Teachers' circle <{CIRCLE}>
To: {recipient}
Subject: What did silence teach you?
Message-ID: <{returned}>

""" if returned else "")
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: <{mid}>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

Your message could not be delivered.

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Action: failed
Status: {status}
Diagnostic-Code: smtp; 550 {status} user unknown

{original}--BB--
""".replace("\n", "\r\n").encode()


def out_of_office(frm: str, until: str, *, mid: str, in_reply_to: str = "") -> bytes:
    return raw(frm, subject="Out of office: Re: the question", mid=mid, in_reply_to=in_reply_to,
               headers=(("Auto-Submitted", "auto-replied"),),
               body=f"I am out of the office until {until} and will reply when I'm back.")
