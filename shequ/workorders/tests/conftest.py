"""Case-number sequences (services.numbering) live outside the tables the test
database empties between tests: drop any a test made, so the next test starts
from the row counter again."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _no_leftover_number_sequences(django_db_blocker):
    from shequ.workorders.services import numbering

    yield
    numbering._known.clear()
    if numbering.made:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            for name in numbering.made:
                cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(name)}")
        numbering.made.clear()
