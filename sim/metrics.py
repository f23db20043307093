"""KPIs of a finished run, and statistics across replications (seed 001).

Every KPI is a number or ``None``; a ``None`` always comes with a reason (no
customers, nothing spent, ...) instead of a crash or a division by zero.
Across replications each KPI is a mean with a Student-t 95% confidence
interval; two strategies run on common random numbers are compared with a
paired t-test on the per-replication differences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.population import Stage
from sim.scenario import DIMENSIONS

if TYPE_CHECKING:
    from sim.model import JourneyModel

Kpis = dict[str, float | None]

FUNNEL = (
    ("unaware", "aware"),
    ("aware", "engaged"),
    ("engaged", "evaluating"),
    ("evaluating", "sales_qualified"),
    ("sales_qualified", "customer"),
    ("customer", "advocate"),
)
"""Stage transitions whose conversion rates are reported."""

HEADLINE = (
    "customers",
    "cost_of_sale",
    "clv",
    "clv_to_cac",
    "payback_days",
    "conversion_rate",
    "lead_response_hours",
    "churn_rate",
    "referral_share",
    "touches_per_sale.total",
    "marketing_spend",
    "sales_cost",
    "referral_rewards",
    "post_purchase_cost",
    "revenue",
    "roi",
)
"""The KPIs shown first in tables, in this order."""


class _Kpis:
    """Collects KPI values and the reasons for the undefined ones."""

    def __init__(self) -> None:
        self.values: Kpis = {}
        self.undefined: dict[str, str] = {}

    def ratio(self, name: str, num: float, den: float, reason: str) -> float | None:
        if den == 0:
            self.values[name] = None
            self.undefined[name] = reason
            return None
        self.values[name] = float(num) / float(den)
        return self.values[name]

    def set(self, name: str, value: float | None, reason: str = "") -> None:
        self.values[name] = None if value is None else float(value)
        if value is None:
            self.undefined[name] = reason


def run_kpis(model: JourneyModel, ledger: pd.DataFrame) -> tuple[Kpis, dict[str, str]]:
    """All KPIs of one finished run.

    Args:
        model: The model after its last step.
        ledger: ``model.ledger.to_frame()``.

    Returns:
        ``(kpis, undefined)``: KPI name → value (None if undefined), and KPI name → reason.
    """
    spec, tally, table = model.spec, model.tally, model.prospects
    k = _Kpis()
    by_type = ledger.groupby("payer_type", observed=False)["amount"].sum()
    by_payer = ledger[ledger.payer_type == "channel"].groupby("payer")["amount"].sum()
    marketing = float(by_type.get("channel", 0.0))
    sales = float(by_type.get("rep", 0.0))
    rewards = float(by_type.get("referral", 0.0))
    post = float(by_type.get("post_purchase", 0.0))
    revenue = float(by_type.get("customer", 0.0))
    acquisition = marketing + sales + rewards
    customers = tally.customers
    no_customers = "no new customers were won"

    k.set("customers", customers)
    cost_of_sale = k.ratio("cost_of_sale", acquisition, customers, no_customers)
    spend_by_source = {name: float(by_payer.get(name, 0.0)) for name in model.sources}
    spend_by_source.update(rep=sales, referral=rewards, reviews=0.0)
    for i, source in enumerate(model.sources):
        if source == "reviews":
            continue
        for kind, counts in (("first", tally.by_first_touch), ("last", tally.by_last_touch)):
            k.ratio(
                f"cac_{kind}_touch.{source}",
                spend_by_source[source],
                counts[i],
                f"no customer had {source} as {kind} touch",
            )

    margin = spec.product.price * spec.product.margin
    customer_years = tally.customer_days / 365.0
    if customer_years == 0:
        repeat_rate = churn_rate = None
        k.set("churn_rate", None, "no customer-days were observed")
        k.set("clv", None, "no customer-days were observed")
    else:
        repeat_rate = tally.repeat_purchases / customer_years
        churn_rate = k.ratio("churn_rate", tally.churned, customer_years, "")
        horizon = churn_rate + spec.product.discount_rate_per_year
        k.ratio("clv", margin * (horizon + repeat_rate), horizon, "no churn and no discounting")
    clv = k.values["clv"]
    if clv is None or cost_of_sale is None:
        k.set("clv_to_cac", None, "clv or cost of sale is undefined")
    else:
        k.ratio("clv_to_cac", clv, cost_of_sale, "acquisition cost nothing")
    if cost_of_sale is None:
        k.set("payback_days", None, no_customers)
    elif cost_of_sale <= margin:
        k.set("payback_days", 0.0)
    else:
        daily = (repeat_rate or 0.0) * margin / 365.0
        k.ratio("payback_days", cost_of_sale - margin, daily, "no repeat margin: never pays back")

    prospects = int((table.reached & (1 << Stage.UNAWARE) != 0).sum())
    k.ratio("conversion_rate", customers, prospects, "no prospects")
    for stage in Stage:
        k.set(f"funnel.{stage.name.lower()}", int(((table.reached & (1 << stage)) != 0).sum()))
    for a, b in FUNNEL:
        bit_a, bit_b = 1 << Stage[a.upper()], 1 << Stage[b.upper()]
        has_a = (table.reached & bit_a) != 0
        both = int((has_a & ((table.reached & bit_b) != 0)).sum())
        k.ratio(f"conversion_rate.{a}_to_{b}", both, int(has_a.sum()), f"nobody reached {a}")

    response = model.sales_queue.median_response_hours()
    k.set("lead_response_hours", response, "no lead was contacted by a rep")
    handed_off = int(((table.reached & (1 << Stage.SALES_QUALIFIED)) != 0).sum())
    k.ratio("lead_expiry_rate", model.sales_queue.expired, handed_off, "no lead was handed off")
    k.ratio("referral_share", tally.referred_customers, customers, no_customers)
    k.ratio("touches_per_sale.total", tally.touches_by_source.sum(), customers, no_customers)
    for d, dim in enumerate(DIMENSIONS):
        k.ratio(f"touches_per_sale.{dim}", tally.touches_by_dim[d], customers, no_customers)
    for i, source in enumerate(model.sources):
        k.ratio(
            f"touches_per_sale.source.{source}", tally.touches_by_source[i], customers, no_customers
        )

    k.set("marketing_spend", marketing)
    k.set("sales_cost", sales)
    k.set("referral_rewards", rewards)
    k.set("post_purchase_cost", post)
    k.set("revenue", revenue)
    total_cost = acquisition + post
    k.set("total_cost", total_cost)
    k.ratio("roi", revenue * spec.product.margin - total_cost, total_cost, "nothing was spent")
    k.set("review_score", model.reviews.score, "no reviews")
    return k.values, k.undefined


def confidence_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of finite ``values`` (NaN if fewer than 2)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(values.mean())
    if values.size < 2:
        return (mean, np.nan, np.nan)
    from scipy import stats  # deferred: scipy.stats takes a while to import

    sem = float(values.std(ddof=1)) / np.sqrt(values.size)
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1)) * sem
    return (mean, mean - half, mean + half)


def summarize(kpis: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Mean and 95% CI of every KPI per group, from a tidy per-replication table.

    Args:
        kpis: One row per run, a ``by`` column, and one column per KPI.
        by: The grouping column.

    Returns:
        One row per group × KPI: ``mean``, ``ci_low``, ``ci_high``, ``n`` (finite runs).
    """
    rows = []
    for group, frame in kpis.groupby(by, sort=False):
        for kpi in kpi_columns(kpis):
            values = pd.to_numeric(frame[kpi], errors="coerce").to_numpy(dtype=float)
            mean, low, high = confidence_interval(values)
            n = int(np.isfinite(values).sum())
            rows.append(
                {by: group, "kpi": kpi, "mean": mean, "ci_low": low, "ci_high": high, "n": n}
            )
    return pd.DataFrame(rows)


def paired_difference(
    baseline: np.ndarray, other: np.ndarray, level: float = 0.95
) -> dict[str, float | bool]:
    """Paired comparison over replications run on common random numbers.

    Returns the mean difference (other − baseline), its t confidence interval,
    the paired t-test p-value, and ``clear``: whether the interval excludes 0.
    Pairs where either value is undefined are dropped.
    """
    a, b = np.asarray(baseline, float), np.asarray(other, float)
    ok = np.isfinite(a) & np.isfinite(b)
    diff = b[ok] - a[ok]
    mean, low, high = confidence_interval(diff, level)
    p = _paired_t_p_value(diff)
    clear = bool(np.isfinite(low) and (low > 0 or high < 0)) or p == 0.0
    return {
        "diff": mean,
        "diff_low": low,
        "diff_high": high,
        "p_value": p,
        "clear": clear,
        "pairs": int(diff.size),
    }


def _paired_t_p_value(diff: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test; 0 for a constant non-zero difference."""
    if diff.size < 2:
        return np.nan
    sd = float(diff.std(ddof=1))
    mean = float(diff.mean())
    if sd <= 1e-12 * max(abs(mean), 1.0):
        return 0.0 if mean != 0 else np.nan
    from scipy import stats

    t = mean / (sd / np.sqrt(diff.size))
    return float(2 * stats.t.sf(abs(t), diff.size - 1))


def kpi_columns(frame: pd.DataFrame) -> list[str]:
    """The KPI columns of a tidy results table, headline KPIs first."""
    meta = {"scenario", "replication", "seed", "run_id"}
    names = [c for c in frame.columns if c not in meta and not c.startswith("param.")]
    first = [c for c in HEADLINE if c in names]
    return first + [c for c in names if c not in first]
