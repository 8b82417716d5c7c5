"""The synthetic study: invented, coded focus groups whose true parameters are known.

Why: the real data are confidential, so the pipeline is built, tested and reviewed on a study generated
from resources/synthetic_study.yaml, whose numbers the analyses must recover. numpy's seeded Generator
draws every random number, vectorised over the whole study (one code matrix for all turns); only the
writing of sentences loops in Python. pandas writes the CSVs with "\\n" line endings and no floats, so the
same seed and size give the same bytes on every machine with the pinned numpy.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import PaperError
from .paths import RESOURCES

PARAMETERS = RESOURCES / "synthetic_study.yaml"
SCHEMA = RESOURCES / "datapackage.json"
TABLES = ("groups", "participants", "codebook", "segments", "codings")
SECTORS = ("street", "indoor", "online", "mixed")


@cache
def parameters() -> dict:
    """The generating parameters (tests read them to check that analyses recover them)."""
    return yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))


def codebook_table(params: dict | None = None) -> pd.DataFrame:
    """The codebook as it is written to codebook.csv."""
    rows = (params or parameters())["codebook"]
    return pd.DataFrame(
        {
            "code_id": [r["id"] for r in rows],
            "parent_id": [r.get("parent", "") for r in rows],
            "label": [r["label"] for r in rows],
            "definition": [r["definition"] for r in rows],
            "include": [r["include"] for r in rows],
            "exclude": [r["exclude"] for r in rows],
        }
    )


def generate(out: Path, seed: int | None = None, groups: int | None = None) -> Path:
    """Write a synthetic study (five CSVs + datapackage.json) to `out`; defaults are the committed study's.

    Refuses to write into a folder holding anything but an earlier synthetic study, and writes every file
    to a temporary folder first, so a failure leaves `out` as it was.
    """
    params = parameters()
    seed = params["seed"] if seed is None else int(seed)
    n_groups = params["groups"] if groups is None else int(groups)
    if n_groups < 1:
        raise PaperError(f"paper synth: --groups must be at least 1, not {n_groups}")
    out = Path(out)
    _check_writable(out)
    tables = _Study(params, np.random.default_rng(seed), n_groups).tables()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as tmp:
        for name, frame in tables.items():
            frame.to_csv(Path(tmp, f"{name}.csv"), index=False, lineterminator="\n", encoding="utf-8")
        Path(tmp, "datapackage.json").write_text(_descriptor(seed, n_groups), encoding="utf-8", newline="\n")
        for file in sorted(os.listdir(tmp)):
            os.replace(Path(tmp, file), out / file)
    return out


def _check_writable(out: Path) -> None:
    """Only an empty folder or an earlier synthetic study may be (over)written: never real data."""
    if not out.exists():
        return
    if not out.is_dir():
        raise PaperError(f"{out}: exists and is not a folder")
    if not any(out.iterdir()):
        return
    package = out / "datapackage.json"
    try:
        synthetic = json.loads(package.read_text(encoding="utf-8")).get("synthetic") is True
    except (OSError, ValueError):
        synthetic = False
    if not synthetic:
        raise PaperError(f"{out}: refusing to write into a folder that is not a synthetic study")


def _descriptor(seed: int, n_groups: int) -> str:
    package = json.loads(SCHEMA.read_text(encoding="utf-8"))
    package["synthetic"] = True
    package["title"] = "SYNTHETIC " + package["title"]
    package["description"] = (
        f"Synthetic, invented data made by `paper synth --seed {seed} --groups {n_groups}` from "
        "src/peerpaper/resources/synthetic_study.yaml. No real person is described. " + package["description"]
    )
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


@dataclass
class _Study:
    """One generation run: the random draws in a fixed order, then the tables."""

    params: dict
    rng: np.random.Generator
    n_groups: int

    def tables(self) -> dict[str, pd.DataFrame]:
        codebook = codebook_table(self.params)
        self.codes = [c for c in self.params["prevalence"]]
        theme_of = dict(zip(codebook.code_id, codebook.parent_id))
        self.theme = np.array([theme_of[c] for c in self.codes])
        groups = self._groups()
        participants = self._participants(groups)
        turn_speaker, turn_group = self._turns(participants)
        sector = participants["sector"].to_numpy()[turn_speaker]
        applied = self._codes(sector, turn_group)
        second = self._second_coder(applied)
        segments, turn_segment = self._segments(groups, participants, turn_speaker, turn_group, applied)
        codings = self._codings(turn_segment, applied, second)
        return {
            "groups": groups,
            "participants": participants,
            "codebook": codebook,
            "segments": segments,
            "codings": codings,
        }

    # --- draws ---------------------------------------------------------------------------------------

    def _choice(self, mix: dict, size: int) -> np.ndarray:
        keys = list(mix)
        p = np.array([mix[k] for k in keys], dtype=float)
        return np.array(keys, dtype=object)[self.rng.choice(len(keys), size=size, p=p / p.sum())]

    def _uniform_int(self, bounds: list[int], size: int) -> np.ndarray:
        low, high = bounds
        return self.rng.integers(low, high + 1, size=size)

    def _groups(self) -> pd.DataFrame:
        p, n = self.params, self.n_groups
        first = date.fromisoformat(p["first_date"])
        offsets = np.concatenate([[0], np.cumsum(self._uniform_int(p["days_between_groups"], n - 1))])
        last_day = (date(p["year"], 12, 20) - first).days
        if offsets[-1] > last_day:  # too many groups for monthly-ish: spread them over the year
            offsets = np.floor(np.linspace(0, last_day, n)).astype(int)
        width = max(2, len(str(n)))
        return pd.DataFrame(
            {
                "group_id": [f"G{i + 1:0{width}d}" for i in range(n)],
                "date": [(first + timedelta(days=int(d))).isoformat() for d in offsets],
                "setting": self._choice(p["setting"], n),
                "region": self._choice(p["region"], n),
                "duration_min": self._uniform_int(p["duration_min"], n),
            }
        )

    def _participants(self, groups: pd.DataFrame) -> pd.DataFrame:
        p = self.params
        sizes = self._uniform_int(p["participants_per_group"], len(groups))
        total = int(sizes.sum())
        names = np.array(p["pseudonyms"], dtype=object)[self.rng.permutation(len(p["pseudonyms"]))]
        rounds, index = np.divmod(np.arange(total), len(names))
        ids = [name if r == 0 else f"{name}{r + 1}" for name, r in zip(names[index], rounds)]
        people = pd.DataFrame(
            {
                "participant_id": ids,
                "group_id": np.repeat(groups.group_id.to_numpy(), sizes),
                "role": self._choice(p["role"], total),
                "sector": self._choice(p["sector"], total),
            }
        )
        facilitators = pd.DataFrame(
            {"participant_id": "FAC-" + groups.group_id, "group_id": groups.group_id, "role": "facilitator", "sector": ""}
        )
        # each group's facilitator first, then its participants
        both = pd.concat([facilitators, people], ignore_index=True)
        both["_group"] = both.group_id.map({g: i for i, g in enumerate(groups.group_id)})
        both["_facilitator"] = both.role != "facilitator"
        both = both.sort_values(["_group", "_facilitator"], kind="stable").drop(columns=["_group", "_facilitator"])
        return both.reset_index(drop=True)

    def _turns(self, participants: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Participant turns in speaking order: (row in participants, group number) per turn."""
        speakers = np.flatnonzero(participants.role.to_numpy() != "facilitator")
        counts = self._uniform_int(self.params["turns_per_participant"], len(speakers))
        speaker = np.repeat(speakers, counts)
        group_number = pd.factorize(participants.group_id)[0]
        group = group_number[speaker]
        order = np.lexsort((self.rng.random(len(speaker)), group))
        return speaker[order], group[order]

    def _codes(self, sector: np.ndarray, group: np.ndarray) -> np.ndarray:
        """The boolean turn x code matrix: prevalence by sector, lifted by co-occurrence, held back by debut."""
        p, codes = self.params, self.codes
        column = {c: j for j, c in enumerate(codes)}
        prevalence = np.array([[p["prevalence"][c][s] for c in codes] for s in SECTORS])
        sector_row = {s: i for i, s in enumerate(SECTORS)}
        threshold = prevalence[[sector_row[s] for s in sector]]
        draw = self.rng.random(threshold.shape)
        for pair in p["co_occurrence"]:
            a, b = column[pair["if"]], column[pair["then"]]
            carries_a = draw[:, a] < threshold[:, a]
            lifted = np.minimum(1.0, pair["lift"] * threshold[:, b])
            threshold[:, b] = np.where(carries_a, lifted, threshold[:, b])
        applied = draw < threshold
        debut = np.array([p["debut"].get(c, 1) for c in codes])
        applied &= group[:, None] >= debut[None, :] - 1
        pick = self.rng.random(len(codes))  # which turn of the debut group raises a missing code
        for j, first in enumerate(debut):
            in_group = np.flatnonzero(group == first - 1)
            if len(in_group) and not applied[in_group, j].any():
                silent = in_group[~applied[in_group].any(axis=1)]  # prefer a turn that says nothing yet
                candidates = silent if len(silent) else in_group
                applied[candidates[int(pick[j] * len(candidates))], j] = True
        return applied

    def _second_coder(self, applied: np.ndarray) -> np.ndarray:
        sc = self.params["second_coder"]
        per_code = sc.get("per_code", {})
        omission = np.array([per_code.get(c, {}).get("omission", sc["omission"]) for c in self.codes])
        spurious = np.array([per_code.get(c, {}).get("spurious", sc["spurious"]) for c in self.codes])
        chosen = self.rng.random(len(applied)) < sc["share"]
        draw = self.rng.random(applied.shape)
        second = np.where(applied, draw >= omission, draw < spurious)
        return second & chosen[:, None]

    # --- text ----------------------------------------------------------------------------------------

    def _segments(self, groups, participants, speaker, group, applied):
        """Interleave facilitator turns with participant turns and write every turn's text."""
        p = self.params
        fac = p["facilitator"]
        ids = participants.participant_id.to_numpy()
        n_turns = len(speaker)
        r = self.rng.random((n_turns, 8))  # per-turn choices, drawn at once
        template = self.rng.random(applied.shape)
        slot = self.rng.random(applied.shape + (2,))
        gaps = self._uniform_int(p["participant_turns_per_question"], n_turns)
        writer = _Writer(p)
        rows: list[tuple[str, str, str, int, str]] = []
        turn_segment = np.empty(n_turns, dtype=object)
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        ends = np.r_[starts[1:], n_turns]
        group_ids = groups.group_id.to_numpy()
        for g, (start, end) in enumerate(zip(starts, ends)):
            gid = group_ids[group[start]]
            facilitator = f"FAC-{gid}"
            lines: list[tuple[str, str, int | None]] = []  # speaker, text, turn index
            lines.append((facilitator, _pick(fac["opening"], r[start, 0]), None))
            until_question, previous = 0, None
            for t in range(start, end):
                codes = np.flatnonzero(applied[t])
                if until_question == 0:
                    themes = [self.theme[j] for j in codes]
                    question = _pick(fac["questions"][themes[0]], r[t, 1]) if themes else _pick(fac["general"], r[t, 1])
                    lines.append((facilitator, question, None))
                    until_question, previous = int(gaps[t]), None
                until_question -= 1
                text = writer.turn(codes, [self.codes[j] for j in codes], self.theme, previous,
                                   speaker[t], r[t], template[t], slot[t])
                lines.append((ids[speaker[t]], text, t))
                previous = (speaker[t], set(self.theme[codes]))
                if r[t, 7] < p["facilitator_prompt"] and t < end - 1:
                    lines.append((facilitator, _pick(fac["prompts"], r[t, 6]), None))
                    previous = None
            lines.append((facilitator, _pick(fac["closing"], r[end - 1, 1]), None))
            width = max(3, len(str(len(lines))))
            for position, (who, text, t) in enumerate(lines, start=1):
                segment_id = f"{gid}-{position:0{width}d}"
                rows.append((segment_id, gid, who, position, text))
                if t is not None:
                    turn_segment[t] = segment_id
        segments = pd.DataFrame(rows, columns=["segment_id", "group_id", "speaker_id", "position", "text"])
        return segments, turn_segment

    def _codings(self, turn_segment, applied, second) -> pd.DataFrame:
        frames = []
        for coder, matrix in (("C1", applied), ("C2", second)):
            turn, code = np.nonzero(matrix)
            frames.append(pd.DataFrame({"turn": turn, "coder": coder, "code": code}))
        both = pd.concat(frames).sort_values(["turn", "coder", "code"], kind="stable")
        return pd.DataFrame(
            {
                "segment_id": turn_segment[both.turn.to_numpy()],
                "code_id": np.array(self.codes, dtype=object)[both.code.to_numpy()],
                "coder_id": both.coder.to_numpy(),
            }
        )


def _pick(options: list, u: float):
    """The option a uniform number in [0, 1) points at."""
    return options[int(u * len(options))]


class _Writer:
    """Writes a participant turn from the sentences for its codes; never repeats a long turn verbatim."""

    def __init__(self, params: dict):
        self.p = params
        self.seen: set[str] = set()

    def turn(self, codes, code_ids, theme, previous, speaker, r, template, slot) -> str:
        p = self.p
        if not code_ids:
            return _pick(p["no_code"], r[2])
        sentences = []
        for j, code in zip(codes, code_ids):
            sentence = _pick(p["participant"][code], template[j])
            sentences.append(self._fill(sentence, slot[j]))
        body = " ".join(sentences)
        shares_theme = previous is not None and previous[0] != speaker and previous[1] & set(theme[codes])
        if previous is not None and previous[0] != speaker and r[3] < p["disagree"]:
            openers = p["disagree_openers"]
        elif shares_theme and r[3] < p["agree_when_sharing_theme"]:
            openers = p["agree_openers"]
        else:
            openers = p["openers"]
        tails = p["tails"]
        first, tail = int(r[4] * len(openers)), int(r[5] * len(tails))
        for attempt in range(len(openers) * len(tails)):  # the first variant not yet used, in a fixed order
            opener = openers[(first + attempt) % len(openers)]
            end = tails[(tail + attempt // len(openers)) % len(tails)]
            text = _join(opener, body) + end
            if text not in self.seen:
                break
        self.seen.add(text)
        return text

    def _fill(self, sentence: str, draws) -> str:
        """Fill up to two `{slot}`s of a sentence, each from its own random draw."""
        slots = self.p["slots"]
        names = [name for name in slots if "{" + name + "}" in sentence]
        text = sentence.format(**{name: _pick(slots[name], u) for name, u in zip(names, draws)})
        return text[0].upper() + text[1:]


def _join(opener: str, body: str) -> str:
    """Opener + body with the body's first letter lower-cased after a run-on opener ("I think people...")."""
    if not opener or opener.endswith(". ") or body.startswith("I ") or body.startswith("I'"):
        return opener + body
    return opener + body[0].lower() + body[1:]
