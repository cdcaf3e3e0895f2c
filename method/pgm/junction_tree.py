"""Graph of measured cliques → greedy elimination order → junction tree (Private-PGM §4; AIM §3.3 JT_SIZE).

The *clique graph* joins two attributes when some measured clique contains both. A greedy elimination
order (min-size: eliminate the attribute whose elimination clique has the fewest cells; ties by fill-in,
then position) triangulates it; the elimination cliques that are not contained in another are the
maximal cliques, and a maximum-weight spanning tree over them (weight = |C ∩ D|) is a junction tree.
:func:`jt_size_mb` is AIM's JT_SIZE, computed from the cliques alone without building a model.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from method.api.errors import InvalidParameterError
from method.pgm.factor import Clique, as_clique

_BYTES_PER_CELL = 8
_MB = 2**20


def elimination_order(sizes: Sequence[int], cliques: Iterable[Sequence[int]]) -> tuple[Clique, ...]:
    """Greedy (min-size, then min-fill) elimination; returns the elimination cliques in elimination order.

    The ``j``-th returned clique is ``{v_j} ∪ N(v_j)`` when ``v_j`` is eliminated, with ``v_j`` first.

    >>> elimination_order((2, 2, 2), [(0, 1), (1, 2)])
    ((0, 1), (1, 2), (2,))
    """
    return _elimination_order(tuple(int(s) for s in sizes), frozenset(as_clique(c) for c in cliques))


@lru_cache(maxsize=4096)
def _elimination_order(sizes: tuple[int, ...], cliques: frozenset[Clique]) -> tuple[Clique, ...]:
    return _greedy(sizes, cliques, range(len(sizes)))


def _greedy(sizes: tuple[int, ...], cliques: Iterable[Clique], vertices: Iterable[int]) -> tuple[Clique, ...]:
    """Greedy elimination of the graph on ``vertices`` (the cliques' attributes among them)."""
    neighbours: dict[int, set[int]] = {a: set() for a in vertices}
    for clique in cliques:
        for a in clique:
            if not 0 <= a < len(sizes):
                raise InvalidParameterError(
                    f"clique {clique!r} names attribute {a} outside 0..{len(sizes) - 1}"
                )
            neighbours[a].update(b for b in clique if b != a)
    cells = {v: _cells(v, neighbours, sizes) for v in neighbours}  # only the eliminated one's neighbours change
    order: list[Clique] = []
    while neighbours:
        fewest = min(cells.values())
        tied = [v for v in neighbours if cells[v] == fewest]
        best = tied[0] if len(tied) == 1 else min(tied, key=lambda v: (_fill(v, neighbours), v))
        around = neighbours.pop(best)
        del cells[best]
        order.append((best, *sorted(around)))
        for a in around:
            neighbours[a].discard(best)
            neighbours[a].update(b for b in around if b != a)
        for a in around:
            cells[a] = _cells(a, neighbours, sizes)
    return tuple(order)


def _cells(v: int, neighbours: dict[int, set[int]], sizes: tuple[int, ...]) -> int:
    return sizes[v] * math.prod(sizes[a] for a in neighbours[v])


def _fill(v: int, neighbours: dict[int, set[int]]) -> int:
    around = list(neighbours[v])
    return sum(1 for i, a in enumerate(around) for b in around[i + 1 :] if b not in neighbours[a])


def maximal_cliques(elimination: Sequence[Clique]) -> tuple[Clique, ...]:
    """Elimination cliques (as sorted cliques) that no other one contains, largest first, ties by content.

    >>> maximal_cliques(((0, 1), (2, 1), (1,)))
    ((0, 1), (1, 2))
    """
    sets = sorted({as_clique(c) for c in elimination}, key=lambda c: (-len(c), c))
    kept: list[Clique] = []
    for clique in sets:
        if not any(set(clique) <= set(other) for other in kept):
            kept.append(clique)
    return tuple(sorted(kept))


def jt_size_mb(sizes: Sequence[int], cliques: Iterable[Sequence[int]]) -> float:
    """AIM's JT_SIZE: 8 bytes × Σ over the junction tree's maximal cliques of ∏ sizes, in MB (2²⁰ bytes).

    The greedy elimination never mixes connected components (a vertex's cells depend on its own component
    only), so the size is the sum over components, each cached: AIM's candidate filter asks for the
    measured cliques plus one candidate thousands of times a round, and only the candidate's component
    is new.

    >>> jt_size_mb((1024, 128, 2), [(0, 1), (1, 2)])
    1.001953125
    """
    table = tuple(int(s) for s in sizes)
    components = _components({as_clique(c) for c in cliques})
    covered = {a for component in components for c in component for a in c}
    cells = sum(table[a] for a in range(len(table)) if a not in covered)
    cells += sum(_component_cells(table, component) for component in components)
    return _BYTES_PER_CELL * cells / _MB


def _components(cliques: set[Clique]) -> list[frozenset[Clique]]:
    """The cliques grouped by connected component of the clique graph (union-find over attributes)."""
    root: dict[int, int] = {}

    def find(a: int) -> int:
        root.setdefault(a, a)
        while root[a] != a:
            root[a] = root[root[a]]
            a = root[a]
        return a

    for clique in cliques:
        for b in clique[1:]:
            root[find(b)] = find(clique[0])
    groups: dict[int, set[Clique]] = {}
    for clique in cliques:
        if clique:
            groups.setdefault(find(clique[0]), set()).add(clique)
    return [frozenset(g) for g in groups.values()]


class CandidateSizer:
    """JT_SIZE of fixed ``cliques`` plus one candidate, for many candidates (AIM's filter, every round).

    The components of ``cliques`` are found once; a candidate only changes the components it touches,
    so only their union (with the candidate) is eliminated again. Equal to :func:`jt_size_mb` exactly.

    >>> CandidateSizer((1024, 128, 2), [(0, 1)]).size_mb((1, 2))
    1.001953125
    """

    def __init__(self, sizes: Sequence[int], cliques: Iterable[Sequence[int]]) -> None:
        self._sizes = tuple(int(s) for s in sizes)
        self._components = _components({as_clique(c) for c in cliques})
        self._cells = [_component_cells(self._sizes, c) for c in self._components]
        self._owner: dict[int, int] = {a: i for i, comp in enumerate(self._components) for c in comp for a in c}
        free = sum(self._sizes[a] for a in range(len(self._sizes)) if a not in self._owner)
        self._total = free + sum(self._cells)
        self._edges = {(a, b) for comp in self._components for c in comp for i, a in enumerate(c) for b in c[i + 1 :]}

    def size_mb(self, candidate: Sequence[int]) -> float:
        r = as_clique(candidate)
        if len(r) > 1 and all((a, b) in self._edges for i, a in enumerate(r) for b in r[i + 1 :]):
            return _BYTES_PER_CELL * self._total / _MB  # no new edge: the clique graph, hence the tree, is the same
        touched = {self._owner[a] for a in r if a in self._owner}
        merged = frozenset({r}.union(*(self._components[i] for i in touched)))
        cells = self._total - sum(self._cells[i] for i in touched)
        cells -= sum(self._sizes[a] for a in r if a not in self._owner)
        cells += _component_cells(self._sizes, merged)
        return _BYTES_PER_CELL * cells / _MB


@lru_cache(maxsize=65536)
def _component_cells(sizes: tuple[int, ...], component: frozenset[Clique]) -> int:
    for clique in component:
        for a in clique:
            if not 0 <= a < len(sizes):
                raise InvalidParameterError(f"clique {clique!r} names attribute {a} outside 0..{len(sizes) - 1}")
    vertices = sorted({a for c in component for a in c})
    found = maximal_cliques(_greedy(sizes, component, vertices))
    return sum(math.prod(sizes[a] for a in c) for c in found)


@dataclass(frozen=True, slots=True)
class JunctionTree:
    """Maximal cliques, tree edges and a rooted schedule for two-pass message passing.

    Attributes:
        sizes: domain sizes of all attributes.
        cliques: the maximal cliques (sorted cliques).
        order: elimination cliques in elimination order (``order[j][0]`` is the j-th eliminated attribute).
        parent: ``parent[i]`` is clique ``i``'s parent in the rooted tree (``-1`` for roots).
        schedule: clique indices in breadth-first order from the roots (parents before children).
        separators: ``separators[i]`` is what clique ``i`` shares with its parent (empty for roots).
        neighbours: ``neighbours[i]`` are the cliques adjacent to clique ``i`` in the tree.
        component: ``component[i]`` is the root of clique ``i``'s tree (the forest has one per component).
        holders: ``holders[a]`` are the cliques that contain attribute ``a``.
    """

    sizes: tuple[int, ...]
    cliques: tuple[Clique, ...]
    order: tuple[Clique, ...]
    parent: tuple[int, ...]
    schedule: tuple[int, ...]
    separators: tuple[Clique, ...]
    neighbours: tuple[tuple[int, ...], ...]
    component: tuple[int, ...]
    holders: tuple[tuple[int, ...], ...]

    def separator(self, child: int) -> Clique:
        """Attributes shared by clique ``child`` and its parent (empty for a root)."""
        return self.separators[child]

    def children(self, node: int) -> tuple[int, ...]:
        return tuple(i for i in self.schedule if self.parent[i] == node)

    def host(self, clique: Sequence[int]) -> int:
        """Index of the smallest maximal clique containing ``clique``, or ``-1`` if none does."""
        wanted = set(clique)
        best, best_cells = -1, math.inf
        for i, c in enumerate(self.cliques):
            if wanted <= set(c):
                cells = math.prod(self.sizes[a] for a in c)
                if cells < best_cells:
                    best, best_cells = i, cells
        return best

    def size_mb(self) -> float:
        return _BYTES_PER_CELL * sum(math.prod(self.sizes[a] for a in c) for c in self.cliques) / _MB


def build_junction_tree(sizes: Sequence[int], cliques: Iterable[Sequence[int]]) -> JunctionTree:
    """Junction tree of the clique graph of ``cliques`` over attributes ``0..len(sizes)-1``.

    Every attribute appears in some maximal clique (an unmeasured attribute is its own clique).
    """
    return _build(tuple(int(s) for s in sizes), frozenset(as_clique(c) for c in cliques))


@lru_cache(maxsize=256)
def _build(sizes: tuple[int, ...], cliques: frozenset[Clique]) -> JunctionTree:
    order = _elimination_order(sizes, cliques)
    nodes = maximal_cliques(order)
    edges = _max_spanning_tree(nodes)
    parent = [-1] * len(nodes)
    adjacency: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    for i, j in edges:
        adjacency[i].append(j)
        adjacency[j].append(i)
    schedule: list[int] = []
    seen: set[int] = set()
    for root in range(len(nodes)):
        if root in seen:
            continue
        seen.add(root)
        queue = [root]
        while queue:
            node = queue.pop(0)
            schedule.append(node)
            for nxt in sorted(adjacency[node]):
                if nxt not in seen:
                    seen.add(nxt)
                    parent[nxt] = node
                    queue.append(nxt)
    separators = tuple(
        () if up < 0 else as_clique(set(nodes[i]) & set(nodes[up])) for i, up in enumerate(parent)
    )
    component = [-1] * len(nodes)
    for node in schedule:
        component[node] = node if parent[node] < 0 else component[parent[node]]
    holders = tuple(tuple(i for i, c in enumerate(nodes) if a in c) for a in range(len(sizes)))
    return JunctionTree(
        sizes, nodes, order, tuple(parent), tuple(schedule), separators,
        tuple(tuple(sorted(adjacency[i])) for i in range(len(nodes))), tuple(component), holders,
    )


def _max_spanning_tree(nodes: Sequence[Clique]) -> list[tuple[int, int]]:
    """Kruskal on |C ∩ D| > 0 (largest first); components stay separate (they become separate roots)."""
    pairs = [
        (len(set(a) & set(b)), i, j)
        for i, a in enumerate(nodes)
        for j, b in enumerate(nodes)
        if i < j and set(a) & set(b)
    ]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    component = list(range(len(nodes)))

    def find(x: int) -> int:
        while component[x] != x:
            component[x] = component[component[x]]
            x = component[x]
        return x

    edges = []
    for _, i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            component[ri] = rj
            edges.append((i, j))
    return edges
