"""notebooks/GLOSSARY.md: terms in order with working anchors, links to notebooks that exist,
and the scope names as the engine really produces them in a training step."""

import json
import re
from pathlib import Path

import numpy as np
import prose_check as pc

import mlpops

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
GLOSSARY = NOTEBOOKS_DIR / "GLOSSARY.md"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


TEXT = GLOSSARY.read_text()
TERMS = re.findall(r"^### (.+)$", TEXT, re.M)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def section(title):
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert match, f"GLOSSARY.md has no '## {title}' section"
    return match.group(1)


def glossary_scope_names():
    names = set()
    for item in re.findall(r"^- (.*?):", section("Scope names"), re.M):
        names.update(re.findall(r"`([^`]+)`", item))
    return names


def engine_scope_names():
    """Every scope name (path part) of training steps of mlpops.MLP, counted live."""
    rng = np.random.default_rng(0)
    names = set()
    configs = [
        {},
        {"activation": "relu", "engine": "scalar"},
        {"activation": "tanh", "output_activation": "softmax", "loss": "cross-entropy"},
    ]
    for config in configs:
        net = mlpops.MLP([3, 4, 5, 2], seed=0, **config)
        x = rng.random((2, 3))
        target = mlpops.one_hot(np.array([0, 1]), 2) if "loss" in config else rng.random((2, 2))
        with mlpops.count() as ops:
            net.train_step(x, target, lr=0.1, input_grad=True)
        for path in ops.by_scope():
            names.update(re.sub(r"^layer\d+$", "layerN", part) for part in path.split("/"))
    names.discard("")
    return names


def test_the_glossary_defines_every_word_the_course_asked_for():
    asked = """FLOP MAC FMA BLAS SIMD cache bandwidth bf16 float32 float64 epoch batch example
    parameter weight bias activation derivative gradient loss operation scope peak rate
    convolution attention transformer update roofline softmax inference GEMV GEMM STREAM
    token d_model head LayerNorm GELU residual embedding MFU 6ND stride padding pooling
    autograd write-allocate kernel""".split()
    asked += ["chain rule", "forward pass", "backward pass", "training step", "learning rate"]
    asked += ["arithmetic intensity", "memory traffic", "fixed cost per call", "ridge point"]
    asked += ["causal mask", "tensor core", "feature map", "outer product"]
    missing = sorted(set(asked) - set(TERMS))
    assert not missing, f"GLOSSARY.md has no entry for {missing}"


def test_the_terms_are_in_alphabetical_order():
    assert TERMS == sorted(TERMS, key=str.casefold)
    assert len(TERMS) == len({t.casefold() for t in TERMS}), "a term appears twice"


def test_every_term_says_where_the_course_first_teaches_it():
    entries = re.split(r"^### ", section("Terms"), flags=re.M)[1:]
    taught = re.compile(r"First taught in \[[^]]+\]\([^)]+\.ipynb\)\.")
    untaught = [e.splitlines()[0] for e in entries if not taught.search(e)]
    assert not untaught, f"no 'First taught in [notebook](...)' for {untaught}"


def entries():
    """{term: its entry's text}, from the Terms section."""
    parts = re.split(r"^### (.+)\n", section("Terms"), flags=re.M)[1:]
    return dict(zip(parts[::2], parts[1::2]))


def names_of(term, entry):
    """The term and the other spellings its entry gives on an 'Also written:' or 'Also called:'
    line (the notebook may spell it either way: bf16 is bfloat16 in 12). A notebook has the term
    if it writes it as a whole word, or its plural ('MAC' is in 'MACs', not in 'machine')."""
    names = [term]
    for line in re.findall(r"^Also (?:written|called): (.+)\.$", entry, re.M):
        names += [name.strip() for name in line.split(",")]
    return names


def markdown_of(notebook):
    cells = json.loads((NOTEBOOKS_DIR / notebook).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").casefold()


def test_every_term_is_in_the_markdown_of_the_notebook_said_to_teach_it_first():
    taught = re.compile(r"First taught in \[[^]]+\]\(([^)]+\.ipynb)\)\.")
    absent = []
    for term, entry in entries().items():
        notebook = taught.search(entry).group(1)
        text = markdown_of(notebook)
        words = [
            rf"(?<!\w){re.escape(name.casefold())}(?:s|es)?(?!\w)" for name in names_of(term, entry)
        ]
        if not any(re.search(word, text) for word in words):
            absent.append(f"{term} (not in {notebook})")
    assert not absent, f"terms their 'First taught in' notebook never writes: {absent}"


def test_every_anchor_link_names_a_heading_of_the_glossary():
    headings = re.findall(r"^#+ (.+)$", TEXT, re.M)
    anchors = {slug(h) for h in headings}
    broken = sorted(set(re.findall(r"\]\(#([^)]+)\)", TEXT)) - anchors)
    assert not broken, f"links to missing anchors: {broken}"
    assert {slug(t) for t in TERMS} <= set(re.findall(r"\]\(#([^)]+)\)", TEXT)), (
        "the list of terms at the top must link every term"
    )


def test_every_linked_notebook_exists():
    linked = set(re.findall(r"\]\(([^)#]+\.ipynb)\)", TEXT))
    present = {p.name for p in NOTEBOOKS}
    missing = sorted(linked - present)
    assert linked and not missing, f"GLOSSARY.md links to notebooks that do not exist: {missing}"


def test_the_scope_list_holds_every_scope_name_of_a_training_step():
    engine = engine_scope_names()
    listed = glossary_scope_names()
    assert {"forward", "loss", "backward", "update", "dW", "db", "dX"} <= engine
    assert not engine - listed, f"scopes missing from GLOSSARY.md: {sorted(engine - listed)}"
    assert not listed - engine - {"layer1", "layer2"}, (
        f"GLOSSARY.md lists scopes the engine never opens: {sorted(listed - engine)}"
    )


def test_the_forward_scope_of_a_training_step_is_exactly_inference_as_the_glossary_says():
    net = mlpops.MLP([30, 30, 30], seed=0)
    x, target = np.random.default_rng(0).random((2, 4, 30))
    with mlpops.count() as inference:
        net.forward(x)
    with mlpops.count() as step:
        net.train_step(x, target, lr=0.1)
    phases = step.scopes()
    assert phases == ["forward", "loss", "backward", "update"]
    assert step.within("forward").total == inference.total
    assert step.within("loss").total > 0


def test_the_line_every_header_carries_links_this_file():
    # that every header carries it is checked per notebook by tests/course/test_prose.py
    # (rule glossary-link)
    assert "](GLOSSARY.md)" in pc.WORDS_LINE
    assert GLOSSARY.parent == NOTEBOOKS_DIR
