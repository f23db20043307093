"""The mechanism view: the prospects themselves, drawn on a canvas for a room to watch.

One swim lane per stage of the journey (:data:`sim.dashboard.mechanism.LANES`), one
shape per prospect; a prospect who moves on glides to its new lane. Leads no rep has
reached yet queue at the front of their lane, longest waiting first, and turn from
warm orange to cold blue as a call's chance to reach them fades. A recommendation is
an arc from the customer who gave it to the friend who heard it, bright the day it
happens, fading over a week. Shapes, lanes and words carry everything colour does.

An ipyvue template like :class:`~sim.dashboard.livechart.LiveChart`, in plain
JavaScript: no library to load, nothing online. Each frame is
:func:`~sim.dashboard.mechanism.mechanism_frame`'s dict.
"""

from __future__ import annotations

import ipyvue
import traitlets

SCRIPT = """
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const WARM = [230, 159, 0], COLD = [0, 114, 178];  // Okabe–Ito orange and blue
const number = (n) => n.toLocaleString("en");
const GLIDE_MS = 450, ARC_DAYS = 7;

function mix(a, b, t) {
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

function shape(ctx, kind, x, y, r, colour, warmth) {
  ctx.fillStyle = colour; ctx.strokeStyle = "rgba(0, 0, 0, 0.55)"; ctx.lineWidth = 1;
  ctx.beginPath();
  if (kind === "ring" || kind === "circle") {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  } else if (kind === "diamond" || kind === "waiting" || kind === "no answer") {
    const k = kind === "diamond" ? 1.2 : 1.05;  // a thick outline makes it look bigger
    ctx.moveTo(x, y - r * k); ctx.lineTo(x + r * k, y);
    ctx.lineTo(x, y + r * k); ctx.lineTo(x - r * k, y); ctx.closePath();
  } else if (kind === "square" || kind === "open square") {
    ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
  } else if (kind === "star") {
    for (let i = 0; i < 10; i++) {
      const a = -Math.PI / 2 + (i * Math.PI) / 5, d = i % 2 ? r * 0.5 : r * 1.25;
      ctx.lineTo(x + d * Math.cos(a), y + d * Math.sin(a));
    }
    ctx.closePath();
  } else if (kind === "cross") {
    ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r);
  } else if (kind === "dash") {
    ctx.rect(x - r, y - r * 0.3, r * 2, r * 0.6);
  }
  if (kind === "waiting" || kind === "no answer") {  // hollow, from warm to cold
    const c = mix(COLD, WARM, Math.max(0, Math.min(1, warmth)));
    ctx.fillStyle = "white"; ctx.fill();
    ctx.strokeStyle = c; ctx.lineWidth = Math.max(2.5, r * 0.4); ctx.stroke();
    if (kind === "no answer") {  // called once at least: a dot inside
      ctx.beginPath(); ctx.arc(x, y, r * 0.3, 0, 2 * Math.PI); ctx.fillStyle = c; ctx.fill();
    }
  } else if (kind === "ring" || kind === "open square" || kind === "cross") {
    ctx.strokeStyle = colour; ctx.lineWidth = Math.max(2, r * 0.4); ctx.stroke();
  } else {
    ctx.fill(); ctx.stroke();
  }
}

module.exports = {
  mounted() {
    this.seen = new Map();
    this.painted = new Map();
    this.from = new Map();
    this.lastDay = null;
    this.observer = new ResizeObserver(() => this.paint(1));
    this.observer.observe(this.$refs.box);
    this.update();
  },
  beforeDestroy() {
    if (this.observer) { this.observer.disconnect(); }
    if (this.raf) { cancelAnimationFrame(this.raf); }
  },
  watch: { frame() { this.update(); }, height() { this.paint(1); } },
  methods: {
    update() {
      const frame = this.frame;
      if (!frame || !frame.lanes) { return; }
      // another story, market or side (a caller may add ``side``): nothing in it is new
      const market = [frame.prospects, frame.side, frame.name].join("|");
      const restart = this.lastDay === null || frame.day < this.lastDay
        || market !== this.lastMarket;
      if (restart) { this.seen = new Map(); }
      // a pair not seen before is a recommendation made since the last frame, if its friend
      // may still hear one (every such friend is in every frame); others came into view
      for (const [friend, giver, , lane] of frame.links) {
        const key = friend + ":" + giver, fresh = !restart && frame.lanes[lane].open;
        if (!this.seen.has(key)) { this.seen.set(key, fresh ? frame.day : -Infinity); }
      }
      [this.lastDay, this.lastMarket] = [frame.day, market];
      this.from = restart ? new Map() : this.painted;
      this.started = performance.now();
      if (this.raf) { cancelAnimationFrame(this.raf); }
      const tick = () => {
        const t = Math.min(1, (performance.now() - this.started) / GLIDE_MS);
        this.paint(t);
        this.raf = t < 1 ? requestAnimationFrame(tick) : null;
      };
      tick();
    },
    layout(ctx, frame, width, height) {
      const lanes = frame.lanes, laneH = height / lanes.length;
      const rows = laneH >= 40 ? 2 : 1;  // two rows of shapes when a lane has the room
      const size = Math.max(14, Math.min(rows > 1 ? 30 : 24, (laneH - 4) / rows));
      const labelPx = width < 640 ? 18 : 20;
      ctx.font = `bold ${labelPx}px ${FONT}`;
      const labelW = Math.max(...lanes.map((l) => ctx.measureText(l.label).width));
      ctx.font = `18px ${FONT}`;
      const countW = Math.max(...lanes.map((l) => ctx.measureText(number(l.count)).width));
      // a narrow box stacks each lane's number under its name, when the lane has the room
      const stacked = laneH >= 42 && labelW + countW + 30 > width * 0.3;
      const left = Math.min(stacked ? Math.max(labelW, countW) + 28 : labelW + countW + 24,
        width * 0.45);
      const cols = Math.max(1, Math.floor((width - left - 10) / size));
      const places = new Map(), geometry = [];
      let d = 0;
      lanes.forEach((lane, i) => {
        const top = i * laneH;
        const across = (text) => Math.ceil((ctx.measureText(text).width + 12) / size);
        // the longest note that leaves a column of shapes; "+ N more" if there is room
        const tries = [[lane.note, 1], [lane.short, 1], [lane.note, 0], [lane.short, 0], ["", 1]];
        let note = "", drawn = 0, more = 0;
        for (const [text, counted] of tries) {
          if (text === undefined) { continue; }
          let room = cols - (text ? across(text) : 0);
          drawn = Math.min(lane.shown, rows * Math.max(room, 0));
          if (counted && lane.count > drawn) {
            room -= across(`+ ${number(lane.count - drawn)} more`);
            drawn = Math.min(lane.shown, rows * Math.max(room, 0));
          }
          [note, more] = [text, counted ? lane.count - drawn : 0];
          if (!text || drawn >= Math.min(lane.count, rows)) { break; }
        }
        const y0 = top + (laneH - rows * size) / 2 + size / 2;
        // the first of the lane's list are drawn; alike shapes side by side (stable sort)
        const mine = [...Array(drawn).keys()].map((k) => d + k);
        mine.sort((a, b) => frame.dots.shape[a] - frame.dots.shape[b] || a - b);
        mine.forEach((index, k) => {
          places.set(frame.dots.id[index], {
            x: left + size / 2 + Math.floor(k / rows) * size,
            y: y0 + (k % rows) * size, index,
          });
        });
        d += lane.shown;
        geometry.push({ top, note, more, end: left + Math.ceil(drawn / rows) * size });
      });
      return { laneH, size, left, stacked, labelPx, places, geometry };
    },
    paint(t) {
      const box = this.$refs.box, canvas = this.$refs.canvas, frame = this.frame;
      if (!box || !canvas || !frame || !frame.lanes) { return; }
      const width = box.clientWidth, height = this.height || box.clientHeight;
      if (width < 10 || height < 10) { return; }  // not laid out yet: the observer calls again
      const ratio = window.devicePixelRatio || 1;
      const pixels = [Math.round(width * ratio), Math.round(height * ratio)];
      if (canvas.width !== pixels[0] || canvas.height !== pixels[1]) {
        [canvas.width, canvas.height] = pixels;
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const g = this.layout(ctx, frame, width, height), ease = 1 - Math.pow(1 - t, 3);
      ctx.textBaseline = "middle";
      frame.lanes.forEach((lane, i) => {
        const top = g.geometry[i].top, mid = top + g.laneH / 2;
        ctx.fillStyle = i % 2 ? "#ffffff" : "#f2f2f2";
        ctx.fillRect(0, top, width, g.laneH);
        ctx.fillStyle = lane.colour; ctx.fillRect(0, top + 3, 8, g.laneH - 6);
        ctx.fillStyle = "#000000"; ctx.textAlign = "left"; ctx.font = `bold ${g.labelPx}px ${FONT}`;
        ctx.fillText(lane.label, 16, g.stacked ? mid - 10 : mid);
        ctx.font = `18px ${FONT}`;
        if (g.stacked) {
          ctx.fillText(number(lane.count), 16, mid + 11);
        } else {
          ctx.textAlign = "right"; ctx.fillText(number(lane.count), g.left - 10, mid);
        }
        ctx.textAlign = "left";
        if (g.geometry[i].more > 0) {
          ctx.fillText(`+ ${number(g.geometry[i].more)} more`, g.geometry[i].end + 8, mid);
        }
        if (g.geometry[i].note) {
          ctx.textAlign = "right"; ctx.fillText(g.geometry[i].note, width - 10, mid);
        }
      });
      const now = new Map(), r = g.size * 0.36, dots = frame.dots;
      for (const [id, place] of g.places) {
        const before = this.from.get(id);
        const x = before ? before.x + (place.x - before.x) * ease : place.x;
        const y = before ? before.y + (place.y - before.y) * ease : place.y;
        now.set(id, { x, y });
        const d = place.index, lane = frame.lanes[dots.lane[d]];
        ctx.globalAlpha = before ? 1 : ease;
        shape(ctx, frame.shapes[dots.shape[d]], x, y, r, lane.colour, dots.warmth[d]);
      }
      ctx.globalAlpha = 1;
      this.painted = now;
      this.arcs(ctx, frame, g, now, ease);
      box.dataset.day = frame.day;
      box.dataset.dots = now.size;
      box.setAttribute("aria-label", frame.lanes.map(
        (lane) => `${lane.label}: ${number(lane.count)}${lane.note ? ". " + lane.note : ""}`,
      ).join("; "));
    },
    arcs(ctx, frame, g, now, ease) {
      for (const [friend, giver, giverLane] of frame.links) {
        const age = frame.day - this.seen.get(friend + ":" + giver);
        const to = now.get(friend);
        if (!(age <= ARC_DAYS) || !to) { continue; }
        const from = now.get(giver) || { x: g.left - 4, y: (giverLane + 0.5) * g.laneH };
        const grow = age === 0 ? ease : 1;
        const cx = (from.x + to.x) / 2 + (to.y - from.y) * 0.35;
        const cy = (from.y + to.y) / 2 - (to.x - from.x) * 0.35;
        ctx.globalAlpha = 1 - age / (ARC_DAYS + 1);
        ctx.strokeStyle = "#000000"; ctx.lineWidth = 3; ctx.beginPath();
        for (let s = 0; s <= 24; s++) {
          const u = (s / 24) * grow, v = 1 - u;
          const x = v * v * from.x + 2 * v * u * cx + u * u * to.x;
          const y = v * v * from.y + 2 * v * u * cy + u * u * to.y;
          if (s === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
        }
        ctx.stroke();
        if (grow === 1) {
          ctx.beginPath(); ctx.arc(to.x, to.y, g.size * 0.55, 0, 2 * Math.PI); ctx.stroke();
        }
      }
      ctx.globalAlpha = 1;
    },
  },
};
"""

TEMPLATE = (
    """
<template>
  <div class="touchpoint-mechanism" ref="box" role="img" :data-plot="plot"
       :style="{position: 'relative', width: '100%', height: height ? height + 'px' : '100%'}">
    <canvas ref="canvas" style="display: block; width: 100%; height: 100%"></canvas>
  </div>
</template>
<script>
"""
    + SCRIPT
    + """
</script>
"""
)


class MechanismView(ipyvue.VueTemplate):
    """The prospects of one side, lane by lane: ``frame`` per day, ``height`` in px.

    The width is the box the page gives it (100 %); the lanes share ``height`` (0: the
    box's height too, as in the dashboard's chart grid).
    """

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    plot = traitlets.Unicode("prospects").tag(sync=True)
    height = traitlets.Int(360).tag(sync=True)
    frame = traitlets.Dict({}).tag(sync=True)
