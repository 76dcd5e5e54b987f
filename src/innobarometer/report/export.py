"""An executed notebook as its report's bytes: the HTML page (outputs and markdown only, compact
PNGs, one inline stylesheet, the package's template) and the CSV of every table it showed."""

from __future__ import annotations

import base64
import csv
import functools
import html
import io
import json
import re

import numpy as np
from PIL import Image

from innobarometer import __version__, language, paths
from innobarometer.report.languages import LANGUAGES_MIME, in_language, translate_markdown

# The MIME type of a table's unrounded rows in a notebook's outputs (`tables.show_table`): the
# export collects them into the report's CSV.
TABLE_MIME = "application/vnd.innobarometer.table+json"
# The MIME type of a figure's SVG beside its PNG (`figures.show_figure`): the build writes each
# beside the report (`figure_svgs`) and the page links it under the figure.
FIGURE_SVG_MIME = "application/vnd.innobarometer.figure+svg"
PALETTE_COLOUR_TYPE = 3  # the PNG header's colour type of a palette image
# Cells whose code and output never reach the HTML: papermill's injected parameters, the
# notebook's own defaults and reads cell, and cells an author tags out.
HIDDEN_CELL_TAGS = frozenset({"injected-parameters", "parameters", "reads", "remove-cell"})


OBJECT_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
# A section of a report: a markdown heading of level one or two (its text is the CSV's section).
SECTION_HEADING = re.compile(r"^#{1,2}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def palette_png(rgba: np.ndarray) -> bytes:
    """RGBA pixels flattened on white, as an 8-bit palette PNG (zlib's default level)."""
    image = Image.fromarray(np.ascontiguousarray(rgba))
    if rgba[..., 3].min() < 255:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=0)
    buffer = io.BytesIO()
    # zlib's default level: `optimize=True` costs 0.06 s per report for 10% smaller figures.
    palette.save(buffer, format="PNG")
    return buffer.getvalue()


def is_palette_png(data: bytes) -> bool:
    """Whether PNG bytes hold a palette image (the IHDR chunk's colour type, byte 25)."""
    return len(data) > 25 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[25] == PALETTE_COLOUR_TYPE


def _compact_png(encoded: str) -> str:
    """A figure as an 8-bit palette PNG (the package's figures already are one)."""

    data = base64.b64decode(encoded)
    if is_palette_png(data):
        return encoded
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    return base64.b64encode(palette_png(pixels)).decode("ascii")


@functools.cache
def _html_exporter():
    """nbconvert's HTML exporter on the package's template (built once per worker)."""

    # lazy: every kernel loads this module (figures encode PNGs with it) and none exports
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """HTMLExporter without its last pass, which parses the whole page with BeautifulSoup to
        add attributes to JupyterLab's markup (a sixth of the export's time): the report
        template writes its own markup, alt texts included."""

        def from_notebook_node(self, nb, resources=None, **kw):
            """The page as the report template renders it."""
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter(
        # Cells are filtered before export (`export_html`): no preprocessor is needed, and each
        # would validate the whole notebook again.
        default_preprocessors=[],
        extra_template_basedirs=[str(paths.PACKAGE_DIR / "report")],
        template_name="templates",
        template_file="report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _for_readers(output) -> bool:
    """Whether an output belongs in the report page."""
    if output.output_type == "stream":
        # Warnings on stderr are for the notebook's author, not the report's reader.
        return output.name != "stderr"
    data = output.get("data", {})
    # A bare repr such as `<Axes at 0x7f3a...>` (a cell ending in a plot call) means nothing to
    # a reader and its address changes between runs.
    return not (set(data) == {"text/plain"} and OBJECT_ADDRESS.search(data["text/plain"]))


def _for_page(output):
    """An output as the page shows it: a PNG as a compact palette PNG."""
    # lazy: every kernel loads this module (figures encode PNGs with it) and none exports
    from nbformat import NotebookNode

    data = output.get("data", {})
    if "image/png" not in data:
        return output
    compact = NotebookNode(data, **{"image/png": _compact_png(data["image/png"])})
    return NotebookNode(output, data=compact)


def in_page_language(notebook, code: str):
    """The executed notebook as a page in language `code` shows it: each output in that
    language (`report.languages`), each markdown cell translated paragraph by paragraph.
    New nodes for what changes: the executed notebook stays as it was for other languages."""
    # lazy: every kernel loads this module (figures encode PNGs with it) and none exports
    from nbformat import NotebookNode

    return NotebookNode(
        notebook,
        cells=[
            NotebookNode(cell, outputs=[in_language(o, code) for o in cell.outputs])
            if cell.cell_type == "code"
            else NotebookNode(cell, source=translate_markdown(cell.source, code))
            if cell.cell_type == "markdown"
            else cell
            for cell in notebook.cells
        ],
    )


def export_html(
    notebook,
    title: str,
    shown_parameters: tuple,
    header: str = "",
    place: str = "",
    citation: str = "",
    code: str = language.ENGLISH,
) -> str:
    """The report page in language `code`: outputs and markdown only (code, parameters and
    stderr hidden), figures as compact embedded PNGs, one inline stylesheet, nothing that differs
    between runs.

    `header` and `citation` (HTML the build makes from the plan) open and close the page; the
    notebook's H1 names `place` ('Denmark 2023') in place of its theme (`place_heading`); every
    table cell holding a source key links to its address (`link_sources`)."""
    # lazy: every kernel loads this module (figures encode PNGs with it) and none exports
    from nbformat import NotebookNode

    # New nodes for what changes, shared ones for the rest: nbconvert copies the page anyway, and
    # the executed notebook (read again for the CSV) stays as it was.
    page = in_page_language(notebook, code)
    page.cells = key_findings_first(
        [
            NotebookNode(cell, outputs=[_for_page(o) for o in cell.outputs if _for_readers(o)])
            if cell.cell_type == "code"
            else cell
            for cell in page.cells
            if not HIDDEN_CELL_TAGS & set(cell.metadata.get("tags", []))
        ]
    )
    if place:
        page.cells = place_heading(page.cells, place)
    resources = {
        "report": {
            "language": code,
            "words": template_words(code),
            "header": header,
            "citation": citation,
            "title": title,
            "parameters": [(name, json.dumps(value)) for name, value in shown_parameters],
            "generator": _in(code, GENERATOR).format(version=__version__),
        }
    }
    body, _ = _html_exporter().from_notebook_node(page, resources=resources)
    return link_sources(body)


TITLE_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def place_heading(cells: list, place: str) -> list:
    """The cells with the first markdown H1 naming `place`: 'Overview: who innovates' becomes
    'Denmark 2023: who innovates' (the header's links name the theme); a title without a colon
    gets the place before it."""
    # lazy: every kernel loads this module (figures encode PNGs with it) and none exports
    from nbformat import NotebookNode

    for index, cell in enumerate(cells):
        match = TITLE_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            _, colon, question = match.group(1).partition(": ")
            heading = f"# {place}: {question if colon else match.group(1)}"
            source = cell.source[: match.start()] + heading + cell.source[match.end() :]
            return [*cells[:index], NotebookNode(cell, source=source), *cells[index + 1 :]]
    return cells


@functools.cache
def source_addresses() -> dict[str, str]:
    """Every source key of the reference figures and its address (`reference/sources.csv`)."""
    with open(paths.REFERENCE_DIR / "sources.csv", encoding="utf-8", newline="") as handle:
        return {row["source_key"]: row["url"] for row in csv.DictReader(handle) if row["url"]}


SOURCE_CELL = re.compile(r"<td>([A-Z]+-\d+)</td>")


def link_sources(page: str) -> str:
    """A page with every table cell that holds a known source key ('DK-19') linked to the
    source's address."""
    addresses = source_addresses()

    def linked(match: re.Match) -> str:
        """The cell, linked when its key is known."""
        key = match.group(1)
        if key not in addresses:
            return match.group(0)
        return f'<td><a href="{html.escape(addresses[key])}">{key}</a></td>'

    return SOURCE_CELL.sub(linked, page)


# A cell whose output is the report's key findings: run last (it collects the sentences the
# sections showed), shown first, right after the front matter (the page's first code cell).
KEY_FINDINGS_TAG = "key-findings"


def key_findings_first(cells: list) -> list:
    """The page's cells with those tagged `KEY_FINDINGS_TAG` moved after the first code cell."""
    moved = [c for c in cells if KEY_FINDINGS_TAG in c.metadata.get("tags", [])]
    rest = [c for c in cells if KEY_FINDINGS_TAG not in c.metadata.get("tags", [])]
    first = next((i for i, c in enumerate(rest) if c.cell_type == "code"), len(rest) - 1)
    return rest[: first + 1] + moved + rest[first + 1 :]


def tables_csv(notebook, code: str = language.ENGLISH) -> str:
    """Every table a report showed (`TABLE_MIME` outputs), stacked: section (the heading the
    table stands under), table, then the union of the tables' columns in order of first
    appearance; sections and label columns in language `code`, numbers and codes as they are."""
    notebook = in_page_language(notebook, code)
    tables = []
    section = ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            section = next(reversed(SECTION_HEADING.findall(cell.source)), section)
        elif cell.cell_type == "code":
            for output in cell.outputs:
                if TABLE_MIME in output.get("data", {}):
                    tables.append((section, output.data[TABLE_MIME]))
    columns = list(dict.fromkeys(c for _, table in tables for c in table["columns"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "table", *columns])
    for section, table in tables:
        position = {c: i for i, c in enumerate(table["columns"])}
        for row in table["data"]:
            cells = [row[position[c]] if c in position else None for c in columns]
            writer.writerow([section, table["table"], *map(_csv_value, cells)])
    return buffer.getvalue()


def _csv_value(value) -> str:
    """A JSON value as a CSV cell: empty for null, full precision for floats."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


# Characters a figure's name may not bring into its SVG's file name.
FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def figure_svgs(notebook, key: str) -> list[tuple[str, dict[str, str]]]:
    """Every figure's SVG (`FIGURE_SVG_MIME` outputs) as (file name, {language: text}), in page
    order; a figure drawn in one language only has only English.

    Files are named `<key>.<figure name>.svg` (numbered when a name repeats) to sit beside the
    report's page in each language's folder; each output's metadata, and each language's, gets
    the file name (`innobarometer.svg`), which the page template links under the figure, so call
    this before `export_html`."""
    files: list[tuple[str, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get(FIGURE_SVG_MIME)
            if svg is None:
                continue
            described = output.setdefault("metadata", {}).setdefault("innobarometer", {})
            name = FILE_NAME_UNSAFE.sub("-", described.get("name") or "figure")
            seen[name] = seen.get(name, 0) + 1
            suffix = f"-{seen[name]}" if seen[name] > 1 else ""
            described["svg"] = f"{key}.{name}{suffix}.svg"
            texts = {language.ENGLISH: "".join(svg)}
            for code, version in output["data"].get(LANGUAGES_MIME, {}).items():
                meta = version.setdefault("metadata", {}).setdefault("innobarometer", {})
                meta["svg"] = described["svg"]
                texts[code] = "".join(version["data"].get(FIGURE_SVG_MIME, svg))
            files.append((described["svg"], texts))
    return files


# The page footer's last sentence.
GENERATOR = language.N_("Built by innobarometer {version}.")
# The words of the page template (report.html.j2), translated per page.
TEMPLATE_WORDS = {
    "parameters": language.N_("Parameters:"),
    "download_svg": language.N_("Download this chart (SVG)"),
    "figure": language.N_("figure"),
}


def _in(code: str, message: str) -> str:
    """`message` in language `code` (English where the catalog lacks it)."""
    with language.speaking(code):
        return language._(message)


def template_words(code: str) -> dict[str, str]:
    """The page template's words in language `code`."""
    return {key: _in(code, message) for key, message in TEMPLATE_WORDS.items()}
