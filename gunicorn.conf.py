"""gunicorn settings read from the project root (gunicorn wsgi:app)."""


def post_worker_init(worker):
    """The PDF renderer's process settings, with the Thai fonts, dictionary and
    shaping tables loaded (then frozen out of the garbage collector's way)
    before the first request.

    Otherwise the first PDF a worker prints takes about 1.8 s instead of about 0.3 s.
    (wsgi:app's create_app has applied the settings already; this adds the preload.)
    """
    from approval.pdf.process import configure_process

    configure_process(preload=True)
