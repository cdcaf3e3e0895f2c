"""What the legacy routes answer a predecessor client (vvv214/privsyn-tabular's UI and scripts) differently.

Owns the one rule that tells such a client apart, the id it uses for results, and its error shape
(docs/api.md, "Legacy clients"):

* **A legacy request** is a ``/synthesize`` or ``/confirm_synthesis`` form that carries ``num_preprocess``:
  the predecessor's routes required it, so every one of its clients sends it; our clients never do.
* **Its error shape** (:func:`legacy_missing_file`): where its clients depend on the predecessor's, they get it —
  a missing data file is 400 with a *string* ``detail`` (its scripts call ``.lower()`` on it). Every other
  error keeps our envelope and codes (its UI reads ``detail.message`` from a dict as well), so one
  client's error handling fits both.
* **Its result id** (:func:`result_job_id`): the predecessor had one id, so a job id or a preview's
  ``unique_id`` (its newest succeeded job) both name a result on the download and evaluate routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from privsyn_platform.auth import Principal
from privsyn_platform.errors import NotFoundError
from privsyn_platform.metadata_records import JobState
from web_app.api.deps import Services
from web_app.ingestion.errors import DataError

LEGACY_MARKER = "num_preprocess"
#: The confirm reply's message to a legacy client once the CSV exists (its scripts test this prefix).
LEGACY_CONFIRMED = "Data synthesis initiated successfully! The synthetic CSV is ready to download."
LEGACY_ROOT = {"message": "PrivSyn: differentially private synthetic tables. The API is documented at /docs."}
NO_FILE = "Data file is required: upload a CSV or ZIP file, or set dataset_name=adult for the bundled sample."


def is_legacy(form: Mapping[str, Any]) -> bool:
    """Whether the form comes from a predecessor client (module docstring)."""
    return LEGACY_MARKER in form


def legacy_missing_file(form: Mapping[str, Any], error: DataError) -> JSONResponse | None:
    """The predecessor's answer to a legacy request without a data file (``None``: not that case)."""
    if error.code != "no_file" or not is_legacy(form):
        return None
    return JSONResponse(status_code=400, content={"detail": NO_FILE})


def result_job_id(services: Services, session_id: str, principal: Principal) -> str:
    """The job a result id names: a job id as is; a preview's id, its newest succeeded job (else newest)."""
    try:
        services.store.get_job(session_id, principal)
        return session_id
    except NotFoundError:
        pass
    jobs = [record for record in services.jobs.list(principal) if record.params.get("preview_id") == session_id]
    done = [record for record in jobs if record.state is JobState.SUCCEEDED]
    return (done or jobs)[0].id if jobs else session_id
