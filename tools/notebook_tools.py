"""Developer tools for the course notebooks: execute in place, list, read headers.

``python tools/notebook_tools.py execute notebooks/01-one-neuron.ipynb`` runs a notebook
from a fresh kernel (working directory ``notebooks/``) and saves its outputs, so that
what a reader sees on GitHub is what the code produces (strict nbval checks it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADER_MINUTES = re.compile(
    r"\*\*Teaching:\*\*\s*(\d+)\s*min.*?\*\*Exercises:\*\*\s*(\d+)\s*min", re.S
)


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


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "execute":
        for p in argv[1:]:
            execute(p)
        return 0
    print("usage: python tools/notebook_tools.py execute NOTEBOOK.ipynb ...")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
