"""Publication deadlines of the annual report: the statute by default, local rules per province or city
from data/deadlines.json (the one home of every deadline), townships handled explicitly.

`deadline_for(body, year)` answers which deadline binds a body (`inference.agency.Body`) for a report
year, and on what basis; the timeliness check only compares dates. The law (条例第四十九条) names
deadlines for departments of county-level-and-above governments (1月31日) and for those governments'
own reports (3月31日) and none for townships and sub-district offices: their deadline is None unless a
local rule gives one, and the check says so instead of treating them as a county government.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from inference import rules
from inference.errors import DataError

CATEGORIES = ("department", "government", "township", "devzone")
TIERS = ("national", "provincial", "city", "league", "county", "township", "*")
STATUTE = "条例第四十九条"

_override: dict | None = None  # a deadlines file chosen with use() (tests, one-off runs)


@dataclass(frozen=True)
class Deadline:
    category: str  # department | government | township | devzone | unknown
    month_day: tuple[int, int] | None  # None: no deadline known for this body
    basis: str  # Chinese: 条例第四十九条 / the local rule's name / why there is none
    local: bool = False

    def on(self, year: int) -> date | None:
        """The deadline for the report on `year` (it falls in the following year)."""
        return date(year + 1, *self.month_day) if self.month_day else None


def category(body) -> str:
    """Which statutory class a body falls in: townships first (whatever their kind), then its kind."""
    if body.tier == "township":
        return "township"
    return body.kind if body.kind in CATEGORIES else "unknown"


def _md(value, where: str) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise DataError(f"deadlines.json {where}: 应为 [月, 日]，实际为 {value!r}")
    try:
        date(2001, *value)
    except ValueError as exc:
        raise DataError(f"deadlines.json {where}: 日期 {value!r} 无效") from exc
    return value[0], value[1]


def validate(cfg: dict) -> dict:
    """The file checked: dates are real dates, keys known, no local rule later than the statute."""
    stat = cfg.get("statutory")
    if not isinstance(stat, dict):
        raise DataError("deadlines.json: 缺少 statutory")
    statutory = {k: (_md(stat[k], f"statutory.{k}") if stat.get(k) is not None else None)
                 for k in ("department", "government", "township")}
    if statutory["department"] is None or statutory["government"] is None:
        raise DataError("deadlines.json: statutory.department 与 statutory.government 为法定时限，不能为空")
    for i, rule in enumerate(cfg.get("local", [])):
        where = f"local[{i}]（{rule.get('name', '')}）"
        if not rule.get("match") or not isinstance(rule["match"], list):
            raise DataError(f"deadlines.json {where}: match 应为非空列表")
        for cat, spec in rule.get("deadlines", {}).items():
            if cat not in CATEGORIES:
                raise DataError(f"deadlines.json {where}: 未知机关类别 {cat}（可用 {', '.join(CATEGORIES)}）")
            per_tier = spec if isinstance(spec, dict) else {"*": spec}
            for tier, value in per_tier.items():
                if tier not in TIERS:
                    raise DataError(f"deadlines.json {where}: 未知层级 {tier}")
                md = _md(value, f"{where}.{cat}.{tier}")
                limit = statutory.get(cat)
                if limit is not None and md > limit:
                    raise DataError(f"deadlines.json {where}: {cat} 的时限 {md[0]}月{md[1]}日晚于条例规定的"
                                    f"{limit[0]}月{limit[1]}日，地方规定不能放宽法定时限")
    return cfg


def read(path: str | Path | None = None) -> dict:
    """A deadlines file, validated: `path`, else the one chosen with use(), else the active rules' file."""
    if path is not None:
        return validate(rules.read_path(path))
    if _override is not None:
        return _override
    return validate(rules.read("deadlines"))


def use(path: str | Path | None) -> None:
    """Apply another deadlines file in this process (None: back to the rules directory's file)."""
    global _override
    _override = validate(rules.read_path(path)) if path is not None else None


@contextmanager
def using(path: str | Path) -> Iterator[None]:
    global _override
    before = _override
    use(path)
    try:
        yield
    finally:
        _override = before


def _local_rule(name: str, cat: str, tier: str, cfg: dict) -> tuple[dict, tuple[int, int]] | None:
    for rule in cfg.get("local", []):
        if not rule.get("enabled", True) or not any(m and m in name for m in rule["match"]):
            continue
        spec = rule.get("deadlines", {}).get(cat)
        if spec is None:
            continue
        value = spec.get(tier, spec.get("*")) if isinstance(spec, dict) else spec
        if value is not None:
            return rule, (value[0], value[1])
    return None


def deadline_for(body, cfg: dict | None = None, cat: str | None = None) -> Deadline:
    """The deadline binding `body` (or the category `cat` for that body's place), local rule first."""
    cfg = read() if cfg is None else cfg
    cat = cat or category(body)
    name = "".join((body.name or "").split())
    hit = _local_rule(name, cat, body.tier, cfg) if name else None
    if hit is not None:
        rule, md = hit
        return Deadline(cat, md, rule.get("name") or "、".join(rule["match"]), local=True)
    stat = cfg["statutory"].get(cat) if cat in ("department", "government", "township") else None
    if stat is not None:
        return Deadline(cat, (stat[0], stat[1]), STATUTE)
    return Deadline(cat, None, STATUTE)
