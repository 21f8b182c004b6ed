"""The course as a static site for reading along: one HTML page per notebook plus an index.

    python tools/course_site.py OUT VENDOR     (``python3 tasks.py site`` fetches VENDOR and runs this)

Each page is nbconvert's JupyterLab-look export of the committed notebook (saved outputs,
no kernel), with every image's alt text, the explorers rendered from their saved widget
state by @jupyter-widgets/html-manager, and the math by MathJax — both served from the
site's own ``static/`` folder (copied from VENDOR, unpacked npm packages), so the site
works offline and asks no CDN for anything. Links between notebooks point at their pages,
links to notebooks/GLOSSARY.md at its page (glossary.html); the Binder badges become text
links (the badge image would come from another site).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEMPLATE = Path(__file__).resolve().parent / "site_template"
#: what the site serves from each vendored package: (package folder, path inside, site path)
STATIC = [
    ("html-manager", "dist", "static/html-manager"),
    ("mathjax", "es5/tex-svg.js", "static/mathjax/tex-svg.js"),
]
MISSING_ALT = "No description has been provided for this image"  # nbconvert's filler
BADGE = re.compile(r'<img\b[^>]*\bsrc="https?://[^"]*badge[^"]*"[^>]*>', re.I)
NOTEBOOK_LINK = re.compile(r'href="((?:\./)?(\d\d-[\w-]+))\.ipynb(#[^"]*)?"')
GLOSSARY_LINK = re.compile(r'href="(?:\./)?GLOSSARY\.md(#[^"]*)?"')


def notebook_paths(src: Path = NOTEBOOKS) -> list[Path]:
    return sorted(src.glob("[0-9][0-9]-*.ipynb"))


def copy_static(vendor: Path, out: Path) -> None:
    for package, inside, dest in STATIC:
        source = vendor / package / inside
        if not source.exists():
            raise FileNotFoundError(
                f"{source} is missing: run `python3 tasks.py site` once (it unpacks the npm "
                f"packages the site serves into {vendor})"
            )
        target = out / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            skip = shutil.ignore_patterns("*amd.js", "*.map", "*.eot", "*.svg", "*.ttf")
            shutil.copytree(source, target, dirs_exist_ok=True, ignore=skip)
        else:
            shutil.copy2(source, target)


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return "notebook"


def fix_links(page: str) -> str:
    """Notebook links go to their pages; remote badge images become their alt text."""
    page = NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(2)}.html{m.group(3) or ""}"', page)
    page = GLOSSARY_LINK.sub(lambda m: f'href="glossary.html{m.group(1) or ""}"', page)

    def badge(m: re.Match) -> str:
        alt = re.search(r'\balt="([^"]*)"', m.group(0))
        return f'<span class="mlpops-badge">{alt.group(1) if alt else "Launch"}</span>'

    return BADGE.sub(badge, page)


def export(path: Path) -> tuple[str, str]:
    """(title, page HTML) of one notebook, from its saved outputs."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    title = title_of(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE.parent)], template_name=TEMPLATE.name
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    if MISSING_ALT in body:
        raise ValueError(
            f"{path.name}: an image has no alt text (nbconvert filled in "
            f"{MISSING_ALT!r}); display figures with the course's plot helpers"
        )
    return title, fix_links(body)


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>mlpops: the course, to read along</title>
<link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
        padding: 0 1rem; line-height: 1.5; color: #1a1a1a; background: #fff; }}
a {{ color: #0b5394; }}
li {{ margin: 0.3rem 0; }}
</style>
</head>
<body>
<main>
<h1>mlpops: how much arithmetic does a neural network really do?</h1>
<p>The course's notebooks as they were last run: every count, figure and explorer is the
saved output of the code above it. Every figure has a text description (its alt text). To
run the code and change it, open the course in JupyterLab or on Binder (see the project's
README).</p>
<h2>The notebooks</h2>
<ol>
{items}
</ol>
<p>Their words, one meaning each: <a href="glossary.html">the course glossary</a>.</p>
</main>
</body>
</html>
"""


GLOSSARY_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>mlpops: the course glossary</title>
<link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
        padding: 0 1rem; line-height: 1.5; color: #1a1a1a; background: #fff; }}
a {{ color: #0b5394; }}
.anchor-link {{ display: none; }}
</style>
</head>
<body>
<main>
{body}
<p><a href="index.html">All notebooks</a></p>
</main>
</body>
</html>
"""


def glossary_page(src: Path = NOTEBOOKS) -> str:
    """notebooks/GLOSSARY.md as a page; its anchors are GitHub's (lower case), as in the file."""
    from nbconvert.filters import markdown2html

    body = markdown2html((src / "GLOSSARY.md").read_text(encoding="utf-8"))
    body = re.sub(
        r'\b(id|href)="(#?)([^"#:/.]+)"', lambda m: f'{m[1]}="{m[2]}{m[3].lower()}"', body
    )
    return fix_links(GLOSSARY_PAGE.format(body=body))


def build(out: Path, vendor: Path, src: Path = NOTEBOOKS) -> list[Path]:
    """Write the site into ``out`` (emptied first); returns the pages written."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_static(vendor, out)
    pages, items = [], []
    for path in notebook_paths(src):
        title, body = export(path)
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append(page)
        items.append(f'<li><a href="{page.name}">{html.escape(title)}</a></li>')
    glossary = out / "glossary.html"
    glossary.write_text(glossary_page(src), encoding="utf-8")
    index = out / "index.html"
    index.write_text(INDEX.format(items="\n".join(items)), encoding="utf-8")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve static/ as it is
    return [index, *pages, glossary]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    out, vendor = Path(argv[0]), Path(argv[1])
    pages = build(out, vendor)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(json.dumps({"site": str(out), "pages": len(pages), "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
