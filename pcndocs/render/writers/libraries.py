"""Finds WeasyPrint's system libraries (Pango, HarfBuzz, fontconfig...) with one program, not 87.

WeasyPrint loads each library through cffi, trying several names in turn; for each name that
is not a file the dynamic loader knows, cffi asks `ctypes.util.find_library`, which on Linux
runs `ldconfig -p`, then gcc, then ld. Most names are for other systems and fail, so importing
WeasyPrint ran about 87 programs and spent about 190 ms of CPU in them, in every process.

WeasyPrint offers no setting for where its libraries are on Linux (WEASYPRINT_DLL_DIRECTORIES
is for Windows only), so while it loads, `ctypes.util.find_library` (the public function cffi
calls) answers from one read of the linker cache, exactly as its own first step does, and
skips the compiler and linker. A name the cache does not hold gets None, and cffi goes on to
the next name: each library has a name that the dynamic loader opens directly
(libpango-1.0.so.0...), so the same files are loaded. Should WeasyPrint fail to load that
way, it is loaded again with the full search, so nothing is lost but time.
"""

from __future__ import annotations

import ctypes.util
import importlib
import logging
import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

#: The WeasyPrint module that loads Pango, HarfBuzz and fontconfig when imported.
_LOADER = "weasyprint.text.ffi"

#: The linker cache's name for this machine's ABI, as ctypes.util reads it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


@cache
def linker_cache() -> bytes:
    """Return `ldconfig -p`, read once per process (empty where there is none)."""
    for program in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        if not Path(program).exists():
            continue
        try:
            result = subprocess.run(
                [program, "-p"],
                capture_output=True,
                env={"LC_ALL": "C", "LANG": "C"},
                check=False,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return result.stdout
    return b""


def find_in_linker_cache(name: str) -> str | None:
    """Return the file name the linker cache gives a library (`pango-1.0`), or None."""
    bits = "-32" if struct.calcsize("l") == 4 else "-64"
    abi = _ABI.get(os.uname().machine + bits, "libc6")
    pattern = rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name.encode()), re.escape(abi.encode()))
    found = re.search(pattern, linker_cache())
    return os.fsdecode(found.group(1)) if found else None


@contextmanager
def quick_library_search() -> Iterator[None]:
    """While inside, answer ctypes.util.find_library from the linker cache alone (Linux)."""
    if sys.platform != "linux":
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = find_in_linker_cache
    try:
        yield
    finally:
        ctypes.util.find_library = original


def load_weasyprint() -> None:
    """Import WeasyPrint, finding its libraries quickly, or with the full search if that fails."""
    if _LOADER in sys.modules:
        return
    try:
        with quick_library_search():
            importlib.import_module(_LOADER)
    except OSError as exc:
        log.info("WeasyPrint's libraries not found in the linker cache (%s); searching", exc)
        for module in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[module]
        importlib.import_module(_LOADER)
