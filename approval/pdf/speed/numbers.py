"""Speed: numbers in content streams (the same digits, sooner)."""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib import rl_accel

from ..registry import patch

_FP_MODULES = (
    "reportlab.pdfgen.canvas",
    "reportlab.pdfgen.textobject",
    "reportlab.pdfgen.pathobject",
    "reportlab.platypus.tables",
    "reportlab.platypus.flowables",
    "reportlab.pdfbase.pdfdoc",
    "reportlab.pdfbase.ttfonts",
    "reportlab.lib.colors",
)


@lru_cache(maxsize=16384)
def _fp_one(x) -> str:
    return rl_accel.fp_str(x)


def _fp_str(*a):
    """ReportLab's pure-Python ``fp_str`` (no C accelerator), remembered per number."""
    if len(a) == 1 and isinstance(a[0], list | tuple):
        a = a[0]
    try:
        return " ".join([_fp_one(x) for x in a])
    except TypeError:  # unhashable: not a plain number
        return rl_accel.fp_str(*a)


def _pure_python_fp_str() -> bool:
    # Without ReportLab's C accelerator only: the accelerated fp_str is fast already.
    return rl_accel.fp_str.__name__ == "_py_fp_str"


for _module in _FP_MODULES:
    patch(f"{_module}:fp_str", layer="speed", original_sha256="43ebc7c82d255185", when=_pure_python_fp_str,
          why="ReportLab's pure-Python fp_str formats the same few numbers thousands of times per page")(_fp_str)
