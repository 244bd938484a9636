"""`make bench`: run every benchmark, each in its own process so one cannot skew another.

Each benchmark measures our code and its baseline in the same run and prints ratios; copy the
figures with the command into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failed = 0
    for module in sorted(p.stem for p in HERE.glob("bench_*.py")):
        print(f"\n### {module}\n", flush=True)
        failed |= subprocess.call([sys.executable, "-m", f"bench.{module}"])
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
