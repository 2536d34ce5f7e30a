"""Labelled statement corpus: formats, validation, conversion, de-duplication, frozen splits,
loading for training, seed gold and inter-annotator agreement.

Three on-disk formats (one JSON object per line):

* project format (data/corpus/authored.jsonl, importers' output)::

    {"id", "origin": "authored"|"seed", "year", "level", "section": 1|5|6, "text", "style",
     "statements": [{"start", "end", "role", "categories", "specific", "status"}]}

  Offsets are Python string indices into `text` (end exclusive). `status` is null except for
  remedies. Optional passage fields: `source`, `note`; optional statement fields: `text` (must
  equal text[start:end]), `note`.

* authoring format (data/corpus/src/*.jsonl): the same passage metadata, but instead of `text`
  and `statements` a list of `segments` ({"text"} = connective text, or {"text", "role",
  "categories", "specific", "status"} = a statement). `convert_authoring` concatenates them.

* gold format (data/gold/seeds.jsonl): offsets only, into a seed FILE read at run time
  (`source`, `passage_start`, `passage_end`; statement offsets are absolute file offsets), so
  that no seed text is stored in the repository. `load_gold` turns it into project format.

The validator never repairs anything: it reports every problem with file, line, field and a
stable code, and callers refuse to go on when there is any.
"""
from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from inference.chinese import ENUM_MARKER_AT_START
from inference.errors import DataError

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "data"
TAXONOMY_PATH = DATA_DIR / "taxonomy.json"
SRC_DIR = DATA_DIR / "corpus" / "src"
AUTHORED_PATH = DATA_DIR / "corpus" / "authored.jsonl"
SPLITS_PATH = DATA_DIR / "corpus" / "splits.json"
GOLD_PATH = DATA_DIR / "gold" / "seeds.jsonl"
AGREEMENT_DIR = DATA_DIR / "agreement"
CARD_PATH = DATA_DIR / "README.md"
DEFAULT_SEEDS_DIR = REPO.parent / "shared" / "seeds"

SPLIT_RATIOS: dict[str, float] = {"train": 0.8, "dev": 0.1, "test": 0.1}
SPLIT_SEED = 20240601
DEDUP_THRESHOLD = 0.8  # character 5-gram Jaccard between passage texts
DEDUP_NGRAM = 5
DEDUP_NUM_PERM = 128

PROJECT_REQUIRED = ("id", "origin", "year", "level", "section", "text", "style", "statements")
PROJECT_OPTIONAL = ("source", "note")
AUTHORING_REQUIRED = ("id", "year", "level", "section", "style", "segments")
AUTHORING_OPTIONAL = ("origin", "source", "note")
GOLD_REQUIRED = ("id", "origin", "source", "year", "level", "section", "style",
                 "passage_start", "passage_end", "statements")
GOLD_OPTIONAL = ("note",)
STATEMENT_REQUIRED = ("start", "end", "role", "categories", "specific", "status")
STATEMENT_OPTIONAL = ("text", "note")
SEGMENT_LABEL_FIELDS = ("role", "categories", "specific", "status")
SEGMENT_OPTIONAL = ("note",)

# Guideline rules that can be checked mechanically (ANNOTATION.md §2).
EDGE_PUNCT = set("。；;，,、：:！!？?")
MARKER_RE = ENUM_MARKER_AT_START


# --------------------------------------------------------------------------- taxonomy


@dataclass(frozen=True)
class Taxonomy:
    problems: dict[str, dict[str, Any]]
    remedies: dict[str, dict[str, Any]]
    roles: dict[str, dict[str, Any]]
    statuses: tuple[str, ...]
    sections: tuple[int, ...]
    levels: tuple[str, ...]
    styles: tuple[str, ...]
    style_aliases: dict[str, str]
    origins: tuple[str, ...]
    year_range: tuple[int, int]

    @property
    def categories(self) -> dict[str, dict[str, Any]]:
        return {**self.problems, **self.remedies}

    def pairs(self) -> dict[str, list[str]]:
        return {k: list(v.get("remedies", [])) for k, v in self.problems.items()}

    def canonical_style(self, style: str) -> str:
        """Style name as used in the corpus; documented aliases (taxonomy.json) map to it."""
        return self.style_aliases.get(style, style)

    def role_of_category(self, key: str) -> str | None:
        if key in self.problems:
            return "problem"
        if key in self.remedies:
            return "remedy"
        return None


@lru_cache(maxsize=8)
def load_taxonomy(path: str | Path = TAXONOMY_PATH) -> Taxonomy:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"无法读取分类体系文件 {path}: {exc}") from exc
    return Taxonomy(
        problems=raw["problems"],
        remedies=raw["remedies"],
        roles=raw["roles"],
        statuses=tuple(raw["statuses"]),
        sections=tuple(raw["sections"]),
        levels=tuple(raw["levels"]),
        styles=tuple(raw["styles"]),
        style_aliases=dict(raw.get("style_aliases", {})),
        origins=tuple(raw["origins"]),
        year_range=(int(raw["year_range"][0]), int(raw["year_range"][1])),
    )


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Issue:
    path: str
    line: int
    field: str
    code: str  # stable, English
    message: str  # Chinese, user-facing

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: [{self.code}] {self.message}"


def read_jsonl(path: str | Path) -> Iterator[tuple[int, Any, str | None]]:
    """Yield (line number, parsed object or None, JSON error or None); blank lines are skipped."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line), None
            except ValueError as exc:
                yield lineno, None, str(exc)


def detect_format(obj: dict[str, Any]) -> str:
    if "segments" in obj:
        return "authoring"
    if "passage_start" in obj or "passage_end" in obj:
        return "gold"
    return "project"


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; directories contribute their *.jsonl files (not recursive), sorted."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.glob("*.jsonl") if q.is_file()))
        else:
            out.append(p)
    return out


# --------------------------------------------------------------------------- validation


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Checker:
    """Collects issues for one record."""

    def __init__(self, path: str, line: int, tax: Taxonomy):
        self.path, self.line, self.tax = path, line, tax
        self.issues: list[Issue] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.issues.append(Issue(self.path, self.line, field, code, message))

    # -- passage metadata
    def fields(self, obj: dict, required: tuple[str, ...], optional: tuple[str, ...], prefix: str = "") -> None:
        for f in required:
            if f not in obj:
                self.add(prefix + f, "missing_field", "缺少必填字段")
        for f in obj:
            if f not in required and f not in optional:
                self.add(prefix + f, "unknown_field", "未知字段")

    def meta(self, obj: dict) -> None:
        tax = self.tax
        if "id" in obj:
            v = obj["id"]
            if not isinstance(v, str) or not v.strip() or v != v.strip() or any(c.isspace() for c in v):
                self.add("id", "bad_id", f"id 须为不含空白的非空字符串，实际为 {v!r}")
        if "origin" in obj and obj["origin"] not in tax.origins:
            self.add("origin", "bad_origin", f"origin 须为 {'/'.join(tax.origins)}，实际为 {obj['origin']!r}")
        if "year" in obj:
            v = obj["year"]
            lo, hi = tax.year_range
            if not _is_int(v):
                self.add("year", "bad_year", f"year 须为整数，实际为 {v!r}")
            elif not lo <= v <= hi:
                self.add("year", "bad_year", f"year 超出范围 {lo}–{hi}：{v}")
        if "level" in obj and obj["level"] not in tax.levels:
            self.add("level", "bad_level", f"level 须为 {'/'.join(tax.levels)} 之一，实际为 {obj['level']!r}")
        if "section" in obj and (not _is_int(obj["section"]) or obj["section"] not in tax.sections):
            self.add("section", "bad_section",
                     f"section 须为 {'/'.join(map(str, tax.sections))} 之一，实际为 {obj['section']!r}")
        if "style" in obj and (not isinstance(obj["style"], str)
                               or tax.canonical_style(obj["style"]) not in tax.styles):
            self.add("style", "bad_style", f"style 须为 {'/'.join(tax.styles)} 之一（或别名 "
                     f"{'/'.join(tax.style_aliases)}），实际为 {obj['style']!r}")
        if "source" in obj and (not isinstance(obj["source"], str) or not obj["source"]):
            self.add("source", "bad_source", "source 须为非空字符串")

    # -- statement labels (shared by all formats)
    def labels(self, st: dict, prefix: str, status_key_required: bool) -> None:
        tax = self.tax
        role = st.get("role")
        if role not in tax.roles:
            self.add(prefix + "role", "unknown_role", f"未知 role：{role!r}（应为 problem/remedy/other）")
            role = None
        cats = st.get("categories")
        if "categories" in st:
            if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
                self.add(prefix + "categories", "bad_categories", f"categories 须为字符串列表，实际为 {cats!r}")
            else:
                if len(set(cats)) != len(cats):
                    self.add(prefix + "categories", "duplicate_category", f"categories 有重复：{cats}")
                for c in cats:
                    crole = tax.role_of_category(c)
                    if crole is None:
                        self.add(prefix + "categories", "unknown_category", f"未知类别：{c!r}")
                    elif role is not None and crole != role:
                        self.add(prefix + "categories", "category_role_mismatch",
                                 f"类别 {c} 属于 {crole}，与 role={role} 不符")
                if role is not None:
                    need = tax.roles[role].get("min_categories", 0)
                    if role == "other" and cats:
                        pass  # already reported as category_role_mismatch / unknown_category
                    elif len(cats) < need:
                        self.add(prefix + "categories", "missing_category", f"role={role} 至少需要 {need} 个类别")
        if "specific" in st and not isinstance(st["specific"], bool):
            self.add(prefix + "specific", "bad_specific", f"specific 须为 true/false，实际为 {st['specific']!r}")
        status = st.get("status")
        if role == "remedy":
            if status is None:
                if "status" in st or not status_key_required:
                    self.add(prefix + "status", "remedy_without_status", "改进措施缺少 status（done/planned）")
            elif status not in tax.statuses:
                self.add(prefix + "status", "bad_status", f"status 须为 done/planned，实际为 {status!r}")
        elif role is not None and status is not None:
            self.add(prefix + "status", "status_on_non_remedy", f"role={role} 不应有 status（应为 null）")

    # -- span text rules
    def span_text(self, span: str, prefix: str) -> None:
        if not span.strip():
            self.add(prefix + "text", "empty_span", "语句范围内只有空白")
            return
        if span != span.strip():
            self.add(prefix + "text", "span_whitespace", f"语句首尾含空白：{span[:12]!r}…{span[-12:]!r}")
        if span[-1] in EDGE_PUNCT or span[0] in EDGE_PUNCT:
            self.add(prefix + "text", "span_punctuation", f"语句首尾含标点（应排除）：{span[:8]!r}…{span[-8:]!r}")
        if MARKER_RE.match(span):
            self.add(prefix + "text", "span_marker", f"语句以列举序号开头（序号应排除）：{span[:8]!r}")

    def statements(self, stmts: Any, text: str | None, base: int = 0, limit: tuple[int, int] | None = None) -> None:
        """Project/gold statements. `text` is the string offsets point into (None = unknown);
        `limit` is the allowed [lo, hi] range (defaults to [0, len(text)])."""
        if not isinstance(stmts, list):
            self.add("statements", "bad_statements", "statements 须为列表")
            return
        if limit is None and text is not None:
            limit = (0, len(text))
        spans: list[tuple[int, int, int]] = []
        for i, st in enumerate(stmts):
            p = f"statements[{i}]."
            if not isinstance(st, dict):
                self.add(f"statements[{i}]", "bad_statement", "语句须为 JSON 对象")
                continue
            self.fields(st, STATEMENT_REQUIRED, STATEMENT_OPTIONAL, p)
            self.labels(st, p, status_key_required=True)
            s, e = st.get("start"), st.get("end")
            ok = True
            for name, v in (("start", s), ("end", e)):
                if name in st and not _is_int(v):
                    self.add(p + name, "bad_offset", f"{name} 须为整数，实际为 {v!r}")
                    ok = False
            if not ok or s is None or e is None:
                continue
            if s >= e:
                self.add(p + "start", "start_ge_end", f"start({s}) 须小于 end({e})")
                continue
            if limit is not None and (s < limit[0] or e > limit[1]):
                self.add(p + "end" if e > limit[1] else p + "start", "offset_out_of_range",
                         f"范围 [{s},{e}) 超出文本范围 [{limit[0]},{limit[1]})")
                continue
            spans.append((s, e, i))
            if text is not None:
                span = text[s - base : e - base]
                self.span_text(span, p)
                if "text" in st and st["text"] != span:
                    self.add(p + "text", "text_mismatch", f"text 与 [start,end) 处原文不一致：{span[:20]!r}")
        spans.sort()
        for (s1, e1, i1), (s2, e2, i2) in zip(spans, spans[1:]):
            if s2 < e1:
                self.add(f"statements[{i2}]", "overlap", f"与 statements[{i1}] 重叠：[{s1},{e1}) 与 [{s2},{e2})")


def validate_record(obj: Any, path: str, line: int, tax: Taxonomy | None = None,
                    seeds_dir: str | Path | None = None) -> list[Issue]:
    """All issues of one parsed JSONL record (any of the three formats)."""
    tax = tax or load_taxonomy()
    c = _Checker(path, line, tax)
    if not isinstance(obj, dict):
        c.add("(record)", "bad_record", "每行须为一个 JSON 对象")
        return c.issues
    fmt = detect_format(obj)
    if fmt == "authoring":
        c.fields(obj, AUTHORING_REQUIRED, AUTHORING_OPTIONAL)
        c.meta(obj)
        segs = obj.get("segments")
        if "segments" in obj and (not isinstance(segs, list) or not segs):
            c.add("segments", "bad_segments", "segments 须为非空列表")
        elif isinstance(segs, list):
            total = ""
            for j, seg in enumerate(segs):
                p = f"segments[{j}]."
                if not isinstance(seg, dict):
                    c.add(f"segments[{j}]", "bad_segment", "片段须为 JSON 对象")
                    continue
                c.fields(seg, ("text",), SEGMENT_LABEL_FIELDS + SEGMENT_OPTIONAL, p)
                t = seg.get("text")
                if "text" in seg and (not isinstance(t, str) or not t):
                    c.add(p + "text", "empty_text", "片段 text 须为非空字符串")
                    t = None
                if isinstance(t, str):
                    total += t
                labelled = [f for f in SEGMENT_LABEL_FIELDS if f in seg]
                if labelled and "role" not in seg:
                    c.add(p + "role", "missing_field", f"有标注字段 {labelled} 但缺少 role")
                elif "role" in seg:
                    for f in ("categories", "specific"):
                        if f not in seg:
                            c.add(p + f, "missing_field", "语句片段缺少必填字段")
                    c.labels(seg, p, status_key_required=False)
                    if isinstance(t, str):
                        c.span_text(t, p)
            if not total.strip():
                c.add("segments", "empty_text", "拼接后的正文为空")
    elif fmt == "gold":
        c.fields(obj, GOLD_REQUIRED, GOLD_OPTIONAL)
        c.meta(obj)
        ps, pe = obj.get("passage_start"), obj.get("passage_end")
        if not (_is_int(ps) and _is_int(pe)):
            c.add("passage_start", "bad_offset", f"passage_start/passage_end 须为整数：{ps!r}, {pe!r}")
            return c.issues
        if ps < 0 or ps >= pe:
            c.add("passage_start", "start_ge_end", f"passage_start({ps}) 须小于 passage_end({pe}) 且非负")
            return c.issues
        file_text = None
        src = obj.get("source")
        if seeds_dir is not None and Path(seeds_dir).is_dir() and isinstance(src, str) and src:
            f = Path(seeds_dir) / src
            if f.is_file():
                file_text = f.read_text(encoding="utf-8")
                if pe > len(file_text):
                    c.add("passage_end", "offset_out_of_range", f"passage_end({pe}) 超出文件长度 {len(file_text)}")
                    return c.issues
                if not file_text[ps:pe].strip():
                    c.add("passage_start", "empty_text", "段落范围内为空")
            else:
                c.add("source", "missing_source", f"找不到样本文件 {f}")
        c.statements(obj.get("statements"), file_text, 0, (ps, pe))
    else:
        c.fields(obj, PROJECT_REQUIRED, PROJECT_OPTIONAL)
        c.meta(obj)
        text = obj.get("text")
        if "text" in obj and (not isinstance(text, str) or not text.strip()):
            c.add("text", "empty_text", "text 须为非空字符串")
            text = text if isinstance(text, str) else None
        if "statements" in obj:
            c.statements(obj["statements"], text)
    return c.issues


def validate_paths(paths: Iterable[str | Path], seeds_dir: str | Path | None = None,
                   tax: Taxonomy | None = None) -> tuple[list[Issue], int]:
    """Validate files (dirs expand to *.jsonl). Returns (issues, number of records read).
    Duplicate ids are checked across all the given files."""
    tax = tax or load_taxonomy()
    issues: list[Issue] = []
    seen: dict[str, tuple[str, int]] = {}
    n = 0
    for path in expand_paths(paths):
        sp = str(path)
        if not path.is_file():
            issues.append(Issue(sp, 0, "(file)", "missing_file", "文件不存在"))
            continue
        try:
            rows = list(read_jsonl(path))
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(Issue(sp, 0, "(file)", "unreadable", f"无法以 UTF-8 读取：{exc}"))
            continue
        for line, obj, err in rows:
            n += 1
            if err is not None:
                issues.append(Issue(sp, line, "(json)", "bad_json", f"JSON 解析失败：{err}"))
                continue
            issues.extend(validate_record(obj, sp, line, tax, seeds_dir))
            pid = obj.get("id") if isinstance(obj, dict) else None
            if isinstance(pid, str):
                if pid in seen:
                    p0, l0 = seen[pid]
                    issues.append(Issue(sp, line, "id", "duplicate_id", f"id {pid!r} 与 {p0}:{l0} 重复"))
                else:
                    seen[pid] = (sp, line)
    return issues, n


# --------------------------------------------------------------------------- conversion


def convert_authoring(obj: dict[str, Any]) -> dict[str, Any]:
    """Authoring record -> project record. Assumes the record validated."""
    parts: list[str] = []
    statements: list[dict[str, Any]] = []
    pos = 0
    for seg in obj["segments"]:
        t = seg["text"]
        if "role" in seg:
            role = seg["role"]
            statements.append({
                "start": pos,
                "end": pos + len(t),
                "role": role,
                "categories": list(seg.get("categories", [])),
                "specific": seg.get("specific"),
                "status": seg.get("status"),
            })
        parts.append(t)
        pos += len(t)
    out = {
        "id": obj["id"],
        "origin": obj.get("origin", "authored"),
        "year": obj["year"],
        "level": obj["level"],
        "section": obj["section"],
        "text": "".join(parts),
        "style": obj["style"],
        "statements": statements,
    }
    if "source" in obj:
        out["source"] = obj["source"]
    return out


def to_project(obj: dict[str, Any], seeds_dir: str | Path | None = None) -> dict[str, Any]:
    """Any validated record -> project record (style aliases mapped to the canonical name)."""
    fmt = detect_format(obj)
    if fmt == "authoring":
        out = convert_authoring(obj)
    elif fmt == "gold":
        out = _gold_to_project(obj, Path(seeds_dir or DEFAULT_SEEDS_DIR))
    else:
        out = dict(obj)
    out["style"] = load_taxonomy().canonical_style(out["style"])
    return out


def read_passages(paths: Iterable[str | Path], seeds_dir: str | Path | None = None,
                  validate: bool = True) -> list[dict[str, Any]]:
    """Read files of any format into project-format passages; raise DataError on any issue."""
    paths = expand_paths(paths)
    if validate:
        issues, _ = validate_paths(paths, seeds_dir=seeds_dir or DEFAULT_SEEDS_DIR)
        if issues:
            head = "\n".join(map(str, issues[:20]))
            more = f"\n… 共 {len(issues)} 个问题" if len(issues) > 20 else ""
            raise DataError(f"标注数据校验失败：\n{head}{more}")
    out = []
    for path in paths:
        for _, obj, _ in read_jsonl(path):
            out.append(to_project(obj, seeds_dir))
    return out


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    tmp.replace(path)


# --------------------------------------------------------------------------- de-duplication


def shingles(text: str, n: int = DEDUP_NGRAM) -> set[str]:
    t = re.sub(r"\s+", "", text)
    if len(t) <= n:
        return {t}
    return {t[i : i + n] for i in range(len(t) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicates(passages: list[dict[str, Any]], threshold: float = DEDUP_THRESHOLD,
                    n: int = DEDUP_NGRAM, num_perm: int = DEDUP_NUM_PERM) -> list[tuple[str, str, float]]:
    """Criterion: two passages are near-duplicates when the exact Jaccard similarity of their
    character n-gram sets (whitespace removed) is >= threshold. Candidates come from MinHash LSH
    (num_perm permutations, LSH threshold set 0.1 below the criterion to limit misses), every
    candidate pair is confirmed with the exact Jaccard. Passages are scanned in the given order;
    a passage similar to an already kept one is dropped. Returns (dropped id, kept id, jaccard)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=max(0.05, threshold - 0.1), num_perm=num_perm)
    kept: dict[str, set[str]] = {}
    dropped: list[tuple[str, str, float]] = []
    for p in passages:
        sh = shingles(p["text"], n)
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode("utf-8") for s in sh])
        best_id, best = None, -1.0
        for cand in lsh.query(m):
            j = jaccard(sh, kept[cand])
            if j > best or (j == best and best_id is not None and cand < best_id):
                best_id, best = cand, j
        if best_id is not None and best >= threshold:
            dropped.append((p["id"], best_id, round(best, 4)))
            continue
        lsh.insert(p["id"], m)
        kept[p["id"]] = sh
    return dropped


def dedupe(passages: list[dict[str, Any]], threshold: float = DEDUP_THRESHOLD,
           prefer: Iterable[str] = ()) -> tuple[list[dict[str, Any]], list[tuple[str, str, float]]]:
    """Drop near-duplicates, keeping the first. Ids in `prefer` (already in a frozen split) are
    scanned first so that an assigned passage is never displaced by a later copy."""
    prefer = set(prefer)
    order = [p for p in passages if p["id"] in prefer] + [p for p in passages if p["id"] not in prefer]
    dropped = near_duplicates(order, threshold)
    gone = {d[0] for d in dropped}
    return [p for p in passages if p["id"] not in gone], dropped


# --------------------------------------------------------------------------- frozen split


def passage_labels(p: dict[str, Any]) -> list[str]:
    """Stratification labels: the categories in the passage, or its roles when it has none."""
    cats = sorted({c for s in p["statements"] for c in s["categories"]})
    if cats:
        return cats
    roles = sorted({s["role"] for s in p["statements"]})
    return [f"role:{r}" for r in roles] or ["<empty>"]


def stratum(p: dict[str, Any], label_total: Counter[str]) -> str:
    """Stratum of a passage: its section and its rarest label (ties by key)."""
    labs = passage_labels(p)
    return f"{p['section']}|{min(labs, key=lambda l: (label_total[l], l))}"


def assign_splits(passages: list[dict[str, Any]], existing: dict[str, str] | None = None,
                  ratios: dict[str, float] = SPLIT_RATIOS, seed: int = SPLIT_SEED) -> dict[str, str]:
    """Frozen, stratified train/dev/test assignment by passage.

    Ids in `existing` keep their split (even ids no longer in the corpus). Strata are
    (section, the passage's rarest label), label = category, or role for passages without any.
    New passages are visited stratum by stratum (rarest strata first; inside a stratum in an
    order shuffled with a fixed seed), and each goes to the split s with the largest sum of
    proportional deficits d(group, s) = ratio_s * (group size so far + 1) - group count in s,
    over: its stratum, the whole corpus, and (averaged) each of its labels — counting the passages
    already assigned. Strata and the whole corpus end within about one passage of 80/10/10, small
    strata are balanced through the overall term, secondary labels through the label term."""
    existing = dict(existing or {})
    for pid, sp in existing.items():
        if sp not in ratios:
            raise DataError(f"splits 文件中 {pid} 的划分 {sp!r} 无效")
    splits = list(ratios)
    label_total: Counter[str] = Counter()
    for p in passages:
        label_total.update(passage_labels(p))
    strata = {p["id"]: stratum(p, label_total) for p in passages}
    size = Counter(strata.values())
    labels = {p["id"]: passage_labels(p) for p in passages}
    have: dict[str, Counter[str]] = {}
    have_l: dict[str, Counter[str]] = {}
    have_n: Counter[str] = Counter()
    for p in passages:
        sp = existing.get(p["id"])
        if sp is not None:
            have.setdefault(strata[p["id"]], Counter())[sp] += 1
            for lab in labels[p["id"]]:
                have_l.setdefault(lab, Counter())[sp] += 1
            have_n[sp] += 1
    new = sorted((p for p in passages if p["id"] not in existing), key=lambda p: p["id"])
    random.Random(seed).shuffle(new)
    new.sort(key=lambda p: (size[strata[p["id"]]], strata[p["id"]]))  # stable: keeps the shuffle inside
    result = dict(existing)
    for p in new:
        st = strata[p["id"]]
        hs = have.setdefault(st, Counter())
        hl = [have_l.setdefault(lab, Counter()) for lab in labels[p["id"]]]
        n_st, n_all = sum(hs.values()), sum(have_n.values())

        def score(s: str) -> tuple[float, float, int]:
            local = ratios[s] * (n_st + 1) - hs[s]
            overall = ratios[s] * (n_all + 1) - have_n[s]
            label = sum(ratios[s] * (sum(h.values()) + 1) - h[s] for h in hl) / len(hl)
            return (round(local + overall + label, 9), ratios[s], -splits.index(s))

        best = max(splits, key=score)
        result[p["id"]] = best
        hs[best] += 1
        for h in hl:
            h[best] += 1
        have_n[best] += 1
    return result


def read_splits(path: str | Path = SPLITS_PATH) -> dict[str, str]:
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"无法解析划分文件 {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise DataError(f"划分文件 {path} 须为 id -> train/dev/test 的对象")
    return data


def write_splits(path: str | Path, mapping: dict[str, str]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(mapping.items())), ensure_ascii=False, indent=0) + "\n",
                    encoding="utf-8")


# --------------------------------------------------------------------------- gold (seeds)


def _gold_to_project(obj: dict[str, Any], seeds_dir: Path) -> dict[str, Any]:
    f = seeds_dir / obj["source"]
    if not f.is_file():
        raise DataError(f"找不到样本文件 {f}（金标只存偏移，需要原文件）")
    full = f.read_text(encoding="utf-8")
    ps, pe = obj["passage_start"], obj["passage_end"]
    stmts = []
    for st in sorted(obj["statements"], key=lambda s: s["start"]):
        d = {k: st[k] for k in STATEMENT_REQUIRED}
        d["start"] -= ps
        d["end"] -= ps
        stmts.append(d)
    return {
        "id": obj["id"], "origin": obj["origin"], "year": obj["year"], "level": obj["level"],
        "section": obj["section"], "text": full[ps:pe], "style": obj["style"],
        "statements": stmts, "source": obj["source"],
    }


def load_gold(seeds_dir: str | Path = DEFAULT_SEEDS_DIR, gold_path: str | Path = GOLD_PATH) -> list[dict[str, Any]]:
    """Seed gold as project-format passages; text is read from the seed files at run time."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise DataError(f"样本目录不存在：{seeds_dir}")
    return read_passages([gold_path], seeds_dir=seeds_dir)


# --------------------------------------------------------------------------- training data


def load_dataset(paths: str | Path | Iterable[str | Path], splits_path: str | Path | None = None,
                 split: str | None = None, seeds_dir: str | Path | None = None):
    """Project-format (or authoring/gold) JSONL files -> `datasets.Dataset`.

    Columns: id, origin, year, level, section, text, style, source, split, statements (list of
    {start, end, role, categories, specific, status}). `split` comes from the frozen splits file
    ("gold" for seed passages, None when unassigned); pass `split="train"` etc. to filter (the
    default splits file is used then)."""
    import datasets

    if isinstance(paths, (str, Path)):
        paths = [paths]
    passages = read_passages(paths, seeds_dir=seeds_dir)
    if split is not None and splits_path is None:
        splits_path = SPLITS_PATH
    mapping = read_splits(splits_path) if splits_path is not None else {}
    rows = []
    for p in passages:
        sp = mapping.get(p["id"]) or ("gold" if p["origin"] == "seed" else None)
        if split is not None and sp != split:
            continue
        rows.append({
            "id": p["id"], "origin": p["origin"], "year": p["year"], "level": p["level"],
            "section": p["section"], "text": p["text"], "style": p["style"],
            "source": p.get("source"), "split": sp,
            "statements": [{k: s[k] for k in STATEMENT_REQUIRED}
                           for s in sorted(p["statements"], key=lambda s: s["start"])],
        })
    lst = getattr(datasets, "List", datasets.Sequence)
    features = datasets.Features({
        "id": datasets.Value("string"), "origin": datasets.Value("string"),
        "year": datasets.Value("int32"), "level": datasets.Value("string"),
        "section": datasets.Value("int32"), "text": datasets.Value("string"),
        "style": datasets.Value("string"), "source": datasets.Value("string"),
        "split": datasets.Value("string"),
        "statements": lst({
            "start": datasets.Value("int32"), "end": datasets.Value("int32"),
            "role": datasets.Value("string"), "categories": lst(datasets.Value("string")),
            "specific": datasets.Value("bool"), "status": datasets.Value("string"),
        }),
    })
    return datasets.Dataset.from_list(rows, features=features)


# --------------------------------------------------------------------------- agreement


def _prf(tp: int, n_pred: int, n_ref: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_ref if n_ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp}


def _kappa(pairs: list[tuple[Any, Any]]) -> float | None:
    if not pairs:
        return None
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return round((po - pe) / (1 - pe), 4) if pe < 1 else 1.0


def agreement(a_passages: Iterable[dict[str, Any]], b_passages: Iterable[dict[str, Any]],
              min_overlap: float = 0.5) -> dict[str, Any]:
    """Agreement of two annotations (project format) over the passages both labelled (same id).

    span_exact: span P/R/F1 with identical [start, end) (b measured against a).
    span_overlap: one-to-one matching where the overlap is >= min_overlap of the LONGER span
    (greedy, largest overlap first). Over the overlap-matched pairs: category micro P/R/F1
    (each category of a matched pair counts as one decision), role accuracy, specific accuracy
    and Cohen's kappa, status accuracy (pairs where both are remedies)."""
    A = {p["id"]: p for p in a_passages}
    B = {p["id"]: p for p in b_passages}
    ids = sorted(A.keys() & B.keys())
    n_a = n_b = exact = 0
    matched: list[tuple[dict, dict]] = []
    for pid in ids:
        pa, pb = A[pid], B[pid]
        if "text" in pa and "text" in pb and pa["text"] != pb["text"]:
            raise DataError(f"段落 {pid} 在两份标注中的正文不同，无法比较")
        sa, sb = pa["statements"], pb["statements"]
        n_a += len(sa)
        n_b += len(sb)
        exact += len({(s["start"], s["end"]) for s in sa} & {(s["start"], s["end"]) for s in sb})
        cands = []
        for i, x in enumerate(sa):
            for j, y in enumerate(sb):
                inter = min(x["end"], y["end"]) - max(x["start"], y["start"])
                longer = max(x["end"] - x["start"], y["end"] - y["start"])
                if inter > 0 and inter >= min_overlap * longer:
                    cands.append((inter / longer, i, j))
        used_a: set[int] = set()
        used_b: set[int] = set()
        for _, i, j in sorted(cands, key=lambda t: (-t[0], t[1], t[2])):
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
                matched.append((sa[i], sb[j]))
    tp = fp = fn = 0
    for x, y in matched:
        cx, cy = set(x["categories"]), set(y["categories"])
        tp += len(cx & cy)
        fp += len(cy - cx)
        fn += len(cx - cy)
    cat = _prf(tp, tp + fp, tp + fn)
    cat.update(fp=fp, fn=fn)
    status_pairs = [(x["status"], y["status"]) for x, y in matched
                    if x["role"] == "remedy" and y["role"] == "remedy"]
    spec_pairs = [(x["specific"], y["specific"]) for x, y in matched]
    return {
        "passages": len(ids),
        "statements_a": n_a,
        "statements_b": n_b,
        "span_exact": _prf(exact, n_b, n_a),
        "span_overlap": _prf(len(matched), n_b, n_a),
        "matched": len(matched),
        "category_micro": cat,
        "role_accuracy": round(sum(x["role"] == y["role"] for x, y in matched) / len(matched), 4) if matched else None,
        "specific_accuracy": round(sum(a == b for a, b in spec_pairs) / len(spec_pairs), 4) if spec_pairs else None,
        "specific_kappa": _kappa(spec_pairs),
        "status_accuracy": round(sum(a == b for a, b in status_pairs) / len(status_pairs), 4) if status_pairs else None,
    }
