"""The one place rule files are read: section titles, boilerplate, table labels, checks, taxonomy, rubric.

Rules are data (`data/*.json` in the repository, shipped in the wheel as the `nianbao_rules` package).
Every stage reads its file with `rules.read(name)`; the directory is chosen once per process with
`rules.use(directory)` (the Pipeline does that for `load(rules=...)`), and `rules.fingerprint()`
hashes the files actually read, for provenance.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from inference.errors import DataError

RULE_FILES = ("sections", "boilerplate", "table_labels", "checks", "taxonomy", "rubric")
# read from the active directory when it has them, else from the shipped rules (older rule copies lack them)
OPTIONAL_RULE_FILES = ("ocr", "deadlines")


def _file(path: Path, name: str) -> Path:
    file = path / f"{name}.json"
    if name in OPTIONAL_RULE_FILES and not file.is_file():
        return DEFAULT_DIR / f"{name}.json"
    return file


def _shipped_dir() -> Path:
    """The repository's data/ (source checkout, editable install) or the installed `nianbao_rules` package."""
    repo = Path(__file__).resolve().parents[1] / "data"
    if (repo / "checks.json").is_file():
        return repo
    spec = importlib.util.find_spec("nianbao_rules")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("找不到规则文件（data/*.json 或已安装的 nianbao_rules 包）")
    return Path(next(iter(spec.submodule_search_locations)))


DEFAULT_DIR = _shipped_dir()
_active: Path = DEFAULT_DIR
_read: dict[str, bool] = {}  # names of the rule files read so far by this process


def directory() -> Path:
    return _active


def use(path: str | Path | None) -> Path:
    """Choose the rules directory for this process. Stages compile their rules once, so switching after
    any rule file was read would mix two rule sets: that is refused with a clear message."""
    global _active
    target = Path(path).resolve() if path else DEFAULT_DIR
    if target == _active:
        return _active
    if _read and _fingerprint(target) == _fingerprint(_active):
        return _active  # the same rules (e.g. the copy a saved pipeline carries): nothing to switch
    if _read:
        raise DataError(f"本进程已使用规则目录 {_active}，不能再切换到 {target}（请在新进程中加载）")
    for name in RULE_FILES:
        if not (target / f"{name}.json").is_file():
            raise DataError(f"{target}: 规则目录缺少 {name}.json")
    _active = target
    return _active


@lru_cache(maxsize=None)
def read(name: str) -> dict[str, Any]:
    """The parsed rule file `name` ("checks", "sections", ...) from the active directory, read once."""
    data = read_path(_file(_active, name))
    _read[name] = True
    return data


def read_path(path: str | Path) -> dict[str, Any]:
    """A rule file given by path (a user's rubric, a test's table labels): UTF-8 JSON object or DataError."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: 规则文件无法读取: {exc}") from exc
    if not isinstance(data, dict):
        raise DataError(f"{path}: 规则文件应为 JSON 对象")
    return data


def fingerprint(path: Path | None = None) -> str:
    """sha256 over every rule file of a directory (default: the active one), by name and content."""
    return _fingerprint(path or _active)


@lru_cache(maxsize=8)
def _fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    for name in RULE_FILES + OPTIONAL_RULE_FILES:
        file = _file(path, name)
        h.update(name.encode())
        h.update(file.read_bytes() if file.is_file() else b"")
    return h.hexdigest()


# -- taxonomy --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Category:
    key: str
    name: str
    role: str  # problem | remedy
    remedies: tuple[str, ...] = ()  # problems only: the remedy categories that answer it


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    """Every category of data/taxonomy.json with its role, taken from the section it is listed in."""
    tax = read("taxonomy")
    out = {}
    for role, section in (("problem", "problems"), ("remedy", "remedies")):
        for key, entry in tax[section].items():
            out[key] = Category(key, entry.get("name", key), role, tuple(entry.get("remedies", [])))
    return out


def category_name(key: str) -> str:
    cat = categories().get(key)
    return cat.name if cat else key


def categories_of(role: str) -> list[str]:
    return [c.key for c in categories().values() if c.role == role]
