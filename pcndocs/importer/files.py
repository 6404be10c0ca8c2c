"""Name and write the profile files: slugs confined to the folder, atomic replacement."""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from pathlib import Path

from pcndocs.errors import OutputError


def slug(name: str) -> str:
    """Return a file-name stem: the name in lower case, other characters to single hyphens.

    'Central Liverpool PCN' -> 'central-liverpool-pcn'; accents are dropped ('Café' -> 'cafe');
    empty when nothing is left.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder, then rename it.

    An interrupted run leaves either the old file or the new one, never half a file.
    Raises OutputError when the folder or file cannot be written.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    done = False
    try:
        # os.open with 0o666 honours the umask, unlike tempfile's private 0o600 files.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        temporary.replace(path)
        done = True
    except OSError as exc:
        raise OutputError(path, f"cannot be written ({exc.strerror or exc})") from None
    finally:
        if not done:
            temporary.unlink(missing_ok=True)


def prepare_folder(folder: Path) -> None:
    """Create the output folder if needed; raise OutputError if it cannot be one."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(folder, f"cannot be created ({exc.strerror or exc})") from None
