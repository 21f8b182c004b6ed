"""The course in a real browser: JupyterLab 4 + ipywidgets 8, driven through chromium.

For every notebook in notebooks/ (whatever exists): open it, clear its outputs, Run ->
Run All Cells, wait for the kernel, and require no error output, no "Error displaying
widget", and an execution count on every code cell. Then use the explorers as a learner
would (type a width, press Enter, click) and require the displayed count to become the
one mlpops counts live here. A self-test breaks things on purpose to prove the detector
sees them. Screenshots go to test-artifacts/browser/.

Needs /usr/bin/chromium: skipped without it, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mlpops

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_helpers as bh
from reference_counts import live_step

browser = pytest.mark.browser  # each test that drives chromium (deselect: -m "not browser")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts" / "browser"
NOTEBOOK_NAMES = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
EXPLORER_NOTEBOOK = "03-stacking-layers.ipynb"
RUN_TIMEOUT_MS = 90_000  # one notebook, Run All to idle (each is meant to take < 60 s)
STEP_TIMEOUT_MS = 30_000  # one widget interaction, kernel round trip included

# Generated in the temporary copy: they never depend on the notebook authors' progress.
CHECK_NOTEBOOKS = {
    "zz-explorer-check.ipynb": [
        "from mlpops.widgets import architecture_explorer\narchitecture_explorer()",
    ],
    "zz-widgets-check.ipynb": [
        "from mlpops.widgets import op_stepper, predict_then_reveal, time_estimator",
        "op_stepper()",
        "predict_then_reveal()",
        "time_estimator((784, 128, 10), examples=600, epochs=2)",
    ],
    # Deliberately broken: the detector must report every one of these.
    "zz-broken-check.ipynb": [
        # a widget whose model cannot load (a version that does not exist)
        "import ipywidgets, traitlets\n"
        "class Broken(ipywidgets.DOMWidget):\n"
        "    _model_name = traitlets.Unicode('NoSuchModel').tag(sync=True)\n"
        "    _model_module = traitlets.Unicode('@jupyter-widgets/controls').tag(sync=True)\n"
        "    _model_module_version = traitlets.Unicode('99.0.0').tag(sync=True)\n"
        "    _view_name = traitlets.Unicode('NoSuchView').tag(sync=True)\n"
        "    _view_module = traitlets.Unicode('@jupyter-widgets/controls').tag(sync=True)\n"
        "    _view_module_version = traitlets.Unicode('99.0.0').tag(sync=True)\n"
        "Broken()",
        # an explorer whose callback will raise once a control changes
        "import mlpops.course.explorers.architecture as W\nbox = W.architecture_explorer()\n"
        "W.explorer_rows = lambda *a, **k: 1 / 0\nbox",
        "raise ValueError('deliberately broken cell')",
        "print('never reached: Run All stops at the error')",
    ],
}


def _require_browser(chromium: str = bh.CHROMIUM) -> None:
    """Skip without chromium or playwright, except under CI=true: there, fail."""
    missing = None
    if not Path(chromium).exists():
        missing = f"{chromium} not found (Debian's chromium package)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright python package is not installed"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test cannot run under CI: {missing}")
        pytest.skip(f"browser test skipped: {missing}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A fresh JupyterLab serving a temporary copy of notebooks/ plus the check notebooks."""
    _require_browser()
    scratch = tmp_path_factory.mktemp("jupyterlab")
    root = scratch / "root"
    root.mkdir()
    bh.copy_notebooks(NOTEBOOKS, root / "notebooks")
    for name, cells in CHECK_NOTEBOOKS.items():
        bh.write_notebook(root / "notebooks" / name, cells)
    server = bh.start_lab(root, scratch)
    try:
        yield server
    finally:
        server.stop()
        log = ARTIFACTS / "jupyterlab.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(server.log_path.read_text(errors="replace"))


@pytest.fixture(scope="module")
def chromium(lab):
    with bh.launch_chromium() as browser:
        yield browser


@pytest.fixture
def lab_page(chromium, lab, request):
    """A fresh browser context per test; a screenshot is kept whatever the outcome."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )  # kept as an artifact, not a failure: offline, the Binder badge image cannot load
    page.on("requestfailed", lambda r: console.append(f"request failed: {r.url} {r.failure}"))
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        except Exception:
            pass
        if console:
            (ARTIFACTS / f"{name}.console.txt").write_text("\n".join(console))
        context.close()
        lab.shutdown_kernels()  # one kernel at a time: notebooks open one after another


def run_notebook(page, lab, name: str) -> bh.RunResult:
    t0 = time.monotonic()
    rel = f"notebooks/{name}"
    bh.open_notebook(page, lab, rel)
    bh.run_all(page, RUN_TIMEOUT_MS)
    states = bh.cell_states(page)
    allowed = bh.raises_exception_cells(lab.root / rel)
    problems = bh.find_problems(states, allowed)
    in_file = bh.cell_count(lab.root / rel)
    if len(states) != in_file:  # never pass by inspecting an empty or half-drawn page
        problems.insert(0, f"the page shows {len(states)} cells, the file has {in_file}")
    return bh.RunResult(name, time.monotonic() - t0, states, problems)


WIDGET_BOXES = ", ".join(
    f".mlpops-{k}"
    for k in ("architecture-explorer", "op-stepper", "predict-reveal", "time-estimator")
)


def screenshot_widgets(page, name: str) -> None:
    """An image of each mlpops widget in the page, as a learner sees it after Run All."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    boxes = page.locator(WIDGET_BOXES)
    for i in range(boxes.count()):
        try:
            boxes.nth(i).screenshot(path=str(ARTIFACTS / f"{Path(name).stem}-widget{i + 1}.png"))
        except Exception:  # an image is a nicety: never the reason a test fails
            pass


# -- every notebook runs clean in the browser ---------------------------------------------
@browser
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_clean_in_jupyterlab(lab_page, lab, name):
    result = run_notebook(lab_page, lab, name)
    code_cells = [s for s in result.states if s["code"]]
    screenshot_widgets(lab_page, name)
    assert not result.problems, f"{name}:\n" + "\n".join(result.problems)
    print(f"{name}: ran clean in {result.seconds:.1f} s ({len(code_cells)} code cells)")
    serious = axe_scan_outputs(lab_page, name)
    assert not serious, f"{name}: axe finds in the outputs:\n" + "\n".join(serious)


#: axe rules whose findings in JupyterLab's output area are JupyterLab's, not the course's:
#: JupyterLab 4's image renderer drops the ``alt`` of an image/png output's metadata (its
#: renderImage sets src, width and height only), so every figure's <img> is flagged. The
#: alt text is in the notebook (tests/course/test_notebook_figures.py) and on the course
#: site, where nbconvert writes it (tests/course/test_site.py).
JUPYTERLAB_OWN = {"image-alt": ".jp-RenderedImage img"}
OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"


def axe_scan_outputs(page, name: str) -> list[str]:
    """axe-core on the notebook's rendered outputs (JupyterLab's own chrome out of scope):
    the serious and critical findings, one line each; every finding kept as an artifact."""
    if not bh.AXE_JS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{bh.AXE_JS} missing: .ci/run's `python3 tasks.py site` unpacks it")
        return []
    violations = bh.axe_scan(page, include=[OUTPUTS])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{Path(name).stem}.axe.json").write_text(
        __import__("json").dumps(
            {"summary": bh.summarize(violations), "violations": violations}, indent=1
        )
    )
    if name.startswith("00-"):  # JupyterLab's own chrome, once: listed, not judged here
        chrome = bh.axe_scan(page)
        (ARTIFACTS / "jupyterlab-whole-page.axe.json").write_text(
            __import__("json").dumps(
                {"summary": bh.summarize(chrome), "violations": chrome}, indent=1
            )
        )
    return bh.course_findings(
        [v for v in violations if v["id"] not in JUPYTERLAB_OWN or not _all_images(v)]
    )


def _all_images(v: dict) -> bool:
    return all(n.endswith("img") for n in v["nodes"]) and v["count"] <= 20


# -- the explorers, used as a learner would ---------------------------------------------------
def shown_total(explorer) -> int:
    return int(explorer.locator(".mlpops-explorer-total").get_attribute("data-total"))


def wait_total(page, explorer, want: int) -> None:
    """Wait until the explorer's displayed total is ``want`` (the kernel answers async)."""
    from playwright.sync_api import expect

    total = explorer.locator(".mlpops-explorer-total")  # re-found: each update replaces it
    expect(total).to_have_attribute("data-total", str(want), timeout=STEP_TIMEOUT_MS)


def exercise_explorer(page, explorer) -> None:
    """Change the controls by keyboard and mouse; each time the total must be live."""
    widths = explorer.locator(".mlpops-width input")
    sizes = [int(widths.nth(i).input_value()) for i in range(widths.count())]
    batch = int(explorer.locator(".mlpops-batch input").input_value())
    activation = explorer.locator("select").first.input_value()
    assert shown_total(explorer) == live_step(sizes, batch, activation).total

    # keyboard: type a new width for the first hidden layer, then Enter
    new = 20 if sizes[1] != 20 else 17
    box = widths.nth(1)
    box.click()
    box.press("Control+A")
    box.type(str(new))
    box.press("Enter")
    sizes[1] = new
    wait_total(page, explorer, live_step(sizes, batch, activation).total)
    text = explorer.locator(".mlpops-explorer-total").inner_text()
    assert text == f"{live_step(sizes, batch, activation).total:,}"

    # mouse: add a layer, then count MACs instead of every operation
    explorer.locator(".mlpops-add-layer").click()
    sizes.append(sizes[-1])
    wait_total(page, explorer, live_step(sizes, batch, activation).total)
    explorer.locator("button", has_text=re.compile("^MACs$")).click()
    wait_total(page, explorer, live_step(sizes, batch, activation).macs)
    explorer.locator("button", has_text=re.compile("^mlpops FLOPs$")).click()
    wait_total(page, explorer, live_step(sizes, batch, activation).total)
    assert explorer.locator(".mlpops-explorer-chart").is_visible()


@browser
@pytest.mark.slow
def test_architecture_explorer_counts_live_in_the_browser(lab_page, lab):
    """Always runs, on a generated notebook: independent of the course notebooks."""
    result = run_notebook(lab_page, lab, "zz-explorer-check.ipynb")
    assert not result.problems, "\n".join(result.problems)
    explorer = lab_page.locator(".mlpops-architecture-explorer").first
    explorer.wait_for()
    exercise_explorer(lab_page, explorer)
    screenshot_widgets(lab_page, "zz-explorer-check")


@browser
@pytest.mark.slow
def test_architecture_explorer_in_its_notebook(lab_page, lab):
    """The explorer as placed in the course (03), once its authors have added it."""
    path = NOTEBOOKS / EXPLORER_NOTEBOOK
    if not path.exists() or "architecture_explorer(" not in path.read_text():
        pytest.skip(
            f"{EXPLORER_NOTEBOOK} has no architecture_explorer() yet "
            "(test_architecture_explorer_counts_live_in_the_browser covers it)"
        )
    result = run_notebook(lab_page, lab, EXPLORER_NOTEBOOK)
    assert not result.problems, "\n".join(result.problems)
    explorer = lab_page.locator(".mlpops-architecture-explorer").first
    explorer.scroll_into_view_if_needed()
    exercise_explorer(lab_page, explorer)


@browser
@pytest.mark.slow
def test_stepper_reveal_and_time_estimator_in_the_browser(lab_page, lab):
    result = run_notebook(lab_page, lab, "zz-widgets-check.ipynb")
    assert not result.problems, "\n".join(result.problems)
    page = lab_page

    stepper = page.locator(".mlpops-op-stepper").first
    stepper.locator(".mlpops-step").click()
    stepper.locator(".mlpops-step").click()
    text = stepper.locator(".mlpops-stepper-text")
    net = mlpops.MLP([2, 2, 1], engine="scalar", seed=0)
    with mlpops.count() as ops:
        net.train_step(np.zeros(2), np.zeros(1))
    text.filter(has_text=f"op 2 of {ops.total}").wait_for()
    assert stepper.locator("svg line.hot").count() == 1  # W_ij lit up
    stepper.locator(".mlpops-reset").click()
    text.filter(has_text="Ready").wait_for()

    reveal = page.locator(".mlpops-predict-reveal").first
    want = live_step((30, 30, 30)).within("backward")["mul"]
    assert f"{want:,}" not in reveal.inner_text()  # hidden until predicted
    reveal.locator(".mlpops-prediction input").fill("1,800")
    reveal.locator(".mlpops-reveal").click()
    count = reveal.locator(".mlpops-reveal-count")
    count.wait_for()
    assert int(count.get_attribute("data-count")) == want
    assert "Too low" in reveal.inner_text()

    est = page.locator(".mlpops-time-estimator").first
    ops_shown = est.locator(".mlpops-time-ops")
    ops_shown.wait_for()
    assert int(ops_shown.get_attribute("data-ops")) == 600 * 2 * live_step((784, 128, 10)).total
    assert re.search(r"~\d", est.inner_text())  # measured times carry a ~
    stepper.locator(".mlpops-step").click()  # leave W11 lit in the picture
    text.filter(has_text="op 1 of").wait_for()
    screenshot_widgets(page, "zz-widgets-check")


@browser
@pytest.mark.slow
def test_detector_catches_deliberate_breakage(lab_page, lab):
    """The checks above would fail on a broken widget, a raising cell, a raising callback."""
    result = run_notebook(lab_page, lab, "zz-broken-check.ipynb")
    problems = "\n".join(result.problems)
    assert re.search(r"cell 0: widget failed to render", problems), problems
    assert re.search(r"cell 2: error output: .*ValueError", problems), problems
    assert re.search(r"cell 3: not executed", problems), problems
    assert "cell 1" not in problems  # the explorer itself rendered fine ...
    explorer = lab_page.locator(".mlpops-architecture-explorer").first
    box = explorer.locator(".mlpops-width input").nth(1)
    box.fill("12")
    box.press("Enter")  # ... until its callback raises
    explorer.locator(".mlpops-widget-error").wait_for()
    problems = bh.find_problems(bh.cell_states(lab_page))
    assert any(re.match(r"cell 1: error: .*ZeroDivisionError", p) for p in problems), problems


# -- the explorer by keyboard alone ---------------------------------------------------------
_FOCUS_JS = """(root) => {
  const el = document.activeElement;
  if (!el || !root.contains(el)) return null;
  const labelled = (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
      .map(id => document.getElementById(id)?.textContent || '').join(' ');
  const labels = Array.from(el.labels || []).map(l => l.textContent).join(' ');
  const own = ['BUTTON', 'SELECT'].includes(el.tagName) && el.tagName === 'BUTTON'
      ? el.textContent : '';
  const name = (el.getAttribute('aria-label') || labelled || labels || own ||
                el.getAttribute('title') || '').trim();
  const cs = getComputedStyle(el);
  el.dataset.mlpopsTab = el.dataset.mlpopsTab || String(Math.random());
  return {tag: el.tagName, type: el.type || '', cls: el.parentElement?.className || '',
          name, key: el.dataset.mlpopsTab, value: el.value,
          style: [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow,
                  cs.borderColor, cs.backgroundColor].join('|')};
}"""
_STYLE_JS = """(key) => {
  const el = document.querySelector(`[data-mlpops-tab="${key}"]`);
  const cs = getComputedStyle(el);
  return [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow,
          cs.borderColor, cs.backgroundColor].join('|');
}"""


def focused(page, explorer) -> dict | None:
    return explorer.evaluate(_FOCUS_JS)


def tab_to(page, explorer, test, limit: int = 25) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page, explorer)
        if info and test(info):
            return info
    raise AssertionError("Tab never reached the control")


@browser
@pytest.mark.slow
def test_architecture_explorer_works_by_keyboard_alone(lab_page, lab):
    """Tab and arrow keys only: every control is reached, named and visibly focused, and a
    width and the batch size (arrow up) change the count to the one mlpops counts here."""
    path = NOTEBOOKS / EXPLORER_NOTEBOOK
    name = (
        EXPLORER_NOTEBOOK
        if "architecture_explorer(" in path.read_text()
        else "zz-explorer-check.ipynb"
    )
    result = run_notebook(lab_page, lab, name)
    assert not result.problems, "\n".join(result.problems)
    page = lab_page
    explorer = page.locator(".mlpops-architecture-explorer").first
    explorer.scroll_into_view_if_needed()
    widths = explorer.locator(".mlpops-width input")
    sizes = [int(widths.nth(i).input_value()) for i in range(widths.count())]
    batch = int(explorer.locator(".mlpops-batch input").input_value())
    widths.first.focus()  # where a learner's Tab from the cell above lands: no mouse

    seen = [focused(page, explorer)]
    for _ in range(40):  # walk the whole Tab order through the explorer
        page.keyboard.press("Tab")
        info = focused(page, explorer)
        if info is None:
            break
        seen.append(info)
    assert len(seen) >= len(sizes) + 5, f"Tab reached only {len(seen)} controls"
    unnamed = [f"{c['tag']} in {c['cls']!r}" for c in seen if not c["name"]]
    unseen = [c for c in seen if page.evaluate(_STYLE_JS, c["key"]) == c["style"]]
    assert not unseen, f"focus not visible on: {[(c['tag'], c['name']) for c in unseen]}"

    # arrow up on the first hidden layer's width, then Tab away: the count follows
    widths.first.focus()
    tab_to(page, explorer, lambda c: "mlpops-width-1" in c["cls"])
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    sizes[1] += 1
    activation = explorer.locator("select").first.input_value()
    wait_total(page, explorer, live_step(sizes, batch, activation).total)

    # arrow up on the batch size: B + 1, counted live. (Not f: JupyterLab takes the arrow
    # keys of a focused, closed <select> for its own cell navigation, ipywidgets#3912.)
    tab_to(page, explorer, lambda c: "mlpops-batch" in c["cls"])
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    wait_total(page, explorer, live_step(sizes, batch + 1, activation).total)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(ARTIFACTS / "explorer-by-keyboard.png"))

    # every control it reached has an accessible name (checked last: the rest runs anyway)
    assert not unnamed, f"controls without an accessible name: {unnamed}"


# -- the skip rule itself (no browser needed) ---------------------------------------------------
def test_missing_chromium_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        _require_browser("/nonexistent/chromium")


def test_missing_chromium_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI"):
        _require_browser("/nonexistent/chromium")
