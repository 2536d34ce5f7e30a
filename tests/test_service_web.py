"""The web app: upload page, batch dashboard, report page (deductions linked to evidence, statements by role
with Chinese category names, needs-review items), the two-year view; all offline (no external resource)."""
from __future__ import annotations

import re

import pytest

from tests.service_helpers import TWO, client, form_token, make_app, nlp, previous_year_text, sample_file, wait  # noqa: F401

HTML = {"accept": "text/html"}
NOW = "s01_yunxi_county_gov_2023.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory, nlp):  # noqa: F811
    """Two years of one unit and a second unit, uploaded through the web form."""
    app = make_app(tmp_path_factory.mktemp("store"), nlp)
    c = client(app)
    token = form_token(c.get("/", headers=HTML).text)
    files = [("files", sample_file(NOW)), ("files", ("云溪县2022.txt", previous_year_text(NOW))),
             ("files", sample_file(TWO[1])), ("files", ("empty.txt", b""))]
    r = c.post("/upload", files=files, data={"csrf_token": token, "title": "云溪县测试批次"}, headers=HTML,
               follow_redirects=False)
    assert r.status_code == 303
    batch_id = r.headers["location"].rsplit("/", 1)[1]
    wait(app)
    view = c.get(f"/api/v1/batches/{batch_id}").json()
    ids = {x["name"]: x["id"] for x in view["reports"]}
    return app, c, batch_id, ids


def _no_external_resources(page: str) -> None:
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "page loads something from the network"


def test_index_lists_batches_with_upload_form(site):
    _, c, batch_id, _ = site
    page = c.get("/", headers=HTML).text
    assert "上传并评分" in page and 'type="file"' in page and "multiple" in page and ".zip" in page
    assert f"/batches/{batch_id}" in page and "云溪县测试批次" in page
    _no_external_resources(page)


def test_dashboard(site):
    app, c, batch_id, ids = site
    page = c.get(f"/batches/{batch_id}", headers=HTML).text
    _no_external_resources(page)
    for text in ("等级分布", "分数分布", "最常见的未通过检查", "各单位报告", "问题清单", "下载问题清单 Excel",
                 "云溪县人民政府", "无法读取", "class=\"sortable\"", 'id="filter"', "按层级汇总"):
        assert text in page, text
    grades = [g["name"] for g in sorted(app.state.svc.nlp.rubric.grades, key=lambda g: -g["min"])]
    positions = [page.index(f"grade-{g}\">{g}</td>") for g in grades]
    assert positions == sorted(positions)  # grades in grade order
    assert page.count("class=\"col\"") == 10  # ten score buckets
    # failed checks by their Chinese name, never the check id
    failed = re.search(r"最常见的未通过检查</h2>(.*?)</div>", page, re.S).group(1)
    assert "t3." not in failed and "cross_year." not in failed
    assert "跨年度数据衔接" in failed  # the 2023 report disagrees with the 2022 one uploaded beside it
    for rid in (ids[NOW], ids[TWO[1]]):
        assert f"/reports/{rid}" in page
    assert "<meta http-equiv=\"refresh\"" not in page  # finished: no auto refresh


def test_report_page(site):
    app, c, _, ids = site
    rid = ids[NOW]
    page = c.get(f"/reports/{rid}", headers=HTML).text
    _no_external_resources(page)
    report = c.get(f"/api/v1/reports/{rid}").json()
    assert f"{report['score']['total']:g} 分" in page and report["score"]["grade"] in page
    for part in report["score"]["parts"].values():
        assert part["name"] in page
    # every deduction is listed in Chinese, and each evidence link has its target on the page
    for d in report["score"]["deductions"]:
        assert d["reason"] in page.replace("&#34;", '"').replace("&#39;", "'")
    links = set(re.findall(r'href="#((?:ev|cell)-[^"]+)"', page))
    assert links, "no evidence links"
    for anchor in links:
        assert f"id='{anchor}'" in page or f'id="{anchor}"' in page, anchor
    # statements highlighted by role with Chinese category names
    from inference.rules import category_name

    st = report["statements"][0]
    assert f"class='tag {st['role']}'" in page and category_name(st["categories"][0]) in page
    assert "需人工复核" in page or not any(c["status"] == "uncertain" for c in report["checks"])
    assert "两年对比" in page  # the 2022 report of the same unit is in the store


def test_two_year_view(site):
    _, c, _, ids = site
    page = c.get(f"/reports/{ids[NOW]}/compare", headers=HTML).text
    _no_external_resources(page)
    for text in ("两年对比", "2023 年度", "2022 年度", "跨年度检查", "是否得到回应", "第五部分文字雷同", "表格数字对比"):
        assert text in page, text
    assert "不通过" in page  # the carried-over figure does not match last year's
    assert "已回应" in page or "未见对应措施" in page
    # the copied year: identical sentences highlighted
    assert "两年完全相同的句子" in page
    # a report without a previous year says so
    page = c.get(f"/reports/{ids[TWO[1]]}/compare", headers=HTML).text
    assert "未找到该单位" in page


def test_error_pages_are_html_for_browsers(site):
    _, c, _, ids = site
    r = c.get("/reports/0123456789abcdef", headers=HTML)
    assert r.status_code == 404 and "未找到该报告" in r.text and r.headers["content-type"].startswith("text/html")
    r = c.get(f"/reports/{ids['empty.txt']}", headers=HTML)
    assert r.status_code == 422 and "unreadable_report" in r.text and "返回首页" in r.text


def test_security_headers(site):
    _, c, batch_id, _ = site
    r = c.get(f"/batches/{batch_id}", headers=HTML)
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_report_text_is_escaped(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp)
    c = client(app)
    text = (previous_year_text(NOW).decode("utf-8").replace("云溪县人民政府", "云溪县<script>alert(1)</script>人民政府"))
    r = c.post("/api/v1/batches", files=[("files", ("<img src=x onerror=alert(1)>.txt", text.encode("utf-8")))])
    wait(app)
    rid = c.get(f"/api/v1/batches/{r.json()['id']}").json()["reports"][0]["id"]
    for url in (f"/reports/{rid}", f"/batches/{r.json()['id']}"):
        page = c.get(url, headers=HTML).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page
