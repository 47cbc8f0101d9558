"""`circle parse`: decode, classify and trim mail files, printing JSON lines or a summary."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from circle.parsing import (
    ParsedMessage,
    command_string,
    parse_body,
    parse_message,
    sent_text_of,
)
from circle.parsing.mime import decode_bytes


def parse_file(path: Path, as_format: str, sent_text: str = "") -> ParsedMessage:
    """Read one file and parse it as a whole message (eml) or a bare body (text/html);
    `sent_text` is the text of our message it replies to ("" if unknown)."""
    data = path.read_bytes()
    if as_format == "eml":
        return parse_message(data, sent_text=sent_text)
    return parse_body(decode_bytes(data, None), html=as_format == "html", sent_text=sent_text)


def to_json(file: str, parsed: ParsedMessage) -> dict[str, Any]:
    """The contract's JSON object for one parsed file (docs/architecture.md)."""
    bounce = None
    if parsed.bounce is not None:
        bounce = {"recipients": list(parsed.bounce.recipients),
                  "permanent": parsed.bounce.permanent}
    return {
        "file": file,
        "kind": str(parsed.kind),
        "text": parsed.text,
        "elided": parsed.elided,
        "reasons": list(parsed.reasons),
        "sender": {"email": parsed.sender.email, "name": parsed.sender.name},
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "bounce": bounce,
        "command": command_string(parsed.command) if parsed.command else None,
    }


def _summary(file: str, parsed: ParsedMessage) -> str:
    lines = [f"{file}: {parsed.kind} ({', '.join(parsed.reasons)})"]
    if parsed.sender.email:
        lines.append(f"  from:    {parsed.sender.name} <{parsed.sender.email}>".strip())
    if parsed.subject:
        lines.append(f"  subject: {parsed.subject}")
    if parsed.command:
        lines.append(f"  command: {command_string(parsed.command)}")
    if parsed.bounce:
        state = "permanent" if parsed.bounce.permanent else "temporary"
        lines.append(f"  bounce:  {', '.join(parsed.bounce.recipients) or '?'} ({state})")
    if parsed.auto_reply_until:
        lines.append(f"  until:   {parsed.auto_reply_until.date().isoformat()}")
    if parsed.attachments:
        lines.append(f"  attachments: {'; '.join(parsed.attachments)}")
    text = parsed.text or "(no new text)"
    lines.extend("  | " + line for line in text.split("\n"))
    if parsed.elided:
        lines.append(f"  ({len(parsed.elided.splitlines())} lines elided)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Parse every FILE; unreadable files are reported on stderr and make the exit code 1."""
    status = 0
    out = sys.stdout
    sent = ""
    if args.sent:
        try:
            sent = sent_text_of(Path(args.sent).read_bytes())
        except OSError as exc:
            print(f"Error: cannot read the sent message {args.sent}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 66
    for name in args.files:
        try:
            parsed = parse_file(Path(name), args.as_format, sent)
        except OSError as exc:
            print(f"Error: cannot read {name}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            out.write(json.dumps(to_json(name, parsed), ensure_ascii=False) + "\n")
        else:
            out.write(_summary(name, parsed) + "\n\n")
    out.flush()
    return status


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the parse command's arguments to a parser."""
    parser.add_argument("--as", dest="as_format", choices=("eml", "text", "html"),
                        default="eml", help="what FILE holds: a whole message (eml, default) "
                        "or only a body (text, html)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per file, one per line")
    parser.add_argument("--sent", metavar="FILE", default="",
                        help="the message we sent that FILE replies to (a whole message or "
                        "its text): the reply's lines that align with it are cut as quoted")
    parser.add_argument("files", nargs="+", metavar="FILE", help="mail files to parse")
    parser.set_defaults(func=run)


def register(subparsers: Any) -> None:
    """Register `parse` on the CLI's argparse subparsers."""
    parser = subparsers.add_parser(
        "parse", help="decode, classify and trim mail files",
        description="Decode, classify and trim mail files (docs/architecture.md).")
    configure(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: python -m cli.commands.parse ..."""
    parser = argparse.ArgumentParser(prog="circle parse", description=__doc__)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
