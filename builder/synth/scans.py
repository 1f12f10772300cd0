"""Forms published as pictures, with known figures: a filled form as Word, printed to PDF by
LibreOffice, rendered to page images by pdfium, and made as a scan is made (askew, noisy,
JPEG-compressed), for the OCR tests and benchmark."""

from __future__ import annotations

import io
import random
import subprocess
from pathlib import Path

from builder import synth
from builder.forms import TEMPLATES
from builder.synth.corpus import docx_report


# what scanning does to a page, for the OCR benchmark and goldens: (key, what, dpi, `scanned` options)
VARIANTS = (
    ("100dpi", "100 dpi", 100, {}),
    ("150dpi", "150 dpi", 150, {}),
    ("200dpi", "200 dpi", 200, {}),
    ("150dpi-turned-1", "150 dpi, turned 1°", 150, {"rotate": 1.0}),
    ("150dpi-turned-2", "150 dpi, turned 2°", 150, {"rotate": -2.0}),
    ("150dpi-jpeg-70", "150 dpi, JPEG quality 70", 150, {"jpeg": 70}),
    ("150dpi-noise-12", "150 dpi, noise σ 12", 150, {"noise": 12.0}),
    ("150dpi-all", "150 dpi, turned 2°, noise σ 12, JPEG 70", 150, {"rotate": 2.0, "noise": 12.0, "jpeg": 70}),
)


def variant_pdf(form: Path, key: str, path: Path) -> Path:
    """The form scanned as VARIANTS[key] says, as a PDF of pictures."""
    _, _, dpi, options = next(v for v in VARIANTS if v[0] == key)
    images = [scanned(page, seed=n, **options) for n, page in enumerate(page_images(form, dpi))]
    return image_only_pdf(images, path, dpi)


def form_pdf(folder: Path, seed: int = 3, version: str = "2021", agency: str = "建宁县财政局",
             year: int = 2023) -> tuple[Path, dict]:
    """A filled form printed to PDF in `folder`, and its figures."""
    values = synth.figures(random.Random(seed), TEMPLATES[version], scale=3)
    source = folder / f"form-{seed}.docx"
    source.write_bytes(docx_report(version, values, agency, year))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=300)
    return source.with_suffix(".pdf"), values


def page_images(pdf: Path, dpi: int) -> list:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[n].render(scale=dpi / 72).to_pil().convert("RGB") for n in range(len(document))]
    finally:
        document.close()


def scanned(image, rotate: float = 0.0, noise: float = 0.0, jpeg: int | None = None, seed: int = 0):
    """The page as a scanner would give it: turned by `rotate` degrees, with grey noise of
    standard deviation `noise`, saved as JPEG of quality `jpeg`."""
    import numpy
    from PIL import Image

    if rotate:
        image = image.rotate(rotate, resample=Image.BILINEAR, fillcolor="white")
    if noise:
        pixels = numpy.asarray(image).astype("float32")
        pixels += numpy.random.default_rng(seed).normal(0, noise, pixels.shape[:2])[:, :, None]
        image = Image.fromarray(pixels.clip(0, 255).astype("uint8"))
    if jpeg:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=jpeg)
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return image


def image_only_pdf(images: list, path: Path, dpi: int) -> Path:
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def pictured_pdf(folder: Path, seed: int = 3, dpi: int = 150, agency: str = "建宁县财政局",
                 year: int = 2023) -> tuple[Path, dict]:
    """A report of text whose form is pasted in as pictures (a page of a form each), as Word
    prints it to PDF: the title and a paragraph are text, the tables are not. Its figures too."""
    import docx
    from docx.shared import Cm

    form, values = form_pdf(folder, seed, agency=agency, year=year)
    document = docx.Document()
    document.add_paragraph(f"{agency}{year}年政府信息公开工作年度报告")
    document.add_paragraph("本报告的统计表格见下图。")
    for number, image in enumerate(page_images(form, dpi), start=1):
        picture = folder / f"pictured-{seed}-{number}.png"
        image.save(picture)
        document.add_picture(str(picture), width=Cm(16))
    source = folder / f"pictured-{seed}.docx"
    document.save(source)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=300)
    return source.with_suffix(".pdf"), values
