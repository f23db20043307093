"""A live Plotly chart as a small Vue widget: the layout once, then only numbers per frame.

Plotly's own ``FigureWidget`` ships plotly.js (about 5 MB) through the websocket for
every chart; with a room of sessions, charts stayed empty. anywidget's runtime gives a
widget 2 s to start, which a loaded room's browsers do not always meet. This widget is
an ipyvue template (what Solara's own components are made of): it loads
``plotly.min.js`` once per page as a static file from the installed plotly package
(served by Solara's asset route, see :func:`serve_plotly`), draws with ``Plotly.react``
(which updates the figure in place), and gets only the traces per frame.
"""

from __future__ import annotations

from pathlib import Path

import ipyvue
import plotly
import traitlets

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_URL = "/static/assets/plotly.min.js"
"""Where the page fetches plotly.js: Solara serves its asset folders there."""

LOADER = """
    plotly() {
      if (!window.touchpointPlotly) {
        window.touchpointPlotly = window.Plotly ? Promise.resolve(window.Plotly)
          : new Promise((resolve, reject) => {
              const script = document.createElement("script");
              script.src = this.plotly_url;
              script.onload = () => resolve(window.Plotly);
              script.onerror = () => {
                window.touchpointPlotly = null;
                reject(new Error(script.src));
              };
              document.head.appendChild(script);
            });
      }
      return window.touchpointPlotly;
    },
"""

CHART = (
    """
<template>
  <div class="touchpoint-cell">
    <div class="touchpoint-chart" ref="chart" :data-plot="plot"></div>
  </div>
</template>
<script>
module.exports = {
  mounted() {
    this.observer = new ResizeObserver(() => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        const chart = this.$refs.chart;
        if (!chart || !chart.isConnected) { return; }
        this.draw();
        this.drawn = this.drawn.then(() => chart.isConnected && window.Plotly.Plots.resize(chart));
      }, 100);
    });
    this.observer.observe(this.$refs.chart);
    this.draw();
  },
  watch: { frame() { this.draw(); }, figure_layout() { this.draw(); } },
  beforeDestroy() {
    this.observer.disconnect();
    clearTimeout(this.timer);
    if (window.Plotly && this.$refs.chart) { window.Plotly.purge(this.$refs.chart); }
  },
  methods: {"""
    + LOADER
    + """
    scaled(value, scale, key) {
      if (Array.isArray(value)) { return value.map((v) => this.scaled(v, scale, "")); }
      if (value === null || typeof value !== "object") { return value; }
      const out = {};
      for (const [k, v] of Object.entries(value)) {
        const sized = (k === "size" && /font$/i.test(key)) || key === "margin";
        out[k] = sized && typeof v === "number" ? Math.round(v * scale) : this.scaled(v, scale, k);
      }
      return out;
    },
    draw() {
      const chart = this.$refs.chart;
      const scale = Math.max(0.62, Math.min(1.3, window.innerHeight / 1080));
      const frame = this.scaled(this.frame, scale, "");
      const layout = this.scaled(this.figure_layout, scale, "");
      if (frame.x_range) {
        layout.xaxis = Object.assign({}, layout.xaxis, {range: frame.x_range, autorange: false});
      }
      if (frame.y_range) {
        layout.yaxis = Object.assign({}, layout.yaxis, {range: frame.y_range, autorange: false});
      }
      const asked = performance.now();
      const config = {displaylogo: false, displayModeBar: false, responsive: true};
      this.drawn = (this.drawn || Promise.resolve())
        .then(() => this.plotly())
        .then((Plotly) => Plotly.react(chart, frame.traces || [], layout, config))
        .then(() => {
          chart.dataset.drawMs = Math.round(performance.now() - asked);
          chart.dataset.day = frame.day;
          chart.dataset.revision = frame.revision;
        });
    },
  },
};
</script>
"""
)

PRELOAD = (
    """
<template><span></span></template>
<script>
module.exports = {
  mounted() { this.plotly().catch(() => null); },
  methods: {"""
    + LOADER
    + """
  },
};
</script>
"""
)


class LiveChart(ipyvue.VueTemplate):
    """A Plotly chart: ``figure_layout`` once, ``frame`` (day, revision, traces) per update.

    The chart fills its grid cell and follows its size; its fonts and margins are given
    for a 1080-pixel-high screen and scaled to the window's height. A frame's ``x_range``
    and ``y_range`` (numbers), if given, fix the axes. Not ``layout``: ipywidgets uses that name for
    the widget's own CSS layout.
    """

    template = traitlets.Unicode(CHART).tag(sync=True)
    plot = traitlets.Unicode("").tag(sync=True)
    plotly_url = traitlets.Unicode(PLOTLY_URL).tag(sync=True)
    figure_layout = traitlets.Dict().tag(sync=True)
    frame = traitlets.Dict({"day": 0, "revision": 0, "traces": []}).tag(sync=True)


class PlotlyPreload(ipyvue.VueTemplate):
    """Nothing to see: starts loading plotly.js while the trainer picks a story."""

    template = traitlets.Unicode(PRELOAD).tag(sync=True)
    plotly_url = traitlets.Unicode(PLOTLY_URL).tag(sync=True)


def serve_plotly() -> None:
    """Let Solara serve ``plotly.min.js`` from the installed plotly package, offline."""
    from solara.server import settings

    folder = str(PLOTLY_JS.parent)
    if folder not in settings.assets.extra_locations:
        settings.assets.extra_locations.append(folder)
