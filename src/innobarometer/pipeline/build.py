"""The report build behind `make all`: plan, assess staleness, run the stale reports, then the
index page, the codebook page and the manifest.

Heavy libraries are imported only when something is stale, so an up-to-date build answers in a
fraction of a second. Harmonised data older than its inputs blocks the reports that read it (they
are marked failed and keep their last products) instead of being built on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import math
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from innobarometer import __version__, language, paths
from innobarometer.codebook import codebook_translation_path
from innobarometer.pipeline.datapackage import write_data_package
from innobarometer.pipeline.index_page import render_index
from innobarometer.pipeline.manifest import (
    Fingerprints,
    code_digests,
    dependency_digest,
    file_digest,
    load_manifest,
    report_inputs,
    save_manifest,
    stale_reasons,
)
from innobarometer.pipeline.methodology_page import doc_paths
from innobarometer.pipeline.plan import (
    BuildError,
    DataSet,
    Report,
    Theme,
    discover_themes,
    load_data_set,
    plan_reports,
    select_reports,
    validate_parameters,
)
from innobarometer.pipeline.pool import execute, failure_summary, relative_path
from innobarometer.pipeline.site import Page, language_folder, report_languages, report_page
from innobarometer.pipeline.worker import Job, Translation
from innobarometer.wording import did_you_mean


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
    # (report, language) -> its page's header, H1 place and citation (`site.report_page`)
    pages: dict[tuple[str, str], Page]
    languages: tuple[str, ...] = (language.ENGLISH,)  # the languages this build publishes in

    @property
    def stale(self) -> list[Report]:
        """The selected reports that must be rebuilt."""
        return [r for r in self.selected if self.reasons[r.name]]


def assess(
    themes: str | None,
    editions: str | None,
    data: str | None,
    overrides: dict | None = None,
    languages: str | None = None,
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
    prints = Fingerprints(code=code_digests(), dependencies=dependency_digest())
    chosen = select_languages(languages)
    published = {r.name: report_languages(r, chosen) for r in planned}
    pages = {
        (r.name, code): report_page(r, planned, data_set, code, chosen)
        for r in planned
        for code in published[r.name]
    }
    # A report's page links its neighbours in the plan: a new edition or theme changes it; each
    # language's catalog and codebook wording are inputs of the pages in that language.
    inputs = {
        r.name: report_inputs(r, data_set, prints)
        | {"page": _pages_digest([pages[(r.name, c)] for c in published[r.name]])}
        | {f"language {c}": _language_digest(c, prints) for c in published[r.name][1:]}
        for r in planned
    }
    reasons = {r.name: stale_reasons(r, inputs[r.name], manifest, build_dir) for r in selected}
    for report in selected:
        for code in published[report.name][1:]:
            if not translated_product(report, build_dir, code, ".html").exists():
                reasons[report.name].append(f"{code} page missing")
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
        pages,
        chosen,
    )


def select_languages(option: str | None) -> tuple[str, ...]:
    """The languages of `--languages` (comma-separated; default all), English always among them,
    in `language.LANGUAGES` order; an unknown one is a BuildError naming the known ones."""
    named = [c.strip() for c in (option or "").split(",") if c.strip()] or list(language.LANGUAGES)
    for code in named:
        if code not in language.LANGUAGES:
            raise BuildError(
                f"--languages: no language {code!r}{did_you_mean(code, language.LANGUAGES)}; "
                f"the languages are {', '.join(language.LANGUAGES)}"
            )
    return tuple(c for c in language.LANGUAGES if c == language.ENGLISH or c in named)


def translated_product(report: Report, build_dir: Path, code: str, suffix: str) -> Path:
    """A report's product in language `code`: `build/<code>/<theme>/<key><suffix>` (English:
    `build/<theme>/<key><suffix>`)."""
    return report.product(build_dir / language_folder(code), suffix)


def _pages_digest(pages: list[Page]) -> str:
    """One hash of a report's pages in all its languages."""
    return hashlib.sha256("".join(p.digest for p in pages).encode()).hexdigest()


def _language_digest(code: str, prints: Fingerprints) -> str:
    """The hash of a language's catalog and codebook wording (empty when it has neither)."""
    files = [language.po_path(code), codebook_translation_path(code)]
    return "".join(prints.of_file(f) if f.exists() else "-" for f in files)


def _outdated_editions(data: str | None) -> list[str]:
    """Editions whose harmonised data is older than its inputs (`datasets.outdated_editions`)."""
    # lazy: an up-to-date build never loads it
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
    languages: str | None = None,
) -> int:
    """Build every stale report of the selection, then the index; return the exit code.

    `themes`/`editions` are comma-separated names (None: all); `overrides` are parameter values
    passed to every selected report (checked against each parameters cell like the planned ones).
    """
    out = out or sys.stdout
    if dry_run:
        found = assess(themes, editions, data, overrides or {}, languages)
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
        found = assess(themes, editions, data, overrides or {}, languages)
        return _build(found, overrides or {}, jobs, keep_going, build_dir, out)


def _build(found: Assessment, overrides, jobs, keep_going, build_dir: Path, out) -> int:
    """The part of `build` that runs under the lock: prune, execute, index."""
    manifest, data_set = found.manifest, found.data_set
    if found.retired:
        for name in found.retired:
            for suffix in (".html", ".csv"):
                for code in language.LANGUAGES:
                    (build_dir / language_folder(code) / f"{name}{suffix}").unlink(missing_ok=True)
        manifest["data_set"] = data_set.kind
        save_manifest(build_dir, manifest)
    failures = []
    stale = [r for r in found.stale if r.name not in found.blocked]
    blocked = [r for r in found.stale if r.name in found.blocked]
    _record_blocked(blocked, found, manifest, build_dir)
    if stale:
        check_before_running(stale, found.themes, overrides, data_set)
        ordered = longest_first(stale, manifest)
        work = [_job(r, found, overrides, build_dir) for r in ordered]
        outcomes = _run(work, data_set, found.inputs, manifest, jobs, keep_going, out)
        failures = [(r, outcomes[r.name]) for r in stale if r.name in outcomes]
        failures = [(r, o) for r, o in failures if o["status"] != "built"]
    elif not blocked:
        print(f"{len(found.selected)} reports up to date", file=out)
    _refresh_codebook_page(data_set, manifest, build_dir, found.languages)
    _refresh_methodology_page(manifest, build_dir, found.languages)
    write_data_package(found.planned, data_set, build_dir, found.languages)
    statuses = {
        r.name: _status(r, found.inputs[r.name], manifest, build_dir, found.outdated)
        for r in found.planned
    }
    for code in found.languages:
        present = [r for r in found.planned if code in report_languages(r, found.languages)]
        index = render_index(present, statuses, data_set, build_dir, code, found.languages)
        index_path = build_dir / language_folder(code) / "index.html"
        if not index_path.exists() or index_path.read_text(encoding="utf-8") != index:
            paths.write_atomically(index_path, index)
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


def _refresh_codebook_page(
    data_set: DataSet, manifest: dict, build_dir: Path, languages: tuple[str, ...]
) -> None:
    """Rewrite build/codebook.html (and each language's) when the package, the data set, a
    mapping or the language's wording changed (each takes about half a second, so a no-op build
    only compares hashes)."""
    for code in languages:
        page = build_dir / language_folder(code) / "codebook.html"
        inputs = {
            "kind": data_set.kind,
            "code": paths.layers_digest(*paths.LAYERS),
            "mappings": {e: file_digest(p) for e, p in data_set.mappings.items()},
            "language": _language_digest(code, Fingerprints({}, "")),
        }
        key = "codebook_page" if code == language.ENGLISH else f"codebook_page {code}"
        if manifest.get(key) == inputs and page.exists():
            continue
        # lazy: an up-to-date build never loads it
        from innobarometer.pipeline.codebook_page import write_codebook_page

        with language.speaking(code):
            write_codebook_page(page, data_set.kind)
        manifest[key] = inputs
        save_manifest(build_dir, manifest)


def _refresh_methodology_page(manifest: dict, build_dir: Path, languages: tuple[str, ...]) -> None:
    """Rewrite build/methodology.html (and each language's) when a doc it is made from, the
    package or the language's catalog changed."""
    for code in languages:
        page = build_dir / language_folder(code) / "methodology.html"
        inputs = {
            "code": paths.layers_digest(*paths.LAYERS),
            "docs": {p.name: file_digest(p) for p in doc_paths()},
            "language": _language_digest(code, Fingerprints({}, "")),
        }
        key = "methodology_page" if code == language.ENGLISH else f"methodology_page {code}"
        if manifest.get(key) == inputs and page.exists():
            continue
        # lazy: an up-to-date build never loads the markdown renderer
        from innobarometer.pipeline.methodology_page import (
            MethodologyError,
            write_methodology_page,
        )

        try:
            with language.speaking(code):
                write_methodology_page(page)
        except MethodologyError as error:
            raise BuildError(str(error)) from None
        manifest[key] = inputs
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
        return record.get("seconds", math.inf if report.edition_set else 0.0)

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
    # lazy: an up-to-date build never loads it
    from innobarometer.pipeline import kernel

    validate_parameters(stale, theme_of, overrides)
    try:
        kernel.default_strategy()
    except ValueError as error:
        raise BuildError(str(error)) from None
    written = (data_set.harmonised, data_set.facts)
    # Delivered editions' tables are checked by the plan (`plan.load_delivered`).
    missing = sorted(
        {f[e] for r in stale for e in r.reads for f in written if e in f and not f[e].exists()}
    )
    if missing:
        raise BuildError(
            "harmonised data missing: "
            + ", ".join(map(str, missing))
            + "; run `make data` (or `python -m innobarometer data`) first"
        )


def _job(report: Report, found: Assessment, overrides: dict, build_dir: Path) -> Job:
    """The worker's instructions for one report: its English page and its other languages'."""
    theme = found.themes[report.theme]
    page = found.pages[(report.name, language.ENGLISH)]
    injected = report.parameters | overrides
    translations = tuple(
        Translation(
            code,
            translated_product(report, build_dir, code, ".html"),
            translated_product(report, build_dir, code, ".csv"),
            found.pages[(report.name, code)].title,
            found.pages[(report.name, code)].header,
            found.pages[(report.name, code)].place,
            found.pages[(report.name, code)].citation,
        )
        for code in report_languages(report, found.languages)[1:]
    )
    return Job(
        report=report,
        html=report.product(build_dir, ".html"),
        csv=report.product(build_dir, ".csv"),
        scratch=build_dir / ".tmp",
        failed=build_dir / "failed" / report.theme / f"{report.key}.ipynb",
        cwd=theme.notebook.parent,
        parameters=injected,
        shown_parameters=tuple((theme.defaults | injected).items()),
        header=page.header,
        place=page.place,
        citation=page.citation,
        translations=translations,
    )


def _interrupt(signum, _frame):
    """SIGTERM handler: stop the runner the way Ctrl-C does."""
    raise KeyboardInterrupt


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
            "html": relative_path(job.html, build_dir),
            "csv": relative_path(job.csv, build_dir),
            # The same report in its other languages: the same numbers, other words.
            "languages": {
                t.language: {
                    "html": relative_path(t.html, build_dir),
                    "csv": relative_path(t.csv, build_dir),
                }
                for t in job.translations
            },
            "failed_notebook": relative_path(Path(failed), build_dir) if failed else None,
        }
        save_manifest(build_dir, manifest)

    environment = {"INNOBAROMETER_ROOT": str(paths.project_root()), "DATA": data_set.kind}
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        workers = jobs or available_cores()
        return execute(work, workers, keep_going, environment, out, record)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(scratch, ignore_errors=True)


def available_cores() -> int:
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
            languages=getattr(args, "languages", None),
        )
    except BuildError as error:
        print(f"build: {error}", file=sys.stderr)
        return 2
