"""REFI-QDA (.qdpx) exchange: bring coded focus groups in from NVivo, ATLAS.ti, MAXQDA, QualCoder and other
tools, and send a data folder back out to them.

- `archive`: the zip, opened within bounds (entries, sizes, names), never extracted;
- `reader`: the XML (lxml without DTD or network, validated against the bundled REFI-QDA XSD) as objects;
- `offsets`: which way the exporter counted characters, detected from the selections themselves;
- `speakers`: where turns start and who speaks (label styles, auto-detected);
- `mapping`: the user's answers (`--map FILE`) with defaults, and the fill-in file;
- `importer`: the mapping from a project to the five tables of docs/CONTRACTS.md, all problems at once;
- `writer`: the mapping back, byte-for-byte deterministic.
"""

from .common import QdpxError
from .importer import ImportProblems, ImportReport, import_qdpx
from .writer import export_qdpx

__all__ = ["ImportProblems", "ImportReport", "QdpxError", "export_qdpx", "import_qdpx"]
