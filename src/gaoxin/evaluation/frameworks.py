"""Which evaluation frameworks a pack ships, and the pack's content hash a run records.

A pack is a directory under ``gaoxin/packs`` (its ``pack.yaml`` gives the id; the catalogue,
which ships the enterprise schemes, is the pack ``catalogue``) or any directory given by path.
Its frameworks are the ``frameworks/*.yaml`` files, named by their ``framework:`` id or the file
name. Errors are :class:`ProblemsError` with Chinese messages that list what there is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from gaoxin.engine.composite import Framework, load_framework
from gaoxin.engine.problems import Problem, ProblemsError

FRAMEWORKS_DIR = "frameworks"


@dataclass(frozen=True)
class PackFrameworks:
    id: str
    path: Path
    hash: str
    files: dict[str, Path]  # framework id -> YAML file

    def framework(self, name: str | None) -> tuple[Framework, Path]:
        """The framework called ``name`` (its id or file name); the only one when None."""
        if name is None:
            if len(self.files) != 1:
                raise ProblemsError(
                    [
                        Problem(
                            "evaluation.framework_needed",
                            f"政策包「{self.id}」有 {len(self.files)} 个评价体系，请用 --framework "
                            f"指定其一：{'、'.join(self.files)}",
                        )
                    ]
                )
            name = next(iter(self.files))
        path = self.files.get(name)
        if path is None:
            path = next((p for p in self.files.values() if p.stem == name), None)
        if path is None:
            raise ProblemsError(
                [
                    Problem(
                        "evaluation.unknown_framework",
                        f"政策包「{self.id}」中没有评价体系「{name}」；可用的有："
                        f"{'、'.join(self.files) or '（无）'}",
                        value=name,
                    )
                ]
            )
        return load_framework(path), path


def shipped_pack_dirs() -> dict[str, Path]:
    """Pack id -> directory, for every shipped directory with a pack.yaml or frameworks."""
    root = Path(str(resources.files("gaoxin.packs")))
    out: dict[str, Path] = {}
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        if (d / "pack.yaml").is_file() or (d / FRAMEWORKS_DIR).is_dir():
            out[_pack_id(d)] = d
    return out


def _pack_id(d: Path) -> str:
    f = d / "pack.yaml"
    if f.is_file():
        pid = _top_level(f, "id")
        if isinstance(pid, str) and pid:
            return pid
    return d.name


def _top_level(f: Path, key: str) -> object:
    """``key`` at the top of the YAML file ``f`` (None when absent), parsed once for each text
    the file has had: every page offering the packs asked each pack.yaml for its id, parsing
    all of them (about 0.5 s of CPU a page with six packs)."""
    return _parsed_top_level(f.read_text(encoding="utf-8"), key)


@lru_cache(maxsize=64)
def _parsed_top_level(text: str, key: str) -> object:
    return (yaml.safe_load(text) or {}).get(key)


def pack_hash(d: Path) -> str:
    """SHA-256 over every file of the pack (relative path and bytes), test cases excepted:
    the document, the rules and the frameworks as they were when the run was made."""
    h = hashlib.sha256()
    for f in sorted(p for p in d.rglob("*") if p.is_file()):
        rel = f.relative_to(d)
        if rel.parts[0] in ("cases", "__pycache__"):
            continue
        h.update(rel.as_posix().encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def find_pack(pack: str) -> PackFrameworks:
    """A shipped pack by id or directory name, or a pack directory by path."""
    shipped = shipped_pack_dirs()
    d = shipped.get(pack)
    if d is None:
        d = next((p for p in shipped.values() if p.name == pack), None)
    if d is None and Path(pack).is_dir():
        d = Path(pack)
    if d is None:
        raise ProblemsError(
            [
                Problem(
                    "evaluation.unknown_pack",
                    f"找不到政策包「{pack}」；内置政策包有：{'、'.join(shipped)}（或给出政策包目录）",
                    value=pack,
                )
            ]
        )
    files: dict[str, Path] = {}
    for f in sorted((d / FRAMEWORKS_DIR).glob("*.yaml")):
        fid = _top_level(f, "framework")
        files[fid if isinstance(fid, str) and fid else f.stem] = f
    if not files:
        raise ProblemsError(
            [
                Problem(
                    "evaluation.no_frameworks",
                    f"政策包「{pack}」没有评价体系（{FRAMEWORKS_DIR}/*.yaml）",
                    file=str(d),
                )
            ]
        )
    return PackFrameworks(_pack_id(d), d, pack_hash(d), files)


@dataclass(frozen=True)
class FrameworkChoice:
    """A framework as a person picks it: by its pack's and its own Chinese title."""

    pack: str
    framework: str
    label: str

    @property
    def value(self) -> str:
        return f"{self.pack}/{self.framework}"


def framework_choices() -> list[FrameworkChoice]:
    """Every framework of every shipped pack, labelled 《pack title》：framework title (a pack
    with several, as the national one, offers each)."""
    from django.utils.translation import gettext

    from gaoxin.policy.titles import pack_title

    out = []
    for pack, d in shipped_pack_dirs().items():
        for f in sorted((d / FRAMEWORKS_DIR).glob("*.yaml")):
            spec = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
            fid = spec.get("framework") if isinstance(spec.get("framework"), str) else f.stem
            title = spec.get("title") or fid
            head = pack_title(pack) if pack != "catalogue" else gettext("通用评价体系")
            out.append(FrameworkChoice(pack, fid, f"{head}：{title}"))
    return out
