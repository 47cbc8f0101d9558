"""`circle parse` throughput over the corpora (one process) against the stdlib email parser."""

from __future__ import annotations

import email
import email.policy
import json
import time
from pathlib import Path

from bench.common import emit, row, timed
from circle.parsing import parse_body, parse_message

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT.parent / "shared" / "corpora", ROOT / "tests" / "fixtures" / "mail"]


def inputs() -> list[tuple[Path, bytes, str]]:
    """(path, bytes, format) of each corpus case file (formats from the manifests) + fixtures."""
    found: dict[Path, str] = {}
    fmt = {"rfc822": "eml", "text": "text", "html": "html"}
    for manifest in sorted(CORPORA[0].glob("*/manifest.json")) if CORPORA[0].exists() else []:
        for case in json.loads(manifest.read_text())["cases"]:
            found[manifest.parent / case["raw"]] = fmt[case["input_format"]]
    for path in sorted(CORPORA[1].glob("*.eml")):
        found[path] = "eml"
    return [(path, path.read_bytes(), kind) for path, kind in sorted(found.items())]


def main() -> None:
    """Parse every corpus file once with Circle and once with the stdlib; report msgs/s."""
    files = inputs()
    slowest, slowest_name = 0.0, ""
    t0 = time.perf_counter()
    for path, data, kind in files:
        s = time.perf_counter()
        if kind == "eml":
            parse_message(data)
        else:
            parse_body(data.decode("utf-8", "replace"), html=kind == "html")
        took = time.perf_counter() - s
        if took > slowest:
            slowest, slowest_name = took, "/".join(path.parts[-3:])
    ours = time.perf_counter() - t0
    # the slowest file again, best of three: one slow run on a shared machine is not the parser
    for path, data, kind in files:
        if "/".join(path.parts[-3:]) == slowest_name:
            def again(data: bytes = data, kind: str = kind) -> None:
                if kind == "eml":
                    parse_message(data)
                else:
                    parse_body(data.decode("utf-8", "replace"), html=kind == "html")
            slowest = timed(again, repeat=3)
    t0 = time.perf_counter()
    for _, data, _ in files:
        email.message_from_bytes(data, policy=email.policy.default)
    base = time.perf_counter() - t0
    n = len(files)
    fixtures = [(data, kind) for path, data, kind in files if CORPORA[1] in path.parents]
    fix_ours, fix_base = _fixtures_rate(fixtures)
    from tests.test_parse_general import _outlook_html

    html = _outlook_html(91_000)
    parse_body(html, html=True)
    big = timed(lambda: parse_body(html, html=True), repeat=5)
    plain = timed(lambda: html.lower().count("<p"), repeat=5)
    emit([
        row(f"circle parse: {n} corpus files, msgs/s", n / ours, n / base, "msg/s",
            "report msgs/s", None, id="parse.msgs_per_s"),
        row("circle parse: a 91 KB Outlook HTML reply", big, plain, "s", "≤ 0.050 s",
            big <= 0.050, id="parse.html.91k"),
        row(f"circle parse: {len(fixtures)} tests/fixtures mails, msgs/s", fix_ours, fix_base,
            "msg/s", "report msgs/s", None, id="parse.msgs_per_s.fixtures"),
        row("circle parse: slowest single message", slowest * 1000, 50.0, "ms",
            "< 50 ms", slowest < 0.05, slowest_file=slowest_name, id="parse.slowest"),
    ])


def _fixtures_rate(fixtures: list[tuple[bytes, str]]) -> tuple[float, float]:
    """(ours, stdlib) msgs/s over the project's own fixture mails, best of three each."""
    def ours() -> None:
        for data, _ in fixtures:
            parse_message(data)

    def stdlib() -> None:
        for data, _ in fixtures:
            email.message_from_bytes(data, policy=email.policy.default)

    n = max(1, len(fixtures))
    return n / timed(ours, repeat=3), n / timed(stdlib, repeat=3)


if __name__ == "__main__":
    main()
