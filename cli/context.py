"""The composition root's context: config file, store, secret and clock, built once per command."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from circle.app import Intent, Outcome, apply_or_refuse
from circle.config import Config, config_from_dict
from circle.errors import ConfigError
from circle.ports import Clock
from data.jsonfile import atomic_write_bytes
from data.store import TinyStore, open_store

CONFIG_ENV = "CIRCLE_CONFIG"
# Test-only: a fixed, timezone-aware ISO time every command of this process takes as "now"
# (the headless end-to-end tests move a real circle through its month with it). Never set it
# in production: the daemon would see the same instant forever.
NOW_ENV = "CIRCLE_NOW"
SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret


class SystemClock:
    """The real clock (the only place Circle reads it)."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (`$CIRCLE_NOW`, for tests)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """The fixed instant."""
        return self.at


def clock_from_env() -> Clock:
    """The real clock, or a fixed one when `$CIRCLE_NOW` names an instant (test-only).

    The one place the time override is read; a value that is not an ISO time with a UTC
    offset is a ConfigError (never silently the real clock)."""
    raw = os.environ.get(NOW_ENV, "").strip()
    if not raw:
        return SystemClock()
    try:
        at = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{NOW_ENV}={raw!r} is not an ISO time "
                          "(e.g. 2026-11-18T09:00:00+00:00)") from exc
    if at.tzinfo is None:
        raise ConfigError(f"{NOW_ENV}={raw!r} has no UTC offset (e.g. 2026-11-18T09:00:00+00:00)")
    return FixedClock(at.astimezone(UTC))


@dataclass
class Context:
    """Everything a command needs: config, where it came from, the store, the secret, the clock."""

    config: Config
    config_path: Path
    data_dir: Path
    store: TinyStore
    secret: bytes
    clock: Clock = field(default_factory=clock_from_env)


def default_config_path() -> Path:
    """`$CIRCLE_CONFIG`, else the platform's config dir (~/.config/circle/config.toml)."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir("circle")) / "config.toml"


def read_config(path: Path) -> Config:
    """Read and validate the config file; ConfigError names the file and every problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no config file here. Run `circle init` to create one, "
                          f"or pass --config PATH (or set {CONFIG_ENV}).") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}. Fix the line it names "
                          "(compare with config.example.toml).") from exc
    return config_from_dict(doc, source=str(path))


def data_dir_for(config: Config, config_path: Path) -> Path:
    """The data directory: from config (relative to the config file), else the platform's."""
    if config.data_dir:
        d = Path(config.data_dir).expanduser()
        return d if d.is_absolute() else (config_path.parent / d).resolve()
    return Path(platformdirs.user_data_dir("circle")) / config.slug


def load_secret(data_dir: Path, env_name: str) -> bytes:
    """The circle's HMAC secret: from the environment, else a 0600 key file made on first use."""
    env = os.environ.get(env_name)
    if env:
        return env.encode("utf-8")
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    key = secrets.token_hex(32).encode("ascii")
    atomic_write_bytes(path, key)
    return key


def load_context(config_path: Path | None = None) -> Context:
    """Read the config, open the store and the secret."""
    path = config_path or default_config_path()
    config = read_config(path)
    data_dir = data_dir_for(config, path)
    store = open_store(data_dir)
    return Context(config=config, config_path=path, data_dir=data_dir, store=store,
                   secret=load_secret(data_dir, config.secret_env))


def act(ctx: Context, intent: Intent) -> Outcome:
    """Apply one intent for a command; a refusal stops the command with its reason (exit 65)."""
    return apply_or_refuse(ctx.store, intent, ctx.clock.now())
