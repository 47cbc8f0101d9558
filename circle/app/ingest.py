"""Ingest fetched mail (docs/architecture.md, "Mail flow"): parse, match, policy, one write."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from circle.app.harvest import harvest_from_reply
from circle.app.requests import (
    HOST_ANSWERS,
    SUGGESTION_EVENT,
    answers_invitation,
    settled,
    suggestion_of,
    suggestion_text,
)
from circle.carrying import carrying_round
from circle.commands_apply import CommandInput, apply_command
from circle.compose.harvest import HARVEST_PARENT, harvest_id
from circle.config import Config
from circle.identity import (
    CONFIRM_DAYS,
    CONFIRM_REQUEST,
    answered_request,
    bounce_tie,
    effect_words,
    pending_command,
    says_yes,
    unverified_command,
)
from circle.matching import Match, is_own_address, match, token_claim
from circle.model import (
    Appreciation,
    DeliveryProblem,
    Event,
    Harvest,
    InboundRecord,
    Member,
    MemberStatus,
    MessageKind,
    Notice,
    OutboxItem,
    QuarantineItem,
    QuarantineState,
    ReplyKey,
    Response,
    Round,
    Story,
    StoryState,
)
from circle.outbox import item_id
from circle.parsing import (
    command_string,
    parse_message,
    replied_ids,
    sent_text_of,
    unparseable,
)
from circle.parsing.hygiene import unparseable_detail
from circle.parsing.types import Command, ParsedMessage
from circle.policy import Facts, held_reasons
from circle.ports import Store
from circle.reply_cap import CAPPED_EVENT, capped_text, over_cap, replies_on
from circle.tokens import read_token, token_from_message_id

R = TypeVar("R")

PERMANENT_BOUNCE_LIMIT = 3  # permanent failures to one address before its mail is paused
MAX_AUTO_PAUSE = timedelta(days=92)  # longer "back on" dates in auto-replies are ignored
Parser = Callable[..., ParsedMessage]
_QUIET = {MessageKind.DELIVERY_REPORT: "ignored:delivery_report",
          MessageKind.AUTO_GENERATED: "ignored:auto_generated",
          MessageKind.EMPTY: "ignored:empty"}


@dataclass(frozen=True)
class InboundMail:
    """One fetched message: its bytes (already archived under `raw_sha`) and where it was."""

    raw: bytes
    raw_sha: str
    uid: int = 0
    uidvalidity: int = 0
    folder: str = ""


@dataclass
class IngestReport:
    """What one pass did, for the CLI summary, the TUI and the tests."""

    fetched: int = 0
    duplicates: int = 0
    stories: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    appreciations: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    bounces: int = 0
    auto_replies: int = 0
    ignored: int = 0
    notices: list[str] = field(default_factory=list)
    rescanned: bool = False

    def merge(self, other: IngestReport) -> None:
        """Add another report's counts to this one."""
        for name, value in vars(other).items():
            mine = getattr(self, name)
            setattr(self, name, mine or value if isinstance(mine, bool) else mine + value)

    def summary(self) -> str:
        """One line in words, e.g. "3 fetched: 2 stories, 1 command, 0 quarantined"."""
        parts = [f"{len(self.stories)} stories", f"{len(self.responses)} responses",
                 f"{len(self.commands)} commands", f"{len(self.quarantined)} quarantined",
                 f"{self.bounces} bounces", f"{self.auto_replies} auto-replies",
                 f"{self.ignored} ignored", f"{self.duplicates} duplicates"]
        rescan = " (UIDVALIDITY changed: rescanned)" if self.rescanned else ""
        return f"{self.fetched} fetched: " + ", ".join(parts) + rescan


def ref_for(message_id: str) -> str:
    """Deterministic id stem for records made from one message."""
    return hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class _Lazy(Mapping[str, R]):
    """Records of one type read from the store on demand, with this batch's changes on top."""

    def __init__(self, store: Store, cls: type[R]) -> None:
        self.store, self.cls = store, cls
        self.local: dict[str, R] = {}

    def __getitem__(self, key: str) -> R:
        if key in self.local:
            return self.local[key]
        found = self.store.get(self.cls, key)
        if found is None:
            raise KeyError(key)
        self.local[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        stored = [key for (key,) in self.store.project(self.cls, "id")]
        return iter(dict.fromkeys([*stored, *self.local]))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def of_member(self, member_id: str) -> list[R]:
        """Every record of this member (stored ones merged with this batch's)."""
        keys = [key for key, who in self.store.project(self.cls, "id", "member_id")
                if who == member_id]
        keys += [k for k, r in self.local.items() if getattr(r, "member_id", "") == member_id]
        return [self[k] for k in dict.fromkeys(keys)]


class _Batch:
    """Records read once per batch, updated as messages are ingested, written once."""

    def __init__(self, store: Store, config: Config, secret: bytes, now: datetime,
                 report: IngestReport) -> None:
        self.store = store
        self.config = config
        self.secret = secret
        self.now = now
        self.today = now.astimezone(config.tz).date()
        self.report = report
        self.members = {m.id: m for m in store.all(Member)}
        self.rounds = {r.id: r for r in store.all(Round)}
        # Stories and responses are looked up lazily: a circle may hold 10,000 of them.
        self.stories: _Lazy[Story] = _Lazy(store, Story)
        self.responses: _Lazy[Response] = _Lazy(store, Response)
        self._counts: Counter[tuple[str, str]] | None = None
        self._replies: Counter[str] | None = None
        self.new_stories: dict[str, Story] = {}
        self.seen: set[str] = set()
        self.again: frozenset[str] = frozenset()
        self.deep_dedupe = False
        self.out: dict[tuple[str, str], Any] = {}
        self.sent_ids: dict[str, str] | None = None  # our Message-IDs → outbox item ids

    def put(self, record: Any) -> None:
        self.out[(type(record).TABLE, record.key)] = record
        if isinstance(record, Member):
            self.members[record.id] = record
        elif isinstance(record, Round):
            self.rounds[record.id] = record
        elif isinstance(record, Story):
            if record.id not in self.stories:  # new in this batch, not an update
                self.new_stories[record.id] = record
            self.stories.local[record.id] = record
        elif isinstance(record, Response):
            self.responses.local[record.id] = record

    def stories_by(self, member_id: str, round_id: str) -> int:
        """How many stories (not withdrawn) this member has in this round, this batch included."""
        if self._counts is None:  # stored stories, counted once per batch without decoding
            self._counts = Counter(
                (m, r) for m, r, state in self.store.project(Story, "member_id", "round_id",
                                                             "state")
                if state != StoryState.WITHDRAWN)
        fresh = sum(1 for s in self.new_stories.values()
                    if s.member_id == member_id and s.round_id == round_id)
        return self._counts[(member_id, round_id)] + fresh

    def notify(self, notice: Notice) -> bool:
        """Queue an automatic reply, unless the member had today's cap of them (then an Event)."""
        if self._replies is None:
            self._replies = replies_on(self.today, self.config.tz,
                                       self.store.project(Notice, "member_id", "created_at"))
        cap = max(1, self.config.auto_replies_per_day)
        if over_cap(self._replies[notice.member_id], cap):
            member = self.members.get(notice.member_id)
            self.put(Event(id=f"e-{notice.id}-capped", at=self.now, kind=CAPPED_EVENT,
                           text=capped_text(notice.kind, member.name if member else "?", cap)))
            return False
        self._replies[notice.member_id] += 1
        self.put(notice)
        self.report.notices.append(notice.id)
        return True

    def get(self, cls: type[R], key: str) -> R | None:
        """A record as this batch left it, else as stored."""
        mine = next((r for (_, k), r in self.out.items() if k == key and isinstance(r, cls)), None)
        return mine if mine is not None else self.store.get(cls, key)

    def is_duplicate(self, message_id: str) -> bool:
        if message_id in self.seen:
            return True
        if message_id in self.again:
            return False
        return self.store.get(InboundRecord, message_id, archived=self.deep_dedupe) is not None


def ingest_batch(store: Store, mails: Sequence[InboundMail], *, config: Config, secret: bytes,
                 now: datetime, parse: Parser = parse_message,
                 again: frozenset[str] = frozenset(),
                 deep_dedupe: bool = False) -> IngestReport:
    """Turn fetched mail into records in ONE store transaction; idempotent by Message-ID.

    Message-IDs are looked up in the hot store, which keeps inbound records 35 days (new mail
    is new by its IMAP UID; a message delivered twice arrives close together).
    `deep_dedupe` also searches the archives: after a UIDVALIDITY change the whole folder
    comes again, old mail included. `again` names Message-IDs to read anew although they were
    seen (the steward's "parse again" after a fix): their records of the first reading are
    replaced, not duplicated.
    """
    report = IngestReport(fetched=len(mails))
    with store.transaction():
        batch = _Batch(store, config, secret, now, report)
        batch.again = again
        batch.deep_dedupe = deep_dedupe
        for mail in mails:
            _ingest_one(batch, mail, parse)
        if again:
            for record in batch.out.values():  # replace what the first reading made
                stored = store.get(type(record), record.key, archived=False)
                if stored is not None and not isinstance(record, Member | Round):
                    record.version = stored.version
        store.put_many(batch.out.values())
    return report


def parse_again(store: Store, item_id: str, *, config: Config, secret: bytes, now: datetime,
                parse: Parser = parse_message) -> IngestReport:
    """Read a quarantined message again from its raw bytes (after a fix in Circle).

    If it is still not placeable it stays in quarantine with today's reason; otherwise it
    becomes what it is (a story, a command, ...) and the quarantine item says so.
    """
    from circle.errors import NotFoundError, TransitionError
    from circle.model import QuarantineState
    from circle.transitions import resolve_quarantine

    with store.transaction():
        item = store.get(QuarantineItem, item_id)
        if item is None:
            raise NotFoundError(f"no quarantine item {item_id!r} (`circle quarantine list`)")
        if item.state != QuarantineState.OPEN:
            raise TransitionError(f"quarantine item {item_id} was already {item.state}")
        raw = store.archive.load(item.raw_sha)
        report = ingest_batch(store, [InboundMail(raw=raw, raw_sha=item.raw_sha)],
                              config=config, secret=secret, now=now, parse=parse,
                              again=frozenset({item.message_id}))
        after = store.get(QuarantineItem, item_id)
        if after is not None and not report.quarantined:  # placed this time
            placed = [f"story:{i}" for i in report.stories] + [
                f"response:{i}" for i in report.responses] + [
                f"command:{c}" for c in report.commands] + [
                f"appreciation:{i}" for i in report.appreciations]
            outcome = placed[0] if placed else "placed"
            store.put(resolve_quarantine(after, QuarantineState.ASSIGNED,
                                         f"parsed again: {outcome}"))
            first = store.get(InboundRecord, item.message_id, archived=False)
            if first is not None and first.outcome != outcome:  # the first reading's record
                store.put(replace(first, outcome=f"parsed again: {outcome}"))
    return report


def _ingest_one(batch: _Batch, mail: InboundMail, parse: Parser) -> None:
    config, secret, now, report = batch.config, batch.secret, batch.now, batch.report
    sent = _our_sent_text(batch, mail.raw)  # the text of ours it replies to, if any
    try:
        msg = (parse(mail.raw, own_addresses=(config.address.lower(),), sent_text=sent) if sent
               else parse(mail.raw, own_addresses=(config.address.lower(),)))
    except Exception as exc:  # the parser should never raise; never lose the message if it does
        msg = unparseable(mail.raw, f"parser error: {type(exc).__name__}: {exc}")
    if batch.is_duplicate(msg.message_id):
        report.duplicates += 1
        return
    batch.seen.add(msg.message_id)
    ref = ref_for(msg.message_id)
    record = InboundRecord(message_id=msg.message_id, raw_sha=mail.raw_sha, received_at=now,
                           kind=msg.kind, reasons=list(msg.reasons), sender=msg.sender.email,
                           subject=msg.subject, folder=mail.folder,
                           uidvalidity=mail.uidvalidity, uid=mail.uid)
    own_mid = token_from_message_id(msg.message_id)
    if msg.kind == MessageKind.UNPARSEABLE:  # never ignored: the steward sees it, raw archived
        outcome = _quarantine(batch, msg, mail, ref, f"unparseable: {unparseable_detail(msg)}")
        report.quarantined.append(outcome.partition(":")[2])
    elif (msg.kind == MessageKind.LOOP or is_own_address(msg.sender.email, config.address)
            or (own_mid is not None and read_token(secret, own_mid) is not None)):
        outcome = "ignored:loop"
        report.ignored += 1
    elif msg.kind == MessageKind.BOUNCE:
        outcome = _bounce(batch, msg, ref)
        report.bounces += 1
    elif msg.kind == MessageKind.FEEDBACK_REPORT:
        batch.put(Event(id=f"e-{ref}", at=now, kind="complaint",
                        text=f"a feedback (abuse) report arrived from {msg.sender.email}"))
        outcome = "ignored:feedback_report"
        report.ignored += 1
    elif msg.kind == MessageKind.AUTO_REPLY:
        outcome = _auto_reply(batch, msg, ref)
        report.auto_replies += 1
    elif msg.kind in _QUIET:
        outcome = _QUIET[msg.kind]
        report.ignored += 1
    else:
        found = _match(batch, msg)
        if found.problem or found.member is None:
            outcome = _quarantine(batch, msg, mail, ref, found.problem or "unmatched")
            report.quarantined.append(outcome.partition(":")[2])
        elif answered_request(found.token_parent):
            outcome = _confirmation(batch, msg, mail, found, ref)
        elif msg.kind == MessageKind.COMMAND and msg.command is not None and not (
                _stray_host_answer(batch, msg, found)):
            command = settled(msg.command, msg.request, batch.today)
            msg = replace(msg, command=command)
            why = unverified_command(command, found.via)
            outcome = (_ask_to_confirm(batch, msg, mail, found, ref, reason=why) if why
                       else _command(batch, msg, found, ref))
        elif found.token_parent == HARVEST_PARENT and found.round_id in batch.rounds:
            outcome = _harvest(batch, msg, mail, found)  # a reply to the harvest request
        else:
            outcome = _post(batch, msg, mail, found, ref)
    batch.put(replace(record, outcome=outcome))


def _harvest(batch: _Batch, msg: ParsedMessage, mail: InboundMail, found: Match) -> str:
    """A verified reply to a harvest request becomes (part of) the round's harvest, pending."""
    assert found.member is not None
    rnd = batch.rounds[found.round_id]
    existing = batch.get(Harvest, harvest_id(rnd.id))
    harvest = harvest_from_reply(existing, rnd, batch.rounds.values(),
                                 member_id=found.member.id, text=msg.text,
                                 message_id=msg.message_id, raw_sha=mail.raw_sha,
                                 attachments=msg.attachments, now=batch.now)
    batch.put(harvest)
    batch.put(Event(id=f"e-{ref_for(msg.message_id)}-harvest", at=batch.now, kind="harvest",
                    text=f"Round {rnd.id}: {found.member.name} sent what the gathering "
                         "harvested; review it (`circle harvest show`, Threads)."))
    return f"harvest:{harvest.id}"


# what a member replies to; notices (receipts, confirmations) are found in the hot outbox
_SENT_KINDS = ("question", "reminder", "invitation", "digest", "receipt", "confirmation",
               "harvest", "year_digest")


def _our_sent_text(batch: _Batch, raw: bytes) -> str:
    """The text of our own message `raw` replies to (In-Reply-To, then References, newest
    first), found in the outbox or its archive; "" when it is none of ours. The parser then
    cuts the quote of it by alignment, whatever the client or language (parsing/align.py)."""
    for mid in replied_ids(raw):
        token = token_from_message_id(mid)
        claim = read_token(batch.secret, token) if token else None
        if claim is None:
            continue  # not a Message-ID we minted
        if batch.sent_ids is None:  # the hot outbox, once per batch, without its bodies
            batch.sent_ids = dict(batch.store.project(OutboxItem, "message_id", "id"))
        keys = [batch.sent_ids[mid]] if mid in batch.sent_ids else [
            item_id(kind, claim.round_id, claim.member_id, mid) for kind in _SENT_KINDS]
        for key in keys:
            item = batch.store.get(OutboxItem, key)
            if item is not None and item.raw:
                return sent_text_of(item.raw.encode("utf-8", "replace"))
    return ""


def _match(batch: _Batch, msg: ParsedMessage) -> Match:
    return match(msg, secret=batch.secret, circle_address=batch.config.address,
                 members=list(batch.members.values()), rounds=batch.rounds,
                 stories=batch.stories, responses=batch.responses, now=batch.now,
                 keys=_Lazy(batch.store, ReplyKey))


def _stray_host_answer(batch: _Batch, msg: ParsedMessage, found: Match) -> bool:
    """Rule: HOST YES / HOST NO / SWAP count only in reply to a host invitation; any other
    such message (a "Yes!" to the round's question) is a story."""
    if msg.command is None or msg.command.name not in HOST_ANSWERS or found.member is None:
        return False
    return not answers_invitation(batch.store, msg, found.member.id, found.round_id,
                                  found.token_parent)


def _suggestion(msg: ParsedMessage) -> tuple[str, str]:
    """What a story proposes: a request in plain words, or an explicit host answer that was
    not a reply to an invitation (a bare "Yes" proposes nothing)."""
    if msg.command is not None and msg.command.name in HOST_ANSWERS:
        said = (msg.text.strip() or msg.subject.strip())[:200]
        explicit = "HOST" in said.upper() or msg.command.name == "SWAP"
        return (command_string(msg.command), said) if explicit else ("", "")
    return suggestion_of(msg)


def _quarantine(batch: _Batch, msg: ParsedMessage, mail: InboundMail, ref: str,
                reason: str) -> str:
    now = batch.now
    item = QuarantineItem(id=f"q-{ref}", message_id=msg.message_id, raw_sha=mail.raw_sha,
                          received_at=now, reason=reason, kind=msg.kind,
                          sender=msg.sender.email, sender_name=msg.sender.name,
                          subject=msg.subject, text=msg.text or msg.full_text)
    batch.put(item)
    return f"quarantine:{item.id}"


def _post(batch: _Batch, msg: ParsedMessage, mail: InboundMail, found: Match, ref: str) -> str:
    member, config, now, report = found.member, batch.config, batch.now, batch.report
    assert member is not None
    rnd = batch.rounds.get(found.round_id)
    # After the round's digest went, the next digest carries it (circle/carrying.py).
    carrier = carrying_round(batch.rounds.values(), rnd)
    refiled = carrier is not None and rnd is not None and carrier.id != rnd.id
    round_id = carrier.id if refiled and carrier is not None else found.round_id
    earlier = batch.stories_by(member.id, round_id) if rnd is not None else 0
    facts = Facts(member=member, round=rnd, via=found.via, text=msg.text, received_at=now,
                  today=batch.today, max_words=config.max_story_words,
                  is_response=found.is_response, stories_this_round=earlier,
                  attachments=msg.attachments)
    reasons = held_reasons(facts)
    if refiled:  # not late: it is on its way to the next digest, as the receipt says
        reasons = [r for r in reasons if not r.startswith("late:")]
    state = StoryState.HELD if reasons else StoryState.PENDING
    common: dict[str, Any] = dict(round_id=round_id, member_id=member.id, text=msg.text,
                                  received_at=now, message_id=msg.message_id, elided=msg.elided,
                                  state=state, held_reasons=reasons,
                                  classify_reasons=list(msg.reasons), raw_sha=mail.raw_sha)
    if found.is_response:
        response = Response(id=f"r-{ref}", story_id=found.story_id, parent_id=found.parent_id,
                            **common)
        batch.put(response)
        report.responses.append(response.id)
        return f"response:{response.id}"
    suggested, words = _suggestion(msg)
    story = Story(id=f"s-{ref}", attachments=list(msg.attachments), subject=msg.subject,
                  suggested_command=suggested, suggested_words=words, **common)
    batch.put(story)
    report.stories.append(story.id)
    detail = "your story is with the steward"
    if suggested:
        batch.put(Event(id=f"e-{ref}-suggestion", at=now, kind=SUGGESTION_EVENT,
                        text=suggestion_text(member, story.id, suggested, words)))
        detail += ("; you also asked for something in it, and the steward will look at "
                   "that with you before anything changes")
    if member.status != MemberStatus.LEFT and not member.delivery_paused:
        batch.notify(Notice(id=f"n-{ref}", kind="receipt", member_id=member.id, created_at=now,
                            round_id=story.round_id, ref_id=story.id,
                            in_reply_to=msg.message_id, detail=detail))
    return f"story:{story.id}"


def _command(batch: _Batch, msg: ParsedMessage, found: Match, ref: str) -> str:
    member, now, report = found.member, batch.now, batch.report
    assert msg.command is not None and member is not None
    outcome = apply_command(CommandInput(
        command=msg.command, member=member, round=batch.rounds.get(found.round_id),
        parent_id=found.token_parent, message_id=msg.message_id, now=now,
        today=batch.today, ref=ref, members=list(batch.members.values()),
        stories=batch.stories.of_member(member.id),
        responses=batch.responses.of_member(member.id),
        carrier=carrying_round(batch.rounds.values(), batch.rounds.get(found.round_id)),
        understood=msg.request.words if msg.request is not None else ""))
    for changed in outcome.records:
        batch.put(changed)
        if isinstance(changed, Appreciation):
            report.appreciations.append(changed.id)
    batch.notify(outcome.notice)
    report.commands.append(outcome.notice.command)
    status = "refused" if outcome.refused else "applied"
    return f"command:{msg.command.name}:{status}"


def _bounce(batch: _Batch, msg: ParsedMessage, ref: str) -> str:
    now = batch.now
    bounce = msg.bounce
    tie = bounce_tie(msg, batch.secret, batch.config.address)
    tied = batch.members.get(tie.claim.member_id) if tie else None
    if tied is None:  # identity rule: a bounce proves nothing unless it returns our mail
        named = ", ".join(bounce.recipients[:5]) if bounce and bounce.recipients else "nobody"
        batch.put(Event(id=f"e-{ref}", at=now, kind="bounce_unverified",
                        text=f"a bounce from {msg.sender.email or '?'} naming {named} was not "
                             "counted: it is not tied to mail the circle sent"))
        return "bounce:unverified"
    named_here = [a.lower() for a in (bounce.recipients if bounce else ())]
    hits = [(tied, next((a for a in named_here if a in tied.addresses()), tied.email))]
    permanent = bounce.permanent if bounce else False
    detail = (f"{bounce.status} {bounce.diagnostic}".strip() if bounce else "") or msg.subject
    for member, address in hits:
        problem = DeliveryProblem(at=now, address=address, permanent=permanent, detail=detail)
        changed = replace(member, delivery_problems=[*member.delivery_problems, problem])
        count = sum(1 for p in changed.delivery_problems if p.permanent and p.address == address)
        if permanent and count >= PERMANENT_BOUNCE_LIMIT and not member.delivery_paused:
            changed = replace(changed, delivery_paused=True)
            batch.put(Event(id=f"e-{ref}-{member.id}", at=now, kind="delivery_paused",
                            text=f"mail to {member.name} <{address}> failed permanently "
                                 f"{count} times; their mail is paused — check the address"))
        batch.put(changed)
    return "bounce:" + ",".join(m.id for m, _ in hits)


def _ask_to_confirm(batch: _Batch, msg: ParsedMessage, mail: InboundMail, found: Match,
                    ref: str, *, reason: str) -> str:
    """Identity rule: hold a From-only command and ask the member, at the address on file."""
    member, command = found.member, msg.command
    assert member is not None and command is not None
    held = _quarantine(batch, msg, mail, ref, reason)
    batch.report.quarantined.append(held.partition(":")[2])
    batch.notify(Notice(id=f"n-{ref}", kind=CONFIRM_REQUEST, member_id=member.id,
                        created_at=batch.now, round_id=found.round_id, ref_id=f"q-{ref}",
                        command=command_string(command), detail=_asked(msg, command)))
    return f"command:{command.name}:awaiting_confirmation"


def _asked(msg: ParsedMessage, command: Command) -> str:
    """What confirming will do; for a plain-words request, with the member's own words."""
    effect = effect_words(command)
    if msg.request is None:
        return effect
    quoted = " ".join(msg.request.words.split())[:160]
    return (f"you wrote \u201c{quoted}\u201d, which we understood as "
            f"{command_string(command)}: {effect}")


_CONFIRMED = "confirmed"


def _confirmation(batch: _Batch, msg: ParsedMessage, mail: InboundMail, found: Match,
                  ref: str) -> str:
    """A verified reply to a confirmation request: YES applies the held command, once."""
    member = found.member
    assert member is not None
    request = batch.get(Notice, answered_request(found.token_parent) or "")
    pending = pending_command(request.command) if request is not None and (
        request.kind == CONFIRM_REQUEST and request.member_id == member.id) else None
    if request is None or pending is None:
        return _quarantine(batch, msg, mail, ref, "confirmation_unknown: a reply to a "
                           "confirmation request that does not exist")
    held = batch.get(QuarantineItem, request.ref_id)
    if held is not None and held.resolution.startswith(_CONFIRMED):
        return f"ignored:already_confirmed:{request.id}"
    if batch.now - request.created_at > timedelta(days=CONFIRM_DAYS):
        return _quarantine(batch, msg, mail, ref, f"confirmation_expired: {member.name} "
                           f"confirmed {request.command} after {CONFIRM_DAYS} days")
    if not says_yes(msg, pending):
        return _quarantine(batch, msg, mail, ref, f"confirmation_not_given: {member.name} "
                           f"answered the request to confirm {request.command} without YES")
    outcome = _command(batch, replace(msg, kind=MessageKind.COMMAND, command=pending),
                       replace(found, token_parent=""), ref)
    if held is not None:
        batch.put(replace(held, state=QuarantineState.DISMISSED,
                          resolution=f"{_CONFIRMED} by {member.name}'s verified reply; applied"))
    return f"{outcome}:confirmed"


def _auto_reply(batch: _Batch, msg: ParsedMessage, ref: str) -> str:
    config, now = batch.config, batch.now
    claim = token_claim(msg, batch.secret, config.address)  # identity: From alone pauses no one
    member = batch.members.get(claim.member_id) if claim else None
    if member is None or msg.auto_reply_until is None:
        return "ignored:auto_reply"
    today = batch.today
    until = msg.auto_reply_until.astimezone(config.tz).date() if (
        msg.auto_reply_until.tzinfo) else msg.auto_reply_until.date()
    if member.status != MemberStatus.ACTIVE or not today < until <= today + MAX_AUTO_PAUSE:
        return f"ignored:auto_reply:{member.id}"
    batch.put(replace(member, status=MemberStatus.PAUSED, paused_until=until))
    batch.put(Event(id=f"e-{ref}", at=now, kind="auto_pause",
                    text=f"{member.name} is away (auto-reply): paused until {until.isoformat()}"))
    return f"auto_reply:paused:{member.id}"
