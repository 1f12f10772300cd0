"""A report's place among the administrative divisions: given where the names point to one
division, never guessed where they do not."""

from __future__ import annotations

import csv

import pytest

from builder import places
from conftest import ROOT


@pytest.mark.parametrize("given, agency, code", [
    (["建宁县"], "伊家乡", "350430201000"),  # a township, within the county the text names
    (["福建省", "福州市", "平潭县"], "平潭综合实验区君山片区管理局", "350128000000"),  # 君山 is no 君山区
    ([], "西工区文化旅游局", "410303000000"),  # the county, not a township of that name elsewhere
    ([], "北京市东城区人民政府", "110101000000"),
    (["福州市"], "鼓楼区人民政府", "350102000000"),
    ([], "沭阳县城区管理局", "321322000000"),  # 城区, a county's name, is a common word in a name
    (["江苏省"], "福州市财政局", "320000000000"),  # the agency's name contradicts what is given: set aside
    # a town of the agency's name lies elsewhere in the province: the county given stands
    (["黑龙江省齐齐哈尔市依安县"], "东风镇", "230223000000"),
])
def test_a_place_is_given_where_the_names_point_to_one_division(given, agency, code):
    place = places.locate(given, agency).place
    assert place is not None and place["code"] == code
    division = places.division(code)
    assert place[division.level] == division.name and place["level"] == division.level
    assert all(place[f"{level}_code"] == code[:digits].ljust(12, "0")
               for level, digits in zip(places.LEVELS, (2, 4, 6, 9)) if place[level])


@pytest.mark.parametrize("given, agency, problem", [
    ([], "城关镇人民政府", "不止一处"),  # 88 towns of that name
    ([], "鼓楼区人民政府", "不止一处"),
    ([], "国务院办公厅", "未写明"),
    (["江苏省", "福建省"], None, "矛盾"),
])
def test_no_place_where_the_names_do_not_point_to_one_division(given, agency, problem):
    located = places.locate(given, agency)
    assert located.place is None and problem in located.problem


def test_a_municipality_is_its_own_city():
    place = places.locate([], "北京市东城区人民政府").place
    assert place["province"] == place["city"] == "北京市" and place["city_code"] == "110100000000"


def test_the_division_list_is_the_national_one_of_2023():
    divisions = places._divisions()
    levels = [d.level for d in divisions.values()]
    assert levels.count("province") == 31 and 300 < levels.count("city") < 400
    assert 2800 < levels.count("county") < 3000 and 38000 < levels.count("township") < 42000
    assert all(len(code) == 12 and code.isdigit() for code in divisions)
    assert all(d.parent in divisions for d in divisions.values() if d.parent)
    with open(ROOT / "builder/places/divisions/areas.csv", encoding="utf-8") as rows:
        assert {"code", "name", "cityCode", "provinceCode"} == set(next(csv.reader(rows)))


def test_every_report_of_the_real_corpus_has_a_province_a_city_and_a_code():
    with open(ROOT / "datapackage/reports.csv", encoding="utf-8") as rows:
        reports = list(csv.DictReader(rows))
    real = [r for r in reports if not r["source_file"].startswith("00")]  # the five seeds aside
    assert len(real) >= 46
    assert all(r["province"] and r["city"] and len(r["division_code"]) == 12 for r in real)


@pytest.mark.parametrize("agency, kind", [("伊家乡", "township"), ("二里岗街道办事处", "street"),
                                          ("淮安市人民政府", "government"), ("沭阳县发展和改革局", "department"),
                                          (None, "unknown"), ("某某公司", "other")])
def test_the_kind_of_agency_its_name_says(agency, kind):
    assert places.agency_kind(agency) == kind


@pytest.mark.parametrize("url, names", [
    ("https://www.pingtan.gov.cn/zwgk/a.htm", [["平潭县"]]),
    ("http://www.jianning.gov.cn/", [["建宁县"]]),
    ("http://www.fj.gov.cn/", []),  # an abbreviation spells nothing for certain
    ("not a url", []), (None, []),
])
def test_a_web_address_may_spell_a_division(url, names):
    assert [[d.name for d in m] for m in places.address_mentions(url)] == names


def test_the_web_address_tells_apart_towns_of_one_name_and_never_overrules_the_region_given():
    assert places.locate([], "新坊镇", "http://www.yichun.gov.cn/").place["county"] == "袁州区"
    assert places.locate(["福建省福州市平潭县"], "某局", "http://www.jianning.gov.cn/").place["county"] == "平潭县"
    assert places.locate([], "城关镇人民政府", "http://www.jianning.gov.cn/").place is None
