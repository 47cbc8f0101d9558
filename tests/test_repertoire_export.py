"""`circle repertoire export`: the site, Markdown and mbox respect every consent rule."""

from __future__ import annotations

import email
import mailbox
import re
import shutil
import subprocess
from email.policy import default
from pathlib import Path

import pytest

from circle.app.repertoire import repertoire
from cli.commands import repertoire as command
from cli.main import build_parser
from tests.repertoire_support import (
    ANON_NAME,
    ANON_TEXT,
    CONFIG,
    EVIL_TEXT,
    STEWARD_TEXT,
    WITHDRAWN_TEXT,
    consent_store,
)


def _run(config: Path, *argv: str) -> int:
    args = build_parser().parse_args(["--config", str(config), *argv])
    return int(args.func(args) or 0)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    store = consent_store(root / "data")
    assert store.years(), "the fixture must have archived rounds"
    store.close()
    config = root / "config.toml"
    config.write_text(CONFIG.format(data=root / "data"))
    assert _run(config, "repertoire", "export", "--site", str(root / "site"),
                "--markdown", str(root / "md"), "--mbox", str(root / "digests.mbox")) == 0
    return root


def _files(root: Path) -> list[Path]:
    return [p for p in (root / "site").rglob("*") if p.is_file()] + \
        [p for p in (root / "md").rglob("*") if p.is_file()] + [root / "digests.mbox"]


def _all_text(root: Path) -> str:
    """Every exported byte, plus every decoded mbox body (so no encoding can hide a name)."""
    parts = [p.read_bytes().decode("utf-8") for p in _files(root)]
    for msg in mailbox.mbox(root / "digests.mbox"):
        parsed = email.message_from_bytes(msg.as_bytes(), policy=default)
        parts += [str(part.get_content()) for part in parsed.walk()
                  if not part.is_multipart()]
        parts += [f"{k}: {v}" for k, v in parsed.items()]
    return "\n".join(parts)


def test_the_site_has_an_index_a_page_per_round_and_every_story(exported: Path) -> None:
    site = exported / "site"
    rounds = sorted(p.name for p in (site / "rounds").iterdir())
    assert rounds == ["2026-05.html", "2026-06.html", "2026-07.html", "2026-08.html",
                      "2026-09.html", "2026-10.html"]
    index = (site / "index.html").read_text()
    assert '<html lang="en">' in index and 'name="viewport"' in index
    assert all(f'href="rounds/{name}"' in index for name in rounds)
    stories = (site / "stories.html").read_text()
    assert "rounds/2026-07.html#story-" in stories and "<script" not in stories
    assert "waiting" in (site / "themes.html").read_text()
    assert "CIRCLE_INDEX" in (site / "search-index.js").read_text()
    assert (exported / "md" / "README.md").exists()
    assert (exported / "md" / "rounds" / "2026-07.md").exists()


def test_the_anonymous_authors_name_is_absent_from_all_exported_bytes(exported: Path) -> None:
    text = _all_text(exported)
    assert ANON_TEXT in (exported / "site" / "rounds" / "2026-07.html").read_text()
    assert "Quartzfield" not in text and "Zebulon" not in text and ANON_NAME not in text
    assert "zeb" not in text.casefold().replace("zebra", "")  # no id or address either
    assert not any("zeb" in p.name for p in _files(exported))


def test_anonymous_stories_carry_no_id_in_file_names_or_the_search_index(exported: Path) -> None:
    index = (exported / "site" / "search-index.js").read_text()
    assert ANON_TEXT in index and "s-zeb" not in index
    assert not re.search(r'"s-[^"]*"', index)  # no store ids at all


def test_steward_only_stories_never_leave(exported: Path) -> None:
    assert STEWARD_TEXT not in _all_text(exported)
    assert "Stewardonly" not in _all_text(exported)


def test_withdrawn_stories_are_gone_even_from_digests_sent_before(exported: Path) -> None:
    text = _all_text(exported)
    assert "Withdrawnlater" not in text and WITHDRAWN_TEXT not in text
    subjects = [m["Subject"] for m in mailbox.mbox(exported / "digests.mbox")]
    assert len(subjects) == 1  # July's digest; August's carried the withdrawn story


def test_member_text_is_escaped_in_html_and_markdown(exported: Path) -> None:
    page = (exported / "site" / "rounds" / "2026-07.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)" in page
    md = (exported / "md" / "rounds" / "2026-07.md").read_text()
    assert "<script>" not in md and "](javascript" not in md and "\\<script\\>" in md
    assert EVIL_TEXT.split()[0] not in md


def test_the_mbox_carries_no_reply_token(exported: Path) -> None:
    raw = (exported / "digests.mbox").read_text()
    assert "circle+" not in raw and "circle@example.org" in raw
    (msg,) = mailbox.mbox(exported / "digests.mbox")
    assert msg["To"] == "circle@example.org"


def test_repertoire_reads_archived_and_hot_rounds(tmp_path: Path) -> None:
    store = consent_store(tmp_path / "data")
    rep = repertoire(store)
    assert [r.id for r in rep.rounds][0] == "2026-05" and rep.rounds[-1].id == "2026-10"
    assert store.years() == [2026]


def test_a_second_export_removes_what_is_no_longer_shared(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    command.write_tree(folder, {"index.html": "a", "rounds/2026-01.html": "b"})
    command.write_tree(folder, {"index.html": "a2"})
    assert not (folder / "rounds" / "2026-01.html").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(command.ExportError):
        command.write_tree(other, {"index.html": "x"})


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
@pytest.mark.parametrize("width", [390, 1280])
def test_the_site_renders_in_headless_chromium(exported: Path, tmp_path: Path, width: int) -> None:
    shot = tmp_path / f"round-{width}.png"
    page = exported / "site" / "rounds" / "2026-07.html"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},900",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True,
                   timeout=120)
    assert shot.stat().st_size > 1000
