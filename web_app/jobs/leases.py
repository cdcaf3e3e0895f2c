"""Job leases: whoever holds a job vouches for it by renewing its lease, so a lost job is noticed.

:class:`LeaseKeeper` renews, on a daemon thread, every quarter of the lease, the leases of the jobs its
process holds: a worker its running job (:func:`web_app.job_execution.execute_confirmed_job`), the
inline and local runners the jobs queued in this API process. When the holder dies, is SIGSTOPped or
its machine restarts, nobody renews; the API's upkeep (:mod:`web_app.jobs.upkeep`) then fails the job
``worker_lost`` once its lease has run out — whatever the PID or hostname of the process after a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import timedelta

from privsyn_platform.metadata_store import MetadataStore

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews the leases of ``held()`` every ``lease_s / 4`` seconds until :meth:`stop`."""

    def __init__(self, store: MetadataStore, lease_s: float, held: Callable[[], Collection[str]],
                 name: str = "privsyn-lease") -> None:
        self._store, self._lease, self._held = store, timedelta(seconds=lease_s), held
        self._interval = lease_s / 4
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def renew_now(self) -> set[str]:
        """Renew at once; returns the held jobs that are still active."""
        held = set(self._held())
        try:
            return self._store.renew_leases(held, self._lease)
        except Exception:  # the store is unreachable right now: try again at the next beat
            log.warning("could not renew the leases of %d job(s)", len(held), exc_info=True)
            return held

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            self.renew_now()
