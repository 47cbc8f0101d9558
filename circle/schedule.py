"""When gatherings happen and when each moment of a round is due (pure: `now` is a parameter)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from circle.config import ScheduleSettings
from circle.errors import ScheduleError, TransitionError
from circle.model import HostState, Round

MOMENTS: tuple[str, ...] = (
    "host_invite", "host_fallback", "question", "reminder", "digest_due", "gathering")
"""The moments of one round, in the order they fall (docs/architecture.md)."""

ACCEPTED_RULES = (
    "'last Wednesday of every month at 18:00', 'first Monday of each month at 7pm', "
    "'2nd Tuesday of every month at 19:30', 'every month on the 15th at 18:00', "
    "'every month on the last day at 18:00', "
    "'every other week on Thursday at 17:00 starting 2026-01-08', "
    "or an RFC 5545 rule such as 'FREQ=MONTHLY;BYDAY=-1WE;BYHOUR=18;BYMINUTE=0'"
)
_ANCHOR = datetime(2000, 1, 6)  # noqa: DTZ001 - naive local wall clock; a Thursday
_DAYS = {"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU"}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4, "last": -1}
_DAY = r"(?P<day>mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_TIME = r"at (?P<time>noon|\d{1,2}(?::\d{2})?\s*(?:am|pm)?)"
_MONTH = r"(?:of )?(?:every|each|the) month"
_NTH_WEEKDAY = re.compile(rf"(?:the )?(?P<ord>{'|'.join(_ORDINALS)}) {_DAY} {_MONTH} {_TIME}")
_MONTH_DAY = re.compile(
    rf"(?:every|each) month on the (?P<md>last day|\d{{1,2}}(?:st|nd|rd|th)?) {_TIME}"
    rf"|on the (?P<md2>last day|\d{{1,2}}(?:st|nd|rd|th)?) {_MONTH} {_TIME.replace('time', 't2')}")
_WEEKLY = re.compile(
    rf"every (?P<n>other |2 |3 |4 )?weeks? on {_DAY} {_TIME}(?: starting (?P<start>\S+))?")


def _naive(dt: datetime, tz: tzinfo) -> datetime:
    """The wall-clock reading of an aware `dt` in `tz`, without tzinfo."""
    if dt.tzinfo is None:
        raise ScheduleError(f"{dt.isoformat()} has no timezone; Circle only uses aware datetimes")
    return dt.astimezone(tz).replace(tzinfo=None)


def _utc(dt: datetime) -> datetime:
    """`dt` in UTC, so comparisons are absolute even inside a repeated (folded) hour."""
    return dt.astimezone(UTC)


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """Attach `tz` to a wall-clock time deterministically.

    An ambiguous time (clocks going back) takes its first occurrence; a time that does not exist
    (clocks going forward) moves forward by the size of the gap (02:30 becomes 03:30).
    """
    first = wall.replace(tzinfo=tz, fold=0)
    return first.astimezone(UTC).astimezone(tz)


def shift_days(moment: datetime, days: int) -> datetime:
    """`moment` moved by whole local calendar days, keeping its wall-clock time (DST-safe)."""
    tz = moment.tzinfo
    assert tz is not None
    return localize(moment.replace(tzinfo=None) + timedelta(days=days), tz)


@dataclass(frozen=True)
class GatheringRule:
    """A recurrence of gatherings, evaluated on the circle's wall clock in `tz`."""

    text: str
    tz: ZoneInfo
    rrule: str  # the canonical RFC 5545 form, e.g. "FREQ=MONTHLY;BYDAY=-1WE;BYHOUR=18;..."
    _rule: du.rrule = field(repr=False, compare=False)

    def _walls_after(self, wall: datetime) -> Iterator[datetime]:
        return self._rule.xafter(wall, count=None, inc=True)

    def next_after(self, dt: datetime, inclusive: bool = False) -> datetime | None:
        """The first gathering strictly after `dt` (or at it, if `inclusive`)."""
        for wall in self._walls_after(_naive(dt, self.tz) - timedelta(days=1)):
            at = localize(wall, self.tz)
            if _utc(at) > _utc(dt) or (inclusive and _utc(at) == _utc(dt)):
                return at
        return None

    def previous_before(self, dt: datetime, inclusive: bool = False) -> datetime | None:
        """The last gathering strictly before `dt` (or at it, if `inclusive`)."""
        wall: datetime | None = self._rule.before(_naive(dt, self.tz) + timedelta(days=1), inc=True)
        while wall is not None:
            at = localize(wall, self.tz)
            if _utc(at) < _utc(dt) or (inclusive and _utc(at) == _utc(dt)):
                return at
            wall = self._rule.before(wall)
        return None

    def between(self, start: datetime, end: datetime) -> list[datetime]:
        """Every gathering in the half-open interval [start, end)."""
        walls = self._rule.between(_naive(start, self.tz) - timedelta(days=1),
                                   _naive(end, self.tz) + timedelta(days=1), inc=True)
        return [at for at in (localize(w, self.tz) for w in walls)
                if _utc(start) <= _utc(at) < _utc(end)]

    def upcoming(self, dt: datetime, n: int) -> list[datetime]:
        """The next `n` gatherings strictly after `dt`."""
        out: list[datetime] = []
        at = self.next_after(dt)
        while at is not None and len(out) < n:
            out.append(at)
            at = self.next_after(at)
        return out


def _fail(text: str, why: str = "") -> ScheduleError:
    detail = f" ({why})" if why else ""
    return ScheduleError(f"cannot understand the gathering rule {text!r}{detail} — "
                         f"write e.g. {ACCEPTED_RULES}")


def _clock(text: str, spoken: str) -> tuple[int, int]:
    """Hour and minute from '18:00', '7pm', '7:30 pm' or 'noon'."""
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?|noon", spoken)
    if m is None:
        raise _fail(text, f"unknown time {spoken!r}")
    if spoken == "noon":
        return 12, 0
    hour, minute, half = int(m[1]), int(m[2] or 0), m[3]
    if half is None and m[2] is None:
        hint = f" or {hour}pm" if 1 <= hour <= 12 else ""
        raise _fail(text, f"write the time as {hour:02d}:00{hint}")
    if half:
        if not 1 <= hour <= 12:
            raise _fail(text, f"{spoken!r} is not a time of day")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _fail(text, f"{spoken!r} is not a time of day")
    return hour, minute


def _words_to_rrule(text: str) -> tuple[str, datetime | None]:
    """Translate a plain-words rule into an RRULE body and an optional start date."""
    said = " ".join(text.lower().replace(",", " ").split())
    if m := _NTH_WEEKDAY.fullmatch(said):
        hour, minute = _clock(text, m["time"])
        body = f"FREQ=MONTHLY;BYDAY={_ORDINALS[m['ord']]}{_DAYS[m['day'][:2]]}"
        return f"{body};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0", None
    if m := _MONTH_DAY.fullmatch(said):
        which = (m["md"] or m["md2"]).rstrip("stndrh")
        hour, minute = _clock(text, m["time"] or m["t2"])
        if which == "last day":
            days = "BYMONTHDAY=-1"
        elif not 1 <= int(which) <= 31:
            raise _fail(text, f"a month has no day {which}")
        elif int(which) <= 28:
            days = f"BYMONTHDAY={int(which)}"
        else:  # the 29th-31st fall on the month's last day in shorter months
            days = f"BYMONTHDAY={','.join(str(d) for d in range(28, int(which) + 1))};BYSETPOS=-1"
        return f"FREQ=MONTHLY;{days};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0", None
    if m := _WEEKLY.fullmatch(said):
        hour, minute = _clock(text, m["time"])
        interval = {None: 1, "other ": 2}.get(m["n"]) or int(str(m["n"]))
        start = None
        if m["start"]:
            try:
                start = datetime.combine(date.fromisoformat(m["start"]), time())
            except ValueError:
                raise _fail(text, f"start {m['start']!r} is not a date like 2026-01-08") from None
        body = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={_DAYS[m['day'][:2]]}"
        return f"{body};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0", start
    raise _fail(text)


def _wall_value(value: str, tz: ZoneInfo, zone: str | None, text: str) -> datetime:
    """An RFC 5545 DATE-TIME ('20260107T180000', '...Z', with TZID) as `tz` wall clock."""
    try:
        fmt = "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d"
        raw = datetime.strptime(value.rstrip("Z"), fmt)  # noqa: DTZ007 - wall clock, zoned below
    except ValueError:
        raise _fail(text, f"{value!r} is not an RFC 5545 date-time") from None
    if value.endswith("Z"):
        return _naive(raw.replace(tzinfo=UTC), tz)
    if zone:
        try:
            return _naive(localize(raw, ZoneInfo(zone)), tz)
        except (ValueError, KeyError):
            raise _fail(text, f"unknown TZID {zone!r}") from None
    return raw


def _rfc_to_rrule(text: str, tz: ZoneInfo) -> tuple[str, datetime | None]:
    """Split an RFC 5545 text into its RRULE body (UNTIL made wall-clock) and DTSTART."""
    start: datetime | None = None
    body = ""
    for line in text.split():
        key, _, value = line.partition(":")
        if key.upper().startswith("DTSTART") and value:
            zone = re.search(r"TZID=([^;:]+)", key, re.IGNORECASE)
            start = _wall_value(value, tz, zone[1] if zone else None, text)
        elif key.upper() == "RRULE":
            body = value
        elif "=" in line and not value:
            body = line
        else:
            raise _fail(text, f"unexpected {line!r}")
    parts = []
    for part in body.upper().split(";"):
        name, _, value = part.partition("=")
        if name == "UNTIL":
            part = f"UNTIL={_wall_value(value, tz, None, text):%Y%m%dT%H%M%S}"
        if name == "COUNT" and start is None:
            raise _fail(text, "COUNT needs a DTSTART to count from")
        parts.append(part)
    return ";".join(parts), start


def parse_rule(text: str, tz: ZoneInfo) -> GatheringRule:
    """Understand a gathering rule in plain words or RFC 5545 form (see ACCEPTED_RULES).

    Plain words: "<first|second|third|fourth|last|1st..4th> <weekday> of every month at <time>",
    "every month on the <1st..31st|last day> at <time>" (the 29th-31st fall on the last day of
    shorter months), "every [other|2|3|4] week(s) on <weekday> at <time> [starting YYYY-MM-DD]".
    Times: "18:00", "7pm", "7:30pm", "noon". RFC 5545: an RRULE (with or without "RRULE:"),
    optionally preceded by a DTSTART line; it needs BYHOUR or a DTSTART for the time of day.
    Rules without a start count from 2000-01-06 (relevant only to "every other week").
    """
    stripped = text.strip()
    if not stripped:
        raise _fail(text, "it is empty")
    is_rfc = "FREQ=" in stripped.upper() or stripped.upper().startswith(("RRULE", "DTSTART"))
    body, start = _rfc_to_rrule(stripped, tz) if is_rfc else _words_to_rrule(stripped)
    upper = f";{body.upper()}"
    if is_rfc and ";BYHOUR=" not in upper and start is None:
        raise _fail(text, "say when in the day: add e.g. ;BYHOUR=18;BYMINUTE=0")
    if not re.search(r";FREQ=(WEEKLY|MONTHLY|YEARLY)(;|$)", upper):
        raise _fail(text, "gatherings repeat weekly, monthly or yearly (FREQ=MONTHLY)")
    try:
        rule = du.rrulestr(f"RRULE:{body}", dtstart=start or _ANCHOR, cache=True)
    except (ValueError, TypeError) as exc:
        raise _fail(text, str(exc)) from None
    if not isinstance(rule, du.rrule):
        raise _fail(text, "give a single RRULE")
    probe = rule.replace(until=(start or _ANCHOR) + timedelta(days=3700), count=None)
    if probe.after(start or _ANCHOR, inc=True) is None:
        raise ScheduleError(f"the gathering rule {text!r} yields no dates — "
                            f"write e.g. {ACCEPTED_RULES}")
    return GatheringRule(text=text, tz=tz, rrule=body, _rule=rule)


def round_id_for(gathering: datetime, tz: tzinfo | None = None) -> str:
    """The round id ("2026-11") of a gathering: its year and month on the circle's wall clock."""
    local = gathering.astimezone(tz) if tz is not None else gathering
    return f"{local.year:04d}-{local.month:02d}"


def timeline(gathering: datetime, settings: ScheduleSettings) -> dict[str, datetime]:
    """Every moment of the round gathering at `gathering`, in local wall-clock days (DST-safe)."""
    invite = shift_days(gathering, -settings.host_invite_days)
    return {
        "host_invite": invite,
        "host_fallback": shift_days(invite, settings.host_answer_days),
        "question": shift_days(gathering, -settings.question_days),
        "reminder": shift_days(gathering, -settings.reminder_days),
        "digest_due": shift_days(gathering, -settings.digest_days),
        "gathering": gathering,
    }


@dataclass(frozen=True)
class DueMoment:
    """A moment of a round whose time has come: fire it now, or skip it for `skip_reason`."""

    round_id: str
    moment: str
    at: datetime  # when it was due
    skip_reason: str = ""

    @property
    def fire(self) -> bool:
        """True when the moment should happen now (possibly caught up late)."""
        return not self.skip_reason


def _times(rnd: Round, settings: ScheduleSettings) -> dict[str, datetime]:
    """The round's stored timeline, completed from the settings where a moment is missing."""
    return {**timeline(rnd.gathering, settings), **rnd.timeline}


def _deadline(moment: str, times: dict[str, datetime], settings: ScheduleSettings
              ) -> datetime | None:
    """After this it is too late for `moment` (None: never too late)."""
    return {
        "host_invite": times["question"],
        "host_fallback": times["question"],
        "question": shift_days(times["gathering"], -settings.latest_question_days),
        "reminder": times["digest_due"],
        "digest_due": times["gathering"],
    }.get(moment)


def _why_skip(moment: str, rnd: Round, fired: dict[str, datetime], skipped: dict[str, str],
              times: dict[str, datetime]) -> str:
    """A reason to skip `moment` that has nothing to do with lateness, or ""."""
    if moment in ("host_invite", "host_fallback"):
        if "host" in rnd.skipped:
            return f"no host this round: {rnd.skipped['host']}"
        if rnd.host_state == HostState.ACCEPTED:
            return "the host has already accepted"
    if moment == "host_fallback" and "host_invite" in skipped:
        return "no host was invited"
    if moment in ("reminder", "digest_due") and "question" in skipped:
        return "the question was not sent"
    if moment == "reminder" and _utc(fired.get("question", times["reminder"])) > _utc(
            times["reminder"]):
        return (f"the question only went out at {fired['question']:%Y-%m-%d %H:%M}, after the "
                "reminder time; a reminder now would follow it at once")
    return ""


def due_moments(rnd: Round, now: datetime, settings: ScheduleSettings) -> list[DueMoment]:
    """The moments of `rnd` whose time has come and that have neither fired nor been skipped.

    A moment missed while Circle was not running is returned once to be caught up, or as a skip
    with a reason when it is too late (the invitation after the question time, the question less
    than `latest_question_days` before the gathering, the reminder after the digest is due, the
    digest prompt after the gathering). The host fallback counts from when the invitation really
    went out; the reminder needs a question sent before the reminder time. Moments are returned
    in timeline order, each considering the ones before it as done.
    """
    times = _times(rnd, settings)
    fired, skipped = dict(rnd.fired), dict(rnd.skipped)
    out: list[DueMoment] = []
    for moment in MOMENTS:
        if moment in fired or moment in skipped:
            continue
        at = times[moment]
        if moment == "host_fallback":
            if "host_invite" not in fired and "host_invite" not in skipped:
                continue  # waits for the invitation to go out
            if "host_invite" in fired:
                at = max(at, shift_days(fired["host_invite"].astimezone(at.tzinfo),
                                        settings.host_answer_days), key=_utc)
        if _utc(now) < _utc(at):
            continue
        reason = _why_skip(moment, rnd, fired, skipped, times)
        deadline = _deadline(moment, times, settings)
        if not reason and deadline is not None and _utc(now) >= _utc(deadline):
            reason = (f"too late: {moment} was due at {at:%Y-%m-%d %H:%M} and could only happen "
                      f"before {deadline:%Y-%m-%d %H:%M}")
        out.append(DueMoment(rnd.id, moment, at, reason))
        if reason:
            skipped[moment] = reason
        else:
            fired[moment] = now
    return out


def _check_open(rnd: Round, moment: str) -> None:
    if moment not in (*MOMENTS, HARVEST):
        raise TransitionError(f"round {rnd.id}: unknown moment {moment!r} "
                              f"(known: {', '.join(MOMENTS)})")
    if moment in rnd.fired:
        raise TransitionError(f"round {rnd.id}: {moment} already fired at "
                              f"{rnd.fired[moment].isoformat()}; it never fires twice")
    if moment in rnd.skipped:
        raise TransitionError(f"round {rnd.id}: {moment} was skipped ({rnd.skipped[moment]}); "
                              "it cannot fire or be skipped again")


def mark_fired(rnd: Round, moment: str, now: datetime) -> Round:
    """A copy of `rnd` recording that `moment` fired at `now`; TransitionError if it already
    fired or was skipped."""
    _check_open(rnd, moment)
    if now.tzinfo is None:
        raise ScheduleError(f"round {rnd.id}: {moment} fired at a time without a timezone")
    return replace(rnd, fired={**rnd.fired, moment: now})


def mark_skipped(rnd: Round, moment: str, reason: str) -> Round:
    """A copy of `rnd` recording that `moment` was skipped for `reason`; TransitionError if it
    already fired or was skipped."""
    _check_open(rnd, moment)
    return replace(rnd, skipped={**rnd.skipped, moment: reason or "skipped"})


def retime(rnd: Round, settings: ScheduleSettings) -> Round:
    """A copy of `rnd` whose moments that have not happened yet follow `settings` again."""
    fresh = timeline(rnd.gathering, settings)
    kept = {m: t for m, t in rnd.timeline.items() if m in rnd.fired or m in rnd.skipped}
    return replace(rnd, timeline={**fresh, **kept})


def ensure_rounds(existing: list[Round], rule: GatheringRule, now: datetime,
                  settings: ScheduleSettings, ahead: int = 12) -> list[Round]:
    """New Round records for the next `ahead` months with a gathering after `now`, skipping
    months that already have a round. A rule with several gatherings in one month (e.g. every
    other week) makes one round per month, on the month's first gathering after `now`."""
    have = {r.id for r in existing}
    months: dict[str, datetime] = {}
    at = rule.next_after(now)
    for _ in range(ahead * 40):
        if at is None or len(months) >= ahead:
            break
        months.setdefault(round_id_for(at, rule.tz), at)
        at = rule.next_after(at)
    return [Round(id=rid, gathering=g, timeline=timeline(g, settings))
            for rid, g in months.items() if rid not in have]


HARVEST = "harvest"
"""The moment after the gathering when the host is asked what the circle harvested. Kept out
of MOMENTS (the moments up to the gathering) and planned by `harvest_due`."""
HARVEST_LATEST_DAYS = 7  # later than this after its time, the request is skipped


def harvest_at(rnd: Round, settings: ScheduleSettings) -> datetime:
    """When the round's harvest request is due: `harvest_days` after the gathering."""
    return rnd.timeline.get(HARVEST) or shift_days(rnd.gathering, settings.harvest_days)


def harvest_due(rnd: Round, now: datetime, settings: ScheduleSettings) -> DueMoment | None:
    """The round's harvest moment when its time has come and it neither fired nor was skipped.

    Skipped (with the reason) when the round's question never went out (no gathering of the
    circle's round to harvest) or when it is more than HARVEST_LATEST_DAYS late.
    """
    if HARVEST in rnd.fired or HARVEST in rnd.skipped:
        return None
    at = harvest_at(rnd, settings)
    if _utc(now) < _utc(at):
        return None
    reason = ""
    if "question" not in rnd.fired:
        reason = "the question was not sent, so there was no round's gathering to harvest"
    elif _utc(now) >= _utc(shift_days(at, HARVEST_LATEST_DAYS)):
        reason = (f"too late: the harvest request was due at {at:%Y-%m-%d %H:%M} and could "
                  f"only go within {HARVEST_LATEST_DAYS} days")
    return DueMoment(rnd.id, HARVEST, at, reason)
