"""PDF with a text layer (pdfplumber): tables by their ruling lines, text lines around them,
page numbers dropped. A PDF without text is a scan: its tables are images. A picture that
fills much of a page of text and holds no text of its own (a table pasted in as a picture) is
read by OCR where it stands, when OCR is asked for."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1

from builder.model import Document, DocRow, OcrCell, Source
from builder.readers import ocr
from builder.readers.cells import paragraph, table_row
from builder.readers.text import NotText

MAX_PAGES = 200
# a picture is read by OCR when it covers this part of its page and the text layer has fewer
# characters than this over it (a searchable scan has its text there already)
PICTURE_SHARE = 0.15
PICTURE_MOST_CHARS = 10
_WRAP_SLACK = 14  # points: about one character
_PAGE_NUMBER = re.compile(r"^[\s\-—–－·•第页Pp.]*\d{1,3}[\s\-—–－·•页/共]*\d*[\s\-—–－·•页]*$")


class Scanned(NotText):
    """The PDF holds images, not text: its tables cannot be read without OCR."""


def read(data: bytes, source: Source, pictures: bool = False) -> Document:
    """`pictures`: the pictures of pages with text read by OCR (see the module's doc)."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise NotText("PDF 文件有密码保护，无法读取") from None
    except MemoryError:
        raise
    except Exception as err:  # pdfminer raises many kinds, wrapped or not, for a damaged file
        if "password" in str(err).lower() or isinstance(getattr(err, "__cause__", None), PDFPasswordIncorrect):
            raise NotText("PDF 文件有密码保护，无法读取") from None
        raise NotText(f"PDF 文件已损坏或不完整（{type(err).__name__}）") from None
    with pdf:
        declared = _declared_pages(pdf)  # before pdfplumber makes an object of every page
        if declared > MAX_PAGES or len(pdf.pages) > MAX_PAGES:
            raise NotText(f"PDF 页数过多（{max(declared, len(pdf.pages))} 页，上限 {MAX_PAGES} 页）")
        cells: list[OcrCell] = []
        try:
            # a scan is told before any picture is read: its pages are OCR'd whole (`Scanned`), once
            scanned = not any(page.chars for page in pdf.pages)
            rows = [] if scanned else [
                row for number, page in enumerate(pdf.pages, start=1)
                for row in _page_rows(page, number, _pictures(page, number, data, cells) if pictures else [])]
        except MemoryError:
            raise
        except Exception as err:  # pdfminer raises many kinds for a damaged file
            if isinstance(err.__cause__ or err.__context__, MemoryError):
                raise MemoryError from None  # pdfplumber wraps it: a stream that inflates without end
            raise NotText(f"PDF 文件已损坏，无法读取（{type(err).__name__}）") from None
        if scanned:
            raise Scanned("PDF 没有文字层（扫描件）：表格是图片，需要 OCR 才能读取")
    return Document(source, tuple(rows), ocr=tuple(cells), pictures=bool(cells))


def _pictures(page, number: int, data: bytes, cells: list[OcrCell]) -> list[tuple[float, list[DocRow]]]:
    """The rows OCR reads of the page's pictures that hold no text (PICTURE_SHARE), each placed
    where the picture stands; the cells read are added to `cells`. At most ocr.MAX_PAGES pages."""
    area = float(page.width * page.height)
    regions = []
    for image in page.images:
        x0, top, x1, bottom = max(image["x0"], 0), max(image["top"], 0), min(image["x1"], page.width), \
            min(image["bottom"], page.height)
        if (x1 - x0) * (bottom - top) < PICTURE_SHARE * area:
            continue
        inside = sum(1 for c in page.chars if x0 <= c["x0"] <= x1 and top <= c["top"] <= bottom and c["text"].strip())
        if inside < PICTURE_MOST_CHARS:
            regions.append((top, (x0 / page.width, top / page.height, x1 / page.width, bottom / page.height)))
    if not regions or len({cell.page for cell in cells}) >= ocr.MAX_PAGES:
        return []
    image = next(page_images(data, ocr.DPI, MAX_PAGES, [number]))
    placed = []
    for top, within in sorted(regions):
        rows, found = ocr.page_rows(image, number, cells, within=within)
        cells.extend(found)
        placed.append((top, rows))
    return placed


def page_images(data: bytes, dpi: int, most: int, numbers: Sequence[int] | None = None):
    """A scanned PDF's pages as images (pdfium), for OCR; at most `most` pages. `numbers`: only
    those pages (from 1), in that order."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        if len(document) > most:
            raise NotText(f"扫描件页数过多（{len(document)} 页，OCR 上限 {most} 页）")
        for number in numbers if numbers is not None else range(1, len(document) + 1):
            yield document[number - 1].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def _declared_pages(pdf) -> int:
    """The page count the page tree declares (0 when it declares none)."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"]).get("Count"))
        return count if isinstance(count, int) else 0
    except Exception:  # a damaged tree: the pages themselves will tell
        return 0


def _cells_by_gaps(line: dict) -> list[str]:
    """A text line split where the space between two characters is wider than three of them."""
    chars = [c for c in line["chars"] if c["text"].strip()]
    if not chars:
        return []
    width = sum(c["x1"] - c["x0"] for c in chars) / len(chars)
    cells, current = [], [chars[0]["text"]]
    for before, after in zip(chars, chars[1:]):
        if after["x0"] - before["x1"] > 3 * width:
            cells.append("".join(current))
            current = []
        current.append(after["text"])
    cells.append("".join(current))
    return cells


def _right_margin(lines: list[dict], boxes: list[tuple], width: float) -> float:
    """Where the page's full lines end. A line ending in a comma or a stop may let it hang past
    the margin by a character or two, so the margin is the middle of the ends near the widest,
    not the widest; and no less than three quarters of the page, so that a page of short lines
    is never taken for one wrapped paragraph."""
    ends = [line["x1"] for line in lines] + [box[2] for box in boxes]
    if not ends:
        return width * 0.75
    near = sorted(end for end in ends if end >= max(ends) - 3 * _WRAP_SLACK)
    return max(near[(len(near) - 1) // 2], width * 0.75)


def _left_margin(lines: list[dict], right: float) -> float | None:
    """Where the page's full lines begin (None when no line is full): the lines of a paragraph
    after its first start there, its first line indented from it."""
    return min((line["x0"] for line in lines if line["x1"] >= right - _WRAP_SLACK), default=None)


def _page_rows(page, number: int, pictures: Sequence[tuple[float, list[DocRow]]] = ()) -> list[DocRow]:
    """The page's tables and text lines, top to bottom, with the rows of its `pictures` (top,
    rows): a text line is put with the line before it when that one ran to the right margin and
    this one is not indented (the first line of a paragraph is). The page's last paragraph is
    marked `runs_on` when its last line reached the margin, to be joined with the top of the
    next page by the parser (`parse.paragraphs`)."""
    tables = [t for t in page.find_tables() if max(len(r) for r in t.extract()) > 1]
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    placed: list[tuple[float, list[DocRow]]] = list(pictures)
    lines = [line for line in page.filter(outside).extract_text_lines()
             if line["text"].strip() and not _PAGE_NUMBER.match(line["text"].strip())]
    right = _right_margin(lines, boxes, page.width)
    left = _left_margin(lines, right)
    start, texts = None, []
    for line in lines:
        cells = _cells_by_gaps(line)
        if len(cells) > 1:  # a table without ruling lines: its cells stand apart
            if texts:
                placed.append((start, [paragraph("\n".join(texts), None, number)]))
                start, texts = None, []
            placed.append((line["top"], [table_row(cells, None, number)]))
            continue
        # an indented line is the first of a paragraph, whether or not the line before was full
        if texts and left is not None and line["x0"] > left + _WRAP_SLACK:
            placed.append((start, [paragraph("\n".join(texts), None, number)]))
            start, texts = None, []
        start = line["top"] if start is None else start
        texts.append(line["text"].strip())
        # a line that reaches the right margin was wrapped: the paragraph goes on
        if line["x1"] < right - _WRAP_SLACK:
            placed.append((start, [paragraph("\n".join(texts), None, number)]))
            start, texts = None, []
    if texts:  # the page ended inside a line that ran to the margin: the paragraph may go on overleaf
        placed.append((start, [paragraph("\n".join(texts), None, number, runs_on=True)]))
    placed = [(top, [row for row in rows if row]) for top, rows in placed]
    for table in tables:
        rows = [table_row([cell for cell in cells if cell is not None], None, number) for cells in table.extract()]
        placed.append((table.bbox[1], rows))
    placed.sort(key=lambda item: item[0])
    return [row for _, rows in placed for row in rows]
