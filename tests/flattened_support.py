"""Reports as archives of web pages store their text: the whole page one line, its tables'
cells run together (`…规章000规范性文件222233第二十条第（五）项…`). For the property tests."""

from __future__ import annotations

import random

from builder.forms import SECTIONS, Template


def flattened_text(values: dict, template: Template, agency: str, year: int, rng: random.Random) -> str:
    """One line: archive fields, then the title, headings, text and tables with no break."""
    signed = {f"active_disclosure/{a.key}/{i.key}/{m}" for a in template.articles for i in a.items
              for m in a.signed_metrics}

    def cells(paths) -> str:
        separator = rng.choice(("", "", " "))
        return separator.join("" if values[p] is None else _figure(values[p], p in signed, rng) for p in paths)

    title = f"{agency}{year}年政府信息公开工作年度报告"
    parts = [title, " 根据《中华人民共和国政府信息公开条例》，编制本报告。", SECTIONS[0].label,
             f"{year}年，本机关办理行政许可和其他对外管理服务事项的依据公开1条。", SECTIONS[1].label]
    for article in template.articles:
        parts.append(article.label + "信息内容" + "".join(m.label for m in article.metrics))
        for item in article.items:
            parts.append(item.label + cells(f"active_disclosure/{article.key}/{item.key}/{m.key}"
                                            for m in article.metrics))
    grid = template.applications
    parts.append(SECTIONS[2].label + "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况"
                 "自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他")
    group = None
    for row in grid.rows:
        label = row.label if row.group == group or row.group is None else row.group + row.label
        group = row.group
        parts.append(label + rng.choice(("", " ")) + cells(f"applications/{row.key}/{c.key}" for c in grid.columns))
    reviews = template.reviews_litigation
    outcomes = "".join(c.label for c in reviews.columns)
    parts.append(SECTIONS[3].label + "行政复议行政诉讼" + outcomes + "未经复议直接起诉复议后起诉" + outcomes * 2
                 + cells(f"reviews_litigation/{r.key}/{c.key}" for r in reviews.rows for c in reviews.columns))
    parts += [SECTIONS[4].label, "一是公开不够及时。", SECTIONS[5].label, "无。"]
    header = f"标题: {title}\n发布时间: {year + 1}-01-15 10:00\n发布机构: {agency}\n"
    return header + "".join(parts) + "\n"


def _figure(value, signed: bool, rng: random.Random) -> str:
    """As printed: a rise of 本年增/减 sometimes with its plus sign."""
    return f"+{value}" if signed and value > 0 and rng.random() < 0.3 else str(value)
