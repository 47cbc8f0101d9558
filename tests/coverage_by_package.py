"""Print line coverage per package from the .coverage file `make coverage` leaves.

`python -m tests.coverage_by_package [DATAFILE]`: one row per package and subpackage (circle,
circle.parsing, data, mail, cli, cli.demo, tui, ...), then the total. In-process code only: the
fault drivers and mail servers run in subprocesses and are not measured.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from coverage import Coverage

ROOT = Path(__file__).resolve().parents[1]


def by_package(datafile: str = ".coverage") -> dict[str, tuple[int, int]]:
    """`package -> (statements, missed)` for every measured file under the project root."""
    cov = Coverage(data_file=datafile)
    cov.load()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for filename in cov.get_data().measured_files():
        path = Path(filename).resolve()
        try:
            rel = path.relative_to(ROOT)
        except ValueError:
            continue
        _name, statements, _excluded, missing, _text = cov.analysis2(filename)
        package = ".".join(rel.parent.parts) or rel.stem
        for key in {package, rel.parts[0]}:
            totals[key][0] += len(statements)
            totals[key][1] += len(missing)
    return {k: (v[0], v[1]) for k, v in sorted(totals.items())}


def main(argv: list[str]) -> int:
    """Print the table; exit 1 when there is no coverage data."""
    datafile = argv[0] if argv else ".coverage"
    if not Path(datafile).exists():
        print(f"no coverage data in {datafile}: run `make coverage`", file=sys.stderr)
        return 1
    rows = by_package(datafile)
    print(f"\n{'package':24} {'stmts':>7} {'miss':>7} {'cover':>6}")
    all_stmts = all_miss = 0
    for package, (stmts, miss) in rows.items():
        print(f"{package:24} {stmts:7} {miss:7} {100 * (stmts - miss) / max(stmts, 1):5.0f}%")
        if "." not in package:
            all_stmts, all_miss = all_stmts + stmts, all_miss + miss
    print(f"{'TOTAL':24} {all_stmts:7} {all_miss:7} "
          f"{100 * (all_stmts - all_miss) / max(all_stmts, 1):5.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
