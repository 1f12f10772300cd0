"""The site's search: an index of words, in small files by a word's first character, that the
browser reads only when the search box is used (content/javascripts/search.js).

A page is found by the words of its name and place, never by a character that merely occurs
in them: 三明市 finds the reports placed in 三明市, not every name with 三 in it. A report's words
are its agency's full name, what jieba cuts from that name for search (三明市财政局: 三明, 三明市,
财政, 财政局), its place's names at every level with their short forms (福建省, 福建), and its
year. A word has two characters at least. Each word lists its pages by field, so that a full
name ranks its own pages first and a place's name its region's page.

The browser splits what was typed at spaces and punctuation, and matches each part as a word,
as the start of a word, or as words run together (三明市财政局2023); every part must match.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

from builder.model import Report
from builder.site import paths
from builder.places import LEVELS, short_name
from builder.vocabulary import STATUS_NAMES

# the fields a word may be found in, strongest first: the browser weighs them in this order
FIELDS = ("name", "title", "place", "text")
DOC_SHARD = 256  # pages' titles a file: a page of results reads a few of them
SHORTEST = 2
_SPLIT = re.compile(r"[\s\u200b\u3000\-–—_/\\|·•、。，,．.？?！!；;：:（）()\[\]【】《》<>“”\"'‘’「」『』〔〕［］｛｝]+")
_WORDISH = re.compile(r"\w")


@cache
def _jieba():
    import jieba  # imported on first use: loading its dictionary takes a second

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def preload() -> None:
    """Load jieba's dictionary now: processes forked afterwards inherit it."""
    _jieba()


def normalized(text: str) -> str:
    """As the browser normalizes a query: NFKC (full-width letters and digits), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> set[str]:
    """The words of a text: each run between separators whole, and what jieba cuts from it."""
    found = set()
    for part in _SPLIT.split(normalized(text)):
        if len(part) < SHORTEST:
            continue
        found.add(part)
        found.update(w for w in _jieba().cut_for_search(part) if len(w) >= SHORTEST and _WORDISH.match(w))
    return found


def place_words(names: Iterable[str]) -> set[str]:
    found = set()
    for name in names:
        if name:
            found.add(normalized(name))
            short = short_name(name)
            if len(short) >= SHORTEST:
                found.add(normalized(short))
    return found


def _place_names(report: Report) -> list[str]:
    if report.place:
        return [report.place[level] for level in LEVELS if report.place.get(level)]
    region = report.region or {}
    return [region[k] for k in ("province", "city", "county", "name") if region.get(k)]


def doc(kind: str, key: str, title: str, subtitle: str, fields: dict[str, set[str]]) -> dict:
    """A page as the index lists it: a word in a stronger field is not repeated in a weaker."""
    seen: set[str] = set()
    kept = {}
    for field in FIELDS:
        kept[field] = sorted(fields.get(field, set()) - seen)
        seen.update(kept[field])
    return {"kind": kind, "key": key, "title": title, "subtitle": subtitle, "words": kept}


def report_doc(report: Report, report_id: str, title: str, place: str) -> dict:
    year = f"{report.year} 年" if report.year else ""
    subtitle = " · ".join(p for p in (place, year, f"校验结果：{STATUS_NAMES[report.status]}") if p)
    entry = doc("report", paths.report_page(report_id), title, subtitle, _agency_words(report, [report.year] if report.year else []))
    entry["year"] = report.year or 0  # the index lists the newest first
    return entry


def agency_doc(report: Report, agency_id: str, place: str, years: Sequence[int]) -> dict:
    subtitle = " · ".join(p for p in (place, f"{len(years)} 个年度：{'、'.join(map(str, years))}" if years else "") if p)
    return doc("agency", paths.agency_page(agency_id), report.agency or "", subtitle, _agency_words(report, years))


def _agency_words(report: Report, years: Sequence[int]) -> dict[str, set[str]]:
    """A report's or an agency's words: its full name, what jieba cuts from it (from the file's
    name where the agency is not known), its place's names, its years."""
    agency = report.agency or ""
    return {"name": {normalized(agency)} if len(agency) >= SHORTEST else set(),
            "title": words(agency or report.source.file), "place": place_words(_place_names(report)),
            "text": {word for year in years for word in (str(year), f"{year}年")}}


def region_doc(code: str, name: str, above: Sequence[str], count: int, level_name: str) -> dict:
    subtitle = " · ".join(p for p in (" ".join(above), f"{level_name}地区", f"{count} 份报告") if p)
    return doc("region", code, name, subtitle, {"name": place_words([name]), "place": place_words(above)})


def page_doc(location: str, title: str, text: str, page_title: str) -> dict:
    """A section of a hand-written page, as MkDocs' search plugin lists it."""
    subtitle = page_title if page_title != title else ""
    return doc("page", location, title, subtitle, {"name": words(title), "text": words(text)})


def index_files(docs: Sequence[dict]) -> dict[str, object]:
    """The index as files (name -> JSON value): a manifest, the pages' titles in files of
    DOC_SHARD in d/ (so that words and titles each keep within paths.MAX_FILES_A_FOLDER), and the words by first character, each word with its pages by field as
    differences of ascending page numbers (most are 1: a file stays small)."""
    postings: dict[str, list[list[int]]] = defaultdict(lambda: [[] for _ in FIELDS])
    for number, entry in enumerate(docs):
        for position, field in enumerate(FIELDS):
            for word in entry["words"][field]:
                postings[word][position].append(number)
    shards: dict[str, dict[str, list[list[int]]]] = defaultdict(dict)
    for word in sorted(postings):
        shards[shard_of(word)][word] = [_deltas(numbers) for numbers in postings[word]]
    files: dict[str, object] = {
        "manifest.json": {"version": 1, "docs": len(docs), "doc_shard": DOC_SHARD, "fields": list(FIELDS),
                          "shortest": SHORTEST, "separator": _SPLIT.pattern, "shards": sorted(shards)}}
    for start in range(0, len(docs), DOC_SHARD):
        files[f"d/{start // DOC_SHARD}.json"] = [[d["kind"], d["key"], d["title"], d["subtitle"]]
                                                 for d in docs[start:start + DOC_SHARD]]
    for key, shard in shards.items():
        files[f"w-{key}.json"] = shard
    return files


def shard_of(word: str) -> str:
    """A word's file: the code point of its first character, in hexadecimal."""
    return format(ord(word[0]), "x")


def _deltas(numbers: list[int]) -> list[int]:
    return [n - (numbers[i - 1] if i else 0) for i, n in enumerate(numbers)]
