"""How often the identifier scan flags what is not an identifier, on studies that hold none.

    .venv/bin/python bench/bench_scan_false_positives.py

Builds, in temporary copies of the project, the committed synthetic study, two generated ones of other
sizes (3 groups: the small-number tables; 24 groups), and every imported fixture of tests/fixtures/qdpx/
that can give this paper (the NVivo export with its committed answers), with the scan's verdict left aside: the site (`_build/site/`) and every notebook artifact are then scanned as the
build scans them, with no roster and the shipped allowlist. None of these studies holds an identifier,
so every hit is a false positive. Prints, per study, the texts scanned (a page of the PDF, a CSV cell, an
HTML block, ...), the hits by kind and their rate per 1,000 texts. The working tree is not touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from peerpaper import build, privacy, synth, verify  # noqa: E402
from peerpaper.privacy.outputs import code_digests, texts  # noqa: E402
from peerpaper.qdpx import import_qdpx  # noqa: E402
from peerpaper.render.revealjs import reveal_js  # noqa: E402

NVIVO = REPO / "tests" / "fixtures" / "qdpx" / "nvivo14_windows.qdpx"


def built(project: Path, data: Path | None) -> build.Plan:
    """A build up to its scans (a false positive would stop `paper build` there; the files are made)."""
    env = {**os.environ, "PAPER_ROOT": str(project)}
    args = ["build", "--data", str(data)] if data else ["build"]
    subprocess.run([sys.executable, "-m", "peerpaper.cli", *args], cwd=project, env=env, capture_output=True)
    return build.make_plan(data=data, root=project)


def false_positives(plan: build.Plan) -> tuple[int, Counter]:
    allow = privacy.load_allowlist(privacy.SHIPPED_ALLOWLIST)
    keys = privacy.citation_keys(plan.root / "references.bib")
    known = frozenset(code_digests(reveal_js(plan.root)))
    files = sorted(p for p in plan.site.rglob("*") if p.is_file() and not p.name.startswith("."))
    for nb in plan.notebooks():
        if plan.stamp(nb.stem).exists():
            files += [plan.build_dir / rel for rel in json.loads(plan.stamp(nb.stem).read_text())]
    count, hits = 0, Counter()
    for path in files:
        markdown = path.suffix.lower() in {".md", ".qmd"}
        for where, line, text in texts(path, known):
            count += 1
            for hit in privacy.scan_text(text, (), allow, where=where, first_line=line, markdown=markdown,
                                         citation_keys=keys):
                hits[hit.kind] += 1
    return count, hits


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-fp-") as tmp:
        studies = {}
        project = verify.copy_project(REPO, Path(tmp) / "synthetic")
        studies["committed synthetic study"] = built(project, None)
        for seed, groups in ((3, 3), (11, 24)):
            project = verify.copy_project(REPO, Path(tmp) / f"generated-{groups}")
            data = synth.generate(Path(tmp) / "secure" / f"generated-{groups}", seed=seed, groups=groups)
            studies[f"generated study, {groups} groups"] = built(project, data)
        project = verify.copy_project(REPO, Path(tmp) / "nvivo")
        data = Path(tmp) / "secure" / "nvivo14_windows"
        import_qdpx(NVIVO, data, mapping_file=NVIVO.with_name("nvivo14_windows.mapping.yaml"))
        studies["imported NVivo 14 fixture"] = built(project, data)
        for name, plan in studies.items():
            count, hits = false_positives(plan)
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(hits.items())) or "none"
            print(f"{name}: {count:,} texts scanned, {sum(hits.values())} false positives "
                  f"({1000 * sum(hits.values()) / max(count, 1):.2f} per 1,000 texts; {kinds})")


if __name__ == "__main__":
    main()
