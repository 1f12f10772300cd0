"""Agency, year, publication date, contact details and region, from the text and a sidecar."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from builder.model import DocRow

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_YEAR = r"(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}"
_TITLE_AGENCY_FIRST = re.compile(rf"^(?P<agency>.+?)(?:关于)?(?P<year>{_YEAR})年度?的?(?:政府信息公开|政务公开|信息公开)")
_TITLE_YEAR_FIRST = re.compile(rf"^(?:关于)?(?P<year>{_YEAR})年度?的?(?P<agency>.+?)(?:政府信息公开|政务公开)")
_TITLE_NO_YEAR = re.compile(r"^(?P<agency>.+?)(?:政府信息公开|政务公开)工作年度报告")
_PERIOD = re.compile(r"(20\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|-|—)\s*(20\d{2})\s*年\s*12\s*月\s*31\s*日")
_DATE = re.compile(r"^(?P<y>20\d{2}|[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
                   r"\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$")
_ISO_DATE = re.compile(r"^(?P<y>20\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})$")
_CONTACT = {
    "address": re.compile(r"地址\s*[:：]\s*([^，,。；;）)\n]{2,60})"),
    "postcode": re.compile(r"邮(?:政)?编(?:码)?\s*[:：]\s*(\d{6})"),
    "phone": re.compile(r"电话\s*[:：]\s*(\d[\d\-－—() （）]{4,20}\d)"),
    # bounded, and tried only where a run of such characters starts: a long run of digits would
    # otherwise be tried from each of its characters to its end
    "email": re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})"),
}
# Each pattern is searched only where its anchor occurs, which is most often nowhere.
_CONTACT_ANCHORS = {
    "address": "地址", "postcode": "邮", "phone": "电话", "email": "@",
}
# A division's name: CJK characters other than the function words that precede names in prose.
_NAME_CHAR = r"(?:(?![与向请联系的和及由至在为是对我本全各经])[\u4e00-\u9fff])"
_PART = rf"{_NAME_CHAR}{{1,7}}?(?:自治区|自治州|自治县|特别行政区|省|市|地区|盟|县|区|旗)"
_ADMIN = re.compile(_PART)
_DIVISIONS_BEFORE = re.compile(rf"((?:{_PART}){{1,3}})$")
_SUFFIX_ENDS = frozenset("省区市州盟县旗")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass(frozen=True)
class Metadata:
    """What the text says of the report: values of the Report's fields (agency, year, published,
    region, contact, source_url), by their names; and the row of its title."""

    fields: Mapping[str, object]
    title_row: int | None = None


# The fields an archive of web pages writes above a page's text ("标题: …", "发布时间: …")
_ARCHIVE_FIELD = re.compile(r"^(?P<field>标题|题目|发布时间|发布日期|成文日期|发布机构|来源|信息来源|原文链接|原文地址|原始链接|网址)"
                            r"\s*[:：]\s*(?P<value>.*)$")
_FIELDS = {"标题": "title", "题目": "title", "发布时间": "published", "发布日期": "published",
           "成文日期": "published", "发布机构": "publisher", "来源": "publisher", "信息来源": "publisher",
           "原文链接": "url", "原文地址": "url", "原始链接": "url", "网址": "url"}
_URL = re.compile(r"^https?://[^\s<>\"']+$")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[-_|｜—]+)\s*")
_TITLE_SCAN = 60  # rows a title may follow: navigation and breadcrumbs come first on web pages


def read_metadata(rows: Sequence[DocRow], properties: Mapping[str, str] | None = None) -> Metadata:
    page = {**_archive_fields(rows), **{k: v for k, v in (properties or {}).items() if v}}
    # the page's own title first: the text may open with navigation, or be one run-together line
    agency = year = None
    for title in (page.get("title"), *_TITLE_SEPARATORS.split(page.get("page_title", ""))):
        if title and (agency is None or year is None):
            _, found_agency, found_year = _title([DocRow((title,), (None,), False, title)])
            agency, year = agency or found_agency, year or found_year
    title_row, text_agency, text_year = _title(rows)
    agency, year = agency or text_agency, year or text_year
    lines = [row.text for row in rows]
    text = "\n".join(lines)
    if year is None:
        period = _PERIOD.search(text)
        year = int(period.group(1)) if period else None
    tail = [line.strip() for line in lines[-40:] if line.strip()]
    if agency is None:
        agency = _signature(tail) or _publisher(page.get("publisher"))
    url = page.get("url")
    return Metadata({"agency": agency, "year": year,
                     "published": _page_date(page.get("published")) or _published(tail),
                     "region": _region(agency, text), "contact": _contact(text),
                     "source_url": url if url and _URL.match(url) else None}, title_row)


def _archive_fields(rows: Sequence[DocRow]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for row in rows[:12]:
        found = _ARCHIVE_FIELD.match(row.text.strip()) if _has_field(row.text) else None
        if found and found["value"].strip():
            value = found["value"].strip()
            fields.setdefault("url" if _URL.match(value) else _FIELDS[found["field"]], value)
    return fields


def _has_field(text: str) -> bool:
    head = text[:8]
    return ":" in head or "：" in head


def _page_date(text: str | None) -> str | None:
    found = re.match(r"^\s*(20\d{2})[-./年](\d{1,2})[-./月](\d{1,2})", text or "")
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups())).isoformat()
    except ValueError:
        return None


def _publisher(text: str | None) -> str | None:
    text = (text or "").strip()
    return text if 2 <= len(text) <= 30 and re.search(r"(政府|办事处|委员会|局|办公室|厅|委|院|中心|管理局)$", text) else None


def _title(rows: Sequence[DocRow]) -> tuple[int | None, str | None, int | None]:
    for number, row in enumerate(rows[:_TITLE_SCAN]):
        if _has_field(row.text) and _ARCHIVE_FIELD.match(row.text.strip()):
            continue  # the archive's own fields are read on their own
        # in a table (a page's 名称 | title box) the title is a cell of its own
        cells = [text for text in row.texts if "报告" in text] if row.tabular else [row.text]
        title = re.sub(r"\s+", "", cells[0] if cells else "")
        if "报告" not in title or len(title) > 80:
            continue
        # a title broken over two lines ("淮安市人民政府" / "2024年政府信息公开工作年度报告")
        previous = re.sub(r"\s+", "", rows[number - 1].text) if number else ""
        candidates = [text for text in [title] + ([previous + title] if 0 < len(previous) <= 40 else [])
                      if "公开" in text]
        for text in candidates:
            for pattern in (_TITLE_AGENCY_FIRST, _TITLE_YEAR_FIRST):
                found = pattern.match(text)
                if found and _is_agency(found["agency"]):
                    return number, _agency_name(found["agency"]), _year(found["year"])
        for text in candidates:
            found = _TITLE_NO_YEAR.match(text)
            if found and _is_agency(found["agency"]) and not re.match(rf"^(?:{_YEAR})年", found["agency"]):
                return number, _agency_name(found["agency"]), None
    return None, None, None


def _is_agency(text: str) -> bool:
    """A name, not a phrase of running text that happens to name the report."""
    name = _agency_name(text)
    return 2 <= len(name) <= 40 and not re.search(r"[，。；;,》《“”]|根据|按照|依据|编制", name)


def _agency_name(text: str) -> str:
    strip = "#《》（）()：:，,、 "
    return re.sub(r"关于(?:报送|印发|公布|发布|公开)?$", "", text.strip(strip)).strip(strip)


def _year(text: str) -> int:
    return int(text) if text.isdigit() else int("".join(str(_CN_DIGITS[ch]) for ch in text))


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def _published(tail: Sequence[str]) -> str | None:
    for line in reversed(tail[-6:]):
        compact = re.sub(r"\s+", "", line)
        found = _DATE.match(compact) or _ISO_DATE.match(compact)
        if not found:
            continue
        try:
            return dt.date(_year(found["y"]), _cn_number(found["m"]), _cn_number(found["d"])).isoformat()
        except (ValueError, KeyError):
            return None
    return None


def _signature(tail: Sequence[str]) -> str | None:
    for line in tail[-4:]:
        if len(line) <= 30 and re.search(r"(人民政府|办事处|委员会|局|办公室|厅|委)$", line):
            return line
    return None


def _contact(text: str) -> dict[str, str] | None:
    found = {}
    for key, pattern in _CONTACT.items():
        match = pattern.search(text) if _CONTACT_ANCHORS[key] in text else None
        if match:
            found[key] = match.group(1).strip()
    return found or None


def _region(agency: str | None, text: str) -> dict[str, str] | None:
    """Divisions named before the agency, in its name or where the text names it."""
    if not agency:
        return None
    prefix = ""
    start = text.find(agency)
    while start >= 0:
        # a division ends right before the agency's name: look only where a suffix stands there
        if start and text[start - 1] in _SUFFIX_ENDS:
            match = _DIVISIONS_BEFORE.search(text, max(0, start - 30), start)
            if match and len(match.group(1)) > len(prefix):
                prefix = match.group(1)
        start = text.find(agency, start + 1)
    return divisions(prefix + agency) or None


def divisions(text: str) -> dict[str, str]:
    region: dict[str, str] = {}
    for part in _ADMIN.findall(text):
        region.setdefault(_level(part, region), part)
    return region


def _level(part: str, region: dict[str, str]) -> str:
    if part.endswith(("省", "自治区", "特别行政区")) or part in _MUNICIPALITIES:
        return "province"
    if part.endswith(("自治州", "州", "地区", "盟")) or (part.endswith("市") and "city" not in region):
        return "city"
    return "county"
