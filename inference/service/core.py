"""What the API and the web app share: batches from uploads, reports from the run stores, reviews, exports."""
from __future__ import annotations

import json
import secrets
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from inference.errors import ReportError
from inference.report import Report, public_dict
from inference.service import review as rv
from inference.service.auth import Auth, User
from inference.service.config import Settings
from inference.service.db import ServiceDB
from inference.service.errors import error
from inference.service.names import ROLE_CN, check_name
from inference.service.uploads import display_name, save_stream
from inference.service.worker import Engine, valid_batch_id

REPORT_ID_CHARS = set("0123456789abcdef")


class Service:
    def __init__(self, settings: Settings, nlp, start: bool = True):
        self.settings = settings
        root = Path(settings.store)
        root.mkdir(parents=True, exist_ok=True)
        (root / "_tmp").mkdir(exist_ok=True)
        self.db = ServiceDB(root / "service.sqlite")
        self.auth = Auth(self.db, settings)
        self.engine = Engine(root, self.db, nlp, settings.workers)
        self.engine.import_folders()
        if start:
            self.engine.start()

    @property
    def nlp(self):
        return self.engine.nlp

    # -- scoring ------------------------------------------------------------------------------------------
    def score_upload(self, filename: str | None, stream: BinaryIO) -> dict:
        """One uploaded file scored at once: the results.jsonl object, `source` being the file's name."""
        tmp = self.engine.root / "_tmp"
        saved = save_stream(stream, filename, tmp, self.settings.limits)
        if len(saved) != 1:
            for s in saved:
                (tmp / s.stored).unlink(missing_ok=True)
            raise error("bad_request", "/score 只接受一个报告文件；多个文件或压缩包请用 /batches")
        path = tmp / saved[0].stored
        try:
            report = self.engine.score_path(path, saved[0].name)
        except ReportError as exc:
            raise error("unreadable_report", exc.reason, reason_code=exc.code) from None
        finally:
            path.unlink(missing_ok=True)
        return public_dict(report.to_dict())

    def create_batch(self, files: Iterable[tuple[str | None, BinaryIO]], title: str, user: User) -> dict:
        batch_id = secrets.token_hex(8)
        folder = self.engine.uploads(batch_id)
        folder.mkdir(parents=True)
        saved = []
        try:
            for filename, stream in files:
                saved.extend(save_stream(stream, filename, folder, self.settings.limits))
                if len(saved) > self.settings.limits.max_files:
                    raise error("too_many_files", f"文件数量超过上限 {self.settings.limits.max_files} 个")
        except BaseException:
            import shutil

            shutil.rmtree(self.engine.folder(batch_id), ignore_errors=True)
            raise
        if not saved:
            import shutil

            shutil.rmtree(self.engine.folder(batch_id), ignore_errors=True)
            raise error("no_files")
        title = display_name(title)[:60] if title and title.strip() else f"{saved[0].name} 等 {len(saved)} 份"
        self.db.add_batch(batch_id, title, "upload", "queued", None if user.anonymous else user.name)
        used: Counter = Counter()
        for seq, s in enumerate(saved):
            used[s.name] += 1
            source = s.name if used[s.name] == 1 else f"{s.name} ({used[s.name]})"
            self.db.add_item(secrets.token_hex(8), batch_id, seq, s.name, s.stored, source)
        self.engine.submit(batch_id)
        return {"id": batch_id, "title": title, "files": len(saved)}

    # -- lookups ------------------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> dict:
        if not valid_batch_id(batch_id):
            raise error("batch_not_found")
        self.engine.import_folders()
        batch = self.db.batch(batch_id)
        if batch is None:
            raise error("batch_not_found")
        return batch

    def item(self, report_id: str) -> dict:
        if not report_id or len(report_id) > 32 or not set(report_id) <= REPORT_ID_CHARS:
            raise error("report_not_found")
        item = self.db.item(report_id)
        if item is None:
            raise error("report_not_found")
        return item

    def machine_report(self, item: dict) -> Report:
        if item["status"] != "ok":
            if item["status"] == "error":
                raise error("unreadable_report", item["error"] or None, reason_code=item["error_code"])
            raise error("batch_not_ready", "该报告尚未评分完成")
        store = self.engine.run_store(item["batch_id"])
        try:
            report = store.get(item["source"])
        finally:
            store.close()
        if report is None:
            raise error("report_not_found")
        return report

    def reviewed(self, item: dict) -> dict:
        return rv.reviewed(self.machine_report(item), self.db.audit(item["id"]), self.engine)

    def batch_view(self, batch_id: str) -> dict:
        """Progress and per-report status (the API's GET /batches/{id}); cheap: read from the items' summaries,
        the reviewed score computed only for reports with a review."""
        batch = self.batch(batch_id)
        items = self.db.items(batch_id)
        reviewed_ids = set(self.db.reviewed_report_ids(batch_id))
        reports = []
        for it in items:
            entry = {"id": it["id"], "name": it["name"], "status": it["status"]}
            if it["status"] == "error":
                entry.update(error_code=it["error_code"], error=it["error"])
            if it["status"] == "ok" and it["grade"] is not None:
                score, grade = it["score"], it["grade"]
                agency, year, level = it["agency"], it["year"], it["level"]
                if it["id"] in reviewed_ids:
                    view = self.reviewed(it)
                    score, grade = view["score"]["total"], view["score"]["grade"]
                    meta = view["report"].meta
                    agency, year, level = meta.agency, meta.year, meta.level
                entry.update(agency=agency, year=year, level=level, score=score, grade=grade,
                             machine_score=it["score"], reviewed=it["id"] in reviewed_ids)
            reports.append(entry)
        finished = sum(it["status"] in ("ok", "error") for it in items)
        return {"id": batch_id, "title": batch["title"], "origin": batch["origin"], "status": batch["status"],
                "created": batch["created"], "total": len(items), "finished": finished,
                "ok": sum(it["status"] == "ok" for it in items), "errors": sum(it["status"] == "error" for it in items),
                "progress": round(finished / len(items), 4) if items else 1.0, "reports": reports}

    def _results(self, batch_id: str, items: list[dict] | None = None) -> dict[str, dict]:
        """report id -> public result with the reviewed score (machine score kept as `machine_score`)."""
        items = items if items is not None else self.db.items(batch_id)
        by_source = {it["source"]: it for it in items if it["status"] == "ok"}
        if not by_source:
            return {}
        reviewed_ids = set(self.db.reviewed_report_ids(batch_id))
        store = self.engine.run_store(batch_id)
        try:
            rows = store.con.execute("SELECT source, result, text FROM results WHERE status = 'ok'").fetchall()
        finally:
            store.close()
        out = {}
        for source, result, text in rows:
            it = by_source.get(source)
            if it is None:
                continue
            d = public_dict(json.loads(result))
            d["machine_score"] = d["score"]["total"]
            d["reviewed"] = it["id"] in reviewed_ids
            if d["reviewed"]:
                view = rv.reviewed(Report.from_dict(json.loads(result) | {"text": text}), self.db.audit(it["id"]), self.engine)
                d["score"] = view["score"]
                meta = view["report"].meta
                d["agency"], d["year"], d["level"] = meta.agency, meta.year, meta.level
                d["statements"] = [s.to_dict() for s in view["report"].statements]
                d["review"] = {"dismissed": view["dismissed"], "confirmed": view["confirmed"]}
            d["id"], d["name"] = it["id"], it["name"]
            out[it["id"]] = d
        return out

    def results(self, batch_id: str) -> list[dict]:
        self.batch(batch_id)
        items = self.db.items(batch_id)
        res = self._results(batch_id, items)
        return [res[it["id"]] for it in items if it["id"] in res]

    def errors(self, batch_id: str) -> list[dict]:
        return [{"source": it["name"], "code": it["error_code"], "error": it["error"]}
                for it in self.db.items(batch_id) if it["status"] == "error"]

    # -- review -------------------------------------------------------------------------------------------
    def review_deduction(self, item: dict, key: str, decision: str, note: str, user: User) -> dict:
        if decision not in rv.DECISIONS:
            raise error("validation_error", "复核结论须为 confirm（确认）、dismiss（驳回）或 reset（撤销）")
        current = self.reviewed(item)
        keys = {rv.deduction_key(d) for d in current["score"]["deductions"]} | set(current["dismissed"])
        if key not in keys:
            raise error("not_found", "该扣分项不存在（可能已随陈述修改而变化）")
        self.db.add_audit(item["id"], user.name, "deduction", key, {"decision": decision}, (note or "")[:2000])
        return self.reviewed(item)

    def review_statement(self, item: dict, span: str, labels: dict[str, Any] | None, note: str, user: User) -> dict:
        report = self.machine_report(item)
        if span not in {rv.statement_key(s.start, s.end) for s in report.statements}:
            raise error("not_found", "该陈述不存在")
        value = {"reset": True} if labels is None else rv.validate_labels(**labels)
        self.db.add_audit(item["id"], user.name, "statement", span, value, (note or "")[:2000])
        return self.reviewed(item)

    def review_cell(self, item: dict, path: str, value, note: str, user: User, reset: bool = False) -> dict:
        report = self.machine_report(item)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        rv.validate_cell(report, path, None if reset else value)
        self.db.add_audit(item["id"], user.name, "cell", path, {"reset": True} if reset else {"value": value},
                          (note or "")[:2000])
        return self.reviewed(item)

    def review_meta(self, item: dict, field: str, value, note: str, user: User, reset: bool = False) -> dict:
        self.machine_report(item)
        value = None if reset else rv.validate_meta(field, value)
        self.db.add_audit(item["id"], user.name, "meta", field, {"reset": True} if reset else {"value": value},
                          (note or "")[:2000])
        return self.reviewed(item)

    # -- exports ------------------------------------------------------------------------------------------
    def summary_xlsx(self, batch_id: str) -> bytes:
        from inference.outputs import write_xlsx

        results = [{**r, "source": r["name"]} for r in self.results(batch_id)]
        return _xlsx_bytes(lambda p: write_xlsx(p, results, self.errors(batch_id)))

    def issues(self, batch_id: str) -> list[dict]:
        """问题清单: every deduction of every report of the batch, with the review decision."""
        out = []
        for r in self.results(batch_id):
            dismissed = set(r.get("review", {}).get("dismissed", []))
            confirmed = set(r.get("review", {}).get("confirmed", []))
            view_deds = r["score"]["deductions"]
            machine = {rv.deduction_key(d): d for d in view_deds}
            if dismissed:
                # dismissed deductions are not in the reviewed score: list them from the machine's result
                report = self.machine_report(self.db.item(r["id"]))
                for d in report.score.deductions:
                    k = rv.deduction_key(d.to_dict())
                    if k in dismissed:
                        machine[k] = d.to_dict()
            for k, d in machine.items():
                # points taken or given back (a cap, so the list adds up), or a line a reviewer must look at
                # (需人工复核); not the 0-point lines that only explain a score (已整改，不扣分 / 无法评估)
                if d["points"] == 0 and "复核" not in (d.get("treatment") or ""):
                    continue
                state = "驳回" if k in dismissed else ("确认" if k in confirmed else "未复核")
                out.append({"report_id": r["id"], "name": r["name"], "agency": r.get("agency") or "",
                            "level": r.get("level") or "", "year": r.get("year") or "", "grade": r["score"]["grade"],
                            "total": r["score"]["total"], "part": self.part_name(d["part"]), "item": check_name(d.get("check_id")),
                            "points": d["points"], "reason": d["reason"], "treatment": d.get("treatment") or "",
                            "review": state})
        return out

    def part_name(self, key: str) -> str:
        return next((p["name"] for p in self.nlp.rubric.parts if p["key"] == key), key)

    def issues_xlsx(self, batch_id: str) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        from inference.outputs import _safe

        rows = self.issues(batch_id)

        def write(path: Path) -> None:
            wb = Workbook()
            ws = wb.active
            ws.title = "问题清单"
            heads = ["单位", "层级", "年度", "等级", "总分", "评分项", "检查项", "扣分", "问题说明", "处理说明", "复核", "文件"]
            ws.append(heads)
            for r in rows:
                ws.append([_safe(v) for v in (r["agency"], r["level"], r["year"], r["grade"], r["total"], r["part"], r["item"],
                                              r["points"], r["reason"], r["treatment"], r["review"], r["name"])])
            counts = wb.create_sheet("问题汇总")
            counts.append(["检查项", "涉及报告数", "扣分合计"])
            agg: dict[str, list] = {}
            for r in rows:
                if r["review"] == "驳回":
                    continue
                a = agg.setdefault(r["item"], [set(), 0.0])
                a[0].add(r["report_id"])
                a[1] += r["points"]
            for name, (ids, pts) in sorted(agg.items(), key=lambda kv: -len(kv[1][0])):
                counts.append([name, len(ids), round(pts, 2)])
            for sheet in wb.worksheets:
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
                sheet.freeze_panes = "A2"
            wb.save(path)

        return _xlsx_bytes(write)

    def training_jsonl(self, batch_id: str | None = None) -> tuple[str, list[str]]:
        """Reviewed statements as project-format JSONL (`nianbao train --data`): every report with at least
        one statement correction, its passages labelled with the reviewed statements."""
        lines, skipped = [], []
        for report_id in self.db.reviewed_report_ids(batch_id):
            item = self.db.item(report_id)
            audit = self.db.audit(report_id)
            if item is None or item["status"] != "ok" or not any(a["kind"] == "statement" for a in audit):
                continue
            view = rv.reviewed(self.machine_report(item), audit, self.engine)
            reviewers = "、".join(sorted({a["user"] for a in audit if a["kind"] == "statement"}))
            records, why = rv.training_records(report_id, item["name"], view["report"], reviewers)
            lines.extend(json.dumps(r, ensure_ascii=False) for r in records)
            skipped.extend(why)
        return "".join(line + "\n" for line in lines), skipped

    # -- two reports of one body ---------------------------------------------------------------------------
    def previous_year(self, item: dict, report: Report) -> dict | None:
        """The same body's report for the year before: looked up in the shared history store (every batch
        scored by the service), then in the run stores of folders scored on the command line."""
        if not report.meta.agency or not report.meta.year:
            return None
        want = (report.meta.agency, report.meta.year - 1)
        hist = self.engine.history()
        try:
            sources = [r[0] for r in hist.con.execute("SELECT source FROM reports WHERE agency = ? AND year = ?", want)]
        finally:
            hist.close()
        for source in sources:
            for other in self.db.rows("SELECT * FROM items WHERE source = ? AND status = 'ok' ORDER BY batch_id", (source,)):
                found = self.machine_report(other)
                if (found.meta.agency, found.meta.year) == want:
                    return other
        for batch in self.db.rows("SELECT id FROM batches WHERE origin = 'cli'"):
            store = self.engine.run_store(batch["id"])
            try:
                rows = store.con.execute("SELECT source, result FROM results WHERE status = 'ok'").fetchall()
            finally:
                store.close()
            for source, result in rows:
                d = json.loads(result)
                if (d.get("agency"), d.get("year")) == want:
                    other = self.db.item_by_source(batch["id"], source)
                    if other is not None:
                        return other
        return None


def _xlsx_bytes(write) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.xlsx"
        write(path)
        return path.read_bytes()


def role_name(role: str) -> str:
    return ROLE_CN.get(role, role)

