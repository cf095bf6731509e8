"""A memo of results that depend only on their inputs: kept in memory for the life of the
process (`serve`) and on disk under the cache directory (every later build), keyed by a
digest of the inputs and of the code, so a result is never taken for other inputs or by
other code."""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
LIBRARIES = ("vl-convert-python", "altair", "jinja2", "pydantic", "markdown-it-py", "pyyaml")
_MEMORY_LIMIT = 50_000  # entries kept in memory; past it the oldest go


@cache
def code_digest() -> str:
    """The package's code and the versions of the libraries that shape the output."""
    from beijing_econ_site.build.fingerprint import _tree_digest

    digest = hashlib.sha256()
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name}\0".encode())
    _tree_digest(digest, PACKAGE_DIR, contents=True)
    return digest.hexdigest()


def key_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


_memory: dict[str, Any] = {}


class Memo:
    """Results by key, in memory and, with a folder, on disk (each file checked against its sha256)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any | None:
        if key in _memory:
            self.hits += 1
            return _memory[key]
        if self.folder is not None:
            from beijing_econ_site.build.write import load_verified

            stored = load_verified(self.folder / key[:2] / f"{key}.pickle")
            if stored is not None:
                try:
                    value = pickle.loads(stored)
                except Exception as exc:  # written by another version of a library: make it again
                    log.debug("memo entry %s unreadable: %s", key, exc)
                else:
                    self.hits += 1
                    _remember(key, value)
                    return value
        self.misses += 1
        return None

    def put(self, key: str, value: Any) -> None:
        _remember(key, value)
        if self.folder is None:
            return
        from beijing_econ_site.build.write import store_verified

        path = self.folder / key[:2] / f"{key}.pickle"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            store_verified(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            log.debug("cannot keep a memo entry in %s: %s", self.folder, exc)


def _remember(key: str, value: Any) -> None:
    if len(_memory) >= _MEMORY_LIMIT:
        for old in list(_memory)[: _MEMORY_LIMIT // 10]:
            del _memory[old]
    _memory[key] = value


# Pure functions of a figure's words (how its quote states its value) run for every figure in
# every build, and a rebuild changes few quotes. Their results are kept for the life of the
# process and, between builds, in one file under the cache folder: a build loads it before it
# starts and leaves in it what it used, so it never grows past the site.
_LASTING: dict[str, tuple[dict[tuple[Any, ...], Any], set[tuple[Any, ...]]]] = {}
_LASTING_LIMIT = 200_000  # entries per function kept in memory; past it they are all let go
LASTING_FILE = "lasting.pickle"

P = ParamSpec("P")
R = TypeVar("R")


def lasting(function: Callable[P, R]) -> Callable[P, R]:
    """Cache a pure function of hashable positional arguments, in memory and between builds
    (load_lasting, save_lasting). Every argument that shapes the result must be one: the profile's
    currency words, for instance, are passed, not read from a global."""
    entries: dict[tuple[Any, ...], R] = {}
    used: set[tuple[Any, ...]] = set()
    _LASTING[f"{function.__module__}.{function.__qualname__}"] = (entries, used)

    @functools.wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs:
            raise TypeError(f"{function.__qualname__} is cached by its positional arguments only")
        used.add(args)
        try:
            return entries[args]
        except KeyError:
            pass
        if len(entries) >= _LASTING_LIMIT:
            entries.clear()
        value = entries[args] = function(*args, **kwargs)
        return value

    return cached


def load_lasting(folder: Path) -> None:
    """Take the results the last build left, if they were made by this code; a fresh process only
    (serve's later builds have them in memory already)."""
    if any(entries for entries, _ in _LASTING.values()):
        return
    from beijing_econ_site.build.write import load_verified

    stored = load_verified(folder / LASTING_FILE)
    if stored is None:
        return
    try:
        code, kept = pickle.loads(stored)
    except Exception as exc:  # written by another version of a library: made again as needed
        log.debug("lasting results unreadable: %s", exc)
        return
    if code != code_digest():
        return
    for name, results in kept.items():
        if name in _LASTING:
            _LASTING[name][0].update(results)


def save_lasting(folder: Path) -> None:
    """Keep the results this build used, for the next; then count afresh."""
    from beijing_econ_site.build.write import store_verified

    kept = {name: {key: entries[key] for key in used if key in entries} for name, (entries, used) in _LASTING.items()}
    for _, used in _LASTING.values():
        used.clear()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        store_verified(folder / LASTING_FILE, pickle.dumps((code_digest(), kept), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        log.debug("cannot keep lasting results in %s: %s", folder, exc)
