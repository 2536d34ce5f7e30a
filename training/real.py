"""Real labelled passages from public report pages (`data/real/`).

The repository keeps only what is not the pages' text: the page URL, the search query that retrieves
it, the sha1 of the stored excerpt, passage and statement offsets into that excerpt, and labels. The
excerpts live in an ignored cache (`.cache/real/pages/<sha1>.txt`, or `$NIANBAO_REAL_CACHE/pages`).

Record format (`data/real/<annotator>.jsonl`, one page per line)::

    {"id": "real-<sha1[:12]>", "origin": "real", "url", "query", "rank", "sha1", "chars",
     "year", "level", "section": 5, "layout", "cut_start", "cut_end", "annotator",
     "passage_start", "passage_end",
     "statements": [{"start", "end", "role", "categories", "specific", "status"}]}

Statement offsets are absolute offsets into the excerpt, like the seed gold.

Filling the cache (resumable; see data/real/README.md): `python -m training.real_cli missing` lists every
record whose excerpt is not cached, with its query; search the `pages` corpus with that query, save the
result whose url matches to a file, and `python -m training.real_cli put URL FILE` stores it after checking
its sha1. Records whose text is absent are skipped, and every consumer says so.

Annotators label with quotes (`.cache/real/work/<annotator>.jsonl`, text in the ignored cache);
`python -m training.real_cli check|import <annotator>` resolves quotes to offsets, validates them with the
corpus validator and writes the offsets-only records.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from training import corpus as C

REAL_DIR = C.DATA_DIR / "real"
SPLITS_PATH = REAL_DIR / "splits.json"
RESERVED_PATH = C.REPO.parent / "shared" / "eval" / "reserved_urls.txt"
RECORD_FIELDS = ("id", "origin", "url", "query", "rank", "sha1", "chars", "year", "level", "section", "layout",
                 "cut_start", "cut_end", "annotator", "passage_start", "passage_end", "statements")
OPTIONAL_FIELDS = ("note",)
LAYOUTS = ("one_section", "two_sections", "unnumbered", "summary", "table", "related")
# `related`: the problems / remedies part of a related document (a 政务公开 self-inspection or rectification
# report, a work summary), not an annual report (guideline R-9). Training data only: such pages always go to
# the train split, so dev and test stay what the product reads.
TRAIN_ONLY_LAYOUTS = ("related",)


def split_related(passages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(report pages, related documents) of a list of real passages."""
    related = [p for p in passages if p.get("layout") in TRAIN_ONLY_LAYOUTS]
    return [p for p in passages if p.get("layout") not in TRAIN_ONLY_LAYOUTS], related
REAL_SPLIT_RATIOS = {"train": 0.5, "dev": 0.2, "test": 0.3}


def cache_dir() -> Path:
    env = os.environ.get("NIANBAO_REAL_CACHE")
    return Path(env) if env else C.REPO / ".cache" / "real"


def sha1_text(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def reserved_urls(path: Path = RESERVED_PATH) -> set[str]:
    if not path.is_file():
        return set()
    return {ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")}


def page_key(url: str) -> str | None:
    """The URL without its host when its last path segment is distinctive (a long id such as
    t20230118_4373320.html): mirror sites copy a page under its original path, so two URLs with one key
    are one report. None for generic paths (index.html)."""
    rest = urlsplit(url)._replace(scheme="", netloc="").geturl().rstrip("/")
    last = rest.split("?", 1)[0].rsplit("/", 1)[-1]
    return rest if len(last) >= 12 else None


def page_of(url: str) -> str:
    """The report page behind a URL: its page key, or the URL itself when the path is generic."""
    return page_key(url) or url


def cached_text(sha1: str) -> str | None:
    f = cache_dir() / "pages" / f"{sha1}.txt"
    if not f.is_file():
        return None
    text = f.read_text(encoding="utf-8")
    return text if sha1_text(text) == sha1 else None


def record_files(real_dir: Path = REAL_DIR) -> list[Path]:
    return sorted(p for p in real_dir.glob("*.jsonl") if p.is_file() and not p.name.startswith("second_"))


def is_real_file(path: Path) -> bool:
    """A JSONL file of real page records (first record has `url` and `sha1`)."""
    for _, obj, _err in C.read_jsonl(path) if path.is_file() else ():
        return isinstance(obj, dict) and "url" in obj and "sha1" in obj
    return False


def read_records(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    out = []
    for path in paths if paths is not None else record_files():
        for _, obj, err in C.read_jsonl(path):
            if err is None:
                out.append(obj)
    return out


# --------------------------------------------------------------------------- validation


def validate_record(obj: dict[str, Any], path: str, line: int, tax: C.Taxonomy,
                    reserved: set[str] | None = None, text: str | None = None) -> list[C.Issue]:
    """Issues of one real record; statement spans are checked against `text` (default: the cached
    excerpt, when there is one)."""
    c = C._Checker(path, line, tax)
    c.fields(obj, RECORD_FIELDS, OPTIONAL_FIELDS)
    c.meta({k: v for k, v in obj.items() if k not in ("year", "level") or v is not None})
    reserved = reserved_urls() if reserved is None else reserved
    url = obj.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        c.add("url", "bad_url", f"url 须为 http(s) 地址，实际为 {url!r}")
    elif url in reserved:
        c.add("url", "reserved_url", "该网页保留用于独立评测，不得打开、标注或使用")
    elif page_of(url) in {page_of(r) for r in reserved}:
        c.add("url", "reserved_url", "该网页是保留评测网页的镜像副本（路径相同），不得标注或使用")
    elif obj.get("layout") in TRAIN_ONLY_LAYOUTS and host_of(url) in {host_of(r) for r in reserved}:
        c.add("url", "reserved_site", "相关文件不得取自存有保留评测网页的网站（R-9）")
    if obj.get("layout") not in LAYOUTS:
        c.add("layout", "bad_layout", f"layout 须为 {'/'.join(LAYOUTS)} 之一，实际为 {obj.get('layout')!r}")
    sha1 = obj.get("sha1")
    if not (isinstance(sha1, str) and len(sha1) == 40):
        c.add("sha1", "bad_sha1", f"sha1 须为 40 位十六进制，实际为 {sha1!r}")
        return c.issues
    if obj.get("id") != f"real-{sha1[:12]}":
        c.add("id", "bad_id", f"id 须为 real-<sha1 前 12 位>，实际为 {obj.get('id')!r}")
    ps, pe = obj.get("passage_start"), obj.get("passage_end")
    if not (C._is_int(ps) and C._is_int(pe) and 0 <= ps < pe):
        c.add("passage_start", "bad_offset", f"passage_start/passage_end 无效：{ps!r}, {pe!r}")
        return c.issues
    text = cached_text(sha1) if text is None else text
    if text is not None and pe > len(text):
        c.add("passage_end", "offset_out_of_range", f"passage_end({pe}) 超出网页摘录长度 {len(text)}")
        return c.issues
    c.statements(obj.get("statements"), text, 0, (ps, pe))
    return c.issues


def validate_paths(paths: list[Path]) -> tuple[list[C.Issue], int]:
    """Every record's own checks, and no page twice within one labelling pass: the first-pass files
    together, each second-pass file (`second_<annotator>.jsonl`, the agreement study) on its own, since
    it labels pages of the first pass again by design."""
    tax, reserved = C.load_taxonomy(), reserved_urls()
    issues: list[C.Issue] = []
    seen: dict[tuple[str, str, str], tuple[str, int]] = {}
    n = 0
    for path in paths:
        labelling_pass = path.name if path.name.startswith("second_") else "first"
        for line, obj, err in C.read_jsonl(path):
            n += 1
            if err is not None:
                issues.append(C.Issue(str(path), line, "(json)", "bad_json", f"JSON 解析失败：{err}"))
                continue
            issues.extend(validate_record(obj, str(path), line, tax, reserved))
            for key in ("id", "url"):  # a URL counts by its page: a mirror copy is the same page
                v = page_of(obj["url"]) if key == "url" and isinstance(obj.get("url"), str) else obj.get(key)
                if isinstance(v, str) and (labelling_pass, key, v) in seen:
                    p0, l0 = seen[(labelling_pass, key, v)]
                    issues.append(C.Issue(str(path), line, key, f"duplicate_{key}", f"{key} {v!r} 与 {p0}:{l0} 重复"))
                elif isinstance(v, str):
                    seen[(labelling_pass, key, v)] = (str(path), line)
    return issues, n


# --------------------------------------------------------------------------- quotes -> offsets


def _find(text: str, quote: str, occurrence: int) -> int:
    pos, seen = -1, 0
    while True:
        pos = text.find(quote, pos + 1)
        if pos < 0:
            return -1
        seen += 1
        if seen == occurrence:
            return pos


def resolve(work: dict[str, Any], text: str, annotator: str) -> tuple[dict[str, Any], list[str]]:
    """A quote-labelled work line + its excerpt -> an offsets-only record and the problems found."""
    errors: list[str] = []
    sha1 = sha1_text(text)
    first, last = work.get("passage_first") or "", work.get("passage_last") or ""
    ps = text.find(first) if first else -1
    pe_at = text.find(last, max(ps, 0)) if last else -1
    if ps < 0:
        errors.append(f"passage_first not found: {first[:20]!r}")
    if pe_at < 0:
        errors.append(f"passage_last not found after passage_first: {last[:20]!r}")
    pe = pe_at + len(last) if pe_at >= 0 else -1
    stmts = []
    for i, st in enumerate(work.get("statements") or []):
        q = st.get("quote") or ""
        s = _find(text, q, int(st.get("occurrence") or 1)) if q else -1
        if s < 0:
            errors.append(f"statements[{i}] quote not found (occurrence {st.get('occurrence') or 1}): {q[:30]!r}")
            continue
        if ps >= 0 and pe >= 0 and not (ps <= s and s + len(q) <= pe):
            errors.append(f"statements[{i}] outside the passage: {q[:30]!r}")
        stmts.append({"start": s, "end": s + len(q), "role": st.get("role"), "categories": st.get("categories"),
                      "specific": st.get("specific"), "status": st.get("status")})
    stmts.sort(key=lambda d: d["start"])
    record = {
        "id": f"real-{sha1[:12]}", "origin": "real", "url": work.get("url"), "query": work.get("query"),
        "rank": work.get("rank"), "sha1": sha1, "chars": len(text), "year": work.get("year"),
        "level": work.get("level"), "section": 5, "layout": work.get("layout"),
        "cut_start": bool(work.get("cut_start")), "cut_end": bool(work.get("cut_end")), "annotator": annotator,
        "passage_start": ps, "passage_end": pe, "statements": stmts,
    }
    return record, errors


def _work_lines(annotator: str) -> list[tuple[int, dict[str, Any] | None, str | None]]:
    path = cache_dir() / "work" / f"{annotator}.jsonl"
    if annotator.startswith("second_"):  # second pass: pages named by sha1, text from the page cache
        path = cache_dir() / "second" / f"{annotator.removeprefix('second_')}.jsonl"
    if not path.is_file():
        raise SystemExit(f"no work file {path}")
    return list(C.read_jsonl(path))


def _inbox_text(annotator: str, name: str) -> str | None:
    f = cache_dir() / "inbox" / annotator / name
    if annotator.startswith("second_"):
        f = cache_dir() / "pages" / name
    return f.read_text(encoding="utf-8") if f.is_file() else None


def check(annotator: str, write: bool = False, out_dir: Path = REAL_DIR) -> int:
    """Resolve, validate and (with write) store an annotator's work; print every problem."""
    tax, reserved = C.load_taxonomy(), reserved_urls()
    records, n_bad = [], 0
    for line, work, err in _work_lines(annotator):
        where = f"work/{annotator}.jsonl:{line}"
        if err is not None:
            print(f"{where}: bad JSON: {err}")
            n_bad += 1
            continue
        text = _inbox_text(annotator, str(work.get("file")))
        if text is None:
            print(f"{where}: inbox file {work.get('file')!r} missing")
            n_bad += 1
            continue
        record, errors = resolve(work, text, annotator)
        if not errors:
            errors = [str(i) for i in validate_record(record, where, 0, tax, reserved, text=text)]
        if errors:
            n_bad += 1
            for e in errors:
                print(f"{where}: {e}")
            continue
        records.append((record, text))
    print(f"{annotator}: {len(records)} pages clean, {n_bad} with problems")
    if write:
        pages = cache_dir() / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        for record, text in records:
            (pages / f"{record['sha1']}.txt").write_text(text, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        C.write_jsonl(out_dir / f"{annotator}.jsonl", [r for r, _ in records])
        print(f"wrote {len(records)} records to {out_dir / (annotator + '.jsonl')}")
    return 1 if n_bad else 0


# --------------------------------------------------------------------------- loading


def to_project(record: dict[str, Any], text: str) -> dict[str, Any]:
    ps, pe = record["passage_start"], record["passage_end"]
    stmts = [{k: st[k] for k in C.STATEMENT_REQUIRED} | {"start": st["start"] - ps, "end": st["end"] - ps}
             for st in sorted(record["statements"], key=lambda s: s["start"])]
    return {"id": record["id"], "origin": "real", "year": record.get("year"), "level": record.get("level"),
            "section": 5, "text": text[ps:pe], "style": "real", "statements": stmts, "url": record["url"],
            "layout": record["layout"], "page_text": text, "passage_start": ps, "passage_end": pe}


def load_real(split: str | None = None, quiet: bool = False) -> list[dict[str, Any]]:
    """Cached real passages in project format (optionally one frozen split). Records whose excerpt is
    not cached are skipped, and the count is said on stderr."""
    records = read_records()
    assignment = read_splits()
    out, missing = [], 0
    for r in records:
        if split is not None and assignment.get(r["id"]) != split:
            continue
        text = cached_text(r["sha1"])
        if text is None:
            missing += 1
            continue
        out.append(to_project(r, text))
    if missing and not quiet:
        print(f"真实标注集：{missing} 条记录的网页摘录不在缓存 {cache_dir()}（运行 python -m training.real_cli missing"
              f" 查看补齐方法），已跳过", file=sys.stderr)
    return out


# --------------------------------------------------------------------------- split


def host_of(url: str) -> str:
    host = urlsplit(url).hostname or url
    parts = host.split(".")
    return ".".join(parts[-3:]) if host.endswith((".gov.cn", ".com.cn", ".org.cn")) else ".".join(parts[-2:])


def read_splits(path: Path = SPLITS_PATH) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))["assignment"] if path.is_file() else {}


def freeze_splits(records: list[dict[str, Any]], path: Path = SPLITS_PATH) -> dict[str, str]:
    """Grouped by site (pages of one site share templates and wording), deterministic by hash; ids
    already assigned keep their split, new sites fill the split furthest below its ratio."""
    assignment = read_splits(path)
    by_host: dict[str, list[str]] = {}
    for r in records:
        if r.get("layout") in TRAIN_ONLY_LAYOUTS:
            continue  # placed below, once every site's split is known
        by_host.setdefault(host_of(r["url"]), []).append(r["id"])
    counts = {s: sum(1 for v in assignment.values() if v == s) for s in REAL_SPLIT_RATIOS}
    host_split = {host_of(r["url"]): assignment[r["id"]] for r in records if r["id"] in assignment}
    for host in sorted(by_host, key=lambda h: hashlib.sha1(h.encode()).hexdigest()):
        ids = [i for i in by_host[host] if i not in assignment]
        if not ids:
            continue
        split = host_split.get(host)
        if split is None:
            total = sum(counts.values()) + len(ids)
            split = min(REAL_SPLIT_RATIOS, key=lambda s: (counts[s] + len(ids)) / total - REAL_SPLIT_RATIOS[s])
            host_split[host] = split
        for i in ids:
            assignment[i] = split
            counts[split] += 1
    for r in records:
        if r.get("layout") not in TRAIN_ONLY_LAYOUTS or r["id"] in assignment:
            continue
        held = host_split.get(host_of(r["url"]), "train")
        if held != "train":  # one site never on both sides
            raise C.DataError(f"{r['id']}：相关文件所在网站 {host_of(r['url'])} 的网页属于 {held} 划分，不能用作训练数据")
        assignment[r["id"]] = "train"
    path.write_text(json.dumps({"grouped_by": "site", "ratios": REAL_SPLIT_RATIOS,
                                "assignment": dict(sorted(assignment.items()))}, ensure_ascii=False, indent=0)
                    + "\n", encoding="utf-8")
    return assignment


# --------------------------------------------------------------------------- cache procedure


def missing() -> list[dict[str, Any]]:
    return [r for r in read_records() if cached_text(r["sha1"]) is None]


def put(url: str, file: Path) -> str:
    text = file.read_text(encoding="utf-8")
    want = {r["url"]: r["sha1"] for r in read_records()}
    if url not in want:
        raise SystemExit(f"{url}: not a record of data/real/")
    got = sha1_text(text)
    if got != want[url]:
        raise SystemExit(f"{url}: sha1 {got} differs from the recorded {want[url]} (the stored page changed, "
                         f"or the excerpt was not saved exactly)")
    pages = cache_dir() / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / f"{got}.txt").write_text(text, encoding="utf-8")
    return got
