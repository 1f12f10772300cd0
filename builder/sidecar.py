"""A report's sidecar, `<name>.yml` beside it: what the maintainer says of the report (its agency,
region, year, address, dates and id) where the text does not say it right. Read, validated and
written here only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import yaml

from builder.model import Finding, Sidecar
from builder.parse.metadata import divisions
from builder.readers import is_picture_name

FIELDS = ("agency", "region", "year", "source_url", "published", "added", "id", "pictures")
MAX_PICTURES = 20  # as many as OCR reads of a report
MAX_BYTES = 64 * 1024
NONE = Sidecar({}, ())
_REPORT_ID = re.compile(r"^(?:\d{4}|unknown|file)-[0-9a-f]{10,12}(?:-[0-9a-z]{1,12})*$")


def path_for(report: Path) -> Path:
    return report.with_suffix(".yml")


def raw(path: Path) -> bytes | None:
    """The file's bytes as far as `read` takes them (for the parse cache's key); None when none."""
    try:
        return path.read_bytes()[:MAX_BYTES + 1] if path.is_file() else None
    except OSError:
        return None


class _Loader(yaml.SafeLoader):
    """YAML without aliases: a sidecar needs none, and aliases of aliases expand without end."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise ValueError("含有 YAML 别名（*）")
        return super().compose_node(parent, index)


def read(path: Path) -> tuple[dict | None, tuple[Finding, ...]]:
    """The mapping a sidecar holds, or None when there is none or it cannot be read (a finding)."""
    if not path.is_symlink() and not path.is_file():
        return None, ()
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_nlink > 1:
            raise ValueError("是链接或不是普通文件（可能是报告文件夹以外的文件）")
        if path.stat().st_size > MAX_BYTES:
            raise ValueError("文件过大")
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
        if data is None:
            return None, ()
        if not isinstance(data, dict):
            raise ValueError("内容不是键值对")
        return data, ()
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as err:
        reason = str(err).splitlines()[0] if isinstance(err, ValueError) else type(err).__name__
        return None, (Finding("sidecar", "warning", f"附加信息文件 {path.name} 无法读取（{reason}），已忽略"),)


def load(path: Path) -> Sidecar:
    """A report's sidecar read and validated: no sidecar is `NONE`. The pictures it names must
    be files beside the report."""
    data, findings = read(path)
    if data is None:
        return Sidecar({}, findings) if findings else NONE
    found = validate(data, path.stem)
    lost = [name for name in found.pictures.values()
            if not path.parent.joinpath(*PurePosixPath(name).parts).is_file()]
    if lost:
        found = dataclasses.replace(found, findings=found.findings + (Finding(
            "sidecar", "warning", f"附加信息文件列出的图片不在报告旁（{'、'.join(sorted(lost))[:120]}），未读取"),))
    return found


def validate(data: Mapping, stem: str | None = None) -> Sidecar:
    """The fields given, checked and named as the report's; a bad field is a finding, and ignored.
    `stem`: the report's file name without its suffix, which the folder of its pictures bears."""
    findings = []
    values = {}
    pictures: dict[str, str] = {}
    for key, given in data.items():
        if key not in FIELDS:
            findings.append(Finding("sidecar", "warning", f"附加信息文件中有未知字段「{key}」，已忽略"))
            continue
        if key == "pictures":
            pictures = _pictures(given, stem)
            if pictures is None:
                pictures = {}
                findings.append(Finding("sidecar", "warning", "附加信息文件中字段「pictures」的值无效（应为图片地址到"
                                        "报告旁图片文件名的对应，至多 20 张），已忽略", actual=str(given)[:80]))
            continue
        checked = value(key, given)
        if checked is None:
            findings.append(Finding("sidecar", "warning", f"附加信息文件中字段「{key}」的值无效，已忽略",
                                    actual=str(given)[:80]))
        else:
            values["report_id" if key == "id" else key] = checked
    return Sidecar(values, tuple(findings), pictures)


def _pictures(given, stem: str | None) -> dict[str, str] | None:
    """A web page's pictures saved under other names: the address of each (or its file name) to
    the file beside the report that holds it."""
    if not isinstance(given, Mapping) or not 0 < len(given) <= MAX_PICTURES:
        return None
    named = {str(address).strip(): str(name).strip() for address, name in given.items()}
    if not all(address and len(address) <= 1000 and is_picture_name(name, stem) for address, name in named.items()):
        return None
    return named


def pictures_named(report: Path) -> frozenset[str]:
    """The files beside a report that its sidecar names as its pictures (none when it cannot be
    read): not reports of their own."""
    data, _ = read(path_for(report))
    found = _pictures(data.get("pictures"), report.stem) if isinstance(data, dict) and "pictures" in data else None
    return frozenset(found.values()) if found else frozenset()


def value(key: str, given):
    """A field's value as the report holds it, or None when it is not a valid one."""
    if key == "year":
        return given if isinstance(given, int) and 1990 <= given <= 2100 else None
    if key in ("published", "added"):
        if isinstance(given, dt.date):
            return given.isoformat()
        try:
            return dt.date.fromisoformat(str(given)).isoformat()
        except ValueError:
            return None
    if key == "region":
        if isinstance(given, str) and given.strip():
            return divisions(given.strip()) or {"name": given.strip()}
        if isinstance(given, Mapping) and all(k in ("province", "city", "county", "name") for k in given) and given:
            return {str(k): str(v) for k, v in given.items()}
        return None
    if key == "id":
        return given if isinstance(given, str) and _REPORT_ID.match(given) else None
    if key == "source_url":
        return given if isinstance(given, str) and re.match(r"^https?://\S+$", given) else None
    if isinstance(given, str):
        given = "".join(ch for ch in given if ch >= " " and ch != "\x7f").strip()  # no control character
    return given if isinstance(given, str) and given else None


def write(path: Path, fields: Mapping) -> None:
    path.write_text(yaml.safe_dump(dict(fields), allow_unicode=True, sort_keys=True), encoding="utf-8")
