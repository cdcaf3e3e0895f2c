"""Schemathesis over the whole OpenAPI document (forms included, via ``openapi_extra``): generated requests,
valid and invalid, never get a 5xx, and every reply's status, content type and body conform to the document.

Examples are bounded (:data:`EXAMPLES` per operation, no shrinking phase) and ``PRIVSYN_MAX_ROWS`` is small,
so the run stays well under 2 minutes; generation is derandomized so a failure replays the same requests.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from privsyn_platform.settings import load_settings
from web_app.main import create_app

pytestmark = pytest.mark.slow
EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Built at import (Schemathesis makes one test per operation at collection); its state is removed at exit.
_STATE = Path(tempfile.mkdtemp(prefix="privsyn-schemathesis-"))
atexit.register(shutil.rmtree, _STATE, ignore_errors=True)
# max_rows keeps each request cheap: the bundled Adult sample (48,842 rows; what a form without a file reads)
# is refused early with a 413 instead of being inferred again for every generated form.
APP = create_app(load_settings(_env_file=None, state_root=_STATE / "state", job_backend="inline", max_rows=1_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
