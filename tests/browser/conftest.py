"""Browser journeys: real Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium against a live
CKAN server on a free 127.0.0.1 port, on the test ini and the test database.

The package-scoped ``site`` fixture resets the database (as ``clean_db`` does), loads the vocabularies, seeds the
demo, adds a CSO organization with an editor, commits, then starts ``ckan run`` on a copy of the test ini pointed at
its own address; the server stops when the last test of ``tests/browser`` has run, so the tests after it reset the
database as usual.

``make test`` (scripts/dev.sh) installs the browser and axe-core and sets ``CITIZENDATA_BROWSER=1``: then a missing
browser, driver or axe-core fails the tests. Outside it they are skipped with the reason.

Screenshots go to ``.state/screenshots/<journey>/<NN-step>.png``, the axe figures to ``.state/axe-report.txt``.
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests
from ckan import model, plugins
from ckan.cli.cli import ckan as ckan_cli
from ckan.common import config
from ckan.tests import factories
from ckan.tests import helpers as test_helpers
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.citizendata.ingest import bulk
from ckanext.citizendata.testing import ensure_plugin_tables, ensure_vocabularies, free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATE = ROOT / ".state"
SCREENSHOTS = STATE / "screenshots"
AXE_REPORT = STATE / "axe-report.txt"
SERVER_LOG = STATE / "browser-server.log"
AXE_JS = pathlib.Path(os.environ.get("CITIZENDATA_AXE_JS") or STATE / "axe-core" / "axe.min.js")
REQUIRED = os.environ.get("CITIZENDATA_BROWSER") == "1"  # set by scripts/dev.sh test
WINDOW = (1280, 1000)
PHONE_WIDTH = 390
WAIT = 30  # seconds an explicit wait may take (a busy machine); waits end as soon as their condition holds

CSO = {"name": "browser-test-cso", "title": "Community Data Collective (browser tests)", "actor_type": "cso",
       "description": "A civil-society organization the browser journeys publish in.",
       "extras": [{"key": "dcat_type", "value": "http://purl.org/adms/publishertype/NonProfitOrganisation"}]}
EDITOR = {"name": "browser-editor", "email": "browser-editor@example.org", "password": "Browser-journey-2026!",
          "fullname": "Browser Editor"}


def unavailable(reason: str) -> None:
    """Fail under ``make test`` (which installs what is missing), skip with the reason elsewhere."""
    if REQUIRED:
        pytest.fail(f"{reason} (make test installs it: scripts/dev.sh)", pytrace=False)
    pytest.skip(f"{reason}; run the browser tests with `make test` (it installs it)")


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        unavailable(f"`{name}` is not on PATH (Debian packages chromium and chromium-driver)")
    return path


def server_ini(test_ini: str, port: int, folder: pathlib.Path) -> pathlib.Path:
    """A copy of the test ini served at its own address, with CSRF on as on a real site."""
    text = pathlib.Path(test_ini).read_text(encoding="utf-8")
    main = (f"[app:main]\nuse = config:{pathlib.Path(test_ini).resolve()}\n"
            f"ckan.site_url = http://127.0.0.1:{port}\nWTF_CSRF_ENABLED = true\n"
            f"ckan.webassets.path = {folder / 'webassets'}\n")
    logging = text[text.index("[loggers]"):] if "[loggers]" in text else ""
    if not logging:  # an ini that only points at another one: take the logging sections of the base
        base = pathlib.Path(test_ini).parent / re.search(r"use = config:(\S+)", text).group(1)
        base_text = base.read_text(encoding="utf-8")
        logging = base_text[base_text.index("[loggers]"):]
    path = folder / "browser.ini"
    path.write_text(main + "\n" + logging, encoding="utf-8")
    return path


def seed(test_ini: str, migrate_db_for) -> None:
    """What the journeys read, committed: a clean database, vocabularies, the demo, a CSO and its editor."""
    test_helpers.reset_db()
    ensure_plugin_tables(migrate_db_for)
    ensure_vocabularies()
    result = test_helpers.CKANCliRunner(env={"CKAN_INI": test_ini}).invoke(ckan_cli, ["citizendata", "seed-demo"])
    assert result.exit_code == 0, result.output
    user = factories.User(**EDITOR)
    bulk.ensure_organization(CSO)
    test_helpers.call_action("organization_member_create", id=CSO["name"], username=user["name"], role="editor")
    model.Session.commit()
    model.Session.remove()


def wait_until_serving(base: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the test server exited with {proc.returncode}: "
                               f"{SERVER_LOG.read_text(encoding='utf-8')[-3000:]}")
        try:
            if requests.get(f"{base}/api/3/action/status_show", timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)  # polling a socket: the server's readiness has no event to wait on
    raise RuntimeError("the test server did not answer in time")


def warm_up(base: str) -> None:
    """One page at a time first: the threaded server's first pages, asked for at once (a page and the browser's
    favicon), answered 500 once while CKAN set itself up. The tests check every status themselves."""
    for path in ("/", "/dataset/", "/favicon.ico"):
        requests.get(base + path, timeout=120)


@pytest.fixture(scope="package")
def site(migrate_db_for, tmp_path_factory):
    """The base URL of a live CKAN on the seeded test database, for every test of tests/browser."""
    tool("chromium")
    tool("chromedriver")
    test_ini = config["__file__"]
    plugins.load_all()
    try:
        seed(test_ini, migrate_db_for)
        port = free_port()
        ini = server_ini(test_ini, port, tmp_path_factory.mktemp("browser-site"))
        ckan = pathlib.Path(sys.executable).parent / "ckan"
        STATE.mkdir(exist_ok=True)
        with SERVER_LOG.open("w", encoding="utf-8") as log:  # a file, never a pipe nobody reads
            proc = subprocess.Popen([str(ckan), "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port),
                                     "--disable-reloader", "--threaded"], cwd=ROOT, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, proc)
            warm_up(base)
            yield base
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    finally:
        plugins.unload_all()


def new_driver() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = tool("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=en-US", "--hide-scrollbars"):
        options.add_argument(argument)
    # the system driver: Selenium Manager never downloads anything
    browser = webdriver.Chrome(service=Service(executable_path=tool("chromedriver")), options=options)
    browser.set_page_load_timeout(WAIT * 2)
    browser.set_script_timeout(WAIT)
    return browser


@pytest.fixture(scope="package")
def browser(site):
    """One Chromium for every test (starting one costs seconds); each test gets it signed out, at full size."""
    chromium = new_driver()
    try:
        yield chromium
    finally:
        chromium.quit()


@pytest.fixture
def driver(browser, site):
    browser.get(f"{site}/api/3/action/status_show")  # on the site, whose cookies are then dropped
    browser.delete_all_cookies()
    browser.set_window_size(*WINDOW)
    return browser


class Journey:
    """A browser on the live site, with numbered screenshots in .state/screenshots/<name>/.

    Example::

        journey.open("/dataset/", lang="es"); journey.shot("search")   # -> 01-search.png
    """

    def __init__(self, driver: webdriver.Chrome, base: str, name: str, lang: str = "en"):
        self.driver, self.base, self.lang = driver, base, lang
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def url(self, path: str) -> str:
        prefix = "" if self.lang == "en" else f"/{self.lang}"
        return f"{self.base}{prefix}{path}"

    def open(self, path: str) -> None:
        self.driver.get(self.url(path))
        self.wait_for_page()

    def wait_for_page(self) -> None:
        self.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def shot(self, step: str) -> pathlib.Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{step}.png"
        self.driver.save_screenshot(str(path))
        return path

    def until(self, condition, message: str = "", seconds: float = WAIT):
        return WebDriverWait(self.driver, seconds).until(condition, message)

    def visible(self, css: str):
        return self.until(expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css)),
                          f"nothing visible matches {css}")

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click_and_load(self, element) -> None:
        """Click a link or submit button and wait for the next page to be loaded."""
        html = self.driver.find_element(By.TAG_NAME, "html")
        self.scroll_to(element).click()
        self.until(expected_conditions.staleness_of(html), "the click did not load a new page")
        self.wait_for_page()

    def scroll_to(self, element):
        """Bring ``element`` to the middle of the window at once (Bootstrap's smooth scrolling would move it
        under the click)."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        return element

    def follow(self, element) -> None:
        """Click a link that loads a page or swaps part of it (htmx boost): wait until the link is gone."""
        self.scroll_to(element).click()
        self.until(expected_conditions.staleness_of(element), "the click changed nothing")
        self.wait_for_page()

    def horizontal_overflow(self) -> tuple[int, list[str]]:
        """How many pixels the page scrolls sideways (0 when it fits), and the outermost elements that stick out."""
        return self.driver.execute_script("""
            const root = document.documentElement, width = root.clientWidth, rtl = root.dir === 'rtl';
            const out = Array.from(document.body.querySelectorAll('*')).filter(e => {
                const box = e.getBoundingClientRect();
                return box.width && (rtl ? box.left < -0.5 : box.right > width + 0.5);
            });
            const outer = out.filter(e => !out.includes(e.parentElement)).slice(0, 5).map(e =>
                e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                (typeof e.className === 'string' && e.className.trim()
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
            return [root.scrollWidth - width, outer];""")

    def at_width(self, width: int) -> None:
        self.driver.set_window_size(width, WINDOW[1])
        self.until(lambda d: d.execute_script("return window.innerWidth") <= width)

    def log_in(self, user: dict) -> None:
        """Through the real sign-in form (CSRF token and all)."""
        self.open("/user/login")
        self.visible("#field-login").send_keys(user["name"])
        self.find("#field-password").send_keys(user["password"])
        self.shot("sign-in")
        self.click_and_load(self.driver.find_element(
            By.XPATH, "//input[@id='field-login']/ancestor::form//button[@type='submit']"))
        self.until(lambda d: d.get_cookie("ckan") or d.get_cookie("remember_token"),
                   "no session cookie after signing in")


@pytest.fixture
def journey(driver, site, request):
    """``journey(name, lang)`` -> a Journey on the live site."""
    return lambda name, lang="en": Journey(driver, site, name, lang)
