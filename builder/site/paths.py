"""Where each generated page lies in the site: the one place that knows the site's folders.

A site synced to object storage behind a CDN should hold no folder of more than
MAX_FILES_A_FOLDER files, so the pages of reports and agencies are sharded by the first two
hexadecimal characters of their digest (reports, also by their id's year). At 10^6 reports:

- reports/<year>/<xx>/: 10^6 reports over some 7 years and 256 shards is ~560 reports a folder,
  each with at most FILES_A_REPORT entries there (page, JSON, CSV, badge, source and the folder
  of its cell pictures), ~3,400 entries; a folder fills only past ~1,660 reports a shard, some
  425,000 reports of one year. A report's cell pictures (at most 60) have a folder of their own.
- agencies/<xx>/: 10^5 agencies nationally over 256 shards, ~400 pages a folder.
- regions/: a page a province, city and county (summary.regions_of), ~3,300 in all.
- search/: the words' files, one a first character of a word (some thousands of characters in
  the names of agencies and places), and the titles in their own folder search/d/, 10^6 pages
  in files of 256, ~4,300 files (search.py).
- overview/: the rows in files of 1,000 by year and province, ~1,300 files (overview.py).
- data/, badges/ and the site's root: the package's files, a badge a status, the hand-written
  pages: tens of files whatever the corpus.
"""

from __future__ import annotations

import posixpath

MAX_FILES_A_FOLDER = 10_000
FILES_A_REPORT = 6  # in its shard's folder: see write_report in builder/site/__init__.py
SHARD_CHARACTERS = 2  # of a digest: 256 shards
REPORTS = "reports"
AGENCIES = "agencies"
REGIONS = "regions"
OVERVIEW_PAGE = f"{REPORTS}/index.html"
# how many folders deep each kind of page lies: the site's shell is built at each depth, so
# that its relative links (styles, scripts, the navigation) hold on every page
PAGE_DEPTHS = (1, 2, 3)


def report_base(report_id: str) -> str:
    """A report's files without extension: reports/2019/0e/2019-0e5499b5e7 (.html, .json, .csv,
    .svg, .source.<ext>). An id is its year (or `unknown`, `file`), a dash, and a hexadecimal
    digest (builder/ids.py), after which versions of one agency's report share its folder."""
    year, digest = report_id.split("-", 1)
    return f"{REPORTS}/{year}/{digest[:SHARD_CHARACTERS]}/{report_id}"


def report_page(report_id: str) -> str:
    return report_base(report_id) + ".html"


def cell_pictures(report_id: str) -> str:
    """The folder of a report's pictures of the cells OCR doubted, beside its page (a dot is in
    no id: the folder's name is never a report's)."""
    return report_base(report_id) + ".cells"


def agency_page(agency_id: str) -> str:
    """agencies/0e/a-0e5499b5e7.html: an agency's id is `a-` and its digest (agency_groups)."""
    digest = agency_id.split("-", 1)[1]
    return f"{AGENCIES}/{digest[:SHARD_CHARACTERS]}/{agency_id}.html"


def region_page(code: str) -> str:
    return f"{REGIONS}/{code}.html"


def relative(page: str, target: str) -> str:
    """The link from `page` to `target`, both paths from the site's root."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def depth(page: str) -> int:
    return page.count("/")
