"""The `circle` command line as a user meets it: help, init, members, errors without tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CIRCLE = [sys.executable, "-m", "cli.main"]


def run(*args: str, config: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    cmd = [*CIRCLE, *(["--config", str(config)] if config else []), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, input=stdin,
                          timeout=60)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    r = run("init", "--name", "Test Circle", "--address", "circle@circle.test",
            "--steward-email", "steward@circle.test", "--timezone", "Europe/Berlin",
            "--data-dir", str(tmp_path / "data"), config=path)
    assert r.returncode == 0, r.stderr
    return path


def test_help_of_every_command() -> None:
    r = run("--help")
    assert r.returncode == 0 and "members" in r.stdout and "parse" in r.stdout
    commands = ["init", "check", "members", "rounds", "rotation", "parse", "fetch", "run",
                "send-due", "digest", "outbox", "demo", "status", "question", "stories",
                "inbound", "quarantine", "export"]
    for name in commands:
        r = run(name, "--help")
        assert r.returncode == 0, (name, r.stderr)
        assert "usage: circle" in r.stdout


def test_init_keeps_example_comments_and_validates(config: Path) -> None:
    text = config.read_text()
    assert 'name = "Test Circle"' in text and 'slug = "test-circle"' in text
    assert "# When the circle gathers" in text
    r = run("init", "--name", "x", "--address", "a@b.org", "--steward-email", "s@b.org",
            "--timezone", "UTC", config=config)
    assert r.returncode != 0 and "already exists" in r.stderr


def test_members_lifecycle(config: Path) -> None:
    assert run("members", "add", "Ana Ruiz", "ana@example.org", config=config).returncode == 0
    r = run("members", "add", "Ana Bis", "ANA@example.org", config=config)
    assert r.returncode != 0
    assert r.stderr == "Error: ana@example.org already belongs to Ana Ruiz (ana-ruiz)\n"
    assert run("members", "pause", "ana", "--until", "2027-01-31", config=config).returncode == 0
    listed = run("members", "list", config=config).stdout
    assert "paused until 2027-01-31" in listed
    assert run("members", "resume", "ana-ruiz", config=config).returncode == 0
    assert "active" in run("members", "list", config=config).stdout
    r = run("members", "remove", "ana-ruiz", config=config, stdin="n\n")
    assert r.returncode == 1 and "Nothing changed" in r.stdout
    assert run("members", "remove", "ana-ruiz", "--yes", config=config).returncode == 0
    assert "Ana Ruiz" not in run("members", "list", config=config).stdout
    assert "left" in run("members", "list", "--all", config=config).stdout


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    r = run("members", "list", config=tmp_path / "missing.toml")
    assert r.returncode == 78
    assert r.stderr.startswith("Error: ") and "Traceback" not in r.stderr
    assert "circle init" in r.stderr


def test_check_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[circle]\nname = "x"\nslug = "x"\naddress = "nope"\n'
                   'steward_email = "s@x.org"\ntimezone = "Nowhere/Land"\n[smtp]\nport = "25"\n')
    r = run("check", config=bad)
    assert r.returncode == 78
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 3, r.stderr
    assert any("address must be an email address" in e for e in errors)
    assert any("Nowhere/Land" in e for e in errors)
    assert any("[smtp] port must be a whole number" in e for e in errors)


def test_corrupt_store_is_reported_not_overwritten(config: Path, tmp_path: Path) -> None:
    assert run("members", "add", "Bo", "bo@example.org", config=config).returncode == 0
    db = tmp_path / "data" / "circle.json"
    db.write_text("{ not json")
    r = run("members", "list", config=config)
    assert r.returncode == 74 and str(db) in r.stderr and "Traceback" not in r.stderr
    assert db.read_text() == "{ not json"


def test_cli_does_not_import_textual() -> None:
    code = ("import sys, cli.main; cli.main.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_domain_imports_no_io_libraries() -> None:
    code = ("import sys, pkgutil, importlib, circle\n"
            "for m in pkgutil.walk_packages(circle.__path__, 'circle.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = {'textual', 'imapclient', 'aiosmtplib', 'tinydb', 'filelock', 'aiosmtpd'}\n"
            "print(sorted(bad & {m.split('.')[0] for m in sys.modules}))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    r = run("--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"circle {version('circle')}"


def test_the_lazy_command_table_matches_what_the_modules_register() -> None:
    """`circle --help` is printed from cli.main.COMMANDS without importing the command
    modules; the table must say exactly what they register."""
    import argparse

    from cli.main import COMMANDS, build_parser

    parser = build_parser("")  # every module loaded
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    registered = {c.dest: c.help for c in sub._choices_actions}
    registered.pop("tui")
    assert registered == {name: text for name, (_, text) in COMMANDS.items()}


def test_help_imports_no_command_module() -> None:
    import subprocess
    import sys

    code = ("import sys; from cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('cli.commands', 'data.', "
            "'tinydb', 'textual', 'circle.app'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    assert out == "[]"
