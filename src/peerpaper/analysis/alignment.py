"""Where law and lived experience meet, without circularity: provision -> the peer practice it bears on ->
the codes of experience talked about with that practice -> a quote.

Why not "codes mapped onto provisions": law codes record talk about the law, so the law theme would meet
the law by construction. Instead data/policy says which peer practice each statute, policy document or
recommendation bears on (a legal fact, `provision_practices`) and which codes mark talk about each
practice (`practice_codes`, mostly law codes: talk about the brothel law is talk about working together).
The analysis then asks what else is said with that talk: every code outside the law theme and other than
the practice's own markers is a code of experience, and its co-occurrence with the practice (windows of
adjacent turns, as in notebook 03) is read against the circular-shift null of `cooccurrence.chance_of`.
A practice's experience is the codes above chance, strongest first; its quote is a participant turn that
carries a marker and the strongest of them. Practices no code marks (the coding frame has none for
advertising, say) are reported as such: the data cannot speak to them.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from scipy import sparse

from ..artifacts import fmt_count, fmt_dec, fmt_int, fmt_pct
from ..figures import geometry, new_figure, new_slide_figure, theme_colour, wrap_label
from ..policy import STATUTORY
from ..privacy.disclosure import PROTECTED, describe
from . import coded_talk, qualifiers, theme_of
from .cooccurrence import chance_of, turn_incidence, windowed
from .sample import words
from .themes import nested_share

LAW_THEME = "law"
TOP = 3  # experience codes shown per practice
NO_QUOTE = "No participant turn about this practice qualifies as a quotation."


def provision_label(provisions: pd.DataFrame) -> pd.Series:
    """provision_id -> "Sexual Offences Act 1956 s.33A (keeping a brothel)"."""
    p = provisions.set_index("provision_id")
    section = p["section"].fillna("").astype(str).str.strip()
    conduct = p["conduct"].fillna("").astype(str).str.strip()
    label = p["instrument"].astype(str).str.strip() + np.where(section != "", " " + section, "")
    return pd.Series(np.where(conduct != "", label + " (" + conduct + ")", label), index=p.index)


def short_label(provisions: pd.DataFrame) -> pd.Series:
    """provision_id -> "Keeping a brothel (s.33A)": what it is about, for a figure."""
    p = provisions.set_index("provision_id")
    conduct = p["conduct"].fillna("").astype(str).str.strip()
    said = conduct.str[:1].str.upper() + conduct.str[1:]
    section = p["section"].fillna("").astype(str).str.strip()
    year = p["year"].astype("string").fillna("")
    tag = np.where(section != "", section, year)
    return pd.Series(np.where(tag != "", said + " (" + tag + ")", said), index=p.index)


def talk(study, policy) -> pd.DataFrame:
    """Per practice: coded participant turns carrying one of its markers, the participants and groups behind them."""
    rows = coded_talk(study)
    markers = policy.practice_codes.groupby("practice_id")["code_id"].agg(set)
    out = []
    for practice in policy.practices["practice_id"]:
        mine = rows[rows["code_id"].isin(markers.get(practice, set()))]
        out.append({"practice_id": practice, "n_segments": mine["segment_id"].nunique(),
                    "n_speakers": mine["speaker_id"].nunique(), "n_groups": mine["group_id"].nunique()})
    table = pd.DataFrame(out, columns=["practice_id", "n_segments", "n_speakers", "n_groups"])
    table["pct_segments"] = table["n_segments"] / max(rows["segment_id"].nunique(), 1)
    return table.set_index("practice_id")


def experience(study, policy, window: int = 3, permutations: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Every (practice, code of experience) pair: windows together, Jaccard, what chance gives, the reading.

    Columns: practice_id, code_id, theme_id, together, jaccard, chance, lift, p_above, reading; sorted by
    practice (data order), then reading (above chance first), then Jaccard.
    """
    X, group, codes = turn_incidence(study, "code")
    dense = X.toarray().astype(bool)
    column = {c: j for j, c in enumerate(codes)}
    themes = theme_of(study.codebook)
    markers = policy.practice_codes.groupby("practice_id")["code_id"].agg(set)
    practices = [p for p in policy.practices["practice_id"] if markers.get(p) and
                 any(c in column for c in markers[p])]
    if not practices:
        return pd.DataFrame(columns=["practice_id", "code_id", "theme_id", "together", "jaccard", "chance", "lift",
                                     "p_above", "reading"])
    practice_columns = np.column_stack([dense[:, [column[c] for c in markers[p] if c in column]].any(axis=1)
                                        for p in practices])
    items = [f"practice:{p}" for p in practices] + list(codes)
    null = chance_of(np.hstack([practice_columns, dense]), group, items, window, permutations, seed)
    W = windowed(sparse.csr_matrix(np.hstack([practice_columns, dense]).astype(np.int32)), group, window)
    counts = (W.T @ W).toarray()
    rows = []
    for i, practice in enumerate(practices):
        for code in codes:
            if themes.get(code) == LAW_THEME or code in markers[practice]:
                continue
            j = len(practices) + column[code]
            observed = null["observed"].iat[i, j]
            expected = null["expected"].iat[i, j]
            rows.append({
                "practice_id": practice, "code_id": code, "theme_id": themes.get(code, ""),
                "together": int(counts[i, j]), "jaccard": observed, "chance": expected,
                "lift": observed / expected if expected > 0 else np.nan,
                "p_above": null["p_above"].iat[i, j],
                "reading": qualifiers.chance_reading(null["p_above"].iat[i, j], null["p_below"].iat[i, j]),
            })
    out = pd.DataFrame(rows)
    out["_above"] = out["reading"] != qualifiers.ABOVE
    out["_order"] = out["practice_id"].map({p: k for k, p in enumerate(practices)})
    out = out.sort_values(["_order", "_above", "jaccard", "code_id"], ascending=[True, True, False, True], kind="stable")
    return out.drop(columns=["_above", "_order"]).reset_index(drop=True)


def above_chance(links: pd.DataFrame, top: int = TOP) -> dict[str, pd.DataFrame]:
    """practice_id -> its strongest codes of experience above chance (at most `top`)."""
    above = links[links["reading"] == qualifiers.ABOVE]
    return {p: g.head(top) for p, g in above.groupby("practice_id", sort=False)}


def quote(study, policy, practice: str, code: str, min_words: int = 12, max_words: int = 60) -> dict | None:
    """A participant turn that carries one of the practice's markers and the code: the most focused
    (fewest other codes), then a stable pseudo-random tie-break (SHA-256 of the segment id)."""
    rows = coded_talk(study)
    markers = set(policy.practice_codes.loc[policy.practice_codes["practice_id"] == practice, "code_id"])
    per_turn = rows.groupby("segment_id")["code_id"].agg(set)
    both = per_turn[per_turn.map(lambda s: code in s and bool(s & markers))]
    turns = study.segments.set_index("segment_id").loc[both.index]
    length = words(turns["text"])
    turns = turns[(length >= min_words) & (length <= max_words)]
    if turns.empty:
        return None
    ranked = sorted(turns.index, key=lambda s: (len(per_turn[s]), hashlib.sha256(str(s).encode()).hexdigest()))
    best = turns.loc[ranked[0]]
    return {"segment_id": ranked[0], "text": best["text"], "speaker_id": best["speaker_id"], "group_id": best["group_id"]}


KIND_NAMES = {"offence": "offence", "order": "order", "power": "power", "defence": "defence",
              "policy": "policy document", "recommendation": "recommendation", "lawful": "lawful (context)"}


def law_table(policy) -> pd.DataFrame:
    """The law and policy the study is read against: each source, what kind it is, and the practice it bears on."""
    practice = policy.practices.set_index("practice_id")["label"]
    bears = policy.provision_practices.groupby("provision_id")["practice_id"].agg(list)
    p = policy.provisions
    out = pd.DataFrame({
        "Provision or document": p["label"].values,
        "Kind": [KIND_NAMES.get(k, k) for k in p["kind"]],
        "Penalty": [x if x else "–" for x in p["penalty"].fillna("").astype(str)],
        "Peer practice it bears on": ["; ".join(practice[x] for x in bears.get(i, [])) or "–" for i in p["provision_id"]],
    })
    return describe(out, labels=list(out.columns))  # public law, no study data


def quotes(study, policy, links: pd.DataFrame, min_words: int = 12, max_words: int = 60) -> pd.DataFrame:
    """One quote per practice some code marks: a turn carrying a marker and the strongest code above chance
    (else the next one, else any turn on the practice). Columns: practice_id, code_id, segment_id, speaker_id,
    group_id, text."""
    best = above_chance(links, top=len(links))
    marked = set(policy.practice_codes["practice_id"])
    out = []
    for practice in policy.practices["practice_id"]:
        if practice not in marked:
            continue
        found = None
        for code in list(best[practice]["code_id"]) if practice in best else []:
            if found := quote(study, policy, practice, code, min_words, max_words):
                found["code_id"] = code
                break
        if found is None:
            markers = policy.practice_codes.loc[policy.practice_codes["practice_id"] == practice, "code_id"]
            for code in markers:
                if found := quote(study, policy, practice, code, min_words, max_words):
                    found["code_id"] = ""
                    break
        if found:
            out.append({"practice_id": practice, **found})
    return pd.DataFrame(out, columns=["practice_id", "code_id", "segment_id", "speaker_id", "group_id", "text"])


def sources(policy) -> pd.DataFrame:
    """Per practice: its statutes, policy documents and recommendations (labels, data order)."""
    labels = provision_label(policy.provisions)
    short = policy.provisions.set_index("provision_id")["label"]
    kind = policy.provisions.set_index("provision_id")["kind"]
    out = []
    for practice in policy.practices["practice_id"]:
        ids = policy.provision_practices.loc[policy.provision_practices["practice_id"] == practice, "provision_id"]
        out.append({
            "practice_id": practice,
            "statutes": [labels[i] for i in ids if kind[i] in STATUTORY],
            "policies": [labels[i] for i in ids if kind[i] == "policy"],
            "recommendations": [labels[i] for i in ids if kind[i] == "recommendation"],
            "statute_ids": [i for i in ids if kind[i] in STATUTORY],
            "short": {i: short[i] for i in ids},
        })
    return pd.DataFrame(out).set_index("practice_id")


def table(policy, talk_: pd.DataFrame, links: pd.DataFrame, labels: pd.Series, k: int) -> pd.DataFrame:
    """One row per practice: what bears on it, the talk about it, and the experience talked about with it."""
    src = sources(policy)
    best = above_chance(links)
    marked = set(policy.practice_codes["practice_id"])
    named = policy.provisions.set_index("provision_id")["label"]
    kind = policy.provisions.set_index("provision_id")["kind"]
    rows = []
    for p in policy.practices.itertuples():
        t = talk_.loc[p.practice_id]
        if p.practice_id not in marked:
            experience_ = "no code marks this practice"
        elif p.practice_id in best:
            experience_ = "; ".join(f"{labels.get(r.code_id, r.code_id)} {fmt_dec(r.jaccard)} (chance {fmt_dec(r.chance)})"
                                    for r in best[p.practice_id].itertuples())
        else:
            experience_ = "none above chance"
        rows.append({
            "Peer practice": p.label,
            "Statutes": "; ".join(named[i] for i in src.loc[p.practice_id, "statute_ids"]) or "–",
            "Policy documents and recommendations": "; ".join(
                named[i] for i in named.index[named.index.isin(list(src.loc[p.practice_id, "short"]))]
                if kind[i] in ("policy", "recommendation")) or "–",
            "Turns": int(t.n_segments),
            "Participants": int(t.n_speakers),
            "Groups": int(t.n_groups),
            "Talked about with it, above chance (Jaccard)": experience_,
        })
    out = pd.DataFrame(rows)
    return describe(out, labels=[c for c in out if c not in ("Turns", "Participants", "Groups")],
                    counts={"Turns": "turns", "Participants": PROTECTED, "Groups": "groups"},
                    nested=[("Groups", "Participants", "Turns")])


def links_clause(mine: pd.DataFrame, labels: pd.Series) -> str:
    """What the codes of experience above chance with a practice are, as a clause that reads after "and"
    whatever the data: a sentence must not claim a link the analysis did not find."""
    if mine.empty:
        return "no code of experience was above chance with it"
    top = mine.iloc[0]
    named = qualifiers.join_labels(f"\u201c{labels.get(c, c)}\u201d" for c in mine["code_id"])
    return (f"the codes of experience above chance with it were {named}; the strongest, "
            f"\u201c{labels.get(top.code_id, top.code_id)}\u201d, had a Jaccard index of {fmt_dec(top.jaccard)} "
            f"against {fmt_dec(top.chance)} by chance")


def quote_lead(practice: str, chosen: pd.DataFrame, mine: pd.DataFrame, labels: pd.Series) -> str:
    """The sentence before a practice's quotation: which code the quoted turn carries with the practice,
    as `quotes` chose it (the strongest link, a weaker one, or none qualifies)."""
    if practice not in chosen.index:
        return "No participant turn about this practice qualifies as a quotation"
    code = chosen.loc[practice, "code_id"]
    if not code:
        return ("The quotation is a turn about this practice; no turn that also carries a code above chance "
                "with it qualifies")
    strongest = mine.iloc[0].code_id
    which = "its strongest link" if code == strongest else "the strongest link with a turn that qualifies"
    return f"The quotation is a turn that carries talk of this practice and \u201c{labels.get(code, code)}\u201d, {which}"


def values(study, policy, talk_: pd.DataFrame, links: pd.DataFrame, k: int,
           chosen: pd.DataFrame | None = None) -> dict[str, str]:
    """The 06-policy values of docs/VALUES.md (`chosen`: what `quotes` gives, indexed by practice)."""
    chosen = quotes(study, policy, links).set_index("practice_id") if chosen is None else chosen
    labels = study.codebook.set_index("code_id")["label"]
    src = sources(policy)
    best = above_chance(links)
    kind = policy.provisions["kind"]
    marked = set(policy.practice_codes["practice_id"])
    out = {
        "n_provisions": fmt_int(kind.isin(STATUTORY).sum()),
        "n_policy_documents": fmt_int((kind == "policy").sum()),
        "n_recommendations": fmt_int((kind == "recommendation").sum()),
        "n_practices": fmt_int(len(policy.practices)),
        "n_practices_coded": fmt_int(sum(p in marked for p in policy.practices["practice_id"])),
        "practices_not_coded": qualifiers.join_labels(
            policy.practices.loc[~policy.practices["practice_id"].isin(marked), "label"]) or "none",
    }
    n_coded = max(coded_talk(study)["segment_id"].nunique(), 1)
    for p in policy.practices.itertuples():
        t, key = talk_.loc[p.practice_id], f"practice_{p.practice_id}"
        mine = best.get(p.practice_id, links.iloc[0:0])
        top = mine.iloc[0] if len(mine) else None
        masked = 0 < t.n_speakers < k  # then turns and groups below k are masked too (the disclosure rules)
        out.update({
            f"{key}_label": p.label,
            f"{key}_statutes": qualifiers.join_labels(src.loc[p.practice_id, "statutes"]) or "none",
            f"{key}_n_statutes": fmt_int(len(src.loc[p.practice_id, "statutes"])),
            f"{key}_n_segments": fmt_count(int(t.n_segments), k) if masked else fmt_int(t.n_segments),
            f"{key}_pct_segments": nested_share(int(t.n_segments), t.pct_segments, n_coded, k, masked),
            f"{key}_n_speakers": fmt_count(int(t.n_speakers), k),
            f"{key}_n_groups": fmt_count(int(t.n_groups), k) if masked else fmt_int(t.n_groups),
            f"{key}_count_reading": qualifiers.count_reading(int(t.n_speakers), k),
            f"{key}_n_codes_above_chance": fmt_int(len(links[(links["practice_id"] == p.practice_id)
                                                             & (links["reading"] == qualifiers.ABOVE)])),
            f"{key}_codes_above_chance": qualifiers.join_labels(labels.reindex(mine["code_id"])) or "none",
            f"{key}_top_code": labels.get(top.code_id, top.code_id) if top is not None else "none",
            f"{key}_top_jaccard": fmt_dec(top.jaccard) if top is not None else "n/a",
            f"{key}_top_chance": fmt_dec(top.chance) if top is not None else "n/a",
            f"{key}_links": links_clause(mine, labels),
            f"{key}_quote_lead": quote_lead(p.practice_id, chosen, mine, labels),
        })
    coded = talk_[talk_.index.isin(marked)].sort_values("n_segments", ascending=False, kind="stable")
    lead = coded.index[0] if len(coded) else None
    lawful = src.loc[[p for p in src.index if src.loc[p, "statute_ids"]]]
    on_law = coded_talk(study)
    markers = set(policy.practice_codes.loc[policy.practice_codes["practice_id"].isin(lawful.index), "code_id"])
    n_turns = max(on_law["segment_id"].nunique(), 1)
    theme_links = links[links["reading"] == qualifiers.ABOVE]["theme_id"].value_counts()
    theme_labels = study.codebook.set_index("code_id")["label"]
    out.update({
        "alignment_top_practice": policy.practices.set_index("practice_id").loc[lead, "label"] if lead else "none",
        "alignment_top_practice_pct": fmt_pct(coded.loc[lead, "pct_segments"]) if lead else "n/a",
        "policy_top_provision": (provision_label(policy.provisions)[src.loc[lead, "statute_ids"][0]]
                                 if lead and src.loc[lead, "statute_ids"] else "none"),
        "policy_top_provision_pct": fmt_pct(coded.loc[lead, "pct_segments"]) if lead else "n/a",
        "policy_top_theme": theme_labels.get(theme_links.index[0], "none") if len(theme_links) else "none",
        "pct_segments_bearing_on_law": fmt_pct(on_law.loc[on_law["code_id"].isin(markers), "segment_id"].nunique() / n_turns),
    })
    return out


# --- the figure: provisions -> practices -> experience, at a glance ---------------------------------------


def source_label(policy, provision_id: str) -> str:
    """How a figure names a source: the policy data's own short label."""
    return str(policy.provisions.set_index("provision_id").loc[provision_id, "label"])


def figure_data(policy, talk_: pd.DataFrame, links: pd.DataFrame, labels: pd.Series, top: int = TOP) -> pd.DataFrame:
    """What `figure` draws, described for `artifacts.write_figure_data`: per practice (data order) its talk
    (turns, participants, groups) and its strongest codes of experience above chance, one row each (a practice
    without any: one row, no code). The slide shows the first two codes of each practice with talk."""
    best = above_chance(links, top)
    practice = policy.practices.set_index("practice_id")["label"]
    rows = []
    for p in policy.practices["practice_id"]:
        t = talk_.loc[p]
        said = {"practice_id": p, "practice": practice[p], "turns": int(t.n_segments),
                "participants": int(t.n_speakers), "groups": int(t.n_groups)}
        mine = list(best[p].itertuples()) if p in best else []
        rows += [{**said, "code_id": r.code_id, "code": labels.get(r.code_id, r.code_id), "theme_id": r.theme_id,
                  "reading": r.reading, "windows": int(r.together), "jaccard": r.jaccard, "chance": r.chance,
                  "lift": r.lift} for r in mine] or [{**said, "code_id": "", "code": "", "theme_id": "", "reading": "",
                                                      "windows": 0, "jaccard": np.nan, "chance": np.nan, "lift": np.nan}]
    data = pd.DataFrame(rows, columns=["practice_id", "practice", "code_id", "code", "theme_id", "reading", "turns",
                                       "participants", "groups", "windows", "jaccard", "chance", "lift"])
    return describe(data, labels=["practice_id", "practice", "code_id", "code", "theme_id", "reading"],
                    counts={"turns": "turns", "participants": PROTECTED, "groups": "groups", "windows": "windows"},
                    statistics=["jaccard", "chance", "lift"], nested=[("groups", "participants", "turns")])


def figure(policy, data: pd.DataFrame, codebook: pd.DataFrame, slide: bool = False):
    """Three columns joined by lines: what the law and policy say (left), the peer practice it bears on
    (middle), and the codes of experience talked about with that practice above chance (right; line width by
    how many times what chance gives the Jaccard index is, colour by the code's theme).

    `data` is `figure_data` as `artifacts.write_figure_data` returns it (a masked turn count reads as
    published, "<5 turns"). `slide=True`: the deck's version: only practices with talk, the law named in a
    few words, two codes each, large text.
    """
    data = data.assign(**{c: pd.to_numeric(data[c], errors="coerce") for c in ("jaccard", "chance", "lift")})
    labels = codebook.set_index("code_id")["label"]
    theme_ids = list(codebook.loc[codebook["parent_id"].fillna("") == "", "code_id"])
    marked = set(policy.practice_codes["practice_id"])
    practices = policy.practices.set_index("practice_id")
    kind = policy.provisions.set_index("provision_id")["kind"]
    pitch_left, pitch_right = (1.0, 1.0) if slide else (1.35, 1.15)  # rows per item: a label may take 2-3 lines
    blocks = []
    for p in practices.index:
        mine = data[data["practice_id"] == p]
        turns = str(mine["turns"].iloc[0]) if len(mine) else "0"
        coded = p in marked and turns != "0"
        if slide and not coded:
            continue
        ids = list(policy.provision_practices.loc[policy.provision_practices["practice_id"] == p, "provision_id"])
        left = ([(practices.loc[p, "law_label"], "offence")] if slide else
                [(source_label(policy, i), kind[i]) for i in ids])
        right = [r for r in mine.itertuples() if r.code_id and not pd.isna(r.jaccard)][: 2 if slide else TOP]
        blocks.append({"practice": p, "coded": coded, "turns": turns, "left": left, "right": right,
                       "height": max(len(left) * pitch_left, len(right) * pitch_right, 1)})
    gap = 0.8
    n_rows = sum(b["height"] for b in blocks) + gap * (len(blocks) - 1)
    top_lift = max([r.lift for b in blocks for r in b["right"]] + [1.0])
    with geometry(slide):
        fig, ax = new_slide_figure() if slide else new_figure(height_in=0.3 * n_rows + 1.6)
        ax.set_xlim(0, 1)
        ax.set_ylim(n_rows - 0.4, -1.3)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
        size = {} if slide else {"fontsize": 8}
        x_left, x_mid, x_right = (0.0, 0.36, 0.66) if slide else (0.0, 0.40, 0.67)
        wrap_left, wrap_mid, wrap_right = (26, 22, 30) if slide else (36, 24, 34)
        for text, x in (("What the law and policy say", x_left), ("Peer practice it bears on", x_mid),
                        ("Talked about with it, above chance", x_right)):
            ax.text(x, -1.0, wrap_label(text, 40 if slide else 34, lines=2), ha="left", va="center",
                    fontweight="bold", **size)
        joins = []  # (left artist, right artist, style, colour, width)
        y = 0.0
        for b in blocks:
            mid_y = y + (b["height"] - 1) / 2
            text = wrap_label(practices.loc[b["practice"], "label"], wrap_mid, lines=3)
            if not slide:
                text += f"\n{b['turns']} turns" if b["coded"] else "\nno code marks it"
            middle = ax.text(x_mid, mid_y, text, ha="left", va="center", fontweight="bold",
                             color="black" if b["coded"] else "0.45", **size)
            for k, (label, kind_) in enumerate(b["left"]):
                ly = y + k * pitch_left + (b["height"] - len(b["left"]) * pitch_left) / 2 + (pitch_left - 1) / 2
                statute = kind_ in STATUTORY
                source = ax.text(x_left, ly, wrap_label(label, wrap_left, lines=3), ha="left", va="center",
                                 fontstyle="normal" if statute else "italic", color="black" if statute else "0.3",
                                 **size)
                joins.append((source, middle, {"policy": ":", "recommendation": "--"}.get(kind_, "-"), "0.55", 1.0))
            for k, r in enumerate(b["right"]):
                ry = y + k * pitch_right + (b["height"] - len(b["right"]) * pitch_right) / 2 + (pitch_right - 1) / 2
                label = wrap_label(labels.get(r.code_id, r.code_id), wrap_right, lines=1)
                if not slide:
                    label += f"\n{fmt_dec(r.jaccard)} against {fmt_dec(r.chance)} by chance"
                code = ax.text(x_right, ry, label, ha="left", va="center", **size)
                colour = theme_colour(r.theme_id, theme_ids)
                joins.append((middle, code, "-", colour, 1.2 + 4.5 * (r.lift - 1) / max(top_lift - 1, 1e-9)))
            if b["coded"] and not b["right"]:
                ax.text(x_right, mid_y, "nothing above chance", ha="left", va="center", color="0.45", **size)
            y += b["height"] + gap
        _join(fig, ax, joins)
        used = [t for t in theme_ids if any(r.theme_id == t for b in blocks for r in b["right"])]
        if not slide and used:
            from matplotlib.lines import Line2D

            handles = [Line2D([], [], color=theme_colour(t, theme_ids), lw=3) for t in used]
            ax.legend(handles, [wrap_label(labels.get(t, t), 34, lines=1) for t in used], loc="upper center",
                      bbox_to_anchor=(0.5, 0.0), ncols=2, fontsize=8, title="Line colour: the code's theme; width: "
                      "how many times chance", title_fontsize=8, frameon=False)
    shown = [b for b in blocks if b["right"]]
    alt = (f"Diagram in three columns: what the law and policy of England and Wales say on the left, joined to "
           f"the {len(blocks)} peer practices they bear on in the middle, joined on the right to the codes of "
           "participants' experience talked about with each practice more than chance gives. " + " ".join(
               f"{practices.loc[b['practice'], 'label']}: " + ", ".join(
                   f"{labels.get(r.code_id, r.code_id)} (Jaccard {fmt_dec(r.jaccard)}, chance {fmt_dec(r.chance)})"
                   for r in b["right"]) + "." for b in shown))
    return fig, alt


def _join(fig, ax, joins) -> None:
    """Lines from the right edge of one text to the left edge of another, measured as drawn (so none crosses
    a label)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()

    def edges(artist):
        box = artist.get_window_extent(renderer)
        (x0, y0), (x1, y1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
        return x0, x1, (y0 + y1) / 2

    pad = 0.012
    for start, end, style, colour, width in joins:
        _, x_from, y_from = edges(start)
        x_to, _, y_to = edges(end)
        ax.plot([x_from + pad, x_to - pad], [y_from, y_to], color=colour, lw=width, ls=style, solid_capstyle="round")
