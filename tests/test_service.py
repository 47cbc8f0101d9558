"""Running as a service: the systemd units `circle service` writes, journald-friendly logs of
`circle run`, and `circle tui` when stderr is redirected (README, "Running as a service")."""

from __future__ import annotations

import fcntl
import getpass
import logging
import os
import pty
import re
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cli.commands import service
from cli.daemon import EventFormatter, configure_logging, one_line
from cli.terminal import to_journal
from tests.headless_support import ROOT, Headless, circle_command, configure_servers
from tests.mailservers import PASSWORD_ENV, Mailbox, wait_until

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

DEADLINE = 30.0


@pytest.fixture
def circle(tmp_path: Path) -> Headless:
    """A circle made by `circle init` (no server contacted)."""
    config = tmp_path / "etc" / "config.toml"
    headless = Headless(config)
    headless.run("init", "--name", "Service Circle", "--address", "circle@circle.test",
                 "--steward-email", "steward@circle.test", "--timezone", "Europe/Berlin",
                 "--data-dir", str(tmp_path / "data"))
    return headless


def _units(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def _keys(text: str) -> dict[str, list[str]]:
    """A unit file's `Key=value` lines (sections flattened; comments skipped)."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


def _verify(paths: list[Path]) -> None:
    """`systemd-analyze verify` accepts the units without a word (when the tool is here)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return
    proc = subprocess.run([tool, "verify", *map(str, paths)], capture_output=True, text=True,
                          timeout=60, check=False)
    if "Failed to initialize manager" in proc.stderr:  # no systemd runtime in this container
        return
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr


def _exec_start_runs(text: str, config: Path) -> None:
    """ExecStart is this circle with this config: swapped to `--version`, it answers."""
    words = shlex.split(_keys(text)["ExecStart"][0].replace("%%", "%"))
    assert words[:3] == [*circle_command(), "--config", str(config)]
    assert words[3:] in (["run"], ["run", "--once"])
    proc = subprocess.run([*words[:3], "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("circle "), proc.stderr


def test_install_writes_a_loop_service_that_systemd_accepts(circle: Headless,
                                                            tmp_path: Path) -> None:
    units = tmp_path / "units"
    out = circle.run("service", "install", "--dir", str(units)).out
    files = _units(units)
    assert list(files) == ["circle-service-circle.service"]
    text = files["circle-service-circle.service"]
    keys = _keys(text)
    assert keys["ExecStart"] == [f"{circle_command()[0]} --config {circle.config} run"]
    assert keys["Restart"] == ["on-failure"] and keys["User"] == [os.environ.get("SUDO_USER") or getpass.getuser()]
    assert keys["RestartPreventExitStatus"] == ["65 69 74 78"]  # never hammer a refused login
    assert keys["EnvironmentFile"] == [f"-{circle.config.parent / 'circle.env'}"]
    assert keys["WantedBy"] == ["multi-user.target"]
    assert "PASSWORD" not in "".join(v for k, vs in keys.items() for v in vs if k != "#")
    assert "enable --now circle-service-circle.service" in out
    assert "CIRCLE_IMAP_PASSWORD=..." in out  # where the passwords go, never into the unit
    _verify([units / "circle-service-circle.service"])
    _exec_start_runs(text, circle.config)


def test_timer_variant_and_user_units(circle: Headless, tmp_path: Path) -> None:
    units = tmp_path / "units"
    out = circle.run("service", "install", "--user", "--timer", "--every", "10", "--dir",
                     str(units)).out
    files = _units(units)
    assert list(files) == ["circle-service-circle.service", "circle-service-circle.timer"]
    svc, timer = (_keys(files[n]) for n in files)
    assert svc["Type"] == ["oneshot"] and svc["ExecStart"][0].endswith(" run --once")
    assert "Restart" not in svc and "User" not in svc and "TimeoutStartSec" in svc
    assert timer["OnUnitActiveSec"] == ["10min"]
    assert timer["Unit"] == ["circle-service-circle.service"]
    assert "systemctl --user daemon-reload" in out and "loginctl enable-linger" in out
    _verify([units / n for n in files])
    _exec_start_runs(files["circle-service-circle.service"], circle.config)
    # installing again replaces circle's own units; `remove` deletes them
    circle.run("service", "install", "--user", "--timer", "--dir", str(units))
    assert "OnUnitActiveSec=15min" in (units / "circle-service-circle.timer").read_text()
    assert circle.run("service", "remove", "--user", "--dir", str(units)).code == 0
    assert list(units.iterdir()) == []


def test_install_never_overwrites_a_unit_it_did_not_write(circle: Headless,
                                                          tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    mine = units / "circle-service-circle.service"
    mine.write_text("[Service]\nExecStart=/bin/true\n", encoding="utf-8")
    bad = circle.run("service", "install", "--dir", str(units), ok=(1,))
    assert "was not written by circle" in bad.err and "--force" in bad.err
    assert mine.read_text() == "[Service]\nExecStart=/bin/true\n"
    circle.run("service", "remove", "--dir", str(units))
    assert mine.exists()  # kept: not circle's
    assert circle.run("service", "install", "--every", "0", "--timer", "--dir", str(units),
                      "--force", ok=(78,)).err.startswith("Error: --every 0")
    circle.run("service", "install", "--dir", str(units), "--force")
    assert service.MARKER in mine.read_text()
    sneaky = circle.run("service", "print", "--exec", "/x\nExecStartPre=/bin/evil", ok=(78,))
    assert "cannot go into a systemd unit" in sneaky.err and sneaky.out == ""


def test_unit_values_are_quoted_for_systemd(tmp_path: Path) -> None:
    spec = service.UnitSpec(name="circle-x", circle_name="100% ours", command=("/opt/my apps/circle",),
                            config=tmp_path / "a b" / "config.toml", data_dir=tmp_path,
                            env_file=tmp_path / "circle.env", user_unit=True, timer=False)
    text = service.render(spec)["circle-x.service"]
    line = _keys(text)["ExecStart"][0]
    assert shlex.split(line) == ["/opt/my apps/circle", "--config",
                                 str(tmp_path / "a b" / "config.toml"), "run"]
    assert "Description=Circle mail loop (circle run) for 100%% ours" in text
    assert service.unit_name("Ünïcode Circle!") == "circle-n-code-circle"


def test_contrib_units_are_what_the_command_renders() -> None:
    """contrib/systemd/ is regenerated by `python -m cli.commands.service`; never drifts."""
    on_disk = {p.name: p.read_text(encoding="utf-8")
               for p in sorted((ROOT / "contrib" / "systemd").glob("circle*"))}
    assert on_disk == service.contrib_units()
    assert set(on_disk) == {"circle.service", "circle-once.service", "circle-once.timer"}


# ---------------------------------------------------------------- logs


def test_log_lines_are_single_plain_events_with_priorities(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    assert one_line("a\n\x1b[31mred\x1b[0m\r\n\u202eb") == "a | red | b"
    target = tmp_path / "log"
    with target.open("w", encoding="utf-8") as stream:
        monkeypatch.delenv("JOURNAL_STREAM", raising=False)
        assert not to_journal(stream)
        st = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
        assert to_journal(stream)
        handler = configure_logging(stream)
        try:
            log = logging.getLogger("circle.test")
            log.info("fetched\n3 stories")
            log.warning("SMTP slow")
            try:
                raise ValueError("boom")
            except ValueError:
                log.exception("pass failed")
        finally:
            logging.getLogger("circle").removeHandler(handler)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "<6>circle.test: fetched | 3 stories"
    assert lines[1] == "<4>circle.test: SMTP slow"
    assert lines[2].startswith("<3>circle.test: pass failed | Traceback") and "boom" in lines[2]
    assert len(lines) == 3
    plain = EventFormatter(journal=False).format(logging.makeLogRecord(
        {"name": "circle.run", "levelno": logging.ERROR, "levelname": "ERROR", "msg": "x\ny"}))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ERROR circle\.run: x \| y", plain)


def test_circle_run_logs_to_the_journal_with_priorities(tmp_path: Path, mailbox: Mailbox,
                                                        smtp_server: SmtpServer) -> None:
    """The real `circle run` with stderr as "the journal" ($JOURNAL_STREAM names it): every
    line a `<priority>` event; SIGTERM (systemctl stop) ends it cleanly, exit 0."""
    config = tmp_path / "config.toml"
    circle = Headless(config, env={PASSWORD_ENV: mailbox.password})
    circle.run("init", "--name", "Journal Circle", "--address", mailbox.user,
               "--steward-email", "steward@circle.test", "--timezone", "UTC",
               "--data-dir", str(tmp_path / "data"))
    configure_servers(config, imap={"host": "127.0.0.1", "port": mailbox.servers.imap_port,
                                    "security": "plain", "username": mailbox.user,
                                    "password_env": PASSWORD_ENV, "poll_seconds": 1},
                      smtp={"host": "127.0.0.1", "port": smtp_server.port,
                            "security": "plain", "username": "", "per_minute": 0})
    journal = tmp_path / "journal"
    with journal.open("w", encoding="utf-8") as stream:
        st = os.fstat(stream.fileno())
        env = {**circle.environ(None), "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
        proc = subprocess.Popen(circle.argv("run"), stdout=subprocess.PIPE, stderr=stream,
                                stdin=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
        try:
            assert wait_until(lambda: "watching INBOX" in journal.read_text(), DEADLINE)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, journal.read_text()
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("<6>circle.run: watching INBOX on 127.0.0.1:")
    assert lines[-1] == "<6>circle.run: stopped"
    assert all(re.match(r"<[2-7]>circle[.\w]*: \S", line) for line in lines), lines
    assert "\x1b" not in journal.read_text() + out


def test_command_errors_reach_the_journal_as_errors(tmp_path: Path) -> None:
    """A command that fails under systemd (the timer's `circle run --once`) logs its
    `Error: ...` lines at priority err; on a terminal or in a file they stay plain."""
    broken = tmp_path / "broken.toml"
    broken.write_text("[circle\n", encoding="utf-8")
    journal = tmp_path / "journal"
    for as_journal in (True, False):
        with journal.open("w", encoding="utf-8") as stream:
            st = os.fstat(stream.fileno())
            env = Headless(broken).environ(None)
            if as_journal:
                env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
            proc = subprocess.run([*circle_command(), "--config", str(broken), "run", "--once"],
                                  stdout=subprocess.PIPE, stderr=stream, text=True, cwd=ROOT,
                                  env=env, timeout=DEADLINE, check=False)
        lines = journal.read_text(encoding="utf-8").splitlines()
        assert proc.returncode == 78 and lines, lines
        prefix = "<3>Error: " if as_journal else "Error: "
        assert all(line.startswith(prefix) for line in lines), lines
        assert "not valid TOML" in lines[0]


# ---------------------------------------------------------------- circle tui, stderr redirected


def _read_until(fd: int, wanted: bytes, proc: subprocess.Popen[bytes]) -> bytes:
    """Everything the terminal showed until `wanted` appears (bounded by DEADLINE)."""
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while wanted not in seen and time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_tui_stays_on_the_terminal_when_stderr_is_redirected(circle: Headless,
                                                             tmp_path: Path) -> None:
    """`circle tui 2>tui.log` from a terminal: the screen is drawn on the terminal (not into
    the log), ctrl+q quits with exit 0, and the log holds no screen output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    log = tmp_path / "tui.log"
    env = {**circle.environ(None), "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    with log.open("wb") as err:
        proc = subprocess.Popen(circle.argv("tui"), stdin=slave, stdout=slave, stderr=err,
                                cwd=ROOT, env=env, start_new_session=True)
    os.close(slave)
    try:
        shown = _read_until(master, b"Service Circle", proc)
        assert b"Service Circle" in shown, (shown[-500:], log.read_bytes()[-500:])
        os.write(master, b"\x11")  # ctrl+q
        deadline = time.monotonic() + DEADLINE
        while proc.poll() is None and time.monotonic() < deadline:
            _read_until(master, b"\x00never", proc)
        assert proc.wait(timeout=DEADLINE) == 0, log.read_bytes()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=DEADLINE)
        os.close(master)
    assert b"\x1b[" not in log.read_bytes() and b"Service Circle" not in log.read_bytes()


def test_tui_without_any_terminal_says_what_to_use(circle: Headless) -> None:
    result = circle.run("tui", ok=(2,))
    assert "needs a terminal" in result.err and "circle run" in result.err
    assert result.out == ""


if sys.platform != "linux":  # pty, TIOCSWINSZ and systemd are Linux-only here
    pytestmark = pytest.mark.skip(reason="Linux only")
