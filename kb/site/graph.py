"""The dependency graph of a claim: what it rests on (left) and what rests on it (right).

Laid out in columns, two levels each way, each column capped so a claim used by hundreds of
others still draws a small graph. The template (graph.svg.html) draws it inline, so nodes are
links and colours follow the page's light or dark scheme.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.site.context import SiteContext
from kb.verdicts import Verdict

NODE_W, NODE_H = 236, 44
COL_GAP, ROW_GAP = 56, 12
PAD = 8
CAP = 6
"""Most nodes drawn in one column; the rest are summarized as "+N more"."""
DEPTH = 2
NARROW_W = 172
NARROW_PER_ROW = 2
NARROW_LEVEL_GAP = 34


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
    narrow: bool = False


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


def claim_graph(ctx: SiteContext, claim_id: str, narrow: bool = False) -> Graph | None:
    """The graph around one claim, or None when it neither rests on nor supports another claim.

    Wide: levels are columns, left to right. Narrow (phones): levels are rows, top to bottom,
    with at most NARROW_PER_ROW nodes side by side.
    """
    me = ctx.claims[claim_id]
    if not me.rests_on and not me.rested_on_by:
        return None
    levels = _levels(ctx, claim_id)
    keys = sorted(levels)
    node_w = NARROW_W if narrow else NODE_W
    shown: dict[int, list[str]] = {}
    extra: dict[int, int] = {}
    for k in keys:
        ids = levels[k]
        shown[k] = ids[:CAP] if len(ids) > CAP + 1 else ids
        extra[k] = len(ids) - len(shown[k])
    slots = {k: len(shown[k]) + (1 if extra[k] else 0) for k in keys}
    if narrow:
        rows_of = {k: -(-slots[k] // NARROW_PER_ROW) for k in keys}
        width = PAD * 2 + NARROW_PER_ROW * node_w + (NARROW_PER_ROW - 1) * ROW_GAP
        height = (
            PAD * 2
            + sum(rows_of.values()) * NODE_H
            + (sum(rows_of.values()) - 1) * ROW_GAP
            + (len(keys) - 1) * (NARROW_LEVEL_GAP - ROW_GAP)
        )
    else:
        most = max(slots.values())
        height = PAD * 2 + most * NODE_H + (most - 1) * ROW_GAP
        width = PAD * 2 + len(keys) * node_w + (len(keys) - 1) * COL_GAP
    graph = Graph(
        width,
        height,
        upstream=len(levels.get(-1, [])),
        downstream=len(levels.get(1, [])),
        node_w=node_w,
        narrow=narrow,
    )
    label_len = 21 if narrow else 27
    sub_len = 24 if narrow else 34
    where: dict[str, tuple[int, int]] = {}
    y0 = PAD
    for ci, k in enumerate(keys):
        positions: list[tuple[int, int]] = []
        if narrow:
            for i in range(slots[k]):
                row, col = divmod(i, NARROW_PER_ROW)
                in_row = min(NARROW_PER_ROW, slots[k] - row * NARROW_PER_ROW)
                left = (width - (in_row * node_w + (in_row - 1) * ROW_GAP)) // 2
                positions.append((left + col * (node_w + ROW_GAP), y0 + row * (NODE_H + ROW_GAP)))
            y0 += rows_of[k] * (NODE_H + ROW_GAP) - ROW_GAP + NARROW_LEVEL_GAP
        else:
            top = PAD + (height - 2 * PAD - (slots[k] * NODE_H + (slots[k] - 1) * ROW_GAP)) // 2
            x = PAD + ci * (node_w + COL_GAP)
            positions = [(x, top + i * (NODE_H + ROW_GAP)) for i in range(slots[k])]
        for (x, y), cid in zip(positions, shown[k], strict=False):
            cv = ctx.claims[cid]
            where[cid] = (x, y)
            graph.nodes.append(
                Node(
                    cid,
                    _short(cid, label_len),
                    _short(cv.value_text, sub_len),
                    cv.verdict,
                    x,
                    y,
                    f"{cid}: {cv.summary} ({cv.style.label})",
                    central=cid == claim_id,
                )
            )
        if extra[k]:
            x, y = positions[-1]
            graph.nodes.append(
                Node(
                    "",
                    f"+{extra[k]} more",
                    "",
                    Verdict.UNVERIFIED,
                    x,
                    y,
                    "more claims: see the lists on this page",
                    more=extra[k],
                )
            )
    level = {cid: k for k in keys for cid in levels[k]}
    for cid, (x2, y2) in where.items():
        for dep in ctx.claims[cid].rests_on:
            if dep in where and level.get(dep) == level[cid] - 1:
                x1, y1 = where[dep]
                if narrow:
                    graph.edges.append(Edge(x1 + node_w // 2, y1 + NODE_H, x2 + node_w // 2, y2))
                else:
                    graph.edges.append(Edge(x1 + node_w, y1 + NODE_H // 2, x2, y2 + NODE_H // 2))
    return graph
