"""Check the course notebooks' prose and cells against the course rules (issue 13).

``python tools/prose_check.py notebooks/06-the-backward-pass.ipynb`` (or
``python3 tasks.py lint-notebooks [NAME ...]``) prints every violation, notebook by
notebook, and exits 1 if there is any. The rules, each a function of a loaded notebook:

``cell-length``
    A code cell has at most ``MAX_CODE_LINES`` (15) source lines, blank lines included.

``numbers``
    Every number in a markdown cell is printed or written by a code cell beside it. A
    *number* is a token of two or more digits (``30``, ``1,234``, ``1234``, ``0.091``,
    ``3.63``); a single digit (``2``, ``0.5`` has two) is never checked. It must occur,
    as a whole token, in the source or the text output (stream, ``text/plain``,
    ``text/markdown``, ``text/html``, ``text/latex``) of a code cell in the same
    *section*: the cells from one markdown cell with a heading (a line starting with
    ``#``) up to the next; the heading cell belongs to the section it opens. Tokens are
    compared normalized: thousands commas and Python's ``_`` removed, trailing zeros of a
    decimal dropped (``1,234`` == ``1234`` == ``1_234``; ``0.0910`` == ``0.091``;
    ``2.0`` == ``2``). Nothing else is rounded: ``960`` is not found where only ``900``
    (or ``9600``) is printed, and ``3.6`` is not found where ``3.63`` is.

    Summaries look wider: the header cell (the first markdown cell: Questions and
    Objectives) and a section headed "Key points" announce or sum up the whole notebook,
    so their numbers are looked up in every code cell of the notebook.

    Fenced code blocks in markdown (a folded solution's ```` ```python ```` block, which
    the tests run) are code, not prose: their numbers are not checked, and they count as
    code of their section.

    Not checked (removed from the prose first), each a rule of ``_exempt``:

    - the title line (``# 06 · The backward pass``) and HTML comments;
    - link targets and URLs (``[...](06-the-backward-pass.ipynb)``, ``https://...``) and
      HTML tags (their text is kept);
    - planned minutes: a number followed by ``min`` (the header's and the course map's);
    - notebook numbers: a two-digit token with a leading zero (``00``-``09``: a
      count is never written so), and ``10``-``99`` where written as a reference:
      after "notebook(s)" (lists included: "notebooks 10 to 13", "10, 11 and 12"),
      before `` ·`` (a link text "[10 · Memory ...]") or ``§``, or on a line (a table
      row) that links that notebook, "| 10 | [Memory ...](10-memory-....ipynb) |";
    - exercise ids: ``NN.k`` (``03.2``, ``05.1``) after "Exercise(s)", or used in a
      ``check("NN.k", ...)`` call of any notebook in the same folder;
    - published figures with their source: every number in a sentence that names its
      source in parentheses with a year, "(Brown et al. 2020, Table D.1)" (a link alone
      is not a citation: add the year);
    - the explicit, reviewed exceptions of ``ALLOWED``: notebook stem -> {number: reason}.

``glossary-link``
    The header cell (the first markdown cell) has the line ``WORDS_LINE`` right after its
    ``**Prerequisites:**`` paragraph (that line and its continuation lines), with or
    without a blank line between.

``markers``
    No ``# NBVAL_...`` comments (use the cell tag ``nbval-ignore-output``) and no
    formatter markers (``# fmt: off``) in code cells: a learner reads the code.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_CODE_LINES = 15
WORDS_LINE = "**Words:** [the course glossary](GLOSSARY.md)"

#: Reviewed exceptions to the ``numbers`` rule: notebook stem -> {number as written: why}.
#: Every entry needs a reason a reviewer can check; prefer printing the number instead.
ALLOWED: dict[str, dict[str, str]] = {
    "00-start-here": {"3.10": "the oldest Python the course runs on (pyproject.toml), not a count"},
}

RULES = ("cell-length", "numbers", "glossary-link", "markers")

#: a number token: 1,234 / 1234 / 0.091 / 3.63 (not inside an identifier like float64)
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])")
#: a number token in code: also 1_000 (and the same token rules)
CODE_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:_\d+)*(?:\.\d+)?)(?![\d_])"
)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s", re.M)
FENCE = re.compile(r"```.*?```", re.S)
CHECK_ID = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")
MARKER = re.compile(r"#\s*NBVAL_\w*|#\s*fmt:\s*\w+", re.I)
NOTEBOOK_LIST = re.compile(r"\b[Nn]otebooks?\s+\d\d(?:\s*(?:,|and|or|to|through|–|-|&)\s*\d\d)*")
EXERCISE_LIST = re.compile(r"\b[Ee]xercises?\s+\d\d\.\d+(?:\s*(?:,|and|or|to|–|-|&)\s*\d\d\.\d+)*")
CITATION = re.compile(r"\([^()]*\b(?:19|20)\d\d\b[^()]*\)")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*_\[])|\n\s*\n|\n\s*(?:[-*+]|\d+\.)\s+|\n\s*\|")


@dataclass(frozen=True)
class Violation:
    rule: str
    cell: int
    message: str

    def __str__(self) -> str:
        return f"cell {self.cell}: [{self.rule}] {self.message}"


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def output_text(cell: dict) -> str:
    """A code cell's text outputs: streams and the text-like mime types."""
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append("".join(out["text"]))
        for mime in ("text/plain", "text/markdown", "text/html", "text/latex"):
            data = out.get("data", {}).get(mime)
            if data:
                parts.append("".join(data))
    return "\n".join(parts)


def normalize(token: str) -> str:
    """``1,234`` / ``1_234`` -> ``1234``; ``0.0910`` -> ``0.091``; ``2.0`` -> ``2``."""
    plain = token.replace(",", "").replace("_", "")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain


def digits(token: str) -> int:
    return sum(ch.isdigit() for ch in token)


def code_numbers(text: str) -> set[str]:
    return {normalize(m.group(1)) for m in CODE_NUMBER.finditer(text)}


# ---------------------------------------------------------------- rules: code cells


def long_cells(nb: dict, limit: int = MAX_CODE_LINES) -> list[Violation]:
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            n = len(source(cell).splitlines())
            if n > limit:
                found.append(
                    Violation("cell-length", i, f"code cell has {n} lines (at most {limit})")
                )
    return found


def markers(nb: dict) -> list[Violation]:
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            for m in MARKER.finditer(source(cell)):
                found.append(
                    Violation(
                        "markers",
                        i,
                        f"{m.group(0)!r} in a code cell (use the cell tag nbval-ignore-output; "
                        "no formatter markers)",
                    )
                )
    return found


# ---------------------------------------------------------------- rule: the header


def header_index(nb: dict) -> int | None:
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            return i
    return None


def missing_glossary_link(nb: dict) -> list[Violation]:
    i = header_index(nb)
    if i is None:
        return [Violation("glossary-link", 0, "the notebook has no markdown header cell")]
    lines = [line.strip() for line in source(nb["cells"][i]).splitlines()]
    for k, line in enumerate(lines):
        if "**Prerequisites:**" in line:
            rest = lines[k + 1 :]
            end = next((j for j, x in enumerate(rest) if not x or x == WORDS_LINE), len(rest))
            after = next((x for x in rest[end:] if x), None)
            shown = after if after is None or len(after) <= 60 else after[:57] + "..."
            if after == WORDS_LINE:
                return []
            return [
                Violation(
                    "glossary-link",
                    i,
                    f"the line after **Prerequisites:** is {shown!r}, expected {WORDS_LINE!r}",
                )
            ]
    return [Violation("glossary-link", i, "the header has no **Prerequisites:** line")]


# ---------------------------------------------------------------- rule: numbers


def sections(nb: dict) -> list[list[int]]:
    """Cell indices grouped by section: a markdown cell with a heading opens one."""
    groups: list[list[int]] = [[]]
    for i, cell in enumerate(nb["cells"]):
        heading = HEADING.search(FENCE.sub("", source(cell)))  # not a comment in a solution
        if cell["cell_type"] == "markdown" and heading and groups[-1]:
            groups.append([])
        groups[-1].append(i)
    return [g for g in groups if g]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _exempt(markdown: str, exercise_ids: set[str]) -> str:
    """The prose with every exempt span blanked out (same length, so spans stay put)."""
    text = FENCE.sub(lambda m: " " * len(m.group(0)), markdown)
    text = re.sub(r"<!--.*?-->", lambda m: " " * len(m.group(0)), text, flags=re.S)
    # published figures: whole sentences that cite a source (before links are cut)
    cuts = list(SENTENCE.finditer(text))
    starts = [0] + [m.end() for m in cuts]
    ends = [m.start() for m in cuts] + [len(text)]
    for start, end in zip(starts, ends):
        if CITATION.search(text[start:end]):
            text = _blank(text, start, end)
    text = re.sub(r"^\s{0,3}# .*$", lambda m: " " * len(m.group(0)), text, count=1, flags=re.M)
    for pattern in (NOTEBOOK_LIST, EXERCISE_LIST):  # before a list loses one of its numbers
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    text = "".join(_linked_notebook_numbers(line) for line in text.splitlines(keepends=True))
    for pattern in (
        r"\]\([^)]*\)",  # link targets
        r"https?://\S+",
        r"<[^>]+>",  # HTML tags (their text stays)
        r"\b\d+\s*min\b",  # planned minutes
        r"(?<![\w.,])0\d(?!\d|\.\d)",  # notebook numbers 00-09
        r"(?<![\w.,])\d\d(?=\s*[·§])",  # "[10 · Memory ...]", "06 §4"
    ):
        text = re.sub(pattern, lambda m: " " * len(m.group(0)), text)
    for ex in exercise_ids:
        text = re.sub(rf"(?<![\w.,]){re.escape(ex)}(?![\d])", " " * len(ex), text)
    return text


def _linked_notebook_numbers(line: str) -> str:
    """The line with the numbers of the notebooks it links blanked ("| 10 | [..](10-x.ipynb)")."""
    for nb in set(re.findall(r"\]\((?:\./)?(\d\d[a-z]?)-[\w-]+\.ipynb", line)):
        line = re.sub(rf"(?<![\w.,]){nb}(?![\w]|\.\d)", " " * len(nb), line)
    return line


def prose_numbers(markdown: str, exercise_ids: set[str] = frozenset()) -> list[str]:
    """The numbers of two or more digits a markdown cell states, as written."""
    text = _exempt(markdown, set(exercise_ids))
    return [m.group(1) for m in NUMBER.finditer(text) if digits(m.group(1)) >= 2]


def _code_text(cell: dict) -> str:
    if cell["cell_type"] == "code":
        return source(cell) + "\n" + output_text(cell)
    if cell["cell_type"] == "markdown":  # fenced code blocks (folded solutions)
        return "\n".join(m.group(0) for m in FENCE.finditer(source(cell)))
    return ""


def exercise_ids_near(path: Path | None) -> set[str]:
    """Exercise ids used in ``check("NN.k", ...)`` calls of the notebooks beside ``path``."""
    if path is None:
        return set()
    ids = set()
    for other in Path(path).parent.glob("*.ipynb"):
        try:
            cells = json.loads(other.read_text())["cells"]
        except (OSError, ValueError, KeyError):
            continue
        for cell in cells:
            ids.update(CHECK_ID.findall(source(cell)))  # code cells and solutions
    return ids


def unprinted_numbers(
    nb: dict, name: str = "", exercise_ids: set[str] | None = None
) -> list[Violation]:
    """Numbers in markdown that no code cell of the same section writes or prints."""
    cells = nb["cells"]
    if exercise_ids is None:
        exercise_ids = set()
        for cell in cells:
            exercise_ids.update(CHECK_ID.findall(source(cell)))
    allowed = {normalize(k) for k in ALLOWED.get(name, {})}
    everywhere = code_numbers("\n".join(_code_text(c) for c in cells))
    header = header_index(nb)
    found = []
    for group in sections(nb):
        first = source(cells[group[0]])
        summary = cells[group[0]]["cell_type"] == "markdown" and re.search(
            r"^\s{0,3}#{1,6}\s+key points\b", first, re.M | re.I
        )
        local = code_numbers("\n".join(_code_text(cells[i]) for i in group))
        for i in group:
            if cells[i]["cell_type"] != "markdown":
                continue
            pool = everywhere if (summary or i == header) else local
            seen = set()
            for token in prose_numbers(source(cells[i]), exercise_ids):
                key = normalize(token)
                if key not in pool and key not in allowed and key not in seen:
                    seen.add(key)
                    where = "notebook" if pool is everywhere else "section"
                    found.append(
                        Violation(
                            "numbers",
                            i,
                            f"{token} is in the markdown but no code cell of its {where} "
                            "writes or prints it",
                        )
                    )
    return found


# ---------------------------------------------------------------- all rules


def check_notebook(path: str | Path, rules=RULES) -> list[Violation]:
    """Every violation of ``rules`` in the notebook at ``path``, in cell order."""
    path = Path(path)
    nb = json.loads(path.read_text())
    found: list[Violation] = []
    if "cell-length" in rules:
        found += long_cells(nb)
    if "numbers" in rules:
        found += unprinted_numbers(nb, path.stem, exercise_ids_near(path))
    if "glossary-link" in rules:
        found += missing_glossary_link(nb)
    if "markers" in rules:
        found += markers(nb)
    return sorted(found, key=lambda v: (v.cell, RULES.index(v.rule)))


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: prose_check.py NOTEBOOK.ipynb [...]\n\n" + (__doc__ or ""))
        return 0 if argv else 2
    total = 0
    for name in argv:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: no such notebook (expected a path to an .ipynb file)")
            total += 1
            continue
        found = check_notebook(path)
        total += len(found)
        counts = {rule: sum(v.rule == rule for v in found) for rule in RULES}
        summary = ", ".join(f"{rule} {n}" for rule, n in counts.items() if n) or "clean"
        print(f"{path}: {summary}")
        for v in found:
            print(f"  {v}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
