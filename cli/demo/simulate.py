"""Simulated members: real emails through the local SMTP relay, replying to the mail they hold."""

from __future__ import annotations

import email
import logging
import re
import smtplib
import threading
import time
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
from cli.demo.voices import RESPONSES, STORIES, THANKS_FOR, out_of_office
from mail.devservers import DevServers

log = logging.getLogger("circle.demo.simulate")
STRANGER = ("Sam Taylor", "sam.taylor@elsewhere.example")
MAILER_DAEMON = "MAILER-DAEMON@mx.example.org"
_LINK = re.compile(r"mailto:([^?\s>\"]+)\?subject=([^\s>\")]+)")

@dataclass(frozen=True)
class Step:
    """One thing a simulated member (or a stranger, or a mail server) sends.

    `gap` is how many simulator intervals to wait before it (the script's gentle, uneven
    pace); `wait_for` names a Circle mail kind ("invitation", "reminder") that must be in the
    sender's inbox first: the step answers that email. `link` picks which story of the last
    digest a response answers.
    """

    kind: str  # story | response | auto_reply | bounce | command | thanks | host | unknown
    email: str
    name: str
    text: str = ""
    member_id: str = ""
    gap: float = 1.0
    wait_for: str = ""
    link: int = 0
    subject: str = ""

    def describe(self) -> str:
        """A line for the log: who sends what."""
        what = {"story": "a story", "response": "a response to a story in the last digest",
                "auto_reply": "an out-of-office auto-reply", "bounce": "a bounce (DSN)",
                "command": f"the {self.text.split()[0] if self.text else ''} command",
                "thanks": "a THANKS command", "host": "HOST YES to the invitation to host",
                "unknown": "a message from an unknown address"}[self.kind]
        if self.kind == "story" and self.wait_for == "reminder":
            what = "a story, answering the reminder"
        who = f"the mail server, about {self.email}" if self.kind == "bounce" else self.name
        return f"{who} sends {what}"


def plan_steps(members: Sequence[Member], authors: set[str], today: datetime,
               invitee: str | None = None, host: str | None = None) -> list[Step]:
    """The demo's month, in order: stories, responses to last month's digest (two in French
    and Spanish), the invited host's HOST YES, stories answering the reminder, an auto-reply,
    ANONYMOUS, a stranger, a bounce, THANKS, a PAUSE. Every text is its writer's own
    (`cli.demo.voices`); the gaps make an uneven, gentle pace.

    `authors` already have a story this round; `invitee` is who the circle will ask to host
    the next round; `host` hosts this one (the reminder never goes to the host). Of those
    without a story, the host and one other write early; the rest only once the reminder
    has reached them.
    """
    reachable = [m for m in members if m.status == MemberStatus.ACTIVE and not m.is_steward
                 and not m.delivery_problems]
    free = [m for m in reachable if m.id not in authors]
    others = [m for m in reachable if m.id in authors]
    early = [m for m in free if m.id == host][:1]
    early += [m for m in free if m.id != host][: 2 - len(early)] if len(free) > 2 else []
    late = [m for m in free if m not in early]  # they will hold the reminder
    back = (today + timedelta(days=12)).date()
    by_id = {m.id: m for m in members}

    def role(prefer: str, k: int) -> Member | None:
        if prefer in by_id and by_id[prefer] in others:
            return by_id[prefer]
        return others[k % len(others)] if others else None

    def story(m: Member, gap: float, after: str = "") -> Step:
        return Step("story", m.email, m.name, STORIES.get(m.id, STORIES["amara"]), m.id,
                    gap=gap, wait_for=after)

    links = iter(range(100))

    def response(m: Member | None, gap: float) -> list[Step]:
        if m is None:
            return []
        return [Step("response", m.email, m.name, RESPONSES.get(m.id, RESPONSES["amara"]),
                     m.id, gap=gap, link=next(links))]

    def command(m: Member | None, kind: str, text: str, gap: float) -> list[Step]:
        return [Step(kind, m.email, m.name, text, m.id, gap=gap)] if m is not None else []

    fr, es, tale, far = role("helene", 0), role("ana", 1), role("kwame", 2), role("priya", 3)
    steps: list[Step] = [story(m, 1.0 + 0.3 * i) for i, m in enumerate(early[:1])]
    steps += response(fr, 1.4)
    if invitee and invitee in by_id:
        inv = by_id[invitee]
        steps.append(Step("host", inv.email, inv.name, "HOST YES", inv.id, gap=1.2,
                          wait_for="invitation"))
    steps += [story(m, 0.8) for m in early[1:]]
    steps += response(es, 1.1)
    if fr is not None:
        subject, text = out_of_office(fr.id, back)
        steps.append(Step("auto_reply", fr.email, fr.name, text, fr.id, gap=1.5,
                          subject=subject))
    steps += [story(m, 1.0, "reminder") for m in late[:1]]
    steps += command(tale, "command", "ANONYMOUS", 1.3)
    steps.append(Step("unknown", STRANGER[1], STRANGER[0],
                      "Hello! A colleague forwarded me your question about small risks and "
                      "I loved it. May I join the circle? I teach chemistry at the college "
                      "across the river.\n\nSam", gap=0.9))
    steps += response(tale, 1.6)
    steps += [story(m, 1.2, "reminder") for m in late[1:]]
    if far is not None:
        steps.append(Step("bounce", far.email, far.name, "550 5.1.1 <{}>: User unknown",
                          far.id, gap=1.0))
    writers = [s for s in steps if s.kind == "story"]
    if writers and es is not None:
        thanked = writers[0]
        words = THANKS_FOR.get(thanked.member_id, "for your story this month")
        steps += command(es, "thanks", f"THANKS {thanked.name.split()[0]}: {words}", 1.4)
    steps += command(tale, "command", "PAUSE", 1.2)
    for m in [*late, *early]:
        steps += response(m, 1.5)
    return steps


@dataclass
class Simulator:
    """Sends the script's mail, each step `step.gap` intervals after the one before.

    A step that answers an email (`wait_for`) waits for it in the sender's inbox, at most
    `wait_timeout` seconds (then it is reported as failed and the script goes on).
    """

    servers: DevServers
    steps: list[Step]
    interval: float = 15.0
    stop_event: threading.Event = field(default_factory=threading.Event)
    on_sent: Callable[[Step, str], object] | None = None
    done: list[tuple[Step, str]] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)
    wait_timeout: float = 120.0

    def run(self) -> None:
        """The thread's body: bounded (one pass over the steps), stops early on `stop_event`."""
        try:
            for step in self.steps:
                if self.stop_event.wait(self.interval * step.gap):
                    return
                try:
                    if step.wait_for and not self._await(step.email, step.wait_for):
                        if self.stop_event.is_set():
                            return
                        raise LookupError(f"no {step.wait_for} email reached {step.email} "
                                          f"within {self.wait_timeout:g} s")
                    outcome = self.perform(step)
                except Exception as exc:  # a demo must go on: report and continue
                    outcome = f"failed: {type(exc).__name__}: {exc}"
                    log.warning("%s: %s", step.describe(), outcome)
                self.done.append((step, outcome))
                if self.on_sent is not None:
                    self.on_sent(step, outcome)
        finally:
            self.finished.set()

    def _await(self, user: str, kind: str) -> bool:
        """Wait (bounded) until `user` holds an email of Circle `kind`."""
        deadline = time.monotonic() + self.wait_timeout
        pause = min(2.0, max(0.2, self.interval / 4))
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            try:
                self._latest(user, kind)
                return True
            except LookupError:
                self.stop_event.wait(pause)
        return False

    def perform(self, step: Step) -> str:
        """Compose and send one step's email; a short description of what went out."""
        if step.kind == "unknown":
            msg = _new(step, "circle@example.org", "Joining the circle?", step.text)
            return self._send(step.email, msg)
        if step.kind == "response":
            digest = self._latest(step.email, "digest")
            links = _LINK.findall(_body(digest))
            if not links:
                raise LookupError(f"no reply link in {step.email}'s digest")
            address, subject = links[step.link % len(links)]
            msg = _new(step, address, unquote(subject), step.text, parent=digest)
            return self._send(step.email, msg)
        parent = self._latest(step.email, step.wait_for or "question")
        reply_to = _reply_to(parent)
        subject = f"Re: {parent['Subject']}"
        if step.kind == "bounce":
            return self._send("", _bounce(step, parent), envelope_to=["circle@example.org"])
        if step.kind == "auto_reply":
            msg = _new(step, reply_to, f"{step.subject or 'Out of Office'}: {parent['Subject']}",
                       step.text, parent=parent, quote=False)
            msg["Auto-Submitted"] = "auto-replied"
            return self._send(step.email, msg)
        return self._send(step.email, _new(step, reply_to, subject, step.text, parent=parent))

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
