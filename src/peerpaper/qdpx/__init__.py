"""REFI-QDA (.qdpx) exchange: bring coded focus groups in from NVivo, ATLAS.ti, MAXQDA or QualCoder, and
send a data folder back out to them.

- `reader`: the archive and its XML (lxml, validated against the bundled REFI-QDA XSD; zipfile);
- `offsets`: which way the exporter counted characters, detected from the selections themselves;
- `importer`: the mapping from a project to the five tables of docs/CONTRACTS.md;
- `writer`: the mapping back, byte-for-byte deterministic.
"""

from .common import QdpxError
from .importer import DEFAULT_SPEAKER_PATTERN, FACILITATOR_PATTERN, ImportReport, import_qdpx
from .writer import export_qdpx

__all__ = ["DEFAULT_SPEAKER_PATTERN", "FACILITATOR_PATTERN", "ImportReport", "QdpxError", "export_qdpx", "import_qdpx"]
