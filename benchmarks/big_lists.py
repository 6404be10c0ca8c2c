"""A list-size file of two million rows: refused or streamed, in time and memory. Measured only.

Three files read by `read_list_sizes`, each in a process of its own (peak memory is that
process's ru_maxrss, Python's start-up included): NHS Digital's real file (6,600 practices),
two million rows of practice totals (refused at the 20,001st practice), and two million rows
of breakdowns by sex and age (10,000 practices, read a row at a time). Side by side in one run:

    .venv/bin/python benchmarks/big_lists.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = 2_000_000
HEADER = (
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n"
)
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "gp-reg-pat-prac-all-2021-01.csv"

_READ = """
import resource, sys
from pathlib import Path
from pcndocs.errors import PcndocsError
from pcndocs.importer.lists import read_list_sizes
try:
    outcome = f"{len(read_list_sizes(Path(sys.argv[1])).sizes):,} practices read"
except PcndocsError as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[1][:60]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.0f}\\t{outcome}")
"""


def write_files(folder: Path) -> dict[str, Path]:
    """Write the two hostile files; return every file to read, by name."""
    totals, breakdown = folder / "totals.csv", folder / "breakdown.csv"
    with totals.open("w", encoding="utf-8") as stream:
        stream.write(HEADER)
        for n in range(ROWS):
            stream.write(f"L,01JAN2021,GP,00L,E1,Z{n:07d},NE1,ALL,ALL,{1000 + n % 9000}\n")
    with breakdown.open("w", encoding="utf-8") as stream:
        stream.write(HEADER)
        for n in range(ROWS):
            sex, age = ("ALL", "ALL") if n % 200 == 0 else ("MALE", str(n % 95))
            stream.write(f"L,01JAN2021,GP,00L,E1,A{n // 200:05d},NE1,{sex},{age},{n % 900}\n")
    files = {"2,000,000 rows of practice totals": totals, "2,000,000 rows of breakdowns": breakdown}
    return ({"NHS Digital's file (2021-01)": REAL} if REAL.is_file() else {}) | files


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pcndocs-lists-") as folder:
        files = write_files(Path(folder))
        print(f"{'file':<36} {'MB':>5} {'seconds':>8} {'peak MB':>8}  outcome")
        for name, path in files.items():
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-c", _READ, str(path)], capture_output=True, text=True, check=True
            )
            seconds = time.monotonic() - started
            peak, outcome = done.stdout.strip().split("\t")
            size = path.stat().st_size / 1_048_576
            print(f"{name:<36} {size:>5.0f} {seconds:>8.1f} {peak:>8}  {outcome}")


if __name__ == "__main__":
    main()
