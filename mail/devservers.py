"""Private loopback mail servers for tests and the demo: Dovecot 2.3 (IMAP, LMTP) + an SMTP relay.

`start(directory)` writes its own Dovecot config, certificate and users under `directory`, picks
free ports on 127.0.0.1, starts Dovecot (no systemd; as `vmail` when root, rootless otherwise)
and the aiosmtpd relay (`mail.devrelay`) that delivers through Dovecot's LMTP, and returns a
`DevServers` handle with the ports, the CA file and `stop()`.

`start(directory, imap="pymap")` runs the embedded pure-Python IMAP server (`mail.devimap`)
instead, with the relay delivering by IMAP APPEND: the demo's fallback when Dovecot is absent
(the tests use Dovecot). `imap="auto"` picks Dovecot when installed, else pymap.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from circle.errors import MailError
from mail.devconf import dovecot_conf, ensure_cert, privileges

HOST = "127.0.0.1"
DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
DEFAULT_USERS = {"circle@circle.test": "circlepw", "steward@circle.test": "stewardpw",
                 "alice@circle.test": "alicepw", "bob@circle.test": "bobpw"}
CATCHALL_PASSWORD = "catchall"  # noqa: S105 - a throwaway test password
_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class DevServers:
    """Handle on running dev servers: where they listen and how to stop them."""

    directory: Path
    imap_port: int
    imaps_port: int
    lmtp_port: int
    smtp_port: int
    submission_port: int
    smtps_port: int
    dovecot: Path | None
    users: dict[str, str] = field(default_factory=dict)
    catchall_password: str = CATCHALL_PASSWORD
    host: str = HOST
    relay: subprocess.Popen[bytes] | None = None
    kind: str = "dovecot"  # or "pymap" (mail.devimap: no LMTP, no IMAPS port, no doveadm)
    imap_proc: subprocess.Popen[bytes] | None = None

    @property
    def ca_file(self) -> Path:
        """The self-signed certificate clients must trust."""
        return self.directory / "cert.pem"

    @property
    def dovecot_conf(self) -> Path:
        """Dovecot's generated config file (pass to doveadm -c)."""
        return self.directory / "dovecot.conf"

    @property
    def spool(self) -> Path:
        """Where the relay keeps a copy of every SMTP transaction."""
        return self.directory / "spool"

    @property
    def mail_dir(self) -> Path:
        """Where mailboxes live: `<mail_dir>/<address>/Maildir` (either server)."""
        return self.directory / "mail"

    @property
    def env(self) -> dict[str, str]:
        """`MAILTEST_*` variables describing the servers (as the reference scripts print)."""
        return {"MAILTEST_DIR": str(self.directory), "MAILTEST_HOST": self.host,
                "MAILTEST_IMAP_PORT": str(self.imap_port),
                "MAILTEST_IMAPS_PORT": str(self.imaps_port),
                "MAILTEST_LMTP_PORT": str(self.lmtp_port),
                "MAILTEST_SMTP_PORT": str(self.smtp_port),
                "MAILTEST_SUBMISSION_PORT": str(self.submission_port),
                "MAILTEST_SMTPS_PORT": str(self.smtps_port),
                "MAILTEST_CA_FILE": str(self.ca_file), "MAILTEST_SPOOL": str(self.spool),
                "MAILTEST_CATCHALL_PASSWORD": self.catchall_password,
                "MAILTEST_DOVECOT_CONF": str(self.dovecot_conf)}

    def password(self, user: str) -> str:
        """The IMAP password of `user` (the catch-all one for any address not listed)."""
        return self.users.get(user.lower(), self.catchall_password)

    def doveadm(self, *args: str, stdin: bytes | None = None) -> str:
        """Run `doveadm -c <our config> args...`; MailError with its output if it fails."""
        if self.dovecot is None:
            raise MailError(f"doveadm needs Dovecot; these servers are {self.kind}")
        doveadm = shutil.which("doveadm") or str(self.dovecot.parent.parent / "bin/doveadm")
        proc = subprocess.run([doveadm, "-c", str(self.dovecot_conf), *args], input=stdin,
                              capture_output=True, timeout=30, check=False)
        if proc.returncode != 0:
            raise MailError(f"doveadm {' '.join(args)} failed ({proc.returncode}): "
                            f"{proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout.decode(errors="replace")

    def start_dovecot(self) -> None:
        """Start Dovecot with the generated config and wait until IMAP answers."""
        if self.dovecot is None:
            raise MailError(f"these dev servers run {self.kind}, not Dovecot")
        shutil.rmtree(self.directory / "run", ignore_errors=True)  # stale sockets slow auth
        with open(self.directory / "dovecot.stderr", "ab") as err:
            proc = subprocess.run([str(self.dovecot), "-c", str(self.dovecot_conf)],
                                  stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                  timeout=30, check=False)
        if proc.returncode != 0:
            raise MailError(f"Dovecot failed to start (exit {proc.returncode}); see "
                            f"{self.directory / 'dovecot.stderr'} and dovecot.log there")
        _wait_banner(self.host, self.imap_port, b"* OK", "Dovecot IMAP", self.directory)

    def stop_dovecot(self) -> None:
        """Stop the Dovecot master (and so its children) and wait until it is gone."""
        pidfile = self.directory / "run" / "master.pid"
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        _terminate(pid)
        _terminate_group(pid)  # its imap processes outlive it, their clients still connected
        _wait_closed(self.host, self.imap_port)

    def restart_dovecot(self) -> None:
        """Stop and start Dovecot on the same ports (mail data kept)."""
        self.stop_dovecot()
        self.start_dovecot()

    def stop(self) -> None:
        """Stop the relay and the IMAP server; idempotent."""
        _stop_process(self.relay)
        self.relay = None
        if self.imap_proc is not None:
            _stop_process(self.imap_proc)
            self.imap_proc = None
            _wait_closed(self.host, self.imap_port)
        if self.dovecot is not None:
            self.stop_dovecot()


def _stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def pymap_available() -> bool:
    """Whether the embedded IMAP server can run (pymap is installed: the `demo` extra)."""
    import importlib.util

    return importlib.util.find_spec("pymap") is not None


def choose_imap(wanted: str = "auto") -> str:
    """`dovecot` or `pymap` for `wanted` (auto: Dovecot when installed, else pymap if present).

    MailError (Dovecot's install hint) when nothing can run.
    """
    if wanted == "pymap":
        if not pymap_available():
            raise MailError("the embedded IMAP server needs pymap: pip install 'circle[demo]'")
        return "pymap"
    try:
        find_dovecot()
    except MailError:
        if wanted == "auto" and pymap_available():
            return "pymap"
        raise
    return "dovecot"


def find_dovecot() -> Path:
    """The dovecot binary; MailError telling how to install it when missing.

    `CIRCLE_DOVECOT` names the binary explicitly (a path that does not exist means "absent",
    which is how the tests hide an installed Dovecot).
    """
    explicit = os.environ.get("CIRCLE_DOVECOT", "")
    if explicit:
        if os.access(explicit, os.X_OK):
            return Path(explicit)
        raise MailError(f"Dovecot is not installed at CIRCLE_DOVECOT={explicit}: install it with "
                        "`apt-get install dovecot-imapd dovecot-lmtpd` to run the local mail "
                        "servers")
    found = shutil.which("dovecot")
    for candidate in (found, *DOVECOT_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise MailError("Dovecot is not installed (looked for /usr/sbin/dovecot): install it with "
                    "`apt-get install dovecot-imapd dovecot-lmtpd` to run the local mail servers")


def free_ports(count: int, host: str = HOST) -> list[int]:
    """`count` distinct TCP ports that are free on `host` right now."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _banner(host: str, port: int) -> bytes:
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            return s.recv(200)
    except OSError:
        return b""


def _wait_banner(host: str, port: int, prefix: bytes, what: str, directory: Path, *,
                 timeout: float = 20.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _banner(host, port).startswith(prefix):
            return
        if process is not None and process.poll() is not None:
            raise MailError(f"{what} exited ({process.returncode}) before it listened on "
                            f"{host}:{port}; see the logs in {directory}")
        time.sleep(0.05)
    raise MailError(f"{what} on {host}:{port} did not answer within {timeout:.0f} s; "
                    f"see the logs in {directory}")


def _wait_closed(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
        except OSError:
            return
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group `pgid`, from /proc."""
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[2] == str(pgid) and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _terminate_group(pgid: int, timeout: float = 5.0) -> None:
    """Stop what is left of the Dovecot master's process group (it leads its own group)."""
    deadline = time.monotonic() + timeout
    signal = 15
    while _group_members(pgid):
        try:
            os.killpg(pgid, signal)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            signal = 9
        time.sleep(0.02)


def _terminate(pid: int, timeout: float = 5.0) -> None:
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if _running(pid):
        os.kill(pid, 9)


def start(directory: Path, *, users: Mapping[str, str] | None = None,
          ports: Mapping[str, int] | None = None, relay: bool = True,
          imap: str = "dovecot") -> DevServers:
    """Start the IMAP server (+ the SMTP relay) under `directory`; free ports unless `ports`.

    `ports` keys: imap, imaps, lmtp, smtp, submission, smtps. `imap`: "dovecot" (the default,
    as the tests use), "pymap" (embedded) or "auto". Call `stop()` on the result.
    """
    kind = choose_imap(imap)
    dovecot = find_dovecot() if kind == "dovecot" else None
    directory = Path(directory).resolve()
    names = ("imap", "imaps", "lmtp", "smtp", "submission", "smtps")
    chosen = dict(zip(names, free_ports(len(names)), strict=True))
    if kind == "pymap":
        chosen.update(imaps=0, lmtp=0)  # one plain+STARTTLS port; delivery by APPEND
    chosen.update(ports or {})
    servers = DevServers(directory=directory, dovecot=dovecot, kind=kind,
                         users=dict(users if users is not None else DEFAULT_USERS),
                         **{f"{n}_port": chosen[n] for n in names})  # type: ignore[arg-type]
    for sub in ("mail", "spool", "state"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    lines = [f"{u.lower()}:{{PLAIN}}{pw}::::::\n" for u, pw in servers.users.items()]
    (directory / "users").write_text("".join(lines), encoding="utf-8")
    (directory / "users").chmod(0o644)
    if kind == "pymap":
        _start_pymap(servers)
    else:
        _start_dovecot(servers)
    if relay:
        try:
            _start_relay(servers)
        except MailError:
            servers.stop()
            raise
    return servers


def _start_dovecot(servers: DevServers) -> None:
    assert servers.dovecot is not None
    directory = servers.directory
    ensure_cert(directory)
    conf = dovecot_conf(directory, host=servers.host, imap_port=servers.imap_port,
                        imaps_port=servers.imaps_port, lmtp_port=servers.lmtp_port,
                        catchall_password=servers.catchall_password,
                        privileges=privileges(directory))
    servers.dovecot_conf.write_text(conf, encoding="utf-8")
    check = subprocess.run([str(servers.dovecot), "-c", str(servers.dovecot_conf), "-n"],
                           capture_output=True, check=False)
    if check.returncode != 0:
        raise MailError(f"generated Dovecot config is invalid: {check.stderr.decode().strip()}")
    servers.start_dovecot()


def _tls_args(d: Path) -> list[str]:
    """--cert/--key when a certificate could be made (openssl); none without it."""
    try:
        ensure_cert(d)
    except MailError:
        return []  # the embedded servers then run plain only (loopback)
    return ["--cert", str(d / "cert.pem"), "--key", str(d / "key.pem")]


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}


def _start_pymap(s: DevServers) -> None:
    d = s.directory
    with open(d / "imap.log", "ab") as log:
        s.imap_proc = subprocess.Popen(
            [sys.executable, "-m", "mail.devimap", "--host", s.host, "--port", str(s.imap_port),
             "--base", str(s.mail_dir), "--users", str(d / "users"),
             "--catchall-password", s.catchall_password, *_tls_args(d),
             "--pidfile", str(d / "imap.pid")],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=_child_env(),
            start_new_session=True)
    try:
        _wait_banner(s.host, s.imap_port, b"* OK", "the embedded IMAP server (pymap)", d,
                     process=s.imap_proc)
    except MailError:
        s.stop()
        raise


def _start_relay(s: DevServers) -> None:
    d = s.directory
    deliver = (["--imap", f"{s.host}:{s.imap_port}"] if s.kind == "pymap"
               else ["--lmtp", f"{s.host}:{s.lmtp_port}"])
    with open(d / "smtp.log", "ab") as log:
        s.relay = subprocess.Popen(
            [sys.executable, "-m", "mail.devrelay", "--host", s.host, "--port", str(s.smtp_port),
             "--starttls-port", str(s.submission_port), "--tls-port", str(s.smtps_port),
             *_tls_args(d), *deliver, "--users", str(d / "users"),
             "--catchall-password", s.catchall_password, "--spool", str(s.spool)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=_child_env(),
            start_new_session=True)
    _wait_banner(s.host, s.smtp_port, b"220", "the SMTP relay", d, process=s.relay)
