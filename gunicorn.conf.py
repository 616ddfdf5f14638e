"""gunicorn settings read from the project root (gunicorn wsgi:app)."""


def post_worker_init(worker):
    """Load the Thai fonts, dictionary and shaping tables before the first request.

    Otherwise the first PDF a worker prints takes about 1.8 s instead of about 0.3 s.
    """
    from approval.pdf import install_thai_support

    install_thai_support()
