"""The static course site (``python3 tasks.py site``), read in Debian's chromium.

Built from the committed notebooks into a temporary folder, served on 127.0.0.1 and
opened page by page: no console error and no failed request (so nothing is fetched from
another site), no "Error displaying widget" (the explorers render from their saved state),
every image with alt text, every internal link resolving, and no serious or critical
accessibility violation found by axe-core. An explorer's picture is kept in
test-artifacts/site/.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_helpers as bh

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "build" / "vendor"
ARTIFACTS = REPO / "test-artifacts" / "site"
EXPLORER_PAGE = "03-stacking-layers.html"


def load_site_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_site", REPO / "tools" / "course_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_site_pages_link_to_each_other_and_turn_badges_into_text():
    tool = load_site_tool()
    page = (
        '<a href="01-one-neuron.ipynb">01</a> <a href="./02-one-layer.ipynb#x">02</a>'
        '<a href="https://mybinder.org/v2/gh/x"><img alt="Launch on Binder" '
        'src="https://mybinder.org/badge_logo.svg"/></a>'
    )
    fixed = tool.fix_links(page)
    assert 'href="01-one-neuron.html"' in fixed and 'href="02-one-layer.html#x"' in fixed
    assert "<img" not in fixed and "Launch on Binder</span>" in fixed


def test_the_glossary_is_a_page_of_the_site_with_its_anchors_and_links_working():
    tool = load_site_tool()
    assert 'href="glossary.html#bf16"' in tool.fix_links('<a href="GLOSSARY.md#bf16">w</a>')
    page = tool.glossary_page()
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    anchors = set(re.findall(r'href="#([^"]+)"', page))
    assert {"bf16", "scope-names", "forward-pass"} <= anchors <= ids
    assert 'href="01-one-neuron.html"' in page and '.ipynb"' not in page
    assert '<html lang="en">' in page and "<main>" in page


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    from test_browser import _require_browser

    _require_browser()
    if not (VENDOR / "html-manager" / "package.json").exists() or not bh.AXE_JS.exists():
        msg = f"{VENDOR} has no npm packages: run `python3 tasks.py site` once"
        if __import__("os").environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    out = tmp_path_factory.mktemp("site") / "site"
    pages = load_site_tool().build(out, VENDOR)
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, [p.name for p in pages], f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_browser(built_site):
    with bh.launch_chromium() as browser:
        yield browser


_PAGE_JS = """() => ({
  images: Array.from(document.images).map(i => ({alt: i.getAttribute('alt'),
                                                  src: i.src.slice(0, 60)})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  widgetViews: document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]').length,
  widgets: document.querySelectorAll('.widget-box, .jupyter-widgets.widget-inline-hbox, '
      + '.jupyter-widgets.widget-html, .jupyter-widgets').length,
  text: document.body.innerText,
})"""


def read_page(browser, url: str) -> tuple[dict, list[str], list[dict]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request to another site: {r.url}")
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:")
            else None
        ),
    )
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        info = page.evaluate(_PAGE_JS)
        if info["widgetViews"]:  # the explorers: rendered from their saved state
            page.wait_for_function(
                "() => document.querySelectorAll('.jupyter-widgets').length > 0", timeout=20_000
            )
            page.wait_for_timeout(500)
            info = page.evaluate(_PAGE_JS)
        violations = bh.axe_scan(page)
        if url.endswith(EXPLORER_PAGE):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            box = page.locator(".jupyter-widgets.widget-box, .widget-vbox").first
            target = box if box.count() else page
            target.scroll_into_view_if_needed() if box.count() else None
            target.screenshot(path=str(ARTIFACTS / "explorer-03-static-site.png"))
        return info, problems, violations
    finally:
        context.close()


def test_every_page_of_the_site_reads_cleanly_offline(site_browser, built_site):
    out, pages, base = built_site
    report, failures = {}, []
    for name in pages:
        info, problems, violations = read_page(site_browser, f"{base}/{name}")
        for failure in bh.WIDGET_FAILURES:
            if failure in info["text"]:
                problems.append(f"widget failed: {failure!r}")
        if info["widgetViews"] and not info["widgets"]:
            problems.append(f"{info['widgetViews']} widget views, none rendered")
        for img in info["images"]:
            if not (img["alt"] or "").strip() or "No description has been" in img["alt"]:
                problems.append(f"image without alt text: {img['src']}")
        for href in info["links"]:
            problems += link_problems(out, name, href, info["ids"])
        problems += [f"axe {line}" for line in bh.course_findings(violations)]
        report[name] = {
            "images": len(info["images"]),
            "widget_views": info["widgetViews"],
            "axe": bh.summarize(violations),
        }
        failures += [f"{name}: {p}" for p in problems]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "site-report.json").write_text(json.dumps(report, indent=1))
    assert not failures, "\n".join(failures[:60])
    assert (ARTIFACTS / "explorer-03-static-site.png").exists()


def link_problems(out: Path, page: str, href: str, ids: list[str]) -> list[str]:
    parsed = urlparse(href)
    if parsed.scheme in ("http", "https", "mailto"):
        return []  # links to other sites: test_links checks the course's own
    target = parsed.path or page
    if not (out / target).is_file():
        return [f"broken link {href!r}: no {target}"]
    if parsed.fragment:
        there = ids if target == page else re.findall(r'\bid="([^"]+)"', (out / target).read_text())
        if parsed.fragment not in there:
            return [f"broken link {href!r}: no id {parsed.fragment!r} in {target}"]
    return []


test_every_page_of_the_site_reads_cleanly_offline = pytest.mark.browser(
    pytest.mark.slow(test_every_page_of_the_site_reads_cleanly_offline)
)


@pytest.mark.parametrize("name", ["01-one-neuron", "03-stacking-layers", "07-a-training-step"])
def test_site_page_has_every_figures_alt_text_and_asks_no_other_site(name):
    tool = load_site_tool()
    title, page = tool.export(REPO / "notebooks" / f"{name}.ipynb")
    assert title.startswith(name[:2])
    images = re.findall(r"<img\b[^>]*>", page)
    assert images and all(re.search(r'\balt="[^"]*\d[^"]*"', img) for img in images)
    sources = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    remote = [s for s in sources if re.match(r"(https?:)?//", s)]
    assert not remote, f"the page asks other sites for {remote}"
    has_widgets = (
        "widgets" in json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text())["metadata"]
    )
    assert ('src="static/html-manager/embed.js"' in page) == has_widgets
