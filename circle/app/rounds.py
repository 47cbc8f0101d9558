"""Use-cases of outgoing mail: plan what the schedule and notices call for; queue the digest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, partial

from circle.app.harvest import add_harvest_section, plan_harvests
from circle.app.my_stories import my_stories_reply
from circle.app.questions import popular_questions
from circle.app.year import year_events
from circle.compose import (
    MailSetting,
    build_digest,
    digest_mail,
    digest_reply_keys,
    host_invitation,
    notice_mail,
    preview_html,
    preview_text,
    question,
    reminder,
)
from circle.compose.digest_data import DigestData
from circle.compose.mails import question_ics
from circle.compose.message import Composed
from circle.config import Config, circle_from_config
from circle.errors import NotFoundError, TransitionError
from circle.model import (
    Appreciation,
    Event,
    HostState,
    Member,
    Notice,
    OutboxItem,
    ReplyKey,
    Response,
    Round,
    RoundState,
    Story,
)
from circle.outbox import enqueue, new_item
from circle.ports import Store
from circle.rotation import next_host
from circle.schedule import due_moments, mark_fired, mark_skipped
from circle.transitions import receives_mail


@dataclass
class _Plan:
    """What one planning pass produced: mail to queue, records changed, events to log."""

    setting: MailSetting
    members: list[Member]
    rounds: list[Round]
    today: date
    mails: list[Composed] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # past questions that drew many stories, for the host invitation (read only when needed)
    past_questions: Callable[[], Sequence[str]] = lambda: ()
    # archived rounds: who hosted them still counts for the rotation (read only when inviting)
    history: Callable[[], Sequence[Round]] = lambda: ()

    def event(self, kind: str, text: str, *key: str) -> None:
        unique = hashlib.sha256("\x1f".join((kind, *key)).encode()).hexdigest()[:16]
        self.events.append(Event(id=f"e-{unique}", at=self.setting.now, kind=kind, text=text))

    def member(self, member_id: str | None) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def readers(self) -> list[Member]:
        return [m for m in self.members if receives_mail(m, self.today)]


def mail_setting(config: Config, secret: bytes, now: datetime, members: Sequence[Member],
                 templates: Mapping[str, str] | None = None) -> MailSetting:
    """The composition setting for this circle (signed by the steward when one is a member)."""
    circle = circle_from_config(config)
    steward = next((m for m in members if m.is_steward), None)
    signature = f"{steward.name}, for {circle.name}" if steward else circle.name
    return MailSetting(circle, secret, now, config.schedule, templates, signature)


def _invite_next(plan: _Plan, rnd: Round) -> tuple[Round, bool]:
    """Invite the next host candidate; False when nobody is left to ask."""
    rounds = [*plan.history(), *(rnd if r.id == rnd.id else r for r in plan.rounds)]
    lead = plan.setting.schedule.host_invite_days
    candidate = plan.member(next_host(plan.members, rounds, rnd.id, lead))
    if candidate is None:
        plan.event("host_missing", f"Round {rnd.id}: nobody is left to ask to host. Choose a "
                   "host or type the question yourself.", rnd.id, *rnd.hosts_asked)
        return rnd, False
    plan.mails.append(host_invitation(plan.setting, candidate, rnd, plan.past_questions()))
    plan.event("host_invited", f"Round {rnd.id}: {candidate.name} was asked to host.",
               rnd.id, candidate.id)
    return replace(rnd, host_id=candidate.id, host_state=HostState.INVITED,
                   hosts_asked=[*rnd.hosts_asked, candidate.id]), True


def _host(plan: _Plan, rnd: Round) -> Member | None:
    return plan.member(rnd.host_id) if rnd.host_state == HostState.ACCEPTED else None


def _fire(plan: _Plan, rnd: Round, moment: str, stories: Sequence[Story]) -> Round | None:
    """Do what `moment` asks; the updated round, or None when it is not ready yet (retry later)."""
    if moment == "host_invite":
        return _invite_next(plan, rnd)[0]
    if moment == "host_fallback":
        return _invite_next(plan, rnd)[0] if rnd.host_state != HostState.ACCEPTED else rnd
    if moment == "question":
        if not (rnd.question.strip() and rnd.question_approved):
            return None
        host = _host(plan, rnd)
        ics = question_ics(plan.setting, rnd, host)
        plan.mails += [question(plan.setting, m, rnd, host, ics) for m in plan.readers()]
        plan.event("question_sent", f"Round {rnd.id}: the question went to "
                   f"{len(plan.readers())} members.", rnd.id)
        return replace(rnd, state=RoundState.OPEN)
    if moment == "reminder":
        if "question" not in rnd.fired:
            return None
        replied = {s.member_id for s in stories if s.round_id == rnd.id}
        skip = replied | set(rnd.passes) | {rnd.host_id or ""}
        host = _host(plan, rnd)
        plan.mails += [reminder(plan.setting, m, rnd, host) for m in plan.readers()
                       if m.id not in skip]
        return rnd
    if moment == "digest_due":
        plan.event("digest_due", f"Round {rnd.id}: the digest is due. Preview it, approve it "
                   "and send it.", rnd.id)
    return rnd


def _advance(plan: _Plan, rnd: Round, stories: Sequence[Story]) -> Round:
    """Fire or skip every due moment of `rnd` in order, stopping at one that is not ready."""
    if (rnd.host_state == HostState.DECLINED and "host_invite" in rnd.fired
            and "question" not in rnd.fired and "question" not in rnd.skipped
            and "host" not in rnd.skipped):
        rnd = _invite_next(plan, rnd)[0]
    for due in due_moments(rnd, plan.setting.now, plan.setting.schedule):
        if not due.fire:
            rnd = mark_skipped(rnd, due.moment, due.skip_reason)
            plan.event("moment_skipped", f"Round {rnd.id}: {due.moment} skipped: "
                       f"{due.skip_reason}", rnd.id, due.moment)
            continue
        done = _fire(plan, rnd, due.moment, stories)
        if done is None:
            break
        rnd = mark_fired(done, due.moment, plan.setting.now)
    return rnd


def _notices(plan: _Plan, notices: Sequence[Notice], stories: Sequence[Story],
             store: Store) -> list[Notice]:
    """Compose one email per unhandled notice; the notices, now handled."""
    handled = []
    for notice in notices:
        if notice.handled:
            continue
        member = plan.member(notice.member_id)
        if member is not None and not member.delivery_paused and notice.kind == "my_stories":
            plan.mails.append(my_stories_reply(store, plan.setting, member, notice))  # full text
        elif member is not None and not member.delivery_paused:
            mine = [s for s in stories if s.member_id == member.id]
            plan.mails.append(notice_mail(plan.setting, member, notice,
                                          mine if notice.kind == "my_stories" else ()))
        handled.append(replace(notice, handled=True))
    return handled


def _with_harvests(plan: _Plan, changed: list[object], config: Config) -> list[object]:
    """`changed` plus the harvest requests due now (circle/app/harvest.py), rounds merged,
    and the once-a-year prompt for "A year in stories" (circle/app/year.py)."""
    rounds, mails, events = plan_harvests(plan.setting, plan.members, plan.rounds,
                                          config.steward_email)
    ids = {r.id for r in rounds}
    plan.rounds = [next((n for n in rounds if n.id == r.id), r) for r in plan.rounds]
    plan.mails += mails
    plan.events += events + year_events(config, plan.setting.now)  # once a year
    return [c for c in changed if not (isinstance(c, Round) and c.id in ids)] + list(rounds)


def plan_due_mail(store: Store, now: datetime, config: Config, secret: bytes,
                  templates: Mapping[str, str] | None = None) -> list[OutboxItem]:
    """Queue everything the schedule and the notices call for now, in one transaction.

    Fires (or skips, with the reason logged as an Event) each round's due moments: the host
    invitation and its fallback, the question (only once approved, in the host's name), the
    reminder (only to members who neither replied nor passed, nor the host); turns every
    unhandled Notice into its email and marks it handled. Idempotent: running it twice queues
    nothing new. Returns the new outbox items.
    """
    with store.transaction():
        members, rounds = store.all(Member), store.all(Round)
        stories = store.all(Story)
        ms = mail_setting(config, secret, now, members, templates)
        plan = _Plan(ms, members, rounds, now.astimezone(ms.tz).date(),
                     past_questions=cache(partial(popular_questions, store)),
                     history=cache(partial(archived_rounds, store, {r.id for r in rounds})))
        changed: list[object] = []
        for rnd in sorted(rounds, key=lambda r: r.gathering):
            if rnd.state in (RoundState.DIGEST_SENT, RoundState.CLOSED) and rnd.gathering < now:
                continue
            new = _advance(plan, rnd, stories)
            if new != rnd:
                plan.rounds = [new if r.id == new.id else r for r in plan.rounds]
                changed.append(new)
        changed = _with_harvests(plan, changed, config)
        changed += _notices(plan, store.all(Notice), stories, store)
        existing = {i.id: i for i in store.all(OutboxItem, bodies=False)}
        items = enqueue(existing, plan.mails, now)
        have_events = {e.id for e in store.all(Event)}
        store.put_many([*changed, *items, *(e for e in plan.events if e.id not in have_events)])
    return items


def archived_rounds(store: Store, hot_ids: Collection[str] = ()) -> list[Round]:
    """Rounds moved to the archive (closed ones), except any id also hot. The rotation needs
    them: a member who hosted a year ago has hosted, even once that round is archived."""
    return [r for r in store.archived(Round) if r.id not in hot_ids]


def rotation_rounds(store: Store) -> list[Round]:
    """Every round the host rotation must see: the archived ones, then the hot ones."""
    hot = store.all(Round)
    return [*archived_rounds(store, {r.id for r in hot}), *hot]


def plan_rounds(store: Store, now: datetime, config: Config, *, ahead: int = 12) -> list[Round]:
    """Plan the coming rounds the schedule implies (the PlanRounds intent); every hot round.

    `circle run`, `circle send-due` and the TUI call it, so a new circle starts by itself.
    """
    from circle.app.apply import apply
    from circle.app.intents_cli import PlanRounds

    apply(store, PlanRounds(config=config, ahead=ahead), now)
    return sorted(store.all(Round), key=lambda r: r.id)


def digest_round(rounds: Sequence[Round], round_id: str | None = None) -> Round:
    """The round whose digest is meant: `round_id`, else the latest round whose question went."""
    if round_id:
        found = next((r for r in rounds if r.id == round_id), None)
        if found is None:
            raise NotFoundError(f"round {round_id} does not exist (see `circle rounds list`)")
        return found
    asked = [r for r in rounds if "question" in r.fired]
    if not asked:
        raise NotFoundError("no round has had its question sent yet, so there is no digest")
    return max(asked, key=lambda r: r.gathering)


def load_digest(store: Store, rnd: Round, config: Config, *, force: bool = True) -> DigestData:
    """The digest of `rnd` from the store (EmptyDigestError if nothing is approved, unless
    `force`)."""
    stories, responses = store.all(Story), store.all(Response)
    known = {s.id for s in stories}
    for story_id in sorted({r.story_id for r in responses if r.round_id == rnd.id} - known):
        older = store.get(Story, story_id)  # a continuing conversation's story, archived
        if older is not None:
            stories.append(older)
    data = build_digest(rnd, members=store.all(Member), stories=stories,
                        responses=responses, appreciations=store.all(Appreciation),
                        rounds=store.all(Round), settings=config.schedule, force=force)
    return add_harvest_section(store, rnd, data, config.tz)  # "From our last gathering"


def preview_digest(store: Store, now: datetime, config: Config, secret: bytes, *,
                   round_id: str | None = None, html: bool = False,
                   templates: Mapping[str, str] | None = None,
                   member_id: str | None = None) -> str:
    """The digest as the steward previews it: plain text (with subject) or HTML.

    With `member_id`, that member's own copy ("as Ana will see it"): their To line and their
    reply links, exactly as `queue_digest` composes it.
    """
    rnd = digest_round(store.all(Round), round_id)
    data = load_digest(store, rnd, config, force=True)
    members = store.all(Member)
    ms = mail_setting(config, secret, now, members, templates)
    reader = None
    if member_id:
        reader = next((m for m in members if m.id == member_id), None)
        if reader is None:
            raise NotFoundError(f"no member {member_id!r} (see `circle members list`)")
    return preview_html(ms, data, reader) if html else preview_text(ms, data, reader)


def approve_digest(store: Store, round_id: str | None = None) -> Round:
    """The steward approves the round's digest for sending (the ApproveDigest intent)."""
    from circle.app.apply import apply_or_refuse
    from circle.app.intents import ApproveDigest

    rnd = digest_round(store.all(Round), round_id)
    outcome = apply_or_refuse(store, ApproveDigest(round_id=rnd.id), now=rnd.gathering)
    approved: Round = outcome.records[0]
    return approved


def queue_digest(store: Store, now: datetime, config: Config, secret: bytes, *,
                 round_id: str | None = None, force: bool = False,
                 templates: Mapping[str, str] | None = None) -> list[OutboxItem]:
    """Queue one digest per member who receives mail; only once the steward approved it.

    Refuses (EmptyDigestError) when nothing is approved, unless `force`. Idempotent: a round
    whose digest was queued already queues nothing (its sent items may have left the hot
    store, so the round's state is what says so, not the outbox).
    """
    with store.transaction():
        members = store.all(Member)
        rnd = digest_round(store.all(Round), round_id)
        if rnd.state in (RoundState.DIGEST_SENT, RoundState.CLOSED):
            return []
        if not rnd.digest_approved:
            raise TransitionError(f"the digest of round {rnd.id} is not approved yet — preview "
                                  "it, then run `circle digest approve`")
        data = load_digest(store, rnd, config, force=force)
        ms = mail_setting(config, secret, now, members, templates)
        today = now.astimezone(ms.tz).date()
        readers = [m for m in members if receives_mail(m, today)]
        mails = [digest_mail(ms, m, data) for m in readers]
        minted = {key for (key,) in store.project(ReplyKey, "id")}
        keys = [k for m in readers for k in digest_reply_keys(ms, m, data)
                if k.id not in minted]
        items = enqueue({i.id: i for i in store.all(OutboxItem, bodies=False)}, mails, now)
        store.put_many([*keys, *items, replace(rnd, state=RoundState.DIGEST_SENT)])
    return items


def steward_reader(config: Config, now: datetime) -> Member:
    """The steward as the reader of a test digest (not a member: never stored)."""
    return Member(id="steward", name="Steward", email=config.steward_email, joined=now.date())


def queue_test_digest(store: Store, now: datetime, config: Config, secret: bytes, *,
                      round_id: str | None = None,
                      templates: Mapping[str, str] | None = None) -> OutboxItem:
    """Queue one copy of the round's digest to the steward's own address (kind `test`)."""
    with store.transaction():
        rnd = digest_round(store.all(Round), round_id)
        ms = mail_setting(config, secret, now, store.all(Member), templates)
        data = load_digest(store, rnd, config, force=True)
        reader = steward_reader(config, now)
        item = new_item(digest_mail(ms, reader, data), now)
        item = replace(item, id=f"{item.id}-test-{now:%Y%m%d%H%M%S}", kind="test")
        # the test copy's links resolve too (to "steward", no member: a reply is quarantined)
        minted = {key for (key,) in store.project(ReplyKey, "id")}
        keys = [k for k in digest_reply_keys(ms, reader, data) if k.id not in minted]
        store.put_many([*keys, item])
    return item
