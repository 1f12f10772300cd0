"""Web pages: the article's paragraphs and data tables, in document order (lxml)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import lxml.etree
import lxml.html

from builder.model import Document, DocRow, Source
from builder.readers import ocr
from builder.readers.cells import clean_cell, paragraph, table_row
from builder.readers.text import NotText

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_-]+)""", re.I)
_DROP = ("script", "style", "noscript", "template", "iframe", "svg", "object", "head", "button", "select")
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote", "div", "section",
           "article", "td", "th", "caption", "center", "address"}
MAX_ELEMENTS = 200_000
_BREAK = "\u2029"


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    declared = _META_CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    for encoding in (*candidates, "utf-8", "gb18030"):
        if encoding in ("gb2312", "gbk"):
            encoding = "gb18030"  # a superset: pages that say GB2312 use GBK characters
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise NotText("无法识别网页的编码")


def read(data: bytes, source: Source, pictures: Callable[[str], tuple[str, bytes | None]] | None = None
         ) -> Document:
    """`pictures`: a picture by its address, as the name of its file beside the report and its
    bytes, where the page's pictures are at hand (`readers.pictures_of`); a table published as
    one is read by OCR where it stands."""
    text, encoding = decode(data)
    if not text.strip():
        raise NotText("文件为空")
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8", huge_tree=False))
    except (lxml.etree.ParserError, ValueError) as err:
        raise NotText(f"无法解析网页：{err}") from None
    properties = _properties(tree)
    for element in tree.iter(*_DROP):
        element.drop_tree() if element.getparent() is not None else None
    read_pictures = _Pictures(pictures) if pictures else None
    rows = tuple(rows_of(tree, read_pictures))
    cells = tuple(read_pictures.cells) if read_pictures else ()
    return Document(dataclasses.replace(source, encoding=encoding), rows, properties, ocr=cells, pictures=bool(cells))


class _Pictures:
    """A page's pictures read by OCR as they are met, each a page of its own, at most
    ocr.MAX_PAGES; a small one (an icon, a seal, a QR code) is passed over."""

    SMALLEST = 300 * 200  # pixels

    def __init__(self, load: Callable[[str], tuple[str, bytes | None]]):
        self.load, self.cells, self.read = load, [], 0

    def rows(self, image_element) -> list[DocRow]:
        if self.read >= ocr.MAX_PAGES:
            return []
        name, data = self.load(image_element.get("src") or "")
        if data is None:
            return []
        try:
            image = ocr.decoded(data)
        except NotText:
            return []
        if image.width * image.height < self.SMALLEST:
            return []
        self.read += 1
        rows, found = ocr.page_rows(image, self.read, self.cells, name)
        self.cells.extend(found)
        return rows


# The meta tags of government sites' content systems that name a page's article, date and source
_META = {"articletitle": "title", "pubdate": "published", "firstpublishedtime": "published",
         "contentsource": "publisher", "sitename": "site", "columnname": "column", "url": "url", "og:url": "url"}
MAX_PROPERTY_CHARS = 500


def _properties(tree) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = _META.get((meta.get("name") or meta.get("property") or "").strip().lower())
        content = clean_cell(meta.get("content"))[:MAX_PROPERTY_CHARS]
        if key and content and key not in found:
            found[key] = content
    title = next(tree.iter("title"), None)
    if title is not None and clean_cell(title.text_content()):
        found["page_title"] = clean_cell(title.text_content())[:MAX_PROPERTY_CHARS]
    return tuple(sorted(found.items()))


def rows_of(tree, pictures: _Pictures | None = None) -> list[DocRow]:
    rows: list[DocRow] = []
    skip: set = set()
    for count, element in enumerate(tree.iter()):
        if count > MAX_ELEMENTS:
            raise NotText(f"网页元素过多（超过 {MAX_ELEMENTS} 个）")
        if element in skip or not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "table" and not element.xpath(".//table"):
            rows.extend(_table(element))
            skip.update(element.iter())
        elif tag in _BLOCKS and not _has_blocks(element):
            rows.extend(_paragraphs(element))
            if pictures:
                for image in element.iter("img"):
                    rows.extend(pictures.rows(image))
            skip.update(element.iter())
        elif tag == "img" and pictures:
            rows.extend(pictures.rows(element))
    return rows


def _has_blocks(element) -> bool:
    return any(isinstance(child.tag, str) and (child.tag.lower() in _BLOCKS or child.tag.lower() == "table")
               for child in element.iterdescendants())


def _paragraphs(element) -> list[DocRow]:
    """An element's text; a <br> starts a new paragraph."""
    for br in element.iter("br"):
        br.tail = _BREAK + (br.tail or "")
    parts = "".join(element.itertext()).split(_BREAK)
    rows = [paragraph(part, element.sourceline) for part in parts]
    return [row for row in rows if row]


def _table(table) -> list[DocRow]:
    rows = []
    for tr in table.iter("tr"):
        cells = [cell.text_content() for cell in tr if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]
        if cells:
            rows.append(table_row(cells, tr.sourceline))
    return rows
