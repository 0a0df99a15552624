"""Display formatting: half-up rounding in one place, and the figures as the seed report writes them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfeval import fmt
from perfeval.config import Config
from perfeval.scoring import grade_of


def grade(total: D) -> str:
    return grade_of(total, Config())


@pytest.mark.parametrize("value, places, expected", [
    ("96.5", 0, "97"),  # half up, not banker's rounding (which gives 96)
    ("97.5", 0, "98"),
    ("2.675", 2, "2.68"),  # exact as a Decimal; float 2.675 is 2.67499…
    ("2.665", 2, "2.67"),
    ("0.125", 2, "0.13"),
    ("97.27355623", 2, "97.27"),
    ("7.2735", 2, "7.27"),
    ("89.995", 2, "90.00"),
    ("5", 2, "5.00"),
    ("-1.005", 2, "-1.01"),  # half away from zero
    ("-0.001", 2, "0.00"),  # never "-0.00"
    ("5E-8", 2, "0.00"),  # never exponent form
    ("1E+2", 0, "100"),
])
def test_fixed_rounds_half_up(value, places, expected):
    assert fmt.fixed(D(value), places) == expected


def test_round_half_up_returns_a_decimal():
    assert fmt.round_half_up(D("96.5"), 0) == D(97)
    assert fmt.round_half_up(D("2.675"), 2) == D("2.68")


@pytest.mark.parametrize("value, expected", [
    ("32.90", "32.9"), ("32.9", "32.9"), ("5.00", "5"), ("5", "5"), ("23.93", "23.93"), ("8", "8"),
    ("0.75", "0.75"), ("20.6", "20.6"), ("35.67", "35.67"), ("12.0000", "12"), ("2.675", "2.68"),
    ("32.9000", "32.9"),  # 329000 元 read as 万元
    ("0", "0"), ("-0.001", "0"), ("1E+2", "100"),
])
def test_money_as_the_seed_writes_it(value, expected):
    assert fmt.money(D(value)) == expected
    assert fmt.trim(D(value)) == expected


def test_money_of_nothing_is_empty():
    assert fmt.money(None) == ""
    assert fmt.rate(None) == ""
    assert fmt.score(None) == ""
    assert fmt.count(None) == ""
    assert fmt.table_value(None) is None


def test_execution_rate_and_score_of_the_seed():
    rate = D("23.93") / D("32.9")
    assert fmt.rate(rate) == "72.74%"
    assert fmt.score(D(10) * rate) == "7.27"
    assert fmt.score(D(10) * rate + D(90)) == "97.27"
    assert fmt.rate(D(1)) == "100.00%"
    assert fmt.rate(D("0.98")) == "98.00%"


def test_counts():
    assert fmt.count(D(262)) == "262"
    assert fmt.count(D(424)) == "424"
    assert fmt.count(D("262.5")) == "263"


def test_table_value_is_rounded_half_up():
    assert fmt.table_value(D("97.27355")) == 97.27
    assert fmt.table_value(D("2.675")) == 2.68
    assert fmt.table_value(D("96.5"), 0) == 97.0


@pytest.mark.parametrize("total, places, expected", [
    ("97.27355", 0, "97"),  # the seed: 得分97
    ("96.5", 0, "97"),
    ("89.995", 0, "90"),  # 优 (90.00) and "90" agree
    ("89.6", 0, "89.60"),  # "90" beside 良 would contradict: two decimals
    ("89.4", 0, "89"),
    ("79.5", 0, "79.50"),  # "80" beside 中
    ("59.5", 0, "59.50"),  # "60" beside 差
    ("59.4", 0, "59"),
    ("97.27355", 2, "97.27"),
    ("89.996", 1, "90.0"),  # 优 either way
])
def test_prose_score(total, places, expected):
    t = D(total)
    assert fmt.prose_score(t, grade(t), places, grade) == expected
