"""Labelled data for training and evaluation: any supported file -> project-format passages.

Formats: the project's JSONL (and the authoring format with `segments`), Label Studio JSON exports,
doccano JSONL exports. Everything goes through Hugging Face `datasets` so large corpora stream.
"""
from __future__ import annotations

import json
from pathlib import Path

from inference.errors import DataError

SPLITS = ("train", "dev", "test")


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def _sniff(path: Path) -> str:
    if path.suffix.lower() == ".json":
        return "label_studio"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                first = json.loads(line)
                break
        else:
            return "empty"
    if "segments" in first:
        return "authoring"
    if "statements" in first:
        return "project"
    if "label" in first or "entities" in first:
        return "doccano"
    raise DataError(f"{path}: 无法识别的标注文件格式（第1行既无 statements/segments 也无 label/entities）")


def load_passages(paths: list[str | Path]) -> list[dict]:
    """Read labelled passages from any supported file, validated; raises DataError listing problems."""
    from training import corpus, importers

    passages: list[dict] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise DataError(f"{path}: 文件不存在")
        kind = _sniff(path)
        if kind == "empty":
            continue
        if kind == "label_studio":
            items = importers.from_label_studio(path)
        elif kind == "doccano":
            items = importers.from_doccano(path)
        elif kind == "authoring":
            items = [corpus.convert_authoring(p) for p in corpus.read_jsonl(path)]
        else:
            items = corpus.read_jsonl(path)
        problems = corpus.validate_passages(items)
        if problems:
            shown = "; ".join(str(p) for p in problems[:10])
            raise DataError(f"{path}: {len(problems)} 处标注错误: {shown}")
        passages.extend(items)
    if any(p.get("origin") == "seed" for p in passages):
        raise DataError("真实种子报告的标注只用于测试，不能用于训练")
    return passages


def as_dataset(passages: list[dict]):
    """Hugging Face Dataset view of passages (text + statements)."""
    from datasets import Dataset

    rows = [{"id": p["id"], "text": p["text"], "statements": json.dumps(p["statements"], ensure_ascii=False)} for p in passages]
    return Dataset.from_list(rows)


def from_dataset(dataset) -> list[dict]:
    return [{"id": r["id"], "text": r["text"], "statements": json.loads(r["statements"])} for r in dataset]


def split_passages(passages: list[dict], splits_file: Path | None = None) -> dict[str, list[dict]]:
    """Frozen split: ids listed in data/corpus/splits.json keep their split; new ids go to train."""
    splits_file = splits_file or repo_root() / "data" / "corpus" / "splits.json"
    assignment: dict[str, str] = {}
    if splits_file.is_file():
        raw = json.loads(splits_file.read_text(encoding="utf-8"))
        assignment = raw.get("assignment", raw)
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for p in passages:
        out[assignment.get(p["id"], "train")].append(p)
    out["all"] = list(passages)
    return out
