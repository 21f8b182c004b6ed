"""The setup check: each broken environment, faked, is found and comes with its fix."""

from __future__ import annotations

import sys

import pytest
from packaging.specifiers import SpecifierSet

from mlpops import doctor

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

GOOD = {
    "numpy": "2.4.6",
    "matplotlib": "3.11.2",
    "ipywidgets": "8.1.9",
    "jupyterlab_widgets": "3.0.17",
}


@pytest.fixture
def fake(monkeypatch):
    """A healthy local terminal; each test breaks one thing."""
    state = {
        "versions": dict(GOOD),
        "env": {},
        "modules": {"numpy"},
        "platform": "linux",
        "kernel": False,
        "comm": (True, "a widget comm opened"),
        "manager": "5.0.15",
        "memory": (8 * 2**30, 6 * 2**30),
        "cpus": 4,
        "python": (3, 11, 7),
    }
    monkeypatch.setattr(doctor, "installed_version", lambda d: state["versions"].get(d))
    monkeypatch.setattr(
        doctor,
        "requirements_of",
        lambda d: ["jupyterlab_widgets~=3.0.15", "comm>=0.1.3"] if d == "ipywidgets" else [],
    )
    monkeypatch.setattr(doctor, "environ", lambda: state["env"])
    monkeypatch.setattr(doctor, "loaded_modules", lambda: state["modules"])
    monkeypatch.setattr(doctor, "platform", lambda: state["platform"])
    monkeypatch.setattr(doctor, "in_kernel", lambda: state["kernel"])
    monkeypatch.setattr(doctor, "comm_opens", lambda: state["comm"])
    monkeypatch.setattr(doctor, "widget_manager_version", lambda: state["manager"])
    monkeypatch.setattr(doctor, "memory", lambda: state["memory"])
    monkeypatch.setattr(doctor, "cpus", lambda: state["cpus"])
    monkeypatch.setattr(doctor, "python_version", lambda: state["python"])
    return state


def only_problem(report):
    assert len(report.problems) == 1, str(report)
    return report.problems[0]


def test_a_healthy_environment_has_no_problem_and_says_so(fake):
    report = doctor.check()
    assert report.ok and report.where == "local"
    text = repr(report)
    assert text.startswith("mlpops doctor: ready for the course (running on this computer")
    for name in ("Python", "numpy", "matplotlib", "ipywidgets", "widgets front end", "memory"):
        assert name in text
    assert "FIX" not in text


def test_an_old_python_is_named_with_the_version_needed(fake):
    fake["python"] = (3, 9, 18)
    problem = only_problem(doctor.check())
    assert problem.name == "Python" and "3.9.18" in problem.found and ">= 3.10" in problem.found
    assert "Python 3.10 or newer" in problem.fix and "tasks.py setup" in problem.fix


@pytest.mark.parametrize(
    ("package", "version"),
    [("numpy", None), ("numpy", "1.24.4"), ("numpy", "3.0.0"), ("matplotlib", "3.7.5")],
)
def test_a_missing_or_out_of_range_package_gets_the_pip_command_with_the_pin(
    fake, package, version
):
    fake["versions"][package] = version
    problem = only_problem(doctor.check())
    pin = doctor.PINS[package]
    assert problem.name == package
    assert (version or "not installed") in problem.found and pin in problem.found
    assert problem.fix == f'{sys.executable} -m pip install "{package}{pin}"'


def test_in_a_notebook_the_fix_is_a_pip_magic_and_a_kernel_restart(fake):
    fake["kernel"] = True
    fake["versions"]["numpy"] = "1.21.0"
    problem = only_problem(doctor.check())
    assert problem.fix.startswith('%pip install "numpy>=1.26,<3"')
    assert "Restart Kernel" in problem.fix


def test_ipywidgets_7_is_too_old_and_its_front_end_fix_upgrades_both(fake):
    fake["versions"]["ipywidgets"] = "7.8.1"
    fake["manager"] = "3.1.0"
    report = doctor.check()
    names = [p.name for p in report.problems]
    assert names == ["ipywidgets"], str(report)  # the old pair matches itself: one problem
    assert 'pip install "ipywidgets>=8.1,<9"' in report["ipywidgets"].fix


def test_a_jupyterlab_widgets_that_does_not_match_ipywidgets_is_named_with_the_fix(fake):
    fake["versions"]["jupyterlab_widgets"] = "1.1.7"
    problem = only_problem(doctor.check())
    assert problem.name == "widgets front end"
    assert "jupyterlab_widgets 1.1.7 does not match ipywidgets 8.1.9" in problem.found
    assert "~=3.0.15" in problem.found
    assert '"ipywidgets>=8.1,<9" "jupyterlab_widgets>=3,<4"' in problem.fix
    assert "restart JupyterLab" in problem.fix


def test_a_front_end_serving_the_ipywidgets_7_manager_is_found(fake):
    # the kernel's environment has ipywidgets 8, the server's share/jupyter an old manager
    fake["manager"] = "3.1.0"
    problem = only_problem(doctor.check())
    assert problem.name == "widgets front end" and "needs 5.x" in problem.found


def test_no_front_end_at_all_is_found(fake):
    fake["versions"]["jupyterlab_widgets"] = None
    fake["manager"] = None
    problem = only_problem(doctor.check())
    assert problem.name == "widgets front end" and "not installed" in problem.found
    assert "jupyterlab_widgets>=3,<4" in problem.fix


def test_a_kernel_where_no_comm_opens_cannot_show_the_explorers(fake):
    fake["kernel"] = True
    fake["comm"] = (False, "the widget has no open comm")
    problem = only_problem(doctor.check())
    assert problem.name == "widgets render" and "explorers would show as text" in problem.found
    assert problem.fix.startswith("%pip install") and "reload the page" in problem.fix


def test_in_a_terminal_rendering_is_not_checked_and_says_where_to_check_it(fake):
    finding = doctor.check()["widgets render"]
    assert finding.ok and "not checked" in finding.found
    assert "mlpops.doctor.check()" in finding.note


def test_too_little_memory_is_a_problem_with_what_to_shut_down(fake):
    fake["memory"] = (2 * 2**30, 300 * 2**20)
    problem = only_problem(doctor.check())
    assert problem.name == "memory" and "0.3 GiB free" in problem.found
    assert "Shut Down All Kernels" in problem.fix


def test_one_cpu_is_enough(fake):
    fake["cpus"] = 1
    assert doctor.check().ok


@pytest.mark.parametrize(
    ("env", "modules", "plat", "place"),
    [
        ({}, set(), "linux", "local"),
        (
            {"BINDER_LAUNCH_HOST": "https://mybinder.org/", "JUPYTERHUB_API_URL": "x"},
            set(),
            "linux",
            "binder",
        ),
        (
            {"JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api", "JUPYTERHUB_USER": "a"},
            set(),
            "linux",
            "hub",
        ),
        ({"COLAB_RELEASE_TAG": "release-colab"}, set(), "linux", "colab"),
        ({}, {"google.colab"}, "linux", "colab"),
        ({}, {"pyodide"}, "emscripten", "jupyterlite"),
    ],
)
def test_where_the_course_runs_is_read_from_each_places_markers(env, modules, plat, place):
    assert doctor.where(env, modules, plat) == place


@pytest.mark.parametrize("place", ["colab", "jupyterlite"])
def test_colab_and_jupyterlite_bring_their_own_widgets_front_end(fake, place):
    fake["env"] = {"COLAB_RELEASE_TAG": "r"} if place == "colab" else {}
    fake["platform"] = "emscripten" if place == "jupyterlite" else "linux"
    fake["versions"]["jupyterlab_widgets"] = None
    fake["manager"] = None
    fake["kernel"] = True
    report = doctor.check()
    assert report.ok and report.where == place, str(report)
    assert (
        str(report)
        .splitlines()[0]
        .endswith(f"(running {doctor.PLACES[place]}, in a notebook kernel)")
    )


@pytest.mark.parametrize(
    "version", ["1.25.2", "1.26.0", "1.26.4", "2.0", "2.4.6", "2.99.1", "3.0.0", "3.1"]
)
@pytest.mark.parametrize("spec", [">=1.26,<3", "~=2.4", "==1.26.*", "!=2.0.0,>1.26", "<=2.4.6"])
def test_version_clauses_agree_with_packaging(version, spec):
    assert doctor.satisfies(version, spec) == (version in SpecifierSet(spec))


def test_the_pins_are_pyprojects_pins(root):
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    pyproject = {d.split(">")[0].split("=")[0].split("<")[0]: d for d in deps}
    for name, spec in doctor.PINS.items():
        assert SpecifierSet(spec) == SpecifierSet(pyproject[name][len(name) :])
    installed = doctor.pins()  # and the installed metadata says the same
    assert {k: SpecifierSet(v) for k, v in installed.items()} == {
        k: SpecifierSet(v) for k, v in doctor.PINS.items()
    }


def test_mlpops_doctor_prints_the_report_and_exits_1_on_a_problem(fake, capsys):
    from mlpops.cli import main

    assert main(["doctor"]) == 0
    assert capsys.readouterr().out.startswith("mlpops doctor: ready for the course")
    fake["versions"]["matplotlib"] = None
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "1 problem to fix" in out and "fix: " in out and '"matplotlib>=3.8,<4"' in out


def test_mlpops_doctor_refuses_arguments(capsys):
    from mlpops.cli import main

    assert main(["doctor", "--fast"]) == 2
    assert "takes no arguments" in capsys.readouterr().err


def test_in_a_real_kernel_a_widget_comm_opens():
    jupyter_client = pytest.importorskip("jupyter_client")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        code = (
            "import mlpops.doctor\nr = mlpops.doctor.check()\n"
            "print(r.in_kernel, r['widgets render'].ok, r['widgets render'].found)"
        )
        out = []
        kc.execute_interactive(
            code,
            timeout=60,
            output_hook=lambda m: out.append(m["content"].get("text", "")),
        )
        assert "".join(out).strip() == "True True a widget comm opened"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
