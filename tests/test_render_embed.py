"""Inlining the deck's assets: local files become data URIs, remote ones are refused, never fetched."""

import pytest

from peerpaper.render.embed import inline
from peerpaper.render.project import RenderError


def test_local_assets_are_inlined(tmp_path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "f.woff").write_bytes(b"font")
    (tmp_path / "fonts" / "f.css").write_text("@font-face { src: url(f.woff?#x) format('woff'); }")
    (tmp_path / "theme.css").write_text("@import url(./fonts/f.css);\nbody { color: red; }")
    (tmp_path / "a.js").write_text("var s = '</script>';")
    (tmp_path / "p.svg").write_text("<svg/>")
    page = ('<link rel="stylesheet" href="theme.css"><script src="a.js"></script>'
            '<img data-src="p.svg" alt="x"><script>var t = `<img src="${e}">`;</script>')
    out = inline(page, tmp_path, "deck")
    assert 'url("data:font/woff;base64,Zm9udA==")' in out and "color: red" in out
    assert "<script>var s = '<\\/script>';</script>" in out
    assert 'data-src="data:image/svg+xml;base64,' in out
    assert '<img src="${e}">' in out  # markup inside scripts is left alone


@pytest.mark.parametrize("page", ['<script src="https://cdn.example.org/reveal.js"></script>',
                                  '<link rel="stylesheet" href="//cdn.example.org/x.css">',
                                  '<img src="http://example.org/x.png">'])
def test_remote_assets_are_refused(tmp_path, page):
    with pytest.raises(RenderError, match="remote resource"):
        inline(page, tmp_path, "deck")


def test_missing_asset_is_named(tmp_path):
    with pytest.raises(RenderError, match="resource not found: .*gone.css"):
        inline('<link rel="stylesheet" href="gone.css">', tmp_path, "deck")
