"""Tables published as pictures, read by OCR (RapidOCR: its models ship in the wheel, run by
onnxruntime on the CPU): an image file, or a PDF page without a text layer rendered to one.

A page's ruling lines (found with OpenCV) give the table's cells; each text box the OCR finds
goes to the cell its centre lies in, and the cells' top edges give the rows, so that the
parser gets the same rows of cells as from a Word or HTML table. Text outside the tables is
put into lines by height. Every cell keeps where it was read: each cell has a number of its
own in the row's `lines`, which `Document.ocr` maps to its page, box and confidence, so that
a figure taken from it can be traced back, and doubted (`parse.ocr`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache

from builder.model import Document, DocRow, OcrCell, Source
from builder.pool import more_time
from builder.readers.cells import clean_cell
from builder.readers.text import NotText

DPI = 220  # a PDF page rendered for OCR (an A4 page at SHORT_SIDE): see docs/performance.md for the measure
SHORT_SIDE = 1800  # pixels: 150 dpi pages enlarged to this read 200 of 200 cells, 181 as they were
MAX_PAGES = 20  # OCR costs seconds a page: a longer scan is refused rather than read for minutes
# the time a page of OCR adds to a report's bound (`pool.more_time`): some 4 s on this project's
# machines (docs/performance.md), with room for a machine that runs other work beside it
PAGE_SECONDS = 20
MAX_PIXELS = 40_000_000  # an image's bound: a decompression bomb is refused before it is decoded
_MAX_SKEW = 5  # degrees: a page turned further is not taken for a scan askew
_MIN_CELL = 8  # pixels: a smaller hole between lines is the gap of a double rule, not a cell
# a figure read with less confidence than this is read again from its box cut with these margins
# (parts of its height): the models read a digit alone less surely than in a line of text, and a
# read that two other cuts repeat is surer than its confidence says (docs/performance.md)
LOOK_AGAIN_BELOW = 0.95
_LOOK_MARGINS = (0.15, 0.3)
_FIGURE = re.compile(r"[\d.,\-]+")


@cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR  # imported on first use: loading its models takes a second

    return RapidOCR()


def read_image(data: bytes, source: Source) -> Document:
    """An image file put in as a report."""
    image = decoded(data)
    rows, cells = page_rows(image, 1)
    return Document(source, tuple(rows), ocr=tuple(cells), pictures=True)


def read_pages(images: Iterable, source: Source) -> Document:
    """Pages already rendered (a scanned PDF's), in order."""
    rows: list[DocRow] = []
    cells: list[OcrCell] = []
    for number, image in enumerate(images, start=1):
        page, found = page_rows(image, number, cells)
        rows.extend(page)
        cells.extend(found)
    return Document(source, tuple(rows), ocr=tuple(cells), pictures=True)


MAX_CELL_PICTURES = 60  # cells cut out for a report's page: those its findings name


def cell_pictures(cells: Mapping[str, OcrCell], picture_of: Callable[[OcrCell], object]) -> dict[str, bytes]:
    """Each of `cells` (at most MAX_CELL_PICTURES) as a PNG cut from its page as OCR saw it
    (sized, turned straight), with a margin, so that a reader can check a doubted figure against
    the picture. `picture_of` gives the image a cell was read from, or None where it is lost."""
    import numpy
    from PIL import Image

    by_picture: dict[tuple[int, str], list[tuple[str, OcrCell]]] = {}
    for path, cell in list(cells.items())[:MAX_CELL_PICTURES]:
        by_picture.setdefault((cell.page, cell.picture), []).append((path, cell))
    found = {}
    for where in sorted(by_picture):
        image = picture_of(by_picture[where][0][1])
        if image is None:
            continue
        pixels = page_pixels(image)
        for path, cell in by_picture[where]:
            x0, y0, x1, y1 = cell.box
            part = pixels[max(0, y0 - 8):y1 + 8, max(0, x0 - 8):x1 + 8, ::-1]
            buffer = io.BytesIO()
            Image.fromarray(numpy.ascontiguousarray(part)).save(buffer, "PNG", optimize=True)
            found[path] = buffer.getvalue()
    return found


def page_pixels(image):
    """A page as OCR reads it, sized and turned straight, in OpenCV's order of colours: the
    pixels its cells' boxes are given in."""
    import numpy

    return deskewed(numpy.asarray(_sized(image.convert("RGB")))[:, :, ::-1])


def decoded(data: bytes):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise NotText(f"图片过大（{opened.width}×{opened.height} 像素），未读取")
            return opened.convert("RGB")
    except (Image.DecompressionBombError, Image.UnidentifiedImageError, OSError) as err:
        raise NotText(f"图片无法读取（{type(err).__name__}）") from None


def page_rows(image, page: int, earlier: Sequence[OcrCell] = (), picture: str = "",
              within: tuple[float, float, float, float] = (0, 0, 1, 1)) -> tuple[list[DocRow], list[OcrCell]]:
    """The rows of one page image, top to bottom, and the cells read. Cells and table rows are
    numbered on from the `earlier` pages' cells, through the document; a cell's number is one
    no reader's line takes (rows of OCR have no text lines). `picture`: the file the image is,
    beside the report (see `OcrCell`); `within`: the part of the page to read (left, top,
    right, bottom, as shares of its width and height), the rest being read as text."""
    more_time(PAGE_SECONDS)
    first_cell = len(earlier)
    first_row = earlier[-1].row + 1 if earlier else 0
    pixels = page_pixels(image)
    found, _ = _engine()(pixels)
    height, width = pixels.shape[:2]
    left, top, right, bottom = within[0] * width, within[1] * height, within[2] * width, within[3] * height

    def inside(x0, y0, x1, y1) -> bool:
        return left <= (x0 + x1) / 2 <= right and top <= (y0 + y1) / 2 <= bottom
    boxes = [(_bounds(points), clean_cell(text), float(score)) for points, text, score in (found or ())
             if clean_cell(text) and inside(*_bounds(points))]
    grid = [cell for cell in table_cells(pixels) if inside(*cell)]
    in_cell: dict[int, list] = {n: [] for n in range(len(grid))}
    outside = []
    for box in boxes:
        x, y = (box[0][0] + box[0][2]) / 2, (box[0][1] + box[0][3]) / 2
        home = next((n for n, (x0, y0, x1, y1) in enumerate(grid) if x0 <= x <= x1 and y0 <= y <= y1), None)
        (in_cell[home] if home is not None else outside).append(box)
    placed: list[tuple[float, DocRow]] = []
    cells: list[OcrCell] = []
    for top, members in _rows_of(grid):
        texts, lines = [], []
        for n in members:
            parts = sorted(in_cell[n], key=lambda b: (round(b[0][1] / 10), b[0][0]))
            text = "".join(p[1] for p in parts)
            confidence = min((p[2] for p in parts), default=None)
            if len(parts) == 1 and confidence < LOOK_AGAIN_BELOW and _FIGURE.fullmatch(text):
                confidence = _looked_again(pixels, parts[0])
            elif not parts:
                text, confidence = _read_empty(pixels, grid[n])
            number = first_cell + len(cells) + 1
            cells.append(OcrCell(number, page, tuple(round(v) for v in grid[n]), text, confidence,
                                 first_row + len(placed), picture))
            texts.append(text)
            lines.append(number)
        placed.append((top, DocRow.of(tuple(texts), tuple(lines), True, page)))
    for top, line in _lines_of(outside):
        placed.append((top, DocRow.of((line,), (None,), False, page)))
    placed.sort(key=lambda item: item[0])
    return [row for _, row in placed], cells


def _looked_again(pixels, box) -> float:
    """A figure's confidence after reading its box again, cut with other margins: the best of
    the reads when they all give its text, the worst when one does not."""
    bounds, text, confidence = box
    reads = [_recognized(pixels, bounds, margin) for margin in _LOOK_MARGINS]
    scores = [confidence, *(score for _, score in reads)]
    return max(scores) if all(again == text for again, _ in reads) else min(scores)


def _recognized(pixels, bounds, margin: float) -> tuple[str, float]:
    """The text in `bounds`, cut with a margin of `margin` times its height: recognition alone."""
    import numpy

    x0, y0, x1, y1 = bounds
    pad = (y1 - y0) * margin
    part = pixels[max(0, round(y0 - pad)):round(y1 + pad), max(0, round(x0 - pad)):round(x1 + pad)]
    found, _ = _engine()(numpy.ascontiguousarray(part), use_det=False, use_cls=False, use_rec=True)
    return (clean_cell(found[0][0]), float(found[0][1])) if found else ("", 0.0)


_INSET = 4  # pixels inside a cell's edges: what lies nearer is its rule
_LEAST_INK = 12  # dark pixels: fewer are a speck of the scan


def _read_empty(pixels, cell) -> tuple[str, float | None]:
    """A cell where the detector found no text, looked at again: a figure alone in a cell (a
    small 0) is what it most often misses. Its ink is recognized as a figure, with the
    confidence `_looked_again` gives it; else the cell stays empty."""
    import numpy

    x0, y0, x1, y1 = cell
    inner = pixels[y0 + _INSET:y1 - _INSET, x0 + _INSET:x1 - _INSET]
    if inner.size == 0:
        return "", None
    ys, xs = numpy.nonzero(inner.min(axis=2) < 128)
    if len(ys) < _LEAST_INK:
        return "", None
    bounds = (x0 + _INSET + xs.min(), y0 + _INSET + ys.min(), x0 + _INSET + xs.max() + 1, y0 + _INSET + ys.max() + 1)
    text, score = _recognized(pixels, bounds, 0.5)
    if not _FIGURE.fullmatch(text):
        return "", None
    return text, _looked_again(pixels, (bounds, text, score))


def deskewed(pixels):
    """The page turned straight: a scan lies a degree or two askew, and a table's rows are
    told by the tops of their cells. The angle is the median slant of the long horizontal
    strokes (the rules)."""
    import cv2
    import numpy

    height, width = pixels.shape[:2]
    across = _strokes(pixels)[0]
    contours, _ = cv2.findContours(across, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    angles = []
    for contour in contours:
        if cv2.boundingRect(contour)[2] < width // 4:
            continue
        vx, vy = cv2.fitLine(contour, cv2.DIST_L2, 0, 0.01, 0.01).ravel()[:2]
        angle = float(numpy.degrees(numpy.arctan2(vy, vx)))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        if abs(angle) < _MAX_SKEW:
            angles.append(angle)
    if not angles or abs(float(numpy.median(angles))) < 0.05:
        return pixels
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), float(numpy.median(angles)), 1.0)
    return cv2.warpAffine(pixels, turn, (width, height), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def _strokes(pixels):
    """The page's long horizontal and vertical strokes, as two masks."""
    import cv2

    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(~gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    height, width = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(width // 40, 10), 1)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(height // 60, 10))))
    return across, down


def _sized(image):
    """The page at the size OCR reads best: its shorter side SHORT_SIDE pixels (an A4 page at
    about 220 dpi), a smaller one enlarged by Lanczos, a much larger one reduced (its cost)."""
    from PIL import Image

    short = min(image.size)
    if SHORT_SIDE <= short <= 2 * SHORT_SIDE:
        return image
    scale = SHORT_SIDE / short
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)


def _bounds(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def table_cells(pixels) -> list[tuple[int, int, int, int]]:
    """The cells of the page's ruled tables, as (x0, y0, x1, y1): the holes that the page's long
    horizontal and vertical strokes enclose."""
    import cv2

    across, down = _strokes(pixels)
    height, width = across.shape
    rules = cv2.dilate(across | down, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    contours, hierarchy = cv2.findContours(rules, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    cells = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if hierarchy is not None else ()):
        if parent < 0:  # an outer edge of the rules, not a hole between them
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if w >= _MIN_CELL and h >= _MIN_CELL and w < width * 0.98:
            cells.append((x, y, x + w, y + h))
    return cells


def _rows_of(grid: Sequence[tuple[int, int, int, int]]) -> list[tuple[float, list[int]]]:
    """The cells by row: those whose tops lie within a few pixels, left to right. A cell that
    spans rows belongs to its first, as a merged cell of an HTML table does."""
    order = sorted(range(len(grid)), key=lambda n: (grid[n][1], grid[n][0]))
    rows: list[tuple[float, list[int]]] = []
    for n in order:
        if rows and abs(grid[n][1] - rows[-1][0]) <= 6:
            rows[-1][1].append(n)
        else:
            rows.append((grid[n][1], [n]))
    return [(top, sorted(members, key=lambda n: grid[n][0])) for top, members in rows]


def _lines_of(boxes: list) -> list[tuple[float, str]]:
    """Text outside the tables in lines: boxes whose middles lie within half a box's height."""
    lines: list[tuple[float, float, list]] = []
    for box in sorted(boxes, key=lambda b: (b[0][1] + b[0][3]) / 2):
        middle, size = (box[0][1] + box[0][3]) / 2, box[0][3] - box[0][1]
        if lines and abs(middle - lines[-1][1]) <= size / 2:
            lines[-1][2].append(box)
        else:
            lines.append((box[0][1], middle, [box]))
    return [(top, " ".join(b[1] for b in sorted(members, key=lambda b: b[0][0]))) for top, _, members in lines]
