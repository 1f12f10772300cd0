"""The report model: small frozen data classes passed between the stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from typing import NamedTuple

from builder.vocabulary import Severity, Status

Number = int | Decimal


# DocRow and Figure are made by the hundred for every report: named tuples, because they are
# frozen like the data classes and several times cheaper to create. A row keeps its cells as
# plain strings, since creating an object per cell was the largest cost of reading.
class DocRow(NamedTuple):
    """A row of cells as a reader found it: each cell's text and the line it starts on.
    `tabular` is False for a paragraph of running text."""

    texts: tuple[str, ...]
    lines: tuple[int | None, ...]
    tabular: bool
    text: str  # the cells' text joined, read by several stages
    page: int | None = None
    glued: bool = False  # the figures after the label ran together in the source (`parse.glued`)
    # a PDF paragraph cut by the end of its page, its last line at the right margin: it may go on
    # at the top of the next page (`parse.paragraphs`)
    runs_on: bool = False

    @classmethod
    def of(cls, texts: tuple[str, ...], lines: tuple[int | None, ...], tabular: bool,
           page: int | None = None) -> DocRow:
        return cls(texts, lines, tabular, "".join(texts), page)


@dataclass(frozen=True)
class Source:
    file: str
    format: str
    sha256: str
    size: int
    encoding: str | None = None


class OcrCell(NamedTuple):
    """A table cell read by OCR: the number it has in its row's `lines`, its page, its box in
    the page's pixels (x0, y0, x1, y1), the text read and the least confidence of its parts
    (None for a cell with no text)."""

    number: int
    page: int
    box: tuple[int, int, int, int]
    text: str
    confidence: float | None
    row: int = 0  # the table row it was read in (numbered through the document)
    picture: str = ""  # the picture file it was read from, beside the report (page_files/x.png); "": the report


@dataclass(frozen=True)
class Document:
    """What every reader produces: the same intermediate form for every format."""

    source: Source
    rows: tuple[DocRow, ...]
    # what the file says of itself outside its text: a web page's <title> and meta tags
    properties: tuple[tuple[str, str], ...] = ()
    ocr: tuple[OcrCell, ...] = ()  # the cells read by OCR, when the pages were pictures
    pictures: bool = False  # the pages were pictures, read by OCR


class Figure(NamedTuple):
    """One cell of a template table. `value` None means blank (or lost) in the source."""

    value: Number | None
    printed: str | None = None  # the cell text as printed; None when the cell was not there
    line: int | None = None
    page: int | None = None
    inferred: bool = False  # value set from the template's sums, not read


MISSING = Figure(None)  # a cell that is not in the source at all


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    cells: tuple[str, ...] = ()
    expected: Number | str | None = None
    actual: Number | str | None = None


@dataclass(frozen=True)
class Report:
    source: Source
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    published: str | None = None
    region: Mapping[str, str] | None = None  # as the sidecar or the text states it
    # its place among the administrative divisions (`places.place_of`), None when not certain
    place: Mapping[str, str | None] | None = None
    contact: Mapping[str, str] | None = None
    source_url: str | None = None
    added: str | None = None  # when the report was added to gongkai (ISO date, from its sidecar)
    report_id: str | None = None  # the id it was published under, recorded in its sidecar: it never moves
    figures: Mapping[str, Figure] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    sections: Mapping[str, str] = field(default_factory=dict)
    tables_found: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    status: Status = "unparsed"
    ocr: Mapping[str, OcrCell] = field(default_factory=dict)  # the cell each figure read by OCR came from

    def value(self, path: str) -> Number | None:
        return self.values.get(path)

    @cached_property
    def values(self) -> dict[str, Number | None]:
        """Cell path -> figure value (None when blank)."""
        return {path: figure[0] for path, figure in self.figures.items()}  # [0]: the value


@dataclass(frozen=True)
class Sidecar:
    """What a report's sidecar file says, validated: fields named as the Report's, and the
    findings of what could not be used."""

    values: Mapping[str, object]
    findings: tuple[Finding, ...] = ()
    # a web page's pictures saved under other names: a picture's address (or its file name) ->
    # the file beside the report that holds it (`x.png`, or `page_files/x.png`)
    pictures: Mapping[str, str] = field(default_factory=dict)
