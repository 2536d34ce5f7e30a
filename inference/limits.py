"""Per-file limits of a run (`data/limits.json`): bytes, inflated bytes, pages, characters, table cells,
model tokens, seconds and worker memory. A file that reaches a limit gets a per-file `ReportError` or an
explicit truncation note (`Report.notes`); the batch goes on. Rules are data: the numbers and the Chinese
messages live in the JSON file, read through `inference/rules.py`."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from inference import rules

FILE = "limits.json"


@lru_cache(maxsize=1)
def limits() -> dict[str, Any]:
    """The active rules directory's limits.json, else the shipped one (older saved pipelines lack it)."""
    path = rules.directory() / FILE
    if not path.is_file():
        path = rules.DEFAULT_DIR / FILE
    return rules.read_path(path)


_overrides: dict[str, int] = {}


def get(name: str) -> int:
    if name in _overrides:
        return int(_overrides[name])
    return int(limits()[name])


@contextmanager
def override(**values: int):
    """Other limits for a block (tests, the stress benchmark); parser processes forked inside inherit them."""
    unknown = [k for k in values if k not in limits()]
    if unknown:
        raise KeyError(f"unknown limits: {unknown}")
    saved = dict(_overrides)
    _overrides.update(values)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def message(key: str, **fields: Any) -> str:
    return limits()["messages"][key].format(**fields)


def human_bytes(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    return f"{n / 1024:.0f} KB"


def use_file(path) -> None:
    """Apply the limits of a JSON file (any subset of data/limits.json's numbers) for this process."""
    from inference.errors import DataError

    values = rules.read_path(path)
    unknown = [k for k in values if k not in limits() or k in ("messages", "_comment")]
    if unknown:
        raise DataError(f"{path}: 未知的限制项 {'、'.join(unknown)}（可用：{'、'.join(k for k in limits() if k not in ('messages', '_comment'))}）")
    _overrides.update({k: int(v) for k, v in values.items()})
