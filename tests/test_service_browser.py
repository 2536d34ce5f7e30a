"""End to end in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's
chromedriver. Logs in, uploads two years of one unit, opens the report, dismisses a finding and sees the
score change, opens the two-year view and downloads the Excel 问题清单.

Screenshots go to $NIANBAO_SCREENSHOTS (the README's come from `NIANBAO_SCREENSHOTS=docs/screenshots`),
else to the test's tmp folder. Without Chromium the test is skipped — except under CI (CI=true), where
`.ci/run` installs it and a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES_DIR
from tests.service_helpers import PASSWORD, make_app, nlp, previous_year_text  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
NOW = "s01_yunxi_county_gov_2023.txt"


def _require_browser():
    missing = [what for what, ok in (("chromium", CHROMIUM), ("chromedriver", DRIVER)) if not ok]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install {', '.join(missing)} (.ci/run)")
        pytest.skip(f"no {', '.join(missing)}")


@pytest.fixture
def server(tmp_path, nlp):  # noqa: F811
    _require_browser()
    import uvicorn

    app = make_app(tmp_path / "store", nlp, users={"rex": "reviewer"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield app, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1360,1000",
                "--lang=zh-CN"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _shot(driver, name: str, tmp_path: Path) -> None:
    driver.execute_script("window.scrollTo(0, 0)")
    folder = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.min(document.body.scrollHeight, 2400)")
    driver.set_window_size(1360, max(800, height))
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(1360, 1000)


def _wait(condition, timeout: float = 120.0, what: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # the page may be reloading
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_review_in_a_real_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    app, base = server
    files = tmp_path / "upload"
    files.mkdir()
    (files / NOW).write_bytes((SAMPLES_DIR / NOW).read_bytes())
    (files / "云溪县人民政府2022年报告.txt").write_bytes(previous_year_text(NOW))

    # log in
    browser.get(f"{base}/")
    assert "/login" in browser.current_url
    browser.find_element(By.NAME, "name").send_keys("rex")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    _wait(lambda: "上传报告" in browser.page_source, 30, "the upload page")

    # upload two years of one unit
    browser.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in sorted(files.iterdir())))
    browser.find_element(By.NAME, "title").send_keys("云溪县两年")
    browser.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
    _wait(lambda: "/batches/" in browser.current_url, 30, "the batch page")
    _wait(lambda: "状态：<b>已完成</b>" in browser.page_source, 180, "the batch to finish")
    assert "等级分布" in browser.page_source and "云溪县人民政府" in browser.page_source
    _shot(browser, "dashboard", tmp_path)
    batch_url = browser.current_url

    # the 2023 report
    rows = browser.find_elements(By.CSS_SELECTOR, "#units tbody tr")
    link = next(r for r in rows if "2023" in r.text).find_element(By.CSS_SELECTOR, "a")
    link.click()
    _wait(lambda: "扣分明细" in browser.page_source, 30, "the report page")
    before = browser.find_element(By.ID, "total").text
    # an evidence link scrolls to its highlighted target
    evidence = browser.find_elements(By.CSS_SELECTOR, "#deductions a[href^='#']")
    assert evidence
    evidence[0].click()
    target = evidence[0].get_attribute("href").split("#", 1)[1]
    assert browser.execute_script("return location.hash") == "#" + target
    assert browser.find_element(By.ID, target)  # the anchor exists: the page scrolled to it

    # dismiss a deduction whose part is not capped (so that the total must change)
    from inference.service.review import deduction_key

    svc = app.state.svc
    score = svc.machine_report(svc.item(browser.current_url.split("/reports/")[1].split("#")[0])).score
    key = None
    for d in score.deductions:
        part = score.parts[d.part]
        others = sum(x.points for x in score.deductions if x.part == d.part and x is not d)
        if d.points > 0 and min(part["max"], others) < part["max"] - part["score"]:
            key = deduction_key(d.to_dict())
            break
    assert key, "no deduction whose dismissal changes the score"
    row = browser.find_element(By.ID, f"d-{key}")
    row.find_element(By.NAME, "note").send_keys("人工核对无误")
    row.find_element(By.CSS_SELECTOR, "button[value=dismiss]").click()
    _wait(lambda: "已驳回" in browser.page_source, 30, "the dismissal")
    after = browser.find_element(By.ID, "total").text
    assert after != before, (before, after)
    assert float(after.split()[0]) > float(before.split()[0])
    assert "人工核对无误" in browser.page_source and "复核后已调整" in browser.page_source
    _shot(browser, "report", tmp_path)

    # the two-year view
    browser.find_element(By.PARTIAL_LINK_TEXT, "两年对比").click()
    _wait(lambda: "表格数字对比" in browser.page_source, 30, "the two-year view")
    assert "2022 年度" in browser.page_source and "跨年度检查" in browser.page_source
    _shot(browser, "two_years", tmp_path)

    # download the Excel issue list from the dashboard
    browser.get(batch_url)
    _wait(lambda: "下载问题清单 Excel" in browser.page_source, 30, "the dashboard")
    browser.find_element(By.PARTIAL_LINK_TEXT, "下载问题清单 Excel").click()
    xlsx = _wait(lambda: [p for p in browser.downloads.iterdir() if p.suffix == ".xlsx"], 60, "the download")[0]
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    rows = list(wb["问题清单"].iter_rows(values_only=True))
    assert rows[0][0] == "单位" and any(r[10] == "驳回" for r in rows[1:])
