"""What the reader and the writer share: the error type, the namespace, the schema, GUIDs."""

from __future__ import annotations

import uuid
from functools import cache

from lxml import etree

from ..errors import PaperError
from ..paths import RESOURCES

NS = "urn:QDA-XML:project:1.0"
XSD = RESOURCES / "refi-qda-Project.xsd"
# uuid5 namespace for GUIDs derived from the data's ids, so that the same data give the same file.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://refi-qda.org/peerpaper")


class QdpxError(PaperError):
    """A .qdpx archive (or a data folder being exported) that cannot be converted; one line."""


def q(tag: str) -> str:
    """The qualified name of a REFI-QDA element."""
    return f"{{{NS}}}{tag}"


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def guid(kind: str, key: str) -> str:
    """A stable GUID for one thing in the data (kind: 'code', 'user', 'group', ...)."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def norm_guid(value: str | None) -> str | None:
    """GUIDs may be written with braces and in either case; compare them without."""
    return value.strip().strip("{}").lower() if value else None
