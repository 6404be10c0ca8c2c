"""The user's cache folder, and the compiled templates kept there between runs.

Compiling the templates was about a third of a process's first render (226 ms of 311 ms),
paid again by every process and every worker. Jinja can keep each compiled template in a
folder; pcndocs keeps them in the user's cache folder (PCNDOCS_CACHE_DIR if set; empty
turns the cache off), in a folder named by the fingerprint of what compiles them (Python,
Jinja and pcndocs' own sandbox and template code), so no other version's code is ever run.

Never a source of stale output: Jinja files each template under its name and path, and keeps
the checksum of its source beside the code; a template whose text has changed by one byte
is compiled again. Safe under concurrent builds: Jinja writes each file under a temporary
name and renames it into place, so a reader sees a whole file or none, and a file it cannot
read is compiled afresh. Where the folder cannot be made (a read-only home), there is no
cache, and nothing else changes.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache

ENVIRONMENT_VARIABLE = "PCNDOCS_CACHE_DIR"


def cache_folder() -> Path | None:
    """Return pcndocs' folder in the user's cache, or None if PCNDOCS_CACHE_DIR is empty."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "pcndocs" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pcndocs"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".cache") / "pcndocs"


def compiler_fingerprint() -> str:
    """Return what the compiled templates depend on besides their own text, as a short hash."""
    digest = hashlib.sha256()
    digest.update(f"{sys.implementation.cache_tag}\0{jinja2.__version__}\0".encode())
    here = Path(__file__).resolve().parent
    for module in ("sandbox.py", "templating.py"):  # the code generator and the options
        digest.update((here / module).read_bytes())
    return digest.hexdigest()[:16]


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's folder of compiled templates, where a damaged file is compiled afresh."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a cut-off or garbled file: Jinja expects only whole ones
            bucket.reset()


@cache
def template_cache() -> BytecodeCache | None:
    """Return the compiled templates' cache for this process, or None where there is none."""
    folder = cache_folder()
    if folder is None:
        return None
    folder = folder / "templates" / compiler_fingerprint()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None  # a cache is only ever a saving
    if not os.access(folder, os.W_OK):
        return None
    return _CompiledTemplates(str(folder))
