"""Use-cases of "A year in stories": compose, let the steward edit and approve, queue once.

Once a year, from the first day of the month `[circle] year_digest` names (default
December), planning logs a `year_digest_due` Event for the steward. The digest is built from
every round of the year, hot and archived (`circle.compose.year.build_year`); the steward
adds opening words (`SetYearIntro`, which asks for approval again), approves
(`ApproveYearDigest`) and sends it (`queue_year_digest`: one outbox item per member who
receives mail, through the same outbox and send path as every digest, only once).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from circle.app.apply import Outcome, Tx, use_case
from circle.app.harvest import every_harvest
from circle.app.intents import ApproveYearDigest, SetYearIntro
from circle.app.repertoire import every
from circle.compose.mails import MailSetting
from circle.compose.year import YearData, build_year, year_mail, year_preview
from circle.config import Config, year_digest_month
from circle.errors import TransitionError
from circle.model import Event, Member, OutboxItem, Round, Story, YearDigest
from circle.outbox import enqueue
from circle.ports import Store
from circle.transitions import receives_mail


def _record(store: Store, year: int) -> YearDigest:
    return store.get(YearDigest, str(year)) or YearDigest(id=str(year))


def load_year(store: Store, year: int, config: Config) -> YearData:
    """The year's digest as it stands (reads archives: a command or a worker, never the TUI
    loop)."""
    return build_year(year, rounds=every(store, Round), members=store.all(Member),
                      stories=every(store, Story), harvests=every_harvest(store),
                      intro=_record(store, year).intro, tz=config.tz)


def default_year(now: datetime, config: Config) -> int:
    """The year meant when none is given: this year (the digest is composed in its last
    months), or last year in its first months before the configured month."""
    local = now.astimezone(config.tz)
    month = year_digest_month(config.year_digest) or 12
    return local.year if local.month >= min(month, 10) else local.year - 1


def year_events(config: Config, now: datetime) -> list[Event]:
    """The once-a-year prompt for the steward, from the first of the configured month."""
    month = year_digest_month(config.year_digest)
    local = now.astimezone(config.tz)
    if month is None or local.month != month:
        return []
    return [Event(id=f"e-year-digest-{local.year}", at=now, kind="year_digest_due",
                  text=f"A year in stories {local.year} is ready to compose: preview it with "
                       f"`circle digest year {local.year}`, add your words (--intro), "
                       "approve it and send it.")]


def preview_year(store: Store, ms: MailSetting, year: int, config: Config) -> str:
    """The year's digest as the steward previews it (plain text with its subject)."""
    return year_preview(ms, load_year(store, year, config))


def queue_year_digest(store: Store, ms: MailSetting, year: int,
                      config: Config) -> list[OutboxItem]:
    """Queue the approved year's digest for every member who receives mail, once."""
    with store.transaction():
        record = _record(store, year)
        if record.queued_at is not None:
            return []
        if not record.approved:
            raise TransitionError(f"A year in stories {year} is not approved yet — preview it "
                                  f"(`circle digest year {year}`), then approve it (--approve)")
        data = load_year(store, year, config)
        if data.empty:
            raise TransitionError(f"no question was asked in {year}: there is no year to tell")
        members = store.all(Member)
        today = ms.now.astimezone(ms.tz).date()
        mails = [year_mail(ms, m, data) for m in members if receives_mail(m, today)]
        items = enqueue({i.id: i for i in store.all(OutboxItem, bodies=False)}, mails, ms.now)
        store.put_many([*items, replace(record, queued_at=ms.now)])
    return items


@use_case(SetYearIntro)
def set_intro(tx: Tx, intent: SetYearIntro) -> Outcome:
    """The steward's opening words; a change asks for approval again."""
    record = _record(tx.store, intent.year)
    if record.queued_at is not None:
        raise TransitionError(f"A year in stories {intent.year} was already sent")
    words = intent.text.strip()
    return Outcome([replace(record, intro=words, approved=record.approved and
                            words == record.intro)],
                   f"Opening words of A year in stories {intent.year} kept; approve it again")


@use_case(ApproveYearDigest)
def approve_year(tx: Tx, intent: ApproveYearDigest) -> Outcome:
    """Approve the year's digest for sending."""
    record = _record(tx.store, intent.year)
    if record.queued_at is not None:
        raise TransitionError(f"A year in stories {intent.year} was already sent")
    return Outcome([replace(record, approved=True)],
                   f"A year in stories {intent.year} is approved")

