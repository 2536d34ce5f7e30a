"""nianbao inference: read, check, tag and rate government information-disclosure annual reports.

Public API (imported lazily so that `import inference` stays cheap):
    load_model, read_report, score_report, score_batch, Report
"""
from __future__ import annotations

__all__ = ["BatchResult", "Report", "load_model", "read_report", "score_batch", "score_report"]


def __getattr__(name: str):
    if name in __all__:
        from inference import api

        return getattr(api, name)
    raise AttributeError(name)
