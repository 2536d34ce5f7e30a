"""Shared fixtures for the scoring / batch / outputs tests.

- `FixedTagger`: a test double for the statement model. `predict(texts)` cuts every passage into equal
  chunks and labels them with a plan you control, so rubric tests do not depend on a trained model.
- `tiny_model_dir` (session): a tiny random-config BERT statement model trained for a few steps on a
  handful of authored passages and saved to a tmp dir. Nothing is downloaded; it only has to run.
- Helpers to mutate a report's loaded text and re-run the parser stages after `load` (so binary
  samples can be mutated too), plus sample-file helpers for building batches.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "data" / "samples"
SAMPLE_SUFFIXES = {".txt", ".html", ".docx", ".pdf"}
EXPECTED = json.loads((SAMPLES_DIR / "expected.json").read_text(encoding="utf-8"))["samples"]
SAMPLE_NAMES = sorted(p.name for p in SAMPLES_DIR.iterdir() if p.suffix in SAMPLE_SUFFIXES and p.name in EXPECTED)
TEXT_SAMPLES = [n for n in SAMPLE_NAMES if EXPECTED[n]["kind"] == "txt" and EXPECTED[n].get("encoding", "utf-8") == "utf-8"]


# -- statement-model test double -------------------------------------------------------------------------
# (role, categories, specific, status)
GOOD_PLAN = [
    ("problem", ["P03"], True, None),
    ("problem", ["P06"], True, None),
    ("remedy", ["R06"], True, "done"),
    ("remedy", ["R02"], True, "done"),
]


class FixedTagger:
    """`predict(texts)`: every passage is cut into len(plan) equal chunks, chunk i labelled plan[i]."""

    def __init__(self, plan=None):
        self.plan = list(GOOD_PLAN if plan is None else plan)
        self.calls = 0

    def predict(self, texts):
        from model.tagger import PredictedStatement

        self.calls += 1
        out = []
        for text in texts:
            preds = []
            n = len(self.plan)
            if n and len(text.strip()) >= 2 * n:
                step = len(text) // n
                for i, (role, cats, specific, status) in enumerate(self.plan):
                    s, e = i * step, (i + 1) * step if i < n - 1 else len(text)
                    while s < e and text[s].isspace():
                        s += 1
                    while e > s and text[e - 1].isspace():
                        e -= 1
                    if e - s >= 2:
                        preds.append(PredictedStatement(s, e, role, list(cats), specific, status, 0.99))
            out.append(preds)
        return out


@pytest.fixture
def fixed_tagger():
    return FixedTagger


# -- tiny trained model ----------------------------------------------------------------------------------
def _authored(n: int) -> list[dict]:
    rows = []
    with (ROOT / "data" / "corpus" / "authored.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                if r.get("statements"):
                    rows.append({"id": r["id"], "text": r["text"], "statements": r["statements"]})
            if len(rows) >= n:
                break
    return rows


def build_tiny_model(out: Path, passages: int = 16, epochs: int = 2) -> Path:
    """Char-level WordPiece tokenizer + 1-layer BERT (hidden 32), trained `epochs` on a few passages."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from training.data import taxonomy_categories
    from training.train import train

    data = _authored(passages)
    chars = set()
    for r in data:
        chars.update(r["text"])
    for name in SAMPLE_NAMES:
        if name.endswith(".txt"):
            chars.update(SAMPLES_DIR.joinpath(name).read_bytes().decode("utf-8", errors="ignore"))
    chars = sorted(c for c in chars if not c.isspace())
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars
    tok = BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, tokenize_chinese_chars=True, do_lower_case=False)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128, pad_token_id=tok.pad_token_id)
    base = out / "base"
    BertModel(config).save_pretrained(base)
    tok.save_pretrained(base)
    model_dir, _ = train(data, [], str(base), out / "run", taxonomy_categories(), epochs=epochs, batch_size=8,
                         lr=1e-3, max_length=128, freeze_embeddings=False, log=lambda m: None)
    return model_dir


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return build_tiny_model(tmp_path_factory.mktemp("tiny_model"))


# -- loading, mutating and re-parsing reports ------------------------------------------------------------
@lru_cache(maxsize=None)
def _loaded(name: str):
    from inference.loaders import load

    return load(SAMPLES_DIR / name)


def loaded(name: str):
    """A fresh copy of the sample as loaded (text + raw tables), before any parsing stage."""
    return copy.deepcopy(_loaded(name))


def parse_loaded(report):
    """Run every stage after `load` (clean onwards) on a loaded report."""
    from inference.pipeline import reader

    report = reader().read(report)
    return report


@lru_cache(maxsize=None)
def _parsed(name: str):
    return parse_loaded(loaded(name))


def parsed(name: str):
    return copy.deepcopy(_parsed(name))


def edit(report, start: int, end: int, new: str) -> None:
    """Replace report.text[start:end] with `new` in a loaded (unparsed) report, keeping the loader's raw
    tables consistent: cells after the edit shift, a cell containing the edit gets its text rewritten."""
    delta = len(new) - (end - start)
    report.text = report.text[:start] + new + report.text[end:]
    for table in report.raw_tables:
        for row in table.cells:
            for c in row:
                if c.start >= end:
                    c.start += delta
                    c.end += delta
                elif c.start <= start and end <= c.end:
                    c.end += delta
                    if not c.spanned:
                        c.text = report.text[c.start:c.end]
        if table.start >= end:
            table.start += delta
        if table.end >= end:
            table.end += delta


def edits(report, changes: list[tuple[int, int, str]]) -> None:
    """Several non-overlapping edits, applied from the last to the first so offsets stay valid."""
    for start, end, new in sorted(changes, key=lambda c: -c[0]):
        edit(report, start, end, new)


def edits_everywhere(report, changes: list[tuple[int, int, str]], ctx: int = 24) -> None:
    """Like `edits`, but each change is also made wherever the same passage occurs again (pages that
    repeat the whole report: the cleaner only blanks a copy while it is still identical)."""
    text = report.text
    spans = set()
    for start, end, new in changes:
        a, b = max(0, start - ctx), min(len(text), end + ctx)
        windows = [(text[a:b], a)]
        if end - start >= 30:  # a long passage is its own context
            windows.append((text[start:end], start))
        for window, origin in windows:
            for m in re.finditer(re.escape(window), text):
                shift = m.start() - origin
                spans.add((start + shift, end + shift, new))
    spans = sorted(spans)
    for (s1, e1, _), (s2, e2, _) in zip(spans, spans[1:]):
        assert e1 <= s2 and not (s1 == e1 == s2), "overlapping edits"
    edits(report, spans)


def replace_all(report, old: str, new: str) -> int:
    spans = [(m.start(), m.end(), new) for m in re.finditer(re.escape(old), report.text)]
    edits(report, spans)
    return len(spans)


# -- sample files for batches ----------------------------------------------------------------------------
def copy_sample(name: str, dest: Path, marker: str | None = None, replace: dict[str, str] | None = None) -> Path:
    """Copy a text/html sample to `dest`, optionally replacing strings and appending a marker line (so
    the copy's digest differs). Binary samples are copied as they are."""
    src = SAMPLES_DIR / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix in (".docx", ".pdf"):
        shutil.copyfile(src, dest)
        return dest
    enc = EXPECTED[name].get("encoding", "utf-8")
    text = src.read_bytes().decode(enc)
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    if marker:
        text = text.rstrip("\n") + f"\n{marker}\n" if src.suffix == ".txt" else text.replace("</body>", f"<p>{marker}</p></body>")
    dest.write_bytes(text.encode(enc))
    return dest


def make_bad_files(folder: Path) -> dict[str, Path]:
    """Files that must end up in `errors`: empty, binary junk, a corrupt .docx, an unsupported type."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "empty": folder / "empty.txt",
        "binary": folder / "junk.txt",
        "corrupt": folder / "broken.docx",
        "unsupported": folder / "table.xls",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 40 + b"\x00\x01\x02" * 500)
    files["corrupt"].write_bytes(b"PK\x03\x04" + b"\x00garbage" * 200)
    files["unsupported"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    return files


# -- one scored batch shared by the batch and output tests ----------------------------------------------
@pytest.fixture(scope="session")
def sample_batch(tmp_path_factory):
    """score_batch over every sample + a folder of bad files + an unsupported file named explicitly,
    with the FixedTagger (deterministic statements). Returns (BatchResult, bad files, out dir)."""
    from inference.batch import score_batch

    root = tmp_path_factory.mktemp("sample_batch")
    bad = make_bad_files(root / "bad")
    unsupported = bad.pop("unsupported")
    # inside a folder an unsupported extension is ignored; named explicitly it must be reported
    paths = [SAMPLES_DIR, root / "bad", unsupported]
    out = root / "out"
    result = score_batch(paths, out, rubric=None, model=FixedTagger(), progress=False)
    return result, {**bad, "unsupported": unsupported}, out
