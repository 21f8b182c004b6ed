"""Developer tools for the course notebooks: execute in place, list, read headers.

``python tools/notebook_tools.py execute notebooks/01-one-neuron.ipynb`` runs a notebook
from a fresh kernel (working directory ``notebooks/``) and saves its outputs, so that
what a reader sees on GitHub is what the code produces (strict nbval checks it).

``python tools/notebook_tools.py map`` (``python3 tasks.py map``) writes the README's
notebook map and INSTRUCTORS.md's minutes table from the notebooks' headers, between
their ``<!-- NAME:start -->`` / ``<!-- NAME:end -->`` markers: the minutes, titles and
launch links are typed once, in each notebook's first cell.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADER_MINUTES = re.compile(
    r"\*\*Teaching:\*\*\s*(\d+)\s*min.*?\*\*Exercises:\*\*\s*(\d+)\s*min", re.S
)
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
GUIDE = NOTEBOOKS / "INSTRUCTORS.md"


def execute(path: str | Path, timeout: int = 600) -> None:
    """Run every cell of the notebook at ``path`` in a fresh kernel and save it."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps would churn every diff
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nbformat.write(nb, path)
    print(f"executed {path.name}")


def minutes(path: str | Path) -> tuple[int, int]:
    """(teaching, exercise) minutes stated in a notebook's first cell."""
    import json

    cells = json.loads(Path(path).read_text())["cells"]
    text = "".join(cells[0]["source"]) if cells else ""
    m = HEADER_MINUTES.search(text)
    if not m:
        raise ValueError(f"{Path(path).name}: no '**Teaching:** N min ... **Exercises:** N min'")
    return int(m.group(1)), int(m.group(2))


def header(path: str | Path) -> dict:
    """A notebook's header: ``number``, ``title``, ``teaching``, ``exercises`` (minutes),
    ``binder`` and ``colab`` (its launch links; ``colab`` is None until
    ``tools/launch.py ensure`` adds it) and ``question`` (the first of its Questions)."""
    import json

    path = Path(path)
    text = "".join(json.loads(path.read_text())["cells"][0]["source"])
    title = re.search(r"^#\s+(\d\d)\s*·\s*(.+?)\s*$", text, re.M)
    binder = re.search(r"\((https://mybinder\.org/v2/[^)\s]+)\)", text)
    colab = re.search(r"\((https://colab\.research\.google\.com/github/[^)\s]+)\)", text)
    question = re.search(r"^## Questions\s*\n-\s*(.+)$", text, re.M)
    if not (title and binder):
        raise ValueError(f"{path.name}: the first cell needs '# NN · Title' and a Binder badge")
    teaching, exercises = minutes(path)
    return {
        "number": title.group(1),
        "title": title.group(2),
        "teaching": teaching,
        "exercises": exercises,
        "binder": binder.group(1),
        "colab": colab.group(1) if colab else None,
        "question": question.group(1).strip() if question else "",
    }


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every numbered notebook, in order: ``NN-name.ipynb``."""
    return sorted(folder.glob("[0-9][0-9]-*.ipynb"))


def readme_map(paths: list[Path]) -> str:
    """The README's notebook map: title, minutes and launch link of each notebook."""
    lines = [
        "## The notebooks",
        "",
        "| # | notebook | teaching | exercises | launch |",
        "|---|---|---|---|---|",
    ]
    for path in paths:
        h = header(path)
        lines.append(
            f"| {h['number']} | [{h['title']}](notebooks/{path.name}) | {h['teaching']} min | "
            f"{h['exercises']} min | [Binder]({h['binder']})"
            + (f" · [Colab]({h['colab']})" if h["colab"] else "")
            + " |"
        )
    return "\n".join(lines)


_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
)


def _span(minutes_: int) -> str:
    hours, rest = divmod(minutes_, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    parts += [f"{rest} minute{'s' if rest != 1 else ''}"] if rest or not hours else []
    return " ".join(parts)


def guide_minutes(paths: list[Path], ideas: dict[str, str]) -> str:
    """INSTRUCTORS.md's minutes table and its total. ``ideas`` (stem -> "the idea") is the
    one column typed in the guide; a new notebook starts with its first question."""
    lines = [
        "| notebook | teaching | exercises | total | the idea |",
        "|---|---|---|---|---|",
    ]
    teaching = exercises = 0
    for path in paths:
        h = header(path)
        idea = ideas.get(path.stem) or h["question"]
        lines.append(
            f"| [{h['number']} · {h['title']}]({path.name}) | {h['teaching']} | "
            f"{h['exercises']} | {h['teaching'] + h['exercises']} | {idea} |"
        )
        teaching, exercises = teaching + h["teaching"], exercises + h["exercises"]
    n = len(paths)
    all_n = f"all {_WORDS[n] if n < len(_WORDS) else n}"
    lines.append(
        f"| **{all_n}** | **{teaching}** | **{exercises}** | **{teaching + exercises}** | |"
    )
    lines += ["", f"{all_n.capitalize()} take {_span(teaching + exercises)} before breaks."]
    return "\n".join(lines)


def guide_ideas(text: str) -> dict[str, str]:
    """stem -> "the idea", read from the guide's minutes table as it stands."""
    rows = re.findall(
        r"^\|\s*\[[^\]]*\]\((\d\d-[^)]+)\.ipynb\)\s*\|.*\|\s*([^|]*?)\s*\|\s*$", text, re.M
    )
    return dict(rows)


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with what stands between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``
    replaced by ``body``."""
    pattern = re.compile(rf"(<!--\s*{name}:start\s*-->\n).*?(\n<!--\s*{name}:end\s*-->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"no <!-- {name}:start --> ... <!-- {name}:end --> markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text, count=1)


def generated(root: Path = ROOT) -> dict[Path, str]:
    """The README and the guide as the notebooks' headers say they should read."""
    readme, guide = root / "README.md", root / "notebooks" / "INSTRUCTORS.md"
    paths = course_notebooks(root / "notebooks")
    guide_text = guide.read_text()
    minutes_section = re.search(r"<!--\s*minutes:start\s*-->(.*?)<!--", guide_text, re.S)
    ideas = guide_ideas(minutes_section.group(1) if minutes_section else "")
    return {
        readme: replace_section(readme.read_text(), "notebook-map", readme_map(paths)),
        guide: replace_section(guide_text, "minutes", guide_minutes(paths, ideas)),
    }


def write_map(root: Path = ROOT) -> list[Path]:
    """Rewrite the generated sections; return the files that changed."""
    changed = []
    for path, text in generated(root).items():
        if path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "execute":
        for p in argv[1:]:
            execute(p)
        return 0
    if argv == ["map"]:
        changed = write_map()
        print("rewrote " + ", ".join(p.name for p in changed) if changed else "up to date")
        return 0
    print("usage: python tools/notebook_tools.py execute NOTEBOOK.ipynb ... | map")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
