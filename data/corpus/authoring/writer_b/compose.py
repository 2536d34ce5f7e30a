"""Writer B corpus builder.

Reads the hand-written passages (hand_*.txt, inline markup) and the statement bank (bank.json),
composes further passages from the bank in writer B's layouts (numbered lists, run-on prose,
mixed; section 一 / 六 passages), and writes data/corpus/src/writer_b.jsonl.

Hand-written markup: a passage starts with a header line
    @@ <year> <level> <section> <style>
followed by its text. Labelled statements are written inline as
    {P01,P10|s|text}        problem, specific
    {R09,R03|g|p|text}      remedy, generic, planned (d = done)
    {O|s|text}              other statement (categories [])
Everything outside braces is connective text.

Bank strings carry flags before "|": g/s (generic/specific), then for remedies p/d
(planned/done); an optional "@部门" / "@市省" suffix restricts the body level.
Placeholders: {self} {units} {site} {year} {next} {prev} {n} (2-9, repeated {n} non-increasing)
{m} (10-90) {k} (100-5000).

Run: python data/corpus/authoring/writer_b/compose.py   (deterministic, seed 20240607)
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from revise import check_status_applied, revise, revise_status, self_modal_re  # noqa: E402  (label revisions after the agreement study)
REPO = HERE.parents[3]
OUT = REPO / "data" / "corpus" / "src" / "writer_b.jsonl"
SEED = 20240607
MAX_USES = 3
TARGET_SEC5 = 350
TARGET_SEC16 = 200
JACCARD_LIMIT = 0.7  # compose rejects candidates above this (the check itself uses 0.8)

PAIRS = {"P01": ["R01"], "P02": ["R05"], "P03": ["R06"], "P04": ["R08"], "P05": ["R09"],
         "P06": ["R02"], "P07": ["R07"], "P08": ["R03", "R01"], "P09": ["R04"],
         "P10": ["R10", "R03"], "P11": ["R12"], "P12": ["R11"]}
MARK = re.compile(r"\{([A-Z0-9,]+)\|([gs])\|(?:([dp])\|)?([^{}]*)\}")


# ---------------------------------------------------------------- hand-written passages
def parse_hand(path: Path) -> list[dict]:
    passages = []
    header, lines = None, []

    def flush():
        if header is None:
            return
        year, level, section, style = header.split()
        body = "\n".join(lines).strip("\n")
        segs, pos = [], 0
        for m in MARK.finditer(body):
            if m.start() > pos:
                segs.append({"text": body[pos:m.start()]})
            cats, spec, status, text = m.groups()
            seg = {"text": text}
            if cats == "O":
                seg.update(role="other", categories=[], specific=spec == "s")
            else:
                cl = cats.split(",")
                seg.update(role="problem" if cl[0].startswith("P") else "remedy", categories=cl,
                           specific=spec == "s")
                if seg["role"] == "remedy":
                    if status is None:
                        raise ValueError(f"{path.name}: remedy without status: {text}")
                    seg["status"] = {"d": "done", "p": "planned"}[status]
            segs.append(seg)
            pos = m.end()
        if pos < len(body):
            segs.append({"text": body[pos:]})
        if "{" in "".join(s["text"] for s in segs if "role" not in s):
            raise ValueError(f"{path.name}: unparsed markup near {body[:40]}")
        passages.append({"year": int(year), "level": level, "section": int(section), "style": style,
                         "segments": segs})

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("@@"):
            flush()
            header, lines = line[2:].strip(), []
        elif line.startswith("#") and header is None:
            continue
        else:
            lines.append(line)
    flush()
    return passages


# ---------------------------------------------------------------- bank
class Bank:
    def __init__(self, data: dict, rng: random.Random):
        self.rng = rng
        self.items: dict[str, list[dict]] = defaultdict(list)  # category -> items
        self.frames = data["frames"]
        self.bodies = data["bodies"]
        self.uses: Counter = Counter()
        for sec in ("problems", "remedies"):
            for key, lst in data[sec].items():
                cats = key.split("+")
                for s in lst:
                    it = self._item(s, "problem" if sec == "problems" else "remedy", cats)
                    for c in cats:
                        self.items[c].append(it)
        for group, lst in data["other"].items():
            for s in lst:
                self.items["O:" + group].append(self._item(s, "other", []))
        for cat, lst in data["s6_remedy"].items():
            for s in lst:
                self.items["S6R"].append(self._item(s, "remedy", [cat]))

    @staticmethod
    def _item(s: str, role: str, cats: list[str]) -> dict:
        flags, text = s.split("|", 1)
        levels = None
        if "@" in flags:
            flags, lv = flags.split("@")
            levels = {"部门": ["部门"], "市省": ["市", "省"], "市": ["市"], "省": ["省"]}[lv]
        it = {"tpl": text, "role": role, "categories": cats, "specific": flags[0] == "s", "levels": levels}
        if role == "remedy":
            it["status"] = {"p": "planned", "d": "done"}[flags[1]]
        return it

    def pick(self, key: str, level: str, *, specific: bool | None = None, status: str | None = None,
             avoid: set | None = None) -> dict | None:
        pool = [it for it in self.items[key]
                if self.uses[id(it)] < MAX_USES and (it["levels"] is None or level in it["levels"])
                and (status is None or it.get("status") == status) and id(it) not in (avoid or set())]
        if specific is not None and any(it["specific"] == specific for it in pool):
            pool = [it for it in pool if it["specific"] == specific]
        if not pool:
            return None
        low = min(self.uses[id(it)] for it in pool)
        pool = [it for it in pool if self.uses[id(it)] == low]
        return self.rng.choice(pool)


class Ctx:
    """Placeholder filler for one passage."""

    def __init__(self, rng: random.Random, body: dict, year: int):
        self.rng, self.body, self.year = rng, body, year
        self.self_name = rng.choice(body["self"])
        self.site = rng.choice(body["site"])

    def fill(self, tpl: str) -> str:
        last = {"n": None, "m": None, "k": None}

        def rep(m):
            k = m.group(1)
            if k == "self":
                return self.self_name
            if k == "units":
                return self.rng.choice(self.body["units"])
            if k == "site":
                return self.site
            if k == "year":
                return str(self.year)
            if k == "next":
                return str(self.year + 1)
            if k == "prev":
                return str(self.year - 1)
            if k in ("n", "m", "k"):
                # a repeated number placeholder never exceeds the previous one ("N件，其中M件")
                lo, hi = {"n": (2, 9), "m": (10, 90), "k": (100, 5000)}[k]
                if last[k] is not None:
                    lo, hi = min(lo, last[k]) if k != "n" else 1, last[k]
                    lo = max(1, min(lo, hi))
                    v = self.rng.randint(lo, hi)
                elif k == "k":
                    v = self.rng.choice([self.rng.randint(100, 999), self.rng.randint(1000, 5000)])
                else:
                    v = self.rng.randint(lo, hi)
                last[k] = v
                return str(v)
            raise KeyError(k)

        return re.sub(r"\{(\w+)\}", rep, tpl)


# ---------------------------------------------------------------- similarity guard
def grams(text: str) -> set:
    return {text[i:i + 5] for i in range(len(text) - 4)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


# ---------------------------------------------------------------- composer
class Composer:
    def __init__(self, bank: Bank, rng: random.Random, hand: list[dict]):
        self.bank, self.rng = bank, rng
        self.cat_count: Counter = Counter()
        self.misses = 0
        self.passages: list[dict] = []
        self.gram_sets: list[set] = []
        self.texts: set = set()
        self.stmt_uses: Counter = Counter()  # filled statement text -> uses over all passages
        for p in hand:
            self._accept(p)

    # bookkeeping
    def _accept(self, p: dict) -> bool:
        text = "".join(s["text"] for s in p["segments"])
        g = grams(text)
        if text in self.texts:
            return False
        local = Counter(s["text"] for s in p["segments"] if "role" in s)
        if any(self.stmt_uses[t] + c > MAX_USES for t, c in local.items()):
            return False
        if any(jaccard(g, h) > JACCARD_LIMIT for h in self.gram_sets):
            return False
        self.texts.add(text)
        self.gram_sets.append(g)
        self.passages.append(p)
        self.stmt_uses.update(local)
        for s in p["segments"]:
            for c in s.get("categories", []):
                self.cat_count[c] += 1
        return True

    def _need(self, prefix: str, k: int, exclude=()) -> list[str]:
        cats = [f"{prefix}{i:02d}" for i in range(1, 13) if f"{prefix}{i:02d}" not in exclude]
        out = []
        for _ in range(k):
            cand = [c for c in cats if c not in out]
            w = [1.0 / (1 + self.cat_count[c] + 6 * out.count(c)) ** 2 for c in cand]
            out.append(self.rng.choices(cand, weights=w)[0])
        return out

    def _stmt(self, ctx: Ctx, it: dict, picked: list) -> dict:
        picked.append(it)
        seg = {"text": ctx.fill(it["tpl"]), "role": it["role"], "categories": list(it["categories"]),
               "specific": it["specific"]}
        if it["role"] == "remedy":
            seg["status"] = it["status"]
        return seg

    def _commit(self, p: dict, picked: list) -> bool:
        if not self._accept(p):
            return False
        for it in picked:
            self.bank.uses[id(it)] += 1
        return True

    def _choose_body_year(self, sec16=False):
        body = self.rng.choices(self.bank.bodies, weights=[5, 3, 3, 2, 2, 1, 4, 2])[0]
        year = self.rng.choices([2019, 2020, 2021, 2022, 2023, 2024], weights=[1, 1.5, 3, 3, 3, 2.5])[0]
        return body, year

    # ---- section 五
    def compose5(self) -> bool:
        rng, bank = self.rng, self.bank
        body, year = self._choose_body_year()
        level = body["level"]
        ctx = Ctx(rng, body, year)
        kind = rng.choices(["both", "p_only", "r_only", "offtopic", "mismatch"], weights=[50, 10, 14, 10, 16])[0]
        n_p = 0 if kind == "r_only" else rng.choice([1, 2, 2, 3, 3, 4])
        n_r = 0 if kind == "p_only" else rng.choice([1, 2, 2, 3, 3, 4])
        if n_p + n_r < 2:
            n_r = max(n_r, 1) if kind != "p_only" else n_r
            n_p = n_p if kind == "r_only" else max(n_p, 1)
            if n_p + n_r < 2:
                if kind == "r_only":
                    n_r = 2
                else:
                    n_p = 2
        picked: list = []
        want_generic = lambda: rng.random() < 0.6
        pcats = self._need("P", n_p)
        probs = []
        used = set()
        for c in pcats:
            it = bank.pick(c, level, specific=not want_generic(), avoid=used)
            if it:
                used.add(id(it))
                probs.append(self._stmt(ctx, it, picked))
        status_mode = rng.choices(["planned", "done", "both"], weights=[55, 30, 15])[0]
        if kind == "r_only":
            status_mode = rng.choice(["done", "done", "planned", "both"])
        if kind == "mismatch" and pcats:
            paired = {r for c in pcats for r in PAIRS[c]}
            rcats = self._need("R", n_r, exclude=paired)
        elif pcats and rng.random() < 0.8:
            rcats = []
            for c in pcats:
                rcats.append(rng.choice(PAIRS[c]))
            rcats = rcats[:n_r] + self._need("R", max(0, n_r - len(rcats)))
            rcats = list(dict.fromkeys(rcats)) or self._need("R", n_r)
        else:
            rcats = self._need("R", n_r)
        rems_done, rems_plan = [], []
        for i, c in enumerate(rcats):
            st = status_mode if status_mode != "both" else ("done" if i < max(1, len(rcats) // 2) else "planned")
            it = bank.pick(c, level, specific=not want_generic(), status=st, avoid=used)
            if it:
                used.add(id(it))
                (rems_done if st == "done" else rems_plan).append(self._stmt(ctx, it, picked))
        if len(probs) + len(rems_done) + len(rems_plan) < 2:
            return False
        style = rng.choices(["numbered", "prose", "mixed"], weights=[40, 35, 25])[0]
        segs: list[dict] = []
        if kind == "offtopic":
            it = bank.pick("O:s5_offtopic", level)
            if it:
                segs += [self._stmt(ctx, it, picked), {"text": "。" if rng.random() < 0.6 else "。\n"}]
        p_style = r_style = style
        if style == "mixed":
            p_style, r_style = rng.choice([("numbered", "prose"), ("prose", "numbered")])
        if probs:
            segs += self._block(ctx, probs, p_style, "p")
        if rems_done:
            opening = not segs
            if segs:
                segs.append({"text": "\n" if rng.random() < 0.6 else ""})
            segs += self._block(ctx, rems_done, r_style, "d", opening)
        if rems_plan:
            opening = not segs
            if segs:
                segs.append({"text": "\n" if rng.random() < 0.6 else ""})
            segs += self._block(ctx, rems_plan, r_style, "p_r", opening)
        if rng.random() < 0.2:
            it = bank.pick("O:closing", level)
            if it:
                segs += [{"text": rng.choice(["", "\n", "通过以上举措，"])}, self._stmt(ctx, it, picked), {"text": "。"}]
        p = {"year": year, "level": level, "section": 5, "style": style, "segments": merge_connectives(segs)}
        return self._commit(p, picked)

    def _block(self, ctx: Ctx, stmts: list[dict], style: str, which: str, opening: bool = False) -> list[dict]:
        rng = self.rng
        fr = self.bank.frames
        leads = {"p": fr["p_lead"], "d": fr["r_lead_done"], "p_r": fr["r_lead_planned"]}[which]
        if opening:  # nothing precedes this block: no anaphoric "为此"
            leads = [l for l in leads if not l.startswith("为此")]
        if style == "numbered":
            leads = [l for l in leads if l.endswith("：")]
        first = stmts[0]["text"]
        ok = []
        for l in leads:
            tail = l[-1]
            if tail not in "：，" and (first[:1].isdigit() or first.startswith(ctx.self_name) or first.startswith("将")):
                continue
            if ("{next}年" in l or "{year}年" in l) and first[:4].isdigit():
                continue
            ok.append(l)
        lead = ctx.fill(rng.choice(ok or ["存在问题："]))
        segs = []
        if style == "numbered":
            fmt = rng.choice(["{i}.", "{i}、", "（{i}）", "({i})"]) if len(stmts) > 1 else ""
            sep_line = rng.random() < 0.6
            segs.append({"text": lead + ("\n" if sep_line else "")})
            for i, s in enumerate(stmts, 1):
                segs.append({"text": ("" if i == 1 else ("。\n" if sep_line else "；")) + fmt.format(i=i)})
                segs.append(s)
            segs.append({"text": "。"})
        else:
            segs.append({"text": lead})
            orders = ["首先，", "其次，", "再次，", "最后，"]
            use_order = len(stmts) >= 2 and lead[-1:] in "：，" and rng.random() < 0.25
            for i, s in enumerate(stmts):
                if use_order:
                    pre = ("" if i == 0 else "；") + (orders[i] if i < len(stmts) - 1 or len(stmts) <= 3 else orders[3])
                    if i == len(stmts) - 1 and i > 0:
                        pre = "；" + orders[3]
                else:
                    pre = "" if i == 0 else rng.choice(self.bank.frames["joiners"] + ["。", "；"])
                    if i and s["text"][:1].isdigit() and pre.endswith("同时"):
                        pre = "；"
                segs.append({"text": pre})
                segs.append(s)
            segs.append({"text": "。"})
        return segs

    # ---- sections 一 and 六
    def compose1(self) -> bool:
        rng, bank = self.rng, self.bank
        body, year = self._choose_body_year()
        level = body["level"]
        ctx = Ctx(rng, body, year)
        picked: list = []
        segs: list[dict] = []
        parts = [("主动公开", "O:s1_active"), ("依申请公开", "O:s1_request"), ("政府信息管理", "O:s1_manage"),
                 ("政府信息公开平台建设", "O:s1_platform"), ("监督保障", "O:s1_supervision")]
        intro = None
        if rng.random() < 0.7:
            it = bank.pick("O:s1_intro", level)
            if it:
                intro = self._stmt(ctx, it, picked)
                segs += [intro, {"text": "。\n"}]
        k = rng.choice([1, 2, 2, 3, 4, 5])
        start = rng.randint(0, 5 - k)
        chosen = parts[start:start + k]
        numer = rng.choice(["（{c}）{t}情况\n", "（{c}）{t}\n", "{i}.{t}。", "（{c}）{t}情况。"])
        cn = "一二三四五"
        for j, (title, key) in enumerate(chosen):
            head = {"text": numer.format(c=cn[start + j], i=start + j + 1, t=title)}
            cnt = rng.choice([1, 2, 2, 3])
            got = 0
            avoid = set()
            for _ in range(cnt):
                it = bank.pick(key, level, avoid=avoid)
                if not it:
                    self.misses += 1
                    break
                avoid.add(id(it))
                segs += [head if got == 0 else {"text": rng.choice(["。", "；", "，"])}, self._stmt(ctx, it, picked)]
                got += 1
            if got:
                segs.append({"text": "。\n"})
        if not picked:
            return False
        style = "subparts" if len(chosen) > 1 else "prose"
        if intro is not None and len(picked) > 1:
            # B5: a guiding-idea opening sentence followed by statements is connective
            segs[segs.index(intro)] = {"text": intro["text"]}
        p = {"year": year, "level": level, "section": 1, "style": style, "segments": merge_connectives(segs)}
        return self._commit(p, picked)

    def compose6(self) -> bool:
        rng, bank = self.rng, self.bank
        body, year = self._choose_body_year()
        level = body["level"]
        ctx = Ctx(rng, body, year)
        picked: list = []
        fee_ok = year >= 2021 or (year == 2020 and rng.random() < 0.3)
        form = rng.choices(["fee", "none", "sub", "prose"], weights=[18, 5, 45, 32])[0]
        if form == "fee" and not fee_ok:
            form = "prose"
        segs: list[dict] = []

        def add(key, pre=""):
            it = bank.pick(key, level, avoid={id(x) for x in picked})
            if it:
                segs.extend([{"text": pre}, self._stmt(ctx, it, picked)])
                return True
            return False

        if form == "fee":
            add("O:s6_fee")
            segs.append({"text": "。"})
            style = "prose"
        elif form == "none":
            # a bare "无" passage would duplicate other writers' one-character passages
            bare = {id(it) for it in bank.items["O:s6_none"] if len(it["tpl"]) < 4}
            it = bank.pick("O:s6_none", level, avoid=bare)
            if it:
                segs.append(self._stmt(ctx, it, picked))
            segs.append({"text": "。" if rng.random() < 0.5 else ""})
            style = "prose"
        else:
            blocks = []
            if fee_ok:
                blocks.append(("政府信息公开信息处理费收取情况", "O:s6_fee"))
            opts = [("建议提案办理情况", "O:s6_proposal"), ("政务公开工作要点落实情况", "O:s6_plan"),
                    ("创新举措", "O:s6_innov"), ("其他工作情况", "O:s6_achieve")]
            blocks += rng.sample(opts, rng.choice([1, 1, 2, 2, 3]))
            if form == "prose":
                rng.shuffle(blocks)
            cn = "一二三四五六"
            head_fmt = rng.choice(["（{c}）{t}\n", "（{c}）{t}。", "{i}.{t}：", "（{c}）{t}："])
            for j, (title, key) in enumerate(blocks):
                if form == "sub":
                    head = head_fmt.format(c=cn[j], i=j + 1, t=title)
                else:
                    head = ""
                n = 2 if key in ("O:s6_proposal", "O:s6_plan", "O:s6_innov") and rng.random() < 0.35 else 1
                for q in range(n):
                    add(key, head if q == 0 else "，")
                segs.append({"text": "。\n" if form == "sub" else "。"})
            if rng.random() < 0.55:
                it = bank.pick("S6R", level, avoid={id(x) for x in picked})
                if it:
                    segs += [{"text": rng.choice(["", "下一步，", "同时，"]) if not it["tpl"].startswith("下一步") else ""},
                             self._stmt(ctx, it, picked), {"text": "。"}]
            if rng.random() < 0.25:
                add("O:s6_none", "\n")
                segs.append({"text": "。"})
            style = "subparts" if form == "sub" else "prose"
        if not picked:
            return False
        p = {"year": year, "level": level, "section": 6, "style": style, "segments": merge_connectives(segs)}
        return self._commit(p, picked)


def merge_connectives(segs: list[dict]) -> list[dict]:
    out: list[dict] = []
    for s in segs:
        if "role" not in s:
            if not s["text"]:
                continue
            if out and "role" not in out[-1]:
                out[-1] = {"text": out[-1]["text"] + s["text"]}
                continue
        out.append(s)
    return out


def main() -> None:
    rng = random.Random(SEED)
    data = json.loads((HERE / "bank.json").read_text(encoding="utf-8"))
    bank = Bank(data, rng)
    hand = []
    for f in sorted(HERE.glob("hand_*.txt")):
        hand += parse_hand(f)
    comp = Composer(bank, rng, hand)
    n_hand = len(comp.passages)
    if n_hand != len(hand):
        raise SystemExit(f"hand-written passages too similar to each other: {len(hand) - n_hand} rejected")
    sec5 = sum(p["section"] == 5 for p in comp.passages)
    sec16 = len(comp.passages) - sec5
    tries = 0
    while sec5 < TARGET_SEC5 and tries < 5000:
        tries += 1
        sec5 += comp.compose5()
    tries = 0
    while sec16 < TARGET_SEC16 and tries < 5000:
        tries += 1
        ok = comp.compose1() if rng.random() < 0.45 else comp.compose6()
        sec16 += ok
    names_re = self_modal_re([n for b in data["bodies"] for n in b["self"]])
    revised: Counter = Counter()
    for p in comp.passages:
        revised += revise(p, names_re)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for i, p in enumerate(comp.passages, 1):
            rec = {"id": f"wb-{i:04d}", **p}
            revised += revise_status(rec)  # R-4 needs the id
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    check_status_applied("wb-", {f"wb-{i:04d}" for i in range(1, len(comp.passages) + 1)})
    print(f"revisions: {dict(sorted(revised.items()))}")
    print(f"bank exhausted in section-1 subparts {comp.misses} times")
    print(f"hand-written {n_hand}, composed {len(comp.passages) - n_hand}, total {len(comp.passages)} -> {OUT}")


if __name__ == "__main__":
    main()
