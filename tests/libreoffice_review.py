"""A co-author's review made by LibreOffice Writer itself (headless, through UNO), with changes recorded.

    /usr/bin/python3 tests/libreoffice_review.py IN.docx OUT.docx

Run with the system Python that has LibreOffice's `uno` module (Debian: python3-uno), not the project's
virtual environment. Opens IN.docx, turns on Edit > Track Changes > Record, makes the edits in EDITS (each
found by its text, as a person would) and saves as Word 2007-365 DOCX: the markup in OUT.docx is
LibreOffice's own (its w:ins/w:del, runs and rsids).

No comment: LibreOffice 7.4 (Debian 12) headless ends its process when it saves a document in which an
annotation was inserted through UNO (DOCX and ODT alike), so comments are tested on Word-style markup only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

AUTHOR = "Lee Office"
# (what to find, what to do, text): "after" inserts after the found text, "replace" replaces it,
# "delete" removes it; tests/test_docx_import.py checks each of these reaches paper.qmd (or is refused).
EDITS = [
    ("The paper proceeds as follows.", "after", " A sentence added in LibreOffice."),
    ("small-scale qualitative study", "replace", "small qualitative study"),
    (" dense web", "replace", " web"),
    ("coded talk into 9 themes", "replace", "coded talk into 10 themes"),
]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, profile: str):
    office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                               f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            return office, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # noqa: BLE001 - NoConnectException until soffice listens
            time.sleep(0.5)
    office.kill()
    sys.exit("soffice did not start listening")


def set_author(ctx) -> None:
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  (prop("nodepath", "/org.openoffice.UserProfile/Data"),))
    given, _, family = AUTHOR.partition(" ")
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.commitChanges()


def find(doc, text: str):
    search = doc.createSearchDescriptor()
    search.SearchString = text
    search.SearchCaseSensitive = True
    found = doc.findFirst(search)
    if found is None:
        sys.exit(f"not in the document: {text!r}")
    return found


def main(source: str, target: str) -> None:
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    office, ctx = connect(f"paper-review-{os.getpid()}", profile)
    try:
        set_author(ctx)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        working = os.path.join(profile, "review.docx")  # LibreOffice leaves its lock file beside what it opens
        shutil.copyfile(source, working)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(working), "_blank", 0, (prop("Hidden", True),))
        if doc is None:
            sys.exit(f"LibreOffice could not open {source}")
        doc.RecordChanges = True
        for needle, action, text in EDITS:
            found = find(doc, needle)
            if action == "after":
                found.getText().insertString(found.getEnd(), text, False)
            elif action == "replace":
                found.setString(text)
            else:
                found.setString("")
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)), (prop("FilterName", "MS Word 2007 XML"),))
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge is gone once soffice has quit
            pass
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
