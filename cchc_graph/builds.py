"""builds: one folder per build, made current by one rename; one build at a time; none removed held.

    <build_dir>/builds/<id>/            cchc.trig, cchc.nq, report.json of one build
    <build_dir>/builds/.staging-<id>/   a build being written (left behind only by a killed build)
    <build_dir>/current                 -> builds/<id>; replaced by os.replace: the swap
    <build_dir>/cchc.nq (.trig, report.json) -> current/<name>, for readers of the flat layout
    <build_dir>/.lock                   locked (exclusive) by the build that runs
    <build_dir>/builds/<id>/.lock       locked (shared) by each reader that holds that build

A build removes stale staging folders and every build but the current one, the one before it and
those held. Other entries of <build_dir> (store/, dumps/) are not touched.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from cchc_graph.errors import BuildError, CchcError

OUTPUTS = ("cchc.trig", "cchc.nq", "report.json")
READINGS = "read"  # what was read from each source file of another format than text
BUILDS = "builds"
CURRENT = "current"
LOCK = ".lock"
STAGING = ".staging-"
_OLD_STAGING = ".build-"  # the staging folders of the flat layout, left by a killed build
KEEP = 2  # the current build and the one before it

Notice = Callable[[str], None]


class NoBuildError(CchcError):
    """There is no built graph in the build folder."""

    exit_code = 2
    http_status = 503  # a server asked before any build: nothing to serve yet


def new_id() -> str:
    """A build id that sorts by time: UTC to the microsecond, then 6 random hex digits."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


@contextmanager
def exclusive(build_dir: Path, notice: Notice | None = None) -> Iterator[None]:
    """Hold the build lock of `build_dir` (waiting for another build, with a notice if it has
    to): builds of one folder run one after the other."""
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        lock = (build_dir / LOCK).open("a")
    except OSError as exc:
        raise BuildError(f"cannot lock the build folder {build_dir}: {exc}") from exc
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notice:
                notice(f"waiting for another build of {build_dir} to finish ({build_dir / LOCK})")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def publish(build_dir: Path, build_id: str, write: Callable[[Path], None]) -> Path:
    """Under `exclusive`: `write` fills a staging folder, which then becomes builds/<id>/ and the
    current build in one rename; returns that folder. When `write` raises, nothing changes."""
    sweep(build_dir)
    staging = build_dir / BUILDS / f"{STAGING}{build_id}"
    try:
        staging.mkdir(parents=True)
        (staging / LOCK).touch()  # made here, so that a reader needs no write access to hold it
        write(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = staging.with_name(build_id)
    try:
        staging.rename(final)
        _link(build_dir / CURRENT, Path(BUILDS) / build_id)
        for name in OUTPUTS:
            if _points_at(build_dir / name) != Path(CURRENT) / name:
                _link(build_dir / name, Path(CURRENT) / name)  # once: the flat layout's files go
    except OSError as exc:
        raise BuildError(f"could not make {final} the current build: {exc}") from exc
    sweep(build_dir)
    return final


def current_build(build_dir: Path) -> Path:
    """The folder of the current build, resolved (so that it stays the same folder while it is
    read); `build_dir` itself when it still has the flat layout of earlier versions."""
    pointer = build_dir / CURRENT
    if pointer.is_symlink():
        folder = pointer.resolve()
        if not folder.is_dir():
            raise NoBuildError(f"{pointer}: points at a build that is gone ({folder})")
        return folder
    if (build_dir / OUTPUTS[1]).is_file():
        return build_dir
    raise NoBuildError(f"{build_dir}: no graph yet; run `cchc build` first")


class Hold:
    """A shared lock on one build: cleanup leaves the build alone until `close()`."""

    def __init__(self, build: Path) -> None:
        self.build = build
        self._lock: int | None = None
        # a folder of the flat layout is not under builds/: cleanup never removes it
        if build.parent.name == BUILDS:
            self._lock = _shared_lock(build)

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    def __enter__(self) -> Hold:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def hold(build: Path) -> Hold:
    """Keep `build` (a folder from `current_build`) from cleanup while it is read: a server
    holds the build it loaded until it loads another. NoBuildError when cleanup took it first."""
    return Hold(build)


def hold_current(build_dir: Path, attempts: int = 5) -> Hold:
    """Hold the current build; when cleanup removed it between resolving and holding, hold the
    build that is current then."""
    for _ in range(attempts - 1):
        try:
            return hold(current_build(build_dir))
        except NoBuildError:
            continue
    return hold(current_build(build_dir))


def _shared_lock(build: Path) -> int:
    try:
        descriptor = os.open(build / LOCK, os.O_RDONLY | os.O_CREAT, 0o644)
    except FileNotFoundError as exc:
        raise NoBuildError(f"{build}: the build is gone") from exc
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    # cleanup may have removed the build while this waited for its lock: then this lock file
    # is no longer the one at that path
    try:
        still_there = os.stat(build / LOCK).st_ino == os.fstat(descriptor).st_ino
    except FileNotFoundError:
        still_there = False
    if not still_there:
        os.close(descriptor)
        raise NoBuildError(f"{build}: the build is gone")
    return descriptor


def sweep(build_dir: Path) -> list[Path]:
    """Under `exclusive`: remove staging folders (their builds were killed) and builds older than
    the one before the current one, except those held; returns what was removed."""
    folder = build_dir / BUILDS
    stale = sorted(build_dir.glob(f"{_OLD_STAGING}*")) + sorted(folder.glob(f"{STAGING}*"))
    removed = [p for p in stale if p.is_dir() and _remove(p)]
    return removed + [p for p in _old_builds(build_dir) if _remove_unless_held(p)]


def _old_builds(build_dir: Path) -> list[Path]:
    folder = build_dir / BUILDS
    if not folder.is_dir():
        return []
    done = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    try:
        current = current_build(build_dir)
    except NoBuildError:
        return []
    if current.parent != folder.resolve() or current.name not in done:
        return []  # the flat layout, or a pointer outside builds/: nothing here is known to be old
    position = done.index(current.name)
    kept = set(done[max(0, position - KEEP + 1) : position + 1])
    return [folder / name for name in done if name not in kept]


def _remove_unless_held(build: Path) -> bool:
    try:
        descriptor = os.open(build / LOCK, os.O_RDONLY | os.O_CREAT, 0o644)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return _remove(build)
    except BlockingIOError:
        return False  # a reader holds it
    finally:
        os.close(descriptor)


def _points_at(path: Path) -> Path | None:
    return Path(os.readlink(path)) if path.is_symlink() else None


def _remove(folder: Path) -> bool:
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def _link(path: Path, target: Path) -> None:
    """Point `path` at `target` with one rename of a new link, so that a reader finds either
    the old target or the new one, never nothing."""
    fresh = path.with_name(f".{path.name}-{secrets.token_hex(4)}")
    fresh.symlink_to(target)
    try:
        os.replace(fresh, path)
    except OSError:
        fresh.unlink(missing_ok=True)
        raise
