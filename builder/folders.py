"""Output folders switched from old to new in one step, so that a build stopped at any moment
leaves the old output or the new, never a mix: each is made whole in a staging folder beside
its place (`.<name>.new-*`), then exchanged with it."""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path


def staging_for(out: Path) -> Path:
    """A new, empty staging folder beside `out`, after what stopped builds left is cleared."""
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))


def switch(staging: Path, out: Path, keep: Callable[[Path], bool] = lambda path: False) -> None:
    """`staging` becomes `out`, in one rename where the system can swap two folders; the
    entries of `out` that `keep` names (someone else's files) stay in it."""
    if out.is_dir():
        for path in out.iterdir():
            if keep(path) and not (staging / path.name).exists():
                _keep(path, staging / path.name)
    if out.is_dir() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # the old folder, now where the staging one was
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.rename(out, old)  # until the next rename there is no `out`: `recover` puts `old` back
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def _keep(path: Path, target: Path) -> None:
    """A copy in the new folder (a hard link where it can be), the original left until the switch."""
    if path.is_dir() and not path.is_symlink():
        shutil.copytree(path, target, symlinks=True)
        return
    try:
        os.link(path, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(path, target, follow_symlinks=False)


def recover(out: Path) -> None:
    """After a build stopped part way: the old folder back in place if it was moved aside, and
    the staging folders of stopped builds removed (a lock keeps a running build from here)."""
    leftovers = sorted(out.parent.glob(f".{glob.escape(out.name)}.old-*"), key=lambda p: p.stat().st_mtime)
    if leftovers and not out.exists():
        os.rename(leftovers.pop(), out)
    for stale in (*leftovers, *out.parent.glob(f".{glob.escape(out.name)}.new-*"),
                  *(out.glob(".gongkai-*") if out.is_dir() else ())):
        shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


@cache
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def test_hook(phase: str) -> None:
    """Where the tests stop a build dead (`GONGKAI_KILL_AT`), to see what a kill leaves."""
    if os.environ.get("GONGKAI_KILL_AT") == phase:
        os.kill(os.getpid(), signal.SIGKILL)
