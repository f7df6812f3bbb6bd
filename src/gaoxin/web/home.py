"""Where gaoxin keeps its data: the SQLite database, media (evidence files, job results),
collected static files and analytics tables, all under one directory, ``GAOXIN_HOME``.

The default does not depend on the folder a command is run from (decision 020): a checkout
(``pip install -e .``, as ``make`` does) keeps its data in the checkout's ``var/``, found
from this file's location; an installed package keeps it in the user's data directory.
Nothing here imports Django, so the CLI can name the directory before Django starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/gaoxin


def checkout_root(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The source checkout holding ``package_dir`` (``<root>/src/gaoxin``), or None when the
    package is installed elsewhere (site-packages)."""
    root = package_dir.parent.parent
    if package_dir.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def data_home(environ: Mapping[str, str] = os.environ, package_dir: Path = PACKAGE_DIR) -> Path:
    """``GAOXIN_HOME`` if set; else the checkout's ``var/``; else ``$XDG_DATA_HOME/gaoxin``
    (``~/.local/share/gaoxin``). Always absolute."""
    if environ.get("GAOXIN_HOME"):
        return Path(environ["GAOXIN_HOME"]).expanduser().resolve()
    root = checkout_root(package_dir)
    if root is not None:
        return root / "var"
    base = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return (Path(base).expanduser() / "gaoxin").resolve()
