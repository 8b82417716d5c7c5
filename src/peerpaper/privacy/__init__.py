"""Protection of participants: checks that fail the build, not the people.

How to call it (the analysis and the build use exactly these):

    from peerpaper import privacy
    # k, the disclosure threshold: one project setting (`disclosure: k:` in _quarto.yml), a notebook parameter
    k = privacy.project_k(repo_root)                        # 5 unless the project says otherwise
    # every published table and figure's data says what each column counts (analysis), and is masked by it
    # where it is written (artifacts.write_table, artifacts.write_figure_data call privacy.protect):
    privacy.describe(df, labels=["sector"], counts={"n": "participants"}, additive={"n": "Total"})
    table = privacy.suppress_small_counts(df, ["n"], k=k, total_row="Total")  # what protect does for "n"
    note = privacy.suppression_note(k)                      # explains "<5" and "[c]" under the table
    # before rendering (build): every published table and figure's data, read as a hostile reader would
    findings = privacy.audit_published([build_dir], k, privacy.Identifying.of_study(study))
    # before anything is read (build):
    privacy.check_data_location(data_dir, repo_root)        # PrivacyError for tracked / un-ignored data
    notice = privacy.SYNTHETIC_NOTICE if privacy.data_is_synthetic(data_dir) else ""
    # before publishing to _output/ (build):
    roster = privacy.load_roster(data_dir / "roster.csv")  # optional private file: name[, kind]
    allow = privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST) + privacy.load_allowlist(data_dir / "allowlist.csv")
    privacy.check_outputs([build_dir], roster, allow, segments=study.segments,
                          citation_keys=privacy.citation_keys("references.bib"))

Allowlist: a reviewed CSV with columns text, kind (name, email, phone, postcode, url, handle, dob, any),
reason (required). For url and email, `text` may be a domain, which covers its subdomains. The project
ships src/peerpaper/resources/allowlist.csv (scholarly and legislation domains the references use); a
data folder may add its own allowlist.csv, which is never published.

Submodules: `disclosure` (the threshold k, what each published column counts), `suppression` (masking
small cells), `audit` (reading every published number as a hostile reader would; `ranges` solves for
hidden counts), `identifiers` (what counts as an identifier), `outputs` (reading
each output format), `location` (where data may live).
"""

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import RESOURCES

if TYPE_CHECKING:  # what type checkers, editors and the build's dependency tracing see
    from .audit import Finding, Identifying, audit_published, audit_table, audit_values
    from .disclosure import DEFAULT_K, Columns, DisclosureError, Share, check_k, describe, hidden_counts, project_k
    from .identifiers import KINDS, Allowed, Hit, PrivacyError, load_allowlist, load_roster, mask, scan_text
    from .location import SYNTHETIC_NOTICE, check_data_location, check_output_location, data_is_synthetic, open_readonly
    from .outputs import check_outputs, scan_outputs
    from .suppression import SECONDARY_MARK, SHARE_MASK, protect, small_mark, suppress_small_counts, suppression_note

SHIPPED_ALLOWLIST = RESOURCES / "allowlist.csv"

# Names re-exported from the submodules, imported on first use (PEP 562): the build asks for
# `check_data_location` on every run, including no-op ones, and must not pay for pandas and scipy.
_SOURCES = {
    "audit": ("Finding", "Identifying", "audit_published", "audit_table", "audit_values"),
    "disclosure": ("DEFAULT_K", "Columns", "DisclosureError", "Share", "check_k", "describe", "hidden_counts", "project_k"),
    "identifiers": ("KINDS", "Allowed", "Hit", "PrivacyError", "load_allowlist", "load_roster", "mask", "scan_text"),
    "location": ("SYNTHETIC_NOTICE", "check_data_location", "check_output_location", "data_is_synthetic", "open_readonly"),
    "outputs": ("check_outputs", "scan_outputs"),
    "suppression": ("SECONDARY_MARK", "SHARE_MASK", "protect", "small_mark", "suppress_small_counts", "suppression_note"),
}
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)


def citation_keys(bibliography: Path) -> set[str]:
    """The keys of a BibTeX file (bibtexparser v2), so that narrative citations @key are not handles."""
    import bibtexparser

    path = Path(bibliography)
    return {entry.key for entry in bibtexparser.parse_file(str(path)).entries} if path.exists() else set()


__all__ = sorted([*_MODULE_OF, "SHIPPED_ALLOWLIST", "citation_keys"])
