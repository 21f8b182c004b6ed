"""The course's JupyterHub spawner: each learner's server as their own Unix user, in a
memory- and CPU-limited control group, with the course copied into their home once.

Used by ``hub/jupyterhub_config.py``. Linux only, and the hub runs as root (it starts
servers as other users and writes control groups), as JupyterHub's LocalProcessSpawner
and SystemdSpawner both need.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

#: The learner's copy of the course, relative to their home.
COURSE_DIR = "mlpops-course"
#: Where control groups for learners are made (v2: one tree; v1: one per controller).
CGROUP_NAME = "mlpops-learners"


def parse_bytes(text: str | int) -> int:
    """'1G' -> 1073741824 (K, M, G, T are powers of 1024, as JupyterHub's mem_limit)."""
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), re.I)
    if not m:
        raise ValueError(f"memory limit {text!r} is not a size like 1G or 512M")
    power = " KMGT".index(m.group(2).upper() or " ")
    return int(float(m.group(1)) * 1024**power)


def copy_course(source: Path, home: Path, uid: int, gid: int) -> list[str]:
    """Copy the course's notebooks into ``home/mlpops-course``, the learner's own.

    Only files that are not there yet are copied: a learner's edits are never
    overwritten, and a notebook added to the course later still arrives. Returns the
    names copied.
    """
    target = home / COURSE_DIR
    if not target.exists():
        target.mkdir(mode=0o700)
        os.chown(target, uid, gid)
    copied = []
    for src in sorted(source.iterdir()):
        if not src.is_file() or src.name.startswith("."):
            continue
        if src.suffix not in (".ipynb", ".csv", ".npz", ".png", ".json"):
            continue  # the guide, the authoring notes and the sanitize file stay out
        dst = target / src.name
        if dst.exists():
            continue
        shutil.copyfile(src, dst)
        os.chown(dst, uid, gid)
        os.chmod(dst, 0o600)
        copied.append(src.name)
    return copied


class Cgroup:
    """A learner's control group: memory and CPU caps, and the peak memory it reached."""

    def __init__(self, user: str, root: Path = Path("/sys/fs/cgroup")):
        self.user = user
        self.v2 = (root / "cgroup.controllers").exists()
        if self.v2:
            self.dirs = {"memory": root / CGROUP_NAME / user, "cpu": root / CGROUP_NAME / user}
        else:
            self.dirs = {c: root / c / CGROUP_NAME / user for c in ("memory", "cpu")}

    @staticmethod
    def available(root: Path = Path("/sys/fs/cgroup")) -> bool:
        if (root / "cgroup.controllers").exists():
            return (
                os.access(root, os.W_OK) and "memory" in (root / "cgroup.controllers").read_text()
            )
        return all(os.access(root / c, os.W_OK) for c in ("memory", "cpu"))

    def create(self, mem_limit: int, cpu_limit: float) -> None:
        if self.v2:
            parent = self.dirs["memory"].parent
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+memory +cpu")
        for d in set(self.dirs.values()):
            d.mkdir(parents=True, exist_ok=True)
        period = 100_000
        quota = int(cpu_limit * period)
        if self.v2:
            (self.dirs["memory"] / "memory.max").write_text(str(mem_limit))
            (self.dirs["memory"] / "memory.swap.max").write_text("0")
            (self.dirs["cpu"] / "cpu.max").write_text(f"{quota} {period}" if quota else "max")
        else:
            (self.dirs["memory"] / "memory.limit_in_bytes").write_text(str(mem_limit))
            (self.dirs["cpu"] / "cpu.cfs_period_us").write_text(str(period))
            (self.dirs["cpu"] / "cpu.cfs_quota_us").write_text(str(quota) if quota else "-1")

    def join(self, pid: int) -> None:
        for d in set(self.dirs.values()):
            (d / "cgroup.procs").write_text(str(pid))

    def memory_limit(self) -> int:
        name = "memory.max" if self.v2 else "memory.limit_in_bytes"
        return int((self.dirs["memory"] / name).read_text())

    def peak_memory(self) -> int | None:
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        try:
            return int((self.dirs["memory"] / name).read_text())
        except (OSError, ValueError):
            return None

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.dirs["memory"] / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def remove(self) -> None:
        for d in set(self.dirs.values()):
            try:
                d.rmdir()
            except OSError:
                pass  # still has processes (or already gone): the next start reuses it


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that enforces ``mem_limit``/``cpu_limit`` and copies the course."""

    course_source = Unicode(
        help="Folder whose notebooks are copied into each learner's ~/mlpops-course"
    ).tag(config=True)

    def _cgroup(self) -> Cgroup:
        return Cgroup(self.user.name)

    async def start(self):
        user = pwd.getpwnam(self.user.name)
        home = Path(user.pw_dir)
        if not home.is_dir():
            raise RuntimeError(
                f"{self.user.name} has no home folder {home}: create the user with hub/learners.py"
            )
        if self.course_source:
            copied = copy_course(Path(self.course_source), home, user.pw_uid, user.pw_gid)
            if copied:
                self.log.info("Copied %d course files to %s", len(copied), home / COURSE_DIR)
        if self.mem_limit or self.cpu_limit:
            if not Cgroup.available():
                raise RuntimeError(
                    "mem_limit/cpu_limit are set but no control group can be written "
                    "here (run the hub as root on Linux, or unset the limits knowingly)"
                )
            self._cgroup().create(self.mem_limit or 0, self.cpu_limit or 0)
        return await super().start()

    def make_preexec_fn(self, name):
        drop_privileges = super().make_preexec_fn(name)
        cgroup = self._cgroup() if (self.mem_limit or self.cpu_limit) else None

        def preexec():
            if cgroup is not None:  # still root here: join the group, then become the learner
                cgroup.join(os.getpid())
            drop_privileges()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        if self.mem_limit or self.cpu_limit:
            self._cgroup().remove()
