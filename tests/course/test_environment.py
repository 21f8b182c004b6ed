"""environment.yml, binder/environment.yml and pyproject.toml name the same packages.

conda cannot be reached from these machines, so the environment files are checked for
agreement here, and binder/environment.yml is built with pip in test_binder.py's
simulated Binder build. The pip-name <-> conda-name mapping is workshop_kit.PIP_TO_CONDA.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workshop_kit as kit

ENVS = list(kit.ENV_FILES)


def test_every_pyproject_package_has_a_conda_name():
    names = set(kit.pyproject_requirements())
    assert names == set(kit.PIP_TO_CONDA), (
        "pyproject.toml's dependencies + [lab] extra and tests/workshop_kit.PIP_TO_CONDA differ: "
        f"only in pyproject {sorted(names - set(kit.PIP_TO_CONDA))}, "
        f"only in the mapping {sorted(set(kit.PIP_TO_CONDA) - names)}"
    )


@pytest.mark.parametrize("env", ENVS)
def test_environment_file_names_exactly_the_pyproject_packages(env):
    deps = kit.conda_dependencies(kit.ENV_FILES[env])
    expected = {kit.PIP_TO_CONDA[name] for name in kit.pyproject_requirements()} | kit.CONDA_ONLY
    assert set(deps) == expected, (
        f"{env} environment: missing {sorted(expected - set(deps))}, "
        f"not in pyproject {sorted(set(deps) - expected)}"
    )


@pytest.mark.parametrize("env", ENVS)
def test_environment_pins_are_pyprojects_pins(env):
    deps = kit.conda_dependencies(kit.ENV_FILES[env])
    for pip_name, spec in kit.pyproject_requirements().items():
        conda_spec = kit.conda_spec_to_pip(deps[kit.PIP_TO_CONDA[pip_name]])
        assert conda_spec == spec, (
            f"{env}: {pip_name} is {conda_spec or 'unpinned'}, pyproject {spec}"
        )


def test_root_and_binder_environments_are_the_same():
    root, binder = (kit.conda_env(kit.ENV_FILES[e]) for e in ("root", "binder"))
    assert root["dependencies"] == binder["dependencies"]
    assert root["channels"] == binder["channels"] == ["conda-forge"]


@pytest.mark.parametrize("env", ENVS)
def test_environment_python_satisfies_requires_python(env):
    spec = kit.conda_dependencies(kit.ENV_FILES[env])["python"]
    assert spec.startswith("=") and not spec.startswith("=="), "pin python to a minor: python=3.X"
    version = Version(spec.lstrip("=").rstrip(".*"))
    requires = SpecifierSet(kit.pyproject()["project"]["requires-python"])
    assert version in requires, f"{env}: python {version} is outside requires-python {requires}"


@pytest.mark.parametrize(
    ("package", "admits", "rejects"),
    [
        ("jupyterlab", ["4.2.0", "4.9.9"], ["3.6.0", "5.0.0"]),  # JupyterLab 4
        ("ipywidgets", ["8.1.0", "8.9.0"], ["7.8.0", "9.0.0"]),  # ipywidgets 8 (with Lab 4)
        ("numpy", ["1.26.4", "2.4.0"], ["1.25.0", "3.0.0"]),
        ("matplotlib", ["3.8.0", "3.11.0"], ["3.7.0", "4.0.0"]),
    ],
)
def test_major_versions_that_work_together(package, admits, rejects):
    spec = kit.pyproject_requirements()[package]
    for v in admits:
        assert Version(v) in spec, f"{package} {spec} should admit {v}"
    for v in rejects:
        assert Version(v) not in spec, f"{package} {spec} should not admit {v}"


@pytest.mark.parametrize("env", ENVS)
def test_environment_file_installs_no_local_path(env):
    # repo2docker builds binder/environment.yml before it copies the repository in, so a
    # '-e ..' (or any path) there fails; mlpops is installed by binder/postBuild instead.
    for dep in kit.conda_env(kit.ENV_FILES[env])["dependencies"]:
        if isinstance(dep, dict):
            for line in dep.get("pip", []):
                assert not line.lstrip().startswith(("-e", ".", "/", "file:")), (
                    f"{env}: pip installs a local path ({line!r}); binder/postBuild does that"
                )


def test_installed_versions_satisfy_the_pins():
    # The environment running these tests was built from pyproject.toml: it should also be
    # a valid solution of the environment files' pins.
    from importlib.metadata import PackageNotFoundError, version

    for name, spec in kit.pyproject_requirements().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            pytest.skip(f"{name} is not installed here")
        assert Version(installed) in spec, f"{name} {installed} is outside {spec}"
