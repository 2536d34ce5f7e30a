"""Last year's problems (issue 12): does this year's report address the problems that the same body's report
of the year before stated in its section 五?

The batch phase (`inference/findings.py`, finding "last_year") finds the previous report -- same agency
(normalised), year - 1, in the batch or in the history store -- and puts its problem statements on
`report.batch.last_year`. The rubric rule `last_year` (`inference/scoring.py`) then calls `assess` with this
year's statements, so a reviewer's corrected statements re-rate it like every other section-五 part.

A problem of last year is `addressed` when this year has a remedy (sections 五/六) of a category the taxonomy
pairs with every one of its categories, or when a remedy / other statement / a sentence that refers back to
last year's report repeats enough of its wording (character bigrams of the problem found in the candidate,
`overlap_threshold`); a candidate saying the problem persists (`persisting`) does not count. Every number
and pattern comes from the rubric part (`data/rubric.json`, key "last_year").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from inference import rules
from inference.chinese import ENUM_MARKER
from inference.report import Report, Statement

SECTIONS_REFERRING = (1, 5, 6)  # where a report tells what became of last year's problems
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_MARKER = re.compile(ENUM_MARKER)
_NON_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z]+")


def problems_of(report: Report) -> list[dict]:
    """The problem statements of section 五, as kept for next year's report (history store, batch)."""
    return [{"text": s.text, "categories": list(s.categories), "confidence": round(float(s.confidence), 4),
             "specific": bool(s.specific)}
            for s in report.statements if s.section == 5 and s.role == "problem"]


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    terms = tuple(sorted((t for t in terms if t), key=len, reverse=True))
    return re.compile("|".join(map(re.escape, terms))) if terms else None


def bigrams(text: str, generic: tuple[str, ...] = ()) -> set[str]:
    """Character bigrams of the words of `text`, without enumeration markers and the generic terms every
    report uses (政务公开, 进一步 ...): what is left says what the statement is about."""
    text = _MARKER.sub("|", text)
    pattern = _terms_pattern(generic)
    if pattern is not None:
        text = pattern.sub("|", text)
    out = set()
    for piece in _NON_WORD.split(text):
        out.update(piece[i : i + 2] for i in range(len(piece) - 1))
    return out


def overlap(problem: str, candidate: str, generic: tuple[str, ...] = ()) -> float:
    """Share of the problem's bigrams that stand in the candidate (0 when the problem has fewer than 3)."""
    mine = bigrams(problem, generic)
    if len(mine) < 3:
        return 0.0
    return len(mine & bigrams(candidate, generic)) / len(mine)


@dataclass
class Candidate:
    """A piece of this year's text that may answer last year's problem."""
    text: str
    start: int
    end: int
    kind: str  # "remedy" | "other" | "refers_back"
    confidence: float = 1.0


@dataclass
class Item:
    """One of last year's problems and what this year's report says about it."""
    problem: dict
    status: str  # addressed | not_addressed
    by_category: list[Statement] = field(default_factory=list)
    by_text: list[tuple[Candidate, float]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # problem categories no remedy of this year pairs with
    persists: list[Candidate] = field(default_factory=list)  # this year's text saying it is still unsolved


@dataclass
class Assessment:
    items: list[Item]
    refers_back: list[Candidate]

    @property
    def silent(self) -> bool:
        """Nothing at all about last year's problems: none addressed or said to persist, no sentence refers back."""
        return bool(self.items) and not self.refers_back and not any(i.status == "addressed" or i.persists for i in self.items)


def _compile(patterns: list[str], prev_year: int | None) -> list[re.Pattern]:
    year = str(prev_year) if prev_year else r"(?!)"
    return [re.compile(p.replace("{prev}", year)) for p in patterns]


def refer_back_sentences(report: Report, patterns: list[str], prev_year: int | None) -> list[Candidate]:
    """Sentences of sections 一/五/六 that refer to last year's problems or report (patterns from the rubric;
    `{prev}` stands for the previous year, e.g. 2022)."""
    compiled = _compile(patterns, prev_year)
    out = []
    for section in report.sections:
        if section.number not in SECTIONS_REFERRING:
            continue
        body = report.text[section.body_start : section.end]
        for m in _SENTENCE.finditer(body):
            sentence = m.group().strip()
            if sentence and any(p.search(sentence) for p in compiled):
                start = section.body_start + m.start() + (len(m.group()) - len(m.group().lstrip()))
                out.append(Candidate(sentence, start, start + len(sentence), "refers_back"))
    return out


def assess(last_year: dict, report: Report, rule: dict) -> Assessment:
    """Each of last year's problems (`last_year["problems"]`) against this year's statements and text."""
    pairs = {k: set(c.remedies) for k, c in rules.categories().items() if c.role == "problem"}
    generic = tuple(rule.get("generic_terms", []))
    threshold = float(rule["overlap_threshold"])
    persisting = _compile(rule.get("persisting", []), last_year.get("year"))
    remedies = [s for s in report.statements if s.role == "remedy" and s.section in (5, 6)]
    refers = refer_back_sentences(report, rule.get("refer_back", []), last_year.get("year"))
    candidates = [Candidate(s.text, s.start, s.end, s.role, s.confidence)
                  for s in report.statements if s.role in ("remedy", "other") and s.section in (5, 6)]
    candidates += [c for c in refers if not any(o.start <= c.start and c.end <= o.end for o in candidates)]
    items = []
    for problem in last_year.get("problems", []):
        cats = [c for c in problem.get("categories", []) if pairs.get(c)]
        by_cat, missing = [], []
        for c in cats:
            met = [r for r in remedies if pairs[c] & set(r.categories)]
            by_cat.extend(r for r in met if r not in by_cat)
            if not met:
                missing.append(c)
        by_text, persists = [], []
        for cand in candidates:
            score = overlap(problem["text"], cand.text, generic)
            if score < threshold:
                continue
            if any(p.search(cand.text) for p in persisting):
                persists.append(cand)
            else:
                by_text.append((cand, round(score, 3)))
        by_text.sort(key=lambda x: -x[1])
        addressed = bool(by_text) or bool(cats and not missing)
        items.append(Item(problem, "addressed" if addressed else "not_addressed", by_cat, by_text, missing, persists))
    return Assessment(items, refers)
