"""hub/: the workshop JupyterHub on one server, its Kubernetes values, and its security.

The tests that start a real hub need root (they make two throwaway Unix users, and remove
them), Linux control groups, and ``configurable-http-proxy`` on PATH (npm; .ci/run
installs it). Everything listens on 127.0.0.1. The hub's Python is made once in
build/hub-env by hub/setup_env.py.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"
Z2JH = Path(__file__).resolve().parent / "z2jh"
sys.path.insert(0, str(HUB))
sys.path.insert(0, str(ROOT / "benchmarks"))

CONFIG = (HUB / "jupyterhub_config.py").read_text()
VALUES = yaml.safe_load((HUB / "z2jh-values.yaml").read_text())


def config_default(var: str) -> str:
    m = re.search(rf'env\("{var}",\s*"([^"]*)"\)', CONFIG)
    assert m, f"jupyterhub_config.py reads no {var}"
    return m.group(1)


# --- the Kubernetes values (no root needed) --------------------------------------------


def merged(defaults: dict, values: dict) -> dict:
    """``values`` over ``defaults``, as helm merges a values file onto a chart's."""
    out = copy.deepcopy(defaults)
    for k, v in values.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def test_z2jh_values_are_valid_for_the_chart():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Z2JH / "values.schema.json").read_text())
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text())
    jsonschema.Draft7Validator(schema).validate(merged(defaults, VALUES))


def test_z2jh_values_reject_a_misspelt_key():  # the schema really is strict
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Z2JH / "values.schema.json").read_text())
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text())
    bad = merged(VALUES, {"singleuser": {"memmory": {"limit": "1G"}}})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(merged(defaults, bad))


def test_z2jh_values_name_the_image_repo2docker_builds_from_binder():
    image = VALUES["singleuser"]["image"]
    text = (HUB / "z2jh-values.yaml").read_text()
    assert image["name"] == "ghcr.io/mlpops/mlpops-course" and image["tag"]
    # the documented build command builds exactly that image from the repository (binder/)
    build = re.search(r"repo2docker (.*?)https://github.com/mlpops/mlpops", text, re.S)
    assert build and "--target-repo-dir /srv/mlpops" in build.group(1)
    assert "--image-name ghcr.io/YOUR-ORG/mlpops-course:COMMIT" in build.group(1)
    assert (ROOT / "binder" / "environment.yml").exists() and VALUES["singleuser"]["cmd"] == (
        "jupyterhub-singleuser"
    )
    # and the course it copies into each home is where that build puts the repository
    hook = " ".join(VALUES["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "cp -n /srv/mlpops/notebooks/*.ipynb /home/jovyan/mlpops-course/" in hook


def test_z2jh_values_have_the_one_server_hubs_limits_and_culler():
    single = VALUES["singleuser"]
    assert single["memory"]["limit"] == config_default("MLPOPS_HUB_MEM_LIMIT")
    assert float(single["cpu"]["limit"]) == float(config_default("MLPOPS_HUB_CPU_LIMIT"))
    assert VALUES["cull"]["enabled"] is True and VALUES["cull"]["users"] is False
    assert VALUES["cull"]["timeout"] == int(config_default("MLPOPS_HUB_CULL_TIMEOUT"))
    assert single["defaultUrl"] == re.search(r'default_url = "([^"]+)"', CONFIG).group(1)


def walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, (*path, str(i)))
    else:
        yield path, node


def test_no_default_password_is_shipped():
    # Kubernetes: the chart's default authenticator (dummy) lets anyone in; ours does not.
    auth = VALUES["hub"]["config"]["JupyterHub"]["authenticator_class"]
    assert auth not in ("dummy", "null", "jupyterhub.auth.DummyAuthenticator")
    assert VALUES["hub"]["config"]["NativeAuthenticator"]["open_signup"] is False
    for path, value in walk(VALUES):  # no password, secret or token value anywhere
        named = re.search(r"password|secret|token", path[-1], re.I)
        assert not (named and isinstance(value, str)), f"{'.'.join(path)} is set"
    assert VALUES["hub"]["config"]["Authenticator"]["admin_users"] == []  # set at install
    # One server: PAM against local users whose passwords learners.py draws at random.
    assert 'authenticator_class = "pam"' in CONFIG
    for path in HUB.iterdir():
        if path.suffix in (".py", ".yaml"):
            text = path.read_text()
            assert not re.search(r"""password\s*[=:]\s*["'][^"']+["']""", text, re.I), path.name
            assert not re.search(r"DummyAuthenticator|authenticator_class\W+dummy", text), path.name


def test_learner_passwords_are_random_and_unambiguous():
    import learners

    drawn = {learners.new_password() for _ in range(200)}
    assert len(drawn) == 200 and all(len(p) == 12 for p in drawn)
    assert not set("".join(drawn)) & set("0O1lI")


def test_the_course_is_copied_once_and_a_learners_edit_is_kept(tmp_path):
    from mlpops_hub import copy_course

    home = tmp_path / "home"
    home.mkdir()
    uid, gid = os.getuid(), os.getgid()
    copied = copy_course(ROOT / "notebooks", home, uid, gid)
    course = home / "mlpops-course"
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert copied == notebooks and sorted(p.name for p in course.iterdir()) == notebooks
    assert oct(course.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in course.iterdir())
    (course / "03-stacking-layers.ipynb").write_text("my work")
    (course / "00-start-here.ipynb").unlink()  # a learner deletes one: it comes back
    assert copy_course(ROOT / "notebooks", home, uid, gid) == ["00-start-here.ipynb"]
    assert (course / "03-stacking-layers.ipynb").read_text() == "my work"


def test_memory_limits_read_like_jupyterhubs():
    from mlpops_hub import parse_bytes

    assert parse_bytes("1G") == 2**30 and parse_bytes("512M") == 512 * 2**20
    assert parse_bytes("1.5G") == 3 * 2**29 and parse_bytes(100) == 100
    with pytest.raises(ValueError, match="1G or 512M"):
        parse_bytes("lots")


# --- a real hub on 127.0.0.1 (root) ----------------------------------------------------


def hub_unavailable() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root on Linux (it makes Unix users)"
    if not shutil.which("configurable-http-proxy"):
        return "configurable-http-proxy is not on PATH (npm install -g configurable-http-proxy)"
    from mlpops_hub import Cgroup

    if not Cgroup.available():
        return "no writable control groups here"
    return None


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    reason = hub_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the hub tests: {reason}")
        pytest.skip(reason)
    import hub_load
    import learners
    from setup_env import setup

    prefix = setup(ROOT / "build" / "hub-env", quiet=True)
    tag = uuid.uuid4().hex[:4]
    group = f"mlpops-test{tag}"
    names = [f"ml{tag}t1", f"ml{tag}t2"]
    state = tmp_path_factory.mktemp("hub-state")
    running = hub_load.Hub(prefix, state, group)
    try:
        passwords = learners.create(names, group=group)
        running.start()
        people = {n: hub_load.Learner(running, n, passwords[n]) for n in names}
        for person in people.values():
            assert person.login(), running.log_tail()
            person.start_server()
        yield running, people
    finally:
        running.stop()
        learners.remove(names, group=group)
        subprocess.run(["groupdel", group], check=False, capture_output=True)


def test_the_hub_and_every_server_listen_on_loopback_only(hub):
    import psutil

    running, _ = hub
    pids = {p.pid for p in running.processes()}
    listening = [
        c for c in psutil.net_connections("inet") if c.status == "LISTEN" and c.pid in pids
    ]
    assert len(listening) >= 5  # proxy (2), hub API, two learners' servers
    for c in listening:
        assert ipaddress.ip_address(c.laddr.ip).is_loopback, f"pid {c.pid} listens on {c.laddr}"


def test_a_learner_cannot_read_another_learners_files(hub):
    _, people = hub
    a, b = people.values()
    kernel_id = a.start_kernel()
    with a.kernel(kernel_id) as kernel:
        outputs, reply = kernel.execute(
            f"import os\nprint(os.listdir(os.path.expanduser('~/mlpops-course'))[:1])\n"
            f"open('/home/{b.name}/mlpops-course/03-stacking-layers.ipynb').read()"
        )
    assert reply["status"] == "error" and reply["ename"] == "PermissionError", outputs
    assert any(o.get("name") == "stdout" and ".ipynb" in o["text"] for o in outputs)  # own: fine
    with a.kernel(kernel_id) as kernel:
        _, reply = kernel.execute(f"import os; os.listdir('/home/{b.name}')")
    assert reply["ename"] == "PermissionError"


def test_kernels_talk_over_unix_sockets_in_the_learners_own_home(hub):
    _, people = hub
    a = next(iter(people.values()))
    kernel_id = a.start_kernel("ports.ipynb")
    runtime = Path(f"/home/{a.name}/.local/share/jupyter/runtime")
    info = json.loads((runtime / f"kernel-{kernel_id}.json").read_text())
    assert info["transport"] == "ipc"  # no TCP port race when a room starts kernels at once
    assert info["ip"].startswith(str(runtime)), info["ip"]  # inside a 0700 home


def test_wrong_empty_and_borrowed_passwords_are_refused(hub):
    import hub_load

    running, people = hub
    a, b = people.values()
    for password in ("", a.name, "password", b.password):
        assert not hub_load.Learner(running, a.name, password).login(), password


def test_each_learner_runs_as_themself_inside_their_memory_and_cpu_caps(hub):
    import psutil
    from mlpops_hub import Cgroup, parse_bytes

    _, people = hub
    for name in people:
        group = Cgroup(name)
        assert group.memory_limit() == parse_bytes(config_default("MLPOPS_HUB_MEM_LIMIT"))
        pids = group.pids()
        assert pids and all(psutil.Process(p).username() == name for p in pids)
        home = Path(f"/home/{name}")
        assert oct(home.stat().st_mode & 0o777) == "0o700"
        assert (home / "mlpops-course" / "03-stacking-layers.ipynb").stat().st_uid == (
            home.stat().st_uid
        )
        if not group.v2:
            quota = int((group.dirs["cpu"] / "cpu.cfs_quota_us").read_text())
            assert quota == int(float(config_default("MLPOPS_HUB_CPU_LIMIT")) * 100_000)


@pytest.mark.slow
def test_the_load_test_runs_two_learners_and_their_work_survives_a_restart():
    reason = hub_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the hub load test: {reason}")
        pytest.skip(reason)
    import hub_load

    report = hub_load.run(2, quiet=True)
    assert report["completed"] == 2, report
    assert report["after_restart"] == {"checked": 2, "still_there": 2}
    assert report["notebook_s"]["p50"] > 0 and report["memory_per_learner_mib"]["pss_mean"] > 0
    assert "completed: 2/2" in hub_load.render(report)
