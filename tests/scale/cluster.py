"""The processes of a scale scenario: moto's S3 server, a Redis server, and per test two web
nodes (gunicorn, as in production) and two ``rathaus worker`` processes, all on loopback.

The nodes are started with ``tests.crash.harness`` (the same gunicorn and worker commands as the
crash suite) and ``tests.scale.settings``: nothing a node keeps on its own disk or in its own
memory is needed by another node.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.crash.harness import Crashes, _answers, crashes, free_port, wait_until

SETTINGS = "tests.scale.settings"
BUCKET = "rathaus-blobs"


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str = BUCKET
    access_key: str = "scale-test"
    secret_key: str = "scale-test-secret"  # noqa: S105 (moto accepts any key)
    region: str = "eu-central-1"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )

    def object_names(self) -> list[str]:
        """The names of all objects in the bucket."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def env(self) -> dict[str, str]:
        return {
            "BLOB_S3_BUCKET": self.bucket,
            "BLOB_S3_ENDPOINT_URL": self.endpoint,
            "BLOB_S3_ACCESS_KEY": self.access_key,
            "BLOB_S3_SECRET_KEY": self.secret_key,
            "BLOB_S3_REGION": self.region,
        }


def _started(command: list[str], workdir: Path, name: str) -> subprocess.Popen[bytes]:
    with (workdir / f"{name}.log").open("wb") as out:
        return subprocess.Popen(  # noqa: S603 (fixed commands, loopback only)
            command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stopped(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def s3_server(workdir: Path) -> Iterator[S3]:
    """moto's server (the real S3 protocol over HTTP) on a free loopback port, with the bucket."""
    port = free_port()
    server = _started(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], workdir, "moto"
    )
    try:
        up = wait_until(
            lambda: _answers(f"http://127.0.0.1:{port}/") or server.poll() is not None, timeout=60
        )
        assert up and server.poll() is None, (workdir / "moto.log").read_text(errors="replace")[-3000:]
        s3 = S3(endpoint=f"http://127.0.0.1:{port}")
        s3.client().create_bucket(
            Bucket=s3.bucket, CreateBucketConfiguration={"LocationConstraint": s3.region}
        )
        yield s3
    finally:
        _stopped(server)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A Redis server of its own on a free loopback port, nothing written to disk; its URL."""
    import redis

    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    server = _started([*command, "--dir", str(workdir)], workdir, "redis")
    url = f"redis://127.0.0.1:{port}/0"
    try:

        def answers() -> bool:
            with suppress(redis.exceptions.ConnectionError):
                return bool(redis.Redis.from_url(url).ping())
            return server.poll() is not None

        assert wait_until(answers, timeout=30) and server.poll() is None, (workdir / "redis.log").read_text()
        yield url
    finally:
        _stopped(server)


@dataclass
class Cluster:
    """Two web nodes (their ports) and two workers of one scenario."""

    scenario: Crashes
    ports: list[int]
    s3: S3
    redis_url: str

    def url(self, node: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[node % len(self.ports)]}{path}"

    def redis_keys(self, pattern: str) -> list[str]:
        import redis

        return [key.decode() for key in redis.Redis.from_url(self.redis_url).scan_iter(pattern)]


@contextmanager
def cluster(tmp_path: Path, *, s3: S3, redis: str, web: int = 2, workers: int = 2) -> Iterator[Cluster]:
    """``web`` gunicorn nodes and ``workers`` workers on the test database (PostgreSQL), Redis and
    S3; the Redis database is emptied first."""
    import redis as redis_client

    redis_client.Redis.from_url(redis).flushdb()
    with crashes(tmp_path) as scenario:
        scenario.env.update({"DJANGO_SETTINGS_MODULE": SETTINGS, "CACHE_URL": redis, **s3.env()})
        ports = [free_port() for _ in range(web)]
        starters = [threading.Thread(target=scenario.start_server, args=(port,)) for port in ports]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()
        assert all(_answers(f"http://127.0.0.1:{port}/") for port in ports), scenario.logs()
        for _ in range(workers):
            scenario.start_worker()
        yield Cluster(scenario, ports, s3, redis)
