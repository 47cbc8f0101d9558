"""`circle repertoire export`: the circle's shared repertoire as a site, Markdown or an mbox.

What leaves follows the authors' consent (`circle.app.repertoire`): approved stories only,
no steward-only text, no name on an anonymous story, nothing withdrawn. Exporting again into
the same folder replaces the files of the earlier export (listed in `.circle-export`), so a
story withdrawn since then disappears from the folder too; a folder that holds other files is
refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from circle.app.repertoire import repertoire, sent_digests
from circle.compose.markdown import markdown
from circle.compose.mbox import digest_mbox
from circle.compose.site import site
from circle.errors import CircleError
from cli.context import load_context
from data.jsonfile import atomic_write_bytes

MARKER = ".circle-export"


class ExportError(CircleError):
    """The target cannot take the export."""

    exit_code = 73


def register(sub: Any) -> None:
    """Add `repertoire export`."""
    rep = sub.add_parser("repertoire", help="the circle's shared repertoire: export it")
    verbs = rep.add_subparsers(dest="verb", metavar="VERB", required=True)
    exp = verbs.add_parser("export", help="write the repertoire as a site, Markdown or mbox "
                           "(approved stories only, by their authors' consent)")
    exp.add_argument("--site", type=Path, metavar="DIR", help="a static HTML site")
    exp.add_argument("--markdown", type=Path, metavar="DIR", help="Markdown files")
    exp.add_argument("--mbox", type=Path, metavar="FILE", help="the sent digests as an mbox")
    exp.set_defaults(func=_export)


def write_tree(folder: Path, files: dict[str, str]) -> None:
    """Write `files` under `folder`, removing what an earlier export wrote and no longer has."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    earlier: set[str] = set()
    if marker.exists():
        earlier = {line for line in marker.read_text("utf-8").splitlines() if line}
    elif any(folder.iterdir()):
        raise ExportError(f"{folder} is not empty and holds no earlier export; "
                          "choose an empty or new folder")
    for rel in sorted(earlier - set(files)):
        stale = folder / rel
        if ".." not in Path(rel).parts and stale.is_file():
            stale.unlink()
    for rel, text in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, text.encode("utf-8"), durable=False)
    atomic_write_bytes(marker, "\n".join(sorted(files)).encode("utf-8") + b"\n")


def _export(args: argparse.Namespace) -> int:
    if not (args.site or args.markdown or args.mbox):
        raise ExportError("say what to write: --site DIR, --markdown DIR and/or --mbox FILE")
    ctx = load_context(args.config)
    rep = repertoire(ctx.store)
    stories = sum(len(r.stories) for r in rep.rounds)
    if args.site:
        write_tree(args.site, site(rep))
        print(f"Site: {args.site / 'index.html'} ({len(rep.rounds)} rounds, {stories} stories)")
    if args.markdown:
        write_tree(args.markdown, markdown(rep))
        print(f"Markdown: {args.markdown / 'README.md'}")
    if args.mbox:
        text, notes = digest_mbox(rep, sent_digests(ctx.store, ctx.config.steward_email))
        args.mbox.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(args.mbox, text.encode("utf-8"))
        print(f"Mbox: {args.mbox} ({text.count(chr(10) + 'From ') + text.startswith('From ')}"
              " digests)")
        for note in notes:
            print(f"  left out: {note}")
    return 0
