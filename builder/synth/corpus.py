"""`gongkai-synth`: a realistic synthetic corpus, in every format and layout the readers handle.

Agencies from townships to city governments across regions, several years each; figures
mostly zero for small units and large for cities; a share of reports with blank cells,
broken rules and missing tables. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import docx

from builder import synth
from builder.model import Figure
from builder.site import layout
from builder.forms import SECTIONS, TEMPLATES

REGIONS = (
    ("福建省", "三明市", ("建宁县", "泰宁县", "将乐县")), ("河南省", "郑州市", ("管城回族区", "金水区", "中原区")),
    ("河南省", "洛阳市", ("西工区", "老城区", "偃师区")), ("江苏省", "淮安市", ("清江浦区", "淮阴区", "涟水县")),
    ("四川省", "成都市", ("武侯区", "青羊区", "双流区")), ("甘肃省", "兰州市", ("城关区", "七里河区", "榆中县")),
    ("广东省", "韶关市", ("浈江区", "乐昌市", "仁化县")), ("黑龙江省", "齐齐哈尔市", ("龙沙区", "依安县", "讷河市")),
)
TOWNS = ("伊家", "新坊", "巴集", "黄坪", "石门", "柳林", "清水", "龙湾", "桃源", "白沙", "东风", "永安")
DEPARTMENTS = ("教育局", "财政局", "市场监督管理局", "自然资源和规划局", "卫生健康委员会", "人力资源和社会保障局",
               "文化和旅游局", "生态环境局", "住房和城乡建设局", "交通运输局")
# (kind, share of agencies, scale of figures)
KINDS = (("township", 0.45, 1), ("street", 0.15, 1), ("county_department", 0.25, 2), ("county_government", 0.08, 3),
         ("city_department", 0.05, 3), ("city_government", 0.02, 4))
FORMATS = ("tab", "pipe", "cell_per_line", "html", "docx")
_FIXED_TIME = dt.datetime(2020, 1, 1)


@dataclass(frozen=True)
class Agency:
    name: str
    region: str
    scale: int


def agencies(rng: random.Random, count: int) -> list[Agency]:
    found = []
    for number in range(count):
        province, city, counties = rng.choice(REGIONS)
        county = rng.choice(counties)
        kind = rng.choices([k for k, _, _ in KINDS], [w for _, w, _ in KINDS])[0]
        scale = dict((k, s) for k, _, s in KINDS)[kind]
        town = rng.choice(TOWNS)
        name = {"township": f"{town}{rng.choice('乡镇')}", "street": f"{town}街道办事处",
                "county_department": f"{county}{rng.choice(DEPARTMENTS)}", "county_government": f"{county}人民政府",
                "city_department": f"{city}{rng.choice(DEPARTMENTS)}", "city_government": f"{city}人民政府"}[kind]
        found.append(Agency(name, f"{province}{city}{county}" if "city" not in kind else f"{province}{city}", scale))
    return found


def write_corpus(out: Path, count: int, seed: int = 0) -> list[Path]:
    """`count` report files (with sidecars giving the region) under `out`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    pool = agencies(rng, max(1, count // 3))
    written = []
    for number in range(count):
        agency = pool[number % len(pool)]
        year = 2019 + (number // len(pool) + pool.index(agency)) % 6
        version = "2019" if year <= 2020 else "2021"
        if year > 2020 and rng.random() < 0.05:
            version = "2019"  # some agencies kept the old template
        values = synth.figures(rng, TEMPLATES[version], scale=agency.scale, blanks=rng.choice((0,) * 8 + (0.1, 0.3)))
        if agency.scale == 1 and rng.random() < 0.7:
            values = {p: (0 if v is not None else None) for p, v in values.items()}
        if rng.random() < 0.05:  # a broken rule: one figure off by a few
            in_section_3 = set(TEMPLATES[version].table_paths("applications"))
            path = rng.choice([p for p, v in values.items() if p in in_section_3 and v is not None] or
                              [next(iter(values))])
            values[path] = (values[path] or 0) + rng.randint(1, 5)
        kind = rng.choice(FORMATS)
        name = f"{number:06d}-{agency.name}-{year}"
        data = _render(kind, version, values, agency, year, rng)
        if rng.random() < 0.03 and kind in ("tab", "pipe", "cell_per_line"):
            data = _drop_reviews_table(data)
        path = out / f"{name}.{ {'html': 'html', 'docx': 'docx'}.get(kind, 'txt') }"
        path.write_bytes(data)
        path.with_suffix(".yml").write_text(f"region: {agency.region}\n", encoding="utf-8")
        written.append(path)
    return written


def _render(kind: str, version: str, values: dict, agency: Agency, year: int, rng: random.Random) -> bytes:
    if kind == "html":
        return html_report(version, values, agency.name, year)
    if kind == "docx":
        return docx_report(version, values, agency.name, year)
    text = synth.render(values, TEMPLATES[version], agency.name, year, kind, synth.variants(rng))
    return text.encode(rng.choice(("utf-8", "utf-8", "gb18030")))


def _drop_reviews_table(data: bytes) -> bytes:
    """The tables of section 四 as an image would leave them: the heading and no figures."""
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    head, _, rest = text.partition(SECTIONS[3].label)
    _, _, tail = rest.partition(SECTIONS[4].label)
    return (head + SECTIONS[3].label + "\n（见附图）\n\n" + SECTIONS[4].label + tail).encode(encoding)


def _tables(version: str):
    template = TEMPLATES[version]
    return layout.active(template), layout.applications(template), layout.reviews(template)


def _figure_text(value) -> str:
    return "" if value is None else str(value)


def html_report(version: str, values: dict, agency: str, year: int, charset: str = "utf-8") -> bytes:
    """A government web page: navigation and a script around, the tables as on the form (with
    rowspan and colspan) inside a layout table, &nbsp; in the text."""
    figures = {p: Figure(v) for p, v in values.items()}
    active, applications, reviews = _tables(version)
    heading = {s.key: s.label for s in SECTIONS}

    def tables(group):
        return "".join(layout.table_html(t, figures, set(), _figure_text) for t in group)

    body = f"""<div class="nav"><a href="/">首页</a> &gt; 政府信息公开</div>
<script>var x = "<table><tr><td>一、本年新收政府信息公开申请数量</td></tr></table>";</script>
<table class="layout"><tr><td><div class="article">
<h1>{agency}{year}年政府信息公开工作年度报告</h1>
<p>{heading['overview']}</p><p>{year}年，本机关依法做好&nbsp;政府信息公开工作。</p>
<p>{heading['active_disclosure']}</p>{tables(active)}
<p>{heading['applications']}</p>{tables([applications])}
<p>{heading['reviews_litigation']}</p>{tables([reviews])}
<p>{heading['problems']}</p><p>一是<b>公开</b>内容有待丰富。<br>二是将加强培训。</p>
<p>{heading['other']}</p><p>无。</p><p style="text-align:right">{agency}<br>{year + 1}年1月15日</p>
</div></td></tr></table><div class="footer">版权所有</div>"""
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"><title>{agency}'
            f"</title></head><body>{body}</body></html>")
    return page.encode("gb18030" if charset == "gbk" else charset)


def docx_report(version: str, values: dict, agency: str, year: int) -> bytes:
    """A Word file with the tables as on the form: ruled, merged cells across and down.

    python-docx lays out each template's form once, with a placeholder in every cell (it
    takes a second a file); each report then only fills in its own figures."""
    parts, slots = _docx_form(version)
    fills = {"agency": escape(agency), "year": str(year)}
    fills.update((name, _figure_text(values[name])) for name in slots if name not in fills)
    body = _SLOT.sub(lambda match: fills[slots[int(match.group(1))]], parts["word/document.xml"].decode("utf-8"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)),
                            body.encode("utf-8") if name == "word/document.xml" else data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


_SLOT = re.compile(r"@@(\d+)@@")


@functools.cache
def _docx_form(version: str) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The parts of a Word file of the form, and what each placeholder `@@n@@` in it stands for."""
    slots: list[str] = []

    def slot(name: str) -> str:
        slots.append(name)
        return f"@@{len(slots) - 1}@@"

    document = docx.Document()
    heading = {s.key: s.label for s in SECTIONS}
    active, applications, reviews = _tables(version)
    document.add_paragraph(f"{slot('agency')}{slot('year')}年度政府信息公开工作年度报告")
    document.add_paragraph(heading["overview"])
    document.add_paragraph(f"{slot('year')}年，本机关依法做好政府信息公开工作。")
    for key, group in (("active_disclosure", active), ("applications", [applications]),
                       ("reviews_litigation", [reviews])):
        document.add_paragraph(heading[key])
        for table in group:
            _docx_table(document, table, slot)
    for key, text in (("problems", "一是公开内容有待丰富。"), ("other", "无。")):
        document.add_paragraph(heading[key])
        document.add_paragraph(text)
    document.core_properties.created = document.core_properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        return {info.filename: source.read(info) for info in source.infolist()}, tuple(slots)


def _docx_table(document, table: layout.Table, slot) -> None:
    width = sum(h.colspan for h in table.header[0])
    rows = [[(h.label, h.colspan, h.rowspan) for h in row] for row in table.header]
    rows += [[(h.label, h.colspan, h.rowspan) for h in line.heads] +
             [(slot(p), 1, 1) for p in line.paths] for line in table.body]
    grid = document.add_table(rows=len(rows), cols=width)
    grid.style = "Table Grid"  # ruled, as the official form is
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(rows):
        c = 0
        for text, colspan, rowspan in cells:
            while (r, c) in taken:
                c += 1
            cell = grid.cell(r, c)
            if colspan > 1 or rowspan > 1:
                cell = cell.merge(grid.cell(r + rowspan - 1, c + colspan - 1))
            cell.text = text
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
