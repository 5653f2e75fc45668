import datetime
import itertools

from rathaus.directory.models import Office
from rathaus.registers.models import Person

_numbers = itertools.count(1)


def make_person(**overrides) -> Person:
    n = next(_numbers)
    values = {
        "register_number": f"HB9{n:08d}",
        "family_name": "Meyerhoff",
        "given_names": "Hanna",
        "date_of_birth": datetime.date(1984, 3, 7),
        "sex": "w",
    }
    values.update(overrides)
    return Person.objects.create(**values)


def make_office(**overrides) -> Office:
    n = next(_numbers)
    values = {"slug": f"buergeramt-{n}", "name": f"Bürgeramt {n}"}
    values.update(overrides)
    return Office.objects.create(**values)
