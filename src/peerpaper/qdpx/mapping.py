"""The import mapping: which of a project's names mean what in the data contract, with defaults.

A researcher's project names things its own way ("Date of interview", "Mode: Zoom", "INT:"). The mapping
(`--map FILE`, YAML) says which attribute gives each group's date, setting, region and duration and each
participant's role and sector, how speakers are marked, who facilitated, what a flat codebook becomes,
which sources to skip, and how values the contract does not know translate. Every key has a default, so
most projects need no mapping; when an import finds something only a person can decide, it writes the
mapping next to the output with every open question listed (`write`), to fill in and pass back.

Names and values are matched loosely (`norm`): case, accents, spaces and punctuation do not count, and a
classification prefix ("Person:Role", "Cases:Sector") is tried without it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from text_unidecode import unidecode

from .common import QdpxError

GROUP_ATTRIBUTES = ("date", "setting", "region", "duration_min")
PARTICIPANT_ATTRIBUTES = ("role", "sector")
CONTRACT_VALUES = {
    "setting": ("online", "in_person", "unknown"),
    "region": ("North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
               "East of England", "London", "South East", "South West", "unknown"),
    "role": ("organiser", "activist", "both", "facilitator", "unknown"),
    "sector": ("street", "indoor", "online", "mixed", "unknown"),
}
SYNONYMS = {
    "date": ["date", "date of interview", "interview date", "date of focus group", "focus group date", "session date",
             "date of session", "date held", "held on", "recorded", "recording date", "date recorded", "datum"],
    "setting": ["setting", "mode", "format", "modality", "delivery", "online or in person", "in person or online",
                "venue type", "meeting type", "type of session"],
    "region": ["region", "itl1", "itl1 region", "region itl1", "area", "location"],
    "duration_min": ["duration", "duration min", "duration minutes", "duration mins", "length", "length min",
                     "length minutes", "length mins", "minutes", "mins", "duration of interview", "duration in minutes",
                     "length in minutes", "running time"],
    "role": ["role", "participant role", "role in study", "role in organisation", "participant type"],
    "sector": ["sector", "work sector", "sector of work", "sex work sector", "type of work", "work setting"],
}
VALUE_SYNONYMS = {
    "setting": {"online": ["online", "zoom", "teams", "ms teams", "microsoft teams", "video", "video call", "remote",
                           "virtual", "skype", "google meet", "webex"],
                "in_person": ["in person", "inperson", "face to face", "f2f", "offline", "onsite", "on site"],
                "unknown": ["unknown", "not recorded", "n a", "na", "missing"]},
    "role": {"organiser": ["organiser", "organizer", "peer organiser", "peer organizer"],
             "activist": ["activist", "campaigner"],
             "both": ["both", "organiser and activist", "organizer and activist", "organiser activist"],
             "facilitator": ["facilitator", "moderator", "interviewer", "researcher"],
             "unknown": ["unknown", "not recorded", "n a", "na", "missing"]},
    "sector": {"street": ["street", "street based", "outdoor"], "indoor": ["indoor", "indoors", "parlour", "flat"],
               "online": ["online", "webcam", "internet"], "mixed": ["mixed", "several", "multiple"],
               "unknown": ["unknown", "not recorded", "n a", "na", "missing"]},
    "region": {"Yorkshire and The Humber": ["yorkshire and the humber", "yorkshire humber", "yorkshire"],
               "East of England": ["east of england", "east"], "unknown": ["unknown", "not recorded", "n a", "na"]},
}
STYLES = ("auto", "Name:", "NAME:", "[id]", "Interviewer (AB):", "none")
FACILITATOR_WORDS = ["facilitator", "moderator", "interviewer", "researcher", "fac", "mod", "int", "i", "q"]
FLAT = ("one_theme_per_code", "one_uncoded_theme")


@lru_cache(maxsize=2**14)  # the same few labels and names, hundreds of thousands of times in a large project
def norm(text: str) -> str:
    """'Date of Interview:' -> 'date of interview'; 'Région' -> 'region': how names are compared."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", unidecode(str(text)).casefold()).split())


def name_keys(name: str) -> list[str]:
    """A variable name as it may be meant: whole, and without a classification prefix ('Person:Role')."""
    keys = [norm(name)]
    if ":" in name:
        keys.append(norm(name.rsplit(":", 1)[1]))
    return keys


@dataclass
class Mapping:
    attributes: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in SYNONYMS.items()})
    extra: dict[str, list[str]] = field(default_factory=dict)  # the names the mapping file adds
    values: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in (*CONTRACT_VALUES, "date", "duration_min")})
    day_first: bool = True
    style: str = "auto"
    facilitators: list[str] = field(default_factory=lambda: list(FACILITATOR_WORDS))
    not_speakers: list[str] = field(default_factory=list)
    speakers: dict[str, str] = field(default_factory=dict)  # label -> participant id (a pseudonym, or a merge)
    same_label_same_person: bool = False
    flat_codebook: str = "one_theme_per_code"
    skip_codes: list[str] = field(default_factory=lambda: ["Speakers"])
    code_ids: dict[str, str] = field(default_factory=dict)  # code name -> code_id (the study's fixed ids)
    skip_sources: list[str] = field(default_factory=list)
    path: Path | None = None

    def attribute_of(self, name: str) -> str | None:
        """Which contract attribute a project's variable name gives, if any."""
        keys = name_keys(name)
        for attribute, names in self.attributes.items():
            if any(k in {norm(n) for n in names} for k in keys):
                return attribute
        return None

    def value(self, attribute: str, raw: str) -> str | None:
        """A contract value for a raw value, or None if neither the mapping nor the synonyms know it."""
        if raw in self.values.get(attribute, {}) and self.values[attribute][raw]:
            return str(self.values[attribute][raw])
        key = norm(raw)
        mapped = {norm(k): v for k, v in self.values.get(attribute, {}).items() if v}
        if key in mapped:
            return str(mapped[key])
        for value in CONTRACT_VALUES.get(attribute, ()):
            if key == norm(value):
                return value
        for value, words in VALUE_SYNONYMS.get(attribute, {}).items():
            if key in {norm(w) for w in words}:
                return value
        return None

    def is_facilitator(self, label: str) -> bool:
        key = norm(label)
        words = {norm(w) for w in self.facilitators}
        return key in words or any(key.startswith(w + " ") or key.endswith(" " + w) for w in words if len(w) > 3) or any(
            re.fullmatch(rf"{re.escape(w)}\s*\d+", key) for w in words if len(w) > 2)

    def skips(self, names: list[str], name: str) -> bool:
        return norm(name) in {norm(n) for n in names} or norm(re.sub(r"\.\w{1,4}$", "", name)) in {norm(n) for n in names}


def load(path: Path | None) -> Mapping:
    """The mapping in `path` (defaults for every key it leaves out), or the defaults."""
    mapping = Mapping(path=path)
    if path is None or not Path(path).exists():
        return mapping
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        raise QdpxError(f"{path}" + (f":{line + 1}" if line is not None else "") + ": not a readable mapping (YAML)") from None
    if not isinstance(data, dict):
        raise QdpxError(f"{path}: a mapping file is a YAML mapping of sections (groups, participants, ...)")
    groups, people = data.get("groups") or {}, data.get("participants") or {}
    for attribute in GROUP_ATTRIBUTES + PARTICIPANT_ATTRIBUTES:
        given = (groups if attribute in GROUP_ATTRIBUTES else people).get(attribute)
        if given:  # names to try first, then the usual ones
            extra = [str(n) for n in (given if isinstance(given, list) else [given]) if n]
            mapping.extra[attribute] = extra
            mapping.attributes[attribute] = extra + mapping.attributes[attribute]
    mapping.day_first = bool(groups.get("day_first", True))
    for attribute, table in (data.get("values") or {}).items():
        if isinstance(table, dict):
            mapping.values.setdefault(str(attribute), {}).update({str(k): "" if v is None else str(v) for k, v in table.items()})
    speakers = data.get("speakers") or {}
    mapping.style = str(speakers.get("style") or "auto")
    if mapping.style not in STYLES and not mapping.style.startswith("regex:"):
        raise QdpxError(f"{path}: speakers.style must be one of {', '.join(STYLES)} or 'regex: ...'")
    for key, attr in (("facilitators", "facilitators"), ("not_speakers", "not_speakers")):
        if speakers.get(key) is not None:
            setattr(mapping, attr, [str(x) for x in speakers[key]])
    mapping.speakers = {str(k): str(v) for k, v in (speakers.get("rename") or {}).items() if v}
    mapping.same_label_same_person = bool(speakers.get("same_label_in_several_groups_is_one_person", False))
    codebook = data.get("codebook") or {}
    mapping.flat_codebook = str(codebook.get("flat") or mapping.flat_codebook)
    if mapping.flat_codebook not in FLAT:
        raise QdpxError(f"{path}: codebook.flat must be one of {', '.join(FLAT)}")
    mapping.code_ids = {str(k): str(v) for k, v in (codebook.get("ids") or {}).items() if v}
    if codebook.get("skip") is not None:
        mapping.skip_codes = [str(x) for x in codebook["skip"]]
    mapping.skip_sources = [str(x) for x in (data.get("sources") or {}).get("skip") or []]
    return mapping


def _yaml(value) -> str:
    """A value as YAML on one line (JSON is YAML, and quotes every string that needs it)."""
    return json.dumps(value, ensure_ascii=False)


def write(path: Path, mapping: Mapping, found: dict, todo: dict[str, list[str]]) -> None:
    """The fill-in file: every setting with its current value and a comment, then what the project holds
    (variable names, labels, sources) and, marked TODO, the values and labels only a person can place."""
    def block(key, values, comment):
        return f"  {key}: {_yaml(values)}{'   # ' + comment if comment else ''}"

    open_values = {a: dict(mapping.values.get(a, {})) for a in mapping.values}
    for attribute, raws in todo.get("values", {}).items():
        for raw in raws:
            open_values.setdefault(attribute, {}).setdefault(raw, "")
    lines = [
        "# Import mapping for peerpaper's `paper import qdpx ... --map THIS_FILE` (YAML).",
        "# It holds names from the coding project: keep it with the real data, outside the repository.",
        "# Fill in what is marked TODO, then run the import again with --map pointing here.",
        "",
        "groups:  # names of the attribute (source variable, Case variable, Set 'name: value') for each group attribute;",
        "         # names are matched loosely (case, spaces, punctuation, a 'Classification:' prefix)",
        *(block(a, mapping.extra.get(a, []), "tried first, then: " + ", ".join(SYNONYMS[a][:4]) + " ...")
          for a in GROUP_ATTRIBUTES),
        f"  day_first: {str(mapping.day_first).lower()}   # 03/04/2024 is 3 April (false: 4 March)",
        "participants:  # Case variables that give each participant's attribute (names matched loosely)",
        *(block(a, mapping.extra.get(a, []), "tried first, then: " + ", ".join(SYNONYMS[a][:4]) + " ...")
          for a in PARTICIPANT_ATTRIBUTES),
        "values:  # a value found in the project -> a value of the data contract (\"unknown\" if not recorded)",
    ]
    for attribute in (*CONTRACT_VALUES, "date", "duration_min"):
        table = open_values.get(attribute, {})
        allowed = {"date": "YYYY-MM-DD", "duration_min": "minutes"}.get(attribute) or ", ".join(CONTRACT_VALUES[attribute])
        lines.append(f"  {attribute}:   # {allowed}" + ("" if table else " (none to map)"))
        for raw, value in table.items():
            lines.append(f"    {_yaml(raw)}: {_yaml(value) if value else ''}" + ("" if value else "   # TODO"))
    lines += [
        "speakers:",
        f"  style: {_yaml(mapping.style)}   # auto, Name:, NAME:, [id], Interviewer (AB):, none (one turn per paragraph), "
        "or 'regex: ^(?P<speaker>...):'",
        block("facilitators", mapping.facilitators, "labels of those who ran the groups (not counted as participants)"),
        block("not_speakers", mapping.not_speakers,
              "labels that are not speakers (headings such as 'Abstract:'): their lines stay in the turn before"),
        "  rename:   # label -> participant id: a pseudonym, or the same id for two spellings of one person",
    ]
    for label, pid in mapping.speakers.items():
        lines.append(f"    {_yaml(label)}: {_yaml(pid)}")
    for label in todo.get("labels", []):
        lines.append(f"    {_yaml(label)}:    # TODO a speaker? give them an id here, or list the label in not_speakers")
    lines += [
        f"  same_label_in_several_groups_is_one_person: {str(mapping.same_label_same_person).lower()}   "
        "# a label with no Case in several groups: one person (true) or one per group (false)",
        "codebook:",
        f"  flat: {mapping.flat_codebook}   # when codes are all top level: one_theme_per_code or one_uncoded_theme",
        block("skip", mapping.skip_codes, "top-level codes (and all below) that are not themes, e.g. speaker codes"),
        "  ids:   # code name -> the study's code id (docs/CONTRACTS.md), for codes whose names do not match its labels",
        *(f"    {_yaml(k)}: {_yaml(v)}" for k, v in mapping.code_ids.items()),
        *(f"    {_yaml(name)}:    # TODO the study's id, if it is one of its codes" for name in todo.get("codes", [])),
        "sources:",
        block("skip", sorted(set(mapping.skip_sources) | set(todo.get("sources", []))), "sources to leave out"),
        "",
        "# What the project holds (for reference; edits here are ignored):",
    ]
    for key, values in found.items():
        lines.append(f"#   {key}: {_yaml(values)}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
