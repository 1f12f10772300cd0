"""Adding a report to the corpus: one file copied under a normalized name, with its sidecar."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from builder import pipeline, readers, sidecar
from builder.model import Report
from builder.ids import new_id


class AddRefused(Exception):
    """The report was not added; the message says why, and nothing was written."""


@dataclass(frozen=True)
class Added:
    path: Path
    sidecar: Path | None
    report: Report


def _copy_pictures(file: Path, target: Path) -> None:
    """A web page's folder of pictures (`page_files/`, as a browser saves it) goes with it, under
    the page's new name: its pictures only, never a link or another kind of file."""
    folder = file.with_name(file.stem + readers.PICTURES_FOLDER)
    if file.suffix.lower() not in (".html", ".htm") or not folder.is_dir() or folder.is_symlink():
        return
    copied = target.with_name(target.stem + readers.PICTURES_FOLDER)
    for picture in sorted(folder.iterdir()):
        if picture.suffix.lower() not in readers.PICTURE_SUFFIXES:
            continue
        try:
            data = readers.load(picture)  # bounded as a report is: a link, a FIFO, a huge file refused
        except readers.ReadError:
            continue
        copied.mkdir(exist_ok=True)
        (copied / picture.name).write_bytes(data)


def add_report(file: Path, reports_dir: Path, fields: dict, today: dt.date) -> Added:
    """Copy `file` into `reports_dir` as `<year>-<sha256 prefix><ext>` with a sidecar of `fields`
    and the date added. Refuses a duplicate of a report already there, or a name taken."""
    suffix = file.suffix.lower()
    if not readers.is_report_file(file) or suffix in readers.UNSUPPORTED:
        raise AddRefused(f"不支持的文件类型：{suffix or '（无扩展名）'}（支持 {', '.join(sorted(readers.EXTENSIONS))}）")
    try:
        data = readers.load(file)
    except readers.ReadError as err:
        raise AddRefused(str(err)) from None
    sha256 = hashlib.sha256(data).hexdigest()
    taken: set[str] = set()  # the ids published: a new report never takes one
    for existing in pipeline.report_files([reports_dir]) if reports_dir.is_dir() else []:
        if hashlib.sha256(readers.load(existing)).hexdigest() == sha256:
            raise AddRefused(f"重复：与已有报告 {existing} 内容相同")
        recorded, _ = sidecar.read(sidecar.path_for(existing))
        if recorded and isinstance(recorded.get("id"), str):
            taken.add(recorded["id"])
    for key, value in fields.items():
        if key not in sidecar.FIELDS or sidecar.value(key, value) is None:
            raise AddRefused(f"附加信息「{key}」的值无效：{value}")
    # the year decides the name: from the options, else from the report itself
    report = pipeline.process_bounded(file, pipeline.TIME_LIMIT)
    year = fields.get("year") or report.year
    target = reports_dir / f"{year or 'unknown'}-{sha256[:12]}{suffix}"
    sidecar_file = sidecar.path_for(target)
    if target.exists() or sidecar_file.exists():
        raise AddRefused(f"{target} 已存在，不覆盖")
    reports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, target)
    _copy_pictures(file, target)
    sidecar_fields = {**fields, "added": today.isoformat()}
    sidecar.write(sidecar_file, sidecar_fields)
    # its id, from what the report and its sidecar say, recorded so that it never moves
    sidecar_fields["id"] = new_id(pipeline.process_bounded(target, pipeline.TIME_LIMIT), taken)
    sidecar.write(sidecar_file, sidecar_fields)
    return Added(target, sidecar_file, pipeline.process_bounded(target, pipeline.TIME_LIMIT))
