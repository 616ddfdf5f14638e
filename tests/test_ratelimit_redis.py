"""Rate limits shared through Redis (``RATELIMIT_STORAGE_URI=redis://...``), as several gunicorn
workers or nodes share them in production (issue 20, item 3).

Runs against the Redis server on 127.0.0.1:6379 (there on developers' machines and in CI);
skipped only when no Redis answers there, with the reason.
"""

from __future__ import annotations

import uuid

import pytest

from approval import create_app
from approval.extensions import limiter

from .conftest import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/7"
API = "/api/v1"


def _redis():
    import redis  # the client the limiter's storage uses (requirements.txt)

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis server answers on 127.0.0.1:6379 ({exc}); start one to run this test")
    return client


@pytest.fixture()
def workers(app, seeded, monkeypatch):
    """Two apps on the same database, each like one gunicorn worker, with limits kept in Redis
    under a key prefix of their own (other test runs may share the server)."""
    client = _redis()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    for name in ("enabled", "_storage", "_limiter", "_key_prefix", "_storage_uri"):
        if hasattr(limiter, name):
            monkeypatch.setattr(limiter, name, getattr(limiter, name))
    config = {**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_DIR")},
              "APP_ENV": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
              "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
              "LOGIN_ADDRESS_LIMIT": "20 per minute"}
    apps = [create_app(dict(config)), create_app(dict(config))]
    yield apps, client, prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_the_limiter_keeps_its_counts_in_redis(workers):
    (first, _second), client, prefix = workers
    from limits.storage import RedisStorage

    assert isinstance(limiter.storage, RedisStorage)
    response = first.test_client().post(f"{API}/auth/token", json={"username": "nobody", "password": "x"})
    assert response.status_code == 401
    keys = [k.decode() for k in client.scan_iter(f"*{prefix}*")]
    assert keys, "no counter was written to Redis"
    assert any(int(client.get(k) or 0) == 1 for k in keys if client.type(k) == b"string")


def test_workers_share_one_ceiling_through_redis(workers):
    """20 failed token requests a minute from one address in all: 10 on each worker, then both
    refuse (with memory:// each worker would have let 20 through)."""
    (first, second), _client, _prefix = workers
    one, two = first.test_client(), second.test_client()
    for i in range(10):
        assert one.post(f"{API}/auth/token", json={"username": f"n{i}", "password": "x"}).status_code == 401
        assert two.post(f"{API}/auth/token", json={"username": f"m{i}", "password": "x"}).status_code == 401
    for worker in (one, two):
        refused = worker.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "too_many_requests"
    # Another address is counted apart.
    other = two.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD},
                     environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert other.status_code == 200
