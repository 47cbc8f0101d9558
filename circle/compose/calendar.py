"""The gathering's calendar invite (.ics): one stable UID per round, times with their TZID."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from circle.compose.message import domain_of
from circle.compose.text import clean_line
from circle.model import Circle, Round


def event_uid(circle: Circle, rnd: Round) -> str:
    """The round's calendar UID: the same in every invite, so calendars update, never double."""
    return f"gathering-{rnd.id}.{circle.slug}@{domain_of(circle.address)}"


def gathering_ics(circle: Circle, rnd: Round, *, now: datetime, duration_minutes: int,
                  host_name: str = "", method: str = "PUBLISH") -> bytes:
    """An iCalendar file with the round's gathering, in the circle's timezone (VTIMEZONE added)."""
    tz = ZoneInfo(circle.timezone)
    start = rnd.gathering.astimezone(tz)
    cal = Calendar()
    cal.add("prodid", "-//Circle//circle gathering//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", event_uid(circle, rnd))
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=duration_minutes))
    event.add("summary", clean_line(f"{circle.name}: gathering", 200))
    if circle.gathering_place:
        event.add("location", clean_line(circle.gathering_place, 300))
    lines = []
    if rnd.question:
        lines.append(f"This month's question: {rnd.question.strip()}")
    if host_name:
        lines.append(f"Hosted by {clean_line(host_name)}.")
    if lines:
        event.add("description", "\n\n".join(lines))
    event.add("sequence", 0)
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
