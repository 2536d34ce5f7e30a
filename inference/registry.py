"""Registries: the extension points of nianbao. Each is filled by decorated functions plus their data,
and code outside the package can register its own:

    from inference.registry import checks

    @checks.register("my.check", messages={"my_pass": "……"})
    def check_mine(report): ...

| registry | key | what is registered | built-ins in |
|---|---|---|---|
| `loaders` | file extension (".pdf") | `fn(source, data: bytes) -> Report` | `inference/loaders.py` |
| `table_layouts` | layout name ("pipe") | `fn(norm, start, end) -> pieces` | `inference/tables/layouts.py` |
| `checks` | check id or family | `fn(report) -> CheckResult | list[CheckResult]` | `inference/checks/` |
| `rubric_rules` | rubric rule type ("checks") | `fn(report, part, rubric) -> list[Deduction]` | `inference/scoring.py` |
| `batch_findings` | finding name ("copying") | `fn(report, context) -> None` | `inference/findings.py` |
| `components` | pipeline component name | a `Component` factory | `inference/components.py` |
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Generic, Iterator, TypeVar

from inference.errors import NianbaoError

T = TypeVar("T", bound=Callable)


class RegistryError(NianbaoError):
    """An unknown name was asked of a registry, or a name was registered twice."""


class Registry(Generic[T]):
    def __init__(self, kind: str, builtins: str):
        self.kind = kind
        self._builtins = builtins  # module whose import registers the built-in entries
        self._items: dict[str, T] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def register(self, *names: str, replace: bool = False, **meta: Any) -> Callable[[T], T]:
        """Decorator: register `fn` under each of `names` with optional data (`meta`)."""
        def decorate(fn: T) -> T:
            for name in names:
                if name in self._items and not replace and self._items[name] is not fn:
                    raise RegistryError(f"{self.kind} “{name}” 已注册（如需替换请传 replace=True）")
                self._items[name] = fn
                self._meta[name] = dict(meta)
            return fn
        return decorate

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)
        self._meta.pop(name, None)

    def _load(self) -> None:
        importlib.import_module(self._builtins)

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            known = "、".join(self._items) or "无"
            raise RegistryError(f"未注册的{self.kind}“{name}”（已注册：{known}）") from None

    def meta(self, name: str) -> dict[str, Any]:
        self._load()
        return self._meta.get(name, {})

    def names(self) -> list[str]:
        self._load()
        return list(self._items)

    def items(self) -> Iterator[tuple[str, T]]:
        self._load()
        return iter(list(self._items.items()))

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items


loaders: Registry = Registry("文件类型读取器", "inference.loaders")
table_layouts: Registry = Registry("表格版式", "inference.tables")
checks: Registry = Registry("检查", "inference.checks")
rubric_rules: Registry = Registry("评分规则类型", "inference.scoring")
batch_findings: Registry = Registry("批量发现", "inference.findings")
components: Registry = Registry("流水线组件", "inference.components")
