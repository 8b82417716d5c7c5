"""Write a data folder as a REFI-QDA .qdpx, for coding or checking in NVivo, ATLAS.ti, MAXQDA, QualCoder.

What goes where (the importer reads all of it back):
- Users: one per coder_id (name = coder_id).
- CodeBook: themes as non-codable top-level codes, codes nested under their parents. A code's
  Description is its definition, then "Include:", "Exclude:" and "Id:" lines (QDA-XML has no fields for
  them, and the Id line keeps code_ids stable through a round trip).
- Variables and Cases: one Case per participant (facilitators included) named by participant_id, with
  role and sector values and a SourceRef to their group's source.
- TextSources: one per group, named group_id, with date, setting, region and duration_min values. Its
  text (sources/<guid>.txt, UTF-8, LF) is the group's turns in order, one "Speaker: text" line each,
  so the importer's default speaker pattern reads it back as long as participant ids fit
  `[A-Z][\\w.-]{0,30}`; ids that do not need --speaker-pattern on import.
- PlainTextSelections: one per (segment, coder), covering the turn's text (not the label), in code
  points as the standard says, carrying one Coding per code that coder applied.

Same data, same bytes: GUIDs are uuid5 of the ids, no dates are written, zip entries are sorted and
stamped 1980-01-01. The archive is validated against the XSD before it is moved into place.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
from lxml import etree

from .. import __version__
from .common import NS, QdpxError, guid, q, schema

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_GROUP_VARIABLES = {"date": "Date", "setting": "Text", "region": "Text", "duration_min": "Integer"}
_CASE_VARIABLES = {"role": "Text", "sector": "Text"}
_VALUE_TAG = {"Text": "TextValue", "Date": "DateValue", "Integer": "IntegerValue"}


def _s(value) -> str:
    """A cell as text: missing is empty, whole floats (pandas' NaN-able integers) lose their '.0'."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sub(parent, tag: str, **attrs) -> etree._Element:
    return etree.SubElement(parent, q(tag), {k: v for k, v in attrs.items() if v is not None})


def code_description(row) -> str:
    lines = [_s(row.definition)]
    for label, value in (("Include", _s(getattr(row, "include", ""))), ("Exclude", _s(getattr(row, "exclude", "")))):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"Id: {row.code_id}")
    return "\n".join(lines)


def _variable_value(parent, name: str, kind: str, value: str) -> None:
    vv = _sub(parent, "VariableValue")
    _sub(vv, "VariableRef", targetGUID=guid("variable", name))
    _sub(vv, _VALUE_TAG[kind]).text = value


def transcript(turns: list[dict]) -> tuple[str, dict[str, tuple[int, int]]]:
    """One group's text, "Speaker: text" per line, and each segment's (start, end) in code points."""
    parts, spans, at = [], {}, 0
    for turn in sorted(turns, key=lambda t: int(t["position"])):
        label, text = f"{turn['speaker_id']}: ", _s(turn["text"])
        spans[turn["segment_id"]] = (at + len(label), at + len(label) + len(text))
        parts.append(label + text + "\n")
        at += len(label) + len(text) + 1
    return "".join(parts), spans


def build_project(study, name: str = "peerpaper study") -> tuple[bytes, dict[str, str]]:
    """project.qde's bytes and {archive member: text} for the sources."""
    root = etree.Element(q("Project"), nsmap={None: NS}, name=name, origin=f"peerpaper {__version__}")
    coders = sorted(study.codings["coder_id"].astype(str).unique())
    users = _sub(root, "Users")
    for coder in coders:
        _sub(users, "User", guid=guid("user", coder), name=coder)

    codebook = study.codebook.assign(parent_id=study.codebook["parent_id"].map(_s))
    codes = _sub(_sub(root, "CodeBook"), "Codes")

    def add_codes(parent_element, parent_id: str) -> None:
        for row in codebook[codebook["parent_id"] == parent_id].itertuples():
            code = _sub(parent_element, "Code", guid=guid("code", row.code_id), name=_s(row.label),
                        isCodable="false" if parent_id == "" else "true")
            _sub(code, "Description").text = code_description(row)
            add_codes(code, row.code_id)

    add_codes(codes, "")

    variables = _sub(root, "Variables")
    for var, kind in {**_CASE_VARIABLES, **_GROUP_VARIABLES}.items():
        _sub(variables, "Variable", guid=guid("variable", var), name=var, typeOfVariable=kind)

    cases = _sub(root, "Cases")
    for p in study.participants.itertuples():
        case = _sub(cases, "Case", guid=guid("participant", p.participant_id), name=str(p.participant_id))
        for var, kind in _CASE_VARIABLES.items():
            if value := _s(getattr(p, var)):
                _variable_value(case, var, kind, value)
        _sub(case, "SourceRef", targetGUID=guid("group", p.group_id))

    # Group once with plain dicts: filtering DataFrames per group is quadratic in practice.
    turns_of: dict[str, list[dict]] = {}
    for turn in study.segments.to_dict("records"):
        turns_of.setdefault(turn["group_id"], []).append(turn)
    group_of = dict(zip(study.segments["segment_id"], study.segments["group_id"]))
    code_rank = {c: i for i, c in enumerate(codebook["code_id"])}
    selections: dict[str, dict[tuple[str, str], list[str]]] = {}  # group -> (segment, coder) -> codes
    for segment_id, code_id, coder in zip(study.codings["segment_id"], study.codings["code_id"], study.codings["coder_id"]):
        selections.setdefault(group_of[segment_id], {}).setdefault((segment_id, str(coder)), []).append(code_id)

    sources, texts = _sub(root, "Sources"), {}
    for g in study.groups.itertuples():
        source_guid = guid("group", g.group_id)
        texts[f"sources/{source_guid}.txt"], spans = transcript(turns_of.get(g.group_id, []))
        source = _sub(sources, "TextSource", guid=source_guid, name=str(g.group_id),
                      plainTextPath=f"internal://{source_guid}.txt")
        order = {segment_id: i for i, segment_id in enumerate(spans)}
        for (segment_id, coder), code_ids in sorted(
            selections.get(g.group_id, {}).items(), key=lambda item: (order[item[0][0]], item[0][1])
        ):
            start, end = spans[segment_id]
            user = guid("user", coder)
            sel = _sub(source, "PlainTextSelection", guid=guid("selection", f"{segment_id}/{coder}"),
                       startPosition=str(start), endPosition=str(end), creatingUser=user)
            for code_id in sorted(code_ids, key=code_rank.__getitem__):
                coding = _sub(sel, "Coding", guid=guid("coding", f"{segment_id}/{code_id}/{coder}"), creatingUser=user)
                _sub(coding, "CodeRef", targetGUID=guid("code", code_id))
        for var, kind in _GROUP_VARIABLES.items():
            if value := _s(getattr(g, var, None)):
                _variable_value(source, var, kind, value)

    validator = schema()
    if not validator.validate(root):
        raise QdpxError(f"internal error: the export does not validate against the XSD: {validator.error_log[0]}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True), texts


def write_archive(out: Path, project: bytes, texts: dict[str, str]) -> None:
    """A zip with fixed timestamps and sorted entries, written beside `out` and renamed into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for member, data in [("project.qde", project)] + sorted((m, t.encode("utf-8")) for m, t in texts.items()):
                info = zipfile.ZipInfo(member, date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def export_qdpx(data_dir: Path, out: Path) -> None:
    """Validate the data folder `data_dir` and write it to the .qdpx `out`."""
    from ..study import load_study

    data_dir, out = Path(data_dir), Path(out)
    study = load_study(data_dir)
    package = data_dir / "datapackage.json"
    title = json.loads(package.read_text(encoding="utf-8")).get("title") if package.exists() else None
    write_archive(out, *build_project(study, title or "peerpaper study"))
