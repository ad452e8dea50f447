"""Report statistics computed from aggregates, never from rows.

The database returns, per cell, the count, the sum and the sum of squares of the answers (``Agg``);
everything here works from those, so a report never loads individual responses into Python.
Student's t quantiles are computed here because scipy is not a dependency: the t CDF is the
regularized incomplete beta function (Lentz's continued fraction, as in Numerical Recipes §6.4),
inverted with Newton's method, which is accurate to ~1e-12 for any real degrees of freedom
(Welch's test needs non-integer ones, which rules out a lookup table).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from statistics import NormalDist

from bot.domain.errors import BridgeError

DEFAULT_LEVEL = 0.95


class StatisticsErrorCode(StrEnum):
    """Stable machine-readable codes; never rename a value."""

    NO_RESPONSES = "no_responses"
    TOO_FEW_RESPONSES = "too_few_responses"  # params: n_pre, n_post, minimum
    INCONSISTENT_AGGREGATE = "inconsistent_aggregate"  # params: n, total, total_sq
    BAD_LEVEL = "bad_level"  # params: level
    ANSWERED_EXCEEDS_INVITED = "answered_exceeds_invited"  # params: answered, invited


class StatisticsError(BridgeError):
    def __init__(self, code: StatisticsErrorCode, /, **params: object) -> None:
        super().__init__(code, **params)
        self.code = code


@dataclass(frozen=True, slots=True)
class Agg:
    """What the database aggregates per cell: COUNT(v), SUM(v), SUM(v*v)."""

    n: int
    total: float
    total_sq: float

    @classmethod
    def from_counts(cls, counts_by_value: Mapping[int, int] | Mapping[float, int]) -> Agg:
        """The aggregate of a distribution, e.g. ``{1: 3, 4: 2}`` for answers 1,1,1,4,4."""
        n, total, total_sq = 0, 0.0, 0.0  # one pass, adding in the same order as sum() would
        for value, count in counts_by_value.items():
            n += count
            total += value * count
            total_sq += value * value * count
        return cls(n=n, total=total, total_sq=total_sq)

    def __add__(self, other: Agg) -> Agg:
        return Agg(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n - 1 denominator); None below two answers."""
        if self.n < 2:
            return None
        # n*Σv² - (Σv)² is exact for integer answers, avoiding the cancellation of Σv²/n - mean².
        spread = self.n * self.total_sq - self.total * self.total
        if spread < 0:
            if spread < -1e-9 * max(1.0, abs(self.n * self.total_sq)):
                raise StatisticsError(
                    StatisticsErrorCode.INCONSISTENT_AGGREGATE,
                    n=self.n,
                    total=self.total,
                    total_sq=self.total_sq,
                )
            spread = 0
        return spread / (self.n * (self.n - 1))


@dataclass(frozen=True, slots=True)
class MeanCI:
    """A mean with its t-based confidence interval; sd/low/high are None for a single answer."""

    n: int
    mean: float
    sd: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Bar:
    value: float
    count: int
    share: float  # count / n, 0.0 when there are no answers


@dataclass(frozen=True, slots=True)
class Distribution:
    n: int
    bars: tuple[Bar, ...]  # ordered by value


@dataclass(frozen=True, slots=True)
class PrePost:
    """Post minus pre for one construct, independent samples (answers are not linked to people)."""

    diff: float
    low: float
    high: float
    cohens_d: float | None  # None when both samples have zero spread
    n_pre: int
    n_post: int
    df: float  # Welch-Satterthwaite degrees of freedom behind the interval


@dataclass(frozen=True, slots=True)
class TrendPoint:
    label: str
    index: int  # position in the session sequence; the x of the slope
    n: int
    mean: float | None  # None when there are no answers or fewer than min_n


@dataclass(frozen=True, slots=True)
class Trend:
    points: tuple[TrendPoint, ...]
    slope: float | None  # change of the mean per session; None with fewer than two usable points


def response_rate(answered: int, invited: int) -> float | None:
    """answered / invited, None when nobody was invited."""
    if answered > invited:
        raise StatisticsError(
            StatisticsErrorCode.ANSWERED_EXCEEDS_INVITED, answered=answered, invited=invited
        )
    return answered / invited if invited else None


def mean_ci(n: int, total: float, total_sq: float, level: float = DEFAULT_LEVEL) -> MeanCI:
    """Mean and two-sided ``level`` confidence interval from COUNT, SUM and SUM of squares."""
    _check_level(level)
    agg = Agg(n, total, total_sq)
    if n < 1:
        raise StatisticsError(StatisticsErrorCode.NO_RESPONSES)
    mean = total / n
    variance = agg.variance
    if variance is None:
        return MeanCI(n=n, mean=mean, sd=None, low=None, high=None)
    sd = math.sqrt(variance)
    half_width = t_quantile(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return MeanCI(n=n, mean=mean, sd=sd, low=mean - half_width, high=mean + half_width)


def distribution(
    counts_by_value: Mapping[float, int], scale: Iterable[float] | None = None
) -> Distribution:
    """Counts and shares per answer value; values of ``scale`` nobody chose appear with 0."""
    counts = dict.fromkeys(scale or (), 0)
    counts.update(counts_by_value)
    n = sum(counts.values())
    bars = tuple(
        Bar(value=value, count=count, share=count / n if n else 0.0)
        for value, count in sorted(counts.items())
    )
    return Distribution(n=n, bars=bars)


def pre_post(pre: Agg, post: Agg, level: float = DEFAULT_LEVEL) -> PrePost:
    """Difference of means (post - pre) with a Welch confidence interval and Cohen's d.

    Cohen's d divides by the pooled SD. Needs at least two answers on each side.
    """
    _check_level(level)
    if pre.n < 2 or post.n < 2:
        raise StatisticsError(
            StatisticsErrorCode.TOO_FEW_RESPONSES, n_pre=pre.n, n_post=post.n, minimum=2
        )
    diff = post.total / post.n - pre.total / pre.n
    var_pre, var_post = pre.variance or 0.0, post.variance or 0.0
    se_pre_sq, se_post_sq = var_pre / pre.n, var_post / post.n
    se_sq = se_pre_sq + se_post_sq
    if se_sq > 0:
        df = se_sq**2 / (se_pre_sq**2 / (pre.n - 1) + se_post_sq**2 / (post.n - 1))
        half_width = t_quantile(0.5 + level / 2, df) * math.sqrt(se_sq)
    else:
        df, half_width = float(pre.n + post.n - 2), 0.0
    pooled_var = ((pre.n - 1) * var_pre + (post.n - 1) * var_post) / (pre.n + post.n - 2)
    cohens_d = diff / math.sqrt(pooled_var) if pooled_var > 0 else None
    return PrePost(
        diff=diff,
        low=diff - half_width,
        high=diff + half_width,
        cohens_d=cohens_d,
        n_pre=pre.n,
        n_post=post.n,
        df=df,
    )


def trend(points: Sequence[tuple[str, Agg]], *, min_n: int = 1) -> Trend:
    """Per-session means and the least-squares slope of the mean over the session index.

    The slope weights each session by its number of answers, which equals fitting a line through
    every individual answer. Sessions with fewer than ``min_n`` answers (pass the program's k) get
    no mean and do not enter the slope, so the slope cannot be used to recover them.
    """
    trend_points = tuple(
        TrendPoint(
            label=label,
            index=index,
            n=agg.n,
            mean=agg.total / agg.n if agg.n >= max(1, min_n) else None,
        )
        for index, (label, agg) in enumerate(points)
    )
    usable = [(p.index, p.n, p.mean) for p in trend_points if p.mean is not None]
    weight = sum(n for _, n, _ in usable)
    if len(usable) < 2:
        return Trend(points=trend_points, slope=None)
    x_bar = sum(n * x for x, n, _ in usable) / weight
    y_bar = sum(n * y for _, n, y in usable) / weight
    spread_x = sum(n * (x - x_bar) ** 2 for x, n, _ in usable)
    covariance = sum(n * (x - x_bar) * (y - y_bar) for x, n, y in usable)
    return Trend(points=trend_points, slope=covariance / spread_x)


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` (> 0, real) degrees of freedom (memoised:
    a pure function of its arguments, and reports ask for the same few again and again)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    if df <= 0:
        raise ValueError("df must be positive")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    upper = 1.0 - p  # work in the upper tail to keep precision for p close to 1
    t = max(_cornish_fisher_start(p, df), 0.0)
    for _ in range(200):
        # The upper-tail function is convex for t > 0, so Newton steps approach from below and
        # never overshoot after the first one.
        step = (_t_upper_tail(t, df) - upper) / _t_density(t, df)
        t = max(t + step, t / 2)
        if abs(step) <= 1e-13 * max(1.0, t):
            break
    return t


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = _t_upper_tail(abs(t), df)
    return 1.0 - tail if t >= 0 else tail


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0."""
    return 0.5 * _regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t))


def _t_density(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


def _cornish_fisher_start(p: float, df: float) -> float:
    """Abramowitz & Stegun 26.7.5: close for moderate df, a safe start for Newton otherwise."""
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def _regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The continued fraction converges fast only on this side of the mean; use symmetry otherwise.
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise StatisticsError(StatisticsErrorCode.BAD_LEVEL, level=level)
