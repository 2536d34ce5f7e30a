"""Word export of one report's rating (python-docx): score, parts, deductions with their review decisions,
corrected figures and statements, items that need a person, and the audit trail."""
from __future__ import annotations

import io
import time

from inference.scoring import points_text
from inference.service import names
from inference.service import review as rv


def _clean(v) -> str:
    """python-docx refuses control characters in text."""
    return "".join(ch for ch in str(v if v is not None else "") if ch in "\t\n" or ord(ch) >= 32)


def _table(doc, header: list[str], rows: list[list]) -> None:
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = _clean(value)


def report_docx(svc, item: dict) -> bytes:
    from docx import Document

    machine = svc.machine_report(item)
    audit = svc.db.audit(item["id"])
    view = rv.reviewed(machine, audit, svc.engine)
    report, score = view["report"], view["score"]
    meta = report.meta
    doc = Document()
    doc.add_heading(_clean(f"{meta.agency or '未识别机关'} {meta.year or ''} 年度政府信息公开工作年度报告评分"), level=1)
    total = f"总分 {score['total']:g} 分，等级：{score['grade']}"
    if view["changed"]:
        total += f"（机器原始评分 {machine.score.total:g} 分，{machine.score.grade}；已人工复核）"
    doc.add_paragraph(total)
    doc.add_paragraph(_clean(f"文件：{item['name']}；层级：{meta.level or '未识别'}；格式：{meta.format}；"
                             f"发布日期：{meta.published_on or '未识别'}"))

    doc.add_heading("分项得分", level=2)
    _table(doc, ["评分项", "得分", "满分"], [[p["name"], f"{p['score']:g}", f"{p['max']:g}"] for p in score["parts"].values()])

    doc.add_heading("扣分明细", level=2)
    dismissed = set(view["dismissed"])
    rows = []
    deductions = list(machine.score.deductions) if dismissed else []
    shown = {rv.deduction_key(d.to_dict()) for d in report.score.deductions}
    for d in list(report.score.deductions) + [d for d in deductions if rv.deduction_key(d.to_dict()) not in shown]:
        key = rv.deduction_key(d.to_dict())
        decision = view["decisions"].get(key)
        state = "未复核"
        if decision:
            state = ("驳回" if decision["value"]["decision"] == "dismiss" else "确认") + f"（{decision['user']}"
            state += f"：{decision['note']}）" if decision["note"] else "）"
        rows.append([svc.part_name(d.part), names.check_name(d.check_id), points_text(d.points), d.reason + (
            f"（{d.treatment}）" if d.treatment else ""), state])
    _table(doc, ["评分项", "检查项", "扣分", "原因", "复核"], rows or [["—", "", "", "无扣分", ""]])

    if view["cells"] or view["corrections"]:
        doc.add_heading("人工更正", level=2)
        for path, e in view["cells"].items():
            v = e["value"]["value"]
            what = f"单位信息 {rv.META_FIELDS[path[5:]]}" if path.startswith("meta.") else f"表格 {path}"
            doc.add_paragraph(_clean(f"{what} 改为 {v if v is not None else '空白'}（{e['user']}{('：' + e['note']) if e['note'] else ''}）"),
                              style="List Bullet")
        for key, e in view["corrections"].items():
            v = e["value"]
            cats = "、".join(names.category_label(c) for c in v["categories"])
            doc.add_paragraph(_clean(f"陈述 {key} 标注为 {names.ROLE_CN[v['role']]} {cats}（{e['user']}）"), style="List Bullet")

    uncertain = [c for c in report.checks if c.status == "uncertain"]
    if uncertain:
        doc.add_heading("需人工复核", level=2)
        for c in uncertain:
            doc.add_paragraph(_clean(f"{names.check_name(c.id)}：{c.message}"), style="List Bullet")

    if audit:
        doc.add_heading("复核记录", level=2)
        _table(doc, ["时间", "复核人", "对象", "内容", "说明"], [
            [time.strftime("%Y-%m-%d %H:%M", time.localtime(a["at"])), a["user"], f"{a['kind']} {a['target']}",
             _describe(a), a["note"]] for a in audit])
    doc.add_paragraph(_clean(f"生成：nianbao {report.provenance.get('nianbao', '')}，"
                             f"评分细则版本 {report.provenance.get('rubric', {}).get('version', '')}"))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _describe(entry: dict) -> str:
    v = entry["value"]
    if entry["kind"] == "deduction":
        return rv.DECISIONS.get(v.get("decision"), "")
    if v.get("reset"):
        return "恢复机器结果"
    if entry["kind"] == "cell":
        return f"改为 {v['value'] if v['value'] is not None else '空白'}"
    if entry["kind"] == "meta":
        return f"改为 {v['value']}"
    return f"{names.ROLE_CN.get(v['role'], v['role'])} {'、'.join(v['categories'])}"
