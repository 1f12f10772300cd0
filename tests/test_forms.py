"""The form as data: every cell indexed once, with its path, keys and label."""

from __future__ import annotations

import pytest

from builder.forms import TABLES, TEMPLATES, cell_path


@pytest.mark.parametrize("version", TEMPLATES)
def test_every_cell_is_indexed_once_and_its_path_is_made_from_its_keys(version):
    template = TEMPLATES[version]
    cells = template.cells
    assert len({c.path for c in cells}) == len(cells) == len(template.cell_paths())
    assert {c.table for c in cells} == set(TABLES)
    for cell in cells:
        keys = (cell.article, cell.row, cell.column) if cell.article else (cell.row, cell.column)
        assert template.path(cell.table, *keys) == cell.path and template.cell(cell.path) is cell
        assert cell.label and cell.template == version
    grid = template.applications
    assert len(template.table_paths("applications")) == len(grid.rows) * len(grid.columns)
    assert template.row_paths("applications", "granted")[-1] == template.path("applications", "granted", "total")
    assert len(template.column_paths("applications", "total")) == len(grid.rows)


def test_a_cell_the_form_lacks_is_an_error_never_a_made_up_path():
    with pytest.raises(KeyError):
        TEMPLATES["2019"].path("applications", "other_misc", "total")  # a row of the 2021 form only
    with pytest.raises(KeyError):
        cell_path("applications", "other_misc", "total")  # not in every form
    assert cell_path("applications", "new_received", "total") == "applications/new_received/total"


def test_labels_name_the_cell_as_the_form_prints_it():
    template = TEMPLATES["2021"]
    assert template.cell("applications/granted/natural_person").label == "申请情况「（一）予以公开」行「自然人」列"
    assert template.cell("reviews_litigation/litigation_direct/total").label == \
        "行政复议、行政诉讼「行政诉讼·未经复议直接起诉」行「总计」列"
    assert template.cell("active_disclosure/art20_8/fees/amount_10k_yuan").decimal
    assert "active_disclosure/art20_5/licensing/change" in TEMPLATES["2019"].signed_paths
