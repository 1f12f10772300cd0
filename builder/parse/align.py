"""Place the cells of a labelled row into the template's columns, and settle doubtful rows.

A row's cells after its label rarely number exactly the template's columns: merged
cells leave empty cells around the figures, and conversions lose cells. `placements`
lists every way the printed cells can sit in the columns; `settle` keeps the ways that
agree with the template's sums and fills a lost cell only where those sums make its
value certain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

from builder.model import MISSING, Figure, Number
from builder.parse.cells import EMPTY, Token, token_of
from builder.forms import Equation

MAX_PLACEMENTS = 5000

# A slot is the printed cell placed in a column, as its token and line, or None when that
# column's cell was lost.
Slot = tuple[Token, int | None] | None
Placement = tuple[Slot, ...]


def placements(texts: Sequence[str], lines: Sequence[int | None], width: int) -> list[Placement]:
    """Every way the cells after a row's label can sit in the row's `width` columns."""
    tokens = [(token_of(text), line) for text, line in zip(texts, lines)]
    filled = [i for i, (t, _) in enumerate(tokens) if t.kind != "empty"]
    if not filled:
        return [tuple((EMPTY, None) for _ in range(width))]
    if len(filled) == width:
        return [tuple([tokens[i] for i in filled])]
    if len(filled) > width:
        return []
    windows = [
        tuple(tokens[start:start + width])
        for start in range(len(tokens) - width + 1)
        if start <= filled[0] and filled[-1] < start + width
    ]
    if windows:
        return windows
    if comb(width, len(filled)) > MAX_PLACEMENTS:
        return []
    result = []
    for columns in combinations(range(width), len(filled)):
        slots: list[Slot] = [None] * width
        for column, index in zip(columns, filled):
            slots[column] = tokens[index]
        result.append(tuple(slots))
    return result


def figure_of(slot: Slot, page: int | None) -> Figure:
    if slot is None:
        return MISSING
    token, line = slot
    return Figure(token.value, token.text, line, page)


@dataclass(frozen=True)
class Settled:
    figures: dict[str, Figure]
    lost: tuple[str, ...]  # cells neither read nor certain
    inferred: tuple[str, ...]
    doubtful: tuple[str, ...]  # printed, but the column they belong to is uncertain
    consistent: bool  # some placement agrees with the sums


def settle(paths: Sequence[str], options: Sequence[Placement], known: Mapping[str, Number | None],
           equations: Iterable[Equation], page: int | None = None) -> Settled:
    """Choose figures for one row given its possible placements and the figures already known."""
    reduced = _reduce(paths, known, equations)
    outcomes = [(option, *_solve(paths, option, reduced)) for option in options]
    viable = [(option, values, solved) for option, values, solved, ok in outcomes if ok]
    consistent = bool(viable)
    if not viable:  # every placement breaks a sum: keep what was printed, the checks will say
        viable = [(option, _printed_values(paths, option), set()) for option in options]
    figures: dict[str, Figure] = {}
    lost, inferred, doubtful = [], [], []
    for column, path in enumerate(paths):
        values = _unique(outcome[path] for _, outcome, _ in viable)
        slots = _unique(option[column] for option, _, _ in viable)
        was_solved = any(path in solved for _, _, solved in viable)
        if len(slots) == 1 and not was_solved:
            figures[path] = figure_of(slots[0], page)
            if slots[0] is None:
                lost.append(path)
        elif len(values) == 1 and values[0] is not None:
            printed = next((slot for slot in slots if slot is not None), None)
            figures[path] = Figure(values[0], None, printed[1] if printed else None, page, inferred=True)
            inferred.append(path)
        else:
            figures[path] = MISSING
            doubtful.append(path)
    return Settled(figures, tuple(lost), tuple(inferred), tuple(doubtful), consistent)


def _unique(items: Iterable) -> list:
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _printed_values(paths, option) -> dict[str, Number | None]:
    return {path: (slot[0].value if slot is not None else None) for path, slot in zip(paths, option)}


def _reduce(paths, known, equations) -> list[tuple[list[tuple[str, int]], Number]]:
    """The equations that touch the row and whose other cells are all known, as
    (the row's terms with their signs, the signed sum of the other terms)."""
    row = set(paths)
    reduced = []
    for eq in equations:
        terms = [(p, 1) for p in eq.lhs] + [(p, -1) for p in eq.rhs]
        others = [known.get(p) for p, _ in terms if p not in row]
        if None in others:
            continue
        rest = sum(sign * known[p] for p, sign in terms if p not in row)
        reduced.append(([(p, sign) for p, sign in terms if p in row], rest))
    return reduced


def _solve(paths, option, reduced):
    """Values of this placement, lost and empty cells solved from the sums; ok False on a
    contradiction."""
    values = _printed_values(paths, option)
    # In a doubtful row an empty cell may be a lost one: let the sums say what it holds.
    lost = {path for path, slot in zip(paths, option) if slot is None or slot[0].kind == "empty"}
    solved: set[str] = set()
    progress = True
    while progress:
        progress = False
        for terms, rest in reduced:
            unknown = [(p, sign) for p, sign in terms if values[p] is None]
            balance = rest + sum(sign * values[p] for p, sign in terms if values[p] is not None)
            if not unknown:
                if balance != 0:
                    return values, solved, False
            elif len(unknown) == 1 and unknown[0][0] in lost - solved:
                path, sign = unknown[0]
                solution = -balance * sign
                if solution < 0 or solution != int(solution):
                    return values, solved, False
                values[path] = int(solution)
                solved.add(path)
                progress = True
    return values, solved, True
