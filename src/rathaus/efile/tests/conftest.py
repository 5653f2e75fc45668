import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _keep_language():
    """A request in English activates English for the thread; later tests must not inherit it."""
    with translation.override(translation.get_language()):
        yield
