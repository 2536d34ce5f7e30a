"""Pipeline stage: find and classify the statements of sections 五 and 六 with the statement model."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from inference import rules
from inference.errors import ModelError
from inference.report import Report, Statement

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "model" / "default"
STATEMENT_SECTIONS = (5, 6)


@lru_cache(maxsize=4)
def _load(directory: str, quantize: bool):
    from model.tagger import StatementTagger

    return StatementTagger.from_pretrained(directory, quantize=quantize)


def load_model(directory: str | Path | None = None, quantize: bool = False):
    """Load a statement model once per process (cached); default: the shipped model in model/default.

    fp32 by default: on the real seed gold int8 costs span F1 (0.700 -> 0.615); fp32 runs 62-69
    sections/s and 296-333 statements/s on 2 cores; `quantize=True` is ~40 % faster."""
    directory = Path(directory) if directory else DEFAULT_MODEL_DIR
    if not (directory / "nianbao.json").is_file():
        raise ModelError(f"{directory}: 找不到模型（缺少 nianbao.json）")
    return _load(str(directory.resolve()), quantize)


def section_passages(report: Report) -> list[tuple[int, int, str]]:
    """(section number, body start offset, body text) of every free-text section the model reads. With no
    section 5 heading, the problems/remedies text is found by its opening line (`unheaded_passage`)."""
    out = []
    for number in STATEMENT_SECTIONS:
        section = report.section(number)
        if section is None:
            if number == 5 and (found := unheaded_passage(report)) is not None:
                out.append((5, *found))
            continue
        body = report.text[section.body_start : section.end]
        if body.strip():
            out.append((number, section.body_start, body))
    return out


@lru_cache(maxsize=1)
def _line_cues() -> re.Pattern:
    cues = rules.read("sections")["unheaded_problems"]["line_cues"]
    return re.compile("|".join(f"(?:{c})" for c in cues))


def unheaded_passage(report: Report) -> tuple[int, str] | None:
    """(offset, text) from the first line that opens the problems or the plans to section 6 or the end."""
    norm = report.norm or report.text
    six = report.section(6)
    end = six.start if six is not None else len(norm)
    pos = 0
    for line in norm[:end].split("\n"):
        if _line_cues().search(line):
            body = report.text[pos:end].rstrip()
            return (pos, body) if body.strip() else None
        pos += len(line) + 1
    return None


def detect_statements(reports: list[Report], tagger) -> list[Report]:
    """Fill `report.statements` for a batch of reports with one batched model call."""
    jobs = [(r, number, offset, body) for r in reports for number, offset, body in section_passages(r)]
    predictions = tagger.predict([body for _, _, _, body in jobs]) if jobs else []
    for report in reports:
        report.statements = []
    for (report, number, offset, body), preds in zip(jobs, predictions):
        for p in preds:
            report.statements.append(
                Statement(
                    text=body[p.start : p.end],
                    start=offset + p.start,
                    end=offset + p.end,
                    section=number,
                    role=p.role,
                    categories=p.categories,
                    specific=p.specific,
                    status=p.status,
                    confidence=p.confidence,
                )
            )
    return reports
