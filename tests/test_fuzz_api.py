"""Schemathesis against /api/v1/openapi.json: no 5xx, responses match the schema (bounded run)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance


def test_fuzz_every_operation(app, seeded, token_for):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    token = token_for("legal")
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        schema_op = operation

        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=schema_op.as_strategy())
        def run(case):
            nonlocal cases
            cases += 1
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        run()
    print(f"schemathesis: {cases} cases, 0 server errors")
    assert cases > 100
