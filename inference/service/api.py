"""The JSON API under /api/v1. Errors: `{"error": {"code": <stable English code>, "message": <Chinese>}}`.

Authentication: the session cookie from POST /api/v1/login (or the web login); calls that change something
send the session's CSRF token as `X-CSRF-Token`. On a loopback address without accounts no login is needed.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from inference.service.errors import error
from inference.service.review import deduction_key

router = APIRouter(prefix="/api/v1")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _svc(request: Request):
    return request.app.state.svc


def _attachment(name: str) -> dict:
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(name)}"}


class Login(BaseModel):
    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class DeductionReview(BaseModel):
    decision: Literal["confirm", "dismiss", "reset"]
    note: str = Field("", max_length=2000)


class StatementReview(BaseModel):
    role: Literal["problem", "remedy", "other"] | None = None
    categories: list[str] = Field(default_factory=list, max_length=20)
    specific: bool = False
    status: Literal["done", "planned"] | None = None
    note: str = Field("", max_length=2000)
    reset: bool = False


class CellReview(BaseModel):
    value: float | None = Field(None, ge=0)
    note: str = Field("", max_length=2000)
    reset: bool = False


class MetaReview(BaseModel):
    value: str | int | None = None
    note: str = Field("", max_length=2000)
    reset: bool = False


class NewUser(BaseModel):
    name: str = Field(max_length=64)
    role: Literal["viewer", "reviewer", "admin"]
    password: str = Field(max_length=1024)


@router.get("/health", summary="服务状态")
def health(request: Request):
    svc = _svc(request)
    return {"status": "ok", "pipeline": svc.nlp.pipe_names, "workers": svc.engine.n_workers,
            "queued": svc.engine.queued(), "accounts": not svc.auth.open_access()}


@router.post("/login", summary="登录（设置会话 Cookie，返回 CSRF 令牌）")
def login(request: Request, body: Login):
    svc = _svc(request)
    if not svc.auth.same_origin(request):
        raise error("csrf_failed")
    user = svc.auth.check_password(body.name, body.password, request.client.host if request.client else "?")
    token, csrf = svc.auth.new_session(user.name)
    response = JSONResponse({"user": user.name, "role": user.role, "csrf_token": csrf})
    svc.auth.set_cookie(response, token)
    return response


@router.post("/logout", summary="退出登录")
def logout(request: Request):
    svc = _svc(request)
    svc.auth.api_user(request)
    from inference.service.auth import COOKIE

    svc.auth.drop_session(request.cookies.get(COOKIE))
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/session", summary="当前用户与 CSRF 令牌")
def session(request: Request):
    svc = _svc(request)
    user = svc.auth.api_user(request)
    sess = svc.auth.session(request)
    return {"user": user.name, "role": user.role, "anonymous": user.anonymous, "csrf_token": sess["csrf"] if sess else None}


@router.post("/score", summary="评分一份报告（同步返回，与 results.jsonl 的一行相同）")
def score(request: Request, file: UploadFile = File(..., description="报告文件：txt/html/docx/pdf")):
    svc = _svc(request)
    svc.auth.api_user(request, "reviewer")
    return svc.score_upload(file.filename, file.file)


@router.post("/batches", status_code=202, summary="上传一批报告（多个文件或 zip），后台评分")
def create_batch(request: Request, files: list[UploadFile] = File(..., description="报告文件或 zip 压缩包"),
                 title: str = Form("", max_length=200)):
    svc = _svc(request)
    user = svc.auth.api_user(request, "reviewer")
    if len(files) > svc.settings.limits.max_files:
        raise error("too_many_files", f"一次最多上传 {svc.settings.limits.max_files} 个文件")
    created = svc.create_batch([(f.filename, f.file) for f in files], title, user)
    return {**created, "url": f"/api/v1/batches/{created['id']}"}


@router.get("/batches", summary="全部批次")
def list_batches(request: Request):
    svc = _svc(request)
    svc.auth.api_user(request)
    svc.engine.import_folders()
    return {"batches": [{k: b[k] for k in ("id", "title", "origin", "status", "created", "total", "finished_items", "errors")}
                        for b in svc.db.batches()]}


@router.get("/batches/{batch_id}", summary="批次进度与每份报告的状态")
def get_batch(request: Request, batch_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    return svc.batch_view(batch_id)


@router.get("/batches/{batch_id}/summary.xlsx", summary="批次汇总 Excel（与 nianbao score 的 summary.xlsx 相同）")
def summary_xlsx(request: Request, batch_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    return Response(svc.summary_xlsx(batch_id), media_type=XLSX, headers=_attachment(f"汇总-{batch_id}.xlsx"))


@router.get("/batches/{batch_id}/issues.xlsx", summary="问题清单 Excel（各单位的全部扣分及复核结论）")
def issues_xlsx(request: Request, batch_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    return Response(svc.issues_xlsx(batch_id), media_type=XLSX, headers=_attachment(f"问题清单-{batch_id}.xlsx"))


@router.get("/batches/{batch_id}/issues", summary="问题清单（JSON）")
def issues(request: Request, batch_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    return {"issues": svc.issues(batch_id)}


@router.get("/reports/{report_id}.docx", summary="一份报告的评分结果（Word，含复核结论）")
def report_docx(request: Request, report_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    from inference.service.exports import report_docx as build

    item = svc.item(report_id)
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    from urllib.parse import quote

    return Response(build(svc, item), media_type=docx, headers={
        "Content-Disposition": f"attachment; filename=\"report.docx\"; filename*=UTF-8''{quote(item['name'])}.docx"})


@router.get("/reports/{report_id}", summary="一份报告的评分结果（机器原始结果 + 复核后的分数）")
def get_report(request: Request, report_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    item = svc.item(report_id)
    from inference.report import public_dict

    view = svc.reviewed(item)
    machine = view["report"]  # statements corrected; the machine's own result follows
    original = svc.machine_report(item)
    out = public_dict(original.to_dict())
    out.update(id=item["id"], batch_id=item["batch_id"], name=item["name"])
    out["review"] = {"changed": view["changed"], "score": view["score"], "dismissed": view["dismissed"],
                     "confirmed": view["confirmed"],
                     "statements": [s.to_dict() for s in machine.statements] if view["corrections"] else None}
    for d in out["score"]["deductions"]:
        d["key"] = deduction_key(d)
    return out


@router.get("/reports/{report_id}/audit", summary="复核记录（谁、何时、改了什么）")
def get_audit(request: Request, report_id: str):
    svc = _svc(request)
    svc.auth.api_user(request)
    item = svc.item(report_id)
    return {"audit": svc.db.audit(item["id"])}


@router.post("/reports/{report_id}/deductions/{key}", summary="确认或驳回一项扣分")
def review_deduction(request: Request, report_id: str, key: str, body: DeductionReview):
    svc = _svc(request)
    user = svc.auth.api_user(request, "reviewer")
    view = svc.review_deduction(svc.item(report_id), key, body.decision, body.note, user)
    return {"score": view["score"], "dismissed": view["dismissed"], "confirmed": view["confirmed"]}


@router.post("/reports/{report_id}/statements/{span}", summary="更正一条陈述的标注")
def review_statement(request: Request, report_id: str, span: str, body: StatementReview):
    svc = _svc(request)
    user = svc.auth.api_user(request, "reviewer")
    labels = None if body.reset else {"role": body.role or "", "categories": body.categories,
                                      "specific": body.specific, "status": body.status}
    view = svc.review_statement(svc.item(report_id), span, labels, body.note, user)
    return {"score": view["score"], "statements": [s.to_dict() for s in view["report"].statements]}


@router.post("/reports/{report_id}/cells/{path}", summary="更正一个表格数字（如 t3.carried_over.total），重新检查并评分")
def review_cell(request: Request, report_id: str, path: str, body: CellReview):
    svc = _svc(request)
    user = svc.auth.api_user(request, "reviewer")
    view = svc.review_cell(svc.item(report_id), path, body.value, body.note, user, reset=body.reset)
    report = view["report"]
    return {"score": view["score"], "checks": [c.to_dict() for c in report.checks],
            "tables": {k: t.to_dict(full=False) for k, t in report.tables.items()}}


@router.post("/reports/{report_id}/meta/{field}", summary="更正机关名称（agency）、层级（level）或年度（year）")
def review_meta(request: Request, report_id: str, field: str, body: MetaReview):
    svc = _svc(request)
    user = svc.auth.api_user(request, "reviewer")
    view = svc.review_meta(svc.item(report_id), field, body.value, body.note, user, reset=body.reset)
    meta = view["report"].meta
    return {"score": view["score"], "agency": meta.agency, "level": meta.level, "year": meta.year}


@router.get("/reviewed.jsonl", summary="复核后的陈述标注（项目 JSONL 格式，可用于 nianbao train --data）")
def reviewed_jsonl(request: Request, batch: str | None = None):
    svc = _svc(request)
    svc.auth.api_user(request, "reviewer")
    if batch is not None:
        svc.batch(batch)
    text, skipped = svc.training_jsonl(batch)
    from urllib.parse import quote

    return Response(text, media_type="application/x-ndjson",
                    headers={"Content-Disposition": "attachment; filename=reviewed.jsonl",
                             "X-Nianbao-Skipped": quote("; ".join(skipped)[:1000])})


@router.get("/users", summary="账号列表（管理员）")
def list_users(request: Request):
    svc = _svc(request)
    svc.auth.api_user(request, "admin")
    return {"users": svc.db.users()}


@router.post("/users", status_code=201, summary="新建或重置账号（管理员）")
def add_user(request: Request, body: NewUser):
    svc = _svc(request)
    svc.auth.api_user(request, "admin")
    svc.auth.add_user(body.name, body.role, body.password)
    return {"name": body.name, "role": body.role}
