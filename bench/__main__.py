"""`make bench`: run every benchmark in its own process, print one table, save JSON."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCHES = ("bench.bench_store", "bench.bench_age", "bench.bench_parse", "bench.bench_ingest",
           "bench.bench_send", "bench.bench_cli",
           "bench.bench_tui", "bench.bench_lists", "bench.bench_digest_keys")


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def run_one(module: str) -> list[dict[str, object]]:
    """Run one benchmark module in a fresh process; its rows, or one row saying it failed."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", module], cwd=ROOT, capture_output=True, text=True,
                       timeout=900, check=False)
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("BENCH "):
            rows: list[dict[str, object]] = json.loads(line[6:])
            for r in rows:
                r["seconds_total"] = round(time.perf_counter() - t0, 1)
            return rows
    tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
    return [{"figure": module, "error": " | ".join(tail)}]


def main() -> int:
    """Run the benchmarks named on the command line (default: all) and print the table."""
    wanted = [f"bench.{a}" if not a.startswith("bench.") else a for a in sys.argv[1:]]
    rows: list[dict[str, object]] = []
    for module in wanted or BENCHES:
        print(f"running {module} ...", file=sys.stderr, flush=True)
        rows.extend(run_one(module))
    print(f"\nMachine: {machine()}\n")
    print(f"| {'id':<24} | {'figure':<52} | {'value':>10} | {'baseline':>10} | {'ratio':>6} | "
          f"{'RSS MB':>7} | target | ok |")
    print(f"|{'-' * 26}|{'-' * 54}|{'-' * 12}|{'-' * 12}|{'-' * 8}|{'-' * 9}|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {'-':<24} | {r['figure']!s:<52} | failed: {r['error']} |")
            continue
        ok = {True: "yes", False: "NO", None: "-"}[r.get("ok")]  # type: ignore[index]
        print(f"| {r.get('id', '-')!s:<24} | {r['figure']!s:<52} | "
              f"{r['value']!s:>8} {r['unit']!s:<1} | "
              f"{r['baseline']!s:>10} | {r['ratio']!s:>5}× | {r['rss_mb']!s:>7} | "
              f"{r['target']} | {ok} |")
    out = HERE / "results" / "latest.json"
    out.write_text(json.dumps({"machine": machine(), "at": time.strftime("%Y-%m-%d %H:%M"),
                               "rows": rows}, indent=1))
    print(f"\nSaved {out.relative_to(ROOT)}")
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
