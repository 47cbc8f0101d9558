"""The circle's configuration: typed settings validated from TOML, all problems at once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from circle.errors import ConfigError
from circle.model import Circle


@dataclass(frozen=True)
class ImapSettings:
    """Where inbound mail is fetched from. The password never lives in the config file."""

    host: str = "127.0.0.1"
    port: int = 993
    security: str = "tls"  # tls | starttls | plain (plain only to localhost)
    username: str = ""
    password_env: str = "CIRCLE_IMAP_PASSWORD"  # noqa: S105 - a variable name
    password_command: str = ""
    folder: str = "INBOX"
    processed_folder: str = ""  # move processed mail here; "" = flag only
    ca_file: str = ""
    poll_seconds: int = 60


@dataclass(frozen=True)
class SmtpSettings:
    """Where outgoing mail is relayed. The password never lives in the config file."""

    host: str = "127.0.0.1"
    port: int = 587
    security: str = "starttls"  # tls | starttls | plain (plain only to localhost)
    username: str = ""
    password_env: str = "CIRCLE_SMTP_PASSWORD"  # noqa: S105 - a variable name
    password_command: str = ""
    ca_file: str = ""
    connections: int = 2
    per_minute: int = 120
    max_per_day: int = 0  # the provider's daily quota of recipients; 0 = none (rolling 24 h)
    connect_timeout: int = 10  # seconds for connect, greeting, TLS and login (then 60 per message)


@dataclass(frozen=True)
class ScheduleSettings:
    """When gatherings happen and how far before them each moment of a round falls."""

    gathering: str = "last Wednesday of every month at 18:00"
    duration_minutes: int = 90
    host_invite_days: int = 28
    host_answer_days: int = 3
    question_days: int = 14
    reminder_days: int = 5
    digest_days: int = 2
    latest_question_days: int = 2  # too late to send the question after this
    harvest_days: int = 1  # the harvest request goes this many days after the gathering


@dataclass(frozen=True)
class Config:
    """Everything Circle reads from `config.toml`."""

    name: str
    slug: str
    address: str
    steward_email: str
    timezone: str = "UTC"
    purpose: str = ""
    place: str = ""
    agreements: tuple[str, ...] = ()
    agreements_version: int = 1
    data_dir: str = ""  # "" = the platform's user data dir
    secret_env: str = "CIRCLE_SECRET"  # noqa: S105 - a variable name
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    imap: ImapSettings = field(default_factory=ImapSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    keys: dict[str, str] = field(default_factory=dict)  # action -> key, remaps TUI bindings
    theme: str = "textual-dark"
    max_story_words: int = 1500
    auto_replies_per_day: int = 3  # receipts/confirmations per member per day (circle.reply_cap)
    year_digest: str = "december"  # month of "A year in stories" ("off": never)
    source: str = "config.toml"

    @property
    def tz(self) -> ZoneInfo:
        """The circle's timezone."""
        return ZoneInfo(self.timezone)


_SECTIONS: dict[str, type] = {"schedule": ScheduleSettings, "imap": ImapSettings,
                              "smtp": SmtpSettings}
_SECURITY = ("tls", "starttls", "plain")
LOCALHOSTS = ("127.0.0.1", "localhost", "::1")


def _check_fields(cls: type, table: dict[str, Any], where: str, source: str,
                  problems: list[str]) -> dict[str, Any]:
    kinds = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in kinds:
            problems.append(f"{source}: [{where}] unknown key '{key}' — remove it or check "
                            f"the spelling (known: {', '.join(sorted(kinds))})")
            continue
        want = kinds[key]
        if want == "bool" and not isinstance(value, bool):
            problems.append(f"{source}: [{where}] {key} must be true or false, got {value!r}")
        elif want == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{source}: [{where}] {key} must be a whole number, got {value!r}")
        elif want == "str" and not isinstance(value, str):
            problems.append(f"{source}: [{where}] {key} must be a text in quotes, got {value!r}")
        else:
            out[key] = value
    return out


def config_from_dict(doc: dict[str, Any], source: str = "config.toml") -> Config:
    """Validate a parsed TOML document; raise ConfigError listing every problem found."""
    problems: list[str] = []
    circle = doc.get("circle")
    if not isinstance(circle, dict):
        raise ConfigError(f"{source}: missing table [circle] — copy it from config.example.toml")
    top = dict(circle)
    agreements = top.pop("agreements", [])
    keys = doc.get("keys", {})
    if not isinstance(agreements, list) or not all(isinstance(a, str) for a in agreements):
        problems.append(f"{source}: [circle] agreements must be a list of texts")
        agreements = []
    required = ("name", "slug", "address", "steward_email")
    for key in required:
        if key not in top:
            problems.append(f"{source}: [circle] missing key '{key}' — add it "
                            "(see config.example.toml)")
    fields = _check_fields(Config, {k: v for k, v in top.items()}, "circle", source, problems)
    for key in ("address", "steward_email"):
        value = fields.get(key)
        if isinstance(value, str) and "@" not in value:
            problems.append(f"{source}: [circle] {key} must be an email address, got {value!r}")
    year_month = fields.get("year_digest", "december")
    if isinstance(year_month, str) and year_digest_month(year_month) is None and (
            year_month.strip().lower() != "off"):
        problems.append(f"{source}: [circle] year_digest must be a month such as 'december' "
                        f"or 'off', got {year_month!r}")
    tzname = fields.get("timezone", "UTC")
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{source}: [circle] timezone {tzname!r} is not a known IANA zone — "
                        "use e.g. 'Europe/Berlin' or 'America/New_York'")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = doc.get(name, {})
        if not isinstance(table, dict):
            problems.append(f"{source}: [{name}] must be a table")
            continue
        sections[name] = cls(**_check_fields(cls, table, name, source, problems))
    for name in ("imap", "smtp"):
        s = sections.get(name)
        if s is None:
            continue
        problem = transport_problem(name, s.security, s.host, s.port)
        if problem:
            problems.append(f"{source}: {problem}")
        if not 0 < s.port < 65536:
            problems.append(f"{source}: [{name}] port {s.port} is not a TCP port (1-65535)")
        if getattr(s, "connect_timeout", 1) < 1:
            problems.append(f"{source}: [{name}] connect_timeout must be 1 second or more")
        for key in ("per_minute", "max_per_day"):
            if getattr(s, key, 0) < 0:
                problems.append(f"{source}: [{name}] {key} must be 0 (no limit) or more, "
                                f"got {getattr(s, key)}")
    sched = sections.get("schedule")
    if sched is not None:
        from circle.schedule import parse_rule  # local import: schedule imports config types

        try:
            parse_rule(sched.gathering, ZoneInfo("UTC"))
        except Exception as exc:
            problems.append(f"{source}: [schedule] gathering: {exc}")
    for extra in doc:
        if extra not in ("circle", "keys", *_SECTIONS):
            problems.append(f"{source}: unknown table [{extra}] — remove it or check the spelling")
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        problems.append(f"{source}: [keys] must map action names to keys, e.g. approve = \"a\"")
        keys = {}
    if problems:
        raise ConfigError(problems)
    return Config(agreements=tuple(agreements), keys=dict(keys), source=source,
                  **fields, **sections)


def circle_from_config(config: Config) -> Circle:
    """The Circle record described by the config (the config is its source of truth)."""
    return Circle(name=config.name, slug=config.slug, purpose=config.purpose,
                  timezone=config.timezone, address=config.address,
                  steward_email=config.steward_email, agreements=list(config.agreements),
                  agreements_version=config.agreements_version, gathering_place=config.place)


def transport_problem(section: str, security: str, host: str, port: int) -> str | None:
    """Why a mail server setting is unsafe or unknown (None if fine): the one rule for IMAP
    and SMTP — tls or starttls anywhere, plain text only to this machine."""
    if security not in _SECURITY:
        return f"[{section}] security must be one of {', '.join(_SECURITY)}, got {security!r}"
    if security == "plain" and host not in LOCALHOSTS:
        return (f"[{section}] refusing plain text to {host}:{port}: passwords would travel "
                "unencrypted; use security = 'tls' or 'starttls' (plain is only for localhost)")
    return None


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")


def year_digest_month(value: str) -> int | None:
    """The month (1-12) `[circle] year_digest` names ("december", "dec", "12"); None for "off"
    or anything else."""
    said = value.strip().lower()
    if said.isdigit() and 1 <= int(said) <= 12:
        return int(said)
    for n, month in enumerate(_MONTHS, start=1):
        if len(said) >= 3 and month.startswith(said):
            return n
    return None
