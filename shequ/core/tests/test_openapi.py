import json
from pathlib import Path

from django.conf import settings
from django.utils import translation

from shequ.api import api

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_committed_openapi_document_matches_the_api():
    """Changing the API means regenerating docs/openapi.json (`make openapi`),
    so integrators see every change in review."""
    with translation.override(settings.LANGUAGE_CODE):
        current = json.loads(
            json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), sort_keys=True)
        )
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert current == committed, "API changed: run `make openapi` and commit docs/openapi.json"


def test_every_operation_documents_a_summary_and_error_responses():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert any(str(code).startswith("4") for code in operation["responses"]), (
                f"{method.upper()} {path} documents no errors"
            )
