"""Writes tests/samples/ocr/: one filled form (2021) scanned as some of `scans.VARIANTS` make
it, as PDFs of pictures, with the figures it was filled with (`filled.json`), for the OCR
goldens (`test_ocr_golden.py`). Run once and commit: the pictures are the goldens' sources,
not remade on each run, since a renderer of another version draws other pixels.

    .venv/bin/python tests/ocr_samples.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.synth import scans  # noqa: E402

SAMPLES = ROOT / "tests" / "samples" / "ocr"
# the noisy variants are left to the benchmark: noise does not compress, a page of it is 350 KB
KEYS = ("100dpi", "150dpi", "200dpi", "150dpi-turned-2", "150dpi-jpeg-70")


def main() -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        form, values = scans.form_pdf(Path(folder))
        for key in KEYS:
            scans.variant_pdf(form, key, SAMPLES / f"form-2021-{key}.pdf")
    filled = {path: None if value is None else str(value) for path, value in values.items()}  # exact, as printed
    (SAMPLES / "filled.json").write_text(json.dumps(filled, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
