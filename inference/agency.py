"""What kind of body published a report (people's government, department, development zone) and at
which tier, from the agency name (pattern rules in data/checks.json, `bodies`) and the metadata level."""
from __future__ import annotations

import re
from dataclasses import dataclass

from inference import rules

CFG = rules.read("checks")

BODY = CFG["bodies"]


_BODY_RULES = [(r["kind"], r["tier"], re.compile(r["re"])) for r in BODY["rules"]]


_PLACE_RE = re.compile(BODY["place_re"])


KIND_NAMES = {"government": "人民政府", "department": "政府部门", "devzone": "开发区（园区）管理机构", "unknown": "发布机关"}


TIER_NAMES = {"national": "国务院", "provincial": "省级", "city": "市级", "league": "盟（地区）级",
              "county": "县级", "township": "乡镇（街道）级"}


@dataclass
class Body:
    kind: str  # government | department | devzone | unknown
    tier: str  # national | provincial | city | league | county | township | unknown
    name: str  # agency as given, for messages
    city_unsure: bool = False  # 'XX市': prefecture-level or county-level city cannot be told

    def describe(self) -> str:
        if self.kind == "unknown":
            return f"发布机关（{self.name}）" if self.name else "发布机关"
        tier = TIER_NAMES.get(self.tier, "")
        return f"{self.name}（{tier}{KIND_NAMES[self.kind]}）" if self.name else f"{tier}{KIND_NAMES[self.kind]}"


def _place_tier(name: str) -> tuple[str, bool]:
    m = _PLACE_RE.match(name)
    if not m:
        return "unknown", False
    for group, tier in (("township", "township"), ("county", "county"), ("city", "city"), ("province", "provincial")):
        g = m.group(group)
        if not g:
            continue
        if group == "city":
            if g in BODY["municipalities"] and not m.group("county"):
                return "provincial", False
            if any(g.endswith(s) for s in BODY["league_suffixes"]):
                return "league", False
            return "city", g.endswith("市")
        return tier, False
    return "unknown", False


def classify_body(meta) -> Body:
    """Body type and tier from meta.agency (pattern rules in data/checks.json), then meta.level."""
    agency = (meta.agency or "").strip()
    name = re.sub(r"\s+", "", agency)
    kind, tier, city_unsure = "unknown", "unknown", False
    if name:
        for k, t, rx in _BODY_RULES:
            if rx.search(name):
                kind = k
                if t:
                    tier = t
                break
        if tier == "unknown" and kind != "unknown":
            tier, city_unsure = _place_tier(name)
    level = (meta.level or "").strip()
    if level in BODY["level_map"]:
        lk, lt = BODY["level_map"][level]
        if kind == "unknown" and lk:
            kind = lk
        if tier == "unknown" and lt:
            tier = lt
    return Body(kind, tier, agency, city_unsure)
