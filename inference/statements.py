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
MODEL_FILES = ("nianbao.json", "config.json", "model.safetensors")  # tokenizer files are checked by the loader


@lru_cache(maxsize=4)
def _load(directory: str, quantize: bool, bf16: bool = False):
    from model.tagger import StatementTagger

    return StatementTagger.from_pretrained(directory, quantize=quantize, bf16=bf16 and not quantize)


def native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX-512 BF16 or AMX): only then is bf16 autocast faster."""
    try:
        import torch

        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except Exception:  # noqa: BLE001 - older torch: no way to tell, stay fp32
        return False


def resolve_precision(precision: str | None, int8: bool = False) -> bool:
    """`bf16` / `fp32` / `auto` (bf16 where the CPU has it natively) -> whether to use bf16 autocast."""
    if int8 or precision in (None, "fp32"):
        return False
    if precision == "bf16":
        return True
    if precision == "auto":
        return native_bf16()
    raise ModelError(f"未知的计算精度“{precision}”（可选 fp32、bf16、auto）")


def load_model(directory: str | Path | None = None, quantize: bool = False, bf16: bool = False):
    """Load a statement model once per process (cached); default: the shipped model in model/default.

    fp32 by default: on the real seed gold int8 costs span F1 (0.700 -> 0.615); fp32 runs 62-69
    sections/s and 296-333 statements/s on 2 cores; `quantize=True` is ~40 % faster. `bf16=True` runs the
    encoder under bf16 autocast (benchmarks/precision.py: 98 % of statements identical to fp32, seed and
    authored metrics unchanged).
    A folder that is not a readable model (missing, truncated or tampered files) raises ModelError."""
    directory = Path(directory) if directory else DEFAULT_MODEL_DIR
    if (directory / "model" / "nianbao.json").is_file() and not (directory / "nianbao.json").is_file():
        directory = directory / "model"  # a training run folder (`nianbao train --out RUN`) holds its model in model/
    if not directory.is_dir():
        raise ModelError(f"{directory}: 模型文件夹不存在")
    missing = [n for n in MODEL_FILES if not (directory / n).is_file()]
    if missing:
        raise ModelError(f"{directory}: 不是完整的模型文件夹（缺少 {'、'.join(missing)}）")
    try:
        return _load(str(directory.resolve()), quantize, bf16)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed JSON, truncated weights, shapes that do not fit ...
        raise ModelError(f"{directory}: 模型文件无法加载，可能已损坏或被改动（{type(exc).__name__}: {str(exc)[:200]}）") from exc


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


@lru_cache(maxsize=1)
def _first_line_item() -> re.Pattern:
    return re.compile(rules.read("sections")["unheaded_problems"]["first_line_item"])


def unheaded_passage(report: Report) -> tuple[int, str] | None:
    """(offset, text) from the first line that opens the problems or the plans to section 6 or the end; the
    whole text when it opens inside a list of improvement items (data/sections.json `first_line_item`)."""
    norm = report.norm or report.text
    six = report.section(6)
    end = six.start if six is not None else len(norm)
    first = len(norm[:end]) - len(norm[:end].lstrip())
    start = first if _first_line_item().match(norm[first:end]) else _first_cue_line(norm[:end])
    body = report.text[start:end].rstrip() if start is not None else ""
    return (start, body) if body.strip() else None


def _first_cue_line(text: str) -> int | None:
    """Offset of the first line that opens the problems or the plans (data/sections.json `line_cues`)."""
    pos = 0
    for line in text.split("\n"):
        if _line_cues().search(line):
            return pos
        pos += len(line) + 1
    return None


def capped_passage(body: str, tagger, limit: int) -> tuple[str, int]:
    """`body` cut to the first `limit` model tokens (data/limits.json `max_model_tokens`) and an estimate of
    its whole length in tokens (0 when nothing was cut). Only passages longer than `limit` characters are
    tokenized here: a token never covers less than one character."""
    if len(body) <= limit:
        return body, 0
    tokenizer = getattr(tagger, "tokenizer", None)
    if tokenizer is None:  # a model without a tokenizer: characters stand for tokens
        return body[:limit], len(body)
    head = body[: limit * 3]
    offsets = tokenizer(head, add_special_tokens=False, return_offsets_mapping=True, verbose=False)["offset_mapping"]
    if len(offsets) <= limit and len(head) == len(body):
        return body, 0
    cut = offsets[limit - 1][1] if len(offsets) > limit else len(head)
    return body[:cut], round(len(offsets) * len(body) / max(len(head), 1))


class PassageMemo:
    """The model's statements for passages it has already read, by passage text (at most `size`, least
    recently used dropped). A year's batch repeats passages verbatim: the boilerplate section 六
    (本机关无其他需要报告的事项), and section 五 copied between units of one place. The model reads each once."""

    def __init__(self, size: int = 4096):
        from collections import OrderedDict

        self.size = size
        self._memo: OrderedDict[str, list] = OrderedDict()
        self._tagger = None
        self.hits = self.misses = 0

    def predict(self, tagger, bodies: list[str]) -> list[list]:
        if tagger is not self._tagger:  # another model: what the old one read does not count
            self._memo.clear()
            self._tagger = tagger
        todo = [b for b in dict.fromkeys(bodies) if b not in self._memo]
        for body, preds in zip(todo, tagger.predict(todo) if todo else []):
            self._memo[body] = preds
        out = []
        for body in bodies:
            out.append(self._memo[body])
            self._memo.move_to_end(body)
        self.hits += len(bodies) - len(todo)
        self.misses += len(todo)
        while len(self._memo) > self.size:
            self._memo.popitem(last=False)
        return out


def detect_statements(reports: list[Report], tagger, memo: PassageMemo | None = None) -> list[Report]:
    """Fill `report.statements` for a batch of reports with one batched model call, each distinct passage
    read once (and not again when `memo`, kept across batches, has seen it). A passage longer than the model-token limit is cut, and the report says so in
    `notes`."""
    from inference import limits

    limit = limits.get("max_model_tokens")
    jobs = []
    for r in reports:
        for number, offset, body in section_passages(r):
            body, tokens = capped_passage(body, tagger, limit)
            if tokens:
                note = limits.message("model_truncated", section="五" if number == 5 else "六", tokens=tokens, limit=limit)
                if note not in r.notes:
                    r.notes.append(note)
            jobs.append((r, number, offset, body))
    bodies = [body for _, _, _, body in jobs]
    predictions = (memo or PassageMemo()).predict(tagger, bodies) if jobs else []
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
                    categories=list(p.categories),  # the memo's copy stays as the model gave it
                    specific=p.specific,
                    status=p.status,
                    confidence=p.confidence,
                )
            )
    return reports
