"""The dependency graph of a claim: what it rests on (left) and what rests on it (right).

Laid out in columns, two levels each way, each column capped so a claim used by hundreds of
others still draws a small graph. It is drawn once per page, inline (nodes are links and colours
follow the page's light or dark scheme), with two layouts in the one SVG: wide (levels are
columns, left to right), placed by each node's transform attribute, and narrow (phones: levels are
rows, top to bottom, at most NARROW_PER_ROW nodes side by side), placed by CSS custom properties
that the stylesheet applies on small screens. Each layout has its own edges; CSS shows one set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from kb.site.context import VERDICT_STYLES, SiteContext
from kb.verdicts import Verdict

NODE_W, NODE_H = 166, 44
COL_GAP, ROW_GAP = 56, 12
PAD = 8
CAP = 6
"""Most nodes drawn in one column; the rest are summarized as "+N more"."""
DEPTH = 2
NARROW_PER_ROW = 2
NARROW_LEVEL_GAP = 34
LABEL_LEN, SUB_LEN = 19, 23


@dataclass
class Node:
    claim_id: str
    label: str
    sub: str
    verdict: str
    x: int
    y: int
    title: str
    central: bool = False
    more: int = 0
    """For a summary node: how many claims it stands for."""
    nx: int = 0
    ny: int = 0
    """Its place in the narrow layout."""

    @property
    def url(self) -> str:
        return f"claims/{self.claim_id}.html"


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class Graph:
    width: int
    height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    upstream: int = 0
    downstream: int = 0
    node_w: int = NODE_W
    node_h: int = NODE_H
    narrow_width: int = 0
    narrow_height: int = 0
    narrow_edges: list[Edge] = field(default_factory=list)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _levels(ctx: SiteContext, claim_id: str) -> dict[int, list[str]]:
    """Claim ids by level: negative what the claim rests on, positive what rests on it."""
    seen = {claim_id}
    levels: dict[int, list[str]] = {0: [claim_id]}
    for direction in (-1, 1):
        frontier = [claim_id]
        for level in range(1, DEPTH + 1):
            nxt: list[str] = []
            for cid in frontier:
                cv = ctx.claims.get(cid)
                if cv is None:
                    continue
                for other in cv.rests_on if direction < 0 else cv.rested_on_by:
                    if other not in seen and other in ctx.claims:
                        seen.add(other)
                        nxt.append(other)
            if not nxt:
                break
            levels[direction * level] = nxt
            frontier = nxt[:CAP]
    return levels


def _wide_slots(keys: list[int], slots: dict[int, int]) -> tuple[int, int, dict[int, list[tuple[int, int]]]]:
    most = max(slots.values())
    height = PAD * 2 + most * NODE_H + (most - 1) * ROW_GAP
    width = PAD * 2 + len(keys) * NODE_W + (len(keys) - 1) * COL_GAP
    out: dict[int, list[tuple[int, int]]] = {}
    for ci, k in enumerate(keys):
        top = PAD + (height - 2 * PAD - (slots[k] * NODE_H + (slots[k] - 1) * ROW_GAP)) // 2
        x = PAD + ci * (NODE_W + COL_GAP)
        out[k] = [(x, top + i * (NODE_H + ROW_GAP)) for i in range(slots[k])]
    return width, height, out


def _narrow_slots(
    keys: list[int], slots: dict[int, int]
) -> tuple[int, int, dict[int, list[tuple[int, int]]]]:
    rows_of = {k: -(-slots[k] // NARROW_PER_ROW) for k in keys}
    rows = sum(rows_of.values())
    width = PAD * 2 + NARROW_PER_ROW * NODE_W + (NARROW_PER_ROW - 1) * ROW_GAP
    height = PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP + (len(keys) - 1) * (NARROW_LEVEL_GAP - ROW_GAP)
    out: dict[int, list[tuple[int, int]]] = {}
    y0 = PAD
    for k in keys:
        positions: list[tuple[int, int]] = []
        for i in range(slots[k]):
            row, col = divmod(i, NARROW_PER_ROW)
            in_row = min(NARROW_PER_ROW, slots[k] - row * NARROW_PER_ROW)
            left = (width - (in_row * NODE_W + (in_row - 1) * ROW_GAP)) // 2
            positions.append((left + col * (NODE_W + ROW_GAP), y0 + row * (NODE_H + ROW_GAP)))
        out[k] = positions
        y0 += rows_of[k] * (NODE_H + ROW_GAP) - ROW_GAP + NARROW_LEVEL_GAP
    return width, height, out


def claim_graph(ctx: SiteContext, claim_id: str) -> Graph | None:
    """The graph around one claim in both layouts, or None when it neither rests on nor supports
    another claim."""
    me = ctx.claims[claim_id]
    if not me.rests_on and not me.rested_on_by:
        return None
    levels = _levels(ctx, claim_id)
    keys = sorted(levels)
    shown: dict[int, list[str]] = {}
    extra: dict[int, int] = {}
    for k in keys:
        ids = levels[k]
        shown[k] = ids[:CAP] if len(ids) > CAP + 1 else ids
        extra[k] = len(ids) - len(shown[k])
    slots = {k: len(shown[k]) + (1 if extra[k] else 0) for k in keys}
    width, height, wide = _wide_slots(keys, slots)
    narrow_width, narrow_height, narrow = _narrow_slots(keys, slots)
    graph = Graph(
        width,
        height,
        upstream=len(levels.get(-1, [])),
        downstream=len(levels.get(1, [])),
        narrow_width=narrow_width,
        narrow_height=narrow_height,
    )
    where: dict[str, tuple[int, int, int, int]] = {}
    for k in keys:
        for (x, y), (nx, ny), cid in zip(wide[k], narrow[k], shown[k], strict=False):
            cv = ctx.claims[cid]
            where[cid] = (x, y, nx, ny)
            title = f"{cid}: {cv.summary} ({cv.style.label})"
            label, sub = _short(cid, LABEL_LEN), _short(cv.value_text, SUB_LEN)
            node = Node(cid, label, sub, cv.verdict, x, y, title, central=cid == claim_id, nx=nx, ny=ny)
            graph.nodes.append(node)
        if extra[k]:
            (x, y), (nx, ny) = wide[k][-1], narrow[k][-1]
            title = "more claims: see the lists on this page"
            more = f"+{extra[k]} more"
            graph.nodes.append(
                Node("", more, "", Verdict.UNVERIFIED, x, y, title, more=extra[k], nx=nx, ny=ny)
            )
    level = {cid: k for k in keys for cid in levels[k]}
    for cid, (x2, y2, nx2, ny2) in where.items():
        for dep in ctx.claims[cid].rests_on:
            if dep in where and level.get(dep) == level[cid] - 1:
                x1, y1, nx1, ny1 = where[dep]
                graph.edges.append(Edge(x1 + NODE_W, y1 + NODE_H // 2, x2, y2 + NODE_H // 2))
                graph.narrow_edges.append(Edge(nx1 + NODE_W // 2, ny1 + NODE_H, nx2 + NODE_W // 2, ny2))
    return graph


def _wide_path(e: Edge) -> str:
    mid = (e.x1 + e.x2) // 2
    return f'<path class="edge" d="M {e.x1} {e.y1} C {mid} {e.y1}, {mid} {e.y2}, {e.x2 - 2} {e.y2}"></path>'


def _narrow_path(e: Edge) -> str:
    mid = (e.y1 + e.y2) // 2
    return f'<path class="edge" d="M {e.x1} {e.y1} C {e.x1} {mid}, {e.x2} {mid}, {e.x2} {e.y2 - 2}"></path>'


def _node(n: Node, root: str) -> str:
    place = f'transform="translate({n.x} {n.y})" style="--nx:{n.nx}px;--ny:{n.ny}px"'
    rect = f'<rect width="{NODE_W}" height="{NODE_H}" rx="6"></rect>'
    if n.more:
        return (
            f'<g class="node more" {place}><title>{escape(n.title)}</title>{rect}'
            f'<text x="12" y="27">{escape(n.label)}</text></g>'
        )
    css = f"node v-{n.verdict}" + (" central" if n.central else "")
    icon = VERDICT_STYLES[n.verdict].icon
    return (
        f'<a href="{escape(root + n.url)}" class="{css}" {place}><title>{escape(n.title)}</title>{rect}'
        f'<text x="10" y="18" class="node-id"><tspan class="node-icon">{icon}</tspan> '
        f"{escape(n.label)}</text>"
        f'<text x="10" y="35" class="node-sub">{escape(n.sub)}</text></a>'
    )


def render(g: Graph, claim_id: str, root: str) -> Markup:
    """The graph as one inline SVG: wide layout by its attributes, narrow by the stylesheet."""
    s = "s" if g.upstream != 1 else ""
    rest = "s" if g.downstream != 1 else ""
    verb = "s" if g.downstream == 1 else ""
    title = f"{claim_id} rests on {g.upstream} claim{s} and {g.downstream} claim{rest} rest{verb} on it."
    sizes = f"--nw:{g.narrow_width}px;--nh:{g.narrow_height}px"
    parts = [
        f'<svg class="graph" role="group" aria-labelledby="graph-title" width="{g.width}" '
        f'height="{g.height}" style="{sizes}">',
        f'<title id="graph-title">{escape(title)}</title>',
        '<g class="edges-wide" marker-end="url(#arrow)">',
        *(_wide_path(e) for e in g.edges),
        '</g><g class="edges-narrow" marker-end="url(#arrow)" display="none">',
        *(_narrow_path(e) for e in g.narrow_edges),
        "</g>",
        *(_node(n, root) for n in g.nodes),
        "</svg>",
    ]
    return Markup("\n".join(parts))
