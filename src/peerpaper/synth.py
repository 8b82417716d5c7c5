"""The synthetic study: invented, coded focus groups whose true parameters are known.

Why: the real data are confidential, so the pipeline is built, tested and reviewed on a study generated
from resources/synthetic_study.yaml, whose numbers the analyses must recover, and whose talk a reader can
take for a focus group: 100-150 spoken words a minute, many short turns and some long ones, a facilitator
working through a topic guide, cross-talk, and no sentence said by two people (peerpaper.synth_text).

How a run goes: numpy's seeded Generator draws the plan of every group (who speaks, what kind of turn, how
long, on which question) and the turn x code matrix, vectorised over the whole study; then the text of each
turn is written from the phrase bank in one Python loop, drawing uniforms from the same Generator in fixed
blocks. pandas writes the CSVs with "\\n" line endings and no floats, so the same seed and size give the
same bytes on every machine with the pinned numpy.
"""

from __future__ import annotations

import bisect
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import PaperError
from .paths import RESOURCES
from .synth_text import Bank, Registry, Template, Uniforms, join, words

PARAMETERS = RESOURCES / "synthetic_study.yaml"
SCHEMA = RESOURCES / "datapackage.json"
TABLES = ("groups", "participants", "codebook", "segments", "codings", "double_coded")
SECTORS = ("street", "indoor", "online", "mixed")
MINIMAL, ASIDE, CONTENT = 0, 1, 2  # kinds of participant turn
KINDS = {"minimal": MINIMAL, "aside": ASIDE, "content": CONTENT}


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


def generate(out: Path, seed: int | None = None, groups: int | None = None, stats: dict | None = None) -> Path:
    """Write a synthetic study (six CSVs + datapackage.json) to `out`; defaults are the committed study's.

    Refuses to write into a folder holding anything but an earlier synthetic study, and writes every file
    to a temporary folder first, so a failure leaves `out` as it was. `stats`, when given, receives the
    number of participant sentences and how many were written unchecked (the phrase bank ran out).
    """
    params = parameters()
    seed = params["seed"] if seed is None else int(seed)
    n_groups = params["groups"] if groups is None else int(groups)
    if n_groups < 1:
        raise PaperError(f"paper synth: --groups must be at least 1, not {n_groups}")
    out = Path(out)
    _check_writable(out)
    study = _Study(params, np.random.default_rng(seed), n_groups)
    tables = study.tables()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as tmp:
        for name, frame in tables.items():
            frame.to_csv(Path(tmp, f"{name}.csv"), index=False, lineterminator="\n", encoding="utf-8")
        descriptor = _descriptor(params, seed, n_groups, study.registry)
        Path(tmp, "datapackage.json").write_text(descriptor, encoding="utf-8", newline="\n")
        for file in sorted(os.listdir(tmp)):
            os.replace(Path(tmp, file), out / file)
    if stats is not None:
        stats.update(sentences=study.registry.sentences, unchecked=study.registry.unchecked)
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


def _descriptor(params: dict, seed: int, n_groups: int, registry: Registry) -> str:
    package = json.loads(SCHEMA.read_text(encoding="utf-8"))
    package["synthetic"] = True
    package["title"] = "SYNTHETIC " + package["title"]
    varied = (
        "No participant sentence of six words or more, and no run of six words, is said by two speakers."
        if registry.unchecked == 0 else
        f"{registry.unchecked:,} of {registry.sentences:,} participant sentences were written after the phrase "
        "bank ran out and may repeat one another: the study is larger than the bank was written for."
    )
    package["description"] = (
        f"Synthetic, invented data made by `paper synth --seed {seed} --groups {n_groups}` from "
        f"src/peerpaper/resources/synthetic_study.yaml. No real person is described. {varied} "
        + package["description"]
    )
    share = params["second_coder"]["share"]
    package["double_coding"] = {
        "sample": f"a simple random sample of {share:.0%} of each group's participant turns (rounded to whole turns), "
                  f"drawn by the generator with seed {seed} before any coding and coded by both coders",
        "disagreements": "not resolved into one coding: the first coder's codes (C1) are the ones analysed, and the "
                         "second coder's (C2) serve only to measure agreement",
    }
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


@dataclass
class _Plan:
    """Participant turns of the whole study in speaking order, one array entry per turn."""

    group: np.ndarray  # group number
    speaker: np.ndarray  # row in participants
    kind: np.ndarray  # MINIMAL, ASIDE, CONTENT
    length: np.ndarray  # target words of a content turn
    topic: np.ndarray  # theme number of the question being discussed
    question: np.ndarray  # True where the facilitator asks a question just before this turn
    first_on_topic: np.ndarray  # True where that question opens its theme (else a follow-up)
    interrupted: np.ndarray  # True where the turn is cut off and the next speaker comes in
    rate: np.ndarray = field(default_factory=lambda: np.array([]))  # each group's words per minute


@dataclass
class _Study:
    """One generation run: the random draws in a fixed order, then the tables."""

    params: dict
    rng: np.random.Generator
    n_groups: int

    def tables(self) -> dict[str, pd.DataFrame]:
        p = self.params
        codebook = codebook_table(p)
        self.codes = [r["id"] for r in p["codebook"] if r.get("parent")]
        self.themes = [r["id"] for r in p["codebook"] if not r.get("parent")]
        theme_of = dict(zip(codebook.code_id, codebook.parent_id))
        self.theme = np.array([self.themes.index(theme_of[c]) for c in self.codes])
        groups = self._groups()
        participants = self._participants(groups)
        plan = self._plan(participants)
        applied = self._codes(plan, participants)
        drawn = self._double_coding_sample(plan.group)
        second = self._second_coder(applied, drawn, plan.kind)
        self.registry = Registry()
        segments, turn_segment = _Writer(self, groups, participants, plan, applied).segments()
        spoken = segments.groupby("group_id", sort=False)["text"].apply(lambda t: t.str.split().str.len().sum())
        groups["duration_min"] = np.maximum(1, np.rint(spoken.reindex(groups.group_id).to_numpy() / plan.rate)).astype(int)
        codings = self._codings(turn_segment, applied, second)
        double_coded = pd.DataFrame({"segment_id": np.repeat(turn_segment[drawn], 2),
                                     "coder_id": np.tile(["C1", "C2"], int(drawn.sum()))})
        return {
            "groups": groups,
            "participants": participants,
            "codebook": codebook,
            "segments": segments,
            "codings": codings,
            "double_coded": double_coded,
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

    def _plan(self, participants: pd.DataFrame) -> _Plan:
        """Every group's participant turns: enough talk for its length at its speech rate, on its questions."""
        p, t = self.params, self.params["turns"]
        n = self.n_groups
        rate = self.rng.uniform(*p["words_per_minute"], size=n)
        minutes = self.rng.uniform(*p["duration_min"], size=n)
        budget = minutes * rate * (1 - t["facilitator_share"])  # participant words each group should reach
        kinds = np.array([KINDS[k] for k in t["kind"]])
        kind_p = np.array(list(t["kind"].values()), dtype=float)
        content = t["content_words"]
        expected = kind_p @ np.array([t["minimal_words"], t["aside_words"], content["median"] * 1.4])
        draws = np.ceil(1.5 * budget / (expected / kind_p.sum()) + 20).astype(int)
        group = np.repeat(np.arange(n), draws)
        kind = kinds[self.rng.choice(len(kinds), size=len(group), p=kind_p / kind_p.sum())]
        length = np.clip(np.rint(content["median"] * np.exp(content["sigma"] * self.rng.standard_normal(len(group)))),
                         content["min"], content["max"]).astype(int)
        words_ = np.where(kind == CONTENT, length, np.where(kind == MINIMAL, t["minimal_words"], t["aside_words"]))
        start = np.r_[0, np.cumsum(draws)[:-1]]
        before = np.cumsum(words_) - words_ - np.repeat(np.cumsum(words_)[start] - words_[start], draws)
        keep = before < budget[group]  # each group's turns until its budget is spoken
        group, kind, length = group[keep], kind[keep], length[keep]
        speaker = self._speakers(participants, group)
        topic, question, first = self._questions(group)
        interrupted = (kind == CONTENT) & (self.rng.random(len(group)) < t["interruption"])
        interrupted &= np.r_[group[1:] == group[:-1], False]  # never the group's last turn
        interrupted &= ~np.r_[False, interrupted[:-1]]  # no chains: the one coming in is not cut off too
        kind = np.where(np.r_[False, interrupted[:-1]], MINIMAL, kind)  # the turn after it is the one coming in
        return _Plan(group, speaker, kind, length, topic, question, first, interrupted, rate)

    def _speakers(self, participants: pd.DataFrame, group: np.ndarray) -> np.ndarray:
        """Who takes each turn: by each person's talkativeness, never the same person twice in a row."""
        people = np.flatnonzero(participants.role.to_numpy() != "facilitator")
        number = pd.factorize(participants.group_id)[0][people]
        weight = self.rng.gamma(self.params["turns"]["talkativeness"], size=len(people))
        first = np.searchsorted(number, np.arange(self.n_groups)).tolist()
        size = np.bincount(number, minlength=self.n_groups).tolist()
        cumulative = [np.cumsum(weight[f : f + n]).tolist() for f, n in zip(first, size)]
        u = self.rng.random((len(group), 2)).tolist()
        speaker = []
        previous, previous_group = -1, -1
        for g, (v, w) in zip(group.tolist(), u):
            cum, n = cumulative[g], size[g]
            pick = min(bisect.bisect_right(cum, v * cum[-1]), n - 1)
            if g == previous_group and pick == previous and n > 1:  # someone else: draw again, else the next
                pick = min(bisect.bisect_right(cum, w * cum[-1]), n - 1)
                pick = (pick + 1) % n if pick == previous else pick
            speaker.append(first[g] + pick)
            previous, previous_group = pick, g
        return people[np.array(speaker, dtype=int)]

    def _questions(self, group: np.ndarray):
        """The topic guide: each theme in turn, for a share of the group's turns set by how much it draws talk.

        Returns per turn: the theme under discussion, whether a question comes just before it, and whether
        that question opens the theme (else it is a follow-up on the same theme)."""
        t = self.params["turns"]
        guide = self.params["topic_guide"]
        order = np.array([self.themes.index(th) for th in guide])
        pull = np.array(list(guide.values()), dtype=float)
        share = self.rng.gamma(t["topic_variation"], size=(self.n_groups, len(order))) * pull
        share /= share.sum(axis=1, keepdims=True)
        bounds = np.cumsum(share, axis=1)
        start = np.r_[True, group[1:] != group[:-1]]
        first_turn = np.flatnonzero(start)
        size = np.diff(np.r_[first_turn, len(group)])
        where = (np.arange(len(group)) - np.repeat(first_turn, size) + 0.5) / np.repeat(size, size)
        slot = np.minimum((where[:, None] > bounds[group]).sum(axis=1), len(order) - 1)
        topic = order[slot]
        first = start | np.r_[True, topic[1:] != topic[:-1]]
        gaps = self._uniform_int(t["turns_per_question"], len(group))
        question = first.copy()
        since = 0
        for i in range(len(group)):  # a follow-up question every few turns within a theme
            since = 0 if first[i] else since + 1
            if not first[i] and since >= gaps[i]:
                question[i], since = True, 0
        return topic, question, first

    def _codes(self, plan: _Plan, participants: pd.DataFrame) -> np.ndarray:
        """The boolean turn x code matrix (the first coder's codes): every content turn makes one main point,
        mostly on the question's theme, and raises other codes in passing, more often in a long turn."""
        p, codes = self.params, self.codes
        n_turns, n_codes = len(plan.group), len(codes)
        sector_row = {s: i for i, s in enumerate(SECTORS)}
        weight = np.array([[p["prevalence"][c][s] for c in codes] for s in SECTORS])
        sector = np.array([sector_row[s] for s in participants["sector"].to_numpy()[plan.speaker]])
        w = weight[sector]
        allowed = self._allowed(plan.group)
        content = plan.kind == CONTENT
        on_topic = self.rng.random(n_turns) < p["turns"]["on_topic"]
        in_topic = self.theme[None, :] == plan.topic[:, None]
        main_w = w * allowed * np.where(on_topic[:, None] & (in_topic & allowed).any(axis=1)[:, None], in_topic, 1)
        cdf = np.cumsum(main_w, axis=1)
        pick = (cdf < self.rng.random(n_turns)[:, None] * cdf[:, -1:]).sum(axis=1)
        applied = np.zeros((n_turns, n_codes), dtype=bool)
        applied[np.arange(n_turns), np.minimum(pick, n_codes - 1)] = True
        factor = np.sqrt(plan.length / p["turns"]["content_words"]["median"])[:, None]
        passing = np.minimum(1.0, w * p["turns"]["in_passing"] * factor)
        draw = self.rng.random((n_turns, n_codes))
        column = {c: j for j, c in enumerate(codes)}
        for pair in p["co_occurrence"]:
            a, b = column[pair["if"]], column[pair["then"]]
            carries_a = applied[:, a] | (draw[:, a] < passing[:, a])
            passing[:, b] = np.where(carries_a, np.minimum(1.0, pair["lift"] * passing[:, b]), passing[:, b])
        applied |= draw < passing
        applied &= allowed & content[:, None]
        return self._debut(applied, plan)

    def _allowed(self, group: np.ndarray) -> np.ndarray:
        """turns x codes: False where a code is not yet raised (before its debut group)."""
        low_high = [self.params["debut"].get(c, [1, 1]) for c in self.codes]
        self.debut = np.array([self.rng.integers(lo, hi + 1) for lo, hi in low_high])
        return group[:, None] >= self.debut[None, :] - 1

    def _debut(self, applied: np.ndarray, plan: _Plan) -> np.ndarray:
        """In its debut group a code is raised at least once: in a content turn on its theme if there is one."""
        pick = self.rng.random(len(self.codes))
        for j, first in enumerate(self.debut):
            in_group = np.flatnonzero((plan.group == first - 1) & (plan.kind == CONTENT))
            if first - 1 >= self.n_groups or not len(in_group) or applied[in_group, j].any():
                continue
            on_theme = in_group[plan.topic[in_group] == self.theme[j]]
            candidates = on_theme if len(on_theme) else in_group
            applied[candidates[int(pick[j] * len(candidates))], j] = True
        return applied

    def _double_coding_sample(self, group: np.ndarray) -> np.ndarray:
        """Which participant turns both coders code: `share` of each group's turns, drawn before any coding."""
        share = self.params["second_coder"]["share"]
        order = np.lexsort((self.rng.random(len(group)), group))  # a random order within each group
        first = np.r_[0, np.flatnonzero(group[order][1:] != group[order][:-1]) + 1]
        size = np.diff(np.r_[first, len(group)])
        rank = np.arange(len(group)) - np.repeat(first, size)
        drawn = np.zeros(len(group), dtype=bool)
        drawn[order] = rank < np.repeat(np.maximum(1, np.rint(share * size)), size)
        return drawn

    def _second_coder(self, applied: np.ndarray, drawn: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """C2 on the drawn turns: misses some of C1's codes and adds a few; a "yeah" gets no code from either."""
        sc = self.params["second_coder"]
        per_code = sc.get("per_code", {})
        omission = np.array([per_code.get(c, {}).get("omission", sc["omission"]) for c in self.codes])
        spurious = np.array([per_code.get(c, {}).get("spurious", sc["spurious"]) for c in self.codes])
        draw = self.rng.random(applied.shape)
        second = np.where(applied, draw >= omission, draw < spurious)
        return second & drawn[:, None] & (kind == CONTENT)[:, None]

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


class _Writer:
    """Writes every turn's text: the facilitator's guide around participant turns made from the phrase bank."""

    def __init__(self, study: _Study, groups, participants, plan: _Plan, applied):
        p = study.params
        self.p, self.t, self.groups = p, p["turns"], groups
        self.ids = participants.participant_id.tolist()
        # the plan as plain lists: one Python loop reads them per turn
        self.group, self.speaker, self.kind = plan.group.tolist(), plan.speaker.tolist(), plan.kind.tolist()
        self.length, self.topic = plan.length.tolist(), plan.topic.tolist()
        self.question, self.first_on_topic = plan.question.tolist(), plan.first_on_topic.tolist()
        self.interrupted = plan.interrupted.tolist()
        self.theme, self.themes = study.theme.tolist(), study.themes
        rows, cols = np.nonzero(applied)
        self.codes: list[list[int]] = [[] for _ in self.group]
        for r, c in zip(rows.tolist(), cols.tolist()):
            self.codes[r].append(c)
        self.u = Uniforms(study.rng)
        talk, fac, slots = p["talk"], p["facilitator"], p["slots"]
        where = str(PARAMETERS.name)

        def bank(sources, name, local=None):
            return Bank(sources, {**slots, **(local or {})}, study.registry, f"{where}: {name}")

        def templates(items, name):
            return [Template(x, slots, f"{where}: {name}") for x in items]

        self.code_bank = [bank(p["phrases"][c]["say"], c, p["phrases"][c].get("slots")) for c in study.codes]
        self.uncoded = {"context": bank(talk["context"], "talk.context"),
                        "elaboration": bank(talk["elaborations"], "talk.elaborations")}
        self.asides = {s: bank(talk["asides"][s], f"talk.asides.{s}") for s in talk["asides"]}  # any, online, in_person
        self.talk = talk
        self.fac = {key: templates(fac[key], f"facilitator.{key}") for key in
                    ("opening", "transitions", "probes", "time", "closing", "summaries")}
        self.questions = {th: templates(fac["questions"][th], f"facilitator.questions.{th}") for th in study.themes}
        self.follow_ups = {th: templates(fac["follow_ups"][th], f"facilitator.follow_ups.{th}") for th in study.themes}

    def pick(self, options: list):
        return options[int(self.u() * len(options))]

    def say(self, templates: list[Template]) -> str:
        return self.pick(templates).realise(self.u)

    def segments(self) -> tuple[pd.DataFrame, np.ndarray]:
        t = self.t
        rows: list[tuple[str, str, str, int, str]] = []
        turn_segment = np.empty(len(self.group), dtype=object)
        starts = [i for i, g in enumerate(self.group) if i == 0 or g != self.group[i - 1]]
        for start, end in zip(starts, starts[1:] + [len(self.group)]):
            gid = self.groups.group_id.iloc[self.group[start]]
            setting = self.groups.setting.iloc[self.group[start]]
            facilitator = f"FAC-{gid}"
            opening = " ".join(template.realise(self.u) for template in self.fac["opening"])
            lines: list[tuple[str, str, int | None]] = [(facilitator, opening, None)]
            previous = None  # (speaker, themes) of the last participant turn
            time_called = False
            for i in range(start, end):
                if self.question[i]:
                    topic = self.themes[self.topic[i]]
                    if self.first_on_topic[i] and previous is not None and self.u() < t["summary"]:
                        lines.append((facilitator, self.say(self.fac["summaries"]), None))
                    if not time_called and i - start > t["time_check"] * (end - start):
                        lines.append((facilitator, self.say(self.fac["time"]), None))
                        time_called = True
                    question = self.say((self.questions if self.first_on_topic[i] else self.follow_ups)[topic])
                    if self.first_on_topic[i] and i > start and self.u() < t["transition"]:
                        question = self.say(self.fac["transitions"]) + " " + question
                    lines.append((facilitator, question, None))
                    previous = None
                text, themes = self.turn(i, previous, setting)
                lines.append((self.ids[self.speaker[i]], text, i))
                previous = (self.speaker[i], themes)
                if self.kind[i] == CONTENT and not self.interrupted[i] and i < end - 1 and self.u() < t["probe"]:
                    lines.append((facilitator, self.say(self.fac["probes"]), None))
                    previous = None
            lines.append((facilitator, self.say(self.fac["closing"]), None))
            width = max(3, len(str(len(lines))))
            for position, (who, text, turn) in enumerate(lines, start=1):
                segment_id = f"{gid}-{position:0{width}d}"
                rows.append((segment_id, gid, who, position, text))
                if turn is not None:
                    turn_segment[turn] = segment_id
        segments = pd.DataFrame(rows, columns=["segment_id", "group_id", "speaker_id", "position", "text"])
        return segments, turn_segment

    def turn(self, i: int, previous, setting: str) -> tuple[str, set]:
        """A participant turn's text and the themes it touches."""
        t, talk, speaker, kind = self.t, self.talk, self.speaker[i], self.kind[i]
        if kind == MINIMAL:
            if i > 0 and self.interrupted[i - 1]:
                return self.pick(talk["interjections"]), set()
            text = self.pick(talk["minimal"])
            return ("[overlapping] " + text if self.u() < t["overlap"] else text), set()
        if kind == ASIDE:  # one bank per setting and one for any setting, chosen by how many asides each holds
            here, anywhere = self.asides.get(setting), self.asides["any"]
            n_here = len(here.templates) if here else 0
            bank = here if self.u() * (n_here + len(anywhere.templates)) < n_here else anywhere
            return bank.say(self.u, speaker), set()
        codes = self.codes[i]
        main = [j for j in codes if self.theme[j] == self.topic[i]] or codes
        main_code = main[int(self.u() * len(main))]
        others = [j for j in codes if j != main_code]
        n_sentences = max(1 + len(others), round(self.length[i] / t["sentence_words"]))
        order = [main_code] + others[:1] + [main_code] * (n_sentences - 1 - len(others)) + others[1:]
        for kind_ in ("context", "elaboration"):  # uncoded sentences among the coded ones, in long turns
            if len(order) >= 3 and self.u() < t[kind_]:
                if order.count(main_code) > 1:
                    order.remove(main_code)
                order.insert(1 + int(self.u() * (len(order) - 1)), kind_)
        themes = {self.theme[j] for j in codes}
        sentences = []
        for k, code in enumerate(order):
            bank = self.uncoded[code] if isinstance(code, str) else self.code_bank[code]
            prefix = self.opener(speaker, previous, themes) if k == 0 else (
                self.pick(talk["markers"]) if self.u() < t["marker"] else "")
            if prefix.endswith(". "):  # an opener that is a sentence of its own ("Yeah, same here.")
                sentences.append(prefix.strip())
                prefix = ""
            sentences.append(bank.say(self.u, speaker, prefix))
        for short, least in (("tails", 3), ("beats", 4)):  # short sentences anyone says, in longer turns
            if len(sentences) >= least and self.u() < t[short[:-1]]:
                sentences.insert(1 + int(self.u() * (len(sentences) - 1)), self.pick(talk[short]))
        if self.interrupted[i]:
            sentences[-1] = join(sentences[-1].rstrip(".?!") + ", and ", self.pick(talk["cutoffs"]))
        elif self.u() < t["laughs"]:
            sentences[-1] += " [laughs]"
        return " ".join(sentences), themes

    def opener(self, speaker: int, previous, themes: set) -> str:
        """How a turn begins: taking up, pushing back on or just following the previous participant."""
        t, talk = self.t, self.talk
        if previous is None or previous[0] == speaker:
            return self.pick(talk["openers"])
        v = self.u()
        if v < t["disagree"]:
            return self.pick(talk["disagree"])
        if previous[1] & themes and v < t["disagree"] + t["agree_when_sharing_theme"]:
            return self.pick(talk["agree"])
        return self.pick(talk["openers"])


def word_count(text: pd.Series) -> int:
    """Words in a series of turns (runs of letters, as synth_text counts them)."""
    return int(sum(len(words(x)) for x in text))
