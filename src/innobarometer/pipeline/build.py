"""The report build behind `make all`: plan, staleness by content, parallel execution, HTML and CSV,
the index page and the manifest.

Plan: every theme notebook (`notebooks/<theme>.py`, jupytext py:percent with a `parameters` cell;
names starting with `_` are not themes) times every active edition; a theme whose parameters cell
takes `editions` instead of `country`/`edition` is built once, for the latest edition of every
country (`build/<theme>/latest.html`). A report is stale when a product is missing or the hash of
an input changed: notebook source, package source, the harmonised data and mapping of every edition
it reads, its parameters, and the installed versions of the declared dependencies. Hashes live in
`build/manifest.json`; no file times are used, so a fresh clone behaves like any other.

Execution: one runner process, a pool of forked worker processes (at most one per core), each
executing one report at a time with papermill's Python API in a kernel of its own (see `kernel.py`),
exporting HTML in-process and writing every product to a temporary name renamed on success. Heavy
libraries are imported only when something is stale, so an up-to-date build answers in a fraction
of a second.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import difflib
import functools
import hashlib
import html
import json
import math
import os
import re
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from innobarometer import __version__, paths

MANIFEST_NAME = "manifest.json"
LATEST = "latest"
# Themes whose per-edition report also reads every other edition of its country (a trend).
READS_ALL_EDITIONS_OF_COUNTRY = frozenset({"overview"})
# Cells whose code and output never reach the HTML: papermill's injected parameters, the
# notebook's own defaults, and cells an author tags out.
HIDDEN_CELL_TAGS = frozenset({"injected-parameters", "parameters", "remove-cell"})
TABLE_MIME = "application/vnd.innobarometer.table+json"  # innobarometer.report.sections.TABLE_MIME
SUMMARY_LINES = 10
PARAMETERS_HEADER = re.compile(r"^# %%.*\btags\s*=\s*\[[^\]]*[\"']parameters[\"']")
CELL_HEADER = re.compile(r"^# %%")
OBJECT_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class BuildError(Exception):
    """A problem found before any kernel starts: the message says what and how to fix it."""


# ----------------------------------------------------------------------------- themes and plan


@dataclass(frozen=True)
class Theme:
    """One theme notebook and the defaults of its parameters cell."""

    name: str
    notebook: Path
    defaults: dict
    parameters_line: int

    @property
    def per_edition_set(self) -> bool:
        """Built once for a set of editions (the Nordic report) rather than per edition."""
        return "editions" in self.defaults and "edition" not in self.defaults


@dataclass(frozen=True)
class DataSet:
    """The active data set as the build needs it: editions and the files each report reads."""

    kind: str  # "demo" or "real"
    editions: tuple[str, ...]
    mappings: dict[str, Path]
    harmonised: dict[str, Path]


@dataclass(frozen=True)
class Report:
    """One product of the plan: a theme for an edition (or an edition set)."""

    theme: str
    key: str  # edition id, or "latest" for an edition-set theme
    notebook: Path
    parameters: dict
    reads: tuple[str, ...]  # edition ids whose harmonised data the notebook reads
    title: str

    @property
    def name(self) -> str:
        """`theme/key`, the report's id in the manifest."""
        return f"{self.theme}/{self.key}"

    def product(self, build: Path, suffix: str) -> Path:
        """`build/<theme>/<key><suffix>`."""
        return build / self.theme / f"{self.key}{suffix}"


def read_parameters(notebook: Path) -> tuple[dict, int]:
    """The literal defaults of a py:percent notebook's `parameters` cell, and the cell's line.

    Raises BuildError when a value is not a literal (papermill and the build compare literals).
    """
    lines = notebook.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if PARAMETERS_HEADER.match(line)), None)
    if start is None:
        return {}, 0
    end = next((i for i in range(start + 1, len(lines)) if CELL_HEADER.match(lines[i])), len(lines))
    source = "\n".join(lines[start + 1 : end])
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise BuildError(
            f"{notebook}: line {start + 1 + (error.lineno or 0)}: the parameters cell is not "
            f"valid Python ({error.msg}); fix it so that each line is `name = literal`"
        ) from None
    defaults = {}
    for statement in tree.body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else None
        if isinstance(statement, ast.AnnAssign):
            target = statement.target
        if not isinstance(target, ast.Name) or statement.value is None:
            continue
        try:
            defaults[target.id] = ast.literal_eval(statement.value)
        except ValueError:
            raise BuildError(
                f"{notebook}: line {start + 1 + statement.lineno}: parameter {target.id!r} is "
                "not a literal; write a plain value (string, number, list) in the parameters cell"
            ) from None
    return defaults, start + 1


def discover_themes(notebooks: Path | None = None) -> list[Theme]:
    """Every `notebooks/*.py` with a parameters cell whose name does not start with `_`."""
    notebooks = notebooks or paths.notebooks_dir()
    themes = []
    for notebook in sorted(notebooks.glob("*.py")):
        if notebook.name.startswith("_"):
            continue
        defaults, line = read_parameters(notebook)
        if line:
            themes.append(Theme(notebook.stem, notebook, defaults, line))
    return themes


def load_data_set(data: str | None = None) -> DataSet:
    """The active data set (demo or real) from `innobarometer.harmonise.datasets`."""
    from innobarometer.harmonise import datasets

    try:
        active = datasets.active_set(data)
    except datasets.DataSetError as error:
        raise BuildError(str(error)) from None
    editions = tuple(sorted(active.editions))
    return DataSet(
        kind=active.kind,
        editions=editions,
        mappings={edition: Path(active.mappings[edition]) for edition in editions},
        harmonised={edition: Path(datasets.harmonised_path(edition)) for edition in editions},
    )


def latest_editions(editions: tuple[str, ...]) -> tuple[str, ...]:
    """The most recent edition of every country, in country order."""
    latest: dict[str, str] = {}
    for edition in sorted(editions, key=lambda e: (e[:2], e[3:])):
        latest[edition[:2]] = edition
    return tuple(latest[country] for country in sorted(latest))


def theme_title(theme: str) -> str:
    """A theme's name as a heading: `drivers` -> `Drivers`."""
    return theme.replace("_", " ").capitalize()


def plan_reports(themes: list[Theme], data_set: DataSet) -> list[Report]:
    """Every report of the full plan, in theme then edition order, edition-set themes last."""
    reports = []
    for theme in [t for t in themes if not t.per_edition_set]:
        for edition in data_set.editions:
            country, year = edition.split("-")
            reads = (edition,)
            if theme.name in READS_ALL_EDITIONS_OF_COUNTRY:
                reads = tuple(e for e in data_set.editions if e.startswith(f"{country}-"))
            reports.append(
                Report(
                    theme=theme.name,
                    key=edition,
                    notebook=theme.notebook,
                    parameters={"country": country, "edition": int(year)},
                    reads=reads,
                    title=f"{theme_title(theme.name)}: {edition}",
                )
            )
    latest = latest_editions(data_set.editions)
    for theme in [t for t in themes if t.per_edition_set]:
        reports.append(
            Report(
                theme=theme.name,
                key=LATEST,
                notebook=theme.notebook,
                # The notebook resolves `latest` itself (in its own country order); the build
                # hashes the same editions: each country's latest.
                parameters={"editions": LATEST},
                reads=latest,
                title=f"{theme_title(theme.name)}: {', '.join(latest)}",
            )
        )
    return reports


def _split(option: str | None) -> list[str]:
    """A comma-separated option as a list of names."""
    return [item.strip() for item in (option or "").split(",") if item.strip()]


def _closest(name: str, choices) -> str:
    """` (did you mean ...?)` for the closest choice, or nothing."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def select_reports(reports: list[Report], themes: str | None, editions: str | None) -> list[Report]:
    """The reports named by `--themes`, `--editions` (comma-separated; `latest`: edition sets)."""
    known_themes = list(dict.fromkeys(r.theme for r in reports))
    known_keys = list(dict.fromkeys(r.key for r in reports))
    wanted_themes, wanted_keys = _split(themes), _split(editions)
    for name in wanted_themes:
        if name not in known_themes:
            raise BuildError(
                f"--themes: no theme {name!r}{_closest(name, known_themes)}; themes are the "
                f"notebooks/*.py with a parameters cell: {', '.join(known_themes) or 'none'}"
            )
    for key in wanted_keys:
        if key not in known_keys:
            raise BuildError(
                f"--editions: {key!r} is not an active edition{_closest(key, known_keys)}; "
                f"active: {', '.join(known_keys) or 'none'} (a new mapping needs `make data`)"
            )
    return [
        r
        for r in reports
        if (not wanted_themes or r.theme in wanted_themes)
        and (not wanted_keys or r.key in wanted_keys)
    ]


def validate_parameters(reports: list[Report], themes: dict[str, Theme], overrides: dict) -> None:
    """Fail before any kernel starts when a report passes a name its parameters cell lacks."""
    problems = []
    for theme_name in dict.fromkeys(r.theme for r in reports):
        theme = themes[theme_name]
        passed = {
            name for r in reports if r.theme == theme_name for name in (*r.parameters, *overrides)
        }
        for name in sorted(passed - set(theme.defaults)):
            problems.append(
                f"{theme.notebook}: parameter {name!r} is not in the parameters cell "
                f"(line {theme.parameters_line}){_closest(name, theme.defaults)}; valid names: "
                f"{', '.join(theme.defaults) or 'none'}"
            )
    if problems:
        raise BuildError("\n".join(problems))


# ----------------------------------------------------------------------------- staleness


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or `missing`."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "missing"


def package_digest() -> str:
    """One hash of every source, data and template file of the installed package."""
    digest = hashlib.sha256()
    for path in sorted(paths.PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def dependency_digest() -> str:
    """One hash of the declared run-time dependencies and their installed versions."""
    from importlib import metadata

    declared = [r for r in (metadata.requires("innobarometer") or []) if "extra ==" not in r]
    pinned = []
    for requirement in declared:
        name = re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0]
        try:
            pinned.append(f"{requirement} -> {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pinned.append(f"{requirement} -> missing")
    return hashlib.sha256("\n".join(pinned).encode()).hexdigest()


@dataclass
class Fingerprints:
    """Input hashes shared by many reports, computed once per build."""

    package: str
    dependencies: str
    files: dict[Path, str] = field(default_factory=dict)

    def of_file(self, path: Path) -> str:
        """A file's digest, hashed once per build."""
        if path not in self.files:
            self.files[path] = file_digest(path)
        return self.files[path]


def report_inputs(report: Report, data_set: DataSet, prints: Fingerprints) -> dict[str, str]:
    """Every input hash of one report, keyed by a name the dry run can print."""
    inputs = {
        "notebook": prints.of_file(report.notebook),
        "package": prints.package,
        "dependencies": prints.dependencies,
        "parameters": hashlib.sha256(
            json.dumps(report.parameters, sort_keys=True).encode()
        ).hexdigest(),
    }
    for edition in report.reads:
        inputs[f"data {edition}"] = prints.of_file(data_set.harmonised[edition])
        inputs[f"mapping {edition}"] = prints.of_file(data_set.mappings[edition])
    return inputs


def stale_reasons(report: Report, inputs: dict, manifest: dict, build: Path) -> list[str]:
    """Why a report must be rebuilt; empty when it is up to date."""
    record = manifest.get("reports", {}).get(report.name)
    if record is None:
        return ["never built"]
    if record.get("status") != "built":
        return ["last build failed"]
    reasons = [f"{name} changed" for name in inputs if record["inputs"].get(name) != inputs[name]]
    reasons += [f"{name} no longer read" for name in record["inputs"] if name not in inputs]
    for suffix in (".html", ".csv"):
        if not report.product(build, suffix).exists():
            reasons.append(f"{report.key}{suffix} missing")
    return reasons


def load_manifest(build: Path) -> dict:
    """The manifest of earlier builds, or an empty one."""
    try:
        return json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"reports": {}}
    except json.JSONDecodeError:
        # A manifest is only a cache of what was built: a damaged one means rebuild everything.
        return {"reports": {}}


def write_atomically(path: Path, text: str) -> None:
    """Write a text file under a temporary name and rename it, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def save_manifest(build: Path, manifest: dict) -> None:
    """Write the manifest (sorted, one report per key) atomically."""
    write_atomically(build / MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------- the worker


@dataclass(frozen=True)
class Job:
    """What a worker needs to build one report (plain values: it crosses a process boundary)."""

    report: Report
    html: Path
    csv: Path
    scratch: Path  # temporary folder on the build's file system
    failed: Path  # where the executed notebook goes when the report fails
    cwd: Path
    parameters: dict  # the injected values (plan parameters and overrides)
    shown_parameters: tuple  # (name, value) pairs for the page footer: defaults and injected


def run_report(job: Job) -> dict:
    """Execute one report and write its HTML and CSV; never raises (the runner reports it)."""
    start = time.perf_counter()
    try:
        return _execute(job) | {"seconds": time.perf_counter() - start}
    except Exception as error:  # noqa: BLE001 - a failed report is a result, not a crash
        return {
            "status": "failed",
            "seconds": time.perf_counter() - start,
            "cell": None,
            "line": "",
            "error": f"{type(error).__name__}: {error}".strip(),
            "notebook": None,
        }


def _execute(job: Job) -> dict:
    """Run the notebook with papermill; write HTML and CSV under temporary names, then rename."""
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from innobarometer.pipeline import kernel

    notebook = jupytext.read(job.report.notebook, fmt="py:percent")
    parameters_index = next(
        i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])
    )
    stem = f"{job.report.theme}-{job.report.key}-{os.getpid()}"
    executed_path = job.scratch / f"{stem}.ipynb"
    job.failed.unlink(missing_ok=True)  # an earlier failure's notebook is not this run's
    try:
        executed = papermill.execute_notebook(
            notebook,
            str(executed_path),
            parameters=job.parameters,
            kernel_name=kernel.KERNEL_NAME,
            language="python",
            progress_bar=False,
            request_save_on_cell_execute=False,
            cwd=str(job.cwd),
            kernel_manager_class=kernel.kernel_manager_class(),
            record_timing=False,
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as error:
        job.failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(executed_path, job.failed)
        failure = _describe_failure(error, parameters_index, job.report.notebook)
        return {"status": "failed", "notebook": str(job.failed)} | failure
    executed_path.unlink(missing_ok=True)
    html_text = export_html(executed, job.report.title, job.shown_parameters)
    csv_text = tables_csv(executed)
    html_tmp, csv_tmp = job.scratch / f"{stem}.html", job.scratch / f"{stem}.csv"
    html_tmp.write_text(html_text, encoding="utf-8")
    csv_tmp.write_text(csv_text, encoding="utf-8")
    job.failed.unlink(missing_ok=True)
    # The runner renames them into place as it records the report (`publish`).
    return {
        "status": "built",
        "products": [(str(csv_tmp), str(job.csv)), (str(html_tmp), str(job.html))],
    }


@contextlib.contextmanager
def _uninterrupted():
    """Hold Ctrl-C and SIGTERM until the block is done: recorded in it, raised after it.

    Python-level handlers, not a signal mask: a mask holds a signal for the calling thread only,
    and the kernel hands a process-wide signal to any other thread (numpy's, a caller's)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers run in the main thread only: nothing to hold here
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, _frame: received.append(signum)) for s in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


def publish(outcome: dict, record) -> None:
    """Rename a built report's products into place and `record` it, with no interrupt between:
    a product under its final name is always one the manifest lists as built."""
    with _uninterrupted():
        for temporary, final in outcome.pop("products", []):
            Path(final).parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, final)
        record()


def _describe_failure(error, parameters_index: int, notebook: Path) -> dict:
    """Cell number (as in the notebook file), failing line and error of a papermill failure."""
    # Papermill put its injected cell right after the parameters cell.
    injected = parameters_index + 1
    cell = error.cell_index + (0 if error.cell_index > injected else 1)
    text = ANSI.sub("", "\n".join(error.traceback or [])).splitlines()
    headers = [i for i, line in enumerate(text) if re.match(r"\s*Cell In\[\d+\], line \d+", line)]
    failing = ""
    if headers:
        after = text[headers[-1] + 1 :]
        arrow = next((m for m in map(re.compile(r"^-+> ?\d+ (.*)").match, after) if m), None)
        failing = arrow.group(1) if arrow else next((s.strip() for s in after if s.strip()), "")
    return {
        "cell": cell,
        "line": failing.strip(),
        "file_line": _file_line(notebook, failing.strip()),
        "error": f"{error.ename}: {error.evalue}".strip().rstrip(":"),
    }


def _file_line(notebook: Path, code: str) -> int | None:
    """The line of `code` in the notebook's text form, when it occurs exactly once."""
    if not code:
        return None
    hits = [
        number
        for number, line in enumerate(notebook.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() == code
    ]
    return hits[0] if len(hits) == 1 else None


def _compact_png(encoded: str) -> str:
    """A figure as an 8-bit palette PNG (the package's figures already are one)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    from innobarometer.report import figures as render

    data = base64.b64decode(encoded)
    if render.is_palette_png(data):
        return encoded
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    return base64.b64encode(render.palette_png(pixels)).decode("ascii")


@functools.cache
def _html_exporter():
    """nbconvert's HTML exporter on the package's template (built once per worker)."""
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
    from nbformat import NotebookNode

    data = output.get("data", {})
    if "image/png" not in data:
        return output
    compact = NotebookNode(data, **{"image/png": _compact_png(data["image/png"])})
    return NotebookNode(output, data=compact)


def export_html(notebook, title: str, shown_parameters: tuple) -> str:
    """The report page: outputs and markdown only (code, parameters and stderr hidden), figures
    as compact embedded PNGs, one inline stylesheet, nothing that differs between runs."""
    from nbformat import NotebookNode

    # New nodes for what changes, shared ones for the rest: nbconvert copies the page anyway, and
    # the executed notebook (read again for the CSV) stays as it was.
    page = NotebookNode(notebook)
    page.cells = [
        NotebookNode(cell, outputs=[_for_page(o) for o in cell.outputs if _for_readers(o)])
        if cell.cell_type == "code"
        else cell
        for cell in notebook.cells
        if not HIDDEN_CELL_TAGS & set(cell.metadata.get("tags", []))
    ]
    resources = {
        "report": {
            "title": title,
            "parameters": [(name, json.dumps(value)) for name, value in shown_parameters],
            "generator": f"Built by innobarometer {__version__}.",
        }
    }
    body, _ = _html_exporter().from_notebook_node(page, resources=resources)
    return body


def tables_csv(notebook) -> str:
    """Every table a report showed (`TABLE_MIME` outputs), stacked: section, table, then the
    union of the tables' columns in order of first appearance."""
    import csv
    import io

    tables = [
        output.data[TABLE_MIME]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if TABLE_MIME in output.get("data", {})
    ]
    columns = list(dict.fromkeys(c for table in tables for c in table["columns"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "table", *columns])
    for table in tables:
        position = {c: i for i, c in enumerate(table["columns"])}
        for row in table["data"]:
            cells = [row[position[c]] if c in position else None for c in columns]
            writer.writerow([table["section"], table["table"], *map(_csv_value, cells)])
    return buffer.getvalue()


def _csv_value(value) -> str:
    """A JSON value as a CSV cell: empty for null, full precision for floats."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _worker_loop(connection, environment: dict) -> None:
    """A pool worker: build the reports the runner sends until it sends None."""
    # Ctrl-C reaches the whole process group; the runner alone decides what to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.update(environment)
    while (job := connection.recv()) is not None:
        connection.send(run_report(job))


# ----------------------------------------------------------------------------- the runner


@dataclass
class _Worker:
    process: object
    connection: object
    job: Job | None = None
    started: float = 0.0


class WorkerPool:
    """Forked worker processes, one report at a time each; `kill` stops them at once."""

    def __init__(self, size: int, environment: dict):
        """Fork `size` workers now, before the runner has threads or ZeroMQ sockets."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.workers = []
        for _ in range(size):
            ours, theirs = context.Pipe()
            process = context.Process(target=_worker_loop, args=(theirs, environment), daemon=True)
            process.start()
            theirs.close()
            self.workers.append(_Worker(process, ours))

    def idle(self) -> list[_Worker]:
        """Live workers without a report."""
        return [w for w in self.workers if w.job is None and w.process.is_alive()]

    def busy(self) -> list[_Worker]:
        """Workers building a report."""
        return [w for w in self.workers if w.job is not None]

    def submit(self, worker: _Worker, job: Job) -> None:
        """Hand one report to an idle worker."""
        worker.job = job
        worker.started = time.perf_counter()
        worker.connection.send(job)

    def finished(self, timeout: float) -> list[tuple[Job, dict]]:
        """Results that arrived within `timeout`; a worker that died yields a failure."""
        from multiprocessing.connection import wait

        busy = self.busy()
        ready = set(
            wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout)
        )
        results = []
        for worker in busy:
            if worker.connection in ready or worker.process.sentinel in ready:
                job, worker.job = worker.job, None
                try:
                    results.append((job, worker.connection.recv()))
                except (EOFError, OSError):
                    worker.process.join(timeout=5)  # reap it: a dead worker is never idle
                    code = worker.process.exitcode
                    seconds = time.perf_counter() - worker.started
                    died = f"worker process died (exit code {code})"
                    results.append((job, _crash(died, seconds)))
        return results

    def close(self) -> None:
        """Let the workers finish and exit."""
        for worker in self.workers:
            if worker.process.is_alive():
                worker.connection.send(None)
        for worker in self.workers:
            worker.process.join(timeout=10)

    def kill(self) -> None:
        """Stop every worker at once (Ctrl-C, SIGTERM); their kernels die with the zygote."""
        for worker in self.workers:
            worker.process.kill()
        for worker in self.workers:
            worker.process.join()


def _crash(message: str, seconds: float) -> dict:
    """The outcome of a report whose worker died (or that no live worker was left to run)."""
    return {
        "status": "failed",
        "seconds": seconds,
        "cell": None,
        "line": "",
        "error": message,
        "notebook": None,
    }


def _interrupt(signum, _frame):
    """SIGTERM handler: stop the runner the way Ctrl-C does."""
    raise KeyboardInterrupt


def _minutes(seconds: float) -> str:
    """`m:ss`."""
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def execute(
    jobs: list[Job], workers: int, keep_going: bool, environment: dict, out, on_outcome
) -> dict[str, dict]:
    """Run the jobs on a worker pool, at most `workers` at a time; print one line per finished
    report, rename its products into place and pass it to `on_outcome(job, outcome)` with no
    interrupt in between (`publish`); return the outcomes by report name.

    Without `keep_going` the first failure stops new reports from starting (running ones finish).
    Ctrl-C or SIGTERM kills the workers and the zygote (and with it every kernel) at once; products
    are renamed into place only when complete, so none is left half-written.
    """
    import tempfile

    from innobarometer.pipeline import kernel

    run_dir = Path(tempfile.mkdtemp(prefix="ib-"))  # short absolute path: socket names <= 107 B
    environment = environment | {
        kernel.RUN_DIR_ENV: str(run_dir),
        kernel.ZYGOTE_SOCKET_ENV: str(run_dir / "zygote"),
    }
    zygote = pool = None
    outcomes: dict[str, dict] = {}
    socket_path, log_path = str(run_dir / "zygote"), str(run_dir / "zygote.log")
    try:
        if kernel.default_strategy() == "zygote":
            zygote = kernel.start_zygote(socket_path, log_path, environment)
        # Import in the runner, while the zygote imports too, so that forked workers share them.
        import jupytext  # noqa: F401
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        if zygote is not None:
            kernel.wait_until_listening(zygote, socket_path, log_path)
        pool = WorkerPool(min(workers, len(jobs)), environment)
        queue, total, started, stopping = list(jobs), len(jobs), time.perf_counter(), False
        while queue or pool.busy():
            while queue and not stopping and (idle := pool.idle()):
                pool.submit(idle[0], queue.pop(0))
            if stopping and not pool.busy():
                break
            for job, outcome in pool.finished(timeout=0.5):
                outcomes[job.report.name] = outcome
                done = len(outcomes)
                elapsed = time.perf_counter() - started
                eta = elapsed / done * (total - done)
                status = "ok" if outcome["status"] == "built" else "FAILED"
                remaining = f", ETA {_minutes(eta)}" if total > done else ""
                print(
                    f"[{done}/{total}] {job.report.theme} {job.report.key} {status} "
                    f"{outcome['seconds']:.1f} s{remaining}",
                    file=out,
                    flush=True,
                )
                publish(outcome, functools.partial(on_outcome, job, outcome))
                stopping = stopping or (outcome["status"] != "built" and not keep_going)
            if queue and not stopping and not pool.busy() and not pool.idle():
                # Every worker died: the rest cannot run; fail them rather than wait forever.
                for job in queue:
                    outcomes[job.report.name] = outcome = _crash("no live worker left", 0.0)
                    on_outcome(job, outcome)
                queue.clear()
        pool.close()
        pool = None
    finally:
        if pool is not None:
            pool.kill()
        if zygote is not None:
            kernel.stop_zygote(zygote)
        shutil.rmtree(run_dir, ignore_errors=True)
    return outcomes


def failure_summary(failures: list[tuple[Report, dict]], root: Path) -> list[str]:
    """At most ten lines: theme, edition, cell, failing line, error, where the notebook is."""
    lines = [f"{len(failures)} report{'s' if len(failures) > 1 else ''} failed:"]
    shown = failures if len(failures) <= SUMMARY_LINES - 1 else failures[: SUMMARY_LINES - 2]
    for report, outcome in shown:
        place = []
        if outcome.get("cell"):
            place.append(f"cell {outcome['cell']}")
            if outcome.get("file_line"):
                place.append(f"({_relative(report.notebook, root)}:{outcome['file_line']})")
        if outcome.get("line"):
            place.append(f"`{_shorten(outcome['line'], 60)}`")
        where = f" {' '.join(place)}:" if place else ""
        kept = outcome.get("notebook")
        kept = f"; notebook: {_relative(Path(kept), root)}" if kept else ""
        error = _shorten(outcome["error"], 100)
        lines.append(f"  {report.theme} {report.key}:{where} {error}{kept}")
    if len(shown) < len(failures):
        lines.append(f"  ... and {len(failures) - len(shown)} more: see build/failed/")
    return lines


def _shorten(text: str, width: int) -> str:
    """One line of at most `width` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _relative(path: Path, root: Path) -> str:
    """A path relative to `root` where it lies below it."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- index page


def render_index(
    reports: list[Report], statuses: dict[str, str], data_set: DataSet, build: Path
) -> str:
    """`build/index.html`: editions x themes, a row per edition-set report, status and links."""
    css = (paths.PACKAGE_DIR / "report" / "templates" / "report.css").read_text(encoding="utf-8")
    by_name = {r.name: r for r in reports}
    grid_themes = list(dict.fromkeys(r.theme for r in reports if r.key != LATEST))
    set_reports = [r for r in reports if r.key == LATEST]
    editions = list(data_set.editions)

    def cell(report: Report | None) -> str:
        """One grid cell: status and links."""
        if report is None:
            return "<td></td>"
        status = statuses[report.name]
        links = []
        if report.product(build, ".html").exists():
            links.append(f'<a href="{report.theme}/{report.key}.html">report</a>')
            links.append(f'<a href="{report.theme}/{report.key}.csv">csv</a>')
        return f'<td><span class="status-{status}">{status}</span> {" · ".join(links)}</td>'

    # Editions down the side, themes across: the grid grows downwards as editions are added.
    head = "".join(f"<th>{html.escape(theme_title(t))}</th>" for t in grid_themes)
    rows = []
    for edition in editions:
        cells = "".join(cell(by_name.get(f"{theme}/{edition}")) for theme in grid_themes)
        rows.append(f"<tr><th>{html.escape(edition)}</th>{cells}</tr>")
    spanning = f'<td colspan="{max(len(grid_themes), 1)}">'
    for report in set_reports:
        label = f"{theme_title(report.theme)} ({', '.join(report.reads)})"
        rows.append(
            f"<tr><th>{html.escape(label)}</th>{cell(report).replace('<td>', spanning, 1)}</tr>"
        )
    if data_set.kind == "demo":
        notice = (
            '<div class="notice synthetic"><strong>Synthetic demo data.</strong> Every report '
            "below is built from the package's synthetic data set, calibrated to published "
            "headline figures. The numbers are not survey results.</div>"
        )
    else:
        notice = (
            '<div class="notice real"><strong>National survey data.</strong> Reports built from '
            "the national microdata mapped in data/mappings/; cells from fewer units than the "
            "disclosure threshold are suppressed.</div>"
        )
    codebook = (
        '<p><a href="codebook.html">Codebook</a>: every variable, its question and categories.</p>'
        if (build / "codebook.html").exists()
        else ""
    )
    counts = {s: list(statuses.values()).count(s) for s in ("built", "failed", "stale")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Innovation Barometer reports</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        '<main class="index">\n<h1>Nordic Innovation Barometer: reports</h1>\n'
        f"{notice}\n{codebook}\n<p>{summary}.</p>\n"
        f'<table class="grid">\n<thead><tr><th>Edition</th>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        f'<footer class="report-parameters"><p>Built by innobarometer {__version__}; '
        'what each report was built from is in <a href="manifest.json">manifest.json</a>.'
        "</p></footer>\n</main>\n</body>\n</html>\n"
    )


# ----------------------------------------------------------------------------- the command


@dataclass
class Assessment:
    """What the build found before running anything: the plan, the manifest and staleness."""

    themes: dict[str, Theme]
    data_set: DataSet
    planned: list[Report]
    selected: list[Report]
    manifest: dict
    retired: list[str]  # recorded reports no longer in the plan (their records already dropped)
    inputs: dict[str, dict]
    reasons: dict[str, list[str]]
    blocked: dict[str, list[str]]  # report -> editions whose harmonised data is out of date
    outdated: set[str]  # editions whose harmonised data is older than their inputs

    @property
    def stale(self) -> list[Report]:
        """The selected reports that must be rebuilt."""
        return [r for r in self.selected if self.reasons[r.name]]


def assess(
    themes: str | None, editions: str | None, data: str | None, overrides: dict | None = None
) -> Assessment:
    """Plan, select, and compare every selected report's input hashes with the manifest.

    `overrides` join every report's parameters here, so they are part of its input hash: a
    report built with another threshold is stale for a build without it, and the reverse.
    """
    build_dir = paths.build_dir()
    all_themes = discover_themes()
    data_set = load_data_set(data)
    planned = plan_reports(all_themes, data_set)
    if overrides:
        planned = [dataclasses.replace(r, parameters=r.parameters | overrides) for r in planned]
    selected = select_reports(planned, themes, editions)
    manifest = load_manifest(build_dir)
    retired = retired_reports(manifest, planned, data_set.kind)
    for name in retired:
        del manifest["reports"][name]
    prints = Fingerprints(package=package_digest(), dependencies=dependency_digest())
    inputs = {r.name: report_inputs(r, data_set, prints) for r in planned}
    reasons = {r.name: stale_reasons(r, inputs[r.name], manifest, build_dir) for r in selected}
    outdated = set(_outdated_editions(data))
    blocked = {}
    for report in selected:
        old_data = [e for e in report.reads if e in outdated]
        if old_data:
            reasons[report.name] = [f"data {e} out of date" for e in old_data]
            blocked[report.name] = old_data
    themes_by_name = {t.name: t for t in all_themes}
    return Assessment(
        themes_by_name,
        data_set,
        planned,
        selected,
        manifest,
        retired,
        inputs,
        reasons,
        blocked,
        outdated,
    )


def _outdated_editions(data: str | None) -> list[str]:
    """Editions whose harmonised data is older than its inputs (`datasets.outdated_editions`)."""
    from innobarometer.harmonise import datasets

    return datasets.outdated_editions(data)


def build(
    themes: str | None = None,
    editions: str | None = None,
    dry_run: bool = False,
    keep_going: bool = False,
    jobs: int | None = None,
    data: str | None = None,
    overrides: dict | None = None,
    out=None,
) -> int:
    """Build every stale report of the selection, then the index; return the exit code.

    `themes`/`editions` are comma-separated names (None: all); `overrides` are parameter values
    passed to every selected report (checked against each parameters cell like the planned ones).
    """
    out = out or sys.stdout
    if dry_run:
        found = assess(themes, editions, data, overrides or {})
        print(f"{len(found.stale)} of {len(found.selected)} reports stale", file=out)
        for report in found.stale:
            print(
                f"  {report.theme} {report.key}: {', '.join(found.reasons[report.name])}", file=out
            )
        for name in found.retired:
            print(f"  {name.replace('/', ' ')}: to be removed (no longer in the plan)", file=out)
        return 0
    build_dir = paths.build_dir()
    with exclusive(build_dir, out):
        found = assess(themes, editions, data, overrides or {})
        return _build(found, overrides or {}, jobs, keep_going, build_dir, out)


def _build(found: Assessment, overrides, jobs, keep_going, build_dir: Path, out) -> int:
    """The part of `build` that runs under the lock: prune, execute, index."""
    manifest, data_set = found.manifest, found.data_set
    if found.retired:
        for name in found.retired:
            for suffix in (".html", ".csv"):
                (build_dir / f"{name}{suffix}").unlink(missing_ok=True)
        manifest["data_set"] = data_set.kind
        save_manifest(build_dir, manifest)
    failures = []
    stale = [r for r in found.stale if r.name not in found.blocked]
    blocked = [r for r in found.stale if r.name in found.blocked]
    _record_blocked(blocked, found, manifest, build_dir)
    if stale:
        check_before_running(stale, found.themes, overrides, data_set)
        ordered = longest_first(stale, manifest)
        work = [_job(r, found.themes[r.theme], overrides, build_dir) for r in ordered]
        outcomes = _run(work, data_set, found.inputs, manifest, jobs, keep_going, out)
        failures = [(r, outcomes[r.name]) for r in stale if r.name in outcomes]
        failures = [(r, o) for r, o in failures if o["status"] != "built"]
    elif not blocked:
        print(f"{len(found.selected)} reports up to date", file=out)
    _refresh_codebook_page(data_set, manifest, build_dir)
    statuses = {
        r.name: _status(r, found.inputs[r.name], manifest, build_dir, found.outdated)
        for r in found.planned
    }
    index = render_index(found.planned, statuses, data_set, build_dir)
    index_path = build_dir / "index.html"
    if not index_path.exists() or index_path.read_text(encoding="utf-8") != index:
        write_atomically(index_path, index)
    if blocked:
        editions = ", ".join(sorted({e for r in blocked for e in found.blocked[r.name]}))
        print(
            f"harmonised data out of date for {editions}: the last `python -m innobarometer "
            "data` failed or has not run since its mapping, national file or the package "
            f"changed; {len(blocked)} reports marked failed (their last products kept). Run "
            "`python -m innobarometer data` to see the problems.",
            file=sys.stderr,
        )
    if failures:
        print("\n".join(failure_summary(failures, paths.project_root())), file=sys.stderr)
    return 1 if failures or blocked else 0


def _refresh_codebook_page(data_set: DataSet, manifest: dict, build_dir: Path) -> None:
    """Rewrite build/codebook.html when the package, the data set or a mapping changed (it takes
    about half a second, so a no-op build only compares hashes)."""
    page = build_dir / "codebook.html"
    inputs = {
        "kind": data_set.kind,
        "package": package_digest(),
        "mappings": {e: file_digest(p) for e, p in data_set.mappings.items()},
    }
    if manifest.get("codebook_page") == inputs and page.exists():
        return
    from innobarometer.pipeline.codebook_page import write_codebook_page

    write_codebook_page(page, data_set.kind)
    manifest["codebook_page"] = inputs
    save_manifest(build_dir, manifest)


def _record_blocked(blocked: list[Report], found: Assessment, manifest: dict, build_dir: Path):
    """Mark reports whose data is out of date as failed (their old products stay untouched)."""
    if not blocked:
        return
    for report in blocked:
        record = manifest.setdefault("reports", {}).get(report.name, {})
        manifest["reports"][report.name] = record | {
            "status": "failed",
            "inputs": found.inputs[report.name],
            "error": "harmonised data out of date: " + ", ".join(found.blocked[report.name]),
        }
    manifest["data_set"] = found.data_set.kind
    save_manifest(build_dir, manifest)


@contextlib.contextmanager
def exclusive(build_dir: Path, out):
    """Hold `build/.lock` for the whole build: a second build in the same folder waits."""
    import fcntl

    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build in {build_dir} to finish", file=out, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def longest_first(reports: list[Report], manifest: dict) -> list[Report]:
    """The order that leaves no long report for last on an idle pool: by the last build's time,
    longest first; before any build, edition-set reports (they read every country) first."""

    def expected(report: Report) -> float:
        """Seconds the report is expected to take."""
        record = manifest.get("reports", {}).get(report.name, {})
        return record.get("seconds", math.inf if report.key == LATEST else 0.0)

    return sorted(reports, key=expected, reverse=True)  # stable: ties keep the plan's order


def retired_reports(manifest: dict, planned: list[Report], kind: str) -> list[str]:
    """Reports in the manifest that the plan no longer has (a theme or mapping removed), or all
    of them when the data set changed between demo and real: the two never share a build."""
    recorded = sorted(manifest.get("reports", {}))
    if manifest.get("data_set", kind) != kind:
        return recorded
    names = {r.name for r in planned}
    return [name for name in recorded if name not in names]


def check_before_running(
    stale: list[Report], theme_of: dict[str, Theme], overrides: dict, data_set: DataSet
) -> None:
    """Everything that can fail without a kernel: parameter names, data files, kernel choice."""
    from innobarometer.pipeline import kernel

    validate_parameters(stale, theme_of, overrides)
    try:
        kernel.default_strategy()
    except ValueError as error:
        raise BuildError(str(error)) from None
    missing = sorted({e for r in stale for e in r.reads if not data_set.harmonised[e].exists()})
    if missing:
        raise BuildError(
            "harmonised data missing: "
            + ", ".join(str(data_set.harmonised[e]) for e in missing)
            + "; run `make data` (or `python -m innobarometer data`) first"
        )


def _job(report: Report, theme: Theme, overrides: dict, build_dir: Path) -> Job:
    """The worker's instructions for one report."""
    injected = report.parameters | overrides
    return Job(
        report=report,
        html=report.product(build_dir, ".html"),
        csv=report.product(build_dir, ".csv"),
        scratch=build_dir / ".tmp",
        failed=build_dir / "failed" / report.theme / f"{report.key}.ipynb",
        cwd=theme.notebook.parent,
        parameters=injected,
        shown_parameters=tuple((theme.defaults | injected).items()),
    )


def _run(work, data_set, inputs, manifest, jobs, keep_going, out) -> dict[str, dict]:
    """Execute the jobs, recording each finished report in the manifest as it arrives."""
    build_dir = paths.build_dir()
    scratch = build_dir / ".tmp"
    shutil.rmtree(scratch, ignore_errors=True)  # leftovers of a killed build
    scratch.mkdir(parents=True)
    manifest["data_set"] = data_set.kind

    def record(job: Job, outcome: dict) -> None:
        """Record a finished report in the manifest at once (an interrupted build keeps it)."""
        failed = outcome.get("notebook")
        manifest.setdefault("reports", {})[job.report.name] = {
            "status": outcome["status"],
            "inputs": inputs[job.report.name],
            "parameters": dict(job.shown_parameters),
            "package_version": __version__,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(outcome["seconds"], 2),
            "html": _relative(job.html, build_dir),
            "csv": _relative(job.csv, build_dir),
            "failed_notebook": _relative(Path(failed), build_dir) if failed else None,
        }
        save_manifest(build_dir, manifest)

    environment = {"INNOBAROMETER_ROOT": str(paths.project_root()), "DATA": data_set.kind}
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        workers = jobs or _cores()
        return execute(work, workers, keep_going, environment, out, record)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(scratch, ignore_errors=True)


def _cores() -> int:
    """The cores this process may use (the affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _status(report: Report, inputs: dict, manifest: dict, build: Path, outdated: set[str]) -> str:
    """built, failed or stale, as the index shows it (stale too when it read data that is now
    out of date, even if this build's selection left it out)."""
    record = manifest.get("reports", {}).get(report.name)
    if record and record.get("status") == "failed":
        return "failed"
    if set(report.reads) & outdated or stale_reasons(report, inputs, manifest, build):
        return "stale"
    return "built"


def run_build_command(args) -> int:
    """`python -m innobarometer build`: the command-line face of `build`."""
    try:
        return build(
            themes=args.themes,
            editions=args.editions,
            dry_run=args.dry_run,
            keep_going=args.keep_going,
            jobs=args.jobs,
            data=args.data,
        )
    except BuildError as error:
        print(f"build: {error}", file=sys.stderr)
        return 2
