"""The search index and the overview's files, as the browser reads them (issue 14)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from builder.site import overview, search
from conftest import FUZZ_SCALE, parse_text
from test_parser import make


def decode(files: dict) -> list[dict[str, set[str]]]:
    """Every page's words by field, read back from the files as search.js reads them."""
    manifest = files["manifest.json"]
    found = [{field: set() for field in manifest["fields"]} for _ in range(manifest["docs"])]
    for key in manifest["shards"]:
        for word, postings in files[f"w-{key}.json"].items():
            assert search.shard_of(word) == key
            for field, deltas in zip(manifest["fields"], postings):
                number = 0
                for delta in deltas:
                    assert delta > 0 or number == 0 == delta  # ascending: differences are positive
                    number += delta
                    found[number][field].add(word)
    return found


def test_words_are_whole_names_and_what_jieba_cuts_never_single_characters():
    found = search.words("三明市财政局")
    assert {"三明市财政局", "三明市", "财政局"} <= found
    assert not [w for w in found if len(w) < 2]
    assert "三" not in found and "局" not in found
    assert search.words("ＡＢＣ 2023") == {"abc", "2023"}  # as the browser normalizes a query: NFKC, lower case


def test_a_place_is_found_by_its_names_and_short_forms():
    assert search.place_words(["福建省", "三明市", "沙县区"]) == {"福建省", "福建", "三明市", "三明", "沙县区", "沙县"}
    assert search.place_words(["北京市"]) == {"北京市", "北京"}


words_of_a_page = st.dictionaries(st.sampled_from(search.FIELDS),
                                  st.sets(st.text(alphabet="三明市福建省财政局2023ab", min_size=2, max_size=6),
                                          max_size=6))


@settings(max_examples=60 * FUZZ_SCALE, deadline=None)
@given(st.lists(words_of_a_page, max_size=40))
def test_the_index_gives_back_every_page_s_words_each_in_its_strongest_field(pages):
    docs = [search.doc("page", str(n), f"页 {n}", "", {f: set(w) for f, w in fields.items()})
            for n, fields in enumerate(pages)]
    files = search.index_files(docs)
    for number, (fields, found) in enumerate(zip(pages, decode(files))):
        everything = set().union(*fields.values()) if fields else set()
        assert set().union(*found.values()) == everything
        for position, field in enumerate(search.FIELDS):  # a word in a stronger field is not repeated
            stronger = set().union(*(fields.get(f, set()) for f in search.FIELDS[:position]))
            assert found[field] == fields.get(field, set()) - stronger
    titles = [row for name, rows in sorted(files.items(), key=lambda item: item[0]) if name.startswith("d/")
              for row in rows]
    assert len(titles) == len(docs) and all(len(files[f"d/{n}.json"]) <= search.DOC_SHARD
                                            for n in range(len(titles) // search.DOC_SHARD))


def test_the_overview_s_files_hold_every_report_once_in_the_table_s_order(monkeypatch):
    monkeypatch.setattr(overview, "SHARD_ROWS", 3)
    base = parse_text(make(agency="巴集乡", year=2023)[0])
    reports, ids = [], []
    for n, (year, province) in enumerate([(2023, "福建省"), (2021, "福建省"), (2023, None), (2023, "江苏省")] * 3):
        place = {"province": province, "province_code": "350000000000" if province == "福建省" else "320000000000",
                 "code": "350000000000", "level": "province"} if province else None
        reports.append(dataclasses.replace(base, year=year, place=place, agency=f"机关{n:02d}"))
        ids.append(f"{year}-{n:010x}")
    files = overview.files(reports, ids)
    manifest = files["manifest.json"]
    rows = [row for shard in manifest["shards"] for row in files[shard["file"]]]
    assert sorted(r[0] for r in rows) == sorted(ids) and manifest["count"] == len(ids)
    assert all(shard["rows"] == len(files[shard["file"]]) <= 3 for shard in manifest["shards"])
    year, agency = manifest["columns"].index("year"), manifest["columns"].index("agency")
    groups = list(dict.fromkeys((s["year"], s["province"]) for s in manifest["shards"]))
    # the newest year first; within it the provinces by code (江苏 32, 福建 35), then no place
    assert groups == [(2023, "江苏省"), (2023, "福建省"), (2023, overview.UNPLACED), (2021, "福建省")]
    assert [r[year] for r in rows] == sorted((r[year] for r in rows), reverse=True)
    for shard in manifest["shards"]:  # within a year and province, by agency
        names = [r[agency] for r in files[shard["file"]]]
        assert names == sorted(names)
    first = overview.first_rows(reports, ids, {i: f"{i}.html" for i in ids})
    assert [r["id"] for r in first] == [r[0] for r in rows][:len(first)]
