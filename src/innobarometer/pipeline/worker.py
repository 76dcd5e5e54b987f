"""One report in a worker process: execute the notebook with papermill in a kernel of its own,
export the page and the CSV (the report layer's `export`) under temporary names; the runner renames
them into place as it records the report (`publish`)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from innobarometer.data_set import READS_ENV
from innobarometer.language import LANGUAGES_ENV
from innobarometer.pipeline.plan import Report

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Translation:
    """A report's page in one more language than English: where it goes and what the build puts
    around it (`pipeline.site.report_page` in that language)."""

    language: str
    html: Path
    csv: Path
    title: str
    header: str
    place: str
    citation: str


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
    header: str = ""  # the page's header, H1 place and citation (`pipeline.site.report_page`)
    place: str = ""
    citation: str = ""
    # The report's pages in its other languages: one execution renders every language, and the
    # export writes one page and CSV per language.
    translations: tuple[Translation, ...] = ()


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
    # lazy: an up-to-date build never loads papermill
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # lazy: the kernels and the report layer (pandas) load only when a report is stale
    from innobarometer.pipeline import kernel
    from innobarometer.report.export import export_html, figure_svgs, tables_csv

    notebook = jupytext.read(job.report.notebook, fmt="py:percent")
    parameters_index = next(
        i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])
    )
    stem = f"{job.report.theme}-{job.report.key}-{os.getpid()}"
    executed_path = job.scratch / f"{stem}.ipynb"
    job.failed.unlink(missing_ok=True)  # an earlier failure's notebook is not this run's
    # The kernel (which takes this process's environment) may read only what the plan hashed.
    os.environ[READS_ENV] = ",".join(job.report.reads)
    # ... and renders its text in every language it is published in.
    os.environ[LANGUAGES_ENV] = ",".join(["en", *(t.language for t in job.translations)])
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
    english = Translation(
        "en", job.html, job.csv, job.report.title, job.header, job.place, job.citation
    )
    # The figures' SVGs first: naming them gives the pages their download links.
    svgs = figure_svgs(executed, job.report.key)
    products, pages = [], []
    for page in (english, *job.translations):
        for name, texts in svgs:
            svg_tmp = job.scratch / f"{stem}.{page.language}.{name}"
            svg_tmp.write_text(texts.get(page.language, texts["en"]), encoding="utf-8")
            products.append((str(svg_tmp), str(page.html.parent / name)))
        html_text = export_html(
            executed,
            page.title,
            job.shown_parameters,
            page.header,
            page.place,
            page.citation,
            page.language,
        )
        html_tmp = job.scratch / f"{stem}.{page.language}.html"
        csv_tmp = job.scratch / f"{stem}.{page.language}.csv"
        html_tmp.write_text(html_text, encoding="utf-8")
        csv_tmp.write_text(tables_csv(executed, page.language), encoding="utf-8")
        products.append((str(csv_tmp), str(page.csv)))
        pages.append((str(html_tmp), str(page.html)))
    job.failed.unlink(missing_ok=True)
    # The runner renames them into place as it records the report (`publish`), the pages last,
    # so that every file they link is there.
    return {"status": "built", "products": [*products, *pages]}


@contextlib.contextmanager
def _uninterrupted():
    """Hold Ctrl-C and SIGTERM until the block is done: recorded in it, raised after it.

    Python-level handlers, not a signal mask: a mask holds a signal for the calling thread only,
    and the kernel hands a process-wide signal to any other thread (numpy's, a caller's)."""

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


def worker_loop(connection, environment: dict) -> None:
    """A pool worker: build the reports the runner sends until it sends None."""
    # Ctrl-C reaches the whole process group; the runner alone decides what to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.update(environment)
    while (job := connection.recv()) is not None:
        connection.send(run_report(job))
