"""Figures that ran together when a table was flattened to text: `120000012` for 12 0 0 0 0 0 12.

A glued row's characters are split into the row's cells in every way that prints figures
as figures are printed (no leading zero, at most 15 digits, a sign only at the start of a
cell), and the splits are kept that satisfy every equation of the template that applies:
first the row's own (`total` = the six applicants), then those across rows (the balance
of each column, （七）总计 = the results). A cell is filled only where every split left
gives it the same value and that value is certain: an equation was checked on the row, the
row splits one way only, or the cell is a whole run of digits between signs or marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from math import prod
from typing import NamedTuple

from builder.model import Number
from builder.forms import Equation

MAX_DIGITS = 15
MAX_CANDIDATES = 256  # splits kept per row; a row with more is too ambiguous to settle
MAX_NODES = 20_000  # steps of the search for one row
MAX_TABLE_NODES = 100_000  # and for all the rows of a table: a table costs at most about a second
MAX_JOINT = 5_000  # combinations of ambiguous rows tried together

# a unit printed after a figure ends its cell
_PIECE = re.compile(r"(?P<sign>[+\-−－])?(?P<digits>\d+(?:\.\d+)?)(?P<unit>万元|亿元|元|个|件|项|条)?|(?P<blank>[/／])")
_SPACE = re.compile(r"\s+")


class Part(NamedTuple):
    """One cell of a split. `whole` when the cell is a run of digits delimited in the source
    (by a sign, a mark or the ends), so that no split can move its bounds."""

    value: Number | None
    printed: str
    whole: bool


Split = tuple[Part, ...]


def pieces_of(text: str) -> list[tuple[str, str, str | None]] | None:
    """The runs of a glued text: (sign, digits or '/', unit); None when it holds anything but figures."""
    compact = _SPACE.sub("", text)
    pieces, position = [], 0
    while position < len(compact):
        found = _PIECE.match(compact, position)
        if not found:
            return None
        if found["blank"]:
            pieces.append(("", "/", None))
        else:
            pieces.append((found["sign"] or "", found["digits"], found["unit"]))
        position = found.end()
    return pieces or None


def is_glued_blob(text: str) -> bool:
    return pieces_of(text) is not None


@dataclass(frozen=True)
class Local:
    """An equation as the search checks it: signed terms on cells of the row, a constant
    from cells already known, and the cell after which every term is known."""

    terms: tuple[tuple[int, int], ...]
    constant: Number
    last: int


def local_equations(paths: Sequence[str], equations: Iterable[Equation],
                    known: Mapping[str, Number | None]) -> list[Local]:
    column = {path: i for i, path in enumerate(paths)}
    local = []
    for eq in equations:
        terms = [(p, 1) for p in eq.lhs] + [(p, -1) for p in eq.rhs]
        if not any(p in column for p, _ in terms):
            continue
        outside = [(p, sign) for p, sign in terms if p not in column]
        if any(known.get(p) is None for p, _ in outside):
            continue
        inside = tuple((column[p], sign) for p, sign in terms if p in column)
        constant = sum(sign * known[p] for p, sign in outside)
        local.append(Local(inside, constant, max(i for i, _ in inside)))
    return local


@dataclass(frozen=True)
class Search:
    splits: tuple[Split, ...]
    complete: bool  # False when the search stopped at a bound: the splits are not all there
    checked: bool  # an equation was evaluated on every split kept


def splits(text: str, width: int, equations: Sequence[Local] = (), signed: frozenset[int] = frozenset(),
           limit: int = MAX_CANDIDATES, budget: list[int] | None = None) -> Search:
    """Every split of a glued text into `width` cells that satisfies `equations`; a sign may
    start only the cells in `signed`."""
    pieces = pieces_of(text)
    if pieces is None:
        return Search((), True, False)
    by_last: dict[int, list[Local]] = {}
    for eq in equations:
        by_last.setdefault(eq.last, []).append(eq)
    # the fewest and the most cells the pieces from each one on can fill
    least = [0] * (len(pieces) + 1)
    most = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        _, digits, _ = pieces[i]
        least[i] = least[i + 1] + 1
        most[i] = most[i + 1] + (1 if digits == "/" else sum(ch.isdigit() for ch in digits))
    found: list[Split] = []
    budget = budget if budget is not None else [MAX_TABLE_NODES]
    state = {"nodes": 0, "complete": True, "checked": True}
    cells: list[Part] = []

    def check(cell: int) -> bool | None:
        evaluated = False
        for eq in by_last.get(cell, ()):
            values = [cells[i].value for i, _ in eq.terms]
            if None in values:
                continue
            evaluated = True
            if sum(sign * v for (_, sign), v in zip(eq.terms, values)) + eq.constant != 0:
                return False
        return True if evaluated else None

    def determined(cell: int) -> Number | None:
        """The value an equation ending at this cell gives it, when every other term is known."""
        for eq in by_last.get(cell, ()):
            others = [(cells[i].value, sign) for i, sign in eq.terms if i != cell]
            own = [sign for i, sign in eq.terms if i == cell]
            if len(own) == 1 and all(value is not None for value, _ in others):
                return -(sum(value * sign for value, sign in others) + eq.constant) * own[0]
        return None

    def visit(piece: int, offset: int, evaluated: bool) -> None:
        state["nodes"] += 1
        budget[0] -= 1
        if state["nodes"] > MAX_NODES or budget[0] < 0 or len(found) > limit:
            state["complete"] = False
            return
        cell = len(cells)
        if piece == len(pieces):
            if cell == width:
                found.append(tuple(cells))
                state["checked"] = state["checked"] and evaluated
            return
        left = width - cell
        ahead = most[piece + 1] + sum(ch.isdigit() for ch in pieces[piece][1][offset:]) if offset else most[piece]
        if left < least[piece] or left > ahead:
            return
        sign, digits, unit = pieces[piece]
        if digits == "/":
            cells.append(Part(None, "/", True))
            ok = check(cell)
            if ok is not False:
                visit(piece + 1, 0, evaluated or bool(ok))
            cells.pop()
            return
        if offset == 0 and sign and cell not in signed:
            return
        rest = len(digits) - offset
        lengths: Iterable[int] = range(1, min(rest, MAX_DIGITS + 1) + 1)
        target = determined(cell)
        if target is not None:  # an equation fixes this cell: only its own digits can follow
            if target < 0 or target != int(target):  # the sums hold only non-negative counts
                return
            text = str(int(abs(target)))
            lengths = (len(text),) if digits.startswith(text, offset) else ()
        for length in lengths:
            printed = digits[offset:offset + length]
            end = offset + length == len(digits)
            if not _is_figure(printed) or (not end and digits[offset + length] == "."):
                continue
            value: Number = Decimal(printed) if "." in printed else int(printed)
            if offset == 0 and sign in ("-", "−", "－"):
                value = -value
            text = (sign if offset == 0 else "") + printed + ((unit or "") if end else "")
            cells.append(Part(value, text, offset == 0 and end))
            ok = check(cell)
            if ok is not False:
                visit(piece + 1 if end else piece, 0 if end else offset + length, evaluated or bool(ok))
            cells.pop()
            if printed[0] == "0" and "." not in printed:
                break  # a longer cell would start with a zero

    visit(0, 0, False)
    return Search(tuple(found), state["complete"], state["checked"] and bool(found))


def _is_figure(printed: str) -> bool:
    if printed[0] == "." or printed[-1] == "." or printed.count(".") > 1:
        return False
    whole = printed.split(".")[0]
    return len(whole) <= MAX_DIGITS and (len(whole) == 1 or whole[0] != "0")


@dataclass(frozen=True)
class GluedRow:
    paths: tuple[str, ...]
    text: str  # the row's figures as printed, run together
    line: int | None
    page: int | None
    label: str
    signed: frozenset[int] = frozenset()  # the columns whose cells may carry a sign


@dataclass(frozen=True)
class Outcome:
    """What the splits of one row make certain: a Part per cell, None where unsure."""

    row: GluedRow
    cells: tuple[Part | None, ...]
    candidates: tuple[Split, ...]  # the splits left


def resolve(rows: Sequence[GluedRow], known: Mapping[str, Number | None],
            equations: Sequence[Equation]) -> list[Outcome]:
    """Split every glued row of a table, the rows settling each other through the equations."""
    budget = [MAX_TABLE_NODES]
    searches = [splits(row.text, len(row.paths), local_equations(row.paths, equations, known), row.signed,
                       budget=budget) for row in rows]
    # A row of one digit a cell is read as printed even where it breaks a sum: the checks say so.
    # Another row that splits one way only must also keep its sums, since a blank cell leaves no
    # trace in glued text and would shift the split.
    forced = [_one_way(row) for row in rows]
    forced = [alone if alone is not None and (_one_digit_each(alone) or alone in s.splits) else None
              for alone, s in zip(forced, searches)]
    left = [[alone] if alone is not None else list(s.splits) if s.complete else [] for s, alone in zip(searches, forced)]
    _propagate(rows, left, known, equations)
    _joint(rows, left, known, equations)
    outcomes = []
    for row, search, alone, kept in zip(rows, searches, forced, left):
        certain = alone is not None or search.checked or _checked_across(row, kept, rows, left, known, equations)
        cells: list[Part | None] = []
        for column in range(len(row.paths)):
            options = {split[column] for split in kept}
            part = next(iter(options)) if len(options) == 1 else None
            cells.append(part if part is not None and (certain or part.whole) else None)
        outcomes.append(Outcome(row, tuple(cells), tuple(kept)))
    return outcomes


def _one_way(row: GluedRow) -> Split | None:
    search = splits(row.text, len(row.paths), signed=row.signed, limit=1)
    return search.splits[0] if search.complete and len(search.splits) == 1 else None


def _one_digit_each(split: Split) -> bool:
    return all(sum(ch.isdigit() for ch in part.printed) <= 1 for part in split)


def _values(rows, left, known, skip: int | None = None) -> dict[str, Number | None]:
    values = dict(known)
    for index, (row, kept) in enumerate(zip(rows, left)):
        if index != skip and len(kept) == 1:
            values.update(zip(row.paths, (part.value for part in kept[0])))
    return values


def _holds(split: Split, row: GluedRow, values: Mapping[str, Number | None], equations) -> bool | None:
    """Whether the equations that touch the row and are fully known hold; None if none is."""
    values = {**values, **dict(zip(row.paths, (part.value for part in split)))}
    own = set(row.paths)
    evaluated = False
    for eq in equations:
        paths = (*eq.lhs, *eq.rhs)
        if own.isdisjoint(paths):
            continue
        terms = [values.get(p) for p in paths]
        if None in terms:
            continue
        evaluated = True
        if sum(terms[:len(eq.lhs)]) != sum(terms[len(eq.lhs):]):
            return False
    return True if evaluated else None


def _propagate(rows, left, known, equations) -> None:
    changed = True
    while changed:
        changed = False
        for index, row in enumerate(rows):
            if len(left[index]) < 2:
                continue
            values = _values(rows, left, known, skip=index)
            kept = [s for s in left[index] if _holds(s, row, values, equations) is not False]
            # none left: the table as printed breaks a sum, which cannot choose between splits
            if kept and len(kept) < len(left[index]):
                left[index] = kept
                changed = True


def _joint(rows, left, known, equations) -> None:
    ambiguous = [i for i, kept in enumerate(left) if len(kept) > 1]
    if len(ambiguous) < 2 or prod(len(left[i]) for i in ambiguous) > MAX_JOINT:
        return
    base = _values(rows, left, known)
    used: dict[int, set[int]] = {i: set() for i in ambiguous}
    for combination in product(*(range(len(left[i])) for i in ambiguous)):
        values = dict(base)
        for i, choice in zip(ambiguous, combination):
            values.update(zip(rows[i].paths, (part.value for part in left[i][choice])))
        if all(_holds(left[i][choice], rows[i], values, equations) is not False
               for i, choice in zip(ambiguous, combination)):
            for i, choice in zip(ambiguous, combination):
                used[i].add(choice)
    if all(used.values()):
        for i in ambiguous:
            left[i] = [left[i][choice] for choice in sorted(used[i])]


def _checked_across(row, kept, rows, left, known, equations) -> bool:
    """Whether an equation across rows was evaluated, and held, on every split kept."""
    if not kept:
        return False
    values = _values(rows, left, known, skip=rows.index(row))
    return all(_holds(split, row, values, equations) for split in kept)
