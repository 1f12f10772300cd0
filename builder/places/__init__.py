"""Where a report comes from: its place among China's administrative divisions (province, city,
county, township) with their 12-digit statistical codes, from what its sidecar and its agency's
name say. Data, like the form: the national list (`divisions/`, see its README) is read once.

A place is given only where the names found point to one division; otherwise none, and the
reason, never a guess.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

LEVELS = ("province", "city", "county", "township")
LEVEL_NAMES = {"province": "省级", "city": "地级", "county": "县级", "township": "乡级"}
_DATA = Path(__file__).resolve().parent / "divisions"
_LONGEST = 20  # characters of the longest division name
# A municipality's counties sit under a "city" that is no city: the province is named instead.
_NO_CITY = ("市辖区", "县")


@dataclass(frozen=True)
class Division:
    code: str  # 12 digits
    name: str
    level: str
    parent: str | None

    def chain(self) -> tuple[Division, ...]:
        """This division and those above it, the province first."""
        divisions = _divisions()
        found = [self]
        while found[-1].parent:
            found.append(divisions[found[-1].parent])
        return tuple(reversed(found))


@cache
def _divisions() -> dict[str, Division]:
    divisions: dict[str, Division] = {}
    for level, file, parent_column in (("province", "provinces.csv", None), ("city", "cities.csv", "provinceCode"),
                                       ("county", "areas.csv", "cityCode"), ("township", "streets.csv", "areaCode")):
        with open(_DATA / file, encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                parent = row[parent_column].ljust(12, "0") if parent_column else None
                code = row["code"].ljust(12, "0")
                divisions[code] = Division(code, row["name"], level, parent)
    return divisions


@cache
def _names() -> dict[str, tuple[Division, ...]]:
    """Division name -> the divisions of that name; a province also by its short name (福建)."""
    names: dict[str, list[Division]] = {}
    for division in _named_divisions():
        names.setdefault(division.name, []).append(division)
        if division.level == "province" and short_name(division.name) != division.name:
            names.setdefault(short_name(division.name), []).append(division)
    return {name: tuple(found) for name, found in names.items()}


def _named_divisions():
    """The divisions that a name can point to: not the groupings of the list (a municipality's
    市辖区, a province's 省直辖县级行政区划)."""
    return (d for d in _divisions().values() if d.name not in _NO_CITY and not d.name.endswith("直辖县级行政区划"))


def short_name(name: str) -> str:
    """A name without its suffix, as it is said short and spelled in a web address: 福建省 -> 福建."""
    return next((name[:-len(s)] for s in _SUFFIXES if name.endswith(s) and len(name) > len(s) + 1), name)


def mentions(text: str, shortest: int = 2) -> list[tuple[Division, ...]]:
    """The division names in `text` of at least `shortest` characters (a province's short name
    always), longest first where two overlap, each as the divisions of that name."""
    names = _names()
    found = []
    position = 0
    while position < len(text):
        for length in range(min(_LONGEST, len(text) - position), 1, -1):
            candidates = names.get(text[position:position + length])
            if candidates and (length >= shortest or candidates[0].level == "province"):
                found.append(candidates)
                position += length
                break
        else:
            position += 1
    return found


# the part of a name that a web address spells: 平潭县 -> pingtan
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区", "省", "市", "县",
             "区", "盟", "旗")
_HOST_LABEL = re.compile(r"^[a-z]{4,}$")  # shorter labels are abbreviations (fj, sz): too many read alike


@cache
def _spellings() -> dict[str, tuple[Division, ...]]:
    """Provinces, cities and counties by the pinyin of their names without the suffix."""
    from pypinyin import lazy_pinyin

    spelled: dict[str, list[Division]] = {}
    for division in _named_divisions():
        if division.level != "township":
            spelled.setdefault("".join(lazy_pinyin(short_name(division.name))), []).append(division)
    return {spelling: tuple(found) for spelling, found in spelled.items()}


def address_mentions(url: str | None) -> list[tuple[Division, ...]]:
    """The divisions the labels of a web address's host spell (www.pingtan.gov.cn: 平潭县)."""
    host = urlsplit(url).hostname if url else None
    spellings = _spellings() if host else {}
    return [spellings[label] for label in (host or "").split(".") if _HOST_LABEL.match(label) and label in spellings]


@dataclass(frozen=True)
class Located:
    place: Mapping[str, str | None] | None
    problem: str | None = None  # why there is no place, in Chinese
    spelled: bool = False  # the web address spells a division of the place


def locate(given: Iterable[str], agency: str | None, address: str | None = None) -> Located:
    """The place that the names `given` (a region, as the sidecar or the text states it) and the
    agency's name point to. The names given fix the place; the agency's names may only take it
    deeper (a township within the county given) or tell apart places of one name, and are set
    aside where they lie outside it; so may the web address the report was published at, whose host
    may spell a division (www.pingtan.gov.cn). A name of two characters in an agency's name (城区,
    郊区) is too common a word to count."""
    sure = [m for text in given if text for m in mentions(text)]
    refining = (mentions(agency, shortest=3) if agency else []) + address_mentions(address)
    if not sure and not refining:
        return Located(None, "报告与附加信息均未写明所在地区")
    base = _best(sure) if sure else []
    if sure and not base:
        return Located(None, f"地区名称互相矛盾（{'、'.join(dict.fromkeys(m[0].name for m in sure))}）")
    inside = [kept for m in refining if (kept := tuple(c for c in m if not base or any(_within(c, b) for b in base)))]
    refined = _best(inside) if inside else []
    best = refined if refined and (len(refined) == 1 or not base) else base
    if len(best) > 1:
        where = "、".join("".join(d.name for d in c.chain()[:-1] if d.name not in _NO_CITY) for c in best[:4])
        return Located(None, f"「{best[0].name}」不止一处（{where}{'等' if len(best) > 4 else ''}），无法确定")
    if not best:
        return Located(None, "机关名称与网址中的地区名不能互相印证")
    chain = _chain_codes(best[0])
    return Located(place_of(best[0]), spelled=any(d.code in chain for m in address_mentions(address) for d in m))


def _best(found: list[tuple[Division, ...]]) -> list[Division]:
    """The most specific divisions that agree with every name found: of the divisions one name
    can mean, the higher (a township named like a county is named after it)."""
    keep = [(index, c) for index, m in enumerate(found) for c in m
            if all(any(_agree(c, d) for d in other) for other in found)]
    if not keep:
        return []
    highest = {index: min(LEVELS.index(c.level) for i, c in keep if i == index) for index, _ in keep}
    keep = [c for index, c in keep if LEVELS.index(c.level) == highest[index]]
    deepest = max(LEVELS.index(c.level) for c in keep)
    return list(dict.fromkeys(c for c in keep if LEVELS.index(c.level) == deepest))


def _within(one: Division, other: Division) -> bool:
    return other.code in _chain_codes(one)


def _agree(one: Division, other: Division) -> bool:
    """One lies within the other, or they are the same."""
    return one.code in _chain_codes(other) or other.code in _chain_codes(one)


@cache
def _chain_codes(division: Division) -> frozenset[str]:
    return frozenset(d.code for d in division.chain())


def place_of(division: Division) -> dict[str, str | None]:
    """A place as the report holds it: each level's name and code, and the level of the most
    specific; a municipality's city is the municipality itself."""
    place: dict[str, str | None] = {level: None for level in LEVELS}
    place.update({f"{level}_code": None for level in LEVELS})
    for member in division.chain():
        place[member.level] = member.name
        place[f"{member.level}_code"] = member.code
    if place["city"] in _NO_CITY:
        place["city"] = place["province"]
    place["code"] = division.code
    place["level"] = division.level
    return place


def place_text(place: Mapping[str, str | None], separator: str = "") -> str:
    """A place's names from the province down; a municipality, its own city, once."""
    return separator.join(dict.fromkeys(place[level] for level in LEVELS if place.get(level)))


def preload() -> None:
    """Read the list now: processes forked afterwards share it rather than each reading it. The
    pinyin of the names (a second) is left to the processes that meet a web address."""
    _names()


def division(code: str) -> Division | None:
    return _divisions().get(code)


# What an agency's name says it is, first match wins: (kind, name endings).
AGENCY_KINDS = (
    ("street", ("街道办事处", "街道")),
    ("township", ("乡", "镇", "乡人民政府", "镇人民政府", "苏木")),
    ("government", ("人民政府", "人民政府办公室", "人民政府办公厅", "行政公署")),
    ("department", ("局", "委员会", "委", "办公室", "办", "厅", "中心", "院", "署", "馆", "会", "所", "队", "站")),
)
KIND_NAMES = {"government": "政府", "department": "部门", "township": "乡镇", "street": "街道", "other": "其他",
              "unknown": "未知"}


def agency_kind(agency: str | None) -> str:
    if not agency:
        return "unknown"
    for kind, endings in AGENCY_KINDS:
        if kind == "street" and "街道" in agency:
            return kind
        if any(agency.endswith(ending) for ending in endings):
            return kind
    return "other"
