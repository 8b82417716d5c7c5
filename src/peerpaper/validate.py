"""Check a data folder against the data contract and name every problem by file, row and column.

Why this shape: frictionless (the Data Package reference implementation) checks what a Table Schema can
say cell by cell: types, enums, patterns and bounds, against the canonical schema in
resources/datapackage.json. What it cannot say, or says too slowly, this module adds in a few lines each:
required values and the shape of each row, primary and foreign keys (frictionless spends a Python call on
every cell and re-reads each referenced table per reference: most of the time on a large study), missing
files and columns, bytes that are not UTF-8 (named by row, which frictionless cannot do), a
facilitator-only empty sector, codings that use a theme, and groups with no participants or no turns. The CSVs are parsed once
with the standard csv module and handed to frictionless as bytes, so a UTF-8 BOM, CRLF line endings and
columns in any order are all accepted. Every problem is reported, not only the first.

Unknown is a value: a group whose date was not recorded has an empty date, and a setting, region, role
or sector that was not recorded is the value `unknown` (an empty sector still means "a facilitator": not
applicable, which is not the same as not recorded). A participant may speak in several groups; their
group_id is the first one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

from frictionless import Package, Resource, Schema

from .errors import Problem
from .paths import RESOURCES

SCHEMA = RESOURCES / "datapackage.json"
# Columns a file may leave out entirely (their values are optional too); every other column must be there.
OPTIONAL_COLUMNS = {"groups": {"duration_min"}, "codebook": {"include", "exclude"}}
# Tables a folder may leave out (the double-coded subset is recorded only when it is known).
OPTIONAL_TABLES = {"double_coded"}
TYPE_NAMES = {"integer": "a whole number", "date": "a date (YYYY-MM-DD)", "number": "a number"}
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


@cache
def canonical() -> dict:
    """The canonical Data Package descriptor (the contract), read once."""
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def check_data(path: Path | str) -> list[Problem]:
    """Every way the folder breaks the data contract, sorted by file, row and column; [] if none."""
    folder = Path(path)
    if not folder.is_dir():
        return [Problem(str(folder), None, None, "no such data folder")]
    problems: list[Problem] = []
    _check_descriptor(folder, problems)
    table_problems, tables = check_tables(folder, canonical(), OPTIONAL_COLUMNS, OPTIONAL_TABLES)
    problems += table_problems + _contract_problems(folder, tables) + _double_coding_problems(folder, tables)
    return sorted(set(problems), key=_order)


def check_tables(folder: Path, descriptor: dict, optional_columns: dict | None = None, optional_tables=()):
    """(problems, tables) for the CSVs a Data Package descriptor lists, read from `folder`.

    A table named in `optional_tables` may be missing (it is then simply not in `tables`).

    `tables` maps each readable table's name to (header, rows, utf-8 bytes), for rules of one's own.
    """
    problems: list[Problem] = []
    tables: dict[str, tuple[list[str], list[list[str]], bytes]] = {}
    for resource in descriptor["resources"]:
        if resource["name"] in optional_tables and not (folder / resource["path"]).exists():
            continue
        read = _read_table(folder, resource, (optional_columns or {}).get(resource["name"], ()), problems)
        if read is not None:
            tables[resource["name"]] = read
    problems += (_row_problems(folder, descriptor, tables) + _frictionless_problems(folder, descriptor, tables)
                 + _key_problems(folder, descriptor, tables))
    return sorted(set(problems), key=_order), tables


def _order(problem: Problem):
    return (problem.file, problem.row or 0, problem.column or "", problem.message)


def is_synthetic(folder: Path) -> bool:
    """The folder's own datapackage.json says `"synthetic": true`; anything else means real data."""
    try:
        return json.loads((folder / "datapackage.json").read_text(encoding="utf-8-sig")).get("synthetic") is True
    except (OSError, ValueError, AttributeError):
        return False


def _check_descriptor(folder: Path, problems: list[Problem]) -> None:
    file = folder / "datapackage.json"
    if not file.exists():
        problems.append(Problem(str(file), None, None, "missing file (copy it from another data folder)"))
        return
    try:
        descriptor = json.loads(file.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        problems.append(Problem(str(file), None, None, f"not valid JSON: {err}"))
        return
    flag = descriptor.get("synthetic", False) if isinstance(descriptor, dict) else None
    if not isinstance(flag, bool):
        problems.append(Problem(str(file), None, "synthetic", "must be true or false"))
    note = descriptor.get("double_coding") if isinstance(descriptor, dict) else None
    if note is not None and not (isinstance(note, dict) and all(isinstance(v, str) for v in note.values())):
        problems.append(Problem(str(file), None, "double_coding",
                                'must be an object of texts, e.g. {"sample": "...", "disagreements": "..."}'))


def _read_table(folder: Path, resource: dict, optional: set | tuple, problems: list[Problem]):
    """(header, rows, utf-8 bytes) of one CSV, or None when it is missing, empty or lacks a required column."""
    name, file = resource["name"], folder / resource["path"]
    where = str(file)
    if not file.exists():
        problems.append(Problem(where, None, None, "missing file"))
        return None
    raw = file.read_bytes()
    if not raw.removeprefix(b"\xef\xbb\xbf").strip():
        problems.append(Problem(where, None, None, "empty file"))
        return None
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = [label.strip() for label in records[0]]
    rows = records[1:]
    if _NOT_UTF8.search(text):
        for number, row in enumerate(records, start=1):
            for column, cell in zip(header, row):
                if bad := _NOT_UTF8.search(cell):
                    byte = ord(bad.group()) - 0xDC00
                    problems.append(Problem(where, number, column, f"not UTF-8 text (byte 0x{byte:02x}): save the file as UTF-8"))
        text = _NOT_UTF8.sub("\ufffd", text)  # checked once here; the rest of the checks see clean text
        rows = [[_NOT_UTF8.sub("\ufffd", cell) for cell in row] for row in rows]
    missing = [f["name"] for f in resource["schema"]["fields"]
               if f["name"] not in header and f["name"] not in optional]
    for column in missing:
        problems.append(Problem(where, 1, column, "missing column"))
    if missing:
        return None
    if not rows:
        problems.append(Problem(where, None, None, "no rows below the header"))
    return header, rows, text.encode("utf-8")


def _frictionless_problems(folder: Path, descriptor: dict, tables: dict) -> list[Problem]:
    """Types, enums, patterns and bounds, checked by frictionless against the descriptor's schemas.

    Frictionless is handed only the columns it has something to check: a string column whose only rule is
    `required` (an id, a turn's text) costs it a Python call per cell and needs nothing it knows, so that
    rule, with the shape of each row, is checked in `_row_problems` on the rows already read.
    """
    resources = []
    for spec, header, rows in _read_tables(descriptor, tables):
        known = {f["name"]: f for f in spec["schema"]["fields"]}
        checked = [i for i, label in enumerate(header) if label in known and _needs_frictionless(known[label])]
        if not checked:
            continue
        fields = [{**known[header[i]], "constraints": {k: v for k, v in known[header[i]].get("constraints", {}).items()
                                                       if k != "required"}} for i in checked]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header[i] for i in checked)
        writer.writerows([row[i] if i < len(row) else "" for i in checked] for row in rows)
        # bytes, not rows: frictionless deep-copies inline rows (17 s at 600 groups) but not a buffer
        resources.append(Resource(buffer.getvalue().encode("utf-8"), format="csv", encoding="utf-8", name=spec["name"],
                                  schema=Schema.from_descriptor({"fields": fields, "missingValues": [""]})))
    if not resources:
        return []
    report = Package(resources=resources).validate(limit_errors=10**9)
    problems = []
    for task in report.tasks:
        where = str(folder / f"{task.name}.csv")
        for error in task.errors:
            if error.type != "blank-row" and (problem := _translate(where, descriptor, task.name, error)):
                problems.append(problem)
    return problems


def _read_tables(descriptor: dict, tables: dict):
    """(spec, header, rows) of each table of the descriptor that could be read."""
    for spec in descriptor["resources"]:
        if spec["name"] in tables:
            yield spec, *tables[spec["name"]][:2]


def _needs_frictionless(field: dict) -> bool:
    return field["type"] not in ("string", "any") or any(k != "required" for k in field.get("constraints", {}))


def _row_problems(folder: Path, descriptor: dict, tables: dict) -> list[Problem]:
    """Blank rows, rows shorter or longer than the header, and empty required cells."""
    problems = []
    for spec, header, rows in _read_tables(descriptor, tables):
        where = str(folder / f"{spec['name']}.csv")
        required = {f["name"] for f in spec["schema"]["fields"] if f.get("constraints", {}).get("required")}
        columns = [(i, label) for i, label in enumerate(header) if label in required]
        for number, row in enumerate(rows, start=2):
            if not any(row):
                problems.append(Problem(where, number, None, "blank row"))
                continue
            if len(row) > len(header):
                problems.append(Problem(where, number, None, "extra cell: the row is longer than the header"))
            problems += [Problem(where, number, label, "missing cell: the row is shorter than the header")
                         for label in header[len(row):]]
            problems += [Problem(where, number, label, "missing value") for i, label in columns
                         if i >= len(row) or not row[i]]
    return problems


def _key_problems(folder: Path, descriptor: dict, tables: dict) -> list[Problem]:
    """Primary keys are unique; every value of a foreign key is a key of the table it refers to (an empty
    value refers to nothing).

    Checked here on the rows already read rather than by frictionless, which re-reads the referenced table
    for every reference (the segments, text and all, three times) and types every key cell again: that was
    two thirds of the validation's time on a large study. Every key of this contract is made of string
    columns (required ones: an empty cell is already a "missing value"), compared as written, as
    frictionless compares strings.
    """
    problems = []
    for spec, header, rows in _read_tables(descriptor, tables):
        where = str(folder / f"{spec['name']}.csv")
        key = spec["schema"]["primaryKey"]
        if all(field in header for field in key):
            columns = [header.index(field) for field in key]
            first: dict[tuple, int] = {}
            for number, row in enumerate(rows, start=2):
                cells = tuple(row[c] if len(row) > c else "" for c in columns)
                if not any(cells):
                    continue  # a blank row, reported as such
                if cells in first:
                    problems.append(Problem(where, number, key[0], f"duplicate id (first in row {first[cells]})")
                                    if len(key) == 1 else
                                    Problem(where, number, None, f"duplicate row: the same ({', '.join(key)}) as row {first[cells]}"))
                else:
                    first[cells] = number
        for fk in spec["schema"].get("foreignKeys", []):
            (field,), (key,) = fk["fields"], fk["reference"]["fields"]
            target = fk["reference"]["resource"] or spec["name"]
            if target not in tables or field not in header or key not in tables[target][0]:
                continue
            target_header, target_rows, _ = tables[target]
            column, key_column = header.index(field), target_header.index(key)
            keys = {row[key_column] for row in target_rows if len(row) > key_column}
            for number, row in enumerate(rows, start=2):
                value = row[column] if len(row) > column else ""
                if value and value not in keys:
                    problems.append(Problem(where, number, field, f"unknown {field}: not in {target}.csv"))
    return problems


def _translate(where: str, descriptor: dict, table: str, error) -> Problem | None:
    """One frictionless error as a one-line Problem a data manager can act on: file, row, column and the
    kind of problem, never the cell's value (a name in an error is a leak into a terminal or a CI log)."""
    row, column, cell = getattr(error, "row_number", None), getattr(error, "field_name", None), getattr(error, "cell", "")
    kind, note = error.type, error.note
    if kind == "type-error":
        wanted = TYPE_NAMES.get(note.split('"')[1].split("/")[0], note)
        return Problem(where, row, column, f"wrong type: the value is not {wanted}")
    if kind == "constraint-error":
        if '"enum"' in note:
            allowed = ", ".join(_field(descriptor, table, column)["constraints"]["enum"])
            return Problem(where, row, column, f"the value is not one of: {allowed}")
        if '"minimum"' in note or '"maximum"' in note:
            bound = "minimum" if '"minimum"' in note else "maximum"
            limit = _field(descriptor, table, column)["constraints"][bound]
            return Problem(where, row, column, f"the value is {'below' if bound == 'minimum' else 'above'} the {bound} of {limit}")
        if '"pattern"' in note:
            return Problem(where, row, column, "the value is not a valid id (lower-case letters, digits and _)")
    return Problem(where, row, column, f"{error.title.lower()} ({kind})")  # its message may quote the cell


def _spec(descriptor: dict, table: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == table)


def _field(descriptor: dict, table: str, name: str) -> dict:
    return next(f for f in _spec(descriptor, table)["schema"]["fields"] if f["name"] == name)


def _contract_problems(folder: Path, tables: dict) -> list[Problem]:
    """The rules a Table Schema cannot express."""
    records = {name: [dict(zip(header, row)) for row in rows] for name, (header, rows, _) in tables.items()}
    where = {name: str(folder / f"{name}.csv") for name in records}
    problems = []
    people = records.get("participants", [])
    for number, person in enumerate(people, start=2):
        if not person.get("sector", "").strip() and person.get("role") not in ("facilitator", "", None):
            problems.append(Problem(where["participants"], number, "sector",
                                    "missing value: only a facilitator may have no sector"))
    if "codings" in records and "codebook" in records:
        themes = {c.get("code_id") for c in records["codebook"] if not c.get("parent_id", "").strip()}
        for number, coding in enumerate(records["codings"], start=2):
            if coding.get("code_id") in themes:
                problems.append(Problem(where["codings"], number, "code_id",
                                        "the code is a theme: apply one of its codes instead"))
    if "groups" in records:
        counted = {person.get("participant_id") for person in people if person.get("role") != "facilitator"}
        speaking = {person.get("group_id") for person in people if person.get("participant_id") in counted}
        speaking |= {s.get("group_id") for s in records.get("segments", []) if s.get("speaker_id") in counted}
        turns = {segment.get("group_id") for segment in records.get("segments", [])}
        for number, group in enumerate(records["groups"], start=2):
            gid = group.get("group_id", "")
            if "participants" in records and gid not in speaking:
                problems.append(Problem(where["groups"], number, "group_id", "empty group: no participants"))
            if "segments" in records and gid not in turns:
                problems.append(Problem(where["groups"], number, "group_id", "empty group: no segments"))
    return problems


def _double_coding_problems(folder: Path, tables: dict) -> list[Problem]:
    """double_coded.csv, when present: each segment has two or more coders, and every code applied to a
    segment of the subset comes from a coder listed for it (else agreement would be computed on the wrong units)."""
    if "double_coded" not in tables:
        return []
    header, rows, _ = tables["double_coded"]
    where = str(folder / "double_coded.csv")
    listed = [dict(zip(header, row)) for row in rows]
    coders: dict[str, set] = {}
    first_row: dict[str, int] = {}
    for number, row in enumerate(listed, start=2):
        segment = row.get("segment_id", "")
        coders.setdefault(segment, set()).add(row.get("coder_id", ""))
        first_row.setdefault(segment, number)
    problems = [Problem(where, first_row[s], "segment_id", "the segment is listed with one coder: a double-coded segment needs two or more")
                for s, who in coders.items() if s and len(who) < 2]
    if "codings" in tables:
        header, rows, _ = tables["codings"]
        for number, row in enumerate(rows, start=2):
            coding = dict(zip(header, row))
            segment, coder = coding.get("segment_id", ""), coding.get("coder_id", "")
            if segment in coders and coder not in coders[segment]:
                problems.append(Problem(str(folder / "codings.csv"), number, "coder_id",
                                        f"this coder coded a double-coded segment (first listed in row "
                                        f"{first_row[segment]} of double_coded.csv) but is not listed for it"))
    return problems
