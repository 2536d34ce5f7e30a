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


def _is_doccano(path: Path) -> bool:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                first = json.loads(line)
                return isinstance(first, dict) and "statements" not in first and "segments" not in first and (
                    "label" in first or "entities" in first)
    return False


def load_passages(paths: list[str | Path]) -> list[dict]:
    """Read labelled passages (validated) from the project's JSONL (or authoring format), Label Studio JSON
    exports and doccano JSONL exports. JSONL goes through Hugging Face `datasets`; raises DataError on
    any problem, listing them."""
    from training import corpus, importers

    passages: list[dict] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise DataError(f"{path}: 文件不存在")
        if path.suffix.lower() == ".json" or _is_doccano(path):
            importer = importers.import_labelstudio if path.suffix.lower() == ".json" else importers.import_doccano
            records, issues = importer(path)
            if issues:
                raise DataError(f"{path}: {len(issues)} 处标注错误: " + "; ".join(map(str, issues[:10])))
            passages.extend(records)
        else:
            dataset = corpus.load_dataset([path])
            passages.extend({**row, "statements": list(row["statements"])} for row in dataset)
    if any(p.get("origin") == "seed" for p in passages):
        raise DataError("真实种子报告的标注只用于测试，不能用于训练")
    return passages


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


def taxonomy_categories() -> list[str]:
    """Every category key of data/taxonomy.json (problems and remedies), sorted."""
    from inference import rules

    return sorted(rules.categories())
