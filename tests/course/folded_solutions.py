"""The folded solutions of a notebook's markdown: the code a learner unfolds under
``<details><summary>Solution`` (see notebooks/AUTHORING.md), which the tests run."""

from __future__ import annotations

import re

SOLUTION = re.compile(
    r"<details>\s*<summary>\s*Solution.*?```python\n(.*?)```.*?</details>", re.S | re.I
)


def folded_solutions(markdown_cells: list[str]) -> list[str]:
    """The code of every folded solution in these markdown cells' sources, in order."""
    return [code for text in markdown_cells for code in SOLUTION.findall(text)]
