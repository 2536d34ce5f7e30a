"""Build writer A's labelled section-五 corpus.

Two sources go into ``data/corpus/src/writer_a.jsonl``:

1. Hand-written passages in ``hand_*.txt`` (a small markup, see ``parse_hand``).
2. Passages composed from the hand-written statement bank ``bank.json`` in the
   enumeration (一是…；二是…) and headed ((一)存在问题/(二)改进情况) layouts, until the
   volume and per-category targets are met.

Run: ``python data/corpus/authoring/writer_a/compose.py`` (fixed seed, deterministic).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from revise import check_status_applied, revise, revise_status, self_modal_re  # noqa: E402  (label revisions after the agreement study)
REPO = HERE.parents[3]
OUT = REPO / "data" / "corpus" / "src" / "writer_a.jsonl"
SEED = 20240611

LEVELS = ["省", "市", "县", "区", "乡镇", "街道", "部门", "开发区"]
STYLES = ["enumeration", "headed", "numbered", "prose", "mixed"]
PKEYS = [f"P{i:02d}" for i in range(1, 13)]
RKEYS = [f"R{i:02d}" for i in range(1, 13)]

# Targets for the whole file (hand-written + composed).
TARGET_PASSAGES = 340
TARGET_STATEMENTS = 2200
TARGET_PER_CAT = 58
MAX_USES = 3

# ---------------------------------------------------------------- hand-written
SPAN_RE = re.compile(r"\{([^{}|]+)\|([^{}|]*)\}")


def parse_flags(flags: str, where: str) -> dict:
    parts = flags.split()
    keys = parts[0].split(",")
    rest = set(parts[1:])
    if keys == ["O"]:
        seg = {"role": "other", "categories": [], "specific": "s" in rest}
        return seg
    if all(k in PKEYS for k in keys):
        role = "problem"
    elif all(k in RKEYS for k in keys):
        role = "remedy"
    else:
        raise ValueError(f"{where}: bad keys {keys}")
    if not ({"s", "g"} & rest):
        raise ValueError(f"{where}: specific flag missing in {flags!r}")
    seg = {"role": role, "categories": keys, "specific": "s" in rest}
    if role == "remedy":
        st = {"d": "done", "p": "planned"}
        got = [st[f] for f in rest if f in st]
        if len(got) != 1:
            raise ValueError(f"{where}: remedy needs exactly one of d/p in {flags!r}")
        seg["status"] = got[0]
    elif {"d", "p"} & rest:
        raise ValueError(f"{where}: status on a non-remedy {flags!r}")
    return seg


def body_to_segments(body: str, where: str) -> list[dict]:
    segs: list[dict] = []
    pos = 0
    for m in SPAN_RE.finditer(body):
        if m.start() > pos:
            segs.append({"text": body[pos : m.start()]})
        seg = {"text": m.group(2)}
        seg.update(parse_flags(m.group(1), where))
        segs.append(seg)
        pos = m.end()
    if pos < len(body):
        segs.append({"text": body[pos:]})
    for s in segs:
        if "role" not in s and ("{" in s["text"] or "}" in s["text"] or "|" in s["text"]):
            raise ValueError(f"{where}: stray markup in {s['text']!r}")
    return merge_connectives(segs)


def merge_connectives(segs: list[dict]) -> list[dict]:
    out: list[dict] = []
    for s in segs:
        if not s["text"]:
            continue
        if "role" not in s and out and "role" not in out[-1]:
            out[-1]["text"] += s["text"]
        else:
            out.append(s)
    return out


def parse_hand(path: Path) -> list[dict]:
    passages = []
    cur = None
    lines: list[str] = []

    def flush():
        if cur is None:
            return
        body = "\n".join(lines).strip()
        where = f"{path.name}:{cur['line']}"
        segs = body_to_segments(body, where)
        passages.append({"year": cur["year"], "level": cur["level"], "section": 5,
                         "style": cur["style"], "segments": segs, "_src": where})

    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            flush()
            year, level, style = line[3:].split()
            assert level in LEVELS and style in STYLES, (path, no, line)
            cur = {"year": int(year), "level": level, "style": style, "line": no}
            lines = []
        elif line.startswith("#") and cur is None:
            continue
        elif cur is not None:
            lines.append(line.rstrip())
    flush()
    return passages


# ---------------------------------------------------------------- composition
class Entry:
    """One bank statement: text with placeholders plus tags."""

    def __init__(self, raw: str, cat: str, role: str, specific: bool, status: str | None):
        text, _, tags = raw.partition("|")
        self.text = text.strip()
        self.cats = [cat]
        self.years = (2019, 2025)
        self.levels: set[str] | None = None
        for t in tags.split():
            if t.startswith("@"):
                a, b = t[1:].split("-")
                self.years = (int(a), int(b))
            elif t.startswith("%"):
                self.levels = set(t[1:].split(","))
            elif t in PKEYS or t in RKEYS:
                self.cats.append(t)
            else:
                raise ValueError(f"bad tag {t!r} in {raw!r}")
        self.role, self.specific, self.status = role, specific, status
        self.uses = 0

    def fits(self, ctx: dict) -> bool:
        if not (self.years[0] <= ctx["year"] <= self.years[1]):
            return False
        if self.levels is not None and ctx["level"] not in self.levels:
            return False
        if "{vil}" in self.text and ctx["level"] == "开发区":
            return False
        return self.uses < MAX_USES


class Composer:
    def __init__(self, bank: dict, rng: random.Random):
        self.b = bank
        self.rng = rng
        self.entries: dict[tuple, list[Entry]] = {}
        for cat, d in bank["problems"].items():
            for spec in ("generic", "specific"):
                self.entries[(cat, spec == "specific", None)] = [
                    Entry(r, cat, "problem", spec == "specific", None) for r in d[spec]]
        for cat, d in bank["remedies"].items():
            for status in ("done", "planned"):
                for spec in ("generic", "specific"):
                    self.entries[(cat, spec == "specific", status)] = [
                        Entry(r, cat, "remedy", spec == "specific", status)
                        for r in d[f"{status}_{spec}"]]
        self.other: dict[str, list[Entry]] = {
            k: [Entry(r, "O", "other", k.endswith("specific"), None) for r in bank[k]]
            for k in ("achievements_generic", "achievements_specific", "no_problem")}
        for lst in self.other.values():
            for e in lst:
                e.cats = []
        self.freq = bank["frequency"]
        self.pairs = bank["pairs"]

    # ---- placeholders
    def context(self, level: str, year: int) -> dict:
        v = self.b["vocab"][level]
        rng = self.rng
        sfx = rng.choice(v["suffix"])
        place = rng.choice(self.b["places"])
        ctx = {"level": level, "year": year, "sfx": sfx}
        fill = {"sfx": sfx, "place": place}
        for key in ("we", "gov", "office", "sub", "vil", "site", "wx", "sup", "self"):
            opts = v[key]
            if isinstance(opts, dict):
                opts = opts.get(sfx, opts["*"])
            ctx[key] = rng.choice(opts).format(**fill)
        ctx["name"] = place + sfx
        ctx["y"], ctx["ny"], ctx["py"] = str(year), str(year + 1), str(year - 1)
        return ctx

    def render(self, text: str, ctx: dict) -> str:
        def sub(m):
            k = m.group(1)
            if k.startswith("n:"):
                a, b = k[2:].split("-")
                return str(self.rng.randint(int(a), int(b)))
            return ctx[k]

        out = re.sub(r"\{([a-z]+(?::\d+-\d+)?)\}", sub, text)
        if "{" in out or "}" in out:
            raise ValueError(f"unrendered placeholder in {text!r}")
        return out

    def pick_text(self, key: str, ctx: dict) -> str:
        return self.render(self.rng.choice(self.b[key]), ctx)

    # ---- statements
    def take(self, cat: str, status: str | None, ctx: dict, spec_p: float = 0.42) -> Entry | None:
        want_spec = self.rng.random() < spec_p
        for spec in (want_spec, not want_spec):
            pool = [e for e in self.entries.get((cat, spec, status), []) if e.fits(ctx)]
            if pool:
                low = min(e.uses for e in pool)
                e = self.rng.choice([e for e in pool if e.uses == low])
                return e
        return None

    def take_other(self, key: str, ctx: dict) -> Entry | None:
        pool = [e for e in self.other[key] if e.fits(ctx)]
        if not pool:
            return None
        low = min(e.uses for e in pool)
        return self.rng.choice([e for e in pool if e.uses == low])

    def seg(self, e: Entry, ctx: dict, prefix: str = "") -> dict:
        s = {"text": prefix + self.render(e.text, ctx), "role": e.role,
             "categories": list(e.cats), "specific": e.specific}
        if e.role == "remedy":
            s["status"] = e.status
        return s

    def capacity(self, cat: str) -> float:
        """Share of the category's bank uses still available (0 when exhausted)."""
        pool = [e for k, lst in self.entries.items() if k[0] == cat for e in lst]
        return sum(MAX_USES - e.uses for e in pool) / (MAX_USES * len(pool))

    def weight(self, cat: str, counts: Counter) -> float:
        # Flattened real frequency plus a push towards the per-category target,
        # scaled by how much of the category's bank is still unused.
        deficit = max(0, TARGET_PER_CAT - counts[cat])
        w = self.freq[cat] ** 0.5 + 4.0 * deficit / TARGET_PER_CAT
        return w * self.capacity(cat) + 1e-6

    def choose_cats(self, keys: list[str], k: int, counts: Counter) -> list[str]:
        chosen: list[str] = []
        for _ in range(k):
            cand = [c for c in keys if c not in chosen]
            w = [self.weight(c, counts) for c in cand]
            chosen.append(self.rng.choices(cand, w)[0])
        return chosen

    def remedy_cats(self, pcats: list[str], k: int, counts: Counter) -> list[str]:
        out: list[str] = []
        for pc in pcats:
            if len(out) >= k:
                break
            if self.rng.random() < 0.72:
                rc = self.rng.choice(self.pairs[pc])
                if rc not in out and self.capacity(rc) > 0:
                    out.append(rc)
        while len(out) < k:
            cand = [c for c in RKEYS if c not in out]
            out.append(self.rng.choices(cand, [self.weight(c, counts) for c in cand])[0])
        self.rng.shuffle(out) if self.rng.random() < 0.3 else None
        return out

    # ---- lists
    def markers(self, n: int) -> list[str]:
        cn = "一二三四五六七八九十"
        if n == 1 and self.rng.random() < 0.5:
            return [""]
        r = self.rng.random()
        if r < 0.86:
            return [f"{cn[i]}是" for i in range(n)]
        if r < 0.93:
            return [f"其{cn[i]}，" for i in range(n)]
        seq = ["首先，", "其次，", "再次，", "此外，", "同时，", "另外，", "还有，", "最后，"]
        return seq[: n - 1] + ["最后，"] if n > 1 else ["首先，"]

    def item_list(self, items: list[list[dict]], ctx: dict, sep: str | None = None) -> list[dict]:
        """items: each a list of labelled segs (1 or 2, joined by '，')."""
        sep = sep or self.rng.choice(["；", "；", "；", "。"])
        marks = self.markers(len(items))
        out: list[dict] = []
        for i, it in enumerate(items):
            out.append({"text": marks[i]})
            for j, s in enumerate(it):
                if j:
                    out.append({"text": "，"})
                out.append(s)
            out.append({"text": sep if i < len(items) - 1 else "。"})
        return out

    def problem_items(self, cats: list[str], ctx: dict) -> list[list[dict]]:
        segs = []
        for c in cats:
            e = self.take(c, None, ctx)
            if e is None:
                continue
            e.uses += 1
            s = self.seg(e, ctx)
            if self.rng.random() < 0.16:
                s["text"] = self.with_head(c, s["text"])
            segs.append(s)
        items: list[list[dict]] = []
        i = 0
        while i < len(segs):
            if i + 1 < len(segs) and self.rng.random() < 0.12:
                items.append([segs[i], segs[i + 1]])
                i += 2
            else:
                items.append([segs[i]])
                i += 1
        return items

    def with_head(self, cat: str, text: str) -> str:
        """Prefix a short item heading, making the statement span two sentences.

        Skipped when the heading would repeat words of the statement itself."""
        head = self.rng.choice(self.b["heads"].get(cat, [""]))
        if not head or grams(head, 2) & grams(text[:12], 2):
            return text
        return head + "。" + text

    def remedy_items(self, cats: list[str], status: str, ctx: dict) -> list[list[dict]]:
        items = []
        for c in cats:
            e = self.take(c, status, ctx)
            if e is None:
                continue
            e.uses += 1
            s = self.seg(e, ctx)
            if self.rng.random() < 0.18:
                s["text"] = self.with_head(c, s["text"])
            items.append([s])
        return items

    # ---- passages
    def passage(self, counts: Counter) -> dict:
        rng = self.rng
        level = rng.choices(["县", "区", "乡镇", "街道", "开发区"], [28, 22, 24, 14, 12])[0]
        year = rng.randint(2019, 2025)
        ctx = self.context(level, year)
        style = rng.choices(["enumeration", "headed"], [56, 44])[0]
        shape = rng.choices(["pr", "p_only", "r_only", "noprob", "prr"], [52, 9, 13, 7, 19])[0]
        n = rng.choices(range(2, 9), [9, 15, 20, 19, 15, 12, 10])[0]
        if shape == "prr":
            n = max(n, 3)
        if shape == "pr" or shape == "prr":
            kp = max(1, min(n - 1, round(n * rng.uniform(0.35, 0.6))))
            kr = n - kp
        elif shape == "p_only":
            kp, kr = n, 0
        else:
            kp, kr = 0, n
        pcats = self.choose_cats(PKEYS, min(kp, 8), counts) if kp else []
        rcats = self.remedy_cats(pcats, min(kr, 8), counts) if kr else []
        segs: list[dict] = []
        if rng.random() < 0.18:
            segs.append({"text": self.pick_text("section_titles", ctx) + "\n"})
        if style == "enumeration":
            segs += self.enumeration(shape, pcats, rcats, ctx)
        else:
            segs += self.headed(shape, pcats, rcats, ctx)
        segs = merge_connectives(segs)
        return {"year": year, "level": level, "section": 5, "style": style, "segments": segs}

    def enumeration(self, shape, pcats, rcats, ctx) -> list[dict]:
        rng = self.rng
        segs: list[dict] = []
        if shape in ("pr", "p_only", "prr"):
            if rng.random() < 0.55:
                lead = self.pick_text("openings", ctx) + self.pick_text("problem_leadins_contrast", ctx)
            else:
                lead = self.pick_text("problem_leadins", ctx)
            segs.append({"text": lead})
            segs += self.item_list(self.problem_items(pcats, ctx), ctx)
        if shape == "noprob":
            e = self.take_other("no_problem", ctx)
            if e:
                e.uses += 1
                segs.append(self.seg(e, ctx))
                segs.append({"text": "。"})
        if shape == "prr":
            k = max(1, len(rcats) // 2)
            segs.append({"text": self.pick_text("done_leadins", ctx)})
            segs += self.item_list(self.remedy_items(rcats[:k], "done", ctx), ctx)
            segs += self.maybe_achievement(ctx)
            segs.append({"text": self.pick_text("planned_leadins", ctx)})
            segs += self.item_list(self.remedy_items(rcats[k:], "planned", ctx), ctx)
        elif rcats:
            status = "planned" if shape == "noprob" else rng.choice(["done", "planned"])
            if shape == "r_only":
                key = "remedy_only_done" if status == "done" else "remedy_only_planned"
            else:
                key = "done_leadins" if status == "done" else "planned_leadins"
            segs.append({"text": self.pick_text(key, ctx)})
            segs += self.item_list(self.remedy_items(rcats, status, ctx), ctx)
            if status == "done":
                segs += self.maybe_achievement(ctx)
        if rng.random() < 0.35:
            segs.append({"text": self.pick_text("closings", ctx)})
        return segs

    def maybe_achievement(self, ctx) -> list[dict]:
        if self.rng.random() >= 0.22:
            return []
        key = "achievements_specific" if self.rng.random() < 0.5 else "achievements_generic"
        e = self.take_other(key, ctx)
        if not e:
            return []
        e.uses += 1
        return [{"text": self.rng.choice(["通过整改，", "经过努力，", "", "截至年底，"])},
                self.seg(e, ctx), {"text": "。"}]

    def headed(self, shape, pcats, rcats, ctx) -> list[dict]:
        rng = self.rng
        t = self.b["headed_titles"]
        nums = ["（一）", "（二）", "（三）"]
        if rng.random() < 0.15:
            nums = ["", "", ""]
        segs: list[dict] = []
        part = 0
        if shape in ("pr", "p_only", "prr"):
            head = nums[part] + rng.choice(t["problem"]) + ("：" if not nums[part] else "") + "\n"
            lead = self.pick_text("headed_problem_leads", ctx) if rng.random() < 0.45 else ""
            segs.append({"text": head + lead})
            segs += self.item_list(self.problem_items(pcats, ctx), ctx)
            part += 1
        if shape == "noprob":
            e = self.take_other("no_problem", ctx)
            head = nums[part] + rng.choice(t["problem"]) + ("：" if not nums[part] else "") + "\n"
            segs.append({"text": head})
            if e:
                e.uses += 1
                segs += [self.seg(e, ctx), {"text": "。"}]
            part += 1
        groups = []
        if shape == "prr":
            k = max(1, len(rcats) // 2)
            groups = [("done", rcats[:k]), ("planned", rcats[k:])]
        elif rcats:
            if shape == "noprob":
                status = "planned"
            elif shape == "r_only":
                status = rng.choice(["done", "done", "planned"])
            else:
                status = rng.choice(["done", "done", "planned"])
            groups = [(status, rcats)]
        for status, cats in groups:
            if not cats:
                continue
            title = rng.choice(t[status])
            sep = "\n" if segs else ""
            head = sep + nums[min(part, 2)] + title + ("：" if not nums[min(part, 2)] else "") + "\n"
            lead_key = "headed_done_leads" if status == "done" else "headed_planned_leads"
            lead = self.pick_text(lead_key, ctx) if rng.random() < 0.5 else ""
            segs.append({"text": head + lead})
            segs += self.item_list(self.remedy_items(cats, status, ctx), ctx)
            if status == "done":
                segs += self.maybe_achievement(ctx)
            part += 1
        return segs


def grams(text: str, n: int = 5) -> set[str]:
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


def overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def labelled(p: dict) -> list[dict]:
    return [s for s in p["segments"] if "role" in s]


def main() -> int:
    rng = random.Random(SEED)
    passages = []
    for f in sorted(HERE.glob("hand_*.txt")):
        passages += parse_hand(f)
    n_hand = len(passages)
    counts: Counter = Counter()
    n_stat = 0
    for p in passages:
        for s in labelled(p):
            counts.update(s["categories"])
            n_stat += 1
    bank = json.loads((HERE / "bank.json").read_text(encoding="utf-8"))
    comp = Composer(bank, rng)
    # A bank statement also written verbatim in a hand-written passage counts as used there.
    hand_spans = Counter(s["text"] for p in passages for s in labelled(p))
    for lst in list(comp.entries.values()) + list(comp.other.values()):
        for e in lst:
            if "{" not in e.text:
                e.uses = hand_spans[e.text]
    seen = [grams("".join(s["text"] for s in p["segments"])) for p in passages]
    tries = 0
    while (len(passages) < TARGET_PASSAGES or n_stat < TARGET_STATEMENTS
           or any(counts[c] < TARGET_PER_CAT for c in PKEYS + RKEYS)):
        tries += 1
        if tries > 5000:
            print("could not reach targets", file=sys.stderr)
            break
        p = comp.passage(counts)
        labs = labelled(p)
        if not labs:
            continue
        g = grams("".join(s["text"] for s in p["segments"]))
        if any(overlap(g, o) > 0.6 for o in seen):
            continue  # uses already counted; acceptable small waste
        seen.append(g)
        passages.append(p)
        for s in labs:
            counts.update(s["categories"])
            n_stat += 1
    # The body's own names ("我县", "云溪镇"...) for the B6 self-reference rule.
    names = set()
    for v in bank["vocab"].values():
        sfxs = v["suffix"]
        for sfx in sfxs:
            opts = v["we"] if isinstance(v["we"], list) else v["we"].get(sfx, v["we"]["*"])
            for o in opts:
                names.update(o.format(sfx=sfx, place=pl) for pl in bank["places"])
    names_re = self_modal_re(sorted(names))
    revised: Counter = Counter()
    for p in passages:
        revised += revise(p, names_re)
    with OUT.open("w", encoding="utf-8") as fh:
        for i, p in enumerate(passages, 1):
            rec = {"id": f"wa-{i:04d}", "year": p["year"], "level": p["level"], "section": 5,
                   "style": p["style"], "segments": p["segments"]}
            revised += revise_status(rec)  # R-4 needs the id
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    check_status_applied("wa-", {f"wa-{i:04d}" for i in range(1, len(passages) + 1)})
    n_final = sum(len(labelled(p)) for p in passages)
    print(f"revisions: {dict(sorted(revised.items()))}")
    print(f"hand-written {n_hand}, composed {len(passages) - n_hand}, statements {n_final} -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
