"""The server-rendered Chinese web app: login, upload, batch dashboard, report page with review, two-year
view, accounts. Everything is inline (CSS and a few lines of JS in the templates): it works offline."""
from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from inference.scoring import points_text
from inference.service import names
from inference.service import review as rv
from inference.service.errors import ServiceError, error

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = None


def env():
    global _env
    if _env is None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        _env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
        _env.globals.update(names=names, quote=quote)
        _env.filters["num"] = lambda v: f"{v:g}" if isinstance(v, (int, float)) else (v or "")
        _env.filters["deduction"] = points_text
    return _env


def _svc(request: Request):
    return request.app.state.svc


def render(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    svc = _svc(request)
    session = svc.auth.session(request)
    token = None
    if session is None:
        token, csrf = svc.auth.new_session(None)
        session = {"csrf": csrf, "user": None}
    user = svc.auth.user_of(session)
    page = env().get_template(template).render(request=request, user=user, csrf=session["csrf"],
                                               open_access=svc.auth.open_access(), **ctx)
    response = HTMLResponse(page, status_code=status)
    if token:
        svc.auth.set_cookie(response, token)
    return response


def error_page(request: Request, exc: ServiceError) -> str:
    try:
        return env().get_template("error.html").render(request=request, user=None, csrf="", exc=exc, open_access=False)
    except Exception:
        return f"<!doctype html><meta charset=utf-8><p>{html.escape(exc.message)} ({html.escape(exc.code)})</p>"


def _user(request: Request, role: str = "viewer"):
    """(user, None) or (None, redirect to the login page)."""
    svc = _svc(request)
    user = svc.auth.user_of(svc.auth.session(request))
    if user is None:
        return None, RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if not user.can(role):
        raise error("forbidden")
    return user, None


async def _form(request: Request, role: str = "viewer"):
    """A posted form after the CSRF and role checks: (user, form) or (None, redirect)."""
    svc = _svc(request)
    limits = svc.settings.limits
    form = await request.form(max_files=limits.max_files + 1, max_fields=200)
    svc.auth.check_form_csrf(request, svc.auth.session(request), form.get("csrf_token"))
    user, redirect = _user(request, role)
    return (user, form) if user else (None, redirect)


async def _review_form(request: Request, report_id: str):
    """A reviewer's posted form on one report: (user, form, service, report item), or (None, redirect, ...)."""
    user, form = await _form(request, "reviewer")
    if user is None:
        return None, form, None, None
    svc = _svc(request)
    return user, form, svc, svc.item(report_id)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


# -- login ---------------------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = "/"):
    return render(request, "login.html", next=_safe_next(next), failed=None)


@router.post("/login")
async def login(request: Request):
    svc = _svc(request)
    form = await request.form(max_files=0, max_fields=10)
    session = svc.auth.session(request)
    svc.auth.check_form_csrf(request, session, form.get("csrf_token"))
    target = _safe_next(form.get("next"))
    try:
        user = svc.auth.check_password(str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024],
                                       request.client.host if request.client else "?")
    except ServiceError as exc:
        if exc.code == "rate_limited":
            raise
        return render(request, "login.html", status=401, next=target, failed=exc.message)
    svc.auth.drop_session(request.cookies.get("nianbao_session"))
    token, _ = svc.auth.new_session(user.name)
    response = RedirectResponse(target, status_code=303)
    svc.auth.set_cookie(response, token)
    return response


@router.post("/logout")
async def logout(request: Request):
    svc = _svc(request)
    form = await request.form(max_files=0, max_fields=10)
    svc.auth.check_form_csrf(request, svc.auth.session(request), form.get("csrf_token"))
    svc.auth.drop_session(request.cookies.get("nianbao_session"))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie("nianbao_session", path="/")
    return response


# -- batches -------------------------------------------------------------------------------------------------
@router.get("/")
def index(request: Request):
    user, redirect = _user(request)
    if redirect:
        return redirect
    svc = _svc(request)
    svc.engine.import_folders()
    return render(request, "index.html", batches=svc.db.batches(), limits=svc.settings.limits,
                  status_cn=names.BATCH_STATUS_CN)


@router.post("/upload")
async def upload(request: Request):
    user, form = await _form(request, "reviewer")
    if user is None:
        return form
    svc = _svc(request)
    files = [f for f in form.getlist("files") if hasattr(f, "file") and f.filename]
    if len(files) > svc.settings.limits.max_files:
        raise error("too_many_files", f"一次最多上传 {svc.settings.limits.max_files} 个文件")
    created = await run_in_threadpool(svc.create_batch, [(f.filename, f.file) for f in files],
                                      str(form.get("title", ""))[:200], user)
    return RedirectResponse(f"/batches/{created['id']}", status_code=303)


def _histogram(results: list[dict]) -> list[tuple[str, int]]:
    buckets = Counter(min(9, int(r["score"]["total"] // 10)) for r in results)
    return [(f"{b * 10}–{b * 10 + 9 if b < 9 else 100}", buckets.get(b, 0)) for b in range(10)]


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: str):
    user, redirect = _user(request)
    if redirect:
        return redirect
    svc = _svc(request)
    view = svc.batch_view(batch_id)
    running = view["status"] in ("queued", "running")
    results = [] if running else svc.results(batch_id)  # the charts need every result: once, when done
    grade_order = [g["name"] for g in sorted(svc.nlp.rubric.grades, key=lambda g: -g["min"])]
    grades = Counter(r["score"]["grade"] for r in results)
    failed = Counter()
    for r in results:
        for name in {names.check_name(c["id"]) for c in r["checks"] if c["status"] == "fail"}:
            failed[name] += 1
    problem_cats = Counter(names.category_label(c) for r in results for s in r.get("statements", [])
                           if s["role"] == "problem" for c in s["categories"])
    issues = [] if running else svc.issues(batch_id)
    by_level: dict[str, list[dict]] = {}
    for r in results:
        by_level.setdefault(r.get("level") or "未识别", []).append(r)
    levels = [{"level": lv, "n": len(rs), "mean": round(sum(r["score"]["total"] for r in rs) / len(rs), 1),
               "grades": Counter(r["score"]["grade"] for r in rs)} for lv, rs in sorted(by_level.items(), key=lambda kv: -len(kv[1]))]
    return render(request, "batch.html", batch=view, results=results, grades=[(g, grades.get(g, 0)) for g in grade_order],
                  histogram=_histogram(results), failed=failed.most_common(15), problem_cats=problem_cats.most_common(12),
                  issues=issues, levels=levels, grade_order=grade_order, item_status=names.ITEM_STATUS_CN, status_cn=names.BATCH_STATUS_CN,
                  running=running)


# -- reports -------------------------------------------------------------------------------------------------
def _highlight(text: str, statements: list, evidence: list[tuple[str, int, int]], reviewed_keys: set[str]) -> str:
    """The report text with statements marked by role and evidence spans anchored (`ev-i-j`)."""
    n = len(text)
    bounds = {0, n}
    spans = []
    for s in statements:
        if 0 <= s.start < s.end <= n:
            spans.append(("st", s.start, s.end, s))
            bounds |= {s.start, s.end}
    for anchor, start, end in evidence:
        if 0 <= start < end <= n:
            spans.append(("ev", start, end, anchor))
            bounds |= {start, end}
    points = sorted(bounds)
    starts: dict[int, list] = {}
    for span in spans:
        starts.setdefault(span[1], []).append(span)
    out = []
    for a, b in zip(points, points[1:]):
        for kind, start, end, obj in starts.get(a, []):
            if kind == "ev":
                out.append(f"<span class='anchor' id='{obj}'></span>")
            else:
                key = rv.statement_key(obj.start, obj.end)
                label = names.ROLE_CN.get(obj.role, obj.role)
                cats = "、".join(names.category_label(c) for c in obj.categories)
                spec = "具体" if obj.specific else "笼统"
                extra = f"·{names.STATUS_CN.get(obj.status, '')}" if obj.status else ""
                fixed = "·已更正" if key in reviewed_keys else ""
                out.append(f"<a class='tag {obj.role}' href='#st-{key}' id='t-{key}'>{html.escape(label)}"
                           f"{('·' + html.escape(cats)) if cats else ''}·{spec}{html.escape(extra)}{fixed}</a>")
        classes = [obj.role for kind, s, e, obj in spans if kind == "st" and s <= a and b <= e]
        evs = any(kind == "ev" and s <= a and b <= e for kind, s, e, _ in spans)
        chunk = html.escape(text[a:b])
        if classes or evs:
            cls = " ".join(sorted(set(classes)) + (["ev"] if evs else []))
            out.append(f"<span class='{cls}'>{chunk}</span>")
        else:
            out.append(chunk)
    return "".join(out)


def _needs_review(report, view_statements) -> list[str]:
    out = []
    for c in report.checks:
        if c.status == "uncertain":
            out.append(f"{names.check_name(c.id)}：{c.message}")
    for key, t in report.tables.items():
        for row in t.ambiguous_rows:
            out.append(f"{names.TABLE_CN.get(key, key)} {row} 行数字无法唯一拆分")
        out.extend(f"{names.TABLE_CN.get(key, key)}：{note}" for note in t.notes)
        if not t.found:
            out.append(f"未识别到{names.TABLE_CN.get(key, key)}")
    for s in view_statements:
        if s.confidence and s.confidence < 0.6:
            out.append(f"低置信度陈述（{s.confidence:.2f}）：{s.text[:60]}")
    return out


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: str):
    user, redirect = _user(request)
    if redirect:
        return redirect
    svc = _svc(request)
    item = svc.item(report_id)
    machine = svc.machine_report(item)
    audit = svc.db.audit(item["id"])
    view = rv.reviewed(machine, audit, svc.engine)
    report = view["report"]
    score = view["score"]
    dismissed = set(view["dismissed"])
    # the machine's deductions, each with its review state (dismissed ones stay listed, struck through)
    deductions, evidence, cells = [], [], {}
    col_names = _column_names()
    all_deds = list(report.score.deductions)
    seen = {rv.deduction_key(d.to_dict()) for d in all_deds}
    for d in machine.score.deductions:  # deductions dismissed are not in the reviewed score
        if rv.deduction_key(d.to_dict()) in dismissed and rv.deduction_key(d.to_dict()) not in seen:
            all_deds.append(d)
    for i, d in enumerate(sorted(all_deds, key=lambda d: -d.points)):
        key = rv.deduction_key(d.to_dict())
        links = []
        for j, e in enumerate(d.evidence[:12]):
            if e.start is not None and e.end is not None:
                anchor = f"ev-{i}-{j}"
                evidence.append((anchor, e.start, e.end))
                links.append((f"#{anchor}", (e.text or report.text[e.start:e.end])[:24] or "原文"))
            elif e.path and e.path.split(".")[0] in report.tables:
                anchor = "cell-" + e.path.replace(".", "-")
                cells.setdefault(e.path, []).append(i)
                table, *rest = e.path.split(".")
                label = " · ".join([names.TABLE_CN.get(table, table).split()[0]] + [col_names.get(x, x) for x in rest])
                links.append((f"#{anchor}", label))
            elif e.text:  # a passage of another report (last year's problem, a copied sentence): quoted, no link
                links.append(("", ("上年度：" if (d.check_id or "").startswith("last_year.") else "") + e.text[:40]))
        decision = view["decisions"].get(key)
        deductions.append({"key": key, "i": i, "d": d, "part": svc.part_name(d.part), "check": names.check_name(d.check_id),
                           "links": links, "decision": decision, "dismissed": key in dismissed})
    failing = {e.path for c in report.checks if c.status == "fail" for e in c.evidence if e.path}
    failing |= set(cells)
    text_html = _highlight(report.text, report.statements, evidence, set(view["corrections"]))
    parts = [{"name": p["name"], "score": p["score"], "max": p["max"],
              "pct": 0 if not p["max"] else max(0, min(100, round(100 * p["score"] / p["max"])))}
             for p in score["parts"].values()]
    from inference import rules

    cats = rules.categories()
    previous = svc.previous_year(item, report)
    return render(request, "report.html", item=item, report=report, machine=machine, score=score,
                  machine_score=machine.score.to_dict(), parts=parts, deductions=deductions, text_html=text_html,
                  failing=failing, needs_review=_needs_review(report, report.statements), audit=audit,
                  corrections=view["corrections"], cell_fixes=view["cells"], levels=rules.read("taxonomy")["levels"],
                  problem_cats=[c for c in cats.values() if c.role == "problem"],
                  remedy_cats=[c for c in cats.values() if c.role == "remedy"], previous=previous,
                  statement_key=rv.statement_key, table_cn=names.TABLE_CN, checks=report.checks,
                  column_names=col_names)


def _column_names() -> dict:
    from inference import rules

    checks = rules.read("checks")
    out = {}
    for key in ("t2", "t3", "t4"):
        for field in ("column_names", "col_names", "row_names", "block_names"):
            out.update(checks.get(key, {}).get(field, {}) or {})
    return out


@router.post("/reports/{report_id}/deductions/{key}")
async def review_deduction(request: Request, report_id: str, key: str):
    user, form, svc, item = await _review_form(request, report_id)
    if user is None:
        return form
    await run_in_threadpool(svc.review_deduction, item, key, str(form.get("decision", "")),
                            str(form.get("note", ""))[:2000], user)
    return RedirectResponse(f"/reports/{item['id']}#d-{key}", status_code=303)


@router.post("/reports/{report_id}/statements/{span}")
async def review_statement(request: Request, report_id: str, span: str):
    user, form, svc, item = await _review_form(request, report_id)
    if user is None:
        return form
    labels = None
    if not form.get("reset"):
        labels = {"role": str(form.get("role", "")), "categories": [str(c) for c in form.getlist("categories")][:20],
                  "specific": form.get("specific") == "1", "status": form.get("status") or None}
    await run_in_threadpool(svc.review_statement, item, span, labels, str(form.get("note", ""))[:2000], user)
    return RedirectResponse(f"/reports/{item['id']}#st-{span}", status_code=303)


@router.post("/reports/{report_id}/cells")
async def review_cell(request: Request, report_id: str):
    user, form, svc, item = await _review_form(request, report_id)
    if user is None:
        return form
    path, raw = str(form.get("path", ""))[:200], str(form.get("value", "")).strip().replace(",", "")
    value = None
    if raw and not form.get("reset"):
        try:
            value = float(raw)
        except ValueError:
            raise error("validation_error", "单元格的值须为数字，或留空表示空白") from None
    await run_in_threadpool(svc.review_cell, item, path, value, str(form.get("note", ""))[:2000], user,
                            bool(form.get("reset")))
    return RedirectResponse(f"/reports/{item['id']}#cell-{path.replace('.', '-')}", status_code=303)


@router.post("/reports/{report_id}/meta")
async def review_meta(request: Request, report_id: str):
    user, form, svc, item = await _review_form(request, report_id)
    if user is None:
        return form
    await run_in_threadpool(svc.review_meta, item, str(form.get("field", "")), str(form.get("value", ""))[:200],
                            str(form.get("note", ""))[:2000], user, bool(form.get("reset")))
    return RedirectResponse(f"/reports/{item['id']}", status_code=303)


@router.get("/reports/{report_id}/compare")
def compare_page(request: Request, report_id: str):
    """Two-year view: this report beside the same body's report of the year before."""
    user, redirect = _user(request)
    if redirect:
        return redirect
    svc = _svc(request)
    item = svc.item(report_id)
    this = svc.reviewed(item)["report"]
    prev_item = svc.previous_year(item, this)
    prev = svc.reviewed(prev_item)["report"] if prev_item else None
    rows = []
    if prev is not None:
        col_names = _column_names()
        for key in ("t2", "t3", "t4"):
            a, b = this.tables.get(key), prev.tables.get(key)
            if a is None:
                continue
            for row, cols in a.rows.items():
                for col, cell in cols.items():
                    old = b.value(row, col) if b is not None else None
                    if cell.value is None and old is None:
                        continue
                    diff = (cell.value - old) if isinstance(cell.value, (int, float)) and isinstance(old, (int, float)) else None
                    rows.append({"table": names.TABLE_CN.get(key, key), "row": col_names.get(row, row),
                                 "col": col_names.get(col, col), "now": cell.value, "before": old, "diff": diff})
    cross = [c for c in this.checks if c.id.startswith("cross_year")]
    problems_before = [s for s in (prev.statements if prev else []) if s.role == "problem" and s.section == 5]
    remedies_now = [s for s in this.statements if s.role == "remedy" and s.section in (5, 6)]
    addressed = []
    now_cats = {c for s in remedies_now for c in s.categories}
    from inference import rules

    cats = rules.categories()
    for s in problems_before:
        wanted = {r for c in s.categories for r in (cats[c].remedies if c in cats else ())}
        hit = sorted(wanted & now_cats)
        addressed.append({"text": s.text, "cats": s.categories, "answered": hit})
    copied = [m for m in (this.batch.similar if this.batch else []) if prev_item and m.get("other") == prev_item["source"]]
    return render(request, "compare.html", item=item, this=this, prev=prev, prev_item=prev_item, rows=rows,
                  cross=cross, addressed=addressed, copied=copied, similarity=_similarity(this, prev) if prev else None)


def _similarity(a, b) -> dict:
    """Character 5-gram Jaccard of sections 五 (copied passages) and the sentences of 五 found in both."""
    import re

    def body(r, n):
        s = r.section(n)
        return r.text[s.body_start:s.end] if s else ""

    def grams(t):
        t = re.sub(r"\s+", "", t)
        return {t[i:i + 5] for i in range(max(0, len(t) - 4))}

    x, y = grams(body(a, 5)), grams(body(b, 5))
    jac = len(x & y) / len(x | y) if x | y else 0.0
    prev_sentences = {s.strip() for s in re.split(r"[。；;\n]", body(b, 5)) if len(s.strip()) >= 12}
    same = [s.strip() for s in re.split(r"[。；;\n]", body(a, 5)) if s.strip() in prev_sentences]
    return {"jaccard": round(jac, 3), "same": same[:30]}


# -- accounts ------------------------------------------------------------------------------------------------
@router.get("/users")
def users_page(request: Request):
    user, redirect = _user(request, "admin")
    if redirect:
        return redirect
    return render(request, "users.html", users=_svc(request).db.users(), message=None)


@router.post("/users")
async def users_add(request: Request):
    user, form = await _form(request, "admin")
    if user is None:
        return form
    svc = _svc(request)
    svc.auth.add_user(str(form.get("name", "")), str(form.get("role", "")), str(form.get("password", "")))
    return RedirectResponse("/users", status_code=303)


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)

