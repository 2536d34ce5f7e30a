"""The Pipeline: load once, read many reports.

    import inference
    nlp = inference.load()                      # shipped model, default rubric and rules
    report = nlp("data/samples/s01_yunxi_county_gov_2023.txt")
    for report in nlp.pipe(paths, batch_size=32, n_process=2): ...
    nlp.pipe_names                              # ['clean', 'metadata', ..., 'statements', 'score']
    nlp.to_disk("out/nlp"); inference.load("out/nlp")

The model, rubric and rules are resolved once, when the pipeline is built. A file is read by the loader
registered for its extension (`inference/loaders.py`), then each component runs in order; components up to
the first batched one (the statement model) run per report — in worker processes with `n_process` > 1 — and
the rest once per batch.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from inference import rules
from inference.components import DEFAULT, LOADED, READER, Component
from inference.errors import DataError, NianbaoError
from inference.registry import components
from inference.report import Report

CONFIG_NAME = "pipeline.json"
TEXT_SOURCE = "<text>"


class PipelineError(NianbaoError):
    """A pipeline that cannot run: a component misordered, unknown or missing."""


def nianbao_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nianbao")
    except PackageNotFoundError:
        return "0+unknown"


@lru_cache(maxsize=8)
def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# the files of a model folder that change what it predicts: weights, the blended lexical model, calibration
MODEL_FILES = ("model.safetensors", "lexical.safetensors", "lexical.json", "calibration.json")


def model_sha256(directory: Path) -> str | None:
    """sha256 over the model folder's prediction-changing files (None when it has no weights)."""
    if not (directory / MODEL_FILES[0]).is_file():
        return None
    h = hashlib.sha256()
    for name in MODEL_FILES:
        if (directory / name).is_file():
            h.update(f"{name}:{file_sha256(str(directory / name))}\n".encode())
    return h.hexdigest()


def check_order(pipes: list[Component]) -> None:
    """Every component's requirements must be assigned by the loader or an earlier component."""
    available = set(LOADED)
    providers: dict[str, str] = {}
    all_assigned = {field: c.name for c in pipes for field in c.assigns}
    for c in pipes:
        missing = [f for f in c.requires if f not in available]
        if missing:
            later = "、".join(sorted({all_assigned[f] for f in missing if f in all_assigned}))
            hint = f"，应放在 {later} 之后" if later else "，没有任何组件提供"
            raise PipelineError(f"流水线顺序错误：组件“{c.name}”需要 {'、'.join(missing)}{hint}"
                                f"（当前顺序：{' → '.join(p.name for p in pipes)}）")
        for f in c.assigns:
            available.add(f)
            providers[f] = c.name


class Pipeline:
    def __init__(self, model: Any = None, rubric: Any = None, rules_dir: str | Path | None = None, int8: bool = False,
                 pipe_names: Iterable[str] = DEFAULT, bf16: bool = False):
        self.rules_dir = rules.use(rules_dir)
        self.int8 = int8
        self.bf16 = bf16 and not int8
        self._model = model if hasattr(model, "predict") else None
        self.model_dir: Path | None = None if self._model is not None else _model_dir(model)
        self.rubric = _rubric(rubric)
        self._pipes: list[Component] = []
        for name in pipe_names:
            self._pipes.append(components.get(name)(self))
        check_order(self._pipes)

    # -- resources, resolved once ----------------------------------------------------------------------
    @property
    def model(self):
        """The statement model, loaded on first use (a reader pipeline never loads it)."""
        if self._model is None:
            from inference.statements import load_model

            self._model = load_model(self.model_dir, quantize=self.int8, bf16=self.bf16)
        return self._model

    def provenance(self) -> dict[str, Any]:
        """What produced a result: nianbao version, model id and sha256, rubric version, rules hash."""
        out: dict[str, Any] = {"nianbao": nianbao_version(), "rules": rules.fingerprint(),
                               "rubric": {"source": _relative(self.rubric.source), "version": self.rubric.version}}
        if "statements" in self.pipe_names:
            out["model"] = self.model_info()
        return out

    def model_info(self) -> dict[str, Any]:
        directory = self.model_dir or Path(getattr(self._model, "directory", "") or "")
        return {"id": directory.name if directory else type(self._model).__name__,
                "sha256": model_sha256(directory) if directory else None,
                "int8": self.int8, "precision": "int8" if self.int8 else ("bf16" if self.bf16 else "fp32")}

    # -- components ------------------------------------------------------------------------------------
    @property
    def pipe_names(self) -> list[str]:
        return [c.name for c in self._pipes]

    @property
    def pipeline(self) -> list[tuple[str, Component]]:
        return [(c.name, c) for c in self._pipes]

    def get_pipe(self, name: str) -> Component:
        for c in self._pipes:
            if c.name == name:
                return c
        raise PipelineError(f"流水线中没有组件“{name}”（现有：{'、'.join(self.pipe_names)}）")

    def has_pipe(self, name: str) -> bool:
        return name in self.pipe_names

    def add_pipe(self, component: str | Component | Callable[[Report], Report], name: str | None = None,
                 before: str | None = None, after: str | None = None, first: bool = False) -> Component:
        """Insert a component (a registered name, a `Component` or a function `Report -> Report`). The new
        order is checked at once: a component placed before what it requires is refused."""
        if isinstance(component, str):
            comp = components.get(component)(self)
        elif isinstance(component, Component):
            comp = component
        else:
            comp = Component.wrap(component, name)
        if name:
            comp.name = name
        if comp.name in self.pipe_names:
            raise PipelineError(f"流水线中已有组件“{comp.name}”")
        if sum(x is not None and x is not False for x in (before, after, first or None)) > 1:
            raise PipelineError("before / after / first 只能指定一个")
        index = len(self._pipes)
        if first:
            index = 0
        elif before is not None:
            index = self.pipe_names.index(self.get_pipe(before).name)
        elif after is not None:
            index = self.pipe_names.index(self.get_pipe(after).name) + 1
        pipes = self._pipes[:index] + [comp] + self._pipes[index:]
        check_order(pipes)
        self._pipes = pipes
        return comp

    def remove_pipe(self, name: str) -> Component:
        comp = self.get_pipe(name)
        pipes = [c for c in self._pipes if c is not comp]
        check_order(pipes)
        self._pipes = pipes
        return comp

    # -- running ---------------------------------------------------------------------------------------
    def make_report(self, source: str | Path | Report) -> Report:
        """A Report from a path (read by the loader for its file type), a text, or a Report as it is."""
        if isinstance(source, Report):
            return source
        # a path that exists in any form (file, folder, FIFO, device, dangling link) is loaded as a path, so a
        # FIFO or /dev/zero gets its own error instead of being read as the text of its name
        if isinstance(source, Path) or ("\n" not in source and len(source) < 4096 and "\0" not in source
                                        and os.path.lexists(source)):
            from inference.loaders import load

            return load(source)
        return Report(source=TEXT_SOURCE, text=source)

    def _split(self) -> int:
        """Index of the first batched component: those before it run per report."""
        return next((i for i, c in enumerate(self._pipes) if c.batch_fn is not None), len(self._pipes))

    def read(self, source: str | Path | Report) -> Report:
        """Load and run the per-report components (everything before the first batched one)."""
        report = self.make_report(source)
        for c in self._pipes[: self._split()]:
            report = c(report)
        return report

    def finish(self, reports: list[Report], seconds: dict[str, float] | None = None) -> list[Report]:
        """Run the remaining components over a batch of reports read by `read`, and stamp provenance."""
        import time

        for c in self._pipes[self._split():]:
            t0 = time.perf_counter()
            reports = c.run_batch(reports)
            if seconds is not None:
                seconds[c.name] = seconds.get(c.name, 0.0) + time.perf_counter() - t0
        stamp = self.provenance()
        for r in reports:
            r.provenance = dict(stamp)
        return reports

    def __call__(self, source: str | Path | Report) -> Report:
        return self.finish([self.read(source)])[0]

    def pipe(self, sources: Iterable[str | Path | Report], batch_size: int = 32, n_process: int = 1) -> Iterator[Report]:
        """Reports for `sources`, in order; the statement model reads `batch_size` reports per call and
        `n_process` processes read the files. A file that cannot be read raises its ReportError."""
        batch: list[Report] = []
        for report in self._read_all(sources, n_process):
            batch.append(report)
            if len(batch) >= batch_size:
                yield from self.finish(batch)
                batch = []
        if batch:
            yield from self.finish(batch)

    def _read_all(self, sources: Iterable[str | Path | Report], n_process: int) -> Iterator[Report]:
        if n_process <= 1:
            yield from map(self.read, sources)
            return
        with worker_pool(self, n_process) as pool:
            yield from pool.imap(_worker_read, sources, chunksize=4)

    # -- saving ----------------------------------------------------------------------------------------
    def to_disk(self, directory: str | Path) -> Path:
        """Write pipeline.json (components, model reference, int8) with a copy of the rubric and rules used."""
        directory = Path(directory)
        (directory / "rules").mkdir(parents=True, exist_ok=True)
        for name in rules.RULE_FILES + rules.OPTIONAL_RULE_FILES:
            src = self.rules_dir / f"{name}.json"
            if src.is_file():
                shutil.copyfile(src, directory / "rules" / f"{name}.json")
        if self.rubric.source and Path(self.rubric.source).is_file():
            shutil.copyfile(self.rubric.source, directory / "rubric.json")
        model = self.model_info() if "statements" in self.pipe_names else None
        config = {
            "nianbao": nianbao_version(),
            "pipes": self.pipe_names,
            "model": {"directory": str(self.model_dir) if self.model_dir else None, **(model or {})} if model else None,
            "int8": self.int8,
            "bf16": self.bf16,
            "rubric": {"file": "rubric.json", "version": self.rubric.version},
            "rules": {"directory": "rules", "sha256": rules.fingerprint()},
        }
        (directory / CONFIG_NAME).write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
        return directory

    @classmethod
    def from_disk(cls, directory: str | Path, model: Any = None) -> "Pipeline":
        directory = Path(directory)
        try:
            config = json.loads((directory / CONFIG_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"{directory}: 无法读取 {CONFIG_NAME}: {exc}") from exc
        try:
            ref = config.get("model") or {}
            if model is None and ref.get("directory"):
                model = ref["directory"]
            rubric_file, pipes = directory / config["rubric"]["file"], list(config["pipes"])
        except (AttributeError, KeyError, TypeError) as exc:
            raise DataError(f"{directory}: {CONFIG_NAME} 内容不完整或格式错误（{type(exc).__name__}: {exc}）") from exc
        nlp = cls(model=model, rubric=rubric_file, rules_dir=directory / "rules",
                  int8=bool(config.get("int8")), pipe_names=pipes, bf16=bool(config.get("bf16")))
        want = ref.get("sha256")
        if want and nlp.model_dir is not None and nlp.model_info()["sha256"] != want:
            raise DataError(f"{directory}: 模型 {nlp.model_dir} 的权重与保存时不同（sha256 不一致）")
        return nlp


def _model_dir(model: str | Path | None) -> Path:
    from inference.statements import DEFAULT_MODEL_DIR

    return Path(model).resolve() if model else DEFAULT_MODEL_DIR


def _rubric(rubric):
    from inference.scoring import Rubric, default_rubric

    if isinstance(rubric, Rubric):
        return rubric
    return Rubric.load(rubric) if rubric else default_rubric()


def _relative(path: str) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(rules.DEFAULT_DIR.parent))
    except ValueError:
        return str(p)


# -- worker processes --------------------------------------------------------------------------------------
_WORKER: Pipeline | None = None


def _worker_read(source):
    return _WORKER.read(source)


class worker_pool:
    """A process pool whose workers read with this pipeline (forked: they inherit it, components and all)."""

    def __init__(self, nlp: Pipeline, processes: int):
        self.nlp, self.processes = nlp, processes

    def __enter__(self):
        import multiprocessing as mp

        global _WORKER
        _WORKER = self.nlp
        self.pool = mp.get_context("fork").Pool(self.processes)
        return self.pool

    def __exit__(self, *exc) -> None:
        self.pool.terminate()


# -- the deterministic reader (no model) --------------------------------------------------------------------
@lru_cache(maxsize=1)
def reader() -> Pipeline:
    return Pipeline(pipe_names=READER)


def read_report(path: str | Path) -> Report:
    """Read one file into a fully parsed and checked Report. Raises ReportError for bad input."""
    return reader().read(path)


def load(model: Any = None, rubric: Any = None, rules: str | Path | None = None, int8: bool = False,
         bf16: bool = False) -> Pipeline:
    """The full pipeline. `model`: a model directory, a loaded tagger, None (shipped model) — or a directory
    written by `Pipeline.to_disk`, which brings its own rubric, rules and model reference."""
    if model is not None and not hasattr(model, "predict") and (Path(model) / CONFIG_NAME).is_file():
        return Pipeline.from_disk(model)
    return Pipeline(model=model, rubric=rubric, rules_dir=rules, int8=int8, bf16=bf16)
