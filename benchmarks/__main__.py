"""Run every benchmark (or the ones named) and save their JSON to benchmarks/results/.

python -m benchmarks               # all, full size
python -m benchmarks --quick       # all, small sizes (a smoke run)
python -m benchmarks portal        # one
"""

import argparse
import importlib
import json
import pkgutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def discover() -> list[str]:
    package_dir = Path(__file__).resolve().parent
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(package_dir)])
        if not m.name.startswith("_")
        and m.name not in {"common", "bench_settings", "bench_urls"}
        and hasattr(importlib.import_module(f"benchmarks.{m.name}"), "run")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    unknown = set(args.names) - set(available)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; available: {', '.join(available)}")
    RESULTS.mkdir(exist_ok=True)
    failed = 0
    for name in args.names or available:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"--- {name} ---", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            result = module.run(quick=args.quick)
        except Exception as exc:  # one failing benchmark must not hide the others' results
            failed += 1
            print(f"{name} failed: {exc!r}", file=sys.stderr)
            continue
        result.setdefault("benchmark", name)
        result["quick"] = args.quick
        result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        result["wall_seconds"] = round(time.perf_counter() - started, 2)
        text = json.dumps(result, indent=2, sort_keys=True)
        suffix = "-quick" if args.quick else ""
        (RESULTS / f"{name}{suffix}.json").write_text(text + "\n")
        print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
