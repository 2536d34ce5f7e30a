"""Label revisions after the agreement study, shared by both writers' compose.py.

The rules are data (``revisions.json``); each key names the ANNOTATION.md rule it applies.
``revise(passage, self_names)`` works on one authoring-format passage (``segments`` list) and
never changes the passage text: it only moves span edges, relabels or unlabels spans, and merges
adjacent spans. It returns a Counter of what it changed (for the compose scripts' summary line).
Applied as the last step so that the random composition (and therefore every id and text) stays
exactly as before the revision.

``revise_status(record)`` applies ANNOTATION.md §12 R-4 (status with no completion cue) to one
written record: it needs the passage id, so the compose scripts call it after numbering. It only
turns listed ``done`` remedies into ``planned``; ``check_status_applied`` fails when a listed
passage was never seen (an id drift would otherwise go unnoticed).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

RULES = json.loads((Path(__file__).resolve().parent / "revisions.json").read_text(encoding="utf-8"))
OPENERS = [re.compile(p) for p in RULES["B6_openers"]]
SELF_GENERIC = re.compile(RULES["B6_self_generic"] + RULES["B6_self_modal"])
PLEDGES = [re.compile(p) for p in RULES["B5_pledges"]]
OUTCOMES = [re.compile(p) for p in RULES["S6_outcome_claims"]]
ZERO = re.compile(RULES["S5_zero_fact"])
NOT_COUNTING = [re.compile(p) for p in RULES["S5_not_counting"]]
HELD = re.compile(RULES["S5_held_event"])
HELD_NOT = re.compile(RULES["S5_held_event_not"])
CAT_FIXES = [dict(r, when=re.compile(r["when"])) for r in RULES["S4_category_fixes"]]
ONE_FACT = re.compile(RULES["B8_merge_one_fact"])
R4_PLANNED = {k: v for k, v in RULES["R4_status_planned"].items() if not k.startswith("_")}
MIN_LEFT = 4  # never shrink a span below this many characters


def self_modal_re(names: list[str]) -> re.Pattern:
    alts = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.compile(f"^(?:{alts}){RULES['B6_self_modal']}") if alts else SELF_GENERIC


def _labelled(s: dict) -> bool:
    return "role" in s


def _merge(segs: list[dict]) -> list[dict]:
    out: list[dict] = []
    for s in segs:
        if not _labelled(s):
            if not s["text"]:
                continue
            if out and not _labelled(out[-1]):
                out[-1] = {"text": out[-1]["text"] + s["text"]}
                continue
        out.append(s)
    return out


def _zero_only(text: str) -> bool:
    rest = text
    for r in NOT_COUNTING:
        rest = r.sub("", rest)
    return not re.search(r"\d|《|“", rest)


def revise(p: dict, self_names_re: re.Pattern) -> Counter:
    n: Counter = Counter()
    segs: list[dict] = []
    for s in p["segments"]:
        if not _labelled(s):
            segs.append(s)
            continue
        s = dict(s)
        t = s["text"]
        # §4: category fixes that are data errors against existing rules
        for fx in CAT_FIXES:
            if s["role"] == fx["role"] and fx["when"].search(t) and set(fx["drop"]) & set(s["categories"]):
                cats = [c for c in s["categories"] if c not in fx["drop"]]
                cats += [c for c in fx["add"] if c not in cats]
                s["categories"] = cats
                n["category"] += 1
        # §3: a bare result claim is `other`, not a remedy
        if s["role"] == "remedy" and any(r.search(t) for r in OUTCOMES):
            s.update(role="other", categories=[], specific=False)
            s.pop("status", None)
            n["outcome_to_other"] += 1
        # §5: zero / negative facts are not specific on their own; held events are
        if s["specific"] and ZERO.search(t) and _zero_only(t):
            s["specific"] = False
            n["zero_not_specific"] += 1
        elif (not s["specific"] and HELD.search(t) and not HELD_NOT.search(t)
              and (s["role"] == "other" or s.get("status") == "done")):
            s["specific"] = True
            n["held_event_specific"] += 1
        # B6: discourse openers, self-reference + modal are connective
        moved = ""
        changed = True
        while changed:
            changed = False
            for r in OPENERS + [self_names_re, SELF_GENERIC]:
                m = r.match(t)
                if m and m.end() and len(t) - m.end() >= MIN_LEFT:
                    moved, t, changed = moved + m.group(0), t[m.end():], True
                    break
        if moved:
            s["text"] = t
            segs.append({"text": moved})
            n["start_moved"] += 1
        segs.append(s)
    # B5: closing pledges are connective (keep at least one statement)
    for i, s in enumerate(segs):
        if (_labelled(s) and s["role"] == "other" and any(r.search(s["text"]) for r in PLEDGES)
                and sum(_labelled(x) for x in segs) > 1):
            segs[i] = {"text": s["text"]}
            n["pledge_unlabelled"] += 1
    segs = _merge(segs)
    # B8: the proposal-handling report is one statement, even across clauses
    if p["section"] in (1, 6):
        i = 0
        while i + 2 < len(segs):
            a, c, b = segs[i], segs[i + 1], segs[i + 2]
            if (_labelled(a) and _labelled(b) and not _labelled(c) and a["role"] == b["role"] == "other"
                    and c["text"] in ("，", "；", "。") and ONE_FACT.search(a["text"]) and ONE_FACT.search(b["text"])):
                a = dict(a, text=a["text"] + c["text"] + b["text"], specific=a["specific"] or b["specific"])
                segs[i:i + 3] = [a]
                n["one_fact_merged"] += 1
                continue
            i += 1
    p["segments"] = segs
    return n


def revise_status(rec: dict) -> Counter:
    """R-4: listed remedies of passage ``rec["id"]`` go from ``done`` to ``planned`` (text unchanged)."""
    n: Counter = Counter()
    want = list(R4_PLANNED.get(rec["id"], []))
    if not want:
        return n
    for s in rec["segments"]:
        if s.get("role") == "remedy" and s["text"] in want:
            if s.get("status") != "done":
                raise ValueError(f"{rec['id']}: R-4 statement is not done: {s['text']!r}")
            s["status"] = "planned"
            want.remove(s["text"])
            n["r4_done_to_planned"] += 1
    if want:
        raise ValueError(f"{rec['id']}: R-4 statements not found: {want}")
    return n


def check_status_applied(prefix: str, ids: set[str]) -> None:
    """Every R-4 passage of this writer (id prefix) must have been written."""
    missing = sorted(k for k in R4_PLANNED if k.startswith(prefix) and k not in ids)
    if missing:
        raise ValueError(f"R-4 passages not in the output: {missing}")
