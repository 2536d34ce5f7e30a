"""Python API. Build the pipeline once, then read many reports:

    import inference
    nlp = inference.load()                     # shipped model (fp32), default rubric and rules
    report = nlp("data/samples/s01_yunxi_county_gov_2023.txt")
    print(report.score.total, report.score.grade)
    result = inference.score_batch(["data/samples"], "out/samples", nlp=nlp)

`score_report` / `load_model` / `read_report` remain as shortcuts over the same pipeline.
"""
from __future__ import annotations

from pathlib import Path

from inference.batch import BatchResult, score_batch
from inference.pipeline import Pipeline, load, read_report
from inference.report import Report
from inference.statements import load_model


def score_report(source: str | Path | Report, model=None, rubric=None) -> Report:
    """Read (if given a path), tag and rate one report. `model`: loaded tagger, directory or None (default)."""
    return load(model=model, rubric=rubric)(source)


__all__ = ["BatchResult", "Pipeline", "Report", "load", "load_model", "read_report", "score_batch", "score_report"]
