"""The prose checker itself (tools/prose_check.py), on small synthetic notebooks: each rule
catches the defect it is for and lets a good cell pass."""

import json
from pathlib import Path

import prose_check as pc
import pytest

HEADER = (
    "# 05 · The backward pass\n\n"
    "**Teaching:** 20 min · **Exercises:** 15 min · "
    "**Prerequisites:** [04 · Activation functions](04-activation-functions.ipynb)\n\n"
    f"{pc.WORDS_LINE}\n\n"
    "## Questions\n- Why?\n"
)


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, printed=""):
    outputs = [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": outputs}


def notebook(*cells, header=HEADER):
    return {"cells": [md(header), *cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def numbers(*cells, name=""):
    return [v.message.split()[0] for v in pc.unprinted_numbers(notebook(*cells), name)]


# ---------------------------------------------------------------- cell-length


def test_a_code_cell_of_fifteen_lines_passes_and_one_of_sixteen_is_reported():
    ok = code("\n".join(f"x{i} = {i}" for i in range(15)))
    long = code("\n".join(f"x{i} = {i}" for i in range(15)) + "\n\n")  # a blank line counts
    long["source"] += "y = 1"
    assert pc.long_cells(notebook(ok)) == []
    (v,) = pc.long_cells(notebook(ok, long))
    assert (v.rule, v.cell) == ("cell-length", 2)
    assert "17 lines" in v.message


def test_long_markdown_cells_are_not_code_cells():
    assert pc.long_cells(notebook(md("line\n" * 40))) == []


# ---------------------------------------------------------------- markers


@pytest.mark.parametrize(
    "marker", ["# NBVAL_IGNORE_OUTPUT", "#NBVAL_SKIP", "# fmt: off", "#fmt: skip"]
)
def test_nbval_comments_and_formatter_markers_in_code_are_reported(marker):
    (v,) = pc.markers(notebook(code(f"{marker}\nx = 1")))
    assert v.rule == "markers"


def test_a_cell_tagged_for_nbval_without_comments_passes():
    cell = code("widget = make()")
    cell["metadata"]["tags"] = ["nbval-ignore-output"]
    assert pc.markers(notebook(cell, md("We skip the # NBVAL_ comments."))) == []


# ---------------------------------------------------------------- glossary-link


def test_a_header_with_the_words_line_after_prerequisites_passes():
    assert pc.missing_glossary_link(notebook()) == []


def test_a_header_without_the_words_line_is_reported():
    header = HEADER.replace(pc.WORDS_LINE + "\n\n", "")
    (v,) = pc.missing_glossary_link(notebook(header=header))
    assert v.rule == "glossary-link" and "## Questions" in v.message


def test_the_words_line_elsewhere_in_the_header_is_reported():
    header = HEADER.replace(pc.WORDS_LINE + "\n\n", "") + "\n" + pc.WORDS_LINE + "\n"
    assert [v.rule for v in pc.missing_glossary_link(notebook(header=header))] == ["glossary-link"]


def test_the_words_line_may_follow_a_prerequisites_paragraph_of_several_lines():
    header = HEADER.replace(" · **Prerequisites:**", " · **Prerequisites:** one,\nand two")
    header = header.replace("\n\n" + pc.WORDS_LINE, "\n" + pc.WORDS_LINE)
    assert pc.missing_glossary_link(notebook(header=header)) == []


def test_a_header_without_prerequisites_is_reported():
    (v,) = pc.missing_glossary_link(notebook(header="# 05 · Title\n\n" + pc.WORDS_LINE))
    assert "Prerequisites" in v.message


# ---------------------------------------------------------------- numbers


def test_a_count_printed_by_a_cell_of_its_section_passes():
    assert numbers(md("## Count\nThe layer makes 900 multiplications."), code("x", "900")) == []


def test_swapping_900_for_960_is_caught():
    assert numbers(md("## Count\nThe layer makes 960 multiplications."), code("x", "900")) == [
        "960"
    ]


def test_a_number_is_found_only_as_a_whole_token():
    cells = (md("## Count\n30 additions, 800 of them, 3.6 each"), code("x", "300 1,800 3.63"))
    assert numbers(*cells) == ["30", "800", "3.6"]


def test_two_digit_counts_are_checked_and_single_digits_are_not():
    assert numbers(md("## Count\n30 additions and 2 layers"), code("x", "29")) == ["30"]


def test_numbers_compare_without_thousands_commas_and_trailing_zeros():
    cells = (md("## Count\n1,800 and 1800 and 0.0910 and 4.0"), code("n = 1_800", "0.091 4"))
    assert numbers(*cells) == []


def test_a_number_in_a_cells_source_counts_as_written_by_it():
    assert numbers(md("## Sizes\nA layer of 30 neurons."), code("net = MLP([30, 30])")) == []


def test_a_number_printed_in_another_section_is_not_beside_the_prose():
    cells = (md("## One\nIt makes 900."), code("x", "1"), md("## Two\nnothing"), code("y", "900"))
    assert numbers(*cells) == ["900"]


def test_a_heading_cell_belongs_to_the_section_it_opens():
    cells = (md("## 900 multiplications\nIndeed."), code("x", "900"), md("## Next"))
    assert numbers(*cells) == []


def test_a_markdown_cell_without_heading_stays_in_the_section_above():
    cells = (md("## One"), code("x", "900"), md("So 900 it is."))
    assert numbers(*cells) == []


def test_the_header_and_key_points_are_checked_against_the_whole_notebook():
    header = HEADER + "- Is it 900 or 960?\n"
    cells = (md("## Count"), code("x", "900"), md("## Key points\n- 900, not 1,800."))
    nb = notebook(*cells, header=header)
    assert [v.message.split()[0] for v in pc.unprinted_numbers(nb)] == ["960", "1,800"]


def test_the_title_minutes_notebook_numbers_and_links_are_not_counts():
    cells = (
        md(
            "## Next\nNotebooks 10 to 13 and 05 come later ([10 · Memory](10-memory.ipynb),"
            " 06 §4); see https://example.org/page/2048 and [the map](00-start-here.ipynb#44)."
        ),
        md("| 12 | [Title](12-x.ipynb) | 25 min | 15 min |\n| 13 | [Title](14-x.ipynb) |"),
    )
    assert numbers(*cells) == ["13"]  # a row names the notebook it links, not another


def test_exercise_ids_are_not_counts():
    cells = (
        md("**Exercise 03.2** · Predict it. Exercises 03.1 and 05.1 help."),
        code('check("03.7", answer)'),
        md("Compare 03.7 with the rest."),
    )
    assert numbers(*cells) == []


def test_a_sentence_that_cites_a_source_with_a_year_may_state_published_figures():
    cells = (
        md(
            "GPT-3 has 96 layers of width 12,288 (Brown et al. 2020, Table 2.1). "
            "A V100 peaks at 125 TFLOP/s per the [datasheet](https://example.com/v100). "
            "But this network has 96 layers."
        ),
    )
    assert numbers(*cells) == ["125", "96"]  # a link alone is not a citation


def test_fenced_code_in_markdown_is_code_not_prose():
    solution = (
        "**Exercise 02.1** · A layer of 50 neurons reads 28 × 28 pixels.\n\n"
        "<details><summary>Solution</summary>\n\n```python\nanswer = 28 * 28 * 50\n"
        'check("02.1", answer)\n```\n</details>'
    )
    assert numbers(md(solution)) == []


def test_a_comment_in_a_solutions_code_opens_no_section():
    solution = "<details><summary>Solution</summary>\n\n```python\n# 28 pixels a side\nanswer = 28\n```\n</details>"
    cells = (
        md("## Ex\n**Exercise 02.1** · An image of 28 × 28 pixels."),
        code("answer = ..."),
        md(solution),
    )
    assert [len(g) for g in pc.sections(notebook(*cells))] == [1, 3]
    assert numbers(*cells) == []


def test_the_allowlist_exempts_a_number_only_in_its_notebook(monkeypatch):
    monkeypatch.setitem(pc.ALLOWED, "99-demo", {"3.10": "a Python version"})
    cells = (md("## Run\nPython 3.10 or newer"),)
    assert numbers(*cells, name="99-demo") == []
    assert numbers(*cells, name="98-other") == ["3.10"]


def test_a_number_inside_an_identifier_is_not_a_count():
    assert numbers(md("## Types\nfloat64, bf16, layer2 and W_30")) == []


def test_every_allowlist_entry_gives_a_reason():
    for name, entries in pc.ALLOWED.items():
        for number, reason in entries.items():
            assert len(reason.split()) >= 3, f"{name}: {number} needs a reason"


# ---------------------------------------------------------------- the whole file and the CLI


def test_check_notebook_and_the_command_line_report_each_rule(tmp_path, capsys):
    nb = notebook(
        md("## Count\nIt makes 960."),
        code("# NBVAL_IGNORE_OUTPUT\n" + "x = 1\n" * 15, "900"),
        header=HEADER.replace(pc.WORDS_LINE, ""),
    )
    path = tmp_path / "05-demo.ipynb"
    path.write_text(json.dumps(nb))
    rules = sorted(v.rule for v in pc.check_notebook(path))
    assert rules == sorted(pc.RULES)
    assert pc.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "cell-length 1, numbers 1, glossary-link 1, markers 1" in out


def test_the_command_line_passes_a_clean_notebook_and_names_a_missing_one(tmp_path, capsys):
    path = tmp_path / "05-demo.ipynb"
    path.write_text(json.dumps(notebook(md("## Count\nIt makes 900."), code("x", "900"))))
    assert pc.main([str(path)]) == 0
    assert "clean" in capsys.readouterr().out
    assert pc.main([str(tmp_path / "nope.ipynb")]) == 1
    assert "no such notebook" in capsys.readouterr().out


def test_tasks_lint_notebooks_checks_every_notebook_or_the_ones_named(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "tasks", Path(pc.__file__).parents[1] / "tasks.py"
    )
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    calls = []
    monkeypatch.setattr(tasks, "run", lambda *cmd, **kw: calls.append(cmd) or 0)
    monkeypatch.setattr(tasks, "setup", lambda: pytest.fail("needs no .venv"))
    assert tasks.main(["lint-notebooks", "notebooks/06-the-backward-pass.ipynb"]) == 0
    assert tasks.main(["lint-notebooks"]) == 0
    named, every = calls
    assert str(named[1]).endswith("prose_check.py")
    assert [str(p) for p in named[2:]] == ["notebooks/06-the-backward-pass.ipynb"]
    assert len(every[2:]) >= 14 and all(str(p).endswith(".ipynb") for p in every[2:])
