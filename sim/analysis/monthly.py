"""The monthly view of a run: the daily table by 30-day month, with SaaS metrics, and cohorts.

A board reads a subscription business by month: customers and logo churn, revenue and
what acquisition and care cost, annual recurring revenue (ARR) with its new, expansion,
contraction and churned movements, net and gross revenue retention, and the quarterly
sales-efficiency "magic number". The cohort table follows each month's new customers:
the share still customers 0, 1, 2, … months after they were won.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.daily import (
    ARR,
    ARR_COLUMNS,
    CARE_SPEND,
    DAY,
    NEW_CUSTOMERS,
    REVENUE,
    SPEND_PREFIX,
    stage_column,
)
from sim.scenario.vocabulary import DAYS_PER_MONTH

MONTH = "month"
QUARTER_MONTHS = 3


def month_of(days: np.ndarray | pd.Series) -> np.ndarray:
    """The month (1, 2, …) of each simulated day (day 0, the start, belongs to none: 0)."""
    days = np.asarray(days)
    return np.where(days >= 1, (days - 1) // int(DAYS_PER_MONTH) + 1, 0)


def monthly(daily: pd.DataFrame) -> pd.DataFrame:
    """One replication's daily table by month: flows summed, levels at the month's end.

    Columns: ``month``, ``last_day``, ``new_customers``, ``customers`` (at the month's
    end), ``customers_lost``, ``logo_churn`` (lost / customers at the start),
    ``revenue``, ``acquisition_spend``, ``care_spend``, ``arr_start``, ``arr_new``,
    ``arr_expansion``, ``arr_contraction``, ``arr_churned``, ``arr_end``,
    ``net_revenue_retention`` and ``gross_revenue_retention`` (the month's, on the ARR
    at its start) and ``magic_number`` (at a quarter's last month: net new ARR in the
    quarter over acquisition spend in the quarter before).
    """
    customers = daily[stage_column("customer")] + daily[stage_column("advocate")]
    lost = daily[stage_column("churned")].diff().fillna(0.0)
    spend = [c for c in daily.columns if c.startswith(SPEND_PREFIX) and c != CARE_SPEND]
    frame = pd.DataFrame(
        {
            MONTH: month_of(daily[DAY]),
            "last_day": daily[DAY],
            "new_customers": daily[NEW_CUSTOMERS],
            "customers": customers,
            "customers_lost": lost,
            "revenue": daily[REVENUE],
            "acquisition_spend": daily[spend].sum(axis=1),
            "care_spend": daily[CARE_SPEND],
            "arr_end": daily[ARR],
            **{column.replace(".", "_"): daily[column] for column in ARR_COLUMNS},
        }
    )
    opening = frame.iloc[0]
    months = frame[frame[MONTH] >= 1].groupby(MONTH, sort=True)
    flows = ["new_customers", "customers_lost", "revenue", "acquisition_spend", "care_spend"]
    flows += [column.replace(".", "_") for column in ARR_COLUMNS]
    table = months[flows].sum()
    table["last_day"] = months["last_day"].max()
    table["customers"] = months["customers"].last()
    table["arr_end"] = months["arr_end"].last()
    start = table["customers"].shift(1, fill_value=opening["customers"])
    table["logo_churn"] = table["customers_lost"] / start.where(start > 0)
    arr_start = table["arr_end"].shift(1, fill_value=opening["arr_end"])
    table["arr_start"] = arr_start
    base = arr_start.where(arr_start > 0)
    kept = arr_start - table["arr_contraction"] - table["arr_churned"]
    table["gross_revenue_retention"] = kept / base
    table["net_revenue_retention"] = (kept + table["arr_expansion"]) / base
    table["magic_number"] = _magic_numbers(table)
    order = [
        "last_day",
        "new_customers",
        "customers",
        "customers_lost",
        "logo_churn",
        "revenue",
        "acquisition_spend",
        "care_spend",
        "arr_start",
        *(column.replace(".", "_") for column in ARR_COLUMNS),
        "arr_end",
        "net_revenue_retention",
        "gross_revenue_retention",
        "magic_number",
    ]
    return table[order].reset_index()


def _magic_numbers(table: pd.DataFrame) -> pd.Series:
    """Net new ARR in each full quarter over acquisition spend in the quarter before."""
    out = pd.Series(np.nan, index=table.index)
    arr = table["arr_end"].to_numpy()
    opening = table["arr_start"].to_numpy()
    spend = table["acquisition_spend"].to_numpy()
    q = QUARTER_MONTHS
    for i in range(2 * q - 1, len(table), q):  # quarters 2, 3, …: a quarter before exists
        before = spend[i - 2 * q + 1 : i - q + 1].sum()
        if before > 0:
            out.iloc[i] = (arr[i] - opening[i - q + 1]) / before
    return out


def cohort_retention(customer_since: np.ndarray, left_day: np.ndarray, days: int) -> pd.DataFrame:
    """The share of each month's new customers still customers k months later.

    Rows: the month the customers were won; columns ``0, 1, …``: months since. A cell
    counts only the customers whose k-th month had come by the end of the run.
    """
    won = customer_since >= 1
    since, left = customer_since[won].astype(np.int64), left_day[won].astype(np.int64)
    if since.size == 0:
        return pd.DataFrame(index=pd.Index([], name=MONTH))
    cohort = month_of(since)
    step = int(DAYS_PER_MONTH)
    horizon = (days - since.min()) // step
    rows = {}
    for month in np.unique(cohort):
        mine = cohort == month
        shares = []
        for k in range(horizon + 1):
            due = since[mine] + k * step
            seen = due <= days
            if not seen.any():
                break
            stayed = (left[mine] < 0) | (left[mine] > due)
            shares.append(float(stayed[seen].mean()))
        rows[int(month)] = shares
    width = max(len(shares) for shares in rows.values())
    padded = {m: shares + [np.nan] * (width - len(shares)) for m, shares in rows.items()}
    frame = pd.DataFrame.from_dict(padded, orient="index", columns=list(range(width)))
    frame.index.name = MONTH
    return frame
