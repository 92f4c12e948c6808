"""Progress of long commands: one bar per step with counts on a terminal, silent otherwise.

    with CommandProgress(self.stdout) as progress:
        with progress.step("import_settlements") as task:
            task.start(total=len(rows))
            for row in rows:
                ...
                task.advance()

On a terminal (the stream is a TTY) this draws rich progress bars; piped, in CI or in tests it
draws nothing and costs nothing, so library code can always report progress. Importers, the
bench and other loaders take a task and never need to know whether anyone watches.
"""

from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


class ProgressTask:
    """One step's bar. The silent base class is what code gets when nobody is watching."""

    def start(self, total: int | None) -> None:
        """Set how many units the step will advance by (None: unknown, a pulsing bar)."""

    def advance(self, units: int = 1) -> None:
        """Count units done."""

    def finish(self, completed: int | None = None) -> None:
        """Mark the step done, optionally with its final count."""


SILENT = ProgressTask()


class _RichTask(ProgressTask):
    def __init__(self, progress: Progress, task_id):
        self._progress = progress
        self._id = task_id
        self._total = None
        self._done = 0

    def start(self, total):
        self._total, self._done = total, 0
        self._progress.update(self._id, total=total, completed=0)

    def advance(self, units=1):
        self._done += units
        self._progress.advance(self._id, units)

    def finish(self, completed=None):
        done = completed if completed is not None else max(self._done, self._total or 0)
        self._total = self._done = done
        self._progress.update(self._id, total=done, completed=done)


class CommandProgress:
    """Bars on `stream` when it is a terminal (or when enabled=True), else silent."""

    def __init__(self, stream=None, *, enabled: bool | None = None):
        if enabled is None:
            isatty = getattr(stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._progress = None
        if enabled:
            console = Console(file=getattr(stream, "_out", stream), force_terminal=True)
            self._progress = Progress(
                TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console, transient=False,
            )

    def __enter__(self) -> "CommandProgress":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def step(self, description: str, total: int | None = None):
        """A bar for one step; marked done when the block ends."""
        if self._progress is None:
            yield SILENT
            return
        task = _RichTask(self._progress, self._progress.add_task(description, total=total))
        try:
            yield task
        finally:
            task.finish()
