"""What a cell says: a label (normalized for matching), a figure, a blank, or text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from builder.model import Number

_DROP = re.compile(r"[\s\"'“”‘’「」『』:：;；。]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[.、]|\([一二三四五六七八九十]+\)|\d{1,2}[.、]|\(\d{1,2}\))")


def normalize_text(text: str) -> str:
    """The form labels are compared in: NFKC, no spaces or quotes, '1、' and '1,' as '1.'."""
    text = unicodedata.normalize("NFKC", text)
    # "、" and "," are printed for one another inside labels (…逾期不补正、行政机关…)
    return _DROP.sub("", text).replace("、", ".").replace(",", ".").rstrip(".")


# Cells repeat from report to report ("0", the labels): remember the short ones.
normalize_label = lru_cache(maxsize=65536)(normalize_text)


def label_core(normalized: str) -> str:
    """A normalized label without its numbering ('(三)', '1.', '一.')."""
    return _NUMBERING.sub("", normalized)


BLANK_MARKS = frozenset({"/", "／", "-", "—", "——", "–", "--", "---", "无", "空", "\\", "×", "x", "/-", "－"})

# At most 15 digits before the point and 6 after: every figure a report prints, held exactly by
# SQLite, JSON readers and JavaScript (2**53 has 16 digits); a longer run of digits is text.
_NUMBER = re.compile(r"^(?P<sign>[-+−－]?)(?P<digits>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?P<frac>\.\d{1,6})?"
                     r"(?P<unit>万元|元|亿元|件|条|个|项)?$")


@dataclass(frozen=True)
class Token:
    """A cell in the place of a figure. kind: number, blank (a mark such as '/'), empty, text."""

    kind: str
    text: str
    value: Number | None = None
    unit: str | None = None


EMPTY = Token("empty", "")


@lru_cache(maxsize=65536)
def token_of(text: str) -> Token:
    raw = text.strip()
    if not raw:
        return EMPTY
    compact = unicodedata.normalize("NFKC", raw).replace(" ", "")
    if compact in BLANK_MARKS or raw in BLANK_MARKS:
        return Token("blank", raw)
    match = _NUMBER.match(compact)
    if not match:
        return Token("text", raw)
    digits = match["digits"].replace(",", "")
    sign = "-" if match["sign"] in ("-", "−", "－") else ""
    try:
        value: Number = Decimal(sign + digits + match["frac"]) if match["frac"] else int(sign + digits)
    except InvalidOperation:
        return Token("text", raw)
    unit = match["unit"] if match["unit"] in ("万元", "元", "亿元") else None
    return Token("number", raw, value, unit)


def is_value_like(text: str) -> bool:
    return token_of(text).kind in ("number", "blank", "empty")
