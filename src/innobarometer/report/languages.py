"""A report in every language from one execution: outputs that carry each language's rendering,
and the notebook's markdown translated paragraph by paragraph at export.

`show_in_every_language(render)` calls `render` once per language of the build (under
`language.speaking`) and displays one output: its English bundle as usual (what JupyterLab shows)
and every language's bundle under `LANGUAGES_MIME`. The export picks one (`in_language`). The
numbers behind an output are computed once, before `render`; only the words and number formats
are made per language.

Markdown cells are keyed by paragraph: each paragraph's English text (lines stripped) is a
catalog key; a paragraph a catalog lacks is shown in English, marked as not yet translated, so
the report still builds (`python -m innobarometer translations` lists what is missing).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from innobarometer import language

# The MIME type of an output's renderings per language: {language: {"data": {mime: value},
# "metadata": {...}}}; the English rendering is also the output's own data.
LANGUAGES_MIME = "application/vnd.innobarometer.languages+json"
UNTRANSLATED_CLASS = "untranslated"
# What marks a paragraph shown in English on a page of another language.
UNTRANSLATED_NOTE = language.N_("Not yet translated: shown in English.")


def show_in_every_language(render: Callable[[], tuple[dict, dict]]) -> None:
    """Display one output rendered in every language of the build: `render()` returns a display
    bundle ({mime: value}) and its metadata, and is called once per language."""
    # lazy: IPython loads only in a notebook's kernel
    from IPython.display import display

    versions = {}
    for code in language.report_languages():
        with language.speaking(code):
            data, metadata = render()
        versions[code] = {"data": data, "metadata": metadata}
    english = versions[language.ENGLISH]
    if not english["data"]:
        return
    bundle = dict(english["data"])
    if len(versions) > 1:
        bundle[LANGUAGES_MIME] = {c: v for c, v in versions.items() if c != language.ENGLISH}
    display(bundle, raw=True, metadata=english["metadata"])


def in_language(output, code: str):
    """An output as a page in `code` shows it: that language's rendering where it has one."""
    # lazy: nbformat loads only where notebooks are exported
    from nbformat import NotebookNode

    data = output.get("data", {})
    if LANGUAGES_MIME not in data:
        return output
    own = {k: v for k, v in data.items() if k != LANGUAGES_MIME}
    version = data[LANGUAGES_MIME].get(code)
    if version is None:
        return NotebookNode(output, data=NotebookNode(own))
    return NotebookNode(
        output,
        data=NotebookNode(version["data"]),
        metadata=NotebookNode(version.get("metadata", {})),
    )


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*)$", re.DOTALL)


def paragraph_key(paragraph: str) -> str:
    """A markdown paragraph as its catalog key: lines stripped, blank edges dropped."""
    return "\n".join(line.strip() for line in paragraph.strip().splitlines())


def markdown_paragraphs(source: str) -> list[str]:
    """The catalog keys of a markdown cell: one per paragraph (a heading is one)."""
    return [key for key in map(paragraph_key, PARAGRAPH_BREAK.split(source)) if key]


def translate_markdown(source: str, code: str) -> str:
    """A markdown cell in language `code`, paragraph by paragraph; a paragraph the catalog lacks
    is shown in English in an element marked `lang="en"` and as not yet translated."""
    if code == language.ENGLISH:
        return source
    paragraphs = []
    for key in markdown_paragraphs(source):
        translated = language.translation(key, code)
        paragraphs.append(translated if translated is not None else _untranslated(key, code))
    return "\n\n".join(paragraphs)


def _untranslated(key: str, code: str) -> str:
    """An English paragraph on a page of another language, marked (a heading stays a heading)."""
    note = language.translation(UNTRANSLATED_NOTE, code) or UNTRANSLATED_NOTE
    title = html.escape(note, quote=True)
    heading = HEADING.match(key)
    prefix, text = (heading.group(1), heading.group(2)) if heading else ("", key)
    return f'{prefix}<span class="{UNTRANSLATED_CLASS}" lang="en" title="{title}">{text}</span>'
