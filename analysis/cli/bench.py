"""Commands that measure the program: bench (quality, speed) and fuzz."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_bench(args: argparse.Namespace) -> int:
    if args.which == "speed":
        from analysis.bench import speed

        speed.main(
            sizes=args.sizes,
            out_json=args.out,
            quick=args.quick,
            group_sizes=args.group_sizes,
            with_profile=args.profile,
            browser=not args.no_browser,
            dask=not args.no_dask,
        )
        return 0
    from analysis.bench import quality

    return quality.main(
        eval_dir=Path(args.eval_dir) if args.eval_dir else None,
        as_json=args.json,
        results_file=Path(args.results) if args.results else None,
    )


def cmd_fuzz(args: argparse.Namespace) -> int:
    from analysis.bench.fuzz import main as fuzz_main

    return fuzz_main(args.n, args.seed, args.fetched)
