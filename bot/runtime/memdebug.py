"""Where the memory goes: tracemalloc snapshots of the running bot, for finding what grows.

Off unless ``SHOWBOT_TRACEMALLOC`` names a folder (``python -m bot run`` reads it):

    SHOWBOT_TRACEMALLOC=/tmp/mem SHOWBOT_TRACEMALLOC_EVERY=30 python -m bot run ...
    kill -USR1 <pid>     # one more snapshot now

Each snapshot writes ``snapshot-NNN.txt`` there: the live objects by type, the traced
total, the top allocation sites and, from the second on, what grew most since the first
snapshot (so warm-up allocations fall out of the comparison). ``SHOWBOT_TRACEMALLOC_FRAMES``
(default 8) is the traceback depth kept per allocation (the comparison groups by the
innermost line; the tracebacks of the top growers are printed too); 0 skips tracemalloc and
keeps the object counts by type only. Tracing slows the bot down several times over (it
then cannot keep up with ``benchmarks/load.py``'s default rate: what grows is then its
backlog, not a leak): trace at a low rate (``load.py --rate 20 --tracemalloc DIR``), count
types at full rate (``--tracemalloc DIR --tracemalloc-frames 0``). Never for production.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import tracemalloc
from collections import Counter, deque
from pathlib import Path
from types import FrameType

TOP = 25
ENV_DIR = "SHOWBOT_TRACEMALLOC"
ENV_EVERY = "SHOWBOT_TRACEMALLOC_EVERY"
ENV_FRAMES = "SHOWBOT_TRACEMALLOC_FRAMES"
_IGNORED = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "*/linecache.py"),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
    tracemalloc.Filter(False, "<unknown>"),
)


class Snapshots:
    """Numbered tracemalloc dumps into one folder, each compared with the first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.first: tracemalloc.Snapshot | None = None
        self.first_types: Counter[str] | None = None
        self.first_sizes: dict[int, tuple[int, str]] | None = None
        self._lock = threading.Lock()

    def dump(self) -> Path:
        with self._lock:
            self.count += 1
            path = self.folder / f"snapshot-{self.count:03d}.txt"
            lines = self._types() + self._containers()
            if tracemalloc.is_tracing():
                lines += self._traces()
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return path

    def _types(self) -> list[str]:
        """Live objects (those the GC tracks) by type, and their growth since the first."""
        types = Counter(type(o).__qualname__ for o in gc.get_objects())
        lines = [f"{sum(types.values())} objects tracked by the GC", f"top {TOP} types:"]
        lines += [f"  {name}: {n}" for name, n in types.most_common(TOP)]
        if self.first_types is None:
            self.first_types = types
        else:
            grown = Counter(types)
            grown.subtract(self.first_types)
            lines += ["", f"top {TOP} type growth since snapshot 1:"]
            lines += [f"  {name}: {n:+d}" for name, n in grown.most_common(TOP) if n > 0]
        return [*lines, ""]

    def _containers(self) -> list[str]:
        """The biggest dicts, lists, sets and deques, and those that grew since the first
        snapshot: a growing dict is one object to the GC's count, however big it gets."""
        sizes: dict[int, tuple[int, str]] = {}
        for o in gc.get_objects():
            if isinstance(o, dict | list | set | deque):
                sizes[id(o)] = (len(o), _describe(o))
        if self.first_sizes is None:
            self.first_sizes = sizes
            grew: list[tuple[int, str]] = []
        else:
            before = self.first_sizes
            grew = sorted(
                ((n - before[i][0], what) for i, (n, what) in sizes.items() if i in before),
                reverse=True,
            )[:TOP]
        biggest = sorted(sizes.values(), reverse=True)[:TOP]
        lines = [f"top {TOP} containers by length:"]
        lines += [f"  {n}: {what}" for n, what in biggest]
        if grew:
            lines += ["", f"top {TOP} containers grown since snapshot 1 (same object):"]
            lines += [f"  {n:+d}: {what}" for n, what in grew if n > 0]
        return [*lines, ""]

    def _traces(self) -> list[str]:
        """The top allocation sites, and their growth since the first snapshot."""
        snapshot = tracemalloc.take_snapshot().filter_traces(_IGNORED)
        current, peak = tracemalloc.get_traced_memory()
        lines = [f"traced {current / 2**20:.2f} MiB (peak {peak / 2**20:.2f} MiB)", ""]
        lines.append(f"top {TOP} by line:")
        lines += [f"  {s}" for s in snapshot.statistics("lineno")[:TOP]]
        if self.first is None:
            self.first = snapshot
        else:
            growth = snapshot.compare_to(self.first, "lineno")
            lines += ["", f"top {TOP} growth since snapshot 1, by line:"]
            lines += [f"  {s}" for s in growth[:TOP]]
            lines += ["", "tracebacks of the top 5 growers:"]
            by_trace = snapshot.compare_to(self.first, "traceback")
            for stat in by_trace[:5]:
                lines.append(f"  {stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+d} blocks")
                lines += [f"    {line}" for line in stat.traceback.format()]
        return lines


def install_from_env(environ: dict[str, str] | None = None) -> Snapshots | None:
    """Start tracing and the periodic/SIGUSR1 dumps when ``SHOWBOT_TRACEMALLOC`` is set."""
    env = os.environ if environ is None else environ
    folder = env.get(ENV_DIR)
    if not folder:
        return None
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    frames = int(env.get(ENV_FRAMES, "8"))
    if frames > 0:  # 0: object counts by type only (cheap enough for a full-rate run)
        tracemalloc.start(frames)
    snapshots = Snapshots(target)
    every = float(env.get(ENV_EVERY, "0") or 0)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        # A thread of its own: a snapshot takes a while, and a signal handler must not.
        threading.Thread(target=snapshots.dump, name="tracemalloc-dump", daemon=True).start()

    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, on_signal)
    if every > 0:
        stop = threading.Event()

        def periodic() -> None:
            while not stop.wait(every):
                snapshots.dump()

        threading.Thread(target=periodic, name="tracemalloc-every", daemon=True).start()
    return snapshots


def _describe(o: object) -> str:
    """A container's type and a sample of what it holds, to find its owner by."""
    sample: object = None
    if isinstance(o, dict) and o:
        key = next(iter(o))
        sample = f"{type(key).__name__} -> {type(o[key]).__name__}"
    elif isinstance(o, list | deque) and o:
        sample = type(o[0]).__name__
    elif isinstance(o, set) and o:
        sample = type(next(iter(o))).__name__
    return f"{type(o).__name__} of {sample}"
