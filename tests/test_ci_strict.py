"""Under CI=true a real mail server that cannot start fails the run; elsewhere it skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEEDS_SERVERS = '''
def test_needs_the_real_servers(mail_servers):
    assert mail_servers.imap_port
'''


def _run_without_dovecot(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_needs_servers.py").write_text(NEEDS_SERVERS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(CIRCLE_DOVECOT=str(tmp_path / "no-such-dovecot"), PYTHONPATH=str(ROOT),
               PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")  # only our plugin: starts in a second
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.mailservers",
         "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_missing_dovecot_fails_under_ci(tmp_path: Path) -> None:
    r = _run_without_dovecot(tmp_path, "true")
    assert r.returncode != 0, r.stdout
    assert "real mail servers unavailable under CI=true" in r.stdout, r.stdout
    assert "Dovecot is not installed" in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("1 error in"), r.stdout


def test_missing_dovecot_skips_on_a_developers_machine(tmp_path: Path) -> None:
    r = _run_without_dovecot(tmp_path, None)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("1 skipped in"), r.stdout
