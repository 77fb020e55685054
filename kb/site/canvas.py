"""Matplotlib Figures kept for every chart of a kind drawn in a process, and an SVG renderer that
remembers text metrics from chart to chart (kb/site/drawing.py draws on them).

Making a Figure and Axes, and the tick objects of an axis (five artists each, one per row of a
bar chart), costs more than most charts' own drawing; so each kind of chart has its own Canvas,
made once per process and reset between charts. The SVG is byte for byte what a new Figure and
print_svg write (tests/test_site_render.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any


class Canvas:
    """One Figure and Axes, kept for every chart of its kind (bars or histogram) drawn in this process.

    Making a Figure and Axes, and the tick objects of an axis (five artists each, one per row of a
    bar chart), costs more than most charts' own drawing; so each kind of chart has its own,
    made once per process and reset between charts (`_reset`): its data artists and legend are
    removed, and everything a chart of that kind sets (size, scale, limits, locators, formatters,
    labels) is set again by every chart. A chart drawn after others is byte for byte the chart
    drawn first (tests/test_site_render.py checks each kind). A forked process gets a copy of its
    parent's canvases, which only that process then changes; one left half drawn (an error, or a
    fork while another thread draws) is thrown away (`busy`). Two threads must not draw at once
    (neither could they with rc_context, which the drawing always used).
    """

    def __init__(self, setup: Callable[[Any], None]) -> None:
        """`setup(axes)` sets what every chart of the kind shares and never changes."""
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure

        self.fig = Figure()
        FigureCanvasSVG(self.fig)
        self.dpi = self.fig.dpi
        """What print_svg would give the renderer for images: the figure's own dpi (it then sets 72)."""
        self.ax = self.fig.add_subplot()
        self.busy = False
        self.legends: dict[Hashable, Any] = {}
        """Legends by what they list: charts listing the same verdicts share one."""
        setup(self.ax)

    def _reset(self) -> None:
        """Back to an empty Axes: no data artists, legend or data limits; autoscaling on."""
        ax = self.ax
        for artist in [*ax.collections, *ax.lines, *ax.patches]:
            artist.remove()
        self.fig.legends.clear()  # kept in self.legends, attached to the figure
        ax.relim()
        ax.set_autoscale_on(True)

    def legend(self, key: Hashable, x: float, handles: Callable[[], list[Any]], **kwargs: Any) -> None:
        """The figure's legend, at the top from x (in figure coordinates): the one made before
        for the same key, moved there, else a new one of `handles()`."""
        legend = self.legends.get(key)
        if legend is None:
            self.legends[key] = self.fig.legend(
                handles=handles(), loc="upper left", bbox_to_anchor=(x, 1.0), **kwargs
            )
        else:
            legend.set_bbox_to_anchor((x, 1.0))
            self.fig.legends.append(legend)

    def svg(self) -> str:
        """The figure as SVG text, as FigureCanvasSVG.print_svg writes it, then reset for the next
        chart. Unlike print_svg, the renderer keeps text metrics from chart to chart, and draws
        without print_svg's MixedModeRenderer (which only serves rasterized artists; none here)."""
        fig = self.fig
        buf = io.StringIO()
        fig.dpi = 72
        width, height = fig.get_size_inches()
        renderer = _renderer_class()(
            width * 72, height * 72, buf, image_dpi=self.dpi, metadata={"Date": None, "Creator": None}
        )
        fig.draw(renderer)
        renderer.finalize()
        self._reset()
        return buf.getvalue()


_CANVASES: dict[Hashable, Canvas] = {}


def canvas(kind: Hashable, setup: Callable[[Any], None]) -> Canvas:
    """This process's Canvas of a kind of chart, made with `setup` the first time (and again
    after one was left half drawn)."""
    found = _CANVASES.get(kind)
    if found is None or found.busy:
        found = _CANVASES[kind] = Canvas(setup)
    return found


def discard() -> None:
    """Forget this process's canvases: the next chart is drawn on a new Figure (for tests)."""
    _CANVASES.clear()


_METRICS: dict[tuple[str, Any, Any], tuple[float, float, float]] = {}
"""Text widths, heights and descents by text and font, kept from chart to chart: measuring a text
with FreeType is most of laying it out, and charts repeat their texts (tick labels, legends).
Emptied when it reaches _METRICS_MAX texts."""
_METRICS_MAX = 50_000
_HEIGHTS: dict[Any, tuple[float | None, float | None, float | None]] = {}
"""A font's ascent, descent and line gap by font properties (see `Renderer._get_font_height_metrics`)."""


@lru_cache(maxsize=1)
def _renderer_class() -> type:
    from matplotlib.backends.backend_svg import RendererSVG

    class Renderer(RendererSVG):
        """The SVG renderer, with text metrics remembered from chart to chart."""

        def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
            found = _METRICS.get((s, prop, ismath))
            if found is None:
                if len(_METRICS) >= _METRICS_MAX:
                    _METRICS.clear()
                found = _METRICS[(s, prop.copy(), ismath)] = super().get_text_width_height_descent(
                    s, prop, ismath
                )
            return found

        def _get_font_height_metrics(self, prop: Any) -> tuple[float | None, float | None, float | None]:
            """What Text._get_layout reads off the font's OS/2 or hhea table for every text it lays
            out (matplotlib 3.11, text.py, at the figure's 72 dpi while printing SVG), once per
            font; (None, None, None) sends it to its own fallback (measuring "lp")."""
            found = _HEIGHTS.get(prop)
            if found is None:
                found = _HEIGHTS[prop.copy()] = _font_height_metrics(prop)
            return found

    return Renderer


def _font_height_metrics(prop: Any) -> tuple[float | None, float | None, float | None]:
    from matplotlib.font_manager import fontManager, get_font

    font: Any = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        # The same arithmetic, in the same order, as matplotlib's (dpi = 72): the same floats.
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * 72 / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None
