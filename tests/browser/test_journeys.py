"""Journeys of issue 15, in a real browser on a live site, in English, Spanish and Arabic:

- an NSO analyst (anonymous) filters the catalog by an SDG indicator, a country and an engagement stage by clicking
  facets, then picks a suggestion of the search box with the keyboard (an ARIA combobox);
- a CSO editor signs in, fills a record, meets a validation error with every value kept, fixes it, saves, opens the
  edit form again (every value still there, ``probability_sample`` No included), saves a change, and the dataset
  page shows every value.

In Arabic the page is right-to-left; in Spanish and Arabic no page of the journey scrolls sideways at 390 px.
Screenshots: .state/screenshots/<journey>-<lang>/<NN-step>.png.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .conftest import CSO, EDITOR, PHONE_WIDTH, WINDOW

LANGS = ["en", "es", "ar"]
FILTERS = {"sdg_indicators": "16.6.2", "countries": "MWI", "engagement_stage": "collect"}
DATASET_PATH = re.compile(r"/dataset/([^/?#]+)/?$")


def check_direction(journey) -> None:
    direction = journey.driver.execute_script("return document.documentElement.getAttribute('dir')")
    lang = journey.driver.execute_script("return document.documentElement.getAttribute('lang')")
    assert lang == journey.lang
    assert (direction == "rtl") == (journey.lang == "ar"), f"<html dir={direction!r}> in {journey.lang}"


def check_phone_width(journey, step: str) -> None:
    """At 390 px the page does not scroll sideways (Spanish and Arabic journeys)."""
    if journey.lang == "en":
        return
    journey.at_width(PHONE_WIDTH)
    try:
        journey.shot(f"{step}-390px")
        overflow, wide = journey.horizontal_overflow()
        assert overflow <= 0, (f"{journey.driver.current_url} scrolls {overflow} px sideways at {PHONE_WIDTH} px; "
                               f"sticking out: {wide}")
    finally:
        journey.driver.set_window_size(*WINDOW)


# ---------------------------------------------------------------- the analyst
def result_names(journey) -> list[str]:
    names = []
    for item in journey.find_all(".dataset-item"):
        links = [a.get_attribute("href") for a in item.find_elements(By.CSS_SELECTOR, "a[href*='/dataset/']")]
        found = [DATASET_PATH.search(urlparse(h).path) for h in links]
        names += [m.group(1) for m in found if m][:1]
    return names


def record(site: str, name: str) -> dict:
    answer = requests.get(f"{site}/api/3/action/package_show", params={"id": name}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["result"]


def matches_filters(pkg: dict) -> bool:
    stages = {e.get("stage") for e in pkg.get("engagement") or []}
    return (FILTERS["sdg_indicators"] in (pkg.get("sdg_indicators") or [])
            and FILTERS["countries"] in (pkg.get("countries") or []) and FILTERS["engagement_stage"] in stages)


def click_facet(journey, field: str, value: str) -> None:
    link = journey.until(
        lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, f"#search-facets a[href*='{field}={value}']")
                   if a.is_displayed() or a.get_attribute("href")][:1],
        f"no facet link for {field}={value}")[0]
    journey.follow(link)
    journey.until(lambda d: value in parse_qs(urlparse(d.current_url).query).get(field, []),
                  f"the URL does not filter {field}={value}")


def active_filters(journey) -> dict[str, list[str]]:
    return {k: v for k, v in parse_qs(urlparse(journey.driver.current_url).query).items() if k in FILTERS}


def remove_links(journey) -> list[dict[str, list[str]]]:
    """The filters each "remove this filter" link of the results page keeps."""
    hrefs = [a.get_attribute("href") for a in journey.find_all(".filter-list a[href]")]
    return [{k: v for k, v in parse_qs(urlparse(h).query).items() if k in FILTERS} for h in hrefs]


@pytest.mark.parametrize("lang", LANGS)
def test_an_analyst_narrows_the_catalog_with_facets_and_picks_a_suggestion_with_the_keyboard(site, journey, lang):
    j = journey(f"analyst-{lang}", lang)
    j.open("/")
    check_direction(j)
    j.shot("home")
    j.open("/dataset/")
    j.visible("#search-facets")
    before = len(result_names(j))
    assert before > 1
    j.shot("search")

    for step, (field, value) in enumerate(FILTERS.items(), start=1):
        click_facet(j, field, value)
        j.shot(f"filter-{step}-{field}")
    assert active_filters(j) == {k: [v] for k, v in FILTERS.items()}
    names = result_names(j)
    assert 0 < len(names) < before, "the three filters did not narrow the results"
    assert all(matches_filters(record(site, name)) for name in names)
    # each filter shows, with a link that removes it and keeps the other two
    kept = remove_links(j)
    for field in FILTERS:
        assert {k: [v] for k, v in FILTERS.items() if k != field} in kept, f"no way to remove the {field} filter"
    check_phone_width(j, "filtered")

    # the search box: an ARIA combobox whose options the arrow keys move through
    box = j.visible("#field-giant-search")
    assert box.get_attribute("role") == "combobox"
    box.send_keys("16.6")
    listbox_id = box.get_attribute("aria-controls")
    j.until(lambda d: box.get_attribute("aria-expanded") == "true", "the suggestions did not open")
    options = j.find_all(f"#{listbox_id} [role=option]")
    assert len(options) >= 2
    j.shot("suggestions")
    chosen = None
    for position in (0, 1):
        box.send_keys(Keys.ARROW_DOWN)
        active = j.until(lambda d: box.get_attribute("aria-activedescendant"),
                         "aria-activedescendant is not set while moving through the suggestions", seconds=5)
        chosen = j.find(f"#{active}")
        assert chosen.get_attribute("role") == "option" and chosen.get_attribute("aria-selected") == "true"
        assert chosen == j.find_all(f"#{listbox_id} [role=option]")[position]
    j.shot("suggestion-2-active")
    target = urljoin(j.driver.current_url, chosen.get_attribute("data-href"))
    box.send_keys(Keys.ENTER)
    j.until(lambda d: d.current_url != target and urlparse(d.current_url).path == urlparse(target).path
            or d.current_url == target, f"Enter did not open the chosen suggestion {target}")
    j.wait_for_page()
    j.shot("suggestion-chosen")
    if DATASET_PATH.search(urlparse(target).path) is None:  # a concept: its filter joins the current ones
        assert all(v in active_filters(j).get(k, []) for k, v in FILTERS.items()), \
            f"choosing a suggestion dropped the current filters: {j.driver.current_url}"


# ---------------------------------------------------------------- the CSO editor
def choose(journey, css: str, values: list[str]) -> list[str]:
    """Select ``values`` in the <select> at ``css`` (native or under a search widget, which listens to change);
    returns the visible texts of the options chosen."""
    chosen = journey.driver.execute_script(
        """const select = document.querySelector(arguments[0]), wanted = arguments[1];
        if (!select) { return null; }
        for (const option of select.options) { option.selected = wanted.includes(option.value); }
        select.dispatchEvent(new Event('input', {bubbles: true}));
        select.dispatchEvent(new Event('change', {bubbles: true}));
        if (window.jQuery) { window.jQuery(select).trigger('change'); }
        return Array.from(select.selectedOptions).map(o => [o.value, o.textContent.trim()]);""", css, values)
    assert chosen is not None, f"no {css} on {journey.driver.current_url}"
    assert [value for value, _ in chosen] == values, f"{css} offers no option {values}"
    return [text for _, text in chosen]


def option_value(journey, css: str, text: str) -> str:
    value = journey.driver.execute_script(
        "const s = document.querySelector(arguments[0]);"
        "const o = s && Array.from(s.options).find(o => o.textContent.includes(arguments[1]));"
        "return o ? o.value : null;", css, text)
    assert value, f"{css} has no option {text!r}"
    return value


def selected(journey, css: str) -> list[str]:
    return journey.driver.execute_script(
        "const s = document.querySelector(arguments[0]);"
        "return s ? Array.from(s.selectedOptions).map(o => o.value) : null;", css)


def type_into(journey, css: str, text: str) -> None:
    field = journey.scroll_to(journey.find(css))
    field.clear()
    field.send_keys(text)


def error_next_to(journey, css: str) -> str:
    """The text of the error shown in the form group of the field at ``css``."""
    errors = journey.find(css).find_elements(
        By.XPATH, "./ancestor::div[contains(@class, 'form-group') or contains(@class, 'control-group')][1]"
                  "//*[contains(@class, 'error-block') or contains(@class, 'invalid-feedback')]")
    return " ".join(e.text for e in errors).strip()


LEVEL = "#field-engagement-0-level"


class Record:
    """What the editor fills, and the texts the form showed for what they chose."""

    def __init__(self, lang: str):
        self.title = {"en": "Community water points audit", "es": "Auditoría comunitaria de puntos de agua",
                      "ar": "تدقيق مجتمعي لنقاط المياه"}[lang] + f" ({lang})"
        self.notes = {"en": "Residents checked every public water point of the district.",
                      "es": "Los vecinos revisaron cada punto de agua público del distrito.",
                      "ar": "فحص السكان كل نقطة مياه عامة في المنطقة."}[lang]
        self.name = f"browser-water-points-audit-{lang}"
        self.email = "water-audit@example.org"
        self.choices = {"#field-initiative_type": ["social-audit"], "#field-engagement-0-stage": ["collect"],
                        "#field-engagement-0-level": ["4"], "#field-sdg_indicators": ["6.1.1"],
                        "#field-countries": ["MWI"], "#field-probability_sample": ["false"]}
        self.texts: dict[str, list[str]] = {}

    def fill(self, journey, with_notes: bool) -> None:
        type_into(journey, "#field-title", self.title)
        # the URL name, which the page derives from the title as one types (set here: the slug widget hides it)
        journey.driver.execute_script("arguments[0].value = arguments[1]", journey.find("#field-name"), self.name)
        if with_notes:
            type_into(journey, "#field-notes", self.notes)
        if not journey.driver.find_elements(By.CSS_SELECTOR, "#field-contact-0-email"):
            # an optional repeating block starts empty: the editor adds one contact point
            journey.scroll_to(journey.find("#field-contact a[name=repeating-add]")).click()
        type_into(journey, "#field-contact-0-email", self.email)
        org = option_value(journey, "#field-organizations", CSO["title"])
        self.choices["#field-organizations"] = [org]
        for css, values in self.choices.items():
            self.texts[css] = choose(journey, css, values)

    def check_kept(self, journey, with_notes: bool = True) -> None:
        values = {css: journey.find(css).get_attribute("value") for css in
                  ("#field-title", "#field-name", "#field-notes", "#field-contact-0-email")}
        assert values == {"#field-title": self.title, "#field-name": self.name,
                          "#field-notes": self.notes if with_notes else "", "#field-contact-0-email": self.email}
        kept = {css: selected(journey, css) for css in self.choices}
        assert kept == self.choices, "the form lost a value"

    def check_shown(self, journey, page_text: str) -> None:
        """The dataset page shows every value (in the page's language)."""
        chosen = [t for css, texts in self.texts.items() if css not in ("#field-organizations", LEVEL) for t in texts]
        # the page names a level on its 1-5 scale ("Level 4 of 5: Collaborate"), the form's option "4 Collaborate"
        chosen += [re.sub(r"^\d+\s+", "", t) for t in self.texts.get(LEVEL, [])]
        wanted = [self.title, self.notes, CSO["title"], *chosen]
        missing = [w for w in wanted if w not in page_text]
        assert missing == [], f"the dataset page does not show {missing}"


def submit(journey) -> None:
    button = journey.find("form#dataset-edit button[name=save], form.dataset-form button[name=save]")
    journey.click_and_load(button)


def form_errors(journey) -> str:
    return " | ".join(e.text for e in journey.find_all(".error-explanation, .alert-error, .alert-danger"))


def finish_with_a_link(journey, name: str) -> None:
    """The second step of a new dataset (its data): a link, then Finish."""
    try:
        journey.until(lambda d: "/resource/new" in d.current_url)
    except TimeoutException:
        raise AssertionError(f"saving did not lead to the data step: {form_errors(journey)}") from None
    journey.shot("data-step")
    journey.scroll_to(journey.visible("#resource-link-button")).click()
    url = journey.visible("#field-resource-url")
    url.send_keys("https://example.org/water-points.csv")
    finish = journey.find("button[name=save][value=go-metadata]")
    journey.click_and_load(finish)
    journey.until(lambda d: DATASET_PATH.search(urlparse(d.current_url).path), "Finish did not open the dataset")
    assert DATASET_PATH.search(urlparse(journey.driver.current_url).path).group(1) == name


def api(journey, action: str, **params) -> dict:
    """An action of the live site called with the browser's session (what the editor may see)."""
    answer = journey.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch('/api/3/action/' + arguments[0] + '?' + new URLSearchParams(arguments[1]))
          .then(r => r.json()).then(done, e => done({success: false, error: String(e)}));""", action, params)
    assert answer.get("success"), answer
    return answer["result"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_cso_editor_publishes_meets_an_error_fixes_it_and_edits_without_losing_a_value(site, journey, lang):
    j = journey(f"editor-{lang}", lang)
    j.log_in(EDITOR)
    j.open("/dataset/new")
    check_direction(j)
    rec = Record(lang)
    rec.fill(j, with_notes=False)  # the description, which DCAT-AP requires, is left out on purpose
    j.shot("filled-without-description")
    submit(j)
    j.visible("#field-notes")
    j.shot("error")
    assert error_next_to(j, "#field-notes"), "no error next to the missing description"
    rec.check_kept(j, with_notes=False)
    check_phone_width(j, "form-with-error")

    type_into(j, "#field-notes", rec.notes)
    name = rec.name
    j.shot("fixed")
    submit(j)
    finish_with_a_link(j, name)
    j.shot("saved")
    stored = api(j, "package_show", id=name)
    assert stored["probability_sample"] is False and stored["countries"] == ["MWI"]
    assert [(e["stage"], e["level"]) for e in stored["engagement"]] == [("collect", 4)]

    j.open(f"/dataset/edit/{name}")
    j.visible("#field-title")
    j.shot("edit")
    rec.check_kept(j)
    rec.title += " - 2"
    type_into(j, "#field-title", rec.title)
    submit(j)
    j.until(lambda d: DATASET_PATH.search(urlparse(d.current_url).path), "saving the edit did not open the dataset")
    j.shot("dataset-page")
    rec.check_shown(j, j.find("body").text)
    stored = api(j, "package_show", id=name)
    assert stored["title"] == rec.title and stored["probability_sample"] is False
    check_phone_width(j, "dataset-page")
