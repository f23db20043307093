"""What the user does not know: distributions for numeric fields and a calibrated posterior.

Any numeric field of a scenario may be written as a distribution instead of a value,
``quality: {mean: {uniform: [0.3, 1.2]}}``: the loader lifts it into
``uncertainty.inputs`` (dotted key → distribution) and validates the scenario at the
distribution's median. A posterior from ``calibrate`` (weighted particles) is
``uncertainty.posterior``. Each run draws one value set from its own seed
(:mod:`sim.scenario.draws`), so every plan run on the same seed meets the same draws.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, RootModel, ValidationError, model_validator

from sim.scenario.schema.fields import Section

DISTRIBUTIONS = {
    "uniform": "[low, high]",
    "loguniform": "[low, high], low > 0",
    "normal": "[mean, sd]",
    "lognormal": "[mean, sd] of the value itself, mean > 0",
    "beta": "[a, b] on 0..1, or [a, b, low, high]",
    "triangular": "[low, mode, high]",
}
"""The distributions a field may take, by name, and their parameters."""

DistributionName = Literal[tuple(DISTRIBUTIONS)]

TAIL = 0.001
"""Draws come from the central 1 − 2·TAIL of a distribution (a normal cannot reach ±inf)."""


class Distribution(RootModel[dict[DistributionName, list[float]]]):
    """One named distribution and its parameters, e.g. ``{uniform: [0.3, 1.2]}``."""

    @model_validator(mode="after")
    def _well_formed(self) -> Distribution:
        if len(self.root) != 1:
            raise ValueError(f"give exactly one distribution ({', '.join(DISTRIBUTIONS)})")
        ((name, params),) = self.root.items()
        if not all(math.isfinite(p) for p in params):
            raise ValueError(f"{name}: parameters must be finite; got {params}")
        sizes = {"beta": (2, 4), "triangular": (3,)}.get(name, (2,))
        if len(params) not in sizes:
            raise ValueError(f"{name}: expected {DISTRIBUTIONS[name]}; got {params}")
        problem = _problem(name, params)
        if problem:
            raise ValueError(f"{name} {params}: {problem}")
        return self

    @property
    def name(self) -> str:
        """The distribution's name."""
        return next(iter(self.root))

    @property
    def params(self) -> list[float]:
        """Its parameters, as written."""
        return next(iter(self.root.values()))

    def frozen(self) -> Any:
        """The scipy.stats distribution (imported here: it costs every process ~0.8 s)."""
        from scipy import stats

        name, p = self.name, self.params
        if name == "uniform":
            return stats.uniform(p[0], p[1] - p[0])
        if name == "loguniform":
            return stats.loguniform(p[0], p[1])
        if name == "normal":
            return stats.norm(p[0], p[1])
        if name == "lognormal":
            sigma2 = math.log1p((p[1] / p[0]) ** 2)
            return stats.lognorm(math.sqrt(sigma2), scale=p[0] * math.exp(-sigma2 / 2))
        if name == "beta":
            low, high = (p[2], p[3]) if len(p) == 4 else (0.0, 1.0)
            return stats.beta(p[0], p[1], loc=low, scale=high - low)
        return stats.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])

    def value(self, u: float) -> float:
        """The value at quantile ``u`` of the truncated distribution (u in [0, 1])."""
        return float(self.frozen().ppf(TAIL + u * (1 - 2 * TAIL)))

    def range(self) -> tuple[float, float]:
        """The lowest and highest value a draw can take."""
        return self.value(0.0), self.value(1.0)

    def central(self) -> float:
        """The median: the value the scenario is validated (and described) at."""
        median = self.value(0.5)
        whole = all(float(p).is_integer() for p in self.params) and self.name != "beta"
        return float(round(median)) if whole else median

    def text(self) -> str:
        """As written: ``uniform [0.3, 1.2]``."""
        return f"{self.name} [{', '.join(f'{p:g}' for p in self.params)}]"


def _problem(name: str, p: list[float]) -> str:
    """What is wrong with a distribution's parameters ("" if nothing)."""
    if name in ("uniform", "loguniform") and not p[0] < p[1]:
        return "needs low < high"
    if name == "loguniform" and p[0] <= 0:
        return "needs low > 0"
    if name in ("normal", "lognormal") and p[1] <= 0:
        return "needs sd > 0"
    if name == "lognormal" and p[0] <= 0:
        return "needs mean > 0"
    if name == "beta" and (p[0] <= 0 or p[1] <= 0 or (len(p) == 4 and not p[2] < p[3])):
        return "needs a, b > 0 (and low < high)"
    if name == "triangular" and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
        return "needs low <= mode <= high and low < high"
    return ""


class Posterior(Section):
    """Weighted parameter sets from ``calibrate``: a joint distribution of several fields."""

    source: str = Field("", max_length=1000, description="Where it came from (a folder).")
    keys: list[str] = Field(min_length=1, description="The calibrated fields (dotted keys).")
    values: list[list[float]] = Field(min_length=1, description="One row per particle.")
    weights: list[Annotated[float, Field(ge=0)]] = Field(description="One per particle.")

    @model_validator(mode="after")
    def _shaped(self) -> Posterior:
        if len(self.weights) != len(self.values) or not sum(self.weights) > 0:
            raise ValueError("needs one weight per particle, not all zero")
        if any(len(row) != len(self.keys) for row in self.values):
            raise ValueError(f"every particle needs one value per key ({len(self.keys)})")
        return self

    def pick(self, u: float) -> dict[str, float]:
        """The particle at quantile ``u`` of the weights (u in [0, 1))."""
        cumulative = np.cumsum(self.weights)
        i = int(np.searchsorted(cumulative, u * cumulative[-1], side="right"))
        return dict(zip(self.keys, self.values[min(i, len(self.values) - 1)], strict=True))


class Uncertainty(Section):
    """The inputs a run draws: distributions by field, and a posterior (its keys win)."""

    inputs: dict[str, Distribution] = Field(
        default_factory=dict, description="Dotted key → distribution; lifted from the fields."
    )
    posterior: Posterior | None = Field(None, description="From `--posterior DIR`.")

    def keys(self) -> list[str]:
        """Every uncertain field: the posterior's, then the other inputs."""
        first = list(self.posterior.keys) if self.posterior else []
        return first + [k for k in self.inputs if k not in first]

    def __bool__(self) -> bool:
        return bool(self.inputs) or self.posterior is not None


def lift_distributions(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with each inline distribution replaced by its median and listed in ``uncertainty``.

    A distribution is a mapping of exactly one distribution name to a list.

    Raises:
        BadDistributionError: One that cannot be drawn from, with its dotted key.
    """
    found: dict[str, Any] = {}

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        out = {}
        for key, value in node.items():
            where = (*path, str(key))
            if not path and key == "uncertainty":
                out[key] = value
            elif _inline(value):
                found[".".join(where)] = value
                out[key] = _central(".".join(where), value)
            elif isinstance(value, dict):
                out[key] = walk(value, where)
            else:
                out[key] = value
        return out

    lifted = walk(raw, ())
    if not found:
        return raw
    section = dict(lifted.get("uncertainty") or {})
    section["inputs"] = {**dict(section.get("inputs") or {}), **found}
    lifted["uncertainty"] = section
    return lifted


def without_inputs(raw: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    """``raw`` with ``keys`` no longer uncertain: they were given a value (an override).

    A key given a distribution stays uncertain with it; a posterior loses the columns.
    """
    section = raw.get("uncertainty")
    fixed = {key for key in keys if not _inline(_at(raw, key))}
    if not isinstance(section, dict) or not fixed:
        return raw
    section = dict(section)
    inputs = section.get("inputs")
    if isinstance(inputs, dict):
        section["inputs"] = {k: v for k, v in inputs.items() if k not in fixed}
    posterior = section.get("posterior")
    if isinstance(posterior, dict) and fixed & set(posterior.get("keys") or ()):
        keep = [i for i, k in enumerate(posterior["keys"]) if k not in fixed]
        posterior = {
            **posterior,
            "keys": [posterior["keys"][i] for i in keep],
            "values": [[row[i] for i in keep] for row in posterior.get("values") or ()],
        }
        section["posterior"] = posterior if keep else None
    return {**raw, "uncertainty": section}


def _at(raw: dict[str, Any], key: str) -> Any:
    node: Any = raw
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _inline(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in DISTRIBUTIONS
        and isinstance(next(iter(value.values())), list)
    )


class BadDistributionError(ValueError):
    """An inline distribution that cannot be drawn from: its dotted key and the problem."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


def _central(key: str, value: dict[str, Any]) -> float:
    """The median of an inline distribution."""
    try:
        return Distribution.model_validate(value).central()
    except ValueError as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
        raise BadDistributionError(key, errors[0]["msg"].removeprefix("Value error, ")) from None
