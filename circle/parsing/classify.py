"""What an inbound message is: a tuple of small named rules, each giving a kind and a reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from circle.model import MessageKind
from circle.parsing.autoreply import looks_away, may_be_away, notice_form, says_away
from circle.parsing.bounce import dsn_actions
from circle.parsing.mime import DecodedMessage
from circle.parsing.prefilter import search as prefiltered
from circle.parsing.types import Address, Command, Request

K = MessageKind


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at, decoded once."""

    decoded: DecodedMessage
    sender: Address
    subject: str
    message_id: str
    body: str  # the whole best body as text
    text: str  # the trimmed new words
    command: Command | None
    own_addresses: tuple[str, ...] = ()
    own_markers: tuple[str, ...] = ()
    is_body_only: bool = False
    request: Request | None = None  # a request in plain words (parsing/requests.py)


Rule = Callable[[Facts], "K | None"]

_DAEMON = re.compile(
    r"^(?:mailer-daemon|mailer_daemon|postmaster|post_master|post-master|mail-daemon|mailerdaemon|mdaemon|"
    r"double-bounce|bounce|bounces|mail\.?delivery|nobody-bounce)\b", re.IGNORECASE)
_DAEMON_NAME = re.compile(
    r"mail delivery (?:sub)?system|mailer[- ]daemon|postmaster|mail administrator|"
    r"delivery status notification|mail system|mail delivery service|systemadministrator|"
    r"internet mail delivery|servicio de entrega|mail delivery", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|failed|problem|report)|"
    r"mail delivery failed|returned mail|failure notice|delivery has failed|non[- ]?delivery|"
    r"could not (?:be )?deliver|mail system error|returned to sender|rejected|"
    r"nondeliverable|unzustellbar|non remis|non recapitabile|no se puede entregar|"
    r"onbestelbaar|message not delivered|delivery notification|warning: could not send|"
    r"mail could not be delivered|permanent (?:error|failure)|bounce|mail delivery|"
    r"user unknown|unknown user|delivery error|delivery notice|não entregue|"
    r"message you sent|sending failed|unable to deliver",
    re.IGNORECASE)
_BOUNCE_BODY = re.compile(
    r"could not be delivered|couldn't be delivered|was not delivered|delivery (?:has )?failed|"
    r"permanent(?:ly)? (?:error|fatal|failure)|fatal errors?|user unknown|unknown user|"
    r"no such user|mailbox (?:unavailable|not found|is full|full)|undeliverable|"
    r"recipient address rejected|address rejected|does not exist|delivery to the following|"
    r"following (?:address|recipient)|unable to deliver|not be delivered|returned to sender|"
    r"this is the mail system at|mail delivery failed|message could not|delivery problem|"
    r"could not deliver|smtp error|\b55\d[ -]|\b5\.\d\.\d\b|quota exceeded|over quota|"
    r"delivery status notification|host unknown|relay (?:access )?denied|"
    r"giving up|retry timeout exceeded|unrouteable|hop count exceeded|message rejected|"
    r"has been blocked|rejected|blacklist|blocked|spam",
    re.IGNORECASE)
_OOO_SUBJECT = re.compile(
    r"out of (?:the )?office|automatische antwort|automatisch antwoord|automatisk svar|"
    r"automatic reply|out-of-office|\booo\b|auto(?:matic)?[- ]?(?:reply|response|"
    r"antwort|risposta|respuesta|réponse|svar|antwoord|matisk)|vacation|on holiday|on leave|"
    r"away from (?:the )?office|abwesenheit|nicht im büro|außer haus|ausser haus|"
    r"absence|absent|réponse automatique|fuera de la oficina|respuesta automática|"
    r"ausente|fuori ufficio|risposta automatica|assente|afwezig|niet aanwezig|"
    r"automatisch antwoord|ausência|resposta automática|fora do escritório|frånvaro|"
    r"inte på kontoret|autosvar|fraværende|fravær|poissa|lomalla|nieobecn|"
    r"automatyczna odpowiedź|отсутств|автоответ|autoreply|autoresponder|"
    r"házon kívül|irodán kívül|automatikus válasz|mimo kancelář|automatická odpověď|"
    r"nepřítomnost|automaattinen vastaus|ikke til stede|εκτός γραφείου|αυτόματη απάντηση|"
    r"răspuns automat|în afara biroului|부재중|부재 중|자동 회신|자동 응답|מחוץ למשרד|"
    r"תשובה אוטומטית",
    re.IGNORECASE)
# Subject words a member may also use ("Re: the question (written on vacation)") are weak:
# with only those, a long message that never says the sender is away is the member's story.
_OOO_STRONG = re.compile(
    r"out of (?:the )?office|automati|auto[- ]?(?:reply|response|antwort|risposta|respuesta|"
    r"réponse|svar|antwoord)|autoreply|autoresponder|\booo\b|nicht im büro|außer haus|"
    r"fuera de la oficina|fuori ufficio|fora do escritório|inte på kontoret|abwesenheitsnotiz|"
    r"автоответ|отсутств|nieobecn|poissa|lomalla|frånvaro|fravær|házon kívül|irodán kívül|"
    r"automatikus|mimo kancelář|automatická|automaattinen|ikke til stede|εκτός γραφείου|"
    r"αυτόματη|răspuns automat|în afara biroului|부재|자동 회신|자동 응답|מחוץ למשרד|"
    r"אוטומטית", re.IGNORECASE)
_STORY_WORDS = 60  # more words than an out-of-office notice has
_COMPLAINT_SUBJECT = re.compile(r"complaint|abuse report|spam report|feedback report", re.I)
_SES_TYPE = re.compile(r'notificationType\\?"\s*:\s*\\?"(Bounce|Complaint|Delivery)', re.I)
_LIST_ADMIN = re.compile(r"-(?:admin|owner|request|bounces?)$", re.IGNORECASE)
_NOREPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|noreply|notifications?|alerts?)\b", re.I)


@lru_cache(maxsize=4)
def _bounce_wording(body: str) -> bool:
    """Does the start of the body word a delivery failure? (Asked by two rules: read once.)"""
    return prefiltered(_BOUNCE_BODY, body[:20000]) is not None


def _header(f: Facts, name: str) -> str:
    return f.decoded.header(name).strip().lower()


def loop_own_address(f: Facts) -> K | None:
    """Sent from one of our own addresses."""
    own = {a.lower() for a in f.own_addresses}
    return K.LOOP if f.sender.email and f.sender.email in own else None


def loop_marker_header(f: Facts) -> K | None:
    """Carries our X-Circle-Loop marker."""
    return K.LOOP if any(k.lower() == "x-circle-loop" for k, _ in f.decoded.headers) else None


def loop_own_message_id(f: Facts) -> K | None:
    """A Message-ID minted by us."""
    mid = f.message_id.lower()
    return K.LOOP if any(m and m.lower() in mid for m in f.own_markers) else None


def feedback_report(f: Facts) -> K | None:
    """An ARF abuse / feedback report (RFC 5965)."""
    d = f.decoded
    if d.report_type == "feedback-report" or "message/feedback-report" in d.report_parts:
        return K.FEEDBACK_REPORT
    return None


def complaint_report(f: Facts) -> K | None:
    """A non-ARF abuse complaint carrying the complained-about message."""
    returned = bool(f.decoded.embedded_headers)
    return K.FEEDBACK_REPORT if returned and _COMPLAINT_SUBJECT.search(f.subject) else None


def one_click_unsubscribe(f: Facts) -> K | None:
    """A mail client's unsubscribe button (e.g. X-Apple-Unsubscribe): an opt-out report."""
    return K.FEEDBACK_REPORT if _header(f, "X-Apple-Unsubscribe") == "true" else None


def ses_notification(f: Facts) -> K | None:
    """An Amazon SES notification (JSON via SNS) about a bounce, complaint or delivery."""
    m = _SES_TYPE.search(f.body[:20000])
    if not m:
        return None
    return {"bounce": K.BOUNCE, "complaint": K.FEEDBACK_REPORT,
            "delivery": K.DELIVERY_REPORT}.get(m.group(1).lower())


def dsn_delivered(f: Facts) -> K | None:
    """A DSN saying every recipient got it (delivered / relayed / expanded)."""
    actions = dsn_actions(f.decoded)
    if actions and all(a in ("delivered", "relayed", "expanded") for a in actions):
        return K.DELIVERY_REPORT
    return None


def dsn_failed(f: Facts) -> K | None:
    """An RFC 3464 delivery-status report about a failed or delayed delivery."""
    d = f.decoded
    if d.report_type == "delivery-status" or any(
            p in d.report_parts for p in ("message/delivery-status",
                                          "message/global-delivery-status")):
        return K.BOUNCE
    return None


def read_receipt(f: Facts) -> K | None:
    """An MDN (read receipt, RFC 8098)."""
    d = f.decoded
    if d.report_type == "disposition-notification" or (
            "message/disposition-notification" in d.report_parts):
        return K.DELIVERY_REPORT
    return None


def failed_recipients_header(f: Facts) -> K | None:
    """X-Failed-Recipients, set by Exim and others."""
    return K.BOUNCE if f.decoded.header("X-Failed-Recipients") else None


def daemon_sender(f: Facts) -> K | None:
    """From MAILER-DAEMON / postmaster / 'Mail Delivery System'."""
    local = f.sender.email.split("@", 1)[0]
    if _DAEMON.match(local) or (f.sender.name and _DAEMON_NAME.search(f.sender.name)):
        return K.BOUNCE
    if not f.sender.email and _DAEMON_NAME.search(f.decoded.header("From")):
        return K.BOUNCE
    return None


def bounce_subject(f: Facts) -> K | None:
    """A subject only delivery failures have, with a returned message or bounce wording."""
    if not _BOUNCE_SUBJECT.search(f.subject):
        return None
    d = f.decoded
    returned = bool(d.embedded_headers) or any(
        t in d.content_types for t in ("message/rfc822", "text/rfc822-headers"))
    return K.BOUNCE if returned or _bounce_wording(f.body) else None


def bounce_body(f: Facts) -> K | None:
    """Bounce wording plus a returned message or an empty envelope sender."""
    d = f.decoded
    returned = bool(d.embedded_headers) or "message/rfc822" in d.content_types
    null_sender = d.header("Return-Path").strip() in ("<>", "") and bool(d.header("Return-Path"))
    if (returned or null_sender) and _bounce_wording(f.body):
        return K.BOUNCE
    return None


def auto_submitted(f: Facts) -> K | None:
    """RFC 3834 Auto-Submitted: auto-replied / auto-generated."""
    value = _header(f, "Auto-Submitted")
    if not value or value.startswith("no"):
        return None
    return K.AUTO_REPLY if "replied" in value else K.AUTO_GENERATED


def autoreply_headers(f: Facts) -> K | None:
    """X-Autoreply / X-Autorespond / X-Autoreply-From and friends."""
    names = {k.lower() for k, _ in f.decoded.headers}
    hits = {"x-autoreply", "x-autorespond", "x-autoreply-from", "x-mail-autoreply",
            "x-autogenerated", "x-auto-reply", "x-vacation"}
    if names & hits:
        return K.AUTO_REPLY
    return None


def exchange_inbox_rule(f: Facts) -> K | None:
    """Generated by an Exchange inbox rule (server-side auto-reply / forward)."""
    return K.AUTO_REPLY if f.decoded.header("X-MS-Exchange-Inbox-Rules-Loop") else None


def out_of_office_subject(f: Facts) -> K | None:
    """An out-of-office subject in one of the common languages. When only a word a member
    might put in a subject says so ("vacation", "absent") and the message is long and never
    says the sender is away, it is the member's story, not a notice."""
    if not _OOO_SUBJECT.search(f.subject):
        return None
    weak = not _OOO_STRONG.search(f.subject)
    if weak and len(f.text.split()) > _STORY_WORDS and not says_away(f.text):
        return None
    return K.AUTO_REPLY


def precedence(f: Facts) -> K | None:
    """Precedence: auto_reply (vacation) or bulk / junk / list (automatic mail)."""
    value = _header(f, "Precedence")
    if value == "auto_reply":
        return K.AUTO_REPLY
    if value in ("bulk", "junk", "list"):
        return K.AUTO_GENERATED
    return None


_REFUSED_POST = re.compile(
    r"\bnot\s+(?:a\s+)?member\b|\bnon-?members?\b|\bmembers?\s+only\b|\bonly\s+members\b|"
    r"\bnot\s+(?:allowed|permitted|authori[sz]ed)\s+to\s+(?:post|send)\b|"
    r"\bkein\s+mitglied\b|\bpas\s+membre\b|\bno\s+(?:es\s+)?miembro\b|"
    r"\b(?:was|has\s+been)\s+(?:rejected|refused|bounced)\b|\bcould\s+not\s+be\s+delivered\b|"
    r"\bundeliverable\b", re.IGNORECASE)


def list_refused_post(f: Facts) -> K | None:
    """A list manager (its -admin / -owner / -request address) returning our mail because the
    address is not a member or may not post, or saying it was rejected or undeliverable: our
    message did not reach the list, which is a bounce, not mere automatic mail (a welcome,
    digest or moderation notice from the same address says none of that)."""
    local = f.sender.email.split("@", 1)[0]
    if not _LIST_ADMIN.search(local):
        return None
    head = f.body[:3000]
    return K.BOUNCE if _REFUSED_POST.search(head) else None


def list_admin_sender(f: Facts) -> K | None:
    """From a mailing-list manager's -admin / -owner / -request / -bounces address."""
    local = f.sender.email.split("@", 1)[0]
    return K.AUTO_GENERATED if _LIST_ADMIN.search(local) else None


def noreply_sender(f: Facts) -> K | None:
    """From a no-reply / notifications address."""
    return K.AUTO_GENERATED if _NOREPLY.match(f.sender.email) else None


_QUOTE_LINE = re.compile(r"^[ \t]*>", re.MULTILINE)


def _quotes_our_mail(f: Facts) -> bool:
    """A reply to a message (In-Reply-To or References) that quotes it below the new words
    ("> " lines): a person wrote it. Auto-replies by content are the ones that do not quote
    the message they answer (or that use the classic notice form, see `notice_form`)."""
    if not (_header(f, "In-Reply-To") or _header(f, "References")):
        return False
    return _QUOTE_LINE.search(f.body[:20000]) is not None


def away_notice(f: Facts) -> K | None:
    """An out-of-office notice without automatic headers: short, present-tense "I am away",
    and a return date (a story that mentions a holiday stays a story). A message that asks
    for something in plain words ("please pause my mail until March, I'm on leave") was
    written by the member: it is that request, never an automatic notice."""
    import email.utils

    if f.request is not None or not may_be_away(f.text):
        return None
    if _quotes_our_mail(f) and not notice_form(f.text):
        return None  # "I'll be away until 14 March, Jana covers for me." above our quote
    try:
        sent = email.utils.parsedate_to_datetime(f.decoded.header("Date"))
    except (TypeError, ValueError, IndexError):
        sent = None
    return K.AUTO_REPLY if looks_away(f.text, sent) else None


def has_command(f: Facts) -> K | None:
    """An email command in the subject or first line."""
    return K.COMMAND if f.command is not None else None


def request_in_plain_words(f: Facts) -> K | None:
    """The message is only a request in plain words ("please pause my mail until March")."""
    return K.COMMAND if f.request is not None and f.request.alone else None


def no_new_text(f: Facts) -> K | None:
    """Nothing left once quotes and signatures are removed."""
    return K.EMPTY if not f.text.strip() else None


def has_new_text(f: Facts) -> K | None:
    """The member wrote something."""
    return K.REPLY


# Order is precedence: the first rule that fires decides the kind.
RULES: tuple[Rule, ...] = (
    loop_own_address, loop_marker_header, loop_own_message_id,
    feedback_report, complaint_report, one_click_unsubscribe, ses_notification,
    dsn_delivered, read_receipt, dsn_failed, failed_recipients_header,
    daemon_sender, exchange_inbox_rule, autoreply_headers, auto_submitted, out_of_office_subject,
    bounce_subject, bounce_body, list_refused_post, precedence, list_admin_sender,
    noreply_sender,
    has_command, away_notice, request_in_plain_words, no_new_text, has_new_text,
)
BODY_RULES: tuple[Rule, ...] = (has_command, request_in_plain_words, no_new_text, has_new_text)


def classify(facts: Facts, rules: tuple[Rule, ...] = RULES) -> tuple[K, tuple[str, ...]]:
    """The kind decided by the first rule that fires, and every rule that agrees with it."""
    kind: K | None = None
    reasons: list[str] = []
    for rule in rules:
        got = rule(facts)
        if got is None:
            continue
        if kind is None:
            kind = got
        if got == kind:
            reasons.append(rule.__name__)
    return kind or K.REPLY, tuple(reasons)
