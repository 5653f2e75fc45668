"""Settings of the scale suite's nodes: the crash suite's (database queue, the test settings
otherwise) with what several nodes share instead of their own disk and memory: the cache (and
so the throttling counters) in Redis from ``CACHE_URL``, the blobs in an S3 bucket from
``BLOB_S3_*`` (moto's server in the tests, decision 0098)."""

from rathaus.config.settings.base import env
from tests.crash.settings import *  # noqa: F403
from tests.crash.settings import CACHES, STORAGES

CACHES = {**CACHES, "default": env.cache_url("CACHE_URL")}
STORAGES["blobs"] = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": env.str("BLOB_S3_BUCKET"),
        "endpoint_url": env.str("BLOB_S3_ENDPOINT_URL"),
        "access_key": env.str("BLOB_S3_ACCESS_KEY"),
        "secret_key": env.str("BLOB_S3_SECRET_KEY"),
        "region_name": env.str("BLOB_S3_REGION"),
        "file_overwrite": False,
        "default_acl": None,
    },
}
