"""`nianbao data` — labelled-data tools.

    nianbao data validate PATH...            report every problem (file:line: field: [code] message)
    nianbao data build                       src/*.jsonl -> validate -> convert -> dedupe ->
                                             corpus/authored.jsonl -> frozen splits.json -> README card
    nianbao data card                        regenerate data/README.md
    nianbao data import {labelstudio,doccano} EXPORT --out FILE [--year .. --level .. --section .. --style ..]

Also runnable as `python -m training.data_cli ...`.
"""
from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from inference.errors import DataError
from training import corpus as C


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="data_command", required=True)

    v = sub.add_parser("validate", help="Validate labelled JSONL files (project, authoring or gold format)")
    v.add_argument("paths", nargs="+", help="JSONL files or directories (their *.jsonl)")
    v.add_argument("--seeds", default=str(C.DEFAULT_SEEDS_DIR),
                   help="seed reports folder, to check gold offsets against the files")

    b = sub.add_parser("build", help="Build corpus/authored.jsonl, the frozen split and the card")
    b.add_argument("--src", default=str(C.SRC_DIR), help="authoring files folder")
    b.add_argument("--out", default=str(C.AUTHORED_PATH))
    b.add_argument("--splits", default=str(C.SPLITS_PATH))
    b.add_argument("--card", default=str(C.CARD_PATH))
    b.add_argument("--gold", default=str(C.GOLD_PATH))
    b.add_argument("--agreement", default=str(C.AGREEMENT_DIR))
    b.add_argument("--seeds", default=str(C.DEFAULT_SEEDS_DIR))
    b.add_argument("--threshold", type=float, default=C.DEDUP_THRESHOLD,
                   help="near-duplicate criterion: char 5-gram Jaccard >= this (default 0.8)")

    c = sub.add_parser("card", help="Write the data card (data/README.md)")
    c.add_argument("--corpus", default=str(C.AUTHORED_PATH))
    c.add_argument("--splits", default=str(C.SPLITS_PATH))
    c.add_argument("--gold", default=str(C.GOLD_PATH))
    c.add_argument("--agreement", default=str(C.AGREEMENT_DIR))
    c.add_argument("--seeds", default=str(C.DEFAULT_SEEDS_DIR))
    c.add_argument("--out", default=str(C.CARD_PATH))

    i = sub.add_parser("import", help="Convert a Label Studio / doccano export to project format")
    i.add_argument("tool", choices=["labelstudio", "doccano"])
    i.add_argument("export", help="export file (Label Studio JSON, doccano JSONL)")
    i.add_argument("--out", required=True, help="project-format JSONL to write")
    i.add_argument("--id-prefix", default="", help="prefix for ids taken from the tool")
    for name, typ in (("year", int), ("level", str), ("section", int), ("style", str)):
        i.add_argument(f"--{name}", type=typ, default=None,
                       help=f"default {name} for tasks that carry none in their data")


def run(args: argparse.Namespace) -> int:
    try:
        if args.data_command == "validate":
            return cmd_validate(args.paths, args.seeds)
        if args.data_command == "build":
            return build(Path(args.src), Path(args.out), Path(args.splits), Path(args.card),
                         gold=Path(args.gold), agreement_dir=Path(args.agreement),
                         seeds_dir=Path(args.seeds), threshold=args.threshold)
        if args.data_command == "card":
            text = render_card(Path(args.corpus), Path(args.splits), Path(args.gold),
                               Path(args.agreement), Path(args.seeds))
            Path(args.out).write_text(text, encoding="utf-8")
            print(f"已写出数据说明：{args.out}")
            return 0
        if args.data_command == "import":
            return cmd_import(args)
    except DataError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    raise AssertionError(args.data_command)


# --------------------------------------------------------------------------- validate


def _looks_like_labelstudio_export(path: Path) -> bool:
    """A Label Studio export is one JSON array (of tasks), not one record per line."""
    try:
        with path.open(encoding="utf-8") as fh:
            head = fh.read(4096).lstrip("\ufeff \t\r\n")
    except (OSError, UnicodeDecodeError):
        return False
    return path.suffix.lower() == ".json" or head.startswith("[")


def cmd_validate(paths: list[str], seeds: str | None) -> int:
    from training import real

    files = C.expand_paths(paths)
    exports = [f for f in files if _looks_like_labelstudio_export(f)]
    for f in exports:  # one clear pointer instead of a JSON error per line
        print(f"{f}: 这是 Label Studio 导出的 JSON 文件，不是标注 JSONL；请先转换："
              f"nianbao data import labelstudio {f} --out 文件.jsonl", file=sys.stderr)
    files = [f for f in files if f not in exports]
    if exports and not files:
        return 1
    real_files = [f for f in files if real.is_real_file(f)]
    issues, n = C.validate_paths([f for f in files if f not in real_files], seeds_dir=seeds)
    if real_files:  # real page records (data/real): offsets into a cached excerpt; reserved pages refused
        real_issues, real_n = real.validate_paths(real_files)
        issues, n = issues + real_issues, n + real_n
    if seeds and not Path(seeds).is_dir():
        print(f"注意：样本目录 {seeds} 不存在，金标文件只做结构检查", file=sys.stderr)
    for issue in issues:
        print(issue)
    files = len(C.expand_paths(paths))
    if issues:
        print(f"校验未通过：{len(issues)} 个问题（{files} 个文件，{n} 条记录）", file=sys.stderr)
        return 1
    print(f"校验通过：{files} 个文件，{n} 条记录", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- import


def cmd_import(args: argparse.Namespace) -> int:
    from training import importers

    defaults = {k: getattr(args, k) for k in ("year", "level", "section", "style") if getattr(args, k) is not None}
    if args.tool == "labelstudio":
        records, issues = importers.import_labelstudio(args.export, defaults=defaults, id_prefix=args.id_prefix)
    else:
        records, issues = importers.import_doccano(args.export, defaults=defaults, id_prefix=args.id_prefix)
    for line, rec in enumerate(records, 1):
        issues.extend(C.validate_record(rec, args.out, line))
    for issue in issues:
        print(issue)
    if issues:
        print(f"导入未完成：{len(issues)} 个问题，未写出 {args.out}", file=sys.stderr)
        return 1
    C.write_jsonl(args.out, records)
    print(f"已导入 {len(records)} 个段落 -> {args.out}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- build


def build(src: Path, out: Path, splits_path: Path, card_path: Path | None, gold: Path | None = None,
          agreement_dir: Path | None = None, seeds_dir: Path | None = None,
          threshold: float = C.DEDUP_THRESHOLD, quiet: bool = False) -> int:
    def say(msg: str) -> None:
        if not quiet:
            print(msg)

    files = C.expand_paths([src])
    if not files:
        print(f"错误：{src} 下没有 *.jsonl 文件", file=sys.stderr)
        return 2
    issues, n = C.validate_paths(files, seeds_dir=seeds_dir)
    if issues:
        for issue in issues:
            print(issue)
        print(f"构建中止：源文件有 {len(issues)} 个问题", file=sys.stderr)
        return 1
    passages = C.read_passages(files, seeds_dir=seeds_dir, validate=False)
    by_file = Counter()
    aliased: Counter[str] = Counter()
    tax = C.load_taxonomy()
    for f in files:
        for _, obj, _ in C.read_jsonl(f):
            by_file[f.name] += 1
            if obj["style"] in tax.style_aliases:
                aliased[f"{obj['style']}→{tax.style_aliases[obj['style']]}"] += 1
    existing = C.read_splits(splits_path)
    kept, dropped = C.dedupe(passages, threshold=threshold, prefer=existing.keys())
    for d, k, j in dropped:
        say(f"  近似重复：{d} ≈ {k}（Jaccard {j:.3f}），已去除")
    C.write_jsonl(out, kept)
    mapping = C.assign_splits(kept, existing)
    C.write_splits(splits_path, mapping)
    counts = Counter(mapping[p["id"]] for p in kept)
    new = sum(1 for p in kept if p["id"] not in existing)
    stmts = sum(len(p["statements"]) for p in kept)
    say("源文件：" + "，".join(f"{k} {v}" for k, v in sorted(by_file.items())))
    if aliased:
        say("style 别名按 taxonomy.json 统一：" + "，".join(f"{k} {v} 个" for k, v in sorted(aliased.items())))
    say(f"读取 {len(passages)} 个段落；近似重复去除 {len(dropped)} 个（字符 5-gram Jaccard ≥ {threshold}）；"
        f"写出 {len(kept)} 个段落、{stmts} 条语句 -> {out}")
    say(f"划分：train {counts['train']} / dev {counts['dev']} / test {counts['test']}"
        f"（新分配 {new}，原有 {len(kept) - new} 个保持不变）-> {splits_path}")
    if card_path is not None:
        card_path.write_text(render_card(out, splits_path, gold, agreement_dir, seeds_dir), encoding="utf-8")
        say(f"数据说明 -> {card_path}")
    return 0


# --------------------------------------------------------------------------- card

LENGTH_BUCKETS = [(0, 100), (100, 200), (200, 400), (400, 800), (800, 10**9)]
STATEMENT_BUCKETS = [(0, 20), (20, 50), (50, 100), (100, 200), (200, 10**9)]
SPLITS = ["train", "dev", "test"]


def _bucket(n: int, buckets: list[tuple[int, int]] = LENGTH_BUCKETS) -> str:
    for lo, hi in buckets:
        if lo <= n < hi:
            return f"{lo}–{hi - 1}" if hi < 10**9 else f"≥{lo}"
    return "?"


def _table(title: str, rows: dict[str, Counter], order: list[str] | None = None,
           names: dict[str, str] | None = None) -> list[str]:
    """rows: split -> Counter(value). One markdown table: value x split."""
    values = order or sorted({v for c in rows.values() for v in c}, key=str)
    cols = SPLITS + ["all"]
    out = [f"### {title}", "", "| " + " | ".join(["value"] + cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for v in values:
        label = f"{v} {names[v]}" if names and v in names else str(v)
        cells = [str(rows[s][v]) for s in SPLITS] + [str(sum(rows[s][v] for s in SPLITS))]
        out.append("| " + " | ".join([label] + cells) + " |")
    out.append("")
    return out


def _load_maybe(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.is_file():
        return []
    return C.read_passages([path])


def agreement_results(agreement_dir: Path | None, seeds_dir: Path | None,
                      corpus: list[dict[str, Any]] | None = None,
                      skipped: list[str] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """Agreement for the double labelling in data/agreement/<annotator>.jsonl (project or authoring
    format): each file against the corpus labels of the same ids ("corpus" = the original
    annotation), and each pair of files against each other. Pairs without common ids are left
    out; files that do not validate (e.g. helper files in another format) are listed in `skipped`."""
    if agreement_dir is None or not agreement_dir.is_dir():
        return []
    loaded: dict[str, list[dict[str, Any]]] = {}
    for f in sorted(p for p in agreement_dir.glob("*.jsonl") if not p.name.endswith("_quotes.jsonl")):
        issues, _ = C.validate_paths([f], seeds_dir=seeds_dir)
        if issues:
            if skipped is not None:
                skipped.append(f"`{f.name}` ({len(issues)} problems, first: {issues[0].field} [{issues[0].code}])")
            continue
        loaded[f.stem] = C.read_passages([f], seeds_dir=seeds_dir, validate=False)
    res = []
    if corpus:
        for name in sorted(loaded):
            r = C.agreement(corpus, loaded[name])
            if r["passages"]:
                res.append(("corpus", name, r))
    for a, b in itertools.combinations(sorted(loaded), 2):
        r = C.agreement(loaded[a], loaded[b])
        if r["passages"]:
            res.append((a, b, r))
    return res


def render_card(corpus_path: Path, splits_path: Path, gold_path: Path | None = None,
                agreement_dir: Path | None = None, seeds_dir: Path | None = None) -> str:
    tax = C.load_taxonomy()
    passages = _load_maybe(corpus_path)
    mapping = C.read_splits(splits_path)
    names = {k: v["name"] for k, v in tax.categories.items()}

    pas: dict[str, dict[str, Counter]] = defaultdict(lambda: {s: Counter() for s in SPLITS})
    sts: dict[str, dict[str, Counter]] = defaultdict(lambda: {s: Counter() for s in SPLITS})
    paired = {s: Counter() for s in SPLITS}
    pairs = tax.pairs()
    unassigned = 0
    for p in passages:
        sp = mapping.get(p["id"])
        if sp not in SPLITS:
            unassigned += 1
            continue
        pas["passages"][sp]["passages"] += 1
        pas["section"][sp][str(p["section"])] += 1
        pas["level"][sp][p["level"]] += 1
        pas["year"][sp][str(p["year"])] += 1
        pas["style"][sp][p["style"]] += 1
        pas["length"][sp][_bucket(len(p["text"]))] += 1
        pas["statements per passage"][sp][_bucket_n(len(p["statements"]))] += 1
        rem = {c for s in p["statements"] if s["role"] == "remedy" for c in s["categories"]}
        for s in p["statements"]:
            sts["statements"][sp]["statements"] += 1
            sts["role"][sp][s["role"]] += 1
            for c in s["categories"]:
                sts["category"][sp][c] += 1
            sts["specific"][sp][f"{s['role']}:{'specific' if s['specific'] else 'generic'}"] += 1
            if s["role"] == "remedy":
                sts["status"][sp][s["status"]] += 1
            sts["statement length"][sp][_bucket(s["end"] - s["start"], STATEMENT_BUCKETS)] += 1
            if s["role"] == "problem":
                for c in s["categories"]:
                    paired[sp]["with paired remedy" if set(pairs.get(c, [])) & rem else "without"] += 1

    L: list[str] = [
        "# nianbao labelled data",
        "",
        "<!-- generated by `nianbao data card` (training/data_cli.py); do not edit by hand -->",
        "",
        "Statement-level labels for sections 一/五/六 of 政府信息公开工作年度报告. Guideline: "
        "[ANNOTATION.md](ANNOTATION.md); categories: [taxonomy.json](taxonomy.json).",
        "",
        "| file | content |",
        "|---|---|",
        "| `corpus/src/*.jsonl` | authored passages, authoring format (segments) |",
        "| `corpus/authored.jsonl` | built corpus, project format (`nianbao data build`) |",
        "| `corpus/splits.json` | frozen id → train/dev/test; ids never move once assigned |",
        "| `gold/seeds.jsonl` | seed gold: offsets into `../shared/seeds/*.txt` (no seed text stored) |",
        "| `agreement/*.jsonl` | double labelling: one file per second annotator, compared with the corpus labels |",
        "| `labelstudio_config.xml` | Label Studio labelling config for the importers |",
        "",
        "Build: validate every source file (abort on any problem) → convert → drop near-duplicates "
        f"(character {C.DEDUP_NGRAM}-gram Jaccard ≥ {C.DEDUP_THRESHOLD} between passage texts, MinHash LSH "
        f"candidates with {C.DEDUP_NUM_PERM} permutations confirmed by exact Jaccard; the first — "
        "already-split passages first, then file order — is kept) → assign new ids to train/dev/test "
        f"{'/'.join(str(int(r * 100)) for r in C.SPLIT_RATIOS.values())} by greedy rarest-category "
        f"stratification (seed {C.SPLIT_SEED}).",
        "",
        "## Authored corpus",
        "",
    ]
    if not passages:
        L += ["(no built corpus yet)", ""]
    else:
        if unassigned:
            L += [f"Passages without a split (run `nianbao data build`): {unassigned}", ""]
        L += _table("Passages", pas["passages"])
        L += _table("Statements", sts["statements"])
        L += _table("Role", sts["role"], ["problem", "remedy", "other"])
        L += _table("Category (statements carrying it; multi-label)", sts["category"],
                    [k for k in list(tax.problems) + list(tax.remedies)], names)
        L += _table("Specific vs generic, by role", sts["specific"])
        L += _table("Remedy status", sts["status"], ["done", "planned"])
        L += _table("Problem categories whose paired remedy (taxonomy pairs) is in the same passage",
                    paired, ["with paired remedy", "without"])
        L += _table("Section", pas["section"], ["1", "5", "6"])
        L += _table("Level", pas["level"], [l for l in tax.levels if any(pas["level"][s][l] for s in SPLITS)])
        L += _table("Year", pas["year"])
        L += _table("Style", pas["style"], [s for s in tax.styles if any(pas["style"][x][s] for x in SPLITS)])
        order = [_bucket(lo) for lo, _ in LENGTH_BUCKETS]
        L += _table("Passage length (characters)", pas["length"], order)
        L += _table("Statement length (characters)", sts["statement length"],
                    [_bucket(lo, STATEMENT_BUCKETS) for lo, _ in STATEMENT_BUCKETS])
        L += _table("Statements per passage", pas["statements per passage"], ["0", "1–2", "3–5", "6–9", "≥10"])

    L += ["## Seed gold", ""]
    gold = []
    if gold_path is not None and gold_path.is_file():
        gold = [obj for _, obj, err in C.read_jsonl(gold_path) if err is None]
    if not gold:
        L += ["(none)", ""]
    else:
        role = Counter(s["role"] for g in gold for s in g["statements"])
        cat = Counter(c for g in gold for s in g["statements"] for c in s["categories"])
        spec = Counter(s["specific"] for g in gold for s in g["statements"])
        status = Counter(s["status"] for g in gold for s in g["statements"] if s["role"] == "remedy")
        L += [
            f"{len(gold)} passages from {len({g['source'] for g in gold})} real reports (sections "
            f"{', '.join(sorted({str(g['section']) for g in gold}))}), "
            f"{sum(role.values())} statements: " + ", ".join(f"{k} {v}" for k, v in sorted(role.items())) + "; "
            f"specific {spec[True]}, generic {spec[False]}; remedies done {status['done']}, planned {status['planned']}.",
            "",
            "Categories: " + ", ".join(f"{k} {v}" for k, v in sorted(cat.items())) + ".",
            "",
            "Test-only: never train on these. Text is read from the seed files at run time "
            "(`training.corpus.load_gold`).",
            "",
        ]

    L += ["## Inter-annotator agreement", ""]
    skipped: list[str] = []
    try:
        agr = agreement_results(agreement_dir, seeds_dir, passages, skipped)
    except DataError as exc:
        agr = []
        L += [f"(agreement could not be computed: {exc})", ""]
    if not agr:
        L += ["(no double labelling yet: put one file per second annotator in `data/agreement/`)", ""]
    else:
        L += ["| pair | passages | statements a/b | span F1 exact | span F1 ≥50% overlap | category micro-F1 "
              "| role acc | specific κ | status acc |", "|---|---|---|---|---|---|---|---|---|"]
        for a, b, r in agr:
            L.append(f"| {a} vs {b} | {r['passages']} | {r['statements_a']}/{r['statements_b']} | "
                     f"{r['span_exact']['f1']:.3f} | {r['span_overlap']['f1']:.3f} | "
                     f"{r['category_micro']['f1']:.3f} | {_fmt(r['role_accuracy'])} | "
                     f"{_fmt(r['specific_kappa'])} | {_fmt(r['status_accuracy'])} |")
        L += ["", "Overlap match: one-to-one, overlap ≥ 50% of the longer span; category micro-F1, role, "
              "specific and status are computed over overlap-matched statements.", ""]
    if skipped:
        L += ["Not passage files (not used): " + "; ".join(skipped) + ".", ""]
    return "\n".join(L).rstrip() + "\n"


def _bucket_n(n: int) -> str:
    if n == 0:
        return "0"
    if n <= 2:
        return "1–2"
    if n <= 5:
        return "3–5"
    if n <= 9:
        return "6–9"
    return "≥10"


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.data_cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
