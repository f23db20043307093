"""The README fits a screen, and every relative link in it and in docs/ leads to a file."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 300

# A Markdown link or image: ](target) or ](target "title"); the target ends at a space or ")".
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def relative_links(page: Path) -> list[tuple[int, str]]:
    """The links of a page that point into the repository, with their line numbers.

    Links inside fenced code blocks, web addresses (any scheme), mail addresses and links
    to an anchor on the same page are left out.

    Args:
        page: a Markdown file.

    Returns:
        (line number, target without its #anchor) for each relative link.
    """
    links = []
    in_code = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        for target in LINK.findall(line):
            if target.startswith("#") or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue
            links.append((number, target.split("#", 1)[0]))
    return links


def test_the_readme_fits_in_300_lines():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file(page):
    broken = [
        f"{page.relative_to(ROOT)} line {number}: {target}"
        for number, target in relative_links(page)
        if not (page.parent / target).exists()
    ]
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_the_link_finder_sees_links_and_skips_code_and_web_addresses(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        'See [a](docs/a.md#part), ![b](img/b.png "title") and [c](https://example.org).\n'
        "[d](#here) [e](mailto:x@example.org)\n"
        "```\n[f](in/code.md)\n```\n",
        encoding="utf-8",
    )
    assert relative_links(page) == [(1, "docs/a.md"), (1, "img/b.png")]
