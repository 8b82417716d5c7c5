"""Turn a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder, Quirkos, Transana ...) into a data folder.

It reads the whole project before it decides: every problem is collected, by source and line, and the
result is either the whole data folder (written to a temporary sibling, checked against the contract,
renamed into place) or nothing but one report of every problem and a fill-in mapping next to the output
(see `mapping`). No message quotes a participant's words or a label; the fill-in file, which stays with
the real data, names the values and labels to decide on.

The mapping, and the choices it makes:
- Each source with text is one focus group (TextSource, a PDF's text, an audio or video Transcript);
  group_id is its name without a file extension. Its date, setting, region and duration come from, last
  winning: ATLAS.ti Sets "attribute: value" that hold it, Cases that refer to it and are not speakers
  (NVivo classifications; MAXQDA's and Quirkos's nameless Cases), a Case named like it, its own variables.
  An attribute the project does not record is unknown (docs/CONTRACTS.md, "Unknown is a value").
- Turns: see `speakers`. A label is a participant: the Case of that name (loosely matched) with its role
  and sector, the same person in every group they speak in; a facilitator when the mapping's facilitator
  words say so; otherwise a participant of unknown role and sector, one per group unless the mapping
  says a label is one person everywhere. A label that occurs once and matches no Case may be a heading:
  the user decides in the mapping when it also comes before the talk or is a heading word.
- Codes: themes are the top-level codes; codes any depth below. code_id is the description's "Id:" line
  (our exporter writes one) or a transliterated slug of the name (digits first get a "c_" prefix,
  duplicates a "_2"), the name stays the label; a name that is one of the study's codebook labels (numbering
  such as "1.2" aside) takes its fixed id. A flat codebook (no code has children) becomes one theme per
  code (a code of the study's codebook goes under the study's theme) or one "uncoded" theme; a top-level code that has codings and children gets a child
  "(general)" code to hold them, since the contract forbids coding a theme. Top-level codes the mapping
  skips (speaker codes, say) and NVivo's case nodes are left out with their codings, and said so.
- Codings: a selection codes every turn it touches; the coder is the Coding's creatingUser (else the
  selection's), "unknown" when there is none. Offsets: see `offsets`.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from slugify import slugify

from .. import paper_fit
from ..paths import RESOURCES, project_root
from . import mapping as mapping_module
from .common import QdpxError
from .mapping import Mapping, norm
from .offsets import Detection, OffsetMap, detect
from .reader import Project, Source, read_project
from .speakers import UNATTRIBUTED, Turn, choose, turns

_TEXT_SUFFIXES = {".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".html", ".htm", ".srt", ".vtt"}
_FIELD = re.compile(r"^(include|exclude|id):\s*(.*)$", re.IGNORECASE)
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SET_VALUE = re.compile(r"^\s*(?P<name>[^:=]{1,60}?)\s*[:=]\s*(?P<value>.+?)\s*$")
NO_DEFINITION = "(no description in the exchange file)"
# Labels that are headings more often than speakers ("Abstract:", "H1:"): asked about when they occur once.
HEADING_WORDS = {"abstract", "title", "summary", "note", "notes", "date", "time", "location", "place", "venue",
                 "transcript", "project", "session", "interview", "present", "participants", "attendees", "key",
                 "duration", "recording", "file", "source", "topic", "theme", "question", "section", "part",
                 *(f"h{n}" for n in range(1, 7))}
UNKNOWN = "unknown"

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
    style: str
    warnings: list[str] = field(default_factory=list)
    mapping_file: Path | None = None

    def __str__(self) -> str:
        c = self.counts
        lines = [
            f"imported {self.file.name} into {self.out}",
            f"  {c['groups']} groups, {c['participants']} participants + {c['facilitators']} facilitators, "
            f"{c['segments']} turns (speakers marked {self.style})",
            f"  {c['themes']} themes, {c['codes']} codes; {c['codings']} codings by {c['coders']} coders; "
            f"selections spanning several turns: {c['spanning']} (each turn they touch is coded)",
            f"  offsets: {self.offsets}",
        ]
        if self.mapping_file:
            lines.append(f"  mapping written to {self.mapping_file} (edit it and import again to change a choice)")
        return "\n".join(lines + [f"  note: {w}" for w in self.warnings])


class ImportProblems(QdpxError):
    """Everything that stops an import, listed together, with the fill-in mapping that answers them."""

    def __init__(self, file: Path, problems: list[str], mapping_file: Path | None):
        self.problems, self.mapping_file = problems, mapping_file
        head = f"{file.name}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was written."
        if mapping_file:
            head += f" Fill in {mapping_file} (its TODOs) and run again with --map {mapping_file}."
        super().__init__(head + "".join(f"\n  {p}" for p in problems))


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


def code_id_for(name: str) -> str:
    """A valid code_id for any name: transliterated, lower case, '_' between words, never a digit first."""
    base = slugify(name, separator="_", max_length=60, word_boundary=True) or "code"
    return base if base[0].isalpha() else f"c_{base}"


def group_id_for(source: Source) -> str:
    name = source.name.strip()
    stem, dot, suffix = name.rpartition(".")
    return stem.strip() if dot and f".{suffix.lower()}" in _TEXT_SUFFIXES and stem.strip() else name


def study_codebook() -> dict[str, str]:
    """Loose label -> id of the study's codebook, its ids included."""
    entries = paper_fit.study_codebook().values()
    return {**{norm(e["id"]): e["id"] for e in entries}, **{norm(e["label"]): e["id"] for e in entries}}


_NUMBERING = re.compile(r"^\s*(?:[0-9]+[.)]?)+(?:[0-9]+)?\s+|^\s*[A-Za-z][.)]\s+")


def parse_date(raw: str, day_first: bool) -> str | None:
    """ISO 'YYYY-MM-DD' from what tools write (DateValue, '2024-03-14T00:00:00Z', '14/03/2024', '14 March 2024')."""
    if m := re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", raw):
        try:
            return date(*map(int, m.groups())).isoformat()
        except ValueError:
            return None
    from dateutil import parser as dateparser

    try:
        return dateparser.parse(raw, dayfirst=day_first, default=None).date().isoformat()
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None


def parse_minutes(raw: str) -> str | None:
    """Minutes from '95', '95.0', '95 min', '1:35', '1h 35m', '01:35:00'."""
    text = raw.strip().lower()
    if m := re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(m|min|mins|minutes)?", text):
        return str(round(float(m.group(1).replace(",", "."))))
    if m := re.fullmatch(r"(\d+):(\d{2})(?::(\d{2}))?", text):
        return str(int(m.group(1)) * 60 + int(m.group(2)) + round(int(m.group(3) or 0) / 60))
    if m := re.fullmatch(r"(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:ute)?s?)?)?", text):
        if m.group(1) or m.group(2):
            return str(int(m.group(1) or 0) * 60 + int(m.group(2) or 0))
    return None


class _Converter:
    def __init__(self, project: Project, mapping: Mapping, allow_missing: bool = False):
        self.p, self.m = project, mapping
        self.problems: list[str] = list(project.problems)
        self.warnings: list[str] = list(project.warnings)
        self.todo: dict = {"values": defaultdict(list), "labels": [], "sources": []}
        self.sources = self._keep_sources(allow_missing)
        self.detection = detect(
            [(s.text, [(sel.start, sel.end) for sel in s.selections]) for s in self.sources], project.origin
        )

    def at(self, source: Source, line: int | None = None) -> str:
        return f"{self.p.file.name}: source {source.name!r}" + (f" line {line}" if line else "")

    def unmapped(self, attribute: str, raw: str, where: str) -> None:
        """A value the contract does not know: a problem, and a TODO line in the fill-in file (with the value)."""
        if raw not in self.todo["values"][attribute]:
            self.todo["values"][attribute].append(raw)
        allowed = {"date": "a date", "duration_min": "a number of minutes"}.get(attribute) or "one of " + ", ".join(
            mapping_module.CONTRACT_VALUES[attribute])
        self.problems.append(f"{where}: a {attribute} value that is not {allowed}: map it under values.{attribute}")

    # sources ----------------------------------------------------------------------------------

    def _keep_sources(self, allow_missing: bool) -> list[Source]:
        kept = []
        for source in self.p.sources:
            if self.m.skips(self.m.skip_sources, source.name):
                self.warnings.append(f"source {source.name!r} skipped, as the mapping says")
                continue
            if source.text is None:
                takes = f"{len(source.selections)} selections with {source.codings} codings"
                if allow_missing:
                    self.warnings.append(f"source {source.name!r} left out: {source.missing} (it takes {takes} with it)")
                else:
                    self.problems.append(f"{self.p.where(source.line)}: source {source.name!r}: {source.missing}; "
                                         f"it holds {takes} (--allow-missing-sources imports the rest)")
                continue
            if source.unplaceable:
                self.problems.append(
                    f"{self.p.where(source.line)}: PDF source {source.name!r}: {source.unplaceable} coded areas are "
                    "given by page coordinates, which have no place in its text: export the project with the "
                    "PDF's text (Representation), or list the source under sources.skip")
                self.todo["sources"].append(source.name)
                continue
            kept.append(source)
        return kept

    # turns and speakers -----------------------------------------------------------------------

    def style(self) -> tuple[str, str]:
        ignore = {norm(x) for x in self.m.not_speakers}
        if self.m.style != "auto":
            return self.m.style, "as the mapping says"
        style = choose([s.text for s in self.sources], ignore, set(self._case_index()) | {norm(k) for k in self.m.speakers})
        return style, "detected"

    def all_turns(self, style: str) -> dict[str, tuple[Source, list[Turn]]]:
        ignore = {norm(x) for x in self.m.not_speakers}
        by_group, preambles = {}, 0
        for source in self.sources:
            gid = group_id_for(source)
            if gid in by_group:
                n = 2
                while f"{gid}-{n}" in by_group:
                    n += 1
                self.warnings.append(f"sources {by_group[gid][0].name!r} and {source.name!r} have the same name: "
                                     f"the second is group {gid}-{n}")
                gid = f"{gid}-{n}"
            found, preamble = turns(source.text, style, ignore)
            preambles += preamble
            if not found and source.text.strip():
                self.problems.append(f"{self.at(source)}: no speaker labels in the style {style!r} (set speakers.style "
                                     "in the mapping; 'none' makes one turn per paragraph)")
            by_group[gid] = (source, found)
        if preambles:
            self.warnings.append(f"{preambles} sources have text before their first speaker label: left out")
        return by_group

    def _case_index(self):
        return {norm(c.name): c for c in self.p.cases if c.name}

    def participants(self, by_group, style: str) -> tuple[list[dict], dict]:
        """Rows of participants.csv, and (group, label) -> participant_id."""
        cases = self._case_index()
        rename = {norm(k): v for k, v in self.m.speakers.items()}
        rows: dict[str, dict] = {}  # participant_id -> row (first group)
        ids: dict[tuple[str, str], str] = {}
        if style == "none":
            for gid, (_, group_turns) in by_group.items():
                pid = f"{gid}-{UNATTRIBUTED}"
                rows[pid] = {"participant_id": pid, "group_id": gid, "role": UNKNOWN, "sector": UNKNOWN}
                ids[(gid, "")] = pid
            self.warnings.append("no speaker labels (style none): each paragraph is a turn of one unattributed speaker "
                                 "per group, so participant counts are counts of groups")
        occurrences = Counter(norm(t.speaker) for _, ts in by_group.values() for t in ts if t.speaker)
        groups_of: dict[str, list[str]] = defaultdict(list)
        first_turn: dict[str, tuple[Source, Turn]] = {}
        for gid, (source, group_turns) in by_group.items():
            for turn in group_turns:
                if turn.speaker and gid not in groups_of[norm(turn.speaker)]:
                    groups_of[norm(turn.speaker)].append(gid)
                    first_turn.setdefault(norm(turn.speaker), (source, turn))
        no_case, split, unsure = 0, 0, 0
        for key, gids in groups_of.items():
            source, turn = first_turn[key]
            case = cases.get(key) or (cases.get(norm(rename[key])) if key in rename else None)
            if case is not None or key in rename:
                pid = rename.get(key) or case.name
                row = self._participant(case, pid, gids[0]) if case else {
                    "participant_id": pid, "group_id": gids[0], "role": UNKNOWN, "sector": UNKNOWN}
                rows.setdefault(pid, row)
                ids.update({(gid, key): pid for gid in gids})
            elif self.m.is_facilitator(turn.speaker) or (turn.role and self.m.is_facilitator(turn.role)):
                rows.setdefault(turn.speaker, {"participant_id": turn.speaker, "group_id": gids[0],
                                               "role": "facilitator", "sector": ""})
                ids.update({(gid, key): turn.speaker for gid in gids})
            elif occurrences[key] == 1 and (key in HEADING_WORDS or self._before_talk(by_group, source, turn, occurrences, cases)):
                unsure += 1
                self.todo["labels"].append(turn.speaker)
                self.problems.append(f"{self.at(source, turn.line)}: a label that occurs once and matches no Case: a "
                                     "speaker or a heading? (speakers.rename or speakers.not_speakers in the mapping)")
            else:
                no_case += 1
                one = self.m.same_label_same_person or len(gids) == 1
                split += not one
                for gid in gids:
                    pid = turn.speaker if one else f"{gid}-{turn.speaker}"
                    rows.setdefault(pid, {"participant_id": pid, "group_id": gid, "role": UNKNOWN, "sector": UNKNOWN})
                    ids[(gid, key)] = pid
        if no_case:
            self.warnings.append(f"{no_case} speaker labels match no Case: participants of unknown role and sector")
        if split:
            self.warnings.append(f"{split} of them speak in several groups and were split into one participant per "
                                 "group ('<group>-<label>'); set speakers.same_label_in_several_groups_is_one_person "
                                 "if each is one person")
        groups_of_id = defaultdict(set)
        for (gid, _), pid in ids.items():
            groups_of_id[pid].add(gid)
        several = sum(len(groups_of_id[pid]) > 1 for pid, row in rows.items() if row["role"] != "facilitator")
        if several:
            self.warnings.append(f"{several} participants speak in more than one group (counted once, and in each "
                                 "group they took part in)")
        self._silent(rows, by_group)
        # Order: by first group, then as the Cases are listed, then as labels without a Case first speak.
        group_rank = {gid: i for i, gid in enumerate(by_group)}
        case_rank = {norm(c.name): i for i, c in enumerate(self.p.cases) if c.name}
        speak_rank = {ids[key]: i for i, key in reversed(list(enumerate(ids)))}
        return sorted(rows.values(), key=lambda r: (group_rank[r["group_id"]],
                                                    case_rank.get(norm(r["participant_id"]), len(case_rank)),
                                                    speak_rank.get(r["participant_id"], 0))), ids

    def _before_talk(self, by_group, source: Source, turn: Turn, occurrences, cases) -> bool:
        """Whether a label comes before the first turn of someone who surely speaks (a label that recurs,
        a Case, a facilitator): where titles and headings sit."""
        for other in next(ts for s, ts in by_group.values() if s is source):
            if other is turn:
                return True
            key = norm(other.speaker)
            if occurrences[key] > 1 or key in cases or self.m.is_facilitator(other.speaker):
                return False
        return False

    def _silent(self, rows: dict, by_group) -> None:
        """Cases with a role that never speak but refer to a source join that group (NVivo's classifications)."""
        gid_of = {source.guid: gid for gid, (source, _) in by_group.items()}
        joined = 0
        named = {norm(r["participant_id"]) for r in rows.values()}
        for case in self.p.cases:
            has_role = any(self.m.attribute_of(k) == "role" for k in case.variables)
            gids = [gid_of[ref] for ref in case.sources if ref in gid_of]
            if not case.name or norm(case.name) in named or not has_role or not gids:
                continue
            rows[case.name] = self._participant(case, case.name, gids[0])
            joined += 1
        if joined:
            self.warnings.append(f"{joined} participants never speak (they joined the group of the source their Case refers to)")

    def _participant(self, case, pid: str, gid: str) -> dict:
        values = {}
        for name, raw in case.variables.items():
            attribute = self.m.attribute_of(name)
            if attribute in ("role", "sector") and raw.strip():
                values[attribute] = raw.strip()
        where = f"{self.p.where(case.line)}: Case"
        role = self._value("role", values.get("role"), where)
        sector = "" if role == "facilitator" else self._value("sector", values.get("sector"), where)
        return {"participant_id": pid, "group_id": gid, "role": role, "sector": sector}

    def _value(self, attribute: str, raw: str | None, where: str) -> str:
        if not raw:
            self.missing[attribute] += 1
            return UNKNOWN
        value = self.m.value(attribute, raw)
        if value is None:
            self.unmapped(attribute, raw, where)
            return UNKNOWN
        return value

    # groups -----------------------------------------------------------------------------------

    def groups(self, by_group, speaker_keys: set[str]) -> list[dict]:
        cases = [c for c in self.p.cases
                 if norm(c.name) not in speaker_keys and not any(self.m.attribute_of(k) == "role" for k in c.variables)]
        rows = []
        for gid, (source, _) in by_group.items():
            found: dict[str, str] = {}

            def take(name: str, raw: str) -> None:
                attribute = self.m.attribute_of(name)
                if attribute in mapping_module.GROUP_ATTRIBUTES and raw.strip():
                    found[attribute] = raw.strip()

            for s in self.p.sets:
                if source.guid in s.sources and (m := _SET_VALUE.match(s.name)):
                    take(m.group("name"), m.group("value"))
            for case in cases:
                if source.guid in case.sources or (case.name and norm(case.name) in (norm(gid), norm(source.name))):
                    for name, raw in case.variables.items():
                        take(name, raw)
            for name, raw in source.variables.items():
                take(name, raw)
            rows.append(self._group_row(source, gid, found))
        return rows

    def _group_row(self, source: Source, gid: str, found: dict[str, str]) -> dict:
        where = self.at(source)
        row = {"group_id": gid, "date": "", "setting": "", "region": "", "duration_min": ""}
        raw = found.get("date")
        if raw is None:
            self.missing["date"] += 1
        else:
            mapped = self.m.values.get("date", {}).get(raw) or raw
            if (iso := parse_date(mapped, self.m.day_first)) is None:
                self.unmapped("date", raw, where)
            row["date"] = iso or ""
        for attribute in ("setting", "region"):
            row[attribute] = self._value(attribute, found.get(attribute), where)
        if raw := found.get("duration_min"):
            mapped = self.m.values.get("duration_min", {}).get(raw) or raw
            if (minutes := parse_minutes(mapped)) is None or minutes == "0":
                self.unmapped("duration_min", raw, where)
            row["duration_min"] = minutes if minutes not in (None, "0") else ""
        return row

    # codebook and codings ---------------------------------------------------------------------

    def codebook(self) -> tuple[list[dict], dict[str, str], set[str]]:
        """Rows of codebook.csv, code GUID -> the code_id its codings take, and GUIDs of skipped codes."""
        case_guids = {c.guid for c in self.p.cases}
        skipped, kept = set(), []
        for code in self.p.codes:
            top_skip = code.parent is None and self.m.skips(self.m.skip_codes, code.name)
            if top_skip or code.parent in skipped or code.guid in case_guids:
                skipped.add(code.guid)
            else:
                kept.append(code)
        parents = {code.parent for code in self.p.codes}
        for code in reversed(self.p.codes):  # a code whose children all went goes too (NVivo's "Cases" folder)
            if code.guid in parents and code.guid not in skipped and not any(
                    c.parent == code.guid and c.guid not in skipped for c in self.p.codes):
                skipped.add(code.guid)
        kept = [code for code in kept if code.guid not in skipped]
        if skipped:
            self.warnings.append(f"{len(skipped)} codes left out with their codings (speaker or case codes, or "
                                 "codebook.skip in the mapping)")
        children = defaultdict(list)
        for code in kept:
            children[code.parent].append(code)
        coded = Counter(c.code for s in self.sources for sel in s.selections for c in sel.codings)
        taken, rows, coding_id, undefined = set(), [], {}, 0

        def new_id(wanted: str) -> str:
            code_id, n = wanted, 2
            while code_id in taken:
                code_id, n = f"{wanted}_{n}", n + 1
            taken.add(code_id)
            return code_id

        def row(code_id, parent_id, label, parts):
            rows.append({"code_id": code_id, "parent_id": parent_id, "label": label,
                         "definition": parts["definition"] or NO_DEFINITION, "include": parts["include"],
                         "exclude": parts["exclude"]})

        flat = bool(kept) and not any(code.parent for code in kept)
        uncoded = None
        if flat:
            self.warnings.append(f"a flat codebook ({len(kept)} codes, none nested): "
                                 + ("one theme per code (the study's codes under the study's themes)" if self.m.flat_codebook == "one_theme_per_code"
                                    else "all codes under one 'Uncoded theme'") + " (codebook.flat in the mapping)")
            if self.m.flat_codebook == "one_uncoded_theme":
                uncoded = new_id("uncoded")
                row(uncoded, "", "Uncoded theme", {"definition": "Codes not grouped into themes in the coding project.",
                                                   "include": "", "exclude": ""})
        general, matched = 0, 0
        study = study_codebook()
        explicit = {norm(k): v for k, v in self.m.code_ids.items()}
        stack = [(code, None) for code in reversed(children[None])]
        while stack:
            code, parent_id = stack.pop()
            parts = parse_description(code.description)
            undefined += not parts["definition"]
            fixed = explicit.get(norm(code.name)) or study.get(norm(code.name)) or study.get(norm(_NUMBERING.sub("", code.name)))
            if parts["id"] and _CODE_ID.match(parts["id"]):
                wanted = parts["id"]
            elif fixed and _CODE_ID.match(fixed):
                wanted, matched = fixed, matched + 1
            else:
                wanted = code_id_for(code.name)
                self.todo.setdefault("codes", []).append(code.name)
            label = code.name or "(unnamed code)"
            if parent_id is None and uncoded:
                parent_id = uncoded
            if parent_id is None and not children[code.guid]:  # a top-level leaf: a theme with one code
                home = paper_fit.study_codebook().get(wanted, {}).get("parent")
                if home and home in taken:  # the study's theme of this code, made for an earlier one
                    theme = home
                elif home:  # a code of the study's codebook, flat in this project: under the study's theme
                    theme = new_id(home)
                    entry = paper_fit.study_codebook()[home]
                    row(theme, "", entry["label"], {"definition": entry.get("definition", ""),
                                                    "include": entry.get("include", ""), "exclude": entry.get("exclude", "")})
                else:
                    theme = new_id(f"{wanted}_theme")
                    row(theme, "", label, parts)
                coding_id[code.guid] = cid = new_id(wanted)
                row(cid, theme, label, parts)
                continue
            code_id = new_id(wanted)
            row(code_id, parent_id or "", label, parts)
            coding_id[code.guid] = code_id
            if parent_id is None and coded[code.guid]:
                general += 1
                coding_id[code.guid] = new_id(f"{code_id}_general")
                row(coding_id[code.guid], code_id, f"{label} (general)",
                    {"definition": f"Coded at the theme '{label}' itself, not at one of its codes.", "include": "", "exclude": ""})
            stack += [(child, code_id) for child in reversed(children[code.guid])]
        if undefined:
            self.warnings.append(f"{undefined} codes have no description, so no definition")
        known = set(study.values())
        present = {r["code_id"] for r in rows} & known
        if present != known:
            self.warnings.append(
                f"{len(present)} of the study's {len(known)} themes and codes (docs/CONTRACTS.md) are in this codebook "
                f"({matched} matched by name); codebook.ids in the mapping gives a code its study id")
        if general:
            self.warnings.append(f"{general} themes were coded directly: those codings are on a '(general)' code below each")
        return rows, coding_id, skipped

    def codings(self, source: Source, group_turns: list[Turn], coding_id, skipped) -> tuple[set[tuple], int]:
        offsets = OffsetMap(source.text, self.detection.convention)
        starts = [t.start for t in group_turns]
        rows, spanning, outside = set(), 0, 0
        for sel in source.selections:
            start, end = offsets.index_of(sel.start), offsets.index_of(sel.end)
            if start is None or end is None:
                beyond = max(sel.start, sel.end) > offsets.length
                self.problems.append(
                    f"{self.p.where(sel.line)}: a selection ({sel.start}-{sel.end}) "
                    + (f"lies beyond its text ({offsets.length} {self.detection.convention.units} in source "
                       f"{source.name!r})" if beyond else f"splits a character in source {source.name!r}"))
                continue
            first = max(bisect_right(starts, start) - 1, 0)
            last = bisect_left(starts, end) - 1 if end > start else bisect_right(starts, start) - 1
            covered = [t for t in group_turns[first: last + 1] if t.segment_id]
            if not covered:
                outside += 1
                continue
            spanning += len(covered) > 1
            for coding in sel.codings:
                if coding.code in skipped or coding.code not in coding_id:
                    continue
                coder = self.p.users.get(coding.user, UNKNOWN) if coding.user else UNKNOWN
                self.coderless += coder == UNKNOWN
                rows.update((t.segment_id, coding_id[coding.code], coder) for t in covered)
        if outside:
            self.warnings.append(f"source {source.name!r}: {outside} selections outside every turn left out")
        return rows, spanning

    def tables(self) -> tuple[dict[str, list[dict]], dict[str, int], str]:
        self.missing: Counter = Counter()
        self.coderless = 0
        if not self.sources and not self.p.codes and not self.problems:
            raise QdpxError(f"{self.p.file.name}: the project is empty (no sources with text and no codes): nothing to import")
        if not self.sources and not self.problems:
            raise QdpxError(f"{self.p.file.name}: the project has no sources with text: nothing to import")
        style, how = self.style()
        by_group = self.all_turns(style)
        participants, ids = self.participants(by_group, style)
        speaker_keys = {norm(t.speaker) for _, ts in by_group.values() for t in ts if t.speaker}
        groups = self.groups(by_group, speaker_keys)
        segments = []
        for gid, (source, group_turns) in by_group.items():
            kept = [t for t in group_turns if t.text and (gid, norm(t.speaker)) in ids]
            if empty := sum(not t.text for t in group_turns):
                self.warnings.append(f"source {source.name!r}: {empty} empty turns left out")
            width = max(3, len(str(len(kept))))
            for position, turn in enumerate(kept, 1):
                turn.segment_id = f"{gid}-{position:0{width}d}"
                segments.append({"segment_id": turn.segment_id, "group_id": gid,
                                 "speaker_id": ids[(gid, norm(turn.speaker))], "position": position, "text": turn.text})
        codebook, coding_id, skipped = self.codebook()
        if not codebook and not self.problems:
            self.problems.append(f"{self.p.file.name}: the project has no codes: nothing is coded yet")
        codings, spanning = set(), 0
        for source, group_turns in by_group.values():
            found, n = self.codings(source, group_turns, coding_id, skipped)
            codings |= found
            spanning += n
        for attribute, n in sorted(self.missing.items()):
            self.warnings.append(f"{attribute} not recorded for {n} {'groups' if attribute in mapping_module.GROUP_ATTRIBUTES else 'participants'}: "
                                 f"'unknown' (name the attribute under {'groups' if attribute in mapping_module.GROUP_ATTRIBUTES else 'participants'}.{attribute} in the mapping if the project has it)")
        if self.missing["date"]:
            self.warnings.append("not every group has a date: the analyses take groups in source order, and the paper says so")
        if self.coderless:
            self.warnings.append(f"{self.coderless} codings name no coder: coder 'unknown'")
        turn_rank = {s["segment_id"]: i for i, s in enumerate(segments)}
        code_rank = {row["code_id"]: i for i, row in enumerate(codebook)}
        coding_rows = [dict(zip(COLUMNS["codings"], r))
                       for r in sorted(codings, key=lambda r: (turn_rank[r[0]], r[2], code_rank[r[1]]))]
        facilitators = sum(p["role"] == "facilitator" for p in participants)
        themes = sum(not r["parent_id"] for r in codebook)
        counts = {
            "groups": len(groups), "participants": len(participants) - facilitators, "facilitators": facilitators,
            "segments": len(segments), "themes": themes, "codes": len(codebook) - themes,
            "codings": len(coding_rows), "coders": len({r["coder_id"] for r in coding_rows}), "spanning": spanning,
        }
        tables = {"groups": groups, "participants": participants, "codebook": codebook, "segments": segments,
                  "codings": coding_rows}
        return tables, counts, f"{style!r}, {how}"

    def found(self) -> dict:
        """What the project holds, for the reference part of the fill-in file."""
        return {
            "origin": self.p.origin,
            "variables": sorted({n for s in self.p.sources for n in s.variables} | {n for c in self.p.cases for n in c.variables}),
            "sets": sorted({s.name for s in self.p.sets}),
            "sources": [s.name for s in self.p.sources],
        }


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


def default_mapping_file(out: Path) -> Path:
    return out.parent / f"{out.name}.mapping.yaml"


def import_qdpx(file: Path, out: Path, mapping_file: Path | None = None, allow_missing_sources: bool = False,
                speaker_style: str | None = None) -> ImportReport:
    """Convert the .qdpx `file` into the data folder `out` (new or empty), all or nothing.

    On problems, raises ImportProblems listing all of them and writes the fill-in mapping (to
    `mapping_file`, else beside `out`), keeping every choice an existing mapping made.
    """
    from ..validate import check_data

    file, out = Path(file), Path(out)
    refuse_existing(out)
    mapping = mapping_module.load(mapping_file)
    if speaker_style:
        mapping.style = speaker_style
    converter = _Converter(read_project(file), mapping, allow_missing_sources)
    tables, counts, style = converter.tables()
    fill_in = Path(mapping_file) if mapping_file else default_mapping_file(out)
    if converter.problems:
        mapping_module.write(fill_in, mapping, converter.found(), converter.todo)
        raise ImportProblems(file, converter.problems, fill_in)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_tables(staging, tables)
        if problems := check_data(staging):
            listed = [str(p).replace(f"{staging}{os.sep}", "") for p in problems]
            raise ImportProblems(file, [f"internal error, the import breaks the data contract: {p}" for p in listed], None)
        # valid, but can it give this paper? Said now, while the mapping is being filled in (the build refuses)
        converter.warnings += [f"this folder cannot give the paper yet: {p.message}"
                               for p in paper_fit.problems(staging, project_root() / "data" / "policy")]
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    written = None
    if not fill_in.exists():
        mapping_module.write(fill_in, mapping, converter.found(), converter.todo)
        written = fill_in
    return ImportReport(file, out, converter.detection, counts, style, converter.warnings, written)
