"""A run's plain record: everything its KPIs are computed from, stored and reloaded as it was.

The record holds numbers, not the model: the tally of who was won through which touches,
the prospects' final columns, the leads' response times, the ledger, the daily table and
the few scenario terms the KPIs read. A stored record can be scored again, by a
catalogue that has gained KPIs since (:func:`~sim.analysis.kpis.catalogue.score`).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.folders import write_file
from sim.model.lifetime import lifetimes
from sim.scenario.errors import InputError
from sim.scenario.vocabulary import Payer

if TYPE_CHECKING:
    from sim.model.model import JourneyModel
    from sim.scenario.schema import Scenario

PROSPECT_COLUMNS = (
    "reached",
    "customer_since",
    "contacted",
    "handoff_day",
    "first_touch",
    "first_touch_day",
    "opportunity_day",
    "deal_reached",
    "no_decision",
    "left_day",
    "referred",
    "lifetime_value",
    "lifetime_years",
)
"""The prospects' final columns the KPIs read: stages ever reached (a bit per stage), the
day each was won (0 = the installed base, -1 = never), whether a rep spoke with them, the
day of their handoff to sales, the source of their first touch (its index in the record's
sources; -1 = never touched), the day of their first touch and of becoming an opportunity
(-1 = never), the deal stages ever reached (a bit per stage), and whether a deal ready to
buy ended in no decision, the day a customer churned (-1 = did not), whether they came by
referral, and a customer's lifetime value and discounted years as a customer, run on past
the horizon (:mod:`sim.model.lifetime`; 0 for a row not won during the run)."""

FORMAT = 4
"""Version of the stored record's layout."""


@dataclass
class RunRecord:
    """One run's results as plain data: the KPIs' only input.

    Attributes:
        sources: The touch sources, in attribution order (channels, then shared ones).
        days: Days simulated.
        price: Revenue per purchase.
        margin: Gross margin share of the price.
        discount_rate_per_year: The discount rate of customer lifetime value.
        subscription: Whether the product is sold by term and renewed.
        sample_share: The share of the market simulated (1 when the prospects are it).
        planned_per_month: Per enabled channel, its budget and fixed cost a month.
        tally: The run's counts (``sim.model.ledger.Tally``): scalars, and arrays by
            touch source or trust dimension.
        prospects: One array per :data:`PROSPECT_COLUMNS`, a row per prospect.
        response_hours: Hours from handoff to the first rep call of each lead that was
            due one; ``inf`` for a lead never called.
        expired_leads: Leads that expired in the sales queue.
        review_score: Mean review score (0..1), None without reviews.
        ledger: Every cost and revenue item.
        daily: One row per day: stage counts, spend, new customers.
    """

    sources: list[str]
    days: int
    price: float
    margin: float
    discount_rate_per_year: float
    subscription: bool
    sample_share: float
    planned_per_month: dict[str, float]
    tally: dict[str, Any]
    prospects: dict[str, np.ndarray]
    response_hours: np.ndarray
    expired_leads: int
    review_score: float | None
    ledger: pd.DataFrame
    daily: pd.DataFrame

    @classmethod
    def of(cls, model: JourneyModel, replica: int = 0, spec: Scenario | None = None) -> RunRecord:
        """The record of one replication of a model that has been stepped.

        ``spec`` is the scenario the replication ran if not the model's (its own budgets).
        """
        spec = model.spec if spec is None else spec
        size = spec.population.size
        block = model.prospects.block(replica * size, (replica + 1) * size)
        tally = vars(model.tally.of(replica))
        ledger = model.ledger.to_frame(replica)
        return cls(
            sources=list(model.sources),
            days=model.day,
            price=spec.product.price,
            margin=spec.product.margin,
            discount_rate_per_year=spec.product.discount_rate_per_year,
            subscription=bool(spec.product.term_months),
            sample_share=spec.population.sample_share,
            planned_per_month={  # a channel its own budgets switch off plans nothing
                name: (spec.channels[name].budget + spec.channels[name].fixed_cost_per_month)
                * spec.channels[name].enabled
                for name in model.spec.enabled_channels()
            },
            tally={name: value.copy() for name, value in tally.items() if name != "sources"},
            prospects=_prospects(model, block, replica * size, ledger),
            response_hours=model.sales_queue.response_hours(replica, model.day),
            expired_leads=int(model.sales_queue.expired[replica]),
            review_score=model.reviews.score(replica),
            ledger=ledger,
            daily=model.daily.frame(replica),
        )

    def save(self, path: str | Path) -> Path:
        """Write the record to one ``.npz`` file (numpy arrays, no pickles), all or nothing."""
        meta: dict[str, Any] = {
            "format": FORMAT,
            **{name: getattr(self, name) for name in _TERMS},
        }
        arrays = {
            **{f"tally.{k}": np.asarray(v) for k, v in self.tally.items()},
            **{f"prospects.{k}": v for k, v in self.prospects.items()},
            "response_hours": self.response_hours,
            **_frame_arrays("ledger", self.ledger, meta),
            **_frame_arrays("daily", self.daily, meta),
        }
        arrays["meta"] = np.array(json.dumps(meta))

        def write(tmp: Path) -> None:
            with tmp.open("wb") as file:
                np.savez_compressed(file, **arrays)

        write_file(Path(path), write)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> RunRecord:
        """A record written by :meth:`save`.

        Raises:
            InputError: ``path`` is not a readable run record of this format.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            meta = json.loads(str(arrays.pop("meta")))
            if meta.get("format") != FORMAT:
                raise ValueError(f"layout {meta.get('format')!r}, not {FORMAT}")
            return cls(
                **{name: meta[name] for name in _TERMS},
                tally={
                    k.removeprefix("tally."): v[()] if v.ndim == 0 else v
                    for k, v in arrays.items()
                    if k.startswith("tally.")
                },
                prospects={name: arrays[f"prospects.{name}"] for name in PROSPECT_COLUMNS},
                response_hours=arrays["response_hours"],
                ledger=_frame("ledger", arrays, meta),
                daily=_frame("daily", arrays, meta),
            )
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise InputError(f"{path}: not a run record ({type(exc).__name__}: {exc})") from None


def _prospects(
    model: JourneyModel, block: Any, start: int, ledger: pd.DataFrame
) -> dict[str, np.ndarray]:
    """One replication's prospect columns for the record, lifetimes run off past today.

    ``start`` is the replication's first row, ``ledger`` its ledger: what each customer
    paid during the run is read from it.
    """
    paid = ledger[(ledger.payer_type == Payer.CUSTOMER) & (ledger.prospect_id >= 0)]
    payments = (paid.prospect_id.to_numpy(), paid.day.to_numpy(), paid.amount.to_numpy())
    value, years = lifetimes(model, start, start + block.n, payments)
    derived = {"referred": block.referred_by >= 0, "lifetime_value": value, "lifetime_years": years}
    return {
        name: derived[name] if name in derived else getattr(block, name).copy()
        for name in PROSPECT_COLUMNS
    }


_TERMS = (
    "sources",
    "days",
    "price",
    "margin",
    "discount_rate_per_year",
    "subscription",
    "sample_share",
    "planned_per_month",
    "expired_leads",
    "review_score",
)
"""The record's plain fields, stored as JSON beside its arrays."""


def _frame_arrays(prefix: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    """A DataFrame's columns as arrays (categories as codes, text as unicode), described in meta."""
    arrays, columns = {}, []
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            arrays[f"{prefix}.{name}"] = column.cat.codes.to_numpy()
            columns.append([name, [str(c) for c in column.cat.categories]])
        elif pd.api.types.is_string_dtype(column.dtype):
            arrays[f"{prefix}.{name}"] = column.to_numpy(dtype=str)
            columns.append([name, "text"])
        else:
            arrays[f"{prefix}.{name}"] = column.to_numpy()
            columns.append([name, None])
    meta[prefix] = columns
    return arrays


def _frame(prefix: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> pd.DataFrame:
    """The DataFrame :func:`_frame_arrays` stored."""
    data: dict[str, Any] = {}
    for name, kind in meta[prefix]:
        values = arrays[f"{prefix}.{name}"]
        if isinstance(kind, list):
            data[name] = pd.Categorical.from_codes(values, categories=kind)
        else:
            data[name] = values.astype(object) if kind == "text" else values
    return pd.DataFrame(data, columns=[name for name, _ in meta[prefix]])
