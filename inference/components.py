"""Pipeline components: each is `Report -> Report` and declares the Report fields it requires and assigns,
so that a misordered pipeline is refused when it is built, not halfway through a batch.

The built-in components, in their default order:

| component | module | requires | assigns |
|---|---|---|---|
| clean | `inference/clean.py` | text | norm, removed |
| metadata | `inference/metadata.py` | norm | meta |
| sections | `inference/sections.py` | norm, removed | sections |
| tables | `inference/tables/` | norm, meta, sections | tables |
| checks | `inference/checks/` | meta, sections, tables | checks |
| statements | `inference/statements.py` (the statement model, batched across reports) | sections | statements |
| score | `inference/scoring.py` | checks, tables, statements | score |

A new component is a factory registered in `inference.registry.components` (`factory(nlp) -> Component`),
or any `Component` / plain function handed to `Pipeline.add_pipe`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from inference.registry import components
from inference.report import Report

if TYPE_CHECKING:
    from inference.pipeline import Pipeline

# What the loader fills before any component runs.
LOADED = ("source", "text", "kind", "encoding", "raw_tables")


@dataclass
class Component:
    name: str
    fn: Callable[[Report], Report]
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    # reads many reports in one call (the statement model batches across reports)
    batch_fn: Callable[[list[Report]], list[Report]] | None = None

    def __call__(self, report: Report) -> Report:
        return self.fn(report)

    def run_batch(self, reports: list[Report]) -> list[Report]:
        if self.batch_fn is not None:
            return self.batch_fn(reports)
        return [self.fn(r) for r in reports]

    @classmethod
    def wrap(cls, fn: Callable[[Report], Report], name: str | None = None) -> "Component":
        """A plain function as a component; it may declare `requires` / `assigns` as attributes."""
        return cls(name or getattr(fn, "name", None) or fn.__name__, fn,
                   tuple(getattr(fn, "requires", ())), tuple(getattr(fn, "assigns", ())))


@components.register("clean")
def _clean(nlp: Pipeline) -> Component:
    from inference.clean import clean

    return Component("clean", clean, ("text",), ("norm", "removed"))


@components.register("metadata")
def _metadata(nlp: Pipeline) -> Component:
    from inference.metadata import extract_metadata

    return Component("metadata", extract_metadata, ("norm",), ("meta",))


@components.register("sections")
def _sections(nlp: Pipeline) -> Component:
    from inference.sections import find_sections

    return Component("sections", find_sections, ("norm", "removed"), ("sections",))


@components.register("tables")
def _tables(nlp: Pipeline) -> Component:
    from inference.tables import extract_tables

    return Component("tables", extract_tables, ("norm", "meta", "sections"), ("tables",))


@components.register("checks")
def _checks(nlp: Pipeline) -> Component:
    from inference.checks import run_checks

    return Component("checks", run_checks, ("meta", "sections", "tables"), ("checks",))


@components.register("statements")
def _statements(nlp: Pipeline) -> Component:
    from inference.statements import PassageMemo, detect_statements

    memo = PassageMemo()

    def one(report: Report) -> Report:
        return detect_statements([report], nlp.model, memo)[0]

    return Component("statements", one, ("sections",), ("statements",),
                     batch_fn=lambda reports: detect_statements(reports, nlp.model, memo))


@components.register("score")
def _score(nlp: Pipeline) -> Component:
    from inference.scoring import rate_report

    def score(report: Report) -> Report:
        rate_report(report, nlp.rubric)
        return report

    return Component("score", score, ("checks", "tables", "statements"), ("score",))


READER = ("clean", "metadata", "sections", "tables", "checks")  # deterministic: no model
DEFAULT = READER + ("statements", "score")
