"""Turn a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder ...) into a data folder of the contract.

The mapping, and the choices it makes:

- Each TextSource is one focus group; group_id is its name without a file extension. The group's
  date, setting, region and duration come from the source's own variables, else from a Case that refers
  to the source and is not a speaker (how NVivo users attach attributes to a file). Variable names are
  matched without regard to case, spaces or hyphens ("Duration (min)" is duration_min; "duration" too);
  setting values are normalised ("In person" is in_person); a date must be ISO (YYYY-MM-DD...).
- Turns: a speaker label (default `^(?P<speaker>[A-Z][\\w.-]{0,30}):\\s*`, at a line start, configurable)
  opens a turn, which runs to the next label. Text before the first label is left out with a warning;
  a turn's text is stripped and its CRLFs become LF. Empty turns are left out with a warning.
- A speaker is the Case of the same name, with its role and sector variables; it belongs to the one
  group it speaks in (a Case that never speaks but has a role and refers to one source joins that group
  silently). A speaker with no Case is a facilitator if its label matches FACILITATOR_PATTERN (their id
  is the label, qualified "<group>-<label>" when one label facilitates several groups), otherwise an
  error naming the source and line.
- Codes: top-level codes are themes, their descendants codes (any depth; codes marked isCodable="false"
  below the top stay as intermediate codes). code_id is the "Id:" line of the code's description when
  there is one (our exporter writes it), else a slug of its name; "Include:" and "Exclude:" lines fill
  those notes and the rest of the description is the definition (a code with no description gets the
  definition "(no description in the exchange file)" and a warning). Codings on themes are left out with a warning,
  since the contract forbids them.
- Codings: every PlainTextSelection's Codings; the coder is the Coding's creatingUser (else the
  selection's), and coder_id is that User's name. A selection spanning several turns codes EVERY turn
  it touches, however little: a coder who dragged across a turn boundary meant the exchange, and
  dropping the shorter turn would silently lose their decision. The report counts such selections.
- Offsets: see `offsets`; the convention is detected per project and reported.

Nothing is written unless all of it succeeds and the result passes `peerpaper.validate.check_data`: the
tables go to a temporary sibling folder that is renamed into place at the end.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import RESOURCES
from .common import QdpxError
from .offsets import Detection, OffsetMap, detect
from .reader import Project, Source, read_project

DEFAULT_SPEAKER_PATTERN = r"^(?P<speaker>[A-Z][\w.-]{0,30}):\s*"
FACILITATOR_PATTERN = r"(?i)(facilitator|moderator|interviewer)[\w.-]*"
GROUP_VARIABLES = ("date", "setting", "region", "duration_min")
_ALIASES = {"duration": "duration_min", "duration_minutes": "duration_min", "duration_mins": "duration_min"}
_TEXT_SUFFIXES = {".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md"}
_FIELD = re.compile(r"^(include|exclude|id):\s*(.*)$", re.IGNORECASE)

COLUMNS = {
    "groups": ["group_id", "date", "setting", "region", "duration_min"],
    "participants": ["participant_id", "group_id", "role", "sector"],
    "codebook": ["code_id", "parent_id", "label", "definition", "include", "exclude"],
    "segments": ["segment_id", "group_id", "speaker_id", "position", "text"],
    "codings": ["segment_id", "code_id", "coder_id"],
}


@dataclass
class ImportReport:
    file: Path
    out: Path
    offsets: Detection
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        c = self.counts
        lines = [
            f"imported {self.file.name} into {self.out}",
            f"  {c['groups']} groups, {c['participants']} participants + {c['facilitators']} facilitators, "
            f"{c['segments']} turns",
            f"  {c['themes']} themes, {c['codes']} codes; {c['codings']} codings by {c['coders']} coders; "
            f"selections spanning several turns: {c['spanning']} (each turn they touch is coded)",
            f"  offsets: {self.offsets}",
        ]
        return "\n".join(lines + [f"  warning: {w}" for w in self.warnings])


def var_name(name: str) -> str:
    """'Duration (min)' -> 'duration_min': how we match variable names across tools."""
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return _ALIASES.get(key, key)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "code"


def parse_description(description: str) -> dict[str, str]:
    """Split a code description into definition and the "Include:", "Exclude:", "Id:" lines."""
    parts = {"definition": [], "include": [], "exclude": [], "id": []}
    current = "definition"
    for line in description.replace("\r\n", "\n").split("\n"):
        if m := _FIELD.match(line.strip()):
            current = m.group(1).lower()
            parts[current].append(m.group(2))
        else:
            parts[current].append(line)
    return {k: "\n".join(v).strip() for k, v in parts.items()}


def _compile(pattern: str | None) -> re.Pattern:
    try:
        regex = re.compile(pattern or DEFAULT_SPEAKER_PATTERN, re.MULTILINE)
    except re.error as err:
        raise QdpxError(f"--speaker-pattern {pattern!r}: not a regular expression: {err}") from None
    if "speaker" not in regex.groupindex:
        raise QdpxError(f"--speaker-pattern {pattern!r}: needs a named group (?P<speaker>...)")
    return regex


def _group_id(source: Source) -> str:
    path = Path(source.name)
    return path.stem if path.suffix.lower() in _TEXT_SUFFIXES else source.name


@dataclass
class _Turn:
    start: int  # string index of the label: the turn runs to the next turn's start
    speaker: str
    text: str
    line: int
    segment_id: str | None = None


class _Converter:
    def __init__(self, project: Project, speaker: re.Pattern):
        self.p, self.speaker = project, speaker
        self.warnings = list(project.warnings)
        self.detection = detect(
            [(s.text, [(sel.start, sel.end) for sel in s.selections]) for s in project.sources], project.origin
        )

    def fail(self, message: str) -> QdpxError:
        return QdpxError(f"{self.p.file.name}: {message}")

    # groups ------------------------------------------------------------------------------------

    def groups(self) -> list[dict]:
        speakers = {c.name for c in self.p.cases if "role" in map(var_name, c.variables)}
        from_cases: dict[str, dict[str, str]] = {}
        for case in self.p.cases:
            if case.name in speakers:
                continue
            values = {var_name(k): v for k, v in case.variables.items() if var_name(k) in GROUP_VARIABLES}
            for ref in case.sources:
                for k, v in values.items():
                    from_cases.setdefault(ref, {}).setdefault(k, v)
        rows, seen = [], {}
        for source in self.p.sources:
            gid = _group_id(source)
            if gid in seen:
                raise self.fail(f"sources {seen[gid]!r} and {source.name!r} both make group {gid!r}")
            seen[gid] = source.name
            values = dict(from_cases.get(source.guid, {}))
            values.update({var_name(k): v for k, v in source.variables.items() if v != ""})
            rows.append(self._group_row(source, gid, values))
        return rows

    def _group_row(self, source: Source, gid: str, values: dict[str, str]) -> dict:
        def need(name):
            if not values.get(name):
                raise self.fail(
                    f"source {source.name!r} has no {name!r} variable (looked in its own variables and in "
                    "Cases that refer to it)"
                )
            return values[name].strip()

        date = need("date")
        if not re.match(r"^\d{4}-\d{2}-\d{2}", date):
            raise self.fail(f"source {source.name!r}: date {date!r} is not an ISO date (YYYY-MM-DD)")
        duration = values.get("duration_min", "").strip()
        if duration:
            try:
                duration = str(int(float(duration)))
            except ValueError:
                raise self.fail(f"source {source.name!r}: duration {duration!r} is not a number of minutes") from None
        setting = re.sub(r"[\s-]+", "_", need("setting").lower())
        return {"group_id": gid, "date": date[:10], "setting": setting, "region": need("region"),
                "duration_min": duration}

    # turns and speakers ------------------------------------------------------------------------

    def turns(self, source: Source) -> list[_Turn]:
        text = source.text
        matches = list(self.speaker.finditer(text))
        if not matches:
            raise self.fail(f"source {source.name!r}: no speaker labels found (pattern {self.speaker.pattern!r})")
        if text[: matches[0].start()].strip():
            self.warnings.append(f"source {source.name!r}: text before the first speaker label left out")
        turns, line, last = [], 1, 0
        for m, nxt in zip(matches, matches[1:] + [None]):
            line += text.count("\n", last, m.start())
            last = m.start()
            body = text[m.end(): nxt.start() if nxt else len(text)].strip().replace("\r\n", "\n")
            turns.append(_Turn(m.start(), m.group("speaker").strip(), body, line))
        return turns

    def participants(self, turns_by_group: dict[str, tuple[Source, list[_Turn]]]) -> tuple[list[dict], dict]:
        """Rows of participants.csv, and (group, label) -> participant_id."""
        cases = {c.name: c for c in self.p.cases}
        facilitator = re.compile(FACILITATOR_PATTERN)
        where: dict[str, dict[str, _Turn]] = {}  # label -> group -> first turn
        for gid, (_, turns) in turns_by_group.items():
            for turn in turns:
                where.setdefault(turn.speaker, {}).setdefault(gid, turn)
        # Order: by group, then as the Cases are listed, then facilitators without a Case as they first speak.
        case_rank = {c.name: i for i, c in enumerate(self.p.cases)}
        group_rank = {gid: i for i, gid in enumerate(turns_by_group)}
        rows, ids = [], {}
        for label, groups in where.items():
            if label in cases:
                if len(groups) > 1:
                    raise self.fail(
                        f"Case {label!r} speaks in groups {', '.join(sorted(groups))}; the data contract "
                        "gives each participant one group"
                    )
                gid = next(iter(groups))
                rows.append(((group_rank[gid], case_rank[label], 0), self._participant(cases[label], gid)))
                ids[(gid, label)] = label
            elif facilitator.fullmatch(label):
                for gid in groups:
                    pid = label if len(groups) == 1 else f"{gid}-{label}"
                    row = {"participant_id": pid, "group_id": gid, "role": "facilitator", "sector": ""}
                    rows.append(((group_rank[gid], len(case_rank), groups[gid].start), row))
                    ids[(gid, label)] = pid
            else:
                gid, turn = next(iter(groups.items()))
                raise self.fail(
                    f"source {turns_by_group[gid][0].name!r} line {turn.line}: speaker {label!r} matches no "
                    f"Case and is not a facilitator (pattern {FACILITATOR_PATTERN!r})"
                )
        silent = 0
        known = {s.guid: _group_id(s) for s in self.p.sources}
        for case in self.p.cases:
            names = {var_name(k) for k in case.variables}
            if case.name in where or "role" not in names:
                continue
            groups = {known[ref] for ref in case.sources if ref in known}
            if len(groups) == 1:
                gid = groups.pop()
                rows.append(((group_rank[gid], case_rank[case.name], 0), self._participant(case, gid)))
                silent += 1
            else:
                self.warnings.append(f"Case {case.name!r} never speaks and refers to no single source: left out")
        if silent:
            self.warnings.append(f"{silent} participants never speak (joined their group from the Case's source)")
        return [row for _, row in sorted(rows, key=lambda r: r[0])], ids

    def _participant(self, case, gid: str) -> dict:
        values = {var_name(k): v.strip() for k, v in case.variables.items()}
        if not values.get("role"):
            raise self.fail(f"Case {case.name!r} has no 'role' variable (organiser, activist, both, facilitator)")
        role = values["role"].lower()
        return {"participant_id": case.name, "group_id": gid, "role": role, "sector": values.get("sector", "").lower()}

    # codebook and codings -------------------------------------------------------------------

    def codebook(self) -> tuple[list[dict], dict[str, str], set[str]]:
        """Rows of codebook.csv, GUID -> code_id, and the GUIDs of themes."""
        ids, rows, themes, taken, undefined = {}, [], set(), set(), []
        for code in self.p.codes:
            parts = parse_description(code.description)
            if not parts["definition"]:  # the contract needs one; say plainly that there was none
                parts["definition"] = "(no description in the exchange file)"
                undefined.append(code.name)
            code_id = parts["id"] or slug(code.name)
            base, n = code_id, 2
            while code_id in taken:
                code_id, n = f"{base}_{n}", n + 1
            taken.add(code_id)
            ids[code.guid] = code_id
            if code.parent is None:
                themes.add(code.guid)
            rows.append({
                "code_id": code_id, "parent_id": ids[code.parent] if code.parent else "", "label": code.name,
                "definition": parts["definition"], "include": parts["include"], "exclude": parts["exclude"],
            })
        if undefined:
            self.warnings.append(f"{len(undefined)} codes have no description, so no definition: {', '.join(undefined)}")
        return rows, ids, themes

    def codings(self, source: Source, turns: list[_Turn], code_ids, themes) -> tuple[set[tuple], int]:
        offsets = OffsetMap(source.text, self.detection.convention)
        starts = [t.start for t in turns]
        rows, spanning, outside, on_themes = set(), 0, 0, 0
        for sel in source.selections:
            start, end = offsets.index_of(sel.start), offsets.index_of(sel.end)
            if start is None or end is None:
                beyond = max(sel.start, sel.end) > offsets.length
                raise QdpxError(
                    f"{self.p.where(sel.line)}: selection {sel.guid} ({sel.start}-{sel.end}) "
                    + (f"lies beyond its text ({offsets.length} {self.detection.convention.units} in "
                       f"source {source.name!r})" if beyond else
                       f"splits a character in source {source.name!r}")
                )
            first = max(bisect_right(starts, start) - 1, 0)
            last = bisect_left(starts, end) - 1 if end > start else bisect_right(starts, start) - 1
            covered = [t for t in turns[first: last + 1] if t.segment_id]
            if not covered:
                outside += 1
                continue
            spanning += len(covered) > 1
            for coding in sel.codings:
                if coding.code in themes:
                    on_themes += 1
                    continue
                if coding.user is None:
                    raise QdpxError(
                        f"{self.p.where(coding.line)}: Coding has no creatingUser (nor has its selection): "
                        "the coder is unknown"
                    )
                coder = self.p.users[coding.user]
                rows.update((t.segment_id, code_ids[coding.code], coder) for t in covered)
        if outside:
            self.warnings.append(f"source {source.name!r}: {outside} selections outside every turn left out")
        if on_themes:
            self.warnings.append(f"source {source.name!r}: {on_themes} codings on themes (top-level codes) left out")
        return rows, spanning

    def tables(self) -> tuple[dict[str, list[dict]], dict[str, int]]:
        groups = self.groups()
        by_group = {_group_id(s): (s, self.turns(s)) for s in self.p.sources}
        participants, ids = self.participants(by_group)
        segments = []
        for gid, (source, turns) in by_group.items():
            kept = [t for t in turns if t.text]
            if len(kept) < len(turns):
                self.warnings.append(f"source {source.name!r}: {len(turns) - len(kept)} empty turns left out")
            width = max(3, len(str(len(kept))))
            for position, turn in enumerate(kept, 1):
                turn.segment_id = f"{gid}-{position:0{width}d}"
                segments.append({"segment_id": turn.segment_id, "group_id": gid,
                                 "speaker_id": ids[(gid, turn.speaker)], "position": position, "text": turn.text})
        codebook, code_ids, themes = self.codebook()
        codings, spanning = set(), 0
        for source, turns in by_group.values():
            rows, n = self.codings(source, turns, code_ids, themes)
            codings |= rows
            spanning += n
        # Order: as the turns, then by coder, then as the codebook.
        turn_rank = {s["segment_id"]: i for i, s in enumerate(segments)}
        code_rank = {row["code_id"]: i for i, row in enumerate(codebook)}
        coding_rows = [
            dict(zip(COLUMNS["codings"], r))
            for r in sorted(codings, key=lambda r: (turn_rank[r[0]], r[2], code_rank[r[1]]))
        ]
        facilitators = sum(p["role"] == "facilitator" for p in participants)
        counts = {
            "groups": len(groups), "participants": len(participants) - facilitators, "facilitators": facilitators,
            "segments": len(segments), "themes": len(themes), "codes": len(codebook) - len(themes),
            "codings": len(coding_rows), "coders": len({r["coder_id"] for r in coding_rows}), "spanning": spanning,
        }
        tables = {"groups": groups, "participants": participants, "codebook": codebook, "segments": segments,
                  "codings": coding_rows}
        return tables, counts


def write_tables(folder: Path, tables: dict[str, list[dict]], synthetic: bool = False) -> None:
    """The five CSVs and the canonical datapackage.json, byte-stable."""
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    package = json.loads((RESOURCES / "datapackage.json").read_text(encoding="utf-8"))
    package["synthetic"] = synthetic
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def refuse_existing(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise QdpxError(f"{out}: already exists and is not empty; choose a new folder (nothing was written)")


def import_qdpx(file: Path, out: Path, speaker_pattern: str | None = None) -> ImportReport:
    """Convert the .qdpx `file` into the data folder `out` (new or empty), all or nothing."""
    from ..validate import check_data

    file, out = Path(file), Path(out)
    refuse_existing(out)
    converter = _Converter(read_project(file), _compile(speaker_pattern))
    tables, counts = converter.tables()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_tables(staging, tables)
        if problems := check_data(staging):
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            first = str(problems[0]).replace(f"{staging}{os.sep}", "")
            raise QdpxError(f"{file.name}: the imported data would break the data contract: {first}{more}")
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportReport(file, out, converter.detection, counts, converter.warnings)
