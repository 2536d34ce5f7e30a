"""Pipeline stage: rate a report from its checks, statements and batch findings with a data-driven rubric.

Every deduction names its part, points, a Chinese reason and evidence. Uncertain checks cost
`uncertain_factor` of a fail and say so; not-assessable checks cost nothing and are listed with
0 points so that the treatment is visible, never silent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from inference import rules
from inference.errors import DataError
from inference.registry import rubric_rules
from inference.report import CheckResult, Deduction, Evidence, Report, Score, Statement
STATUS_CN = {"fail": "不通过", "uncertain": "无法确定", "not_assessable": "无法评估"}


@dataclass
class Rubric:
    parts: list[dict]
    grades: list[dict]
    uncertain_factor: float = 0.5
    source: str = ""
    version: int | str | None = None
    statement_min_confidence: float = 0.5

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Rubric":
        path = Path(path) if path else rules.directory() / "rubric.json"
        try:
            raw = rules.read_path(path)
            parts, grades = raw["parts"], raw["grades"]
        except (DataError, KeyError, TypeError) as exc:
            raise DataError(f"{path}: 评分细则无法读取: {exc}") from exc
        total = sum(p.get("max", 0) for p in parts)
        if abs(total - 100) > 1e-6:
            raise DataError(f"{path}: 各部分分值之和为 {total}，应为 100")
        for p in parts:
            if "key" not in p or "rule" not in p or p["rule"].get("type") not in rubric_rules:
                raise DataError(f"{path}: 部分 {p.get('key')} 缺少 key/rule 或规则类型未知")
        return cls(parts, sorted(grades, key=lambda g: -g["min"]), float(raw.get("uncertain_factor", 0.5)), str(path),
                   raw.get("version"), float(raw.get("statement_min_confidence", 0.5)))

    def grade(self, total: float) -> str:
        return next(g["name"] for g in self.grades if total >= g["min"])


@dataclass
class BatchFindings:
    """What the batch (and the history store) says about one report."""
    similar: list[dict] = field(default_factory=list)  # {"scope": "section5"|"report", "other": str, "similarity": float}
    last_year: dict | None = None  # the previous report's problems ({"source", "year", "problems"}), None: not known


def taxonomy() -> dict:
    return rules.read("taxonomy")


category_name = rules.category_name


# -- rules -----------------------------------------------------------------------------------------------
def _matching_checks(report: Report, rule: dict) -> list[CheckResult]:
    ids, prefixes = set(rule.get("ids", [])), tuple(rule.get("prefix", []))
    # a prefix "t3.identity." also covers the bare id "t3.identity" that a check emits when its table is
    # missing (not assessable): it must be listed with its treatment, not dropped
    ids |= {p.rstrip(".") for p in prefixes}
    return [c for c in report.checks if c.id in ids or (prefixes and c.id.startswith(prefixes))]


INPUT_QUALITY = ("输入质量：单元格的列位置在网页抓取时丢失，或文字识别（OCR）置信度低，不是报告本身的缺陷，"
                 "不扣分；需人工核对")
COUNTED_ONCE = "根本原因是空白单元格，已在“表格齐全、数据完整”中扣分，同一原因不重复扣分"


def _root_cause(report: Report, check: CheckResult) -> str | None:
    """Why an uncertain table check is uncertain, when the cause is charged elsewhere or is no defect of the
    report: cells whose positions were lost or that OCR could not read (input quality), or cells the agency
    left blank (charged once, by the tables rule). None: the uncertainty is the check's own."""
    states = set()
    for ev in check.evidence:
        if not ev.path or ev.path.count(".") != 2:
            continue
        key, row, col = ev.path.split(".")
        table = report.tables.get(key)
        if table is None:
            continue
        cell = table.cell(row, col)
        if row in table.ambiguous_rows or (cell is not None and cell.state == "ambiguous"):
            states.add("ambiguous")
        elif cell is not None and cell.state in ("blank", "missing", "invalid"):
            states.add("blank")
    if "ambiguous" in states:
        return INPUT_QUALITY
    if "blank" in states:
        return COUNTED_ONCE
    return None


@rubric_rules.register("checks")
def rule_checks(report: Report, part: dict, rubric: Rubric, findings: BatchFindings) -> list[Deduction]:
    rule, out = part["rule"], []
    per_fail = rule["per_fail"]
    for check in _matching_checks(report, rule):
        points = per_fail.get(check.id, 0) if isinstance(per_fail, dict) else per_fail
        if check.status == "fail":
            out.append(Deduction(part["key"], points, check.message, check.id, check.evidence))
        elif check.status == "uncertain" and (cause := _root_cause(report, check)):
            out.append(Deduction(part["key"], 0.0, check.message, check.id, check.evidence, treatment=cause))
        elif check.status == "uncertain":
            out.append(Deduction(part["key"], points * rubric.uncertain_factor, check.message, check.id, check.evidence,
                                 treatment=f"检查结果无法确定，按 {rubric.uncertain_factor:.0%} 扣分"))
        elif check.status == "not_assessable":
            out.append(Deduction(part["key"], 0.0, check.message, check.id, check.evidence,
                                 treatment="无法评估，不扣分"))
    return out


@rubric_rules.register("tables")
def rule_tables(report: Report, part: dict, rubric: Rubric, findings: BatchFindings) -> list[Deduction]:
    rule, out = part["rule"], []
    names = {"t2": "表二（主动公开）", "t3": "表三（依申请公开）", "t4": "表四（复议诉讼）"}
    for key in rule["tables"]:
        table = report.tables.get(key)
        if table is None or not table.found:
            out.append(Deduction(part["key"], rule["per_missing_table"], f"未识别到{names[key]}", f"tables.{key}"))
            continue
        if table.ambiguous_rows:
            # the positions were lost on the way to us (scraping), not by the agency: a note, no points
            rows = "、".join(_row_cn(key, r) for r in table.ambiguous_rows)
            out.append(Deduction(part["key"], 0.0, f"{names[key]}以下行的数字列位置不明（{rows}），未猜测",
                                 f"tables.{key}", [Evidence(path=f"{key}.{row}") for row in table.ambiguous_rows],
                                 treatment=INPUT_QUALITY))
        gaps = [(r, c, cell) for r, cols in table.rows.items() for c, cell in cols.items() if cell.state in ("blank", "missing", "invalid")]
        if gaps:
            points = rule["per_cell_batch_points"] * -(-len(gaps) // rule["per_blank_or_missing_cell_batch"])
            from inference.tables.config import load_config

            col_cn = load_config().raw.get("col_names", {})
            sample = "、".join(f"{_row_cn(key, r)}/{col_cn.get(c, c)}" for r, c, _ in gaps[:5])
            out.append(Deduction(part["key"], points, f"{names[key]} 有 {len(gaps)} 个单元格空白、缺失或无法识别（如 {sample}）",
                                 f"tables.{key}", [Evidence(path=f"{key}.{r}.{c}", value=cell.raw or None,
                                                            start=cell.start, end=cell.end) for r, c, cell in gaps[:20]],
                                 treatment="空白不视为0，按数据不完整扣分"))
    return out


def _row_cn(key: str, row: str) -> str:
    from inference.tables.config import load_config

    cfg = load_config()
    specs = list(cfg.t3.rows) + [r for _k, spec in cfg.t2_formats.values() for r in spec.rows]
    name = next((r.name for r in specs if r.key == row), None)
    if name is None:
        name = next((r["name"] for r in cfg.raw["t4"]["rows"] if r["key"] == row), row)
    return name


def _section5(statements: list[Statement]) -> list[Statement]:
    return [s for s in statements if s.section == 5]


def _evidence(statements: list[Statement]) -> list[Evidence]:
    return [Evidence(start=s.start, end=s.end, text=s.text) for s in statements]


@rubric_rules.register("statements")
def rule_statements(report: Report, part: dict, rubric: Rubric, findings: BatchFindings) -> list[Deduction]:
    """Deduct only what holds on the model's confident statements: the finding is computed on all statements
    and on the confident ones, the smaller deduction counts, and when the two differ the uncertain statements
    are listed as 需人工复核 with no points taken."""
    threshold = rubric.statement_min_confidence
    sure = [s for s in report.statements if s.confidence >= threshold]
    with_all = _statement_deductions(report, report.statements, part)
    if len(sure) == len(report.statements):
        return with_all
    with_sure = _statement_deductions(report, sure, part)
    points_all, points_sure = sum(d.points for d in with_all), sum(d.points for d in with_sure)
    chosen = with_all if points_all <= points_sure else with_sure
    if points_all != points_sure:
        unsure = [s for s in report.statements if s.confidence < threshold and s.section in (5, 6)]
        chosen = chosen + [Deduction(
            part["key"], 0, f"需人工复核：{len(unsure)} 条问题或措施模型把握不足（置信度低于 {threshold:.2f}），"
                            f"本项按对报告有利的读法计分（相差 {abs(points_all - points_sure):g} 分）",
            None, _evidence(unsure[:10]), treatment="需人工复核，未扣分")]
    return chosen


def _statement_deductions(report: Report, statements: list[Statement], part: dict) -> list[Deduction]:
    rule, key = part["rule"], part["key"]
    if report.section(5) is None:
        return [Deduction(key, part["max"], "缺少第五部分（存在的主要问题及改进情况）", "sections.complete")]
    s5 = _section5(statements)
    problems = [s for s in s5 if s.role == "problem"]
    remedies = [s for s in statements if s.role == "remedy" and s.section in (5, 6)]
    finding = rule["finding"]
    if finding == "problem_categories":
        cats = sorted({c for s in problems for c in s.categories})
        points = rule["points_by_count"].get(str(len(cats)), 0)
        if points:
            named = "、".join(category_name(c) for c in cats) or "无"
            return [Deduction(key, points, f"第五部分仅列出 {len(cats)} 类问题（{named}）", None, _evidence(problems))]
        return []
    if finding in ("problem_specificity", "remedy_specificity"):
        items = problems if finding == "problem_specificity" else [r for r in remedies if r.section == 5]
        if not items:
            return []  # absence is judged by problem_categories / remedies_done
        share = sum(s.specific for s in items) / len(items)
        if share >= rule["target_share"]:
            return []
        points = round(part["max"] * (1 - share / rule["target_share"]), 2)
        what = "问题" if finding == "problem_specificity" else "改进措施"
        generic = [s for s in items if not s.specific]
        return [Deduction(key, points, f"{what}表述具体的仅占 {share:.0%}（{len(items) - len(generic)}/{len(items)}），其余为笼统套话",
                          None, _evidence(generic[:10]))]
    if finding == "unpaired_problems":
        tax = taxonomy()["problems"]
        remedy_cats = {c for r in remedies for c in r.categories}
        out = []
        for cat in sorted({c for s in problems for c in s.categories}):
            paired = tax.get(cat, {}).get("remedies", [])
            if paired and not remedy_cats & set(paired):
                stated = [s for s in problems if cat in s.categories]
                want = "、".join(category_name(r) for r in paired)
                out.append(Deduction(key, rule["per_unpaired"], f"问题“{category_name(cat)}”没有对应的改进措施（应有：{want}）",
                                     None, _evidence(stated)))
        return out
    if finding == "remedies_done":
        if problems and not any(r.status == "done" for r in remedies if r.section == 5):
            return [Deduction(key, rule["points_if_none"], "只写了今后打算，未报告本年度已采取的改进措施", None,
                              _evidence([r for r in remedies if r.section == 5][:10]))]
        return []
    if finding == "section5_quality":
        section = report.section(5)
        body = report.text[section.body_start : section.end]
        out = []
        if not problems:
            out.append(Deduction(key, rule["no_problems_claim"], "第五部分未指出任何问题（如声称“无问题”或只谈成绩）", None,
                                 [Evidence(start=section.body_start, end=section.end, text=body[:200])]))
            return out
        if s5 and not any(s.specific for s in s5):
            out.append(Deduction(key, rule["all_generic"], "第五部分通篇为笼统套话，没有任何具体内容", None, _evidence(s5[:5])))
        covered = sum(s.end - s.start for s in s5)
        text_len = len(body.strip())
        if text_len and 1 - covered / text_len > rule["off_topic_share"]:
            out.append(Deduction(key, rule["off_topic"], f"第五部分约 {1 - covered / text_len:.0%} 的文字与问题和改进无关", None,
                                 [Evidence(start=section.body_start, end=section.end)]))
        return out
    raise DataError(f"未知的评分发现类型: {finding}")


@rubric_rules.register("batch")
def rule_batch(report: Report, part: dict, rubric: Rubric, findings: BatchFindings) -> list[Deduction]:
    rule, out = part["rule"], []
    thresholds = {"section5": rule["section5_threshold"], "report": rule["report_threshold"]}
    scope_cn = {"section5": "第五部分", "report": "全文"}
    for match in findings.similar:
        if match["similarity"] < thresholds.get(match["scope"], 1.01):
            continue
        role = match.get("role", "undated")
        reason = f"{scope_cn[match['scope']]}与 {match['other']} 高度雷同（相似度 {match['similarity']:.2f}）"
        evidence = [Evidence(path=match["other"], value=round(match["similarity"], 3))]
        evidence += [Evidence(text=p) for p in match.get("passages", [])]
        theirs = match.get("other_date")
        if role == "later":
            out.append(Deduction(part["key"], rule["per_match"], f"{reason}；对方发布在先（{theirs}），本报告晚发布",
                                 f"copying.{match['scope']}", evidence))
        elif role == "earlier":
            out.append(Deduction(part["key"], 0.0, f"{reason}；本报告发布在先，对方（{theirs}）晚发布",
                                 f"copying.{match['scope']}", evidence, treatment="本报告在先，雷同只扣晚发布的一方"))
        else:
            why = "两份报告同日发布" if role == "same_day" else "缺少发布或落款日期"
            out.append(Deduction(part["key"], 0.0, f"{reason}；{why}，无法判断谁先谁后",
                                 f"copying.{match['scope']}", evidence, treatment="需人工复核：无法判断先后，未扣分"))
    return out


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "……"


@rubric_rules.register("last_year")
def rule_last_year(report: Report, part: dict, rubric: Rubric, findings: BatchFindings) -> list[Deduction]:
    """This year's 改进情况 against the problems the same body's previous report stated (`inference/last_year.py`).
    No previous report known: listed, nothing deducted. Each of last year's problems is listed as addressed
    (with this year's matching statements as evidence, 0 points) or not; an unaddressed problem costs
    `per_unaddressed`, a report that says nothing at all about last year's problems `points_if_silent` once.
    A problem of last year below `statement_min_confidence` never costs points: it is listed for review."""
    from inference.last_year import assess

    rule, key = part["rule"], part["key"]
    last = findings.last_year
    if last is None:
        return [Deduction(key, 0.0, "未找到上年度报告（同一机关上一年度的报告不在本批次或历史库中），无法核对上年度所列问题的整改情况",
                          "last_year.not_found", treatment="无法评估，不扣分")]
    src, year = last["source"], last.get("year")
    prev = f"上年度报告（{year}年度，{src}）" if year else f"上年度报告（{src}）"
    if not last.get("problems"):
        return [Deduction(key, 0.0, f"{prev}第五部分未列出问题，无需核对整改情况", "last_year.no_problems",
                          [Evidence(path=src)], treatment="无需核对，不扣分")]
    threshold = rubric.statement_min_confidence
    result = assess(last, report, rule)

    def problem_evidence(p: dict, status: str) -> Evidence:
        cats = "、".join(category_name(c) for c in p.get("categories", []))
        return Evidence(path=src, value=f"上年度问题（{cats or '未分类'}）：{status}", text=p["text"])

    def unsure(p: dict) -> bool:
        return float(p.get("confidence", 1.0)) < threshold

    if result.silent:
        sure = [i for i in result.items if not unsure(i.problem)]
        evidence = [problem_evidence(i.problem, "未见整改") for i in result.items]
        reason = (f"未报告上年度问题的整改情况：{prev}列出的 {len(result.items)} 个问题，本年度报告既未提及，"
                  "也没有与之对应的改进措施")
        if sure:
            return [Deduction(key, rule["points_if_silent"], reason, "last_year.silent", evidence)]
        return [Deduction(key, 0.0, reason + f"（上年度问题的模型置信度均低于 {threshold:.2f}）", "last_year.silent", evidence,
                          treatment="需人工复核，未扣分")]
    out = []
    for item in result.items:
        p = item.problem
        named = f"上年度问题“{_short(p['text'])}”"
        if item.status == "addressed":
            ways = []
            if item.by_text:
                ways.append("本年度报告有相应表述")
            if item.by_category and not item.missing:
                ways.append("本年度有对应类别的改进措施")
            evidence = [problem_evidence(p, "已整改")]
            evidence += [Evidence(start=c.start, end=c.end, text=c.text, value=f"文字重合 {score:.0%}") for c, score in item.by_text[:3]]
            evidence += [Evidence(start=s.start, end=s.end, text=s.text, value="对应措施：" + "、".join(category_name(c) for c in s.categories))
                         for s in item.by_category[:3] if not any(c.start == s.start for c, _ in item.by_text[:3])]
            matches = [c for c, _ in item.by_text] + item.by_category
            treatment = "已整改，不扣分" + ("；对应陈述的模型置信度均较低，需人工复核"
                                     if matches and all(m.confidence < threshold for m in matches) else "")
            out.append(Deduction(key, 0.0, f"{named}：已整改（{'；'.join(ways)}）", "last_year.addressed", evidence,
                                 treatment=treatment))
            continue
        why = "本年度报告未见对应的整改措施"
        if item.missing and item.by_category:
            why = "本年度措施只对应其中部分类别，" + "、".join(category_name(c) for c in item.missing) + "未见对应措施"
        if item.persists:
            why += "；本年度报告称该问题仍然存在"
        evidence = [problem_evidence(p, "未见整改")]
        evidence += [Evidence(start=c.start, end=c.end, text=c.text, value="问题仍存在") for c in item.persists[:3]]
        evidence += [Evidence(start=s.start, end=s.end, text=s.text, value="部分对应的措施") for s in item.by_category[:3]]
        if unsure(p):
            out.append(Deduction(key, 0.0, f"{named}：{why}（上年度该问题陈述的模型置信度 {float(p['confidence']):.2f} 低于 "
                                           f"{threshold:.2f}）", "last_year.unaddressed", evidence, treatment="需人工复核，未扣分"))
        else:
            out.append(Deduction(key, rule["per_unaddressed"], f"{named}：{why}", "last_year.unaddressed", evidence))
    if result.refers_back:
        out.append(Deduction(key, 0.0, f"本年度报告提及{prev}所列问题的整改", "last_year.refers_back",
                             [Evidence(start=c.start, end=c.end, text=c.text) for c in result.refers_back[:5]],
                             treatment="说明，不扣分"))
    return out


CAP = "cap"  # check_id of the line that gives back what a part lost beyond its max


def points_text(points: float) -> str:
    """A deduction's points as users read them: "-4" taken, "+4" given back (a cap line), "0" listed only."""
    return "0" if points == 0 else f"{-points:+g}"


def _score(rubric: Rubric, items_of) -> Score:
    """Sum the parts: `items_of(part)` gives the part's deductions; a part never loses more than its max.
    The listed deductions add up exactly to 100 - total: a capped part gets a negative line (`check_id`
    "cap") that shows what the cap gave back."""
    parts, deductions = {}, []
    for part in rubric.parts:
        items = [d for d in items_of(part)]
        for d in items:
            d.points = round(d.points, 2)
        asked = round(sum(d.points for d in items), 2)
        lost = min(part["max"], asked)
        if asked > part["max"]:
            items.append(Deduction(part["key"], round(part["max"] - asked, 2),
                                   f"“{part['name']}”最多扣 {part['max']:g} 分：以上各项合计 {asked:g} 分，超出的 "
                                   f"{asked - part['max']:g} 分不计（封顶）", CAP, treatment="封顶"))
        parts[part["key"]] = {"name": part["name"], "max": part["max"], "score": round(part["max"] - lost, 2)}
        if asked > part["max"]:
            parts[part["key"]]["capped"] = round(asked - part["max"], 2)
        deductions.extend(items)
    total = round(sum(p["score"] for p in parts.values()), 2)
    deductions.sort(key=lambda d: -d.points)
    return Score(total=total, grade=rubric.grade(total), parts=parts, deductions=deductions)


def rate_report(report: Report, rubric: Rubric | None = None, findings: BatchFindings | None = None) -> Score:
    """Rate `report`; batch findings default to what a batch run recorded on the report (`report.batch`)."""
    rubric = rubric or default_rubric()
    findings = findings or BatchFindings(similar=list(report.batch.similar) if report.batch else [],
                                         last_year=report.batch.last_year if report.batch else None)
    report.score = _score(rubric, lambda part: rubric_rules.get(part["rule"]["type"])(report, part, rubric, findings))
    return report.score


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    return Rubric.load()
