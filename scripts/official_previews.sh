#!/bin/sh
# The PNG previews of official documents in docs/guide/img (docs/guide/official-documents.md):
# the tests that print documents through LibreOffice keep their pages when GAOXIN_PREVIEWS is
# set (pdftoppm, 60 dpi). Needs LibreOffice, the fonts and poppler-utils (decision 039).
set -e
cd "$(dirname "$0")/.."
GAOXIN_PREVIEWS=docs/guide/img exec .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/engine/test_official.py tests/documents/test_printed.py "$@"
