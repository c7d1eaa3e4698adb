"""The review page in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
driven by Selenium; no browser is downloaded): list -> incident -> evidence highlight ->
correction, and markup in an article that must stay inert. Screenshots are saved to
$TEST_ARTIFACTS (default out/test-artifacts/review/) for a person to look at."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from reviewdata import ReviewServer, build
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BRIND, HARROW = "BRI7613935397", "HAR0190207700"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (shutil.which(CHROMIUM) and shutil.which(DRIVER)):
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium and chromium-driver (.ci/run installs them)")
        pytest.skip(
            "no /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewServer]:
    db = tmp_path_factory.mktemp("browser") / "incidents.sqlite"
    build(str(db))
    with ReviewServer.running(str(db)) as running:
        yield running


@pytest.fixture(scope="module")
def artefacts() -> Path:
    folder = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "out" / "test-artifacts")) / "review"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_list_to_incident_to_evidence_to_correction(
    browser: WebDriver, server: ReviewServer, artefacts: Path
) -> None:
    browser.get(server.url("/incidents"))
    browser.save_screenshot(str(artefacts / "1-list.png"))
    browser.find_element(By.LINK_TEXT, BRIND).click()
    WebDriverWait(browser, 10).until(lambda d: f"/incidents/{BRIND}" in d.current_url)

    actor = browser.find_element(By.CSS_SELECTOR, 'a.evlink[data-field="threat_actors.0.name"]')
    assert actor.text == "Quillfeather Collective"
    actor.click()
    active = browser.find_elements(By.CSS_SELECTOR, "mark.active")
    assert [m.text for m in active] == ["Quillfeather Collective"]
    sentence = "".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".in-sentence"))
    assert sentence.startswith("The group known as Quillfeather Collective claimed the theft")
    assert browser.execute_script("return arguments[0].getBoundingClientRect().top", active[0]) >= 0
    assert "?ev=" in browser.current_url  # the script moved the highlight: no reload
    browser.save_screenshot(str(artefacts / "2-evidence.png"))

    row = browser.find_element(By.ID, "field-incident.affected_entities.0.name")
    row.find_element(By.TAG_NAME, "summary").click()
    box = row.find_element(By.NAME, "value")
    box.clear()
    box.send_keys("Brindlewood Dental Partners")
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "done=correct" in d.current_url)
    assert browser.find_element(By.ID, "review-state").text == "corrected"
    value = browser.find_element(By.CSS_SELECTOR, '[id="field-incident.affected_entities.0.name"] .value')
    assert value.text == "Brindlewood Dental Partners"
    browser.save_screenshot(str(artefacts / "3-corrected.png"))


def test_markup_in_an_article_stays_inert_in_the_browser(
    browser: WebDriver, server: ReviewServer, artefacts: Path
) -> None:
    browser.get(server.url(f"/incidents/{HARROW}"))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 (reading it is the check)
    assert browser.execute_script("return document.title") != "pwned"
    assert browser.find_elements(By.CSS_SELECTOR, "article img") == []
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("<script>document.title='pwned'</script>Harrowgate Cycles <b>loses</b>")
    browser.save_screenshot(str(artefacts / "4-inert-markup.png"))
