"""A KPI's value is a finite number or says why there is none (never ``inf``)."""

from sim.analysis.kpis.value import Undefined, ratio


def test_a_ratio_that_overflows_is_undefined_not_infinite():
    """A margin of 2e-308 a month never pays back a cost of sale: no KPI is ``inf``."""
    assert ratio(1e10, 2.2e-308, "never pays back") == Undefined("never pays back")
    assert ratio(3.0, 2.0, "x") == 1.5
    assert ratio(1.0, 0.0, "nothing") == Undefined("nothing")
