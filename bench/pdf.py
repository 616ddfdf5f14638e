"""Speed of the printed memo: the reference memo with its 49-project report.

    .venv/bin/python bench/pdf.py [--runs 20]

Renders in a warm process (one render first to load fonts, dictionary and
templates), then prints the median and worst time of ``--runs`` renders and
the peak memory of the process (ru_maxrss) and of one render (tracemalloc);
then the same HTML without the Thai and speed layers (stock xhtml2pdf), and by WeasyPrint
when it is installed.  Targets: median <= 300 ms, peak memory <= 200 MB.

WeasyPrint is not a dependency; for the comparison, in a venv of its own:

    python3 -m venv /tmp/wpv && /tmp/wpv/bin/pip install -r requirements.txt weasyprint
    /tmp/wpv/bin/python bench/pdf.py
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from approval.pdf import configure_process, render_memo_pdf, thai_layers
from approval.pdf import render as pdf_render
from tests.pdf.reference_memo import reference_memo


def _memo() -> tuple[dict, str]:
    memo = reference_memo(signed=True)
    try:
        from approval.plan_report.demo import reference_report

        memo["plan_report"] = reference_report(digits=True)
        return memo, "memo + 49-project plan report"
    except Exception as exc:  # noqa: BLE001 - the plan report's code is someone else's
        return memo, f"memo alone (plan report unavailable: {exc!r})"


_CPU: dict[int, list[float]] = {}


def _time(fn, runs: int) -> list[float]:
    """Wall-clock times (ms); the process CPU times go to _CPU (a busy
    machine inflates the wall clock far more than the CPU time)."""
    out, cpu = [], []
    for _ in range(runs):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    _CPU[id(out)] = cpu
    return out


def _report(label: str, times: list[float], extra: str = "") -> None:
    cpu = _CPU.get(id(times))
    cpu_text = f"   (CPU median {statistics.median(cpu):6.1f} ms)" if cpu else ""
    print(f"{label:<34} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms{cpu_text} {extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    configure_process(preload=True)  # as a gunicorn worker does
    memo, what = _memo()
    print(f"document: {what}")
    t = time.perf_counter()
    pdf = render_memo_pdf(memo)
    print(f"cold first render: {(time.perf_counter() - t) * 1000:.0f} ms, {len(pdf) // 1024} KiB")

    times = _time(lambda: render_memo_pdf(memo), args.runs)
    tracemalloc.start()
    render_memo_pdf(memo)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _report("render_memo_pdf (Thai layers on)", times,
            f"  peak RSS {rss:.0f} MB, one render allocates <= {traced / 2**20:.0f} MB")
    ok = statistics.median(times) <= 300 and rss <= 200
    print(f"targets (median <= 300 ms, peak <= 200 MB): {'met' if ok else 'NOT met'}")

    alone = {k: v for k, v in memo.items() if k != "plan_report"}
    if "plan_report" in memo:
        render_memo_pdf(alone)
        _report("memo alone", _time(lambda: render_memo_pdf(alone), args.runs))

    html, images = pdf_render.render_memo_html(memo)
    created = memo["created_at"]
    with thai_layers(False):
        pdf_render.html_to_pdf(html, images, created)
        plain = _time(lambda: pdf_render.html_to_pdf(html, images, created), args.runs)
    _report("same HTML, Thai layers off", plain)

    # The machine's speed drifts by half from one minute to the next (a shared
    # VM); renders taken in turns, on and off, see the same drift, so their
    # ratio is the steadier figure.
    on_times, off_times = [], []
    for _ in range(max(5, args.runs // 2)):
        on_times += _time(lambda: render_memo_pdf(memo), 1)
        with thai_layers(False):
            off_times += _time(lambda: pdf_render.html_to_pdf(html, images, created), 1)
    ratio = statistics.median(on_times) / statistics.median(off_times)
    print(f"in turns: layers on {statistics.median(on_times):.1f} ms, off {statistics.median(off_times):.1f} ms,"
          f" ratio {ratio:.2f}")

    try:
        import weasyprint
    except ImportError:
        print("WeasyPrint: not installed (optional: pip install weasyprint into .venv)")
    else:
        doc = weasyprint.HTML(string=html, base_url=str(pdf_render.ASSETS_DIR))
        doc.write_pdf()
        wp = _time(lambda: weasyprint.HTML(string=html, base_url=str(pdf_render.ASSETS_DIR)).write_pdf(), max(3, args.runs // 4))
        _report("same HTML, WeasyPrint", wp)


if __name__ == "__main__":
    main()
