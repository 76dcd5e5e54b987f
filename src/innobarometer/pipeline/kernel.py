"""Kernels for the report build: one kernel process per report, forked from a warm "zygote".

A fresh Python kernel spends about 1.5 s starting and importing pandas, matplotlib and seaborn
before a report's first cell runs (measured on a 2-core machine). The zygote pays that once per
build: it imports the analysis libraries and IPython's kernel application (import only: no ZeroMQ
context, no threads), then listens on a Unix socket. The kernelspec's command is a tiny standard-
library launcher that asks the zygote to fork; the child starts a new session, takes the launcher's
working directory and environment and runs `IPKernelApp` on the connection file. Every report still
runs in its own process with a fresh namespace; only the imported modules are shared, copy-on-
write.

The launcher is the process jupyter_client manages: it forwards SIGINT/SIGTERM to the kernel and
exits with its status. If the launcher dies (a kill from the client), the zygote kills its kernel;
if the zygote dies, its kernels notice the lost parent and exit (ipykernel's parent poller).

Strategy `fresh` runs the same kernel entry point as a plain subprocess (no fork), for platforms
without `fork` and as the benchmark's comparison. This module imports only the standard library at
the top: it is also the launcher script and is imported by a no-op build.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import importlib
import itertools
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from queue import Empty

KERNEL_NAME = "innobarometer"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Set by the build runner in the worker processes, inherited by launchers.
ZYGOTE_SOCKET_ENV = "INNOBAROMETER_ZYGOTE"
RUN_DIR_ENV = "INNOBAROMETER_KERNEL_DIR"
STRATEGY_ENV = "INNOBAROMETER_KERNEL"
STRATEGIES = ("zygote", "fresh")
STARTUP_TIMEOUT = 60.0  # seconds, as papermill's default start_timeout
# What theme notebooks import; a module missing here is imported by the kernel itself.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "scipy.stats",
    "yaml",
    "matplotlib.pyplot",
    "seaborn",
    "IPython.display",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "sqlite3",
    "tornado.queues",
    "matplotlib_inline.backend_inline",
    # The report package loads its modules on first use: preload them (sections imports the rest).
    "innobarometer.report.sections",
    "innobarometer.analysis",
    "innobarometer.survey.estimate",
    "innobarometer.harmonise.datasets",
    "innobarometer.codebook",
    "innobarometer.survey.disclosure",
    "innobarometer.survey.compare",
    "innobarometer.survey.regression",
    # What survey.regression loads on first fit: seconds per model report if left to the workers.
    "patsy",
    "statsmodels.genmod.generalized_linear_model",
    "innobarometer.indicators",
)
WARM_CACHES = (
    ("innobarometer.codebook", "load_codebook"),
    ("innobarometer.indicators", "load_indicators"),
    ("innobarometer.analysis.editions", "load_active_editions"),
)
# No threads in the zygote before it forks (a fork copies only the calling thread): one BLAS thread,
# and no jemalloc background thread in pyarrow. Two kernels share two cores anyway.
SINGLE_THREADED = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}


def default_strategy() -> str:
    """`zygote` where fork is safe (Linux), else `fresh`; `INNOBAROMETER_KERNEL` overrides."""
    chosen = os.environ.get(STRATEGY_ENV) or ("zygote" if sys.platform == "linux" else "fresh")
    if chosen not in STRATEGIES:
        choices = ", ".join(STRATEGIES)
        raise ValueError(
            f"{STRATEGY_ENV}={chosen!r} is not a kernel strategy; use one of {choices}"
        )
    return chosen


def kernel_environment() -> dict[str, str]:
    """Environment every report kernel starts with: inline figures, single-threaded maths."""
    return {
        "MPLBACKEND": INLINE_BACKEND,
        "PYTHONHASHSEED": "0",
        # debugpy (imported by ipykernel) warns about frozen modules at every kernel start.
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **SINGLE_THREADED,
    }


def kernel_argv(strategy: str) -> list[str]:
    """The kernelspec command: the launcher (zygote) or the kernel itself (fresh)."""
    if strategy == "zygote":
        # -I -S: the launcher needs only the standard library, so skip site-packages start-up.
        return [sys.executable, "-I", "-S", __file__, "launch", "{connection_file}"]
    return [sys.executable, "-m", "innobarometer.pipeline.kernel", "kernel", "{connection_file}"]


@functools.cache
def kernel_manager_class() -> type:
    """An AsyncKernelManager for report kernels: IPC sockets at unique absolute paths."""
    # lazy: only kernel and zygote processes need it
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    serial = itertools.count()

    class ReportKernelClient(AsyncKernelClient):
        """A client that knows the kernel is ready as soon as IOPub carries its reply's status."""

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """Return once the kernel answers kernel_info and IOPub carries its status."""
            # jupyter_client waits for 0.2 s of IOPub silence after the first reply, a fifth of a
            # report's time. The idle status of our own kernel_info request proves the same
            # thing: the kernel answers and the IOPub subscription is live.
            deadline = time.monotonic() + (timeout or STARTUP_TIMEOUT)
            while time.monotonic() < deadline:
                request = self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                    while not _is_idle_after(
                        await self.iopub_channel.get_msg(timeout=0.2), request
                    ):
                        pass
                except Empty:
                    if not await self._async_is_alive():
                        raise RuntimeError("Kernel died before replying to kernel_info") from None
                    continue  # not connected yet: ask again, as jupyter_client does
                if reply["msg_type"] == "kernel_info_reply":
                    self._handle_kernel_info_reply(reply)
                    return
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    class ReportKernelManager(AsyncKernelManager):
        """Kernel of one report: this package's kernelspec, IPC transport in the run folder."""

        def __init__(self, **kwargs):
            """The package's kernelspec, IPC sockets named after this process and a serial."""
            super().__init__(**kwargs)
            # A relative IPC path is resolved against each process's cwd, and TCP ports race
            # between parallel workers: one absolute folder per build, one name per kernel.
            stem = Path(os.environ[RUN_DIR_ENV]) / f"k{os.getpid()}-{next(serial)}"
            self.transport = "ipc"
            self.ip = str(stem)
            self.cache_ports = False
            self.connection_file = f"{stem}.json"
            self.client_factory = ReportKernelClient
            self._kernel_spec = KernelSpec(
                argv=kernel_argv(default_strategy()),
                display_name="innobarometer report",
                language="python",
                interrupt_mode="signal",
                env=kernel_environment(),
            )

        async def _async_post_start_kernel(self, **kwargs):
            """Wait for the kernel's sockets to exist before the client connects."""
            # Connect once the kernel has bound its sockets: a client connecting earlier waits
            # for ZeroMQ's reconnect interval and misses the first status message, which costs
            # a kernel_info round of 0.2-0.3 s per report.
            ports = (self.shell_port, self.iopub_port, self.stdin_port, self.hb_port)
            sockets = [Path(f"{self.ip}-{port}") for port in (*ports, self.control_port)]
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not all(s.exists() for s in sockets) and time.monotonic() < deadline:
                if not await self.is_alive():
                    break  # the client reports a kernel that died while starting
                await asyncio.sleep(0.005)
            await super()._async_post_start_kernel(**kwargs)

        async def _async_wait(self, pollinterval: float = 0.005) -> None:
            """Wait for a killed kernel to be gone, polling every 5 ms."""
            # jupyter_client polls a killed kernel every 0.1 s; the launcher dies at once.
            await super()._async_wait(pollinterval=pollinterval)

    return ReportKernelManager


def _is_idle_after(message: dict, request: str) -> bool:
    """Whether an IOPub message is the kernel's idle status after handling `request`."""
    return (
        message["msg_type"] == "status"
        and message["content"].get("execution_state") == "idle"
        and message["parent_header"].get("msg_id") == request
    )


def run_kernel(argv: list[str]) -> int:
    """Run IPython's kernel on a connection file, figures inline (`argv`: file, then options)."""
    os.environ.update(kernel_environment())
    # lazy: only kernel and zygote processes need it
    from ipykernel.kernelapp import IPKernelApp
    from traitlets.config import Config

    config = Config()
    # A report kernel runs once: no input history to keep, so no SQLite file, commit or thread.
    config.HistoryManager.enabled = False
    # parent_handle: the kernel exits if its parent (the zygote, or the launching worker) dies.
    parent = int(os.environ.get("JPY_PARENT_PID") or 0)
    app = IPKernelApp.instance(
        config=config, exec_lines=["%matplotlib inline"], parent_handle=parent
    )
    app.initialize(["-f", argv[0], *argv[1:]])
    app.start()
    return 0


def preload() -> None:
    """Import the analysis libraries once, before any fork (a module that fails is skipped)."""
    os.environ.update(kernel_environment())
    for name in PRELOAD:
        # A module missing or broken here fails, with its traceback, in the report's own kernel.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    # The codebook and the indicator table are the same for every report of a build (package
    # files, hashed into every report's inputs), and so are the harmonised editions (cached by
    # their files' identity, so a file changed since is read again): read them once, kernels
    # inherit the caches.
    for module, loader in WARM_CACHES:
        with contextlib.suppress(Exception):
            getattr(importlib.import_module(module), loader)()


class Zygote:
    """The forking server: one connection per launcher, one forked kernel per connection."""

    def __init__(self, socket_path: str):
        """Bind and listen on `socket_path` (before the heavy imports)."""
        self.socket_path = socket_path
        self.parent = os.getppid()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(socket_path)
        # Listen before preloading: launchers queue in the backlog while the imports run.
        self.listener.listen(128)
        self.selector = selectors.DefaultSelector()
        self.wakeup_read, self.wakeup_write = os.pipe()
        os.set_blocking(self.wakeup_write, False)
        self.kernels: dict[int, socket.socket] = {}  # kernel pid -> its launcher's connection
        self.stopping = False

    def serve(self) -> None:
        """Accept launchers until told to stop or orphaned; kill every kernel on the way out."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build runner decides about Ctrl-C
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wakeup_write)
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wakeup_read, selectors.EVENT_READ, "wakeup")
        try:
            while not self.stopping and os.getppid() == self.parent:
                for key, _ in self.selector.select(timeout=1.0):
                    if key.data == "accept":
                        self._spawn()
                    elif key.data == "wakeup":
                        os.read(self.wakeup_read, 512)
                    else:
                        self._launcher_closed(key.data, key.fileobj)
                self._reap()
        finally:
            for pid in list(self.kernels):
                self._kill(pid)
            self._reap()
            self.listener.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.socket_path)

    def _stop(self, *_):
        """SIGTERM: leave the loop, killing every kernel."""
        self.stopping = True

    def _spawn(self) -> None:
        """Accept one launcher, fork its kernel and tell the launcher the pid."""
        connection, _ = self.listener.accept()
        request = json.loads(connection.makefile("rb").readline() or b"null")
        if not request:
            connection.close()
            return
        pid = os.fork()
        if pid == 0:
            self._become_kernel(request, connection)
        self.kernels[pid] = connection
        connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        self.selector.register(connection, selectors.EVENT_READ, pid)

    def _become_kernel(self, request: dict, launcher: socket.socket) -> None:
        """In the forked child: drop the server's state and run the kernel; never returns."""
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
                signal.signal(signum, signal.SIG_DFL)
            self.selector.close()
            self.listener.close()
            # Only the zygote talks to launchers: a kernel holding the zygote's end of its own
            # launcher's connection would hide the zygote's death from that launcher.
            for connection in (launcher, *self.kernels.values()):
                connection.close()
            os.close(self.wakeup_read)
            os.close(self.wakeup_write)
            os.setsid()
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            # ipykernel's parent poller then exits the kernel if the zygote goes away.
            os.environ["JPY_PARENT_PID"] = str(os.getppid())
            code = run_kernel(request["argv"])
        except BaseException:  # noqa: BLE001 - report anything, then leave the forked child
            traceback.print_exc()
        finally:
            os._exit(code)

    def _launcher_closed(self, pid: int, connection: socket.socket) -> None:
        """A launcher's connection is readable: only EOF is expected."""
        # The launcher went away (killed by the client): its kernel must not outlive it.
        if connection.recv(64) == b"":
            self.selector.unregister(connection)
            self._kill(pid)

    def _kill(self, pid: int) -> None:
        """Kill a kernel and anything it started (its own session)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    def _reap(self) -> None:
        """Collect exited kernels and send each launcher its kernel's exit status."""
        while self.kernels:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            connection = self.kernels.pop(pid, None)
            if connection is None:
                continue
            with contextlib.suppress(OSError):
                code = os.waitstatus_to_exitcode(status)
                connection.sendall(json.dumps({"exit": code}).encode() + b"\n")
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(connection)
            connection.close()


def serve_zygote(socket_path: str) -> None:
    """Entry point of the zygote process; exits without tearing down what it imported."""
    zygote = Zygote(socket_path)
    preload()
    # Kernels start with every preloaded object in the permanent generation: their collector
    # never walks them, so the pages they share with the zygote stay shared (Python's gc docs).
    gc.freeze()
    zygote.serve()
    sys.stdout.flush()
    sys.stderr.flush()
    # Unloading pandas, scipy and matplotlib at exit takes a third of a second the build waits for.
    os._exit(0)


def launch(argv: list[str]) -> int:
    """The kernelspec command: ask the zygote for a kernel, relay signals, exit with its status."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    try:
        connection.connect(os.environ[ZYGOTE_SOCKET_ENV])
        connection.sendall(json.dumps(request).encode() + b"\n")
        replies = connection.makefile("rb")
        pid = json.loads(replies.readline())["pid"]
    except (OSError, ValueError, KeyError):
        # The build is stopping (Ctrl-C): its zygote is gone, or closed this launcher's waiting
        # connection. No kernel, and no traceback.
        print("no kernel: the build that asked for it is stopping", file=sys.stderr)
        return 1

    def relay(signum, _frame):
        """Pass a signal on to the kernel."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, relay)
    reply = replies.readline()
    return json.loads(reply)["exit"] if reply else 1


def start_zygote(socket_path: str, log_path: str, environment: dict) -> subprocess.Popen:
    """Start the zygote process listening on `socket_path` (its output goes to `log_path`), in
    the reports' `environment` (project root, data set) so that its caches are theirs."""
    env = {**os.environ, **environment, **kernel_environment()}
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "innobarometer.pipeline.kernel", "zygote", socket_path],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
        )


def wait_until_listening(process: subprocess.Popen, socket_path: str, log_path: str) -> None:
    """Return once the zygote accepts launchers (it binds before importing anything heavy)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not os.path.exists(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            with open(log_path, encoding="utf-8", errors="replace") as log:
                tail = "".join(log.readlines()[-20:])
            raise RuntimeError(f"the kernel zygote did not start (exit {process.poll()}):\n{tail}")
        time.sleep(0.005)


def stop_zygote(process: subprocess.Popen) -> None:
    """Stop the zygote; it kills the kernels it forked before it exits."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str]) -> int:
    """`zygote SOCKET`, `launch CONNECTION_FILE [options]` or `kernel CONNECTION_FILE [options]`."""
    command, *rest = argv
    if command == "zygote":
        serve_zygote(rest[0])
    if command == "launch":
        return launch(rest)
    if command == "kernel":
        return run_kernel(rest)
    raise SystemExit(f"unknown command {command!r}: use zygote, launch or kernel")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
