"""The scale suite (issue 13, scale-out): two web nodes and two workers on one PostgreSQL, one
Redis and one S3 bucket (moto's server, decision 0098). Not part of ``make test`` (marker
``scale``); ``make test-scale`` runs it with DATABASE_URL pointing to PostgreSQL. On SQLite it
is skipped: several nodes need a database server (docs/operations.md, "Several nodes")."""

from __future__ import annotations

import pytest

from .cluster import cluster, redis_server, s3_server


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    with s3_server(tmp_path_factory.mktemp("moto")) as started:
        yield started


@pytest.fixture(scope="session")
def redis(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as started:
        yield started


@pytest.fixture
def nodes(transactional_db, tmp_path, request):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("several nodes need PostgreSQL (DATABASE_URL)")
    s3, redis = request.getfixturevalue("s3"), request.getfixturevalue("redis")
    with cluster(tmp_path, s3=s3, redis=redis) as started:
        yield started
