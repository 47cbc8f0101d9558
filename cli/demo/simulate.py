"""Simulated members: real emails through the local SMTP relay, replying to the mail they hold."""

from __future__ import annotations

import email
import logging
import re
import smtplib
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses
from urllib.parse import unquote

from imapclient import IMAPClient

from circle.model import Member, MemberStatus
from cli.demo.seed import PEOPLE
from mail.devservers import DevServers

log = logging.getLogger("circle.demo.simulate")
STRANGER = ("Sam Taylor", "sam.taylor@elsewhere.example")
MAILER_DAEMON = "MAILER-DAEMON@mx.example.org"
_LINK = re.compile(r"mailto:([^?\s>\"]+)\?subject=([^\s>\")]+)")

# What the simulated members say this round (the open question is about a small risk taken).
NEW_MIDDLES = [
    "I volunteered to run the induction week, although I have never led anything that big. "
    "Halfway through the first morning I forgot my notes and simply asked the new staff what "
    "they were most afraid of. It was the best hour of the week.",
    "I let my second-years mark each other's drafts before I saw them. I was sure it would be "
    "chaos. They were kinder and sharper with each other than I am with them.",
    "I told my line manager that I could not take on the extra module. My voice shook, but she "
    "thanked me for saying it early, and nothing broke.",
]
RESPONSE_TEXT = ("Your story stayed with me all week. I tried waiting those three seconds "
                 "longer in my seminar on Thursday, and a student I had never heard speak "
                 "asked the best question of the term. Thank you.")


@dataclass(frozen=True)
class Step:
    """One thing a simulated member (or a stranger, or a mail server) sends."""

    kind: str  # story | response | auto_reply | bounce | command | thanks | unknown
    email: str
    name: str
    text: str = ""
    member_id: str = ""

    def describe(self) -> str:
        """A line for the log: who sends what."""
        what = {"story": "a story", "response": "a response to a story in the last digest",
                "auto_reply": "an out-of-office auto-reply", "bounce": "a bounce (DSN)",
                "command": "a PAUSE command", "thanks": "a THANKS command",
                "unknown": "a message from an unknown address"}[self.kind]
        who = f"the mail server, about {self.email}" if self.kind == "bounce" else self.name
        return f"{who} sends {what}"


def plan_steps(members: Sequence[Member], authors: set[str], today: datetime) -> list[Step]:
    """The demo's script: stories, a response, an auto-reply, a bounce, PAUSE, a stranger."""
    voices = {local: (opener, closer) for _n, local, opener, closer in PEOPLE}
    reachable = [m for m in members if m.status == MemberStatus.ACTIVE and not m.is_steward
                 and not m.delivery_problems]
    free = [m for m in reachable if m.id not in authors]
    others = [m for m in reachable if m.id in authors]
    writers, rest = free[:3], free[3:] + others
    stories = []
    for i, m in enumerate(writers):
        opener, closer = voices.get(m.id, ("", ""))
        text = "\n\n".join(p for p in (opener, NEW_MIDDLES[i % len(NEW_MIDDLES)], closer) if p)
        stories.append(Step("story", m.email, m.name, text, m.id))
    back = (today + timedelta(days=12)).strftime("%d %B %Y").lstrip("0")
    steps: list[Step] = []
    if stories:
        steps.append(stories[0])
    if rest:
        r = rest[0]
        steps.append(Step("response", r.email, r.name, RESPONSE_TEXT, r.id))
    if len(stories) > 1:
        steps.append(stories[1])
    if len(rest) > 1:
        a = rest[1]
        steps.append(Step("auto_reply", a.email, a.name,
                          f"I am out of the office until {back} with limited access to email. "
                          "For urgent matters please contact the department office.", a.id))
    if len(rest) > 2:
        b = rest[2]
        steps.append(Step("bounce", b.email, b.name, "550 5.1.1 <{}>: User unknown", b.id))
    if len(rest) > 3:
        p = rest[3]
        steps.append(Step("command", p.email, p.name, "PAUSE", p.id))
    steps.append(Step("unknown", STRANGER[1], STRANGER[0],
                      "Hello! A colleague forwarded me your question about small risks and "
                      "I loved it. May I join the circle? I teach chemistry at the college "
                      "across the river.\n\nSam"))
    if len(stories) > 2:
        steps.append(stories[2])
    if writers and rest:
        t = rest[0]
        first = writers[0].name.split()[0]
        steps.append(Step("thanks", t.email, t.name,
                          f"THANKS {first}: for being brave in front of the new staff", t.id))
    return steps


@dataclass
class Simulator:
    """Sends the script's mail one step every `interval` seconds until done or stopped."""

    servers: DevServers
    steps: list[Step]
    interval: float = 4.0
    stop_event: threading.Event = field(default_factory=threading.Event)
    on_sent: Callable[[Step, str], object] | None = None
    done: list[tuple[Step, str]] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """The thread's body: bounded (one pass over the steps), stops early on `stop_event`."""
        try:
            for step in self.steps:
                if self.stop_event.wait(self.interval):
                    return
                try:
                    outcome = self.perform(step)
                except Exception as exc:  # a demo must go on: report and continue
                    outcome = f"failed: {type(exc).__name__}: {exc}"
                    log.warning("%s: %s", step.describe(), outcome)
                self.done.append((step, outcome))
                if self.on_sent is not None:
                    self.on_sent(step, outcome)
        finally:
            self.finished.set()

    def perform(self, step: Step) -> str:
        """Compose and send one step's email; a short description of what went out."""
        if step.kind == "unknown":
            msg = _new(step, "circle@example.org", "Joining the circle?", step.text)
            return self._send(step.email, msg)
        if step.kind == "response":
            digest = self._latest(step.email, "digest")
            match = _LINK.search(_body(digest))
            if match is None:
                raise LookupError(f"no reply link in {step.email}'s digest")
            address, subject = match.group(1), unquote(match.group(2))
            msg = _new(step, address, subject, step.text, parent=digest)
            return self._send(step.email, msg)
        question = self._latest(step.email, "question")
        reply_to = _reply_to(question)
        subject = f"Re: {question['Subject']}"
        if step.kind == "bounce":
            return self._send("", _bounce(step, question), envelope_to=["circle@example.org"])
        if step.kind == "auto_reply":
            msg = _new(step, reply_to, f"Out of Office: {question['Subject']}", step.text,
                       parent=question, quote=False)
            msg["Auto-Submitted"] = "auto-replied"
            return self._send(step.email, msg)
        return self._send(step.email, _new(step, reply_to, subject, step.text, parent=question))

    def _latest(self, user: str, kind: str) -> EmailMessage:
        """The newest message of Circle `kind` in `user`'s INBOX (read over IMAP)."""
        client = IMAPClient(self.servers.host, port=self.servers.imap_port, ssl=False,
                            timeout=10)
        try:
            client.login(user, self.servers.password(user))
            client.select_folder("INBOX", readonly=True)
            uids = client.search(["HEADER", "X-Circle-Kind", kind])
            if not uids:
                raise LookupError(f"no {kind} email in {user}'s inbox")
            data = client.fetch([max(uids)], [b"BODY.PEEK[]"])
            raw = bytes(data[max(uids)][b"BODY[]"])
        finally:
            client.logout()
        parsed: EmailMessage = email.message_from_bytes(raw, policy=policy.default)
        return parsed

    def _send(self, sender: str, msg: EmailMessage | bytes,
              envelope_to: list[str] | None = None) -> str:
        if isinstance(msg, bytes):
            raw, subject = msg, "a delivery status notification"
            to = envelope_to or []
        else:
            raw, subject = msg.as_bytes(policy=policy.SMTP), str(msg["Subject"])
            to = envelope_to or [a for _n, a in getaddresses([str(msg["To"])])]
        with smtplib.SMTP(self.servers.host, self.servers.smtp_port, timeout=30) as smtp:
            smtp.sendmail(sender, to, raw)
        return f"sent to {', '.join(to)}: {subject}"


def _reply_to(msg: EmailMessage) -> str:
    pairs = getaddresses([str(msg.get("Reply-To") or msg.get("From") or "")])
    return pairs[0][1] if pairs else "circle@example.org"


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def _new(step: Step, to: str, subject: str, text: str, *, parent: EmailMessage | None = None,
         quote: bool = True) -> EmailMessage:
    """A member's email, threaded under `parent` (In-Reply-To, References) when given."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = formataddr((step.name, step.email))
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    domain = step.email.rpartition("@")[2]
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{domain}>"
    body = text
    if parent is not None:
        parent_id = str(parent["Message-ID"] or "").strip()
        if parent_id:
            refs = str(parent.get("References") or "").split()
            msg["In-Reply-To"] = parent_id
            msg["References"] = " ".join([*refs, parent_id])
        if quote:
            quoted = "\n".join(f"> {line}" for line in _body(parent).splitlines()[:12])
            body = f"{text}\n\nOn {parent['Date']}, {parent['From']} wrote:\n{quoted}\n"
    msg.set_content(body)
    return msg


def _bounce(step: Step, original: EmailMessage) -> bytes:
    """A standard DSN (RFC 3464) saying `step.email` does not exist, with the original headers."""
    detail = step.text.format(step.email)
    date = format_datetime(datetime.now().astimezone())
    headers = "".join(f"{k}: {v}\r\n" for k, v in original.items()
                      if k.lower() in ("from", "to", "subject", "date", "message-id", "reply-to"))
    text = (f"From: Mail Delivery System <{MAILER_DAEMON}>\r\nTo: circle@example.org\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\nDate: {date}\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@mx.example.org>\r\nAuto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
            "boundary=\"dsn-b\"\r\n\r\n--dsn-b\r\nContent-Type: text/plain\r\n\r\n"
            "This is the mail system at host mx.example.org.\r\n\r\nI'm sorry to have to "
            "inform you that your message could not be delivered.\r\n\r\n"
            f"<{step.email}>: host mx.example.org said: {detail}\r\n\r\n"
            "--dsn-b\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.org\r\n\r\n"
            f"Final-Recipient: rfc822; {step.email}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            f"Diagnostic-Code: smtp; {detail}\r\n\r\n"
            f"--dsn-b\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}\r\n--dsn-b--\r\n")
    return text.encode("utf-8")
