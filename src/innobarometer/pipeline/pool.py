"""The runner: a pool of forked worker processes (at most one per core), one report at a time
each, progress lines as reports finish, and a summary of the failures.

Ctrl-C or SIGTERM kills the workers and the zygote (and with it every kernel) at once; products are
renamed into place only when complete, so none is left half-written.
"""

from __future__ import annotations

import functools
import multiprocessing
import shutil
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from innobarometer.pipeline.plan import Report
from innobarometer.pipeline.worker import Job, publish, worker_loop

SUMMARY_LINES = 10


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

        context = multiprocessing.get_context("fork")
        self.workers = []
        for _ in range(size):
            ours, theirs = context.Pipe()
            process = context.Process(target=worker_loop, args=(theirs, environment), daemon=True)
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

    # lazy: the kernels load only when a report is stale
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

        import innobarometer.report.export  # noqa: F401

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
                place.append(f"({relative_path(report.notebook, root)}:{outcome['file_line']})")
        if outcome.get("line"):
            place.append(f"`{_shorten(outcome['line'], 60)}`")
        where = f" {' '.join(place)}:" if place else ""
        kept = outcome.get("notebook")
        kept = f"; notebook: {relative_path(Path(kept), root)}" if kept else ""
        error = _shorten(outcome["error"], 100)
        lines.append(f"  {report.theme} {report.key}:{where} {error}{kept}")
    if len(shown) < len(failures):
        lines.append(f"  ... and {len(failures) - len(shown)} more: see build/failed/")
    return lines


def _shorten(text: str, width: int) -> str:
    """One line of at most `width` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def relative_path(path: Path, root: Path) -> str:
    """A path relative to `root` where it lies below it."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)
