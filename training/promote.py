"""`nianbao promote RUN`: make a training run the shipped default, only if it is no worse.

The candidate (RUN/model) and the current default (model/default) are evaluated on the frozen
authored test split and on the real seed gold; the candidate must match or beat the default on span
F1 (>= 50 % overlap), role accuracy and category micro-F1 on both sets. The comparison is printed; on
refusal nothing is changed. Weights are written as fp16 safetensors (half the size; loaded as fp32).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

HEADLINE = ("span_overlap50", "role_accuracy", "category_micro_f1")


def headline(m: dict) -> dict[str, float]:
    return {
        "span_overlap50": m["span_overlap50"]["f1"],
        "role_accuracy": m["role_accuracy"],
        "category_micro_f1": m["category_micro_f1"],
    }


def compare(candidate: dict[str, dict], current: dict[str, dict] | None) -> tuple[bool, list[str]]:
    """Returns (accept, printable lines). Sets are compared by name; a set missing on either side is skipped."""
    lines, accept = [], True
    for name, cand in candidate.items():
        c = headline(cand)
        cur = headline(current[name]) if current and name in current else None
        for key in HEADLINE:
            if cur is None:
                lines.append(f"{name:16s} {key:18s} candidate {c[key]:.4f}   (no current default)")
                continue
            ok = round(c[key], 4) >= round(cur[key], 4)
            accept &= ok
            lines.append(f"{name:16s} {key:18s} candidate {c[key]:.4f}  current {cur[key]:.4f}  {'ok' if ok else 'WORSE'}")
    return accept, lines


def save_fp16(src: Path, dst: Path) -> None:
    from safetensors.torch import load_file, save_file

    tmp = dst.with_name(dst.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("model.safetensors"))
    state = load_file(str(src / "model.safetensors"))
    save_file({k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in state.items()},
              str(tmp / "model.safetensors"), metadata={"format": "pt", "dtype": "float16"})
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)


def add_arguments(parser) -> None:
    parser.add_argument("run", help="training run folder (holding model/) or a model directory")
    parser.add_argument("--target", default=None, help="default model directory (default: model/default)")
    parser.add_argument("--seeds", default=None, help="folder of real seed reports (default ../shared/seeds)")


def run(args) -> int:
    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger
    from training.evaluate import default_sets, evaluate_sets, format_metrics

    run_dir = Path(args.run)
    candidate_dir = run_dir / "model" if (run_dir / "model" / "nianbao.json").is_file() else run_dir
    target = Path(args.target) if args.target else DEFAULT_MODEL_DIR
    sets = default_sets(None, "test", args.seeds)

    def metrics_of(directory: Path) -> dict:
        tagger = StatementTagger.from_pretrained(directory)
        return evaluate_sets(lambda texts: [[s.to_dict() for s in ps] for ps in tagger.predict(texts)], sets)

    cand = metrics_of(candidate_dir)
    cur = metrics_of(target) if (target / "nianbao.json").is_file() else None
    for name, m in cand.items():
        print(format_metrics(f"candidate {name}", m))
    accept, lines = compare(cand, cur)
    print("\n".join(lines))
    if not accept:
        print(f"拒绝：{candidate_dir} 在上述指标上不如当前默认模型 {target}，未作改动。")
        return 1
    save_fp16(candidate_dir, target)
    (target / "metrics.json").write_text(json.dumps(cand, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"已将 {candidate_dir} 设为默认模型 -> {target}")
    return 0
