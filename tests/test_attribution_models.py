"""Attribution models on hand-computed toy journeys, their properties, and their speed."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
import pytest

from sim.analysis import attribution_models
from sim.analysis.attribution_models import MODEL_LABELS, MODELS, credit, shares
from sim.scenario.errors import InputError


def journeys(*paths: tuple[str, bool] | tuple[str, bool, tuple[int, ...], int]) -> pd.DataFrame:
    """Journeys from ("A>B", converted[, days, conversion_day]); days default to 0, 1, 2, ..."""
    rows = []
    for path in paths:
        sources = tuple(path[0].split(">"))
        converted = path[1]
        days = path[2] if len(path) > 2 else tuple(range(len(sources)))
        day = path[3] if len(path) > 3 else (days[-1] if converted else -1)
        rows.append((sources, days, converted, day, 100.0 * converted))
    columns = ["sources", "days", "converted", "conversion_day", "value"]
    return pd.DataFrame(rows, columns=columns)


def as_dict(series: pd.Series) -> dict[str, float]:
    return {name: round(value, 12) for name, value in series.items()}


# A>B converts (days 0 and 7, converts on day 7), B converts, A does not.
TOY = journeys(("A>B", True, (0, 7), 7), ("B", True), ("A", False))


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first_touch", {"A": 1, "B": 1}),  # A>B -> A, B -> B
        ("last_touch", {"A": 0, "B": 2}),  # A>B -> B, B -> B
        ("linear", {"A": 0.5, "B": 1.5}),  # A>B -> 1/2 each, B -> B
        # A>B: weights 2^(-7/7) = 1/2 for A and 2^0 = 1 for B -> A 1/3, B 2/3; B -> B
        ("time_decay", {"A": 1 / 3, "B": 5 / 3}),
        ("position_based", {"A": 0.5, "B": 1.5}),  # two touches split 50/50, one gets all
        # start -> A 2/3, -> B 1/3; A -> B 1/2, -> null 1/2; B -> conversion 1.
        # P = 2/3 * 1/2 + 1/3 = 2/3. Without A: 1/3, effect 1/2. Without B: 0, effect 1.
        # Credit: 2 * (1/2) / (3/2) = 2/3 to A, 2 * 1 / (3/2) = 4/3 to B.
        ("markov_1", {"A": 2 / 3, "B": 4 / 3}),
        # States (A), (B), (A,B): the same chain with (A,B) for B after A.
        ("markov_2", {"A": 2 / 3, "B": 4 / 3}),
        ("markov_3", {"A": 2 / 3, "B": 4 / 3}),
        # v({A}) = 0, v({B}) = 1, v({A,B}) = 2. phi_A = (0 - 0)/2 + (2 - 1)/2 = 1/2,
        # phi_B = (1 - 0)/2 + (2 - 0)/2 = 3/2.
        ("shapley", {"A": 0.5, "B": 1.5}),
    ],
)
def test_every_model_on_the_toy_journeys(model, expected):
    result = credit(TOY, model)
    assert list(result.index) == ["A", "B"]
    assert result.name == model
    assert as_dict(result) == pytest.approx(expected, abs=1e-9)


def test_names_and_labels_are_declared_once_in_order():
    assert MODELS == (
        "first_touch",
        "last_touch",
        "linear",
        "time_decay",
        "position_based",
        "markov_1",
        "markov_2",
        "markov_3",
        "shapley",
    )
    assert set(MODEL_LABELS) == set(MODELS)
    assert MODEL_LABELS["last_touch"] == "Last touch"
    assert MODEL_LABELS["markov_2"] == "Markov chain (order 2)"


def test_position_based_gives_40_20_40_and_counts_repeats():
    # A>B>C>D: 0.4 first, 0.2 / 2 = 0.1 to each middle touch, 0.4 last.
    # A>B>A: A is first and last (0.4 + 0.4), B gets the middle 0.2.
    data = journeys(("A>B>C>D", True), ("A>B>A", True))
    expected = {"A": 1.2, "B": 0.3, "C": 0.1, "D": 0.4}
    assert as_dict(credit(data, "position_based")) == pytest.approx(expected)


def test_linear_counts_every_touch():
    # A>A>B: A touched twice of three -> 2/3, B 1/3.
    assert as_dict(credit(journeys(("A>A>B", True)), "linear")) == pytest.approx(
        {"A": 2 / 3, "B": 1 / 3}
    )


def test_time_decay_half_life_and_days_between():
    # A on day 0, B on day 7, converting on day 7; half-life 3.5 days:
    # A weighs 2^(-7/3.5) = 1/4, B 1 -> A 0.2, B 0.8.
    data = journeys(("A>B", True, (0, 7), 7))
    assert as_dict(credit(data, "time_decay", half_life_days=3.5)) == pytest.approx(
        {"A": 0.2, "B": 0.8}
    )
    # Touches on the same day weigh the same, whatever the half-life; a year-old touch
    # still gets its (tiny) weight instead of underflowing the whole path to 0/0.
    same_day = journeys(("A>B", True, (5, 5), 9), ("A>B", True, (0, 40_000), 40_000))
    result = credit(same_day, "time_decay")
    assert result["A"] == pytest.approx(0.5) and result["B"] == pytest.approx(1.5)


def test_markov_order_1_removal_effects_with_a_loop():
    # Paths: A>B>A converts, B>A does not, A converts.
    # start: A 2/3, B 1/3. A: -> B 1/4, -> conversion 2/4, -> null 1/4. B: -> A 1.
    # x_A = x_B / 4 + 1/2 and x_B = x_A, so x_A = x_B = 2/3 and P = 2/3.
    # Without A: P = 0, effect 1. Without B: x_A = 1/2, P = 2/3 * 1/2 = 1/3, effect 1/2.
    # Credit of 2 conversions: A 2 * 1 / 1.5 = 4/3, B 2 * 0.5 / 1.5 = 2/3.
    data = journeys(("A>B>A", True), ("B>A", False), ("A", True))
    assert as_dict(credit(data, "markov_1")) == pytest.approx({"A": 4 / 3, "B": 2 / 3})


def test_markov_order_2_remembers_what_came_before():
    # A>C converts, B>C does not. Order 1 merges both into C (converts 1/2):
    # P = 1/2; without A or B 1/4 (effects 1/2 each); without C 0 (effect 1).
    # Order 2 keeps (A,C) -> conversion and (B,C) -> null: without A 0 (effect 1),
    # without B still 1/2 (effect 0), without C 0 (effect 1).
    data = journeys(("A>C", True), ("B>C", False))
    assert as_dict(credit(data, "markov_1")) == pytest.approx({"A": 0.25, "C": 0.5, "B": 0.25})
    assert as_dict(credit(data, "markov_2")) == pytest.approx({"A": 0.5, "C": 0.5, "B": 0.0})


def test_markov_collapses_repeats_so_they_do_not_erase_history():
    # As above with C repeated: uncollapsed, order 2 would merge both paths in (C,C).
    data = journeys(("A>C>C", True), ("B>C>C>C", False))
    assert as_dict(credit(data, "markov_2")) == pytest.approx({"A": 0.5, "C": 0.5, "B": 0.0})


def test_markov_credits_a_source_that_leads_into_converting_ones():
    # C>A does not convert, A does. The chain forgets where A came from:
    # start: C 1/2, A 1/2; C -> A; A -> conversion 1/2, -> null 1/2. P = 1/2.
    # Without C: 1/4 (effect 1/2); without A: 0 (effect 1). C gets 1/3 of the one
    # conversion though no converting path holds it; Shapley gives it nothing.
    data = journeys(("C>A", False), ("A", True))
    assert as_dict(credit(data, "markov_1")) == pytest.approx({"C": 1 / 3, "A": 2 / 3})
    assert as_dict(credit(data, "shapley")) == pytest.approx({"C": 0.0, "A": 1.0})


def test_markov_falls_back_to_lu_when_gmres_does_not_converge(monkeypatch):
    def fails(matrix, right, **_):
        return np.zeros(len(right)), 1

    monkeypatch.setattr(attribution_models, "gmres", fails)
    data = journeys(("A>B>A", True), ("B>A", False), ("A", True))
    assert as_dict(credit(data, "markov_1")) == pytest.approx({"A": 4 / 3, "B": 2 / 3})


def first_order_journeys(rng: np.random.Generator, channels: int) -> pd.DataFrame:
    """Every path of a random first-order chain, each as often as its exact probability says.

    Channels form a DAG (i moves only to j > i), each state's move weights are integers;
    a path's count is its weights' product times the weight totals of the states it
    skips, so every count is an integer and the counts are the chain's expectation.
    """
    names = [chr(ord("A") + i) for i in range(channels)]
    ends = {state: rng.integers(0, 3, size=2) + [1, 0] for state in range(channels)}
    moves = {
        state: rng.integers(0, 3, size=channels - max(state, 0) - (state >= 0))
        for state in range(-1, channels)
    }
    moves[-1][0] += 1  # start always has somewhere to go
    total = {s: moves[s].sum() + (ends[s].sum() if s >= 0 else 0) for s in moves}
    rows = []
    for size in range(1, channels + 1):
        for path in itertools.combinations(range(channels), size):
            steps = [(-1, path[0]), *zip(path, path[1:], strict=False)]
            weight = np.prod([moves[a][b - (a + 1)] for a, b in steps])
            skipped = np.prod([total[s] for s in range(channels) if s not in path])
            for converted, end in ((True, 0), (False, 1)):
                count = int(weight * ends[path[-1]][end] * skipped)
                rows += [(tuple(names[i] for i in path), converted)] * count
    sources, converted = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "sources": sources,
            "days": [tuple(range(len(s))) for s in sources],
            "converted": converted,
            "conversion_day": [
                len(s) - 1 if c else -1 for s, c in zip(sources, converted, strict=True)
            ],
        }
    )


@pytest.mark.parametrize("seed", range(8))
def test_higher_orders_equal_order_1_when_history_does_not_matter(seed):
    data = first_order_journeys(np.random.default_rng(seed), channels=4)
    assert data["converted"].any()
    order_1 = credit(data, "markov_1")
    for model in ("markov_2", "markov_3"):
        pd.testing.assert_series_equal(credit(data, model), order_1, check_names=False)


def random_journeys(rng: np.random.Generator, count: int, channels: int) -> pd.DataFrame:
    """Random paths of 1-6 touches; the rarer a channel, the more it lifts conversion."""
    names = [f"channel_{i}" for i in range(channels)]
    reach = np.arange(1, channels + 1) / np.arange(1, channels + 1).sum()
    lift = dict(zip(names, np.linspace(0.5, 0.0, channels), strict=True))
    sources = [
        tuple(names[c] for c in rng.choice(channels, size=rng.integers(1, 7), p=reach))
        for _ in range(count)
    ]
    chance = np.array([0.05 + sum(lift[c] for c in set(s)) for s in sources])
    converted = rng.random(count) < chance
    days = [tuple(np.sort(rng.integers(0, 30, size=len(s))).tolist()) for s in sources]
    return pd.DataFrame(
        {
            "sources": sources,
            "days": days,
            "converted": converted,
            "conversion_day": np.where(converted, [d[-1] + 3 for d in days], -1),
            "value": 100.0 * converted,
        }
    )


@pytest.mark.parametrize("model", MODELS)
def test_every_model_credits_exactly_the_conversions(model):
    data = random_journeys(np.random.default_rng(3), count=500, channels=5)
    result = credit(data, model)
    assert result.sum() == pytest.approx(data["converted"].sum())
    assert (result >= -1e-12).all()


def test_shapley_is_symmetric_and_gives_a_lone_channel_everything():
    # A and B always appear together (in either order): symmetric players, equal value.
    data = journeys(("A>B", True), ("B>A", True), ("A>B>C", True), ("C", True), ("C>A", False))
    result = credit(data, "shapley")
    assert result["A"] == pytest.approx(result["B"])
    assert result.sum() == pytest.approx(4)  # efficiency
    assert as_dict(credit(journeys(("C", True), ("C>C", True)), "shapley")) == {"C": 2.0}


def test_shapley_equals_an_equal_split_over_each_paths_distinct_sources():
    # v is a sum of unanimity games (one per converting path's source set), so the
    # Shapley value splits each conversion equally among the path's distinct sources.
    data = random_journeys(np.random.default_rng(5), count=400, channels=6)
    expected = pd.Series(0.0, index=credit(data, "shapley").index)
    for sources in data.loc[data["converted"], "sources"]:
        for source in set(sources):
            expected[source] += 1 / len(set(sources))
    pd.testing.assert_series_equal(credit(data, "shapley"), expected, check_names=False)


def test_a_source_only_on_paths_that_never_convert_gets_nothing():
    # D appears only on non-converting paths (alone, last, or repeated).
    data = journeys(
        ("A>B", True), ("B", True), ("A", False), ("D", False), ("A>D", False), ("D>D", False)
    )
    table = shares(data)
    assert list(table.columns) == ["A", "B", "D"]
    assert table["D"].to_numpy() == pytest.approx(np.zeros(len(MODELS)), abs=1e-12)


def test_shares_rows_sum_to_one_and_are_nan_without_conversions():
    data = random_journeys(np.random.default_rng(7), count=300, channels=4)
    table = shares(data)
    assert list(table.index) == list(MODELS)
    assert list(table.columns) == list(pd.unique(np.concatenate(data["sources"].to_list())))
    assert table.sum(axis=1).to_numpy() == pytest.approx(np.ones(len(MODELS)))
    lost = journeys(("A>B", False), ("B", False))
    assert shares(lost).isna().all().all()
    assert credit(lost, "markov_2").tolist() == [0.0, 0.0]


def test_empty_journeys():
    empty = journeys()
    for model in MODELS:
        assert credit(empty, model).empty
    table = shares(empty)
    assert list(table.index) == list(MODELS) and table.columns.empty


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: credit(TOY, "u_shaped"), "model"),
        (lambda: credit(TOY, "time_decay", half_life_days=0), "half_life_days"),
        (lambda: credit(TOY.drop(columns="days"), "linear"), "days"),
        (lambda: credit(TOY.assign(sources=[("A", "B"), (), ("A",)]), "linear"), "sources"),
        (lambda: credit(journeys(("A>B", True, (0, 9), 5)), "time_decay"), "conversion_day"),
        (lambda: credit(journeys(("A>B", True)).assign(days=[(0,)]), "time_decay"), "days"),
    ],
)
def test_bad_input_names_the_field(call, field):
    with pytest.raises(InputError, match=field):
        call()


def _big_market() -> pd.DataFrame:
    """200,000 journeys over 16 sources, paths up to 100 touches."""
    rng = np.random.default_rng(11)
    names = np.array([f"source_{i}" for i in range(16)], dtype=object)
    lengths = np.minimum(rng.geometric(0.2, size=200_000), 100)
    touches = np.split(names[rng.integers(0, 16, size=lengths.sum())], np.cumsum(lengths)[:-1])
    converted = rng.random(len(lengths)) < 0.3
    data = pd.DataFrame(
        {
            "sources": [tuple(t) for t in touches],
            "days": [tuple(range(n)) for n in lengths],
            "converted": converted,
            "conversion_day": np.where(converted, lengths - 1, -1),
        }
    )
    return data


def test_all_models_share_out_a_big_market():
    table = shares(_big_market())
    assert table.sum(axis=1).to_numpy() == pytest.approx(np.ones(len(MODELS)))


@pytest.mark.slow
def test_all_models_are_fast_on_a_big_market():
    # All nine in about a second on an idle 2-core machine; the bounds leave room for a loaded
    # machine and still catch a model that loops over prospects in Python.
    data = _big_market()
    began = time.perf_counter()
    shares(data)
    assert time.perf_counter() - began < 30
    began = time.perf_counter()
    credit(data.iloc[:100_000], "shapley")
    assert time.perf_counter() - began < 10


def chain_journeys(rng: np.random.Generator, count: int, channels: int) -> pd.DataFrame:
    """Paths of a first-order chain: after a touch of channel i, convert with 0.4 (i = 0)
    down to 0 (the last channel), stop with 0.25, else touch a random channel."""
    names = [f"channel_{i}" for i in range(channels)]
    convert = np.linspace(0.4, 0.0, channels)
    rows = []
    for _ in range(count):
        path = [rng.integers(channels)]
        while (draw := rng.random()) >= convert[path[-1]] + 0.25:
            path.append(rng.integers(channels))
        rows.append((tuple(names[c] for c in path), bool(draw < convert[path[-1]])))
    return journeys(*((">".join(sources), converted) for sources, converted in rows))


def test_markov_order_1_agrees_with_channelattribution():
    import ChannelAttribution as ca  # noqa: N813 - the test extra installs it

    data = chain_journeys(np.random.default_rng(13), count=2000, channels=4)
    table = (
        data.assign(path=data["sources"].map(" > ".join), null=~data["converted"])
        .groupby("path", as_index=False)[["converted", "null"]]
        .sum()
    )
    theirs = ca.markov_model(
        table, "path", "converted", var_null="null", order=1, verbose=False, flg_pro=False
    )  # simulated (seed 0): its shares are within about 0.005 of the exact ones
    theirs = theirs.set_index("channel_name")["total_conversions"]
    ours = credit(data, "markov_1")
    theirs = theirs.reindex(ours.index)
    assert (ours / ours.sum()).to_numpy() == pytest.approx(
        (theirs / theirs.sum()).to_numpy(), abs=0.01
    )
    linear = credit(data, "linear")  # while the models differ by more than the tolerance
    assert np.abs(ours / ours.sum() - linear / linear.sum()).max() > 0.04
