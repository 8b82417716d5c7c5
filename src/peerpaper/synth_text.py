"""Invented talk for the synthetic study: sentence templates, realised so that no two speakers say the same.

A template is one sentence with `[a|b|c]` alternations (an empty option is allowed: `[|, honestly]`),
`{slot}`s, alternations whose options are listed once under a name, and `[[laughter]]` for a transcriber's
literal "[laughter]". Each realisation draws every option
from a uniform number, so the same seed gives the same words.

Why more than exact repeats: the synthetic quotes are read, and two quotes that differ only in a name or a
time ("when a friend of mine got attacked last winter, the whole community turned out for her" / "when one
of the regulars got attacked over the summer, ...") read as one sentence given twice, though their word
trigrams overlap by only 0.21. What gives them away is the long run of words they share. So two measures:

- a shared run: no two speakers' sentences share a sequence of RUN (six) or more words, as plagiarism checks
  look for shared word sequences; a generator that meets it cannot hand one skeleton to many people;
- resemblance: the Jaccard index of two sentences' sets of word trigrams (w-shingling, Broder 1997), after
  lower-casing and dropping punctuation, reported as the highest across speakers (changing one word in the
  middle of a twelve-word sentence leaves 0.54); within a template, a realisation stays below LIMIT of
  every earlier one, so even one speaker does not say a sentence twice with a word changed.

Sentences of fewer than MIN_WORDS words ("Yeah, exactly.") are not compared: in any transcript many people
say them. A `Bank` holds a code's templates: a candidate that breaks a rule is drawn again, and a template
that fails TRIES times in a row is spent. When every template of a bank is spent, or the study has more
than CHECKED sentences (the index would not fit in memory), sentences are written unchecked and counted,
so a study too large for the phrase bank says so instead of passing for varied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
from scipy import sparse

from .errors import PaperError

MIN_WORDS = 6  # shorter sentences are minimal responses: never compared
RUN = 7  # no run of this many words is shared by two speakers
LIMIT = 0.4  # a realisation's trigram Jaccard with every earlier one of its template stays below this
TRIES = 40
CAPACITY = 150  # realisations kept per template (bounds the cost of the check)
CHECKED = 120_000  # sentences indexed at most; beyond, sentences are written unchecked and counted

_NOTE = re.compile(r"\[[^\[\]]*\]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_TOKEN = re.compile(r"\[\[([^\[\]]*)\]\]|\[([^\[\]]*)\]|\{(\w+)\}")
_SPACES = re.compile(r" {2,}")
_BEFORE_PUNCT = re.compile(r" +([,.;:?!])")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u2019)\]]*\s+(?=[\"'\u2018(\[]?[A-Z\u2014-])")


# --- the measure -------------------------------------------------------------------------------------


def words(sentence: str) -> list[str]:
    """Lower-case spoken words: punctuation and a transcriber's [laughs] or [overlapping] dropped."""
    return _WORD.findall(_NOTE.sub(" ", sentence.lower().replace("\u2019", "'")))


def shingles(sentence: str) -> frozenset:
    """The sentence's word trigrams (a shorter sentence: its words as one shingle)."""
    w = words(sentence)
    if len(w) < 3:
        return frozenset([tuple(w)])
    return frozenset(zip(w, w[1:], w[2:]))


def resemblance(a: frozenset, b: frozenset) -> float:
    """Jaccard index of two shingle sets."""
    common = len(a & b)
    return common / (len(a) + len(b) - common) if (a or b) else 1.0


def sentences(text: str) -> list[str]:
    """A turn split into sentences at . ! ? (and a closing quote or bracket) followed by a capital."""
    return [s.strip() for s in _SENTENCE_END.split(str(text)) if s.strip()]


def _long_sentences(texts: Iterable[str], speakers: Iterable[str]) -> tuple[list[str], list]:
    rows, who = [], []
    for text, speaker in zip(texts, speakers):
        for sentence in sentences(text):
            if len(words(sentence)) >= MIN_WORDS:
                rows.append(sentence)
                who.append(speaker)
    return rows, who


def closest_pairs(texts: Iterable[str], speakers: Iterable[str], top: int = 5) -> list[tuple[float, str, str]]:
    """The `top` most resembling pairs of sentences (MIN_WORDS words or more) said by two different speakers.

    Exact, not sampled: a sparse sentences x trigrams matrix X gives every pair's common trigrams as X @ X.T.
    Returns (Jaccard index, sentence, sentence), highest first; an exact repeat scores 1.0.
    """
    rows, who = _long_sentences(texts, speakers)
    if len(rows) < 2:
        return []
    vocabulary: dict = {}
    indptr, indices = [0], []
    for sentence in rows:
        indices += sorted({vocabulary.setdefault(s, len(vocabulary)) for s in shingles(sentence)})
        indptr.append(len(indices))
    X = sparse.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr), shape=(len(rows), len(vocabulary)))
    size = np.diff(X.indptr)
    common = sparse.triu(X @ X.T, k=1).tocoo()
    speaker = np.array(who, dtype=object)
    other = speaker[common.row] != speaker[common.col]
    i, j, c = common.row[other], common.col[other], common.data[other]
    score = c / (size[i] + size[j] - c)
    best = np.argsort(-score, kind="stable")[:top]
    return [(float(score[b]), rows[i[b]], rows[j[b]]) for b in best]


def longest_shared_run(texts: Iterable[str], speakers: Iterable[str]) -> tuple[int, str]:
    """The longest run of words that sentences of two different speakers share, and the run itself."""
    rows, who = _long_sentences(texts, speakers)
    split = [words(r) for r in rows]
    best, example = 0, ""
    n = 1
    while True:
        first: dict[tuple, object] = {}
        found = None
        for w, speaker in zip(split, who):
            for k in range(len(w) - n + 1):
                gram = tuple(w[k : k + n])
                owner = first.setdefault(gram, speaker)
                if owner != speaker:
                    found = gram
                    break
            if found:
                break
        if not found:
            return best, example
        best, example = n, " ".join(found)
        n += 1


# --- templates ---------------------------------------------------------------------------------------


class Template:
    """One sentence with alternations and slots, parsed once into a format string and its option lists."""

    __slots__ = ("source", "parts", "format", "points", "untidy")

    def __init__(self, source: str, slots: dict[str, list[str]], where: str):
        self.source = source
        parts: list = []
        position = 0
        for match in _TOKEN.finditer(source):
            if match.start() > position:
                parts.append(source[position : match.start()])
            if match.group(1) is not None:
                parts.append(f"[{match.group(1)}]")
            elif match.group(2) is not None:
                options = match.group(2).split("|")
                if any(re.search(r"[\[\]{}]", o) for o in options):
                    raise PaperError(f"{where}: an option holds [ ] or {{ }} in {source!r}")
                parts.append(tuple(options))
            else:
                name = match.group(3)
                if name not in slots:
                    raise PaperError(f"{where}: unknown slot {{{name}}} in {source!r}")
                parts.append(tuple(slots[name]))
            position = match.end()
        if position < len(source):
            parts.append(source[position:])
        literal = "".join(p for p in parts if isinstance(p, str) and not re.fullmatch(r"\[[^\[\]]*\]", p))
        if re.search(r"[\[\]{}]", literal):
            raise PaperError(f"{where}: unbalanced [ ] or {{ }} in {source!r}")
        shape = "".join(p if isinstance(p, str) else "X" for p in parts)  # an option stands for a word
        if any(re.search(r"[.!?] +[A-Z]", text) for text in _texts(parts)) or re.search(r"[.!?]\s+\S", shape):
            raise PaperError(f"{where}: a template is one sentence; split {source!r}")
        self.parts = tuple(parts)
        self.format = "".join(p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else "{}" for p in parts)
        self.points = tuple((p, len(p)) for p in parts if not isinstance(p, str))
        self.untidy = any(o == "" or o != o.strip() or o[:1] in ",.;:?!" for p, _ in self.points for o in p)

    def realise(self, uniforms: "Uniforms") -> str:
        draws = uniforms.take(len(self.points))
        text = self.format.format(*[options[int(u * n)] for (options, n), u in zip(self.points, draws)])
        if self.untidy:  # an empty option leaves a double space or a space before a comma
            text = _BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
        return text[:1].upper() + text[1:]


def _texts(parts) -> list[str]:
    """Each literal and each option, to check what a template can say."""
    return [p for part in parts for p in ((part,) if isinstance(part, str) else part)]


def tidy(text: str) -> str:
    """Single spaces, none before punctuation, a capital first letter."""
    text = _BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
    return text[:1].upper() + text[1:]


class Registry:
    """What participants have said so far, shared by all banks: every run of RUN words and who said it."""

    def __init__(self):
        self.owner: dict[tuple, int] = {}
        self.said: set[tuple] = set()
        self.sentences = 0
        self.unchecked = 0

    @property
    def checking(self) -> bool:
        return self.sentences < CHECKED

    def fits(self, w: list[str], speaker: int) -> bool:
        """Neither the sentence (its words `w`) nor any of its runs of RUN words was said by someone else."""
        if len(w) < MIN_WORDS:
            return True
        if len(w) < RUN:
            return tuple(w) not in self.said
        owner = self.owner.get
        return all(owner(tuple(w[k : k + RUN]), speaker) == speaker for k in range(len(w) - RUN + 1))

    def add(self, w: list[str] | None, speaker: int) -> None:
        """Count a sentence; index its words `w` (None: written unchecked)."""
        self.sentences += 1
        if w is None:
            self.unchecked += 1
        elif len(w) >= MIN_WORDS:
            self.said.add(tuple(w))
            for k in range(len(w) - RUN + 1):
                self.owner.setdefault(tuple(w[k : k + RUN]), speaker)


class Bank:
    """A set of templates (one code's, the asides, ...) realised without near-duplicates while they last."""

    def __init__(self, sources: list[str], slots: dict, registry: Registry, where: str):
        if not sources:
            raise PaperError(f"{where}: no sentences")
        self.templates = [Template(s, slots, where) for s in sources]
        self.history: list[list[frozenset]] = [[] for _ in self.templates]
        self.spent = [False] * len(self.templates)
        self.used: dict[int, set[int]] = {}  # speaker -> templates they have said: they say another next
        self.registry = registry

    def say(self, uniforms: "Uniforms", speaker: int, prefix: str = "") -> str:
        """A sentence from one of the templates, `prefix` ("I think ") joined to it, checked as said."""
        n = len(self.templates)
        start = int(uniforms() * n)
        if self.registry.checking and not all(self.spent):
            mine = self.used.setdefault(speaker, set())
            if len(mine) >= n:
                mine.clear()
            order = sorted(((start + step) % n for step in range(n)), key=lambda t: (t in mine, len(self.history[t])))
            for t in order:  # the speaker's unused templates first, the least used of them first
                if self.spent[t]:
                    continue
                for _ in range(TRIES):
                    candidate = join(prefix, self.templates[t].realise(uniforms))
                    w = words(candidate)
                    if self.registry.fits(w, speaker) and self._apart(t, w):
                        self.registry.add(w, speaker)
                        mine.add(t)
                        return candidate
                self.spent[t] = True
        candidate = join(prefix, self.templates[start].realise(uniforms))  # spent or too big: unchecked, counted
        self.registry.add(None, speaker)
        return candidate

    def _apart(self, t: int, w: list[str]) -> bool:
        """The words `w` resemble no earlier realisation of template t; if so, remember them."""
        if len(w) < MIN_WORDS:
            return True
        mine = frozenset(zip(w, w[1:], w[2:]))
        history = self.history[t]
        if any(resemblance(mine, other) >= LIMIT for other in history):
            return False
        history.append(mine)
        if len(history) >= CAPACITY:
            self.spent[t] = True
        return True


def join(prefix: str, sentence: str) -> str:
    """ "I think " + "The law..." -> "I think the law..." (a capital kept for "I" and after a full stop)."""
    if not prefix:
        return sentence
    if prefix.rstrip().endswith((".", "?", "!")) or sentence.startswith(("I ", "I'")):
        return prefix + sentence
    return prefix + sentence[:1].lower() + sentence[1:]


class Uniforms:
    """Uniform numbers from a seeded Generator, drawn in fixed-size blocks (same seed, same sequence)."""

    BLOCK = 1 << 16

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.block: list[float] = []
        self.i = 0

    def __call__(self) -> float:
        if self.i >= len(self.block):
            self.block = self.rng.random(self.BLOCK).tolist()
            self.i = 0
        self.i += 1
        return self.block[self.i - 1]

    def take(self, k: int) -> list[float]:
        """The next k numbers, in the order single calls would give them."""
        if self.i + k > len(self.block):
            rest = self.block[self.i :]
            self.block = rest + self.rng.random(self.BLOCK).tolist()
            self.i = 0
        self.i += k
        return self.block[self.i - k : self.i]
