"""The registry of xhtml2pdf/ReportLab patches: declared, checked, switchable."""

from __future__ import annotations

import pytest
from reportlab.pdfgen.textobject import PDFTextObject
from xhtml2pdf.builders.printmarks import MarkedCanvas

from approval.pdf import registry, render, thai_layers
from approval.pdf.thai.shaping import ThaiTextObject


@pytest.fixture(scope="module", autouse=True)
def installed():
    render.install_thai_support()


class Dummy:
    def method(self, x):
        return ("original", x)


def _dummy_patch(sha: str | None = None) -> registry.Patch:
    def replacement(self, x):
        return ("replacement", x)

    return registry.Patch(
        target=f"{__name__}:Dummy.method",
        replacement=replacement,
        why="a test",
        layer="speed",
        original_sha256=sha or registry.fingerprint(Dummy.method),
    )


def test_every_patch_declared_with_its_layer_and_why():
    assert registry.installed()
    layers = {p.target: p.layer for p in registry.PATCHES}
    assert set(layers.values()) == {"thai", "speed"}
    assert sum(1 for v in layers.values() if v == "thai") == 8  # 8: justification (issue 17)
    for p in registry.PATCHES:
        assert p.why.strip() and "\n" not in p.why, p.target
        assert len(p.original_sha256) == 16, p.target


def test_every_target_goes_through_the_switch():
    assert registry.INSTALLED
    for target, p in registry.INSTALLED.items():
        current = getattr(p.owner(), p.attribute)
        assert current.__wrapped__ is p.replacement, target
        assert registry.ORIGINALS[target] is not current


def test_install_is_idempotent():
    before = {t: getattr(p.owner(), p.attribute) for t, p in registry.INSTALLED.items()}
    registry.install()
    render.install_thai_support()
    assert before == {t: getattr(p.owner(), p.attribute) for t, p in registry.INSTALLED.items()}


def test_layers_off_is_the_original():
    patch = _dummy_patch()
    original = Dummy.method
    try:
        assert registry.apply([patch]) == {patch.target: original}
        assert Dummy().method(1) == ("replacement", 1)
        with thai_layers(False):
            assert Dummy().method(2) == ("original", 2)
            with thai_layers(True):
                assert Dummy().method(3) == ("replacement", 3)
        assert Dummy().method(4) == ("replacement", 4)
    finally:
        Dummy.method = original


def test_layers_off_draws_with_stock_text_objects(tmp_path):
    canvas = MarkedCanvas(str(tmp_path / "x.pdf"))
    assert type(canvas.beginText()) is ThaiTextObject
    with thai_layers(False):
        assert type(canvas.beginText()) is PDFTextObject
        assert not registry.enabled()
    assert registry.enabled()


def test_another_original_fails_loudly():
    original = Dummy.method
    patch = _dummy_patch(sha="0" * 16)
    with pytest.raises(RuntimeError, match=r"Dummy\.method .*not the one the replacement was written for"):
        registry.apply([patch])
    assert Dummy.method is original  # nothing changed


def test_missing_target_fails_loudly():
    patch = registry.Patch(f"{__name__}:Dummy.gone", lambda self: None, "a test", "speed", "0" * 16)
    with pytest.raises(RuntimeError, match=r"Dummy\.gone .*target not found"):
        registry.apply([patch])


def test_skipped_when_its_condition_is_false():
    original = Dummy.method
    patch = registry.Patch(f"{__name__}:Dummy.method", lambda self, x: None, "a test", "speed", "0" * 16,
                           when=lambda: False)
    assert registry.apply([patch]) == {}
    assert Dummy.method is original


@pytest.mark.parametrize("dist", sorted(registry.PINNED))
def test_other_versions_fail_loudly(monkeypatch, dist):
    real = registry.metadata.version
    monkeypatch.setattr(registry.metadata, "version", lambda name: "9.9.9" if name == dist else real(name))
    with pytest.raises(RuntimeError, match=rf"written for {dist}=={registry.PINNED[dist]}, but {dist} 9\.9\.9"):
        registry.check_versions()


def test_pinned_versions_are_installed():
    registry.check_versions()


def test_fingerprints_match_the_installed_originals():
    for target, original in registry.ORIGINALS.items():
        assert registry.fingerprint(original) == registry.INSTALLED[target].original_sha256, target
