"""The instructor guide (notebooks/INSTRUCTORS.md) agrees with the notebooks.

Its minutes are the notebooks' header minutes, its schedules add up, it lists every
exercise the notebooks check, and it has the sections an instructor needs. Tests for a
notebook that is not written yet skip; test_every_notebook_in_the_guide_exists fails
until all ten are there.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from notebook_tools import minutes

from mlpops import exercises

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workshop_kit as kit

MINUTES_HEADING = "The notebooks and their minutes"
PLANS = {"A 3-hour workshop": 180, "A 90-minute version": 90}
EXERCISE_ID = re.compile(r"\b\d\d\.\d+\b")


def guide() -> str:
    return kit.GUIDE.read_text()


def guide_notebooks() -> dict[str, tuple[int, int, int]]:
    """{stem: (teaching, exercises, total)} from the guide's minutes table, in its order."""
    table = {}
    for row in kit.table_rows(guide(), MINUTES_HEADING):
        m = kit.NOTEBOOK_LINK.search(row[0])
        if not m:
            continue
        table[m.group(1)] = tuple(int(c) for c in row[1:4])
    return table


def exercises_of(stem: str) -> list[str]:
    """A notebook's exercise ids: from the notebook, or its registered checks until it exists."""
    path = kit.NOTEBOOKS_DIR / f"{stem}.ipynb"
    if path.exists():
        return kit.exercise_ids(path)
    return [i for i in exercises.registered() if i.startswith(stem[:2] + ".")]


def minutes_of_day(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def plan_rows(heading: str) -> list[dict]:
    rows = []
    for start, block, teaching, exercise_minutes, total, notes in kit.table_rows(guide(), heading):
        m = kit.NOTEBOOK_LINK.search(block)
        rows.append(
            {
                "start": minutes_of_day(start),
                "stem": m.group(1) if m else None,
                "block": block,
                "teaching": int(teaching) if teaching.isdigit() else None,
                "exercises": int(exercise_minutes) if exercise_minutes.isdigit() else None,
                "minutes": int(total) if total.isdigit() else None,
                "notes": notes,
            }
        )
    return rows


# --- the guide is linked and its notebook table is the course ---------------------------


def test_readme_instructor_section_links_the_guide():
    part = kit.section(kit.README.read_text(), "instructors")
    assert "notebooks/INSTRUCTORS.md" in kit.link_targets(part)


def test_guide_lists_the_course_notebooks_in_order():
    stems = list(guide_notebooks())
    assert [s[:2] for s in stems] == sorted(p.stem[:2] for p in kit.course_notebooks()), stems


def test_every_notebook_in_the_guide_exists():
    missing = [s for s in guide_notebooks() if not (kit.NOTEBOOKS_DIR / f"{s}.ipynb").exists()]
    assert not missing, f"notebooks named in the guide but not written yet: {missing}"


def test_every_notebook_is_in_the_guide():
    extra = [p.stem for p in kit.course_notebooks() if p.stem not in guide_notebooks()]
    assert not extra, f"notebooks missing from INSTRUCTORS.md's minutes table: {extra}"


@pytest.mark.parametrize("stem", list(guide_notebooks()))
def test_guide_minutes_match_the_notebook_header(stem):
    path = kit.NOTEBOOKS_DIR / f"{stem}.ipynb"
    if not path.exists():
        pytest.skip(f"{stem} is not written yet")
    teaching, exercise_minutes, _ = guide_notebooks()[stem]
    assert (teaching, exercise_minutes) == minutes(path), (
        f"INSTRUCTORS.md says {stem} is {teaching}/{exercise_minutes} min, its header "
        f"{minutes(path)[0]}/{minutes(path)[1]}: change both together"
    )


@pytest.mark.parametrize("stem", list(guide_notebooks()))
def test_readme_map_minutes_match_the_guide(stem):
    # The README's map shows the same minutes to readers; all three must agree.
    lines = kit.section(kit.README.read_text(), "notebook-map").splitlines()
    row = next((ln for ln in lines if f"notebooks/{stem}.ipynb" in ln), None)
    assert row, f"{stem} is not in the README's notebook map"
    shown = [int(n) for n in re.findall(r"\|\s*(\d+) min\s*", row)]
    teaching, exercise_minutes, _ = guide_notebooks()[stem]
    assert shown == [teaching, exercise_minutes], (
        f"README's map shows {stem} as {shown}, INSTRUCTORS.md as {[teaching, exercise_minutes]}"
    )


def test_guide_minutes_table_adds_up():
    table = guide_notebooks()
    for stem, (teaching, exercise_minutes, total) in table.items():
        assert total == teaching + exercise_minutes, stem
    totals = [r for r in kit.table_rows(guide(), MINUTES_HEADING) if "all" in r[0].lower()]
    assert len(totals) == 1, "a totals row '**all of them**'"
    sums = [int(c.strip("*")) for c in totals[0][1:4]]
    assert sums == [sum(v[i] for v in table.values()) for i in range(3)]


# --- the workshop plans ---------------------------------------------------------------


@pytest.mark.parametrize("heading", PLANS)
def test_plan_uses_the_header_minutes_and_fits_its_slot(heading):
    rows, table = plan_rows(heading), guide_notebooks()
    assert rows[0]["start"] == 0
    assert rows[-1]["block"].lower() == "end" and rows[-1]["start"] <= PLANS[heading], (
        f"the plan ends at {rows[-1]['start']} min, past its {PLANS[heading]}"
    )
    stems = []
    for row, following in zip(rows, rows[1:]):
        assert following["start"] == row["start"] + row["minutes"], (
            f"{row['block']} starts at {row['start']} and lasts {row['minutes']} min, "
            f"but the next block starts at {following['start']}"
        )
        if row["stem"] is None:
            assert any(w in row["block"].lower() for w in ("break", "welcome", "questions")), (
                f"a block that is neither notebook, break, welcome nor questions: {row}"
            )
            continue
        stems.append(row["stem"])
        teaching, exercise_minutes, _ = table[row["stem"]]
        assert row["teaching"] == teaching, f"{row['stem']}: teaching is {teaching} min"
        assert row["exercises"] in (exercise_minutes, 0), (
            f"{row['stem']}: all its exercises ({exercise_minutes} min) or none (0, homework)"
        )
        assert row["minutes"] == row["teaching"] + row["exercises"]
        if row["exercises"] == 0:
            assert "homework" in row["notes"].lower(), (
                f"{row['stem']}: say its exercises are homework"
            )
    assert stems == sorted(stems), "notebooks in course order (each builds on the last)"
    assert stems[0].startswith("00"), "start with 00 · Start here"


@pytest.mark.parametrize("heading", PLANS)
def test_plan_names_the_exercises_of_each_notebook(heading):
    for row in plan_rows(heading):
        if row["stem"] is None:
            continue
        named = list(dict.fromkeys(EXERCISE_ID.findall(row["notes"])))  # once each, in order
        assert named == exercises_of(row["stem"]), (
            f"{heading}, {row['stem']}: the plan names exercises {named}, "
            f"the notebook has {exercises_of(row['stem'])}"
        )


@pytest.mark.parametrize("heading", PLANS)
def test_plan_leaves_slack_for_logins_and_questions(heading):
    rows = plan_rows(heading)
    assert "welcome" in rows[0]["block"].lower() and rows[0]["minutes"] >= 5, rows[0]
    assert "questions" in rows[-2]["block"].lower() and rows[-2]["minutes"] >= 5, rows[-2]


def test_three_hour_break_outlasts_binders_idle_cull_and_says_so():
    (brk,) = [r for r in plan_rows("A 3-hour workshop") if "break" in r["block"].lower()]
    assert brk["minutes"] != 10 and "binder" in brk["notes"].lower(), brk


def test_three_hour_plan_teaches_every_notebook_a_taught_notebook_names_as_prerequisite():
    taught = {r["stem"] for r in plan_rows("A 3-hour workshop") if r["stem"]}
    for stem in taught:
        header = kit.cell_source(kit.notebook_cells(kit.NOTEBOOKS_DIR / f"{stem}.ipynb")[0])
        prereq = header.split("**Prerequisites:**")[1].split("\n")[0]
        needed = set(re.findall(r"\((\d\d-[a-z0-9-]+)\.ipynb\)", prereq))
        missing = needed - taught
        text = guide()
        assert all(f"{m[:2]}" in text for m in missing), (stem, missing)


def test_three_hour_plan_has_a_break():
    assert any(
        r["stem"] is None and "break" in r["block"].lower() for r in plan_rows("A 3-hour workshop")
    )


# --- exercises and answers -------------------------------------------------------------


def guide_exercises() -> dict[str, str]:
    """{exercise id: notebook number} from the guide's exercise table."""
    rows = kit.table_rows(guide(), "Exercises and their answers")
    table = {}
    for row in rows:
        m = re.fullmatch(r"\d\d\.\d+", row[0])
        assert m, f"exercise table row without an id: {row}"
        number = re.search(r"\((\d\d)-[a-z0-9\-]+\.ipynb\)", row[1])
        assert number, f"{row[0]}: link its notebook"
        table[row[0]] = number.group(1)
    return table


def test_every_exercise_is_marked_core_or_stretch_and_the_guide_says_what_that_means():
    rows = kit.table_rows(guide(), "Exercises and their answers")
    assert {row[3] for row in rows} <= {"core", "stretch"}, {row[0]: row[3] for row in rows}
    assert sum(row[3] == "core" for row in rows) >= len(rows) // 2
    assert "*Core*" in guide() and "*Stretch*" in guide()


def test_guide_lists_every_exercise_the_notebooks_check():
    listed = guide_exercises()
    missing = [
        (i, p.stem) for p in kit.course_notebooks() for i in kit.exercise_ids(p) if i not in listed
    ]
    assert not missing, "add to INSTRUCTORS.md's exercise table:\n" + "\n".join(
        f"| {i} | [{stem[:2]}]({stem}.ipynb) | ... |" for i, stem in missing
    )


def test_guide_lists_no_exercise_that_does_not_exist():
    listed = guide_exercises()
    for exercise_id, number in listed.items():
        assert exercise_id.startswith(number + "."), f"{exercise_id} is linked to notebook {number}"
    known = set(exercises.registered())
    for p in kit.course_notebooks():
        known |= set(kit.exercise_ids(p))
    stale = sorted(set(listed) - known)
    assert not stale, f"INSTRUCTORS.md lists exercises no notebook or check has: {stale}"
    for p in kit.course_notebooks():
        in_guide = [i for i in listed if i.startswith(p.stem[:2] + ".")]
        assert sorted(in_guide) == sorted(kit.exercise_ids(p)), p.stem


def test_guide_points_instructors_to_the_folded_solutions():
    text = guide()
    assert "**Solution**" in text and "tests/course/test_notebooks.py" in text


# --- the sections an instructor needs --------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Setup options",
        "Binder: nothing to install",
        "Local: two commands",
        "conda",
        "Before the workshop: checklist",
        "Resetting a notebook to its clean state",
        "The misconceptions the course targets",
    ],
)
def test_guide_has_section(heading):
    assert re.search(rf"^#+\s+{re.escape(heading)}\s*$", guide(), re.M), heading


def test_each_setup_option_says_what_to_do_when_it_fails():
    setup = re.search(r"^## Setup options$(.*?)^## ", guide(), re.M | re.S).group(1)
    options = re.split(r"^### ", setup, flags=re.M)[1:]
    assert len(options) == 3
    for option in options:
        assert "When it fails" in option, option.splitlines()[0]


def test_local_setup_is_the_readme_two_commands():
    text, readme, tasks = guide(), kit.README.read_text(), (kit.ROOT / "tasks.py").read_text()
    for command in ("lab", "test"):
        assert f"python3 tasks.py {command}" in text
        assert f"python3 tasks.py {command}" in readme
        assert re.search(rf"^def {command}\(", tasks, re.M), f"tasks.py has no '{command}' command"


def test_conda_setup_matches_binder():
    text = guide()
    assert "conda env create -f environment.yml" in text
    postbuild = (kit.ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in text and "pip install --no-deps -e ." in postbuild


def test_checklist_covers_binder_limits_and_a_fallback():
    checklist = re.search(
        r"^## Before the workshop: checklist$(.*?)^## ", guide(), re.M | re.S
    ).group(1)
    assert "100 concurrent" in checklist
    assert "mybinder.org-deploy/issues/new" in checklist, "how to ask for more"
    assert re.search(r"build the binder image ahead", checklist, re.I)
    assert "fallback" in checklist and "python3 tasks.py lab" in checklist


@pytest.mark.parametrize(
    "needle",
    ["MACs vs FLOPs", "Backward = forward", "Forgetting additions and activations", "Scale"],
)
def test_misconception_is_mapped_to_notebooks(needle):
    rows = kit.table_rows(guide(), "The misconceptions the course targets")
    row = next((r for r in rows if needle.lower() in r[0].lower()), None)
    assert row, f"no row for {needle!r}"
    assert kit.NOTEBOOK_LINK.search(row[2]), f"{needle}: link the notebooks that address it"


def test_reset_instructions_cover_binder_and_local():
    text = re.search(r"^### Resetting a notebook.*?$(.*?)^## ", guide(), re.M | re.S).group(1)
    assert "Restart Kernel and Clear Outputs" in text
    assert "Revert Notebook to Checkpoint" in text
    assert "launch link again" in text and "git restore" in text


def test_readme_records_peak_notebook_memory_under_binders_limit():
    part = kit.section(kit.README.read_text(), "instructors")
    m = re.search(r"\*\*max (\d+) MiB\*\*", part)
    assert m, (
        "record the measured peak memory as '**max N MiB**' in the README's instructor section"
    )
    assert int(m.group(1)) < 1024


def test_guide_has_each_notebooks_one_core_run_time_and_memory():
    part = guide().split("<!-- walltime:start -->")[1].split("<!-- walltime:end -->")[0]
    rows = {
        line.split("|")[1].strip(): line
        for line in part.splitlines()
        if line.startswith("| 0") or line.startswith("| 1")
    }
    assert sorted(rows) == [p.stem for p in kit.course_notebooks()], sorted(rows)
    for line in rows.values():
        seconds, mib = [c.strip() for c in line.split("|")[2:4]]
        assert seconds.isdigit() and mib.isdigit() and int(mib) < 1024, line
