"""Gathering rules, DST-safe timelines and due moments (catch up once, skip when too late)."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circle.config import ScheduleSettings, config_from_dict
from circle.errors import ConfigError, ScheduleError, TransitionError
from circle.model import HostState, Round
from circle.schedule import (
    MOMENTS,
    due_moments,
    ensure_rounds,
    mark_fired,
    mark_skipped,
    parse_rule,
    retime,
    round_id_for,
    timeline,
)

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
UTCZ = ZoneInfo("UTC")
S = ScheduleSettings()


def last_weekday(year: int, month: int, weekday: int) -> date:
    """Independent oracle: the last `weekday` (0=Monday) of a month."""
    days = [w[weekday] for w in calendar.monthcalendar(year, month) if w[weekday]]
    return date(year, month, days[-1])


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    days = [w[weekday] for w in calendar.monthcalendar(year, month) if w[weekday]]
    return date(year, month, days[n - 1])


# --- rules -------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), year=st.integers(2024, 2040), month=st.integers(1, 12))
def test_last_wednesday_is_18_00_local_every_month(zone: str, year: int, month: int) -> None:
    tz = ZoneInfo(zone)
    rule = parse_rule("last Wednesday of every month at 18:00", tz)
    start = datetime(year, month, 1, tzinfo=tz)
    (g,) = rule.between(start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz))
    assert g.date() == last_weekday(year, month, calendar.WEDNESDAY)
    assert (g.hour, g.minute, g.second) == (18, 0, 0)
    assert g.utcoffset() == datetime(year, month, g.day, 18, tzinfo=tz).utcoffset()
    assert round_id_for(g) == f"{year:04d}-{month:02d}"


@pytest.mark.parametrize(("words", "rfc"), [
    ("last Wednesday of every month at 18:00", "FREQ=MONTHLY;BYDAY=-1WE;BYHOUR=18;BYMINUTE=0"),
    ("first Monday of each month at 7pm", "RRULE:FREQ=MONTHLY;BYDAY=1MO;BYHOUR=19;BYMINUTE=0"),
    ("2nd Tuesday of every month at 19:30", "FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=19;BYMINUTE=30"),
    ("The third Friday of the month at 7:15 PM", "FREQ=MONTHLY;BYDAY=3FR;BYHOUR=19;BYMINUTE=15"),
    ("every month on the 15th at 18:00", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=18;BYMINUTE=0"),
    ("on the 1st of every month at noon", "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=12;BYMINUTE=0"),
    ("every month on the last day at 9am", "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=9;BYMINUTE=0"),
    ("every month on the 31st at 18:00",
     "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1;BYHOUR=18;BYMINUTE=0"),
    ("every other week on Thursday at 17:00 starting 2026-01-08",
     "DTSTART:20260108T170000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
    ("every week on Sat at 10:00", "FREQ=WEEKLY;BYDAY=SA;BYHOUR=10;BYMINUTE=0"),
])
@pytest.mark.parametrize("zone", ZONES)
def test_plain_words_and_rrule_give_the_same_gatherings(words: str, rfc: str, zone: str) -> None:
    tz = ZoneInfo(zone)
    a, b = datetime(2026, 1, 8, tzinfo=tz), datetime(2029, 1, 1, tzinfo=tz)
    from_words = parse_rule(words, tz).between(a, b)
    assert len(from_words) >= 35
    assert from_words == parse_rule(rfc, tz).between(a, b)


def test_the_31st_falls_on_the_last_day_of_shorter_months_in_plain_words() -> None:
    rule = parse_rule("every month on the 31st at 18:00", BERLIN)
    days = [g.date() for g in rule.between(datetime(2027, 12, 1, tzinfo=BERLIN),
                                           datetime(2028, 7, 1, tzinfo=BERLIN))]
    assert days == [date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31),
                    date(2028, 4, 30), date(2028, 5, 31), date(2028, 6, 30)]
    thirtieth = parse_rule("every month on the 30th at 18:00", BERLIN)
    assert thirtieth.next_after(datetime(2027, 2, 1, tzinfo=BERLIN)).date() == date(2027, 2, 28)


def test_rfc_bymonthday_31_keeps_rfc_meaning_and_skips_short_months() -> None:
    rule = parse_rule("FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=18;BYMINUTE=0", UTCZ)
    months = [g.month for g in rule.between(datetime(2026, 1, 1, tzinfo=UTC),
                                            datetime(2027, 1, 1, tzinfo=UTC))]
    assert months == [1, 3, 5, 7, 8, 10, 12]


def test_every_other_week_alternates_from_its_start() -> None:
    rule = parse_rule("every other week on Thursday at 17:00 starting 2026-01-08", KOLKATA)
    got = rule.upcoming(datetime(2026, 1, 1, tzinfo=KOLKATA), 4)
    assert [g.date() for g in got] == [date(2026, 1, 8), date(2026, 1, 22), date(2026, 2, 5),
                                       date(2026, 2, 19)]
    assert all(g.utcoffset() == timedelta(hours=5, minutes=30) for g in got)
    # without a start the phase is still deterministic
    one = parse_rule("every other week on Thursday at 17:00", KOLKATA)
    two = parse_rule("every other week on Thursday at 17:00", KOLKATA)
    assert one.upcoming(datetime(2026, 1, 1, tzinfo=UTC), 5) == two.upcoming(
        datetime(2026, 1, 1, tzinfo=UTC), 5)


def test_dtstart_with_another_timezone_is_read_on_the_circles_wall_clock() -> None:
    rule = parse_rule("DTSTART;TZID=America/New_York:20260105T120000\nRRULE:FREQ=MONTHLY;"
                      "BYDAY=1MO", BERLIN)
    g = rule.next_after(datetime(2026, 1, 1, tzinfo=BERLIN))
    assert g == datetime(2026, 1, 5, 18, 0, tzinfo=BERLIN)
    utc = parse_rule("DTSTART:20260105T170000Z RRULE:FREQ=MONTHLY;BYDAY=1MO;"
                     "UNTIL=20260401T000000Z", BERLIN)
    got = utc.between(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert got == [datetime(2026, 1, 5, 18, tzinfo=BERLIN), datetime(2026, 2, 2, 18, tzinfo=BERLIN),
                   datetime(2026, 3, 2, 18, tzinfo=BERLIN)]


@pytest.mark.parametrize(("text", "why"), [
    ("whenever the moon is full", ""),
    ("", "it is empty"),
    ("every day at 18:00", ""),
    ("last Wednesday of every month at 18", "write the time as 18:00"),
    ("last Wednesday of every month at 25:00", "not a time of day"),
    ("fifth Wednesday of every month at 18:00", ""),
    ("every month on the 32nd at 18:00", "a month has no day 32"),
    ("every other week on Thursday at 17:00 starting soon", "not a date"),
    ("FREQ=DAILY;BYHOUR=18", "weekly, monthly or yearly"),
    ("FREQ=MONTHLY;BYDAY=-1WE", "BYHOUR"),
    ("FREQ=MONTHLY;BYDAY=-1WE;BYHOUR=18;COUNT=3", "COUNT needs a DTSTART"),
    ("FREQ=MONTHLY;BYDAY=XX;BYHOUR=18", ""),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=18", "yields no dates"),
])
def test_rules_it_cannot_use_are_refused_with_the_text_and_an_example(text: str, why: str) -> None:
    with pytest.raises(ScheduleError) as err:
        parse_rule(text, UTCZ)
    msg = str(err.value)
    assert repr(text) in msg
    assert "last Wednesday of every month at 18:00" in msg
    assert why in msg


def test_config_validates_the_gathering_rule() -> None:
    doc = {"circle": {"name": "C", "slug": "c", "address": "c@example.org",
                      "steward_email": "s@example.org"},
           "schedule": {"gathering": "2nd Tuesday of every month at 19:30"}}
    assert config_from_dict(doc).schedule.gathering.startswith("2nd")
    doc["schedule"]["gathering"] = "second Tuesdays, roughly"
    with pytest.raises(ConfigError, match="second Tuesdays, roughly"):
        config_from_dict(doc)


def test_naive_datetimes_are_refused() -> None:
    rule = parse_rule("last Wednesday of every month at 18:00", BERLIN)
    with pytest.raises(ScheduleError, match="no timezone"):
        rule.next_after(datetime(2026, 1, 1))  # noqa: DTZ001


# --- DST ---------------------------------------------------------------------------------------


def test_wall_clock_time_survives_dst_in_new_york_and_sydney() -> None:
    ny = parse_rule("2nd Tuesday of every month at 19:30", NY)
    feb, mar = ny.upcoming(datetime(2026, 2, 1, tzinfo=UTC), 2)  # DST starts 2026-03-08
    assert (feb.hour, feb.minute, mar.hour, mar.minute) == (19, 30, 19, 30)
    assert feb.utcoffset() == timedelta(hours=-5) and mar.utcoffset() == timedelta(hours=-4)
    syd = parse_rule("first Monday of each month at 7pm", SYDNEY)
    mar, apr = syd.upcoming(datetime(2026, 3, 1, tzinfo=UTC), 2)  # DST ends 2026-04-05
    assert mar.utcoffset() == timedelta(hours=11) and apr.utcoffset() == timedelta(hours=10)
    assert mar.hour == apr.hour == 19


def test_nonexistent_local_time_moves_forward_and_ambiguous_takes_the_first() -> None:
    rule = parse_rule("last Sunday of every month at 02:30", BERLIN)
    spring = rule.next_after(datetime(2026, 3, 1, tzinfo=BERLIN))  # clocks jump 02:00 -> 03:00
    assert spring == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert spring.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    autumn = rule.next_after(datetime(2026, 10, 1, tzinfo=BERLIN))  # 02:30 happens twice
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    syd = parse_rule("first Sunday of every month at 2:30am", SYDNEY)
    gap = syd.next_after(datetime(2026, 10, 1, tzinfo=SYDNEY))
    assert (gap.date(), gap.hour, gap.utcoffset()) == (date(2026, 10, 4), 3, timedelta(hours=11))
    fold = syd.next_after(datetime(2026, 4, 1, tzinfo=SYDNEY))
    assert fold.astimezone(UTC) == datetime(2026, 4, 4, 15, 30, tzinfo=UTC)  # AEDT, first one


def test_timeline_offsets_are_local_days_across_dst() -> None:
    g = parse_rule("last Wednesday of every month at 18:00", NY).next_after(
        datetime(2026, 3, 1, tzinfo=NY))
    assert g == datetime(2026, 3, 25, 18, tzinfo=NY)
    t = timeline(g, S)
    assert list(t) == list(MOMENTS)
    assert t["host_invite"] == datetime(2026, 2, 25, 18, tzinfo=NY)  # EST, before the change
    absolute = g.astimezone(UTC) - t["host_invite"].astimezone(UTC)
    assert absolute == timedelta(days=28, hours=-1)  # one hour shorter in absolute time
    assert t["host_fallback"] == datetime(2026, 2, 28, 18, tzinfo=NY)
    assert t["question"] == datetime(2026, 3, 11, 18, tzinfo=NY)
    assert t["reminder"] == datetime(2026, 3, 20, 18, tzinfo=NY)
    assert t["digest_due"] == datetime(2026, 3, 23, 18, tzinfo=NY)
    assert all(m.hour == 18 for m in t.values())


@settings(max_examples=80, deadline=None)
@given(zone=st.sampled_from(ZONES), when=st.datetimes(datetime(2025, 1, 1), datetime(2035, 1, 1)),
       rule_text=st.sampled_from(["last Wednesday of every month at 18:00",
                                  "every month on the 31st at 02:30",
                                  "every other week on Sunday at 2:30am"]))
def test_next_and_previous_bracket_any_instant(zone: str, when: datetime, rule_text: str) -> None:
    tz = ZoneInfo(zone)
    rule = parse_rule(rule_text, tz)
    now = when.replace(tzinfo=UTC)
    nxt, prev = rule.next_after(now), rule.previous_before(now)
    assert prev is not None and nxt is not None
    assert prev < now < nxt
    assert rule.between(prev, nxt + timedelta(seconds=1)) == [prev, nxt]
    assert rule.next_after(prev) == nxt and rule.previous_before(nxt) == prev
    assert rule.next_after(nxt, inclusive=True) == nxt
    assert rule.previous_before(prev, inclusive=True) == prev


def test_round_id_is_the_local_month() -> None:
    g = parse_rule("every month on the 1st at 00:30", KOLKATA).next_after(
        datetime(2026, 2, 15, tzinfo=UTC))
    assert g.astimezone(UTC).month == 2 and round_id_for(g) == "2026-03"
    assert round_id_for(g.astimezone(UTC)) == "2026-02"
    assert round_id_for(g.astimezone(UTC), KOLKATA) == "2026-03"


# --- rounds and due moments --------------------------------------------------------------------


def test_ensure_rounds_fills_the_next_months_once() -> None:
    rule = parse_rule("last Wednesday of every month at 18:00", BERLIN)
    now = datetime(2026, 11, 10, 9, tzinfo=UTC)
    new = ensure_rounds([], rule, now, S)
    assert [r.id for r in new] == ["2026-11", "2026-12"] + [f"2027-{m:02d}" for m in range(1, 11)]
    assert new[0].gathering == datetime(2026, 11, 25, 18, tzinfo=BERLIN)
    assert new[0].timeline == timeline(new[0].gathering, S)
    assert ensure_rounds(new, rule, now, S) == []
    more = ensure_rounds(new[:3], rule, now, S, ahead=4)
    assert [r.id for r in more] == ["2027-02"]


def test_ensure_rounds_makes_one_round_per_month_for_fortnightly_rules() -> None:
    rule = parse_rule("every other week on Thursday at 17:00 starting 2026-01-08", UTCZ)
    rounds = ensure_rounds([], rule, datetime(2026, 1, 1, tzinfo=UTC), S, ahead=3)
    assert [(r.id, r.gathering.day) for r in rounds] == [("2026-01", 8), ("2026-02", 5),
                                                         ("2026-03", 5)]


def _round(tz: ZoneInfo = BERLIN) -> Round:
    g = datetime(2026, 4, 29, 18, tzinfo=tz)
    return Round(id=round_id_for(g), gathering=g, timeline=timeline(g, S))


def _names(due: list) -> list[tuple[str, bool]]:
    return [(d.moment, d.fire) for d in due]


def test_each_moment_is_due_at_its_time_and_then_never_again() -> None:
    rnd = _round()
    t = rnd.timeline
    assert due_moments(rnd, t["host_invite"] - timedelta(seconds=1), S) == []
    for moment in ("host_invite", "host_fallback", "question", "reminder", "digest_due",
                   "gathering"):
        due = due_moments(rnd, t[moment], S)
        assert _names(due) == [(moment, True)]
        rnd = mark_fired(rnd, moment, t[moment])
        assert due_moments(rnd, t[moment] + timedelta(hours=1), S) == []
    assert set(rnd.fired) == set(MOMENTS) and rnd.skipped == {}


def test_a_missed_question_is_caught_up_once_and_too_late_moments_are_skipped() -> None:
    rnd = _round()
    now = rnd.timeline["question"] + timedelta(days=3)  # Circle was down for weeks
    due = due_moments(rnd, now, S)
    assert _names(due) == [("host_invite", False), ("host_fallback", False), ("question", True)]
    assert "too late" in due[0].skip_reason and "no host was invited" in due[1].skip_reason
    for d in due:
        rnd = mark_fired(rnd, d.moment, now) if d.fire else mark_skipped(rnd, d.moment,
                                                                         d.skip_reason)
    assert due_moments(rnd, now, S) == []
    assert due_moments(rnd, now + timedelta(hours=6), S) == []
    # the question went out 3 days late, still well before the reminder: the reminder goes
    assert _names(due_moments(rnd, rnd.timeline["reminder"], S)) == [("reminder", True)]
    # a question caught up after the reminder time gets no reminder right behind it
    later = rnd.timeline["question"] + timedelta(days=10)  # after the reminder time
    rnd2 = mark_fired(_round(), "question", later)
    due = due_moments(replace(rnd2, skipped={"host_invite": "x", "host_fallback": "x"}),
                      later, S)
    assert _names(due) == [("reminder", False)]
    assert "follow it at once" in due[0].skip_reason


def test_question_is_skipped_when_the_gathering_is_too_close() -> None:
    rnd = _round()
    now = rnd.gathering - timedelta(days=1)
    due = {d.moment: d for d in due_moments(rnd, now, S)}
    assert not due["question"].fire and "too late" in due["question"].skip_reason
    assert not due["reminder"].fire and "question was not sent" in due["reminder"].skip_reason
    assert not due["digest_due"].fire
    assert "gathering" not in due


def test_reminder_after_digest_due_is_skipped_but_digest_due_fires() -> None:
    rnd = mark_fired(mark_fired(mark_fired(_round(), "host_invite", _round().timeline[
        "host_invite"]), "host_fallback", _round().timeline["host_fallback"]), "question",
        _round().timeline["question"])
    now = rnd.timeline["digest_due"] + timedelta(hours=1)
    assert _names(due_moments(rnd, now, S)) == [("reminder", False), ("digest_due", True)]


def test_host_fallback_counts_from_when_the_invitation_really_went_out() -> None:
    rnd = _round()
    late = rnd.timeline["host_invite"] + timedelta(days=2)
    rnd = mark_fired(rnd, "host_invite", late)
    assert due_moments(rnd, rnd.timeline["host_fallback"] + timedelta(hours=1), S) == []
    due = due_moments(rnd, late + timedelta(days=3), S)
    assert _names(due) == [("host_fallback", True)]
    assert due[0].at == late + timedelta(days=3)


def test_an_accepted_host_is_not_invited_and_a_skipped_host_round_needs_no_fallback() -> None:
    rnd = replace(_round(), host_id="ana", host_state=HostState.ACCEPTED)
    due = due_moments(rnd, rnd.timeline["host_invite"], S)
    assert _names(due) == [("host_invite", False)] and "accepted" in due[0].skip_reason
    rnd = replace(_round(), skipped={"host": "the steward hosts in December"})
    due = due_moments(rnd, rnd.timeline["host_invite"], S)
    assert "the steward hosts in December" in due[0].skip_reason


def test_nothing_fires_twice() -> None:
    rnd = mark_fired(_round(), "question", datetime(2026, 4, 15, 16, tzinfo=UTC))
    with pytest.raises(TransitionError, match="already fired"):
        mark_fired(rnd, "question", datetime(2026, 4, 15, 17, tzinfo=UTC))
    with pytest.raises(TransitionError, match="already fired"):
        mark_skipped(rnd, "question", "no")
    skipped = mark_skipped(rnd, "reminder", "late")
    with pytest.raises(TransitionError, match="skipped"):
        mark_fired(skipped, "reminder", datetime(2026, 4, 25, tzinfo=UTC))
    with pytest.raises(TransitionError, match="unknown moment"):
        mark_fired(rnd, "party", datetime(2026, 4, 25, tzinfo=UTC))
    assert rnd.fired == {"question": datetime(2026, 4, 15, 16, tzinfo=UTC)}
    assert _round().fired == {}  # pure: the original is untouched


@settings(max_examples=150, deadline=None)
@given(zone=st.sampled_from(ZONES),
       gaps=st.lists(st.integers(min_value=1, max_value=24 * 20), min_size=1, max_size=40))
def test_a_scheduler_waking_at_random_times_handles_each_moment_exactly_once(
        zone: str, gaps: list[int]) -> None:
    tz = ZoneInfo(zone)
    rnd = _round(tz)
    now = rnd.timeline["host_invite"] - timedelta(days=2)
    seen: list[str] = []
    for gap in [*gaps, 24 * 60]:
        now += timedelta(hours=gap)
        for d in due_moments(rnd, now, S):
            assert d.at <= now
            seen.append(d.moment)
            rnd = mark_fired(rnd, d.moment, now) if d.fire else mark_skipped(
                rnd, d.moment, d.skip_reason)
    assert sorted(seen) == sorted(MOMENTS)  # every moment exactly once, at the end
    assert set(rnd.fired).isdisjoint(rnd.skipped)
    assert "gathering" in rnd.fired
    t = rnd.timeline
    if "question" in rnd.fired:
        assert t["question"] <= rnd.fired["question"] < t["gathering"] - timedelta(days=2)
    if "reminder" in rnd.fired:
        assert rnd.fired["question"] <= t["reminder"] <= rnd.fired["reminder"] < t["digest_due"]
    if "host_invite" in rnd.fired:
        assert rnd.fired["host_invite"] < t["question"]
    if "host_fallback" in rnd.fired:
        assert rnd.fired["host_fallback"] >= rnd.fired["host_invite"] + timedelta(days=3) - \
            timedelta(hours=1)


def test_retime_follows_new_settings_for_moments_still_to_come() -> None:
    rnd = mark_fired(_round(), "host_invite", datetime(2026, 4, 1, 16, tzinfo=UTC))
    rnd = replace(rnd, timeline={**rnd.timeline})
    new = retime(rnd, replace(S, question_days=10, host_invite_days=30))
    assert new.timeline["question"] == datetime(2026, 4, 19, 18, tzinfo=BERLIN)
    assert new.timeline["host_invite"] == rnd.timeline["host_invite"]
