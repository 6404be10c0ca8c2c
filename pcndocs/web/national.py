"""The national files uploaded to the server: read once, searched, turned into a profile.

The files are read by the same importer as `pcndocs import`, from a private temporary
folder under names the server chooses; the browser's file names are used in messages only.
A few uploads are kept in memory for a search and a choice, then forgotten.
"""

from __future__ import annotations

import secrets
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pcndocs.errors import PcndocsError
from pcndocs.importer import ListSizes, Network, network_cautions, read_epcn, read_list_sizes
from pcndocs.importer.codes import normalise_code
from pcndocs.importer.names import format_name
from pcndocs.importer.profiles import profile_text

UPLOADS_KEPT = 4
MATCHES_SHOWN = 50


@dataclass(frozen=True)
class Match:
    """A network found by a search."""

    code: str
    label: str


@dataclass
class Upload:
    """One pair of national files, read."""

    key: str
    networks: list[Network]
    list_sizes: ListSizes | None
    epcn_name: str
    lists_name: str | None
    problems: list[str]

    @property
    def names(self) -> str:
        """Return the uploaded files' names, for the page."""
        return self.epcn_name + (f" and {self.lists_name}" if self.lists_name else "")

    def search(self, query: str, commissioner: bool = False) -> list[Match]:
        """Return the networks whose name holds the words, or of a PCN code.

        With `commissioner`, a network whose commissioner's name holds them is found too:
        all the networks of one commissioner, for an LMC adviser.
        """
        code = normalise_code(query)
        words = query.lower().split()
        found = [
            n
            for n in self.networks
            if n.code == code
            or (words and all(w in n.name.lower() for w in words))
            or (commissioner and words and all(w in n.commissioner_name.lower() for w in words))
        ]
        found.sort(key=lambda n: format_name(n.name).lower())
        return [
            Match(
                n.code,
                f"{format_name(n.name)} ({n.code}), {len(n.practices)} practices, "
                f"{format_name(n.commissioner_name)}",
            )
            for n in found[:MATCHES_SHOWN]
        ]

    def network(self, code: str) -> Network:
        """Return the network of a PCN code; PcndocsError if the files have none."""
        network = next((n for n in self.networks if n.code == normalise_code(code)), None)
        if network is None:
            raise PcndocsError(f"no network with the PCN code '{code}' in {self.epcn_name}")
        return network

    def profile(self, code: str, today: date, year: str | None = None) -> str:
        """Return the profile text `pcndocs import` writes for one network (of a year)."""
        return profile_text(
            self.network(code),
            self.list_sizes,
            epcn_name=self.epcn_name,
            lists_name=self.lists_name,
            imported_on=today,
            year=year,
        )

    def cautions(self, code: str) -> list[str]:
        """Return what to check in one network's import, as `pcndocs import` says it.

        Each is shown under the network's name, so the name it starts with is left out.
        """
        network = self.network(code)
        who = f"{format_name(network.name)} ({network.code}): "
        return [
            line.removeprefix(who)
            for line in network_cautions(network, self.list_sizes, self.lists_name)
        ]

    @property
    def list_date(self) -> date | None:
        """Return the day the list sizes were counted, if a list-size file was given."""
        return self.list_sizes.extract_date if self.list_sizes else None


class Uploads:
    """The last few uploads, by a random key the page carries."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, Upload] = OrderedDict()

    def add(self, files: dict[str, tuple[str, bytes]], today: date) -> Upload:
        """Read uploaded files ({"epcn": (name, bytes), "lists": ...}) and keep them."""
        epcn_name, epcn_bytes = files["epcn"]
        lists = files.get("lists")
        with tempfile.TemporaryDirectory(prefix="pcndocs-national-") as folder:
            epcn_path = Path(folder) / "epcn.xlsx"
            epcn_path.write_bytes(epcn_bytes)
            try:
                epcn = read_epcn(epcn_path, today)
                sizes = None
                if lists is not None:
                    lists_path = Path(folder) / "lists.csv"
                    lists_path.write_bytes(lists[1])
                    sizes = read_list_sizes(lists_path)
            except PcndocsError as exc:
                # Say the user's file names, never the server's temporary folder.
                text = str(exc).replace(str(epcn_path), epcn_name)
                if lists is not None:
                    text = text.replace(str(Path(folder) / "lists.csv"), lists[0])
                raise PcndocsError(text.replace(folder + "/", "")) from None
        upload = Upload(
            secrets.token_urlsafe(16),
            epcn.networks,
            sizes,
            epcn_name,
            lists[0] if lists else None,
            list(epcn.problems),
        )
        self._kept[upload.key] = upload
        while len(self._kept) > UPLOADS_KEPT:
            self._kept.popitem(last=False)
        return upload

    def get(self, key: str) -> Upload:
        """Return a kept upload, or say it has gone."""
        upload = self._kept.get(key)
        if upload is None:
            raise PcndocsError("the uploaded files have expired; upload them again")
        return upload
