"""gunicorn settings read from the project root (gunicorn wsgi:app)."""

import os

#: Threads, so that every request reaches the application at once and the load shedder
#: (approval/web/shed.py) answers 503 + Retry-After past SHED_MAX_IN_FLIGHT (8) requests in
#: flight per worker, instead of requests queueing unseen for seconds. More threads than that
#: limit: the extra ones only ever answer the refusal (about a millisecond each). The number
#: of workers (-w, one per core) is given on the command line.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "24"))
#: Seconds a kept-alive connection waits for its next request (a poller entry, no thread).
#: Longer than a person's pause between clicks: with gunicorn's 2 s, a browser or client
#: reusing its connection after 2-5 s often met it being closed (connection reset). A proxy
#: in front keeps its own idle timeout shorter than this one.
keepalive = 15

#: A worker held by one request is released after at most this many seconds.  Every PDF
#: (preview or order) is laid out in a child process killed after PDF_RENDER_SECONDS
#: (default 10, approval/services/render_budget.py), which must stay below this timeout:
#: with 2 workers, two heavy previews hold both for at most the budget, so /healthz and
#: the other pages wait at most that long, and an order is refused (nothing recorded)
#: instead of dying with its worker.
timeout = 30


def post_worker_init(worker):
    """Load the Thai fonts, dictionary, shaping tables and templates before the first request,
    with the PDF renderer's process settings (then frozen out of the garbage collector's way).

    Otherwise the first PDF a worker prints takes about 1.8 s instead of about 0.3 s; and
    every render's child process is forked from the worker, so it inherits them all.
    (wsgi:app's create_app has applied the settings already; this adds the preload.)
    """
    from approval.pdf.process import configure_process
    from approval.services.documents import warm

    warm()
    configure_process(preload=True)
