import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.statistics import (
    Agg,
    StatisticsError,
    StatisticsErrorCode,
    distribution,
    mean_ci,
    pre_post,
    response_rate,
    t_cdf,
    t_quantile,
    trend,
)


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.706205),
        (0.975, 2, 4.302653),
        (0.975, 4, 2.776445),
        (0.975, 8, 2.306004),
        (0.975, 10, 2.228139),
        (0.975, 30, 2.042272),
        (0.975, 120, 1.979930),
        (0.995, 5, 4.032143),
        (0.95, 20, 1.724718),
    ],
)
def test_t_quantile_matches_published_tables(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, abs=5e-6)


@given(p=st.floats(0.501, 0.9995))
@settings(max_examples=60, deadline=None)
def test_t_quantile_matches_closed_forms_for_one_and_two_df(p):
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-9)
    alpha = 4 * p * (1 - p)
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) * math.sqrt(2 / alpha), rel=1e-9)


@given(p=st.floats(0.001, 0.999), df=st.floats(0.5, 500))
@settings(max_examples=150, deadline=None)
def test_t_quantile_inverts_the_cdf_for_real_df(p, df):
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)


def test_t_quantile_is_symmetric_shrinks_with_df_and_tends_to_normal():
    assert t_quantile(0.025, 7.5) == pytest.approx(-t_quantile(0.975, 7.5))
    assert t_quantile(0.5, 3) == 0.0
    quantiles = [t_quantile(0.975, df) for df in (1, 2, 3, 5, 9, 17, 40, 1000)]
    assert quantiles == sorted(quantiles, reverse=True)
    assert t_quantile(0.975, 1e6) == pytest.approx(1.959966, abs=1e-5)


def test_agg_from_counts_and_mean_ci_of_one_to_five():
    agg = Agg.from_counts({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    assert agg == Agg(n=5, total=15, total_sq=55)
    ci = mean_ci(agg.n, agg.total, agg.total_sq)
    # sd = sqrt(2.5); half width = t(0.975, 4) * sd / sqrt(5) = 2.776445 * 0.707107
    assert ci.n == 5
    assert ci.mean == 3.0
    assert ci.sd == pytest.approx(math.sqrt(2.5))
    assert ci.low == pytest.approx(3 - 1.963243, abs=1e-6)
    assert ci.high == pytest.approx(3 + 1.963243, abs=1e-6)


def test_mean_ci_other_level_is_narrower():
    wide, narrow = mean_ci(5, 15, 55, level=0.99), mean_ci(5, 15, 55, level=0.90)
    assert narrow.low > wide.low and narrow.high < wide.high


def test_mean_ci_of_a_single_answer_has_no_interval():
    ci = mean_ci(1, 4, 16)
    assert (ci.mean, ci.sd, ci.low, ci.high) == (4.0, None, None, None)


def test_mean_ci_of_identical_answers_has_zero_width():
    ci = mean_ci(6, 24, 96)
    assert (ci.sd, ci.low, ci.high) == (0.0, 4.0, 4.0)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((0, 0, 0), StatisticsErrorCode.NO_RESPONSES),
        ((3, 6, 5), StatisticsErrorCode.INCONSISTENT_AGGREGATE),  # Σv² < (Σv)²/n is impossible
    ],
)
def test_mean_ci_rejects_impossible_aggregates(args, code):
    with pytest.raises(StatisticsError) as caught:
        mean_ci(*args)
    assert caught.value.code == code


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.2])
def test_mean_ci_rejects_a_level_outside_zero_one(level):
    with pytest.raises(StatisticsError) as caught:
        mean_ci(5, 15, 55, level=level)
    assert caught.value.code == StatisticsErrorCode.BAD_LEVEL
    assert caught.value.params == {"level": level}


@given(values=st.lists(st.integers(1, 7), min_size=2, max_size=60))
@settings(max_examples=80, deadline=None)
def test_mean_ci_from_aggregates_equals_the_row_computation(values):
    ci = mean_ci(len(values), sum(values), sum(v * v for v in values))
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    assert ci.mean == pytest.approx(mean)
    assert ci.sd == pytest.approx(sd, abs=1e-9)
    assert ci.low <= ci.mean <= ci.high


def test_distribution_fills_the_scale_and_orders_by_value():
    result = distribution({4: 3, 2: 1}, scale=range(1, 6))
    assert result.n == 4
    assert [(bar.value, bar.count) for bar in result.bars] == [
        (1, 0),
        (2, 1),
        (3, 0),
        (4, 3),
        (5, 0),
    ]
    assert [bar.share for bar in result.bars] == [0.0, 0.25, 0.0, 0.75, 0.0]


def test_distribution_of_nothing_has_zero_shares():
    assert [bar.share for bar in distribution({}, scale=[1, 2]).bars] == [0.0, 0.0]


def test_pre_post_equal_sizes_by_hand():
    pre = Agg.from_counts({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})  # mean 3, variance 2.5
    post = Agg.from_counts({2: 1, 3: 1, 4: 1, 5: 1, 6: 1})  # mean 4, variance 2.5
    result = pre_post(pre, post)
    # se = sqrt(2.5/5 + 2.5/5) = 1, Welch df = 1 / (0.25/4 + 0.25/4) = 8, t(0.975, 8) = 2.306004
    assert result.diff == 1.0
    assert result.df == pytest.approx(8.0)
    assert result.low == pytest.approx(1 - 2.306004, abs=1e-6)
    assert result.high == pytest.approx(1 + 2.306004, abs=1e-6)
    assert result.cohens_d == pytest.approx(1 / math.sqrt(2.5))
    assert (result.n_pre, result.n_post) == (5, 5)


def test_pre_post_unequal_sizes_and_variances_by_hand():
    pre = Agg(n=10, total=30, total_sq=99)  # mean 3, variance 1
    post = Agg(n=20, total=70, total_sq=321)  # mean 3.5, variance 4
    result = pre_post(pre, post)
    # se² = 1/10 + 4/20 = 0.3; df = 0.09 / (0.01/9 + 0.04/19) = 27.9818; t = 2.048467
    assert result.diff == pytest.approx(0.5)
    assert result.df == pytest.approx(27.981818, abs=1e-5)
    assert result.high - result.diff == pytest.approx(2.048467 * math.sqrt(0.3), abs=1e-5)
    # pooled variance = (9*1 + 19*4) / 28
    assert result.cohens_d == pytest.approx(0.5 / math.sqrt(85 / 28))
    assert (result.n_pre, result.n_post) == (10, 20)


def test_pre_post_sign_follows_post_minus_pre():
    result = pre_post(Agg(10, 40, 170), Agg(10, 30, 99))
    assert result.diff == pytest.approx(-1.0)
    assert result.cohens_d < 0


def test_pre_post_with_no_spread_has_a_point_interval_and_no_d():
    result = pre_post(Agg(5, 15, 45), Agg(4, 16, 64))
    assert (result.diff, result.low, result.high, result.cohens_d) == (1.0, 1.0, 1.0, None)


def test_pre_post_needs_two_answers_each():
    with pytest.raises(StatisticsError) as caught:
        pre_post(Agg(1, 3, 9), Agg(5, 15, 55))
    assert caught.value.code == StatisticsErrorCode.TOO_FEW_RESPONSES
    assert caught.value.params == {"n_pre": 1, "n_post": 5, "minimum": 2}


def test_trend_slope_per_session():
    result = trend([("s1", Agg(10, 30, 95)), ("s2", Agg(10, 35, 130)), ("s3", Agg(10, 40, 170))])
    assert [point.mean for point in result.points] == [3.0, 3.5, 4.0]
    assert [point.index for point in result.points] == [0, 1, 2]
    assert result.slope == pytest.approx(0.5)


def test_trend_weights_sessions_by_answers():
    # Session means 2 (n=1), 4 (n=3), 4 (n=30): the fit goes through every answer, so the large
    # third session dominates and the slope is flatter than the unweighted one.
    result = trend([("a", Agg(1, 2, 4)), ("b", Agg(3, 12, 48)), ("c", Agg(30, 120, 480))])
    # x̄ = (0*1 + 1*3 + 2*30)/34, ȳ = (2 + 12 + 120)/34
    x_bar, y_bar = 63 / 34, 134 / 34
    expected = (
        1 * (0 - x_bar) * (2 - y_bar)
        + 3 * (1 - x_bar) * (4 - y_bar)
        + 30 * (2 - x_bar) * (4 - y_bar)
    ) / (1 * x_bar**2 + 3 * (1 - x_bar) ** 2 + 30 * (2 - x_bar) ** 2)
    assert result.slope == pytest.approx(expected)
    assert result.slope < 1.0  # unweighted means 2, 4, 4 would give 1.0


def test_trend_leaves_out_sessions_below_min_n():
    result = trend([("a", Agg(2, 10, 50)), ("b", Agg(6, 18, 54)), ("c", Agg(6, 24, 96))], min_n=5)
    assert [point.mean for point in result.points] == [None, 3.0, 4.0]
    assert result.points[0].n == 2
    assert result.slope == pytest.approx(1.0)  # the small session at mean 5 does not pull it


def test_trend_without_two_usable_sessions_has_no_slope():
    assert trend([("a", Agg(6, 18, 54)), ("b", Agg(0, 0, 0))]).slope is None
    assert trend([]).slope is None


def test_response_rate():
    assert response_rate(answered=3, invited=12) == 0.25
    assert response_rate(answered=0, invited=0) is None
    with pytest.raises(StatisticsError) as caught:
        response_rate(answered=5, invited=4)
    assert caught.value.code == StatisticsErrorCode.ANSWERED_EXCEEDS_INVITED
