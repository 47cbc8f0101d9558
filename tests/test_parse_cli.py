"""`circle parse` command line: JSON lines, body formats, unreadable files, light imports."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIL = ROOT / "tests" / "fixtures" / "mail"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.commands.parse", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_json_lines_and_missing_file(tmp_path: Path):
    missing = tmp_path / "nope.eml"
    proc = run("--json", str(MAIL / "gmail_plain.eml"), str(missing), str(MAIL / "bounce_dsn.eml"))
    assert proc.returncode == 1
    assert str(missing) in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["kind"] for r in rows] == ["reply", "bounce"]
    assert set(rows[0]) == {"file", "kind", "text", "elided", "reasons", "sender", "message_id",
                            "in_reply_to", "bounce", "command"}
    assert rows[1]["bounce"] == {"recipients": ["gone@example.net"], "permanent": True}


def test_as_text_and_html(tmp_path: Path):
    body = tmp_path / "b.txt"
    body.write_text("Hello\n\nOn Mon, Apr 13, 2026 at 8:00 AM A <a@b.c> wrote:\n> old\n")
    html = tmp_path / "b.html"
    html.write_text("<p>Hi</p><blockquote type='cite'>old</blockquote>")
    out = run("--as", "text", "--json", str(body)).stdout
    assert json.loads(out)["text"] == "Hello"
    out = run("--as", "html", "--json", str(html)).stdout
    assert json.loads(out)["text"] == "Hi"


def test_human_summary():
    proc = run(str(MAIL / "command_pause_until.eml"))
    assert proc.returncode == 0
    assert "command: PAUSE UNTIL 2026-12-01" in proc.stdout


def test_no_textual_import():
    code = "import sys, cli.commands.parse; print('textual' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.strip() == "False"


def test_degenerate_message_id_falls_back_to_hash() -> None:
    from circle.parsing import parse_message

    parsed = parse_message(b"Message-ID: <\r\nFrom: a@b.org\r\n\r\nhello\r\n")
    assert parsed.message_id.startswith("sha256:")
