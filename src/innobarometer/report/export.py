"""An executed notebook as its report's bytes: the HTML page (outputs and markdown only, compact
PNGs, one inline stylesheet, the package's template) and the CSV of every table it showed."""

from __future__ import annotations

import base64
import csv
import functools
import io
import json
import re

import numpy as np
from PIL import Image

from innobarometer import __version__, paths

# The MIME type of a table's unrounded rows in a notebook's outputs (`tables.show_table`): the
# export collects them into the report's CSV.
TABLE_MIME = "application/vnd.innobarometer.table+json"
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


def export_html(notebook, title: str, shown_parameters: tuple) -> str:
    """The report page: outputs and markdown only (code, parameters and stderr hidden), figures
    as compact embedded PNGs, one inline stylesheet, nothing that differs between runs."""
    # lazy: every kernel loads this module (figures encode PNGs with it) and none exports
    from nbformat import NotebookNode

    # New nodes for what changes, shared ones for the rest: nbconvert copies the page anyway, and
    # the executed notebook (read again for the CSV) stays as it was.
    page = NotebookNode(notebook)
    page.cells = key_findings_first(
        [
            NotebookNode(cell, outputs=[_for_page(o) for o in cell.outputs if _for_readers(o)])
            if cell.cell_type == "code"
            else cell
            for cell in notebook.cells
            if not HIDDEN_CELL_TAGS & set(cell.metadata.get("tags", []))
        ]
    )
    resources = {
        "report": {
            "title": title,
            "parameters": [(name, json.dumps(value)) for name, value in shown_parameters],
            "generator": f"Built by innobarometer {__version__}.",
        }
    }
    body, _ = _html_exporter().from_notebook_node(page, resources=resources)
    return body


# A cell whose output is the report's key findings: run last (it collects the sentences the
# sections showed), shown first, right after the front matter (the page's first code cell).
KEY_FINDINGS_TAG = "key-findings"


def key_findings_first(cells: list) -> list:
    """The page's cells with those tagged `KEY_FINDINGS_TAG` moved after the first code cell."""
    moved = [c for c in cells if KEY_FINDINGS_TAG in c.metadata.get("tags", [])]
    rest = [c for c in cells if KEY_FINDINGS_TAG not in c.metadata.get("tags", [])]
    first = next((i for i, c in enumerate(rest) if c.cell_type == "code"), len(rest) - 1)
    return rest[: first + 1] + moved + rest[first + 1 :]


def tables_csv(notebook) -> str:
    """Every table a report showed (`TABLE_MIME` outputs), stacked: section (the heading the
    table stands under), table, then the union of the tables' columns in order of first
    appearance."""
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
