"""The JupyterLite site (``python3 tasks.py lite``): built here, its contents checked.

The site's kernel (Pyodide) loads from its CDN, which these machines cannot reach, so the
kernel is not run here; what is checked is everything the site ships: the notebooks, the
mlpops wheel, ipywidgets pinned to the site's widgets front end, and the storage setting
that keeps a learner's browser from serving an old copy of an updated notebook.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
build_lite = pytest.importorskip("build_lite")
pytest.importorskip("jupyterlite_core")
pytest.importorskip("jupyterlite_pyodide_kernel")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("lite") / "site"
    manifest = build_lite.build(out)
    return out, manifest


def config(site_dir: Path) -> dict:
    return json.loads((site_dir / "jupyter-lite.json").read_text())["jupyter-config-data"]


def test_every_course_notebook_and_the_glossary_are_in_the_site_unchanged_and_nothing_else(site):
    out, manifest = site
    course = build_lite.course_notebooks()
    assert len(course) >= 10
    shipped = sorted(p.name for p in (out / "files").iterdir())
    assert [p.name for p in course] == manifest["notebooks"]
    assert shipped == sorted(p.name for p in build_lite.course_files())
    assert shipped == sorted([*manifest["notebooks"], "GLOSSARY.md"])
    for path in build_lite.course_files():
        assert (out / "files" / path.name).read_bytes() == path.read_bytes()
    listing = json.loads((out / "api" / "contents" / "all.json").read_text())
    assert sorted(c["name"] for c in listing["content"]) == shipped


def test_the_mlpops_wheel_is_bundled_pure_and_complete(site):
    out, _ = site
    index = json.loads((out / "pypi" / "all.json").read_text())
    assert list(index["mlpops"]["releases"]) == [metadata.version("mlpops")]
    [wheel] = (out / "pypi").glob("mlpops-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for module in (
        "mlpops/__init__.py",
        "mlpops/doctor.py",
        "mlpops/course/widgets.py",
        "mlpops/course/exercise_checks/__init__.py",
    ):
        assert module in names, module
    assert not any(n.startswith(("tests/", "notebooks/", "hub/")) for n in names)


def test_ipywidgets_is_pinned_to_the_version_matching_the_sites_front_end(site):
    out, manifest = site
    index = json.loads((out / "pypi" / "all.json").read_text())
    [ipw] = index["ipywidgets"]["releases"]
    [jlw] = index["jupyterlab-widgets"]["releases"]
    # the site's front end is jupyterlab_widgets' extension: same version as the wheel
    manager = out / "extensions" / "@jupyter-widgets" / "jupyterlab-manager" / "package.json"
    installed = metadata.distribution("jupyterlab_widgets")
    ext = next(f for f in installed.files if str(f).endswith("jupyterlab-manager/package.json"))
    assert json.loads(manager.read_text())["version"] == json.loads(ext.read_text())["version"]
    assert jlw == installed.version and manifest["widgets"]["jupyterlab_widgets"] == jlw
    # and that ipywidgets asks for exactly this jupyterlab_widgets, and mlpops for it
    [wheel] = (out / "pypi").glob(f"ipywidgets-{ipw}-*.whl")
    meta = zipfile.ZipFile(wheel).read(f"ipywidgets-{ipw}.dist-info/METADATA").decode()
    reqs = [Requirement(r) for r in re.findall(r"^Requires-Dist: (.+)$", meta, re.M)]
    [need] = [r for r in reqs if r.name.replace("_", "-") == "jupyterlab-widgets"]
    assert Version(jlw) in need.specifier
    [mine] = [Requirement(r) for r in metadata.requires("mlpops") if r.startswith("ipywidgets")]
    assert Version(ipw) in mine.specifier


def test_browser_storage_is_named_after_the_notebooks_so_an_update_is_never_stale(site):
    out, manifest = site
    cfg = config(out)
    version = build_lite.contents_version(build_lite.course_files())
    assert manifest["course_version"] == version
    assert cfg["contentsStorageName"] == cfg["workspacesStorageName"] == f"mlpops-course-{version}"
    assert cfg["settingsStorageName"] == "mlpops-course-settings"  # settings carry over
    kernel = cfg["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert any(u.startswith("./pypi/all.json") for u in kernel["pipliteUrls"])


def test_the_course_version_changes_with_any_notebook(tmp_path):
    a, b = tmp_path / "01-a.ipynb", tmp_path / "02-b.ipynb"
    a.write_text("{}")
    b.write_text("{}")
    before = build_lite.contents_version([a, b])
    assert build_lite.contents_version([a, b]) == before
    b.write_text('{"cells": []}')
    assert build_lite.contents_version([a, b]) != before
    b.rename(tmp_path / "02-c.ipynb")
    assert build_lite.contents_version([a, tmp_path / "02-c.ipynb"]) != before


def test_mlpops_starts_no_threads_or_subprocesses_which_pyodide_lacks():
    # Pyodide cannot start threads or processes; the package (what the notebooks import)
    # must not need them (threading.local is fine: it needs no second thread). Developer
    # tools, tests and hub/ may.
    pattern = re.compile(
        r"^\s*(import|from)\s+(subprocess|multiprocessing|concurrent)\b"
        r"|\b(Thread|Timer|ThreadPoolExecutor|ProcessPoolExecutor|Popen)\("
        r"|\bos\.(fork|system|popen|spawn\w*)\(",
        re.M,
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "mlpops").rglob("*.py")
        if pattern.search(p.read_text())
    ]
    assert offenders == []
