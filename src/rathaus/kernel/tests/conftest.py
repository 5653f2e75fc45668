import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(kind="citizen", email=None):
        number = next(counter)
        return get_user_model().objects.create_user(
            username=f"{kind}{number}",
            email=email if email is not None else f"{kind}{number}@example.org",
            kind=kind,
        )

    return make


@pytest.fixture(autouse=True)
def blob_storage(settings, tmp_path):
    """Each test gets an empty blob directory, so file assertions see only its own files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path
