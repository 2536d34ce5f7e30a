"""Labelled passages -> model windows (token BIO labels + span targets)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from model.statement_model import StatementModelConfig, tokenize_windows


@dataclass
class Window:
    input_ids: list[int]
    attention_mask: list[int]
    token_labels: list[int]  # -100 where ignored
    spans: list[dict]  # {"mask": [0/1]*L, "categories": [0/1]*C, "specific": 0/1, "status": 0/1/-1, "role": int}


def passage_windows(passages: list[dict], tokenizer, config: StatementModelConfig) -> list[Window]:
    """Tokenise passages into overlapping windows and attach labels by character offsets."""
    tag_index = {t: i for i, t in enumerate(config.bio_tags)}
    cat_index = {c: i for i, c in enumerate(config.categories)}
    texts = [p["text"] for p in passages]
    enc = tokenize_windows(tokenizer, texts, config)
    windows = []
    for w, sample in enumerate(enc["overflow_to_sample_mapping"]):
        passage = passages[sample]
        offsets = enc["offset_mapping"][w]
        labels = [-100] * len(offsets)
        statements = sorted(passage["statements"], key=lambda s: s["start"])
        token_of: dict[int, list[int]] = {i: [] for i in range(len(statements))}
        for p, (s, e) in enumerate(offsets):
            if e <= s:
                continue
            labels[p] = tag_index["O"]
            for i, st in enumerate(statements):
                # a token belongs to a statement when most of it lies inside the span
                inside = min(e, st["end"]) - max(s, st["start"])
                if inside * 2 >= (e - s) and inside > 0:
                    token_of[i].append(p)
                    break
        spans = []
        for i, st in enumerate(statements):
            positions = token_of[i]
            if not positions:
                continue
            for k, p in enumerate(positions):
                labels[p] = tag_index[("B-" if k == 0 else "I-") + st["role"]]
            # A statement cut by the window edge still teaches BIO, but its B tag would be wrong
            # for a continuation: mark a continuation's first token as I when the span started earlier.
            first_char = offsets[positions[0]][0]
            if first_char > st["start"] + 1 and positions[0] == _first_real(offsets):
                labels[positions[0]] = tag_index["I-" + st["role"]]
            mask = [0] * len(offsets)
            for p in positions:
                mask[p] = 1
            cats = [0] * len(config.categories)
            for c in st.get("categories") or []:
                if c in cat_index:
                    cats[cat_index[c]] = 1
            status = st.get("status")
            spans.append(
                {
                    "mask": mask,
                    "categories": cats,
                    "has_categories": 1 if st["role"] in ("problem", "remedy") else 0,
                    "specific": 1 if st.get("specific") else 0,
                    "status": 1 if status == "done" else (0 if status == "planned" else -1),
                }
            )
        windows.append(Window(enc["input_ids"][w], enc["attention_mask"][w], labels, spans))
    return windows


def _first_real(offsets) -> int:
    return next((p for p, (s, e) in enumerate(offsets) if e > s), 0)


def collate(windows: list[Window], pad_id: int = 0) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest window (windows are not pre-padded: most passages are short)."""
    length = max(len(w.input_ids) for w in windows)

    def pad(seq, value):
        return list(seq) + [value] * (length - len(seq))

    batch = {
        "input_ids": torch.tensor([pad(w.input_ids, pad_id) for w in windows]),
        "attention_mask": torch.tensor([pad(w.attention_mask, 0) for w in windows]),
        "token_labels": torch.tensor([pad(w.token_labels, -100) for w in windows]),
    }
    span_index, masks, cats, has_cats, specific, status = [], [], [], [], [], []
    for row, w in enumerate(windows):
        for sp in w.spans:
            span_index.append(row)
            masks.append(pad(sp["mask"], 0))
            cats.append(sp["categories"])
            has_cats.append(sp["has_categories"])
            specific.append(sp["specific"])
            status.append(sp["status"])
    if span_index:
        batch.update(
            span_index=torch.tensor(span_index),
            span_mask=torch.tensor(masks, dtype=torch.float),
            span_categories=torch.tensor(cats, dtype=torch.float),
            span_has_categories=torch.tensor(has_cats, dtype=torch.float),
            span_specific=torch.tensor(specific, dtype=torch.float),
            span_status=torch.tensor(status, dtype=torch.float),
        )
    return batch
