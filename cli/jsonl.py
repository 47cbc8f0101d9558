"""JSON Lines output for the steward's lists (`--json`): one object per record per line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any


def print_jsonl(rows: Iterable[dict[str, Any]]) -> None:
    """Write each row as one compact JSON object on its own line (UTF-8, keys as given)."""
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str))
        out.write("\n")
    out.flush()


def add_json_flag(parser: Any, fields: str) -> None:
    """Add `--json` to a list command; its help names the fields printed."""
    parser.add_argument("--json", action="store_true",
                        help=f"print JSON Lines, one object per record: {fields}")
