"""The API's upkeep: every ``PRIVSYN_UPKEEP_INTERVAL_S``, fail lost and overdue jobs and purge expired previews.

Runs on one daemon thread per API process (started and stopped by the app's lifespan), so it needs no
scheduler of its own and never touches the event loop or AnyIO's thread pool. Both tasks are single
conditional statements in the metadata store, safe with several API processes doing the same.
"""

from __future__ import annotations

import logging
import threading

from web_app.job_service import JobService
from web_app.preview_service import PreviewService

log = logging.getLogger(__name__)


class Upkeep:
    """``run_once`` on a timer until :meth:`stop`."""

    def __init__(self, jobs: JobService, previews: PreviewService, interval_s: float) -> None:
        self._jobs, self._previews, self._interval = jobs, previews, interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="privsyn-upkeep", daemon=True)

    def start(self) -> Upkeep:
        self._thread.start()
        return self

    def run_once(self) -> None:
        """Reap lost/overdue jobs, then purge expired previews (each failure is logged, never raised)."""
        try:
            for job in self._jobs.reap():
                log.warning("job %s failed: %s", job.id, job.error.code if job.error else "")
        except Exception:
            log.exception("upkeep: reaping jobs failed")
        try:
            purged = self._previews.purge_expired()
            if purged:
                log.info("upkeep: purged %d expired preview(s)", purged)
        except Exception:
            log.exception("upkeep: purging previews failed")

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        self.run_once()
        while not self._stopped.wait(self._interval):
            self.run_once()
