"""One colour per scenario: the one its file declares, in every figure and the dashboard."""

from __future__ import annotations

from matplotlib.colors import to_hex

import sim
from sim.experiments import compare
from sim.outputs import compare_figures, run_figures
from sim.outputs.style import colors_of, scenario_colors, wrap_label
from tests.conftest import SCENARIOS, small


def test_every_figure_of_a_comparison_uses_the_declared_colours():
    # touchpoint management given first: a colour by order would differ from the file's
    scenarios = [small(size=300, days=20), small("aida_funnel", size=300, days=20)]
    declared = {s.name: s.color for s in scenarios}
    assert all(declared.values()) and len(set(declared.values())) == 2
    comparison = compare(scenarios, 2, workers=1, progress=False)
    summary = comparison.summary()
    bars = compare_figures.kpi_ci_figure(summary, declared=comparison.colors)
    colours = [to_hex(p.get_facecolor()) for p in bars.axes[0].patches]
    assert colours == [declared[s.name] for s in scenarios]
    lines = compare_figures.cumulative_customers_figure(comparison.daily, comparison.colors)
    by_label = {line.get_label(): to_hex(line.get_color()) for line in lines.axes[0].lines}
    assert by_label == {wrap_label(s.name): declared[s.name] for s in scenarios}
    funnel = compare_figures.funnel_figure(comparison.kpis, comparison.colors)
    legend = funnel.axes[0].get_legend_handles_labels()[0]
    assert [to_hex(h.patches[0].get_facecolor()) for h in legend] == colours
    live = run_figures.cost_of_sale_figure(
        {s.name: comparison.daily[comparison.daily.scenario == s.name] for s in scenarios},
        declared,
    )
    assert [to_hex(line.get_color()) for line in live.axes[0].lines] == colours


def test_undeclared_and_repeated_colours_get_free_palette_colours():
    variant = sim.load_scenario(SCENARIOS / "touchpoint_management.yaml", {"name": "variant"})
    scenarios = [small(size=100, days=5), variant]
    colours = colors_of(scenarios)  # the variant inherits the colour through its file
    assert to_hex(colours["touchpoint_management"]) == scenarios[0].color
    assert to_hex(colours["variant"]) != scenarios[0].color
    plain = scenario_colors(["a", "b"])
    assert plain["a"] != plain["b"]
