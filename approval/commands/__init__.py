"""Further flask commands, one module per feature, each exposing register(app)."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask


def register_all(app: Flask) -> None:
    """Register every module of this package that defines register(app)."""
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
