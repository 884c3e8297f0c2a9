"""Train models in a child process at a lower OS priority, streaming the same events.

Why a process and not threads: the app's UI and a training thread share one interpreter
lock. A training thread niced below busy neighbours can be descheduled *while it holds the
lock*; the UI thread then waits for a thread the kernel will not run (priority inversion),
and OpenBLAS's worker threads, started before any thread was niced, keep the UI's
priority. A child process has its own lock, and every one of its threads (BLAS's
included, started after the child niced itself) runs at the lower priority.

``TrainingProcess.train`` (and the one-shot ``train_in_process``) has
``train_concurrently``'s interface: the models passed in are
trained *in place* (their final weights are copied back when the child is done, or has
stopped on request), the events are the same objects in the same per-model order, and the
child computes with the same engine on the same arrays, so a thread and a process give
bit-identical models for the same seed.

Protocol (pickles over two pipes; this module imports no NumPy at the top, so the child
can lower its priority before NumPy starts BLAS's threads):

* parent → child: ``("job", n, (models, x_train, y_train, x_test, y_test, config,
  watch, blas_threads))``, then maybe ``("stop", n)``; the next job when that one is
  over. End of file there means the parent is gone (or done with it): the child exits.
* child → parent: ``("events", [TrainEvent, ...])`` (batched, at most every
  ``FLUSH_SECONDS`` for batch ends; epoch ends, snapshots and cancellations go at once),
  then ``("done", [[param, ...] per model])`` or ``("error", exception)``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, TrainEvent

if TYPE_CHECKING:
    import numpy as np

    from tuicnn.nn.model import Sequential

#: The child sends batch ends at most this often (in lists): fewer wake-ups of the parent.
FLUSH_SECONDS = 0.02
#: How often the parent looks at the stop event while no event arrives.
POLL_SECONDS = 0.05
#: How long a stopped child may take to finish its batch and exit before it is killed.
EXIT_SECONDS = 5.0

_CHILD = "import sys; from tuicnn.nn.process_training import child_main; child_main(sys.argv[1:])"


class TrainingProcessDied(RuntimeError):
    """The child ended without reporting (killed, crashed, out of memory); one line."""


def available() -> bool:
    """A child with inherited pipes and its own niceness needs a POSIX system."""
    return os.name == "posix"


class TrainingProcess:
    """A child process that trains one job at a time, kept for the next run.

    Starting one costs Python's start and NumPy's import (~0.3 s on a quiet machine, more
    at nice +10 on a busy one): the app keeps its child between runs, so only the first run
    pays. Use from one thread at a time; ``close`` from another only when no job runs.
    """

    def __init__(self, nice: int = 0) -> None:
        self.nice = nice
        self._child, self._events, self._control, self._stderr = _start_child(nice)
        self._jobs = 0

    @property
    def pid(self) -> int:
        return self._child.pid

    @property
    def alive(self) -> bool:
        return self._child.poll() is None and not self._control.closed

    def train(
        self,
        models: Sequence[Sequential],
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        config: TrainConfig | None = None,
        stop: threading.Event | None = None,
        watch: str | None = None,
        blas_threads: int | None = None,
    ) -> Iterator[TrainEvent]:
        """Like ``train_concurrently`` (its arguments, its events), in the child.

        The models passed in get the trained weights when the child is done (or has
        stopped on request). If the child fails, its exception is raised here and the child
        stays for the next job; if it dies, ``TrainingProcessDied`` (and it is gone). A
        generator closed before the end ends the child too (its state is unknown).
        """
        import numpy as np

        config = config or TrainConfig()
        stop = stop or threading.Event()
        self._jobs += 1
        job = self._jobs
        finished = False
        try:
            with contextlib.suppress(OSError):  # it died before reading its job: said below
                self._control.send(
                    ("job", job, (list(models), x_train, y_train, x_test, y_test, config,
                                  watch, blas_threads)))
            asked_to_stop = False
            while True:
                if stop.is_set() and not asked_to_stop:
                    asked_to_stop = True
                    with contextlib.suppress(OSError):
                        self._control.send(("stop", job))
                try:
                    if not self._events.poll(POLL_SECONDS):
                        continue
                    kind, payload = self._events.recv()
                except (EOFError, OSError):
                    raise TrainingProcessDied(_death(self._child, self._stderr)) from None
                if kind == "events":
                    yield from payload
                elif kind == "done":
                    for model, arrays in zip(models, payload, strict=True):
                        for (_, param, _), array in zip(model.parameters(), arrays,
                                                        strict=True):
                            np.copyto(param, array)
                    finished = True
                    return
                else:
                    finished = True  # the child reported and waits for the next job
                    raise payload
        finally:
            if not finished:
                self.close()

    def close(self) -> None:
        """End the child (end of its control pipe; then terminate, then kill) and reap it."""
        _end_child(self._child, self._events, self._control, self._stderr)


def train_in_process(
    models: Sequence[Sequential],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    config: TrainConfig | None = None,
    stop: threading.Event | None = None,
    nice: int = 0,
    watch: str | None = None,
    on_start: Callable[[int], None] | None = None,
    blas_threads: int | None = None,
) -> Iterator[TrainEvent]:
    """Like ``train_concurrently``, in a child process of its own (ended afterwards).

    Args:
        nice: the child's OS niceness above this process's (all its threads, BLAS's too).
        on_start: called with the child's pid once it runs (tests check it is gone).

    Yields:
        The events of all models, interleaved, as ``train_concurrently`` yields them.

    Raises:
        The child's exception (re-raised here), or ``TrainingProcessDied`` when the child
        ended without a word. Either way the models passed in keep their weights. The
        child is gone when this generator ends, however it ends (closed early included).
    """
    process = TrainingProcess(nice)
    if on_start is not None:
        on_start(process.pid)
    try:
        yield from process.train(models, x_train, y_train, x_test, y_test, config, stop,
                                 watch, blas_threads)
    finally:
        process.close()


def _start_child(nice: int) -> tuple[subprocess.Popen, Connection, Connection, object]:
    """The child, and the parent's ends of the two pipes; its stderr goes to a temp file
    (never to the app's terminal), read back only to explain a crash."""
    events_read, events_write = os.pipe()
    control_read, control_write = os.pipe()
    # The child imports this very tuicnn, wherever it was imported from.
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, *filter(None, [env.get("PYTHONPATH")])])
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _end_child)
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(events_write), str(control_read), str(nice)],
            pass_fds=(events_write, control_read), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    except BaseException:
        for fd in (events_read, events_write, control_read, control_write):
            os.close(fd)
        stderr.close()
        raise
    os.close(events_write)
    os.close(control_read)
    return (child, Connection(events_read, writable=False),
            Connection(control_write, readable=False), stderr)


def _end_child(child: subprocess.Popen, events: Connection, control: Connection,
               stderr) -> None:
    """Make sure the child is gone and reaped: asked (end of its control pipe), then
    terminated, then killed."""
    control.close()  # a child still training sees end of file and exits at once
    events.close()
    try:
        child.wait(EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        child.terminate()
        try:
            child.wait(1.0)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    stderr.close()


def _death(child: subprocess.Popen, stderr) -> str:
    """One line on how the child ended, with the last line it wrote to stderr if any."""
    try:
        code = child.wait(EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        code = child.wait()
    how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    try:
        stderr.seek(0)
        lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines()]
        last = next((line for line in reversed(lines) if line), "")
    except OSError:
        last = ""
    return f"the training process ended unexpectedly ({how}){': ' + last if last else ''}"


# -- the child ----------------------------------------------------------------------------


def child_main(argv: list[str]) -> None:
    """Entry point of the child: lower its priority, then train each job it is sent."""
    events_fd, control_fd, nice = (int(arg) for arg in argv)
    if nice:
        _yield_to_other_sessions(nice)  # before NumPy: BLAS's threads are started nice
    events = Connection(events_fd, readable=False)
    control = Connection(control_fd, writable=False)
    import tuicnn.nn.concurrent  # noqa: F401  (NumPy and the engine, ready for the first job)

    jobs: queue.Queue = queue.Queue()
    current = [0, threading.Event()]  # the job running and its stop event
    threading.Thread(target=_listen, args=(control, jobs, current), name="train-control",
                     daemon=True).start()
    while True:
        number, job = jobs.get()
        stop = threading.Event()
        current[:] = [number, stop]
        try:
            _train_and_report(job, stop, events)
        except OSError:  # the parent closed its end: nobody to report to
            os._exit(1)
        except BaseException as error:  # reported to the parent, which re-raises it
            try:
                events.send(("error", error))
            except OSError:
                os._exit(1)
            except Exception:  # not picklable: a one-line equivalent
                events.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
        del job


def _yield_to_other_sessions(nice: int) -> None:
    """Lower this process's priority against its parent *and* against other sessions.

    Linux shares CPU time between sessions first ("autogroups", on by default where
    ``/proc/sys/kernel/sched_autogroup_enabled`` is 1) and only then between the processes
    inside one; a nice value ranks a process only within its own session. A child niced
    inside the app's session therefore still takes a whole session's share from a
    classmate's app on the same server. In a session of its own whose autogroup is niced,
    it runs when the other sessions leave a core free, and at full speed on an idle machine.
    The child keeps no terminal: it hears its parent's end through the control pipe.
    Where autogroups are off or absent, the plain nice value is what is left.
    """
    with contextlib.suppress(OSError):
        os.setsid()
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as autogroup:
        autogroup.write(str(nice))
    with contextlib.suppress(OSError):
        os.nice(nice)


def _listen(control: Connection, jobs: queue.Queue, current: list) -> None:
    """Queue jobs; stop the running one when asked; exit at once when the parent is gone."""
    try:
        while True:
            kind, number, *job = control.recv()
            if kind == "job":
                jobs.put((number, job[0]))
            elif kind == "stop" and current[0] == number:
                current[1].set()
    except (EOFError, OSError):
        os._exit(0)
    except BaseException:  # e.g. a job that cannot be unpickled: the parent reads why
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)


def _train_and_report(job: tuple, stop: threading.Event, events: Connection) -> None:
    from tuicnn.nn.concurrent import train_concurrently

    models, x_train, y_train, x_test, y_test, config, watch, blas_threads = job
    pending: list[TrainEvent] = []
    flushed = time.monotonic()
    for event in train_concurrently(models, x_train, y_train, x_test, y_test, config, stop,
                                    watch=watch, blas_threads=blas_threads):
        pending.append(event)
        now = time.monotonic()
        if not isinstance(event, BatchEnd) or now - flushed >= FLUSH_SECONDS:
            events.send(("events", pending))
            pending, flushed = [], now
    if pending:
        events.send(("events", pending))
    events.send(("done", [[param for _, param, _ in model.parameters()] for model in models]))
