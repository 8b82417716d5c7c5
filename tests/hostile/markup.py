"""Markup in data: every construct of Markdown, Quarto, Typst, OOXML and HTML, in every field that is shown.

Quoted turns (the paper's quotes and the deck's), the attribution's speaker and group ids, group ids in the
sample table, and code and theme labels (tables, figure alt texts and the values the prose quotes). Each
must come out as the characters the participant typed. A handle ("@name") is an identifier: the build
refuses it without printing it. "@Armstrong2019" and the cross-reference shapes are allowlisted here as
reviewed false positives, so that the build publishes and the test can see they stay literal.
"""

from __future__ import annotations

from . import LITERAL, PAPER, REFUSED, DataFolder, Planted, attack, padded

CSV = {"codes": "analysis/tables/tbl-codes.csv", "themes": "analysis/tables/tbl-themes.csv",
       "groups": "analysis/tables/tbl-sample-groups.csv"}


def _quote(folder: DataFolder, payload: str, in_deck: bool = False) -> list[Planted]:
    """Plant `payload` (tagged, padded to quote length) in a turn the documents quote."""
    turn = folder.quoted_turn(in_deck=in_deck)
    text = padded(f"{folder.tag()} said {payload}")
    folder.set_text(turn["segment_id"], text)
    return [Planted(text, turn["shows_in"])]


# ---- quoted turns ----------------------------------------------------------------------------------------

@attack(LITERAL)
def quote_include_shortcode(folder):
    """Quarto's include shortcode, naming the password file and a canary file beside the data."""
    return [*_quote(folder, "{{< include /etc/passwd >}} done", in_deck=True),
            *_quote(folder, f"{{{{< include {folder.canary()} >}}}} done", in_deck=False)]


@attack(LITERAL)
def quote_var_meta_shortcodes(folder):
    """`var`, `meta` and an unknown shortcode, and Quarto's own escape for a shortcode."""
    return _quote(folder, "{{< var n_groups >}} and {{< meta title >}} and {{< env HOME >}} and {{{< var x >}}}",
                  in_deck=False)


@attack(LITERAL)
def quote_raw_typst(folder):
    """A raw Typst span reading the password file, and bare Typst code and a label."""
    return _quote(folder, '`#read("/etc/passwd")`{=typst} then #read("/etc/passwd") and <lbl> #set text(red)',
                  in_deck=False)


@attack(LITERAL)
def quote_raw_openxml(folder):
    """Raw Word XML: a run of injected text and a paragraph break."""
    return _quote(folder, "`<w:r><w:t>INJECTED</w:t></w:r>`{=openxml} and `<w:p/>`{=openxml} done", in_deck=True)


@attack(LITERAL)
def quote_raw_html_block(folder):
    """A raw HTML span, and a fenced raw block on lines of its own (turns can hold newlines)."""
    return _quote(folder, "`<b>bold</b>`{=html} then\n\n```{=html}\n<i>raw block</i>\n```\n\nafter it", in_deck=True)


@attack(LITERAL)
def quote_html_script(folder):
    """HTML that would run script in a browser: an image's onerror, a script element, an inline handler."""
    return _quote(folder, '<img src=x onerror="window.__hostile=1;document.title=\'pwned\'"> and '
                          "<script>window.__hostile=1</script> and <b onmouseover=alert(1)>hi</b>",
                  in_deck=True)


@attack(LITERAL)
def quote_citations(folder):
    """A citation key of the bibliography, bare and bracketed, and a cross-reference to a real figure."""
    folder.allow("@Armstrong2019", "handle", "a citation key typed in a quote: the test checks it stays literal")
    folder.allow("@fig", "handle", "a cross-reference shape typed in a quote: the test checks it stays literal")
    return _quote(folder, "@Armstrong2019 says so [@Armstrong2019, p. 3] and see @fig-themes now", in_deck=True)


@attack(LITERAL)
def quote_maths(folder):
    """Inline and display maths, and a TeX command."""
    return _quote(folder, r"$x^2$ and $$\int y$$ and \alpha and \(z\) done", in_deck=False)


@attack(LITERAL)
def quote_strikeout_sub_superscript(folder):
    """Strikethrough, subscript, superscript, highlight and an emoji code."""
    return _quote(folder, "~~struck~~ and H~2~O and x^2^ and ==marked== and :smile: done", in_deck=False)


@attack(LITERAL)
def quote_smart_punctuation(folder):
    """What smart punctuation rewrites: straight quotes, dashes, an ellipsis; and a heart."""
    return _quote(folder, "\"--\" and 'single' and --- and ... and <3 done", in_deck=False)


@attack(LITERAL)
def quote_list_and_heading(folder):
    """A turn that starts as a numbered list item, and lines that are a heading, a bullet and a quote."""
    turn = folder.quoted_turn(in_deck=True)
    text = padded(f"1. {folder.tag()} said first\n# a heading\n- a bullet\n> nested quote\n---\nend")
    folder.set_text(turn["segment_id"], text)
    return [Planted(text, turn["shows_in"], tag=text.split()[1])]


@attack(LITERAL)
def quote_entities_and_escapes(folder):
    """HTML entities, backslashes (one at the very end), a comment, a span, a footnote, a link, a pipe."""
    return _quote(folder, r"&amp; &lt;b&gt; &#64;x &copy; <!-- hidden --> [span]{.red} ^[a note] "
                          r"[link](x.html) a | b \* \\ \ end\ ", in_deck=False)


@attack(REFUSED)
def quote_handle(folder):
    """A social-media handle in a quote: an identifier, refused without being printed."""
    _quote(folder, "@zqhandle_person told me first")
    return [Planted("@zqhandle_person"), Planted("zqhandle")]


# ---- the attribution (speaker and group ids) and the groups table ---------------------------------------

def _speaker(folder: DataFolder, payload: str) -> list[Planted]:
    turn = folder.quoted_turn(in_deck=True, own="speaker_id")
    new = f"{folder.tag()} {payload}"
    folder.rename_participant(turn["speaker_id"], new)
    return [Planted(new, turn["shows_in"])]


@attack(LITERAL)
def speaker_id_shortcode(folder):
    """A participant id holding an include shortcode: shown in the quote's attribution."""
    return _speaker(folder, f"{{{{< include {folder.canary()} >}}}}")


@attack(LITERAL)
def speaker_id_script(folder):
    """A participant id that is an image with an onerror handler."""
    return _speaker(folder, "<img src=x onerror=window.__hostile=1>")


@attack(LITERAL)
def speaker_id_raw_and_citation(folder):
    """A participant id with a raw Typst span, a citation and maths."""
    folder.allow("@Armstrong2019", "handle", "a citation key typed in an id: the test checks it stays literal")
    return _speaker(folder, "`#read(\"/etc/passwd\")`{=typst} @Armstrong2019 $x$")


@attack(LITERAL)
def group_id_markup(folder):
    """A group id (attribution, groups table, its CSV) with HTML, a shortcode, a pipe and raw OOXML."""
    turn = folder.quoted_turn(in_deck=True, own="group_id")
    new = f"{folder.tag()} <img src=x onerror=window.__hostile=1> | {{{{< meta title >}}}} `<w:p/>`{{=openxml}}"
    folder.rename_group(turn["group_id"], new)
    return [Planted(new, (*turn["shows_in"], CSV["groups"]))]


# ---- codebook labels: tables, alt texts, values ----------------------------------------------------------

def _labels(folder: DataFolder, payloads: list[str], themes: bool) -> list[Planted]:
    book = folder.rows("codebook")
    wanted = [r["code_id"] for r in book if (not r["parent_id"].strip()) == themes]
    taken = {r["code_id"] for r in book if r["label"].startswith("zq")}
    free = [c for c in wanted if c not in taken]
    planted = []
    for code_id, payload in zip(free, payloads, strict=False):
        label = f"{folder.tag()} {payload}"
        folder.set_label(code_id, label)
        planted.append(Planted(label, (*PAPER, CSV["themes" if themes else "codes"])))
    return planted


@attack(LITERAL)
def code_label_markup(folder):
    """Code labels with a pipe (a table's cell separator), angle brackets, raw spans, shortcodes, maths."""
    return _labels(folder, [
        "Fear | of exposure", "Safety <through> peers", "`#read(\"/etc/passwd\")`{=typst}",
        f"{{{{< include {folder.canary()} >}}}}", "$x^2$ and ~~gone~~", "<img src=x onerror=window.__hostile=1>",
        "`<w:p/>`{=openxml} raw", "* starred", "1. listed",
    ], themes=False)


@attack(LITERAL)
def theme_label_markup(folder):
    """Theme labels (themes table, figure alt texts, the top-theme value in the prose) with markup."""
    return _labels(folder, ["Value | of peer <spaces>", "{{< var n_groups >}} and *emphasis*",
                            "`<script>x</script>`{=html}"], themes=True)

