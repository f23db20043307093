"""The touch log: every touch a prospect received, one row each, for attribution research.

Off by default: an ordinary run keeps per-prospect counts only (``touches_by_source``),
and a year of a market pushed by advertising is millions of touches. Switched on
(``JourneyModel(..., touch_log=True)``), :func:`sim.model.touch.deliver` records each
touch as it lands: the prospect's row, the day, the source and the quality, in
columns of integer codes (11 bytes a touch: ``int32`` row, ``int16`` day, ``uint8``
source, ``float32`` quality). Each call of ``deliver`` is one chunk, so recording is
one array copy per call, not a Python step per touch.
"""

from __future__ import annotations

import numpy as np

TOUCH_BYTES = 4 + 2 + 1 + 4
"""Bytes a touch takes in the log: row, day, source, quality."""


class TouchLog:
    """Touches in the order they were delivered (day by day, source by source)."""

    def __init__(self) -> None:
        self._rows: list[np.ndarray] = []
        self._quality: list[np.ndarray] = []
        self._days: list[int] = []
        self._sources: list[int] = []

    def record(self, rows: np.ndarray, quality: np.ndarray, source: int, day: int) -> None:
        """Log one touch for each of ``rows`` from ``source`` on ``day``."""
        self._rows.append(rows.astype(np.int32))
        self._quality.append(np.asarray(quality, dtype=np.float32))
        self._days.append(day)
        self._sources.append(source)

    def __len__(self) -> int:
        return sum(chunk.size for chunk in self._rows)

    def columns(self, start: int = 0, stop: int | None = None) -> dict[str, np.ndarray]:
        """The log's columns, restricted to prospect rows ``start .. stop`` (renumbered from 0).

        Returns:
            ``prospect`` (int32), ``day`` (int16), ``source`` (uint8, an index into the
            model's ``sources``) and ``quality`` (float32), in delivery order.
        """
        if not self._rows:
            rows = np.zeros(0, dtype=np.int32)
            quality = np.zeros(0, dtype=np.float32)
        else:
            rows, quality = np.concatenate(self._rows), np.concatenate(self._quality)
        sizes = [chunk.size for chunk in self._rows]
        days = np.repeat(np.asarray(self._days, dtype=np.int16), sizes)
        sources = np.repeat(np.asarray(self._sources, dtype=np.uint8), sizes)
        keep = (rows >= start) & (rows < (stop if stop is not None else np.iinfo(np.int32).max))
        return {
            "prospect": rows[keep] - np.int32(start),
            "day": days[keep],
            "source": sources[keep],
            "quality": quality[keep],
        }
