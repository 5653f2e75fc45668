import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _keep_language():
    with translation.override(translation.get_language()):
        yield
