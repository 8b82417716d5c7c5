"""A study small enough to count by hand, shared by tests/test_analysis_*.py.

Two groups (G2 took place before G1), one facilitator each, three participants, themes A and B.
Primary codings on participant turns (first coder per segment):
    s2 (P1, G1): a1, b1    s3 (P2, G1): b1    s4 (P1, G1): a2 [C2 only]
    s6 (P3, G2): a2        s7 (P3, G2): a1
The facilitator's coded turn s1 and C2's duplicate coding of s2 must not count.
"""

from types import SimpleNamespace

import pandas as pd


def tiny_study():
    groups = pd.DataFrame(
        {
            "group_id": ["G1", "G2"],
            "date": ["2024-03-14", "2024-02-01"],
            "setting": ["online", "in_person"],
            "region": ["London", "North West"],
            "duration_min": [60, 91],
        }
    )
    participants = pd.DataFrame(
        {
            "participant_id": ["F1", "P1", "P2", "F2", "P3"],
            "group_id": ["G1", "G1", "G1", "G2", "G2"],
            "role": ["facilitator", "organiser", "activist", "facilitator", "both"],
            "sector": [None, "street", "indoor", None, "street"],
        }
    )
    codebook = pd.DataFrame(
        {
            "code_id": ["A", "a1", "a2", "B", "b1"],
            "parent_id": [None, "A", "A", None, "B"],
            "label": ["Theme A", "Code a1", "Code a2", "Theme B", "Code b1"],
            "definition": ["", "", "", "", ""],
        }
    )
    segments = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4", "s5", "s6", "s7"],
            "group_id": ["G1", "G1", "G1", "G1", "G2", "G2", "G2"],
            "speaker_id": ["F1", "P1", "P2", "P1", "F2", "P3", "P3"],
            "position": [1, 2, 3, 4, 1, 2, 3],
            "text": [
                "Welcome, everyone.",
                "We keep each other safe here.",
                "The funding ends in March.",
                "Nobody listens to us.",
                "Hello.",
                "The law scares people away.",
                "We share rooms to stay safe.",
            ],
        }
    )
    codings = pd.DataFrame(
        [
            ("s1", "a1", "C1"),
            ("s2", "a1", "C1"),
            ("s2", "b1", "C1"),
            ("s2", "a1", "C2"),
            ("s3", "b1", "C1"),
            ("s4", "a2", "C2"),
            ("s6", "a2", "C1"),
            ("s7", "a1", "C1"),
        ],
        columns=["segment_id", "code_id", "coder_id"],
    )
    return SimpleNamespace(
        groups=groups, participants=participants, codebook=codebook, segments=segments, codings=codings, synthetic=True
    )
