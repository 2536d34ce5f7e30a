"""Synthetic clause-list passages for training (issue 9, guideline B3 / R-3).

Real section-五 text is mostly short generic clause lists with no markers (信息更新不够及时,公开形式不够丰富;
加强业务培训,规范工作流程,及时更新信息), which the authored corpus rarely has: the shipped model joined
such lists into one statement. This module composes passages from team-written clauses
(`data/corpus/clauses.json`): each clause is one statement with its category; an elaboration continues the
clause before it (B3); lead-ins and a closing 等问题 stay outside every statement (B5). Remedies under
these neutral lead-ins are bare intentions, so their status is `planned` (R-4).
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

CLAUSES_PATH = Path(__file__).resolve().parent.parent / "data" / "corpus" / "clauses.json"
SEPARATORS = [",", "，", ";", "；", "，", ","]
YEARS = range(2015, 2025)
LEVELS = ["市", "县", "区", "乡镇", "街道", "部门"]


def load_clauses(path: Path = CLAUSES_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _block(bank: dict[str, Any], role: str, rng: random.Random, text: list[str], offset: int) -> tuple[list[dict], int]:
    """Append one lead-in + clause list; return its statements and the new offset."""
    lead = rng.choice(bank["lead_in"][role])
    text.append(lead)
    offset += len(lead)
    categories = rng.sample(sorted(bank[role]), rng.choice([2, 2, 3, 3, 4]))
    sep = rng.choice(SEPARATORS)
    statements = []
    for i, cat in enumerate(categories):
        if i:
            text.append(sep)
            offset += len(sep)
        clause = rng.choice(bank[role][cat])
        if rng.random() < 0.15:
            clause += sep + rng.choice(bank["elaboration"][role])
        text.append(clause)
        statements.append({"start": offset, "end": offset + len(clause), "role": role, "categories": [cat],
                           "specific": False, "status": "planned" if role == "remedy" else None})
        offset += len(clause)
    tail = "等问题。" if role == "problem" and rng.random() < 0.2 else "。"
    text.append(tail)
    return statements, offset + len(tail)


def clause_list_passages(n: int, seed: int = 13, bank: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """n passages in project format: a problem list, a remedy list, or both (most often)."""
    bank = bank or load_clauses()
    rng = random.Random(seed)
    out = []
    for k in range(n):
        roles = rng.choice([("problem", "remedy"), ("problem", "remedy"), ("problem",), ("remedy",)])
        text: list[str] = []
        statements: list[dict] = []
        offset = 0
        for role in roles:
            if text and rng.random() < 0.5:
                text.append("\n")
                offset += 1
            got, offset = _block(bank, role, rng, text, offset)
            statements += got
        out.append({"id": f"clauselist-{seed}-{k:04d}", "origin": "authored", "year": rng.choice(YEARS),
                    "level": rng.choice(LEVELS), "section": 5, "style": "prose", "text": "".join(text),
                    "statements": statements})
    return out
