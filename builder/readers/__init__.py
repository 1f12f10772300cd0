"""Readers turn a file into a `Document`: rows of cells with provenance.

One reader per format, chosen by the file's content and extension. A reader raises
`ReadError` with a one-line message when the file cannot be read; the pipeline turns
that into an `unparsed` report.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from urllib.parse import urlsplit

from builder.model import Document, OcrCell, Source
from builder.readers import docx, html, ocr, pdf, text

MAX_FILE_BYTES = 50 * 1024 * 1024


class ReadError(Exception):
    """The file cannot be read as a report; the message is one line for people."""

    def __init__(self, message: str, source: Source | None = None):
        super().__init__(message)
        self.source = source


READERS = {
    "txt": text.read,
    "html": html.read,
    "docx": docx.read,
    "pdf": pdf.read,
    "image": ocr.read_image,
}
NO_OCR = "（OCR 已用 --no-ocr 关闭）"
EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "txt", ".html": "html", ".htm": "html", ".docx": "docx",
              ".pdf": "pdf", ".png": "image", ".jpg": "image", ".jpeg": "image"}
UNSUPPORTED = {
    ".doc": "旧版 Word（.doc）文件无法直接读取，请另存为 .docx",
}


def format_of(path: Path, data: bytes | None = None) -> str | None:
    """The format by the file's content where it is unmistakable, else by its extension: a
    page saved as .txt is still HTML, a PDF named .htm still a PDF."""
    if data is not None:
        head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(b"%pdf-"):
            return "pdf"
        if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            return "image"
        if head.startswith(b"pk\x03\x04") and b"word/" in data[:65536]:
            return "docx"
        if head.startswith((b"<!doctype html", b"<html")) or b"<table" in data[:4096].lower():
            return "html"
    return EXTENSIONS.get(path.suffix.lower())


# The corpus folder's own documents (SOURCES.md, README.md): named in capitals, never a report
_CORPUS_DOCUMENT = re.compile(r"^[A-Z][A-Z_-]*\.md$")


def is_report_file(path: Path) -> bool:
    """A report, not one of the corpus's own documents nor a picture of a web page's (in the
    folder a browser saves beside the page: `<page>_files/`)."""
    suffix = path.suffix.lower()
    return ((suffix in EXTENSIONS or suffix in UNSUPPORTED) and not _CORPUS_DOCUMENT.match(path.name)
            and not any(part.endswith(PICTURES_FOLDER) for part in path.parent.parts))


PICTURES_FOLDER = "_files"  # as a browser names the folder of a saved page's pictures
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")


def pictures_of(path: Path, named: Mapping[str, str] = MappingProxyType({})):
    """What reads a web page's pictures by their addresses, as (the file's name beside the report,
    its bytes or None): the file the sidecar names for the address or its file name (`named`),
    else the file of that name in the page's folder of pictures (`page_files/`); never a path
    out of the report's folder nor anything from the network."""
    def picture(address: str) -> tuple[str, bytes | None]:
        base = PurePosixPath(urlsplit(address or "").path).name
        name = named.get(address) or named.get(base) or f"{path.stem}{PICTURES_FOLDER}/{base}"
        return name, picture_file(path, name)
    return picture


def picture_file(path: Path, name: str) -> bytes | None:
    """A picture beside report `path` by its name (`is_picture_name`), or None: not such a name,
    not a file, a link, too large."""
    if not is_picture_name(name, path.stem):
        return None
    candidate = path.parent.joinpath(*PurePosixPath(name).parts)
    try:
        return load(candidate) if candidate.is_file() and not candidate.is_symlink() else None
    except ReadError:
        return None


def is_picture_name(name: str, stem: str | None = None) -> bool:
    """A picture's file name beside a report: `x.png`, or `<stem>_files/x.png` in the folder a
    browser saves a page's pictures to; no other folder, no way out of the report's."""
    parts = PurePosixPath(name).parts if name and "\\" not in name else ()
    if not 1 <= len(parts) <= 2 or len(parts) == 2 and not (
            parts[0].endswith(PICTURES_FOLDER) and (stem is None or parts[0] == stem + PICTURES_FOLDER)):
        return False
    return not parts[-1].startswith(".") and PurePosixPath(parts[-1]).suffix.lower() in PICTURE_SUFFIXES


def picture_files(path: Path, named: Iterable[str] = ()) -> list[str]:
    """The names of the pictures a report may read: its page's folder of pictures and the files
    its sidecar names, sorted (for the parse cache's key)."""
    folder = path.with_name(path.stem + PICTURES_FOLDER)
    found = {f"{folder.name}/{p.name}" for p in folder.iterdir()} if folder.is_dir() else set()
    return sorted(name for name in found | set(named) if is_picture_name(name, path.stem))


def picture_reader(path: Path, data: bytes, fmt: str):
    """What gives the image an OCR cell of this report was read from, as it was read: a picture
    beside the report, the report's picture, or its scanned page; None where it is not at hand."""
    def picture(cell: OcrCell):
        try:
            if cell.picture:
                found = picture_file(path, cell.picture)
                return ocr.decoded(found) if found is not None else None
            if fmt == "image":
                return ocr.decoded(data)
            if fmt == "pdf":
                return next(iter(pdf.page_images(data, ocr.DPI, ocr.MAX_PAGES, [cell.page])), None)
        except text.NotText:
            return None
        return None
    return picture


def load(path: Path, links: frozenset[tuple[int, int]] = frozenset()) -> bytes:
    """A report file's bytes, bounded in size; a link is not followed out of the corpus. A
    file with another hard link may be a file from anywhere on the disk: refused, unless the
    other link is one of `links` (the site's copy of an earlier build, by device and inode)."""
    if path.is_symlink():
        raise ReadError("不读取符号链接（可能指向报告文件夹以外）")
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block or never end
            raise ReadError("不是普通文件（可能是管道或设备），未读取")
        if status.st_nlink > 1 and (status.st_dev, status.st_ino) not in links:
            raise ReadError("文件另有硬链接（可能是报告文件夹以外的文件），未读取")
        size = status.st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(f"文件过大（{size} 字节，上限 {MAX_FILE_BYTES} 字节）")
        return path.read_bytes()
    except OSError as err:
        raise ReadError(f"无法打开文件：{err.strerror or err}") from None


def read(path: Path, data: bytes | None = None, ocr_pictures: bool = True,
         named: Mapping[str, str] = MappingProxyType({})) -> Document:
    """Read one report file, or its bytes already loaded; a picture, or a PDF without text,
    by OCR unless `ocr_pictures` is False (`gongkai build --no-ocr`). `named`: the files of a web
    page's pictures, by address, where its sidecar names them (`pictures_of`)."""
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED:
        raise ReadError(UNSUPPORTED[suffix])
    if data is None:
        data = load(path)
    fmt = format_of(path, data)
    if fmt is None:
        raise ReadError(f"不支持的文件类型：{suffix or '（无扩展名）'}")
    source = Source(file=path.name, format=fmt, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    try:
        if fmt == "image" and not ocr_pictures:
            raise text.NotText("报告是图片，需要 OCR 才能读取" + NO_OCR)
        try:
            if fmt == "html":
                return html.read(data, source, pictures_of(path, named) if ocr_pictures else None)
            if fmt == "pdf":
                return pdf.read(data, source, ocr_pictures)
            return READERS[fmt](data, source)
        except pdf.Scanned as err:
            if not ocr_pictures:
                raise text.NotText(str(err) + NO_OCR) from None
            return ocr.read_pages(pdf.page_images(data, ocr.DPI, ocr.MAX_PAGES), source)
    except text.NotText as err:
        raise ReadError(str(err), source) from None
    except MemoryError:  # the bound of `pool.memory_limit`: a file that inflates without end
        raise ReadError("读取此文件所需内存超过上限（疑为压缩炸弹），未读取", source) from None
    except RecursionError:
        raise ReadError("文件结构嵌套过深，未读取", source) from None
    except Exception as err:  # a reader's bug must cost one report, not the build
        raise ReadError(f"读取时发生内部错误（{type(err).__name__}）", source) from None
