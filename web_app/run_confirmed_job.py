"""The worker entrypoint every backend runs:

    python -m web_app.run_confirmed_job --job-id <id> --job-request-key <key>

It builds the settings, object storage and metadata store from the environment (the same variables as
the API), runs :func:`web_app.job_execution.execute_confirmed_job` and exits 0 when the job succeeded,
1 when it failed or was cancelled, 2 on a usage or configuration error. No web framework is imported.
"""

from __future__ import annotations

import argparse
import logging
import sys

from privsyn_platform.errors import PlatformError
from privsyn_platform.metadata_records import JobState
from privsyn_platform.metadata_store import metadata_store_from_settings
from privsyn_platform.object_storage import storage_from_settings
from privsyn_platform.settings import load_settings
from web_app.job_execution import execute_confirmed_job


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web_app.run_confirmed_job", description=__doc__.splitlines()[0])
    parser.add_argument("--job-id", required=True)
    parser.add_argument("--job-request-key", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        storage = storage_from_settings(settings)
        store = metadata_store_from_settings(settings)
    except PlatformError as e:
        logging.getLogger(__name__).error("cannot start the worker: %s", e)
        return 2
    try:
        job = execute_confirmed_job(args.job_id, args.job_request_key, storage, store, settings.job_lease_s)
    finally:
        store.dispose()
    return 0 if job.state is JobState.SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
