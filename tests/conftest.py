"""Shared fixtures: a fixed clock, a fresh data directory, never the developer's home."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from tests.soak import SOAK_ENV, Soak

# Property tests explore a fixed, seeded sequence of examples so a CI run is reproducible;
# set HYPOTHESIS_PROFILE=explore locally to search with fresh randomness.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytest_plugins = ["tests.mailservers"]



def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", choices=("quick", "full"), default=None,
                     help=f"SIGKILL soak size (default: ${SOAK_ENV}, else quick)")


@pytest.fixture(scope="session")
def soak(pytestconfig: pytest.Config) -> Soak:
    """How many kills the SIGKILL soaks make in this run (see tests/soak.py)."""
    return Soak.from_mode(pytestconfig.getoption("--soak"))


class FixedClock:
    """A clock that returns what the test sets."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture(autouse=True)
def _isolate_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's home, config or data directories."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.delenv("CIRCLE_CONFIG", raising=False)
    monkeypatch.delenv("CIRCLE_SECRET", raising=False)
    os.umask(0o022)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
