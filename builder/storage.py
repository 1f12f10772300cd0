"""Reports and outputs kept elsewhere than this machine's disk: an fsspec URL (`s3://bucket/x`,
`gs://…`, `memory://…`, `file:///…`). The build reads and writes local folders, with the bounds
and checks of local files (sizes, links, names); this module mirrors a URL's files into a local
folder before it, and a local folder's files out to a URL after it, each time only the files
that changed, so that a corpus of a million reports is not fetched again for one report added.

    pull(url, folder)   the URL's files into `folder`: new and changed ones fetched, gone ones removed
    push(folder, url)   `folder`'s files to the URL: changed ones put, gone ones removed, and a
                        manifest of what is there (`MANIFEST`), written last
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".gongkai-files.json"  # kept beside the files, at the URL and in a pulled folder
MAX_FILE_BYTES = 50 * 1024 * 1024  # `readers.MAX_FILE_BYTES`: a larger file is refused unread, so not fetched


class StorageError(Exception):
    """A URL that cannot be read or written; the message is one line for people."""


@dataclass(frozen=True)
class Synced:
    copied: int  # files fetched (pull) or put (push)
    kept: int  # files that had not changed
    removed: int  # files gone from the source, removed from the copy


def is_url(text: str) -> bool:
    return "://" in str(text)


def _filesystem(url: str):
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as err:  # an unknown protocol, or its package missing
        raise StorageError(f"无法打开存储地址 {url}：{str(err).splitlines()[0][:120]}") from None


def _relative(name: str, root: str) -> str | None:
    """A file's name under `root`, as a relative POSIX path; None for one that is not plainly
    under it (`..`, a backslash, a control character)."""
    root = root.rstrip("/")
    if not name.startswith(root + "/"):
        return None
    relative = name[len(root) + 1:]
    parts = PurePosixPath(relative).parts
    if not parts or any(p in ("", ".", "..") or "\\" in p or any(ord(c) < 32 for c in p) for p in parts):
        return None
    return relative


def pull(url: str, folder: Path) -> Synced:
    """`folder` made a copy of the files under `url`. A file is fetched when its key (the
    store's ETag, or size and time) differs from the one recorded at the last pull. A file
    over MAX_FILE_BYTES is not fetched: a sparse file of its size stands for it, which the
    build refuses as too large, so that it is accounted for; a link is kept as a link to
    nowhere, which the build refuses as a link."""
    fs, root = _filesystem(url)
    try:
        listing = {name: info for name, info in fs.find(root, detail=True, withdirs=False).items()}
    except (OSError, ValueError) as err:
        raise StorageError(f"无法列出 {url} 中的文件：{err}") from None
    folder.mkdir(parents=True, exist_ok=True)
    recorded = _read_manifest(folder / MANIFEST)
    keys: dict[str, str] = {}
    copied = kept = 0
    for name, info in sorted(listing.items()):
        relative = _relative(name, root)
        if relative is None or relative == MANIFEST:
            continue
        key = _key(fs, name, info)
        target = folder / relative
        keys[relative] = key
        if recorded.get(relative) == key and (target.is_file() or target.is_symlink()):
            kept += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        if info.get("islink"):
            target.symlink_to("/nonexistent-link-target")
        elif (info.get("size") or 0) > MAX_FILE_BYTES:
            with open(target, "wb") as placeholder:
                placeholder.truncate(info["size"])
        else:
            try:
                fs.get_file(name, str(target))
            except OSError as err:
                raise StorageError(f"无法取得 {name}：{err}") from None
        copied += 1
    removed = _remove_others(folder, set(keys))
    _write_manifest(folder / MANIFEST, keys)
    return Synced(copied, kept, removed)


def push(folder: Path, url: str) -> Synced:
    """The files under `folder` put at `url`: those whose SHA-256 differs from the URL's
    manifest, and the manifest last, so that a push cut short is done again, not trusted.
    Files at the URL that `folder` no longer has are removed."""
    fs, root = _filesystem(url)
    root = root.rstrip("/")
    try:
        recorded = json.loads(fs.cat_file(f"{root}/{MANIFEST}")) if fs.exists(f"{root}/{MANIFEST}") else {}
    except (OSError, ValueError):
        recorded = {}
    local = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
             if p.is_file() and not p.is_symlink() and p.name != MANIFEST}
    digests = {relative: _sha256(path) for relative, path in local.items()}
    copied = kept = removed = 0
    try:
        for relative, path in local.items():
            if recorded.get(relative) == digests[relative]:
                kept += 1
                continue
            fs.makedirs(f"{root}/{PurePosixPath(relative).parent}", exist_ok=True)
            fs.put_file(str(path), f"{root}/{relative}")
            copied += 1
        for relative in sorted(set(recorded) - set(local)):
            if fs.exists(f"{root}/{relative}"):
                fs.rm_file(f"{root}/{relative}")
                removed += 1
        fs.pipe_file(f"{root}/{MANIFEST}", json.dumps(digests, sort_keys=True, ensure_ascii=False).encode())
    except OSError as err:
        raise StorageError(f"无法写入 {url}：{err}") from None
    return Synced(copied, kept, removed)


def _key(fs, name: str, info: dict) -> str:
    """What tells a changed file from the one fetched before, without fetching it."""
    for field in ("ETag", "etag", "md5Hash", "crc32c"):
        if info.get(field):
            return f"{field}:{info[field]}"
    try:
        return str(fs.ukey(name))
    except (NotImplementedError, OSError, AttributeError):
        return f"{info.get('size')}:{info.get('mtime') or info.get('LastModified') or info.get('created')}"


def _remove_others(folder: Path, wanted: set[str]) -> int:
    removed = 0
    for path in sorted(folder.rglob("*"), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.name == MANIFEST or relative in wanted:
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(path: Path, keys: dict[str, str]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(keys, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_file(url: str, path: Path) -> bool:
    """One file at `url` (the parse cache) copied to `path`; False when there is none yet."""
    fs, name = _filesystem(url)
    try:
        if not fs.exists(name):
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(name, str(path))
        return True
    except OSError as err:
        raise StorageError(f"无法取得 {url}：{err}") from None


def put_file(path: Path, url: str) -> None:
    fs, name = _filesystem(url)
    try:
        fs.makedirs(str(PurePosixPath(name).parent), exist_ok=True)
        fs.put_file(str(path), name)
    except OSError as err:
        raise StorageError(f"无法写入 {url}：{err}") from None
