"""Mutations of report files for fuzzing: what damage, copying and hostile editing do to a
report. Each takes the file's bytes and a random source and returns new bytes."""

from __future__ import annotations

import io
import random
import re
import zipfile

_DIGITS = re.compile(rb"\d+")
_CELL_BREAKS = (b"\t", b"|", b"</td>")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 4)):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"\n".join(lines)


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 4)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def shift_cells(data: bytes, rng: random.Random) -> bytes:
    """A cell added or lost in a table row: a separator doubled or dropped."""
    for _ in range(rng.randint(1, 3)):
        breaks = [m.start() for sep in _CELL_BREAKS for m in re.finditer(re.escape(sep), data)]
        if not breaks:
            return data
        at = rng.choice(breaks)
        sep = next(s for s in _CELL_BREAKS if data.startswith(s, at))
        extra = b"</td><td>" if sep == b"</td>" else sep
        data = data[:at] + extra + data[at:] if rng.random() < 0.5 else data[:at] + data[at + len(sep):]
    return data


def replace_digits(data: bytes, rng: random.Random) -> bytes:
    digits = [m.start() for m in re.finditer(rb"\d", data)]
    for at in rng.sample(digits, min(len(digits), rng.randint(1, 6))):
        data = data[:at] + rng.choice([b"0", b"1", b"7", b"9", b"O", b"l", b"-", b".", "一".encode()]) + data[at + 1:]
    return data


def huge_numbers(data: bytes, rng: random.Random) -> bytes:
    runs = list(_DIGITS.finditer(data))
    for match in rng.sample(runs, min(len(runs), rng.randint(1, 4))):
        data = data.replace(match.group(), rng.choice([b"9" * 30, b"1" * 5000, b"99999999999999999999.5",
                                                        b"1e308", "１２３４５".encode(), b"-0"]), 1)
    return data


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at + rng.randint(0, 64):]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data))]


def long_line(data: bytes, rng: random.Random) -> bytes:
    line = rng.choice([b"1\t" * 500_000, b"9" * 1_000_000, "数".encode() * 400_000, b"<td>1</td>" * 100_000])
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), line)
    return b"\n".join(lines)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    """The page's body inside thousands of nested elements."""
    depth = rng.choice([1_000, 10_000, 50_000])
    opening, closing = rng.choice([(b"<div>", b"</div>"), (b"<table><tr><td>", b"</td></tr></table>"),
                                   (b"<span>", b"</span>")])
    at = data.find(b"<body>")
    at = 0 if at < 0 else at + len(b"<body>")
    end = data.rfind(b"</body>")
    end = len(data) if end < 0 else end
    return data[:at] + opening * depth + data[at:end] + closing * depth + data[end:]


TEXT_MUTATIONS = (delete_lines, duplicate_lines, swap_lines, shift_cells, replace_digits, huge_numbers,
                  random_bytes, truncate, long_line)
HTML_MUTATIONS = TEXT_MUTATIONS + (deep_nesting,)
BINARY_MUTATIONS = (random_bytes, truncate)


def in_word_document(mutation):
    """A text mutation applied inside a .docx, to word/document.xml cut at its rows."""
    def mutate(data: bytes, rng: random.Random) -> bytes:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
        xml = parts["word/document.xml"].replace(b"</w:tr>", b"</w:tr>\n").replace(b"</w:p>", b"</w:p>\n")
        parts["word/document.xml"] = mutation(xml, rng).replace(b"\n", b"")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, part in parts.items():
                archive.writestr(name, part)
        return out.getvalue()
    mutate.__name__ = f"word_{mutation.__name__}"
    return mutate


WORD_MUTATIONS = tuple(in_word_document(m) for m in TEXT_MUTATIONS if m is not long_line) + BINARY_MUTATIONS
