"""What a person sees, in a real headless Chromium (Debian's, driven by Playwright from PyPI):
the main pages, the three clicks from the landing page to a source line, and no script from a
hostile source running. Screenshots go to tests/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import RunningEndpoint

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is needed: apt-get install chromium (.ci/run does it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_landing(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(endpoint.url + "/")
    assert page.title()
    assert page.locator("h1").inner_text().startswith("Kế hoạch cải cách hành chính")
    counts = page.locator("ul.counts li").all_inner_texts()
    assert "159 nhiệm vụ" in counts and "5 văn bản" in counts
    assert page.locator("table").first.locator("tbody tr").count() == 5  # the five documents
    shoot(page, "landing")


def test_plan(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(endpoint.url + "/id/plan/khanh-hoa/2023")
    assert page.locator("h1").inner_text() == "Kế hoạch cải cách hành chính tỉnh Khánh Hòa năm 2023"
    assert page.locator("table.tasks tbody tr").count() == 38  # every deliverable of the plan
    assert page.get_by_text("Quyết định 3604/QĐ-UBND").first.is_visible()
    shoot(page, "plan")


def test_task(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(endpoint.url + "/id/task/khanh-hoa-2014/II.1")
    assert page.locator("h1").inner_text().startswith("II.1. Tiến hành rà soát")
    assert page.locator("table.deliverables tbody tr").count() == 3
    assert page.locator("blockquote.quote").is_visible()
    shoot(page, "task")


def test_agency_with_its_workload_chart(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(endpoint.url + "/id/agency-type/so-tu-phap")
    assert page.locator("h1").inner_text() == "Sở Tư pháp"
    chart = page.locator("svg.chart")
    assert chart.is_visible()
    assert chart.locator("rect").count() == 4  # 2014, 2016, 2017, 2023
    assert page.locator("table.led tbody tr").count() == 18
    shoot(page, "agency")


def test_an_agency_merged_in_2025_links_to_what_it_became(
    page: Page, endpoint: RunningEndpoint
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(endpoint.url + "/id/agency/khanh-hoa/so-ke-hoach-va-dau-tu")
    became = page.locator("ul.lineage li")
    assert became.count() == 1
    assert "trở thành" in became.inner_text() and "2025-03-01" in became.inner_text()
    became.locator("a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Sở Tài chính tỉnh Khánh Hòa"
    assert "hình thành từ" in page.locator("ul.lineage").inner_text()
    assert errors == []
    shoot(page, "agency-lineage")


def test_indicator_with_its_trajectory_chart(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(endpoint.url + "/id/indicator/satisfaction-state-agencies?lang=en")
    assert page.locator("h1").inner_text()
    chart = page.locator("svg.chart")
    assert chart.is_visible()
    assert chart.locator("circle.point").count() == 4  # the four targets read in the sources
    shoot(page, "indicator")


def test_canned_query_page(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(endpoint.url + "/queries/tasks-led-by")
    page.fill("input[name=agency]", "thong tin va truyen thong")
    page.click("form.parameters button")
    page.wait_for_load_state()
    assert "agency=thong+tin+va+truyen+thong" in page.url
    assert page.locator("table.results tbody tr").count() > 10
    assert page.locator("pre.sparql").inner_text().count("so-thong-tin-va-truyen-thong") == 2
    shoot(page, "query")


@pytest.mark.parametrize(
    ("lang", "agency"), [("vi", "Sở Tư pháp"), ("en", "Department of Justice")]
)
def test_three_clicks_from_the_landing_page_to_a_source_line(
    page: Page, endpoint: RunningEndpoint, lang: str, agency: str
) -> None:
    page.goto(endpoint.url + ("/?lang=en" if lang == "en" else "/"))
    page.get_by_role("link", name=agency, exact=True).click()  # 1: the agency
    assert page.locator("h1").inner_text() == agency
    page.locator("table.led tbody tr td:nth-child(5) a").first.click()  # 2: one of its tasks
    assert "/id/task/" in page.url
    page.locator("a.source-line").click()  # 3: the line it was read from
    assert "/source/" in page.url and "#L" in page.url
    line = page.url.rsplit("#L", 1)[1]
    target = page.locator(f"tr#L{line}")
    assert target.is_visible()
    assert "extracted" in (target.get_attribute("class") or "")
    shoot(page, f"three-clicks-{lang}")


def test_hostile_source_text_runs_no_script(page: Page, hostile_site: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in ("/id/task/khanh-hoa-2023/V.5", "/source/004_e5038761a6850e2f"):
        page.goto(hostile_site + path)
        page.wait_for_timeout(300)
        assert page.get_by_text("<script>alert('x')</script>", exact=False).first.is_visible()
    assert dialogs == []


@pytest.mark.parametrize("view", ["assignments", "cooperation", "legal-basis", "plan", "targets"])
def test_the_graph_page_draws_every_node(page: Page, endpoint: RunningEndpoint, view: str) -> None:
    page.goto(f"{endpoint.url}/graph?view={view}")
    box = page.locator("#graph[data-drawn]")
    box.wait_for(timeout=30_000)
    expected = page.locator("#graph-count").get_attribute("data-nodes")
    assert expected and int(expected) > 10
    assert box.get_attribute("data-drawn") == expected
    edges = page.evaluate("window.cchcGraph.edges().length")
    assert str(edges) == page.locator("#graph-count").get_attribute("data-edges")
    assert page.locator("#graph canvas").count() > 0  # Cytoscape drew on its canvases
    shoot(page, f"graph-{view}")


def test_clicking_a_node_of_the_graph_opens_its_page(page: Page, endpoint: RunningEndpoint) -> None:
    page.goto(f"{endpoint.url}/graph?view=cooperation&province=cao-bang&lang=en")
    page.locator("#graph[data-drawn]").wait_for(timeout=30_000)
    node = "agency/cao-bang/so-noi-vu"
    position = page.evaluate(
        "id => window.cchcGraph.getElementById(id).renderedPosition()", node
    )
    frame = page.locator("#graph").bounding_box()
    assert frame is not None
    with page.expect_navigation():
        page.mouse.click(frame["x"] + position["x"], frame["y"] + position["y"])
    assert page.url.endswith(f"/id/{node}?lang=en")
    assert "Department of Home Affairs" in page.locator("h1").inner_text()
    # the server drew its whole network in the background at start (50 ms on the sources)
    assert page.locator("ul.network strong.degree").is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/id/<script>alert(1)</script>",
        '/source/x"><img src=x onerror=alert(1)>',
        "/queries/<img src=x onerror=alert(1)>",
        "/<script>alert(1)</script>",
        "/?offset=<script>alert(1)</script>",
        "/graph?view=<img src=x onerror=alert(1)>",
    ],
    ids=["iri", "source", "query", "route", "offset", "view"],
)
def test_a_hostile_address_runs_no_script(page: Page, endpoint: RunningEndpoint, path: str) -> None:
    """What the address holds comes back on the error page as text, never as markup."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(endpoint.url + path)
    assert response is not None and 400 <= response.status < 500
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("main").inner_text()  # the error, on the site's layout
