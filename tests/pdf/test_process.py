"""The PDF renderer's process-wide settings: applied at process start, checked by every render."""

from __future__ import annotations

import datetime as dt

import pytest
from reportlab import rl_config

from approval.pdf import configure_process, render
from approval.pdf.process import USE_A85, check_process


def test_configured_in_the_test_process():
    assert rl_config.useA85 == USE_A85 == 0
    check_process()


def test_a_render_in_an_unconfigured_process_fails_loudly(monkeypatch):
    render.install_thai_support()
    monkeypatch.setattr(rl_config, "useA85", 1)
    with pytest.raises(RuntimeError, match="configure_process"):
        render.html_to_pdf("<p>x</p>", [], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    configure_process()
    assert rl_config.useA85 == 0
    assert render.html_to_pdf("<p>x</p>", [], dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).startswith(b"%PDF")


def test_the_app_factory_configures_the_process(monkeypatch):
    import approval

    monkeypatch.setattr(rl_config, "useA85", 1)
    approval.configure_pdf_process()
    assert rl_config.useA85 == 0
