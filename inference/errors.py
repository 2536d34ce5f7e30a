"""The project's own errors. Anything a user hands in that cannot be read raises one of these."""
from __future__ import annotations


from model.errors import ModelError, NianbaoError

__all__ = ["DataError", "ModelError", "NianbaoError", "ReportError"]


class ReportError(NianbaoError):
    """A file could not be read as a report. Names the file and the reason (Chinese + English code)."""

    def __init__(self, path: str, code: str, reason: str):
        self.path = str(path)
        self.code = code  # stable machine code: missing, dangling_link, not_file, empty, binary, too_large, inflated, too_long, corrupt, scanned_pdf, not_report, unsupported, unreadable (batch: unlistable, timeout, memory, crashed, internal)
        self.reason = reason  # Chinese, user-facing
        super().__init__(f"{self.path}: [{code}] {reason}")

    def __reduce__(self):  # parser processes send it back to the parent
        return (type(self), (self.path, self.code, self.reason))


class DataError(NianbaoError):
    """A labelled-data or rubric file is malformed."""
