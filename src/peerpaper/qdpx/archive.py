"""Open a .qdpx (a zip) as untrusted input: bounded, never extracted, no name leaves the archive.

Why each rule: a .qdpx comes from someone else's machine. A zip bomb (a few MB that inflate to GBs) is
refused from the sizes its directory declares, before a byte is inflated; zipfile never inflates past a
member's declared size, so a lying directory cannot get more. An entry name that climbs out of the archive
(`../`, an absolute path, a drive letter) is refused outright, although we never extract: a tool that
wrote one is not to be trusted with the rest. Only the project XML and the source texts are ever read.

The project XML is `project.qde` (the standard), else the single `*.qde` at the top level (ATLAS.ti 26
writes `Trial.qde` in trial mode, others use the project's name).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .common import QdpxError

MAX_ENTRIES = 20_000  # a 60-group project with every source in three formats has a few hundred
MAX_READ_BYTES = 512 * 2**20  # what we may inflate in all: the XML and the texts, not audio or video
MAX_RATIO = 200  # deflate cannot exceed ~1032:1; text and XML compress 3-20:1; far above is a bomb
_RATIO_FLOOR = 2**20  # small members may compress very well (a file of blanks); judge ratio above 1 MiB
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class Archive:
    file: Path
    zip: zipfile.ZipFile
    members: dict[str, zipfile.ZipInfo]  # lower-cased name with / separators -> entry
    project: str  # the entry name of the project XML
    read_so_far: int = 0

    def find(self, name: str) -> str | None:
        info = self.members.get(name.replace("\\", "/").lower())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """One member's bytes, refused before inflating when it or the total would pass the caps."""
        info = self.zip.getinfo(name)
        if info.file_size > MAX_READ_BYTES - self.read_so_far:
            raise QdpxError(f"{self.file.name}:{name}: inflates to {info.file_size:,} bytes, over the "
                            f"{MAX_READ_BYTES // 2**20} MiB this import reads in all: refused (a zip bomb?)")
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise QdpxError(f"{self.file.name}:{name}: compressed {info.file_size // max(info.compress_size, 1):,} "
                            f"to 1, more than text ever is: refused (a zip bomb?)")
        self.read_so_far += info.file_size
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:
            raise QdpxError(f"{self.file.name}:{name}: cannot be read from the archive ({err})") from None

    def close(self) -> None:
        self.zip.close()


def _unsafe(name: str) -> bool:
    posix = name.replace("\\", "/")
    return posix.startswith("/") or bool(_DRIVE.match(posix)) or ".." in PurePosixPath(posix).parts or "\x00" in name


def open_archive(file: Path) -> Archive:
    """Check the zip's directory (count, names, declared sizes) and find the project XML."""
    try:
        archive = zipfile.ZipFile(file)
    except FileNotFoundError:
        raise QdpxError(f"{file}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise QdpxError(f"{file.name}: not a .qdpx archive (not a zip file: {err})") from None
    try:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise QdpxError(f"{file.name}: {len(infos):,} entries, over the {MAX_ENTRIES:,} a project has: refused")
        bad = [n for n, info in enumerate(infos, 1) if _unsafe(info.filename)]
        if bad:
            raise QdpxError(f"{file.name}: entries {', '.join(map(str, bad[:5]))}{' ...' if len(bad) > 5 else ''} "
                            "have names that leave the archive (.., an absolute path or a drive): refused")
        members = {info.filename.replace("\\", "/").lower(): info for info in infos if not info.is_dir()}
        top = [info.filename for key, info in members.items() if "/" not in key and key.endswith(".qde")]
        if "project.qde" in members:
            project = members["project.qde"].filename
        elif len(top) == 1:
            project = top[0]
        elif top:
            raise QdpxError(f"{file.name}: {len(top)} .qde files at the top level and none is project.qde: "
                            "which is the project?")
        else:
            raise QdpxError(f"{file.name}: not a .qdpx archive: no project.qde (nor any .qde) at its top level")
        return Archive(file, archive, members, project)
    except BaseException:
        archive.close()
        raise
