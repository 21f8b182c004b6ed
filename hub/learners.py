#!/usr/bin/env python3
"""Make (and remove) the workshop's learner accounts: local Unix users in one group,
each with a random password, listed on a sheet the instructor hands out.

    sudo python3 hub/learners.py create 30 --sheet learners.csv   # learner01..learner30
    sudo python3 hub/learners.py remove                           # every learner, and their homes

No password is fixed anywhere: each is drawn from ``secrets`` when the user is made, and
only the sheet (readable by root alone) holds them. Homes are private (0700), so no
learner can read another's notebooks.
"""

from __future__ import annotations

import argparse
import csv
import grp
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

GROUP = "mlpops-learners"
#: No 0/O, 1/l/I: a password read off a sheet and typed.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_password(length: int = 12) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def members(group: str = GROUP) -> list[str]:
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return []
    named = set(grp.getgrgid(gid).gr_mem)
    primary = {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return sorted(named | primary)


def create(names: list[str], group: str = GROUP, home_root: str = "/home") -> dict[str, str]:
    """Create each user (private home, in ``group``) with a new random password."""
    if os.geteuid() != 0:
        sys.exit("learners.py makes Unix users: run it as root (sudo)")
    try:
        grp.getgrnam(group)
    except KeyError:
        subprocess.run(["groupadd", group], check=True)
    passwords = {}
    for name in names:
        try:
            pwd.getpwnam(name)
            sys.exit(f"user {name} already exists: pick another --prefix, or remove it first")
        except KeyError:
            pass
        home = f"{home_root}/{name}"
        subprocess.run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                home,
                "--gid",
                group,
                "--shell",
                "/bin/bash",
                name,
            ],
            check=True,
        )
        os.chmod(home, 0o700)
        passwords[name] = new_password()
    subprocess.run(
        ["chpasswd"],
        input="".join(f"{n}:{p}\n" for n, p in passwords.items()),
        text=True,
        check=True,
    )
    return passwords


def remove(names: list[str], group: str = GROUP) -> None:
    """Delete each user and their home (only members of the learners' group)."""
    allowed = set(members(group))
    for name in names:
        if name not in allowed:
            sys.exit(f"{name} is not in the group {group}: not removing it")
        subprocess.run(["pkill", "-KILL", "-u", name], check=False)  # their servers, if any
        subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
        for sub in ("", "memory/", "cpu/"):  # cgroup v2, then v1's two controllers
            cgroup = Path(f"/sys/fs/cgroup/{sub}mlpops-learners/{name}")
            try:  # the (empty) control group the hub made for them, if a stop missed it
                cgroup.rmdir()
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="the workshop's learner accounts")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create", help="make N learners with random passwords")
    c.add_argument("count", type=int)
    c.add_argument("--prefix", default="learner", help="names are PREFIX01, PREFIX02, ...")
    c.add_argument("--sheet", type=Path, required=True, help="CSV of names and passwords")
    r = sub.add_parser("remove", help="delete learners and their homes")
    r.add_argument("names", nargs="*", help="default: every member of " + GROUP)
    args = p.parse_args(argv)
    if args.command == "create":
        if not 1 <= args.count <= 999:
            sys.exit("count must be between 1 and 999")
        width = max(2, len(str(args.count)))
        names = [f"{args.prefix}{i:0{width}d}" for i in range(1, args.count + 1)]
        passwords = create(names)
        fd = os.open(args.sheet, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["username", "password"])
            w.writerows(passwords.items())
        print(f"{len(names)} learners made; their passwords are in {args.sheet} (mode 0600)")
    else:
        names = args.names or members()
        remove(names)
        print(f"removed {len(names)} learners")
    return 0


if __name__ == "__main__":
    sys.exit(main())
