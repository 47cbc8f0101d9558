"""Use-cases of the harvest: what a gathering harvested, asked for, received, reviewed, carried.

After each gathering the `harvest` moment (`circle.schedule.harvest_due`) asks the host, and
the steward in copy, by one short email (`circle.compose.harvest.harvest_request`). A verified
reply to it (token parent "harvest", by Reply-To or In-Reply-To) becomes the round's
`Harvest` (pending, reviewed like a story: `circle harvest approve`, or in Threads); the
steward may also type it (`SetHarvest`, approved as typed). The digest of the round that
carries it (the first later round whose digest has not gone, `carrier_id`) shows it under
"From our last gathering". One harvest per gathering: a second reply is added below the first
and goes back to review. See docs/architecture.md, "The harvest".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import ReviewHarvest, SetHarvest
from circle.carrying import digest_gone, digest_month_of
from circle.compose.digest_data import DigestData
from circle.compose.harvest import harvest_id, harvest_request, harvest_sections
from circle.compose.mails import MailSetting
from circle.compose.message import Composed
from circle.errors import NotFoundError, TransitionError
from circle.model import Event, Harvest, HostState, Member, Round, StoryState
from circle.ports import Store
from circle.schedule import HARVEST, harvest_due, mark_fired, mark_skipped
from circle.text_safety import inert
from circle.transitions import receives_mail


def carrier_id(rounds: Iterable[Round], rnd: Round) -> str:
    """The round whose digest carries the harvest of `rnd`'s gathering: the first later round
    whose digest has not gone (`rnd` itself only when no later round is planned yet)."""
    later = sorted((r for r in rounds if r.gathering > rnd.gathering and not digest_gone(r)),
                   key=lambda r: r.gathering)
    return later[0].id if later else rnd.id


def _host(members: Sequence[Member], rnd: Round) -> Member | None:
    if rnd.host_state != HostState.ACCEPTED:
        return None
    return next((m for m in members if m.id == rnd.host_id), None)


def steward_of(members: Sequence[Member], steward_email: str, now: datetime) -> Member:
    """The steward as a member when they are one, else a reader at the configured address."""
    member = next((m for m in members if m.is_steward), None)
    return member or Member(id="steward", name="Steward", email=steward_email,
                            joined=now.date())


def plan_harvests(ms: MailSetting, members: Sequence[Member], rounds: Sequence[Round],
                  steward_email: str) -> tuple[list[Round], list[Composed], list[Event]]:
    """The harvest requests due now: (rounds marked fired or skipped, mails, events).

    The host who held the gathering gets the request; the steward gets a copy (or the only
    request, when the steward hosted). A skipped moment is logged with its reason.
    """
    now = ms.now
    today = now.astimezone(ms.tz).date()
    changed: list[Round] = []
    mails: list[Composed] = []
    events: list[Event] = []
    for rnd in sorted(rounds, key=lambda r: r.gathering):
        due = harvest_due(rnd, now, ms.schedule)
        if due is None:
            continue
        if not due.fire:
            changed.append(mark_skipped(rnd, HARVEST, due.skip_reason))
            events.append(Event(id=f"e-harvest-skipped-{rnd.id}", at=now, kind="moment_skipped",
                                text=f"Round {rnd.id}: harvest skipped: {due.skip_reason}"))
            continue
        host = _host(members, rnd)
        steward = steward_of(members, steward_email, now)
        to = [m for m in (host, steward) if m is not None and receives_mail(m, today)
              and not m.delivery_paused]
        to = list({m.id: m for m in to}.values())
        carrier = carrier_id(rounds, rnd)
        mails += [harvest_request(ms, m, rnd, host, carrier) for m in to]
        names = " and ".join(m.name for m in to) or "nobody (no address receives mail)"
        events.append(Event(id=f"e-harvest-asked-{rnd.id}", at=now, kind="harvest_asked",
                            text=f"Round {rnd.id}: {names} asked what the gathering "
                                 "harvested."))
        changed.append(mark_fired(rnd, HARVEST, now))
    return changed, mails, events


def harvest_from_reply(existing: Harvest | None, rnd: Round, rounds: Iterable[Round], *,
                       member_id: str, text: str, message_id: str, raw_sha: str,
                       attachments: Sequence[str], now: datetime) -> Harvest:
    """The round's harvest once a verified reply to the harvest request is added (pending).

    A message already in it changes nothing; a second reply goes below the first, and the
    harvest goes back to review.
    """
    words = inert(text).strip()
    if existing is not None and message_id in existing.message_ids:
        return existing
    if existing is None:
        return Harvest(id=harvest_id(rnd.id), gathering_round=rnd.id,
                       round_id=carrier_id(rounds, rnd), text=words, received_at=now,
                       member_ids=[member_id], message_ids=[message_id], raw_shas=[raw_sha],
                       attachments=list(attachments))
    joined = "\n\n".join(t for t in (existing.text.strip(), words) if t)
    state = existing.state if existing.state == StoryState.WITHDRAWN else StoryState.PENDING
    return replace(existing, text=joined, state=state, received_at=now,
                   round_id=carrier_id(rounds, rnd),
                   member_ids=list(dict.fromkeys([*existing.member_ids, member_id])),
                   message_ids=[*existing.message_ids, message_id],
                   raw_shas=[*existing.raw_shas, raw_sha],
                   attachments=[*existing.attachments, *attachments])


def _carrier_words(round_id: str) -> str:
    month = digest_month_of(round_id)
    return f"the {month} digest" if month else "the next digest"


@use_case(SetHarvest)
def set_harvest(tx: Tx, intent: SetHarvest) -> Outcome:
    """The steward's own words for the round's harvest: kept (the first text as it arrived is
    kept too) and approved for the next digest."""
    rnd = tx.need(Round, intent.round_id, "round")
    words = inert(intent.text).strip()
    if not words:
        raise TransitionError(f"the harvest of round {rnd.id} would be empty — give the text "
                              "(or --file FILE); nothing was changed")
    rounds = tx.store.all(Round)
    carrier = carrier_id(rounds, rnd)
    old = tx.store.get(Harvest, harvest_id(rnd.id))
    if old is None:
        new = Harvest(id=harvest_id(rnd.id), gathering_round=rnd.id, round_id=carrier,
                      text=words, received_at=tx.now, state=StoryState.APPROVED,
                      typed_by_steward=True)
    else:
        new = replace(old, text=words, state=StoryState.APPROVED, round_id=carrier,
                      original_text=old.original_text or (old.text if old.text != words
                                                          else ""),
                      typed_by_steward=old.typed_by_steward or not old.member_ids)
    return Outcome([new], f"Harvest of round {rnd.id} kept: {_carrier_words(carrier)} "
                          "carries it")


@use_case(ReviewHarvest)
def review_harvest(tx: Tx, intent: ReviewHarvest) -> Outcome:
    """Approve / hold / hide / restore the round's harvest (approving names its digest)."""
    found = tx.store.get(Harvest, harvest_id(intent.round_id))
    if found is None:
        raise NotFoundError(f"round {intent.round_id} has no harvest yet (`circle harvest "
                            "show`; type one with `circle harvest set`)")
    target = {"approve": StoryState.APPROVED, "hold": StoryState.HELD,
              "hide": StoryState.HIDDEN, "restore": StoryState.PENDING}[intent.action]
    rnd = tx.store.get(Round, found.gathering_round)
    carrier = found.round_id
    if rnd is not None:
        carrier = carrier_id(tx.store.all(Round), rnd)
    new = replace(found, state=target, round_id=carrier)
    verb = {"approve": f"Approved for {_carrier_words(carrier)}", "hold": "Held",
            "hide": "Hidden", "restore": "Back in review"}[intent.action]
    return Outcome([new], f"{verb}: the harvest of round {intent.round_id}")


def every_harvest(store: Store) -> list[Harvest]:
    """Every harvest, hot and archived (a hot copy wins), by gathering."""
    found: dict[str, Harvest] = {h.id: h for h in store.archived(Harvest)}
    found.update({h.id: h for h in store.all(Harvest)})
    return sorted(found.values(), key=lambda h: h.gathering_round)


def add_harvest_section(store: Store, rnd: Round, data: DigestData, tz: tzinfo) -> DigestData:
    """`data` with the "From our last gathering" section of the harvests `rnd`'s digest
    carries (the one-line hook in `load_digest`)."""
    harvests = [h for h in store.all(Harvest) if h.round_id == rnd.id]
    if not harvests:
        return data
    names = {m.id: m.name for m in store.all(Member)}
    gathered = [g for g in (store.get(Round, h.gathering_round) for h in harvests)
                if g is not None]
    hosts = {g.id: names.get(g.host_id or "", "") for g in gathered
             if g.host_state == HostState.ACCEPTED}
    sections = harvest_sections(rnd, harvests, gathered, hosts, tz)
    return replace(data, sections=(*data.sections, *sections)) if sections else data


def harvest_rows(store: Store, round_id: str | None = None) -> list[dict[str, Any]]:
    """`circle harvest show --json`: one object per harvest (round, carried_by, state, ...)."""
    hot = {h.id for h in store.all(Harvest)}
    return [{"id": h.id, "round": h.gathering_round, "carried_by": h.round_id,
             "state": h.state.value, "text": h.text, "from": h.member_ids,
             "typed_by_steward": h.typed_by_steward, "attachments": h.attachments,
             "received_at": h.received_at.isoformat(), "archived": h.id not in hot}
            for h in every_harvest(store) if round_id is None or h.gathering_round == round_id]
