"""nianbao inference: read, check, tag and rate government information-disclosure annual reports.

    import inference
    nlp = inference.load()          # Pipeline: model, rubric and rules resolved once
    report = nlp(path_or_text)      # Report
    reports = nlp.pipe(paths)       # Reports, the statement model batched across them

Public API (imported lazily so that `import inference` stays cheap):
    load, Pipeline, load_model, read_report, score_report, score_batch, Report, BatchResult
"""
from __future__ import annotations

__all__ = ["BatchResult", "Pipeline", "Report", "load", "load_model", "read_report", "score_batch", "score_report"]


def load(model=None, rubric=None, rules=None, int8: bool = False):
    """The full pipeline (see `inference.pipeline.load`)."""
    from inference.pipeline import load as load_pipeline

    return load_pipeline(model=model, rubric=rubric, rules=rules, int8=int8)


def __getattr__(name: str):
    if name in __all__:
        from inference import api

        return getattr(api, name)
    raise AttributeError(name)
