"""The layout shows the architecture: model/ never imports inference/, no package has an import cycle
(function-level imports included), and no reader stage imports a later one."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("inference", "model", "training")
# the reader's stages in order, by module
STAGE_ORDER = ["inference.loaders", "inference.clean", "inference.metadata", "inference.sections", "inference.tables",
               "inference.checks", "inference.statements", "inference.scoring"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    names = {_module_name(p) for p in files}
    graph: dict[str, set[str]] = {}
    for p in files:
        me = _module_name(p)
        deps = set()
        tree = ast.parse(p.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and getattr(block.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in typing_only:  # `if TYPE_CHECKING:` imports never run
                continue
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            deps |= {t for t in targets if t in names and t != me}
        graph[me] = deps
    return graph


def _package_of(module: str, graph: dict[str, set[str]]) -> str:
    """A module of a subpackage counts as its package (inference.checks.values -> inference.checks)."""
    for stage in STAGE_ORDER:
        if module == stage or module.startswith(stage + "."):
            return stage
    return module


def test_model_does_not_import_inference():
    graph = _graph()
    bad = {m: sorted(d for d in deps if d.startswith("inference")) for m, deps in graph.items() if m.startswith("model")}
    assert not any(bad.values()), bad


def test_no_import_cycles():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if d.startswith(m + "."):  # a package importing its own modules (checks/__init__) is no cycle
                continue
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    real = [c for c in cycles if not all(x == c[0] or x.startswith(c[0] + ".") or c[0].startswith(x + ".") for x in c)]
    assert not real, real


def test_no_stage_imports_a_later_stage():
    graph = _graph()
    for module, deps in graph.items():
        me = _package_of(module, graph)
        if me not in STAGE_ORDER:
            continue
        for d in deps:
            other = _package_of(d, graph)
            if other in STAGE_ORDER:
                assert STAGE_ORDER.index(other) <= STAGE_ORDER.index(me), f"{module} imports the later stage {d}"
