"""Bootstrap intervals for per-outlet statistics: a ratio of sums resampled with replacement
(N_RESAMPLES times, seed SEED), its 2.5th and 97.5th percentiles, and whether two intervals overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

N_RESAMPLES = 1000  # bootstrap resamples per outlet and statistic
SEED = 20260312  # fixed: the same data always give the same interval
LEVEL = 0.95  # two-sided percentile interval


@dataclass(frozen=True)
class Interval:
    estimate: float
    lo: float
    hi: float
    n: int  # units resampled (sentences or articles)

    def overlaps(self, other: Interval) -> bool:
        return intervals_overlap(self.lo, self.hi, other.lo, other.hi)


def bootstrap_ratio(
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray | None = None,
    *,
    n_resamples: int = N_RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> Interval:
    """Percentile bootstrap interval of ``sum(num) / sum(den)`` resampling units with replacement.

    With ``denominators=None`` this is the plain mean.  A weighted mean of values ``v`` with
    weights ``w`` is ``bootstrap_ratio(v * w, w)``.  Empty input gives NaNs; a single unit
    gives a zero-width interval.
    """
    return bootstrap_ratios([(numerators, denominators)], n_resamples=n_resamples, level=level, seed=seed)[0]


# Resampled unit indices drawn at a time (16 MB): drawing all n_resamples x n at once took 8 GB
# for the ~800k sentences of a 5 MB article.  The draws are the same either way (same generator,
# same order), so the intervals do not depend on this constant.
BOOTSTRAP_CHUNK = 2_000_000


def bootstrap_ratios(
    pairs: Sequence[tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray | None]],
    *,
    n_resamples: int = N_RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> list[Interval]:
    """:func:`bootstrap_ratio` of several (numerators, denominators) pairs over the same units.

    Every pair must have the same length: the units are resampled once for all of them, with the
    same draws :func:`bootstrap_ratio` makes for each alone (so the intervals are identical).
    Memory is O(BOOTSTRAP_CHUNK + n_resamples) whatever the number of units.
    """
    arrays: list[tuple[np.ndarray, np.ndarray]] = []
    for numerators, denominators in pairs:
        num = np.asarray(numerators, dtype=float)
        den = np.ones_like(num) if denominators is None else np.asarray(denominators, dtype=float)
        if num.shape != den.shape:
            raise ValueError("numerators and denominators differ in length")
        arrays.append((num, den))
    if len({len(num) for num, _ in arrays}) > 1:
        raise ValueError("the pairs differ in length")
    out: list[Interval | None] = [None] * len(arrays)
    todo: list[int] = []
    for k, (num, den) in enumerate(arrays):
        n = len(num)
        if n == 0 or den.sum() <= 0:
            out[k] = Interval(float("nan"), float("nan"), float("nan"), n)
        elif n == 1:
            estimate = float(num.sum() / den.sum())
            out[k] = Interval(estimate, estimate, estimate, 1)
        else:
            todo.append(k)
    if todo:
        n = len(arrays[todo[0]][0])
        num_s = np.empty((len(todo), n_resamples))
        den_s = np.empty((len(todo), n_resamples))
        rng = np.random.default_rng(seed)
        step = max(1, BOOTSTRAP_CHUNK // n)
        for lo in range(0, n_resamples, step):
            hi = min(n_resamples, lo + step)
            idx = rng.integers(0, n, size=(hi - lo, n))
            den_sums: dict[int, np.ndarray] = {}  # a denominator shared by several pairs is summed once
            for j, k in enumerate(todo):
                num, den = arrays[k]
                if id(den) not in den_sums:
                    den_sums[id(den)] = den[idx].sum(axis=1)
                den_s[j, lo:hi] = den_sums[id(den)]
                num_s[j, lo:hi] = num[idx].sum(axis=1)
        alpha = (1.0 - level) / 2.0
        for j, k in enumerate(todo):
            num, den = arrays[k]
            with np.errstate(invalid="ignore", divide="ignore"):
                stats = num_s[j] / den_s[j]
            stats = stats[np.isfinite(stats)]
            lo_q, hi_q = np.quantile(stats, [alpha, 1.0 - alpha])
            out[k] = Interval(float(num.sum() / den.sum()), float(lo_q), float(hi_q), n)
    return [iv for iv in out if iv is not None]


def intervals_overlap(a_lo: float, a_hi: float, b_lo: float, b_hi: float) -> bool:
    """True when the closed intervals [a_lo, a_hi] and [b_lo, b_hi] share a point."""
    return a_lo <= b_hi and b_lo <= a_hi


# --- frames ------------------------------------------------------------------------
