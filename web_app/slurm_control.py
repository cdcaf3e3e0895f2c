"""Slurm side effects: write the plan's script, ``sbatch --parsable`` it, read states, ``scancel``.

Owns every Slurm CLI call of the service (through :func:`web_app.remote.process.run_cli`: argv lists with
time-outs, ``SLURM_CONF`` from ``PRIVSYN_SLURM__CONF``) and the pure mapping of Slurm job states to ours
(:func:`slurm_status`). What to submit comes from :mod:`web_app.slurm_plan`.
"""

from __future__ import annotations

import os
import re
from typing import ClassVar

from privsyn_platform.errors import SubmissionError
from privsyn_platform.metadata_records import JobState
from privsyn_platform.settings import Settings
from web_app.remote.base import RemoteStatus, Submission
from web_app.remote.process import run_cli
from web_app.remote.resources import ResourceRequest
from web_app.slurm_plan import build_slurm_plan

#: Slurm's job states (squeue/scontrol names) → ours. COMPLETED only says the worker process exited 0.
SLURM_STATES: dict[str, JobState] = {
    **dict.fromkeys(("PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"),
                    JobState.QUEUED),
    **dict.fromkeys(("RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING"),
                    JobState.RUNNING),
    "COMPLETED": JobState.SUCCEEDED,
    **dict.fromkeys(("FAILED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "PREEMPTED",
                     "SPECIAL_EXIT", "REVOKED"), JobState.FAILED),
    "CANCELLED": JobState.CANCELLED,
}
_FIELD = re.compile(r"(?:^|\s)(JobState|Reason|ExitCode)=(\S*)")


def slurm_status(state: str, reason: str = "", exit_code: str = "") -> RemoteStatus:
    """Our view of a Slurm state such as ``TIMEOUT`` or ``CANCELLED by 0``.

    >>> slurm_status("OUT_OF_MEMORY").state
    <JobState.FAILED: 'failed'>
    >>> slurm_status("CANCELLED by 0").state
    <JobState.CANCELLED: 'cancelled'>

    Raises:
        SubmissionError: An unknown state (the mapping must be extended, not guessed).
    """
    name = state.split()[0].rstrip("+").upper() if state.strip() else ""
    if name not in SLURM_STATES:
        raise SubmissionError(f"unknown Slurm job state {state!r}; known: {', '.join(SLURM_STATES)}")
    details = [part for part in (f"reason {reason}" if reason not in ("", "None") else "",
                                 f"exit code {exit_code}" if exit_code not in ("", "0:0") else "") if part]
    return RemoteStatus(SLURM_STATES[name], name, ", ".join(details))


def parse_scontrol(line: str) -> RemoteStatus:
    """The status in one line of ``scontrol show job -o``."""
    fields = dict(_FIELD.findall(line))
    if "JobState" not in fields:
        raise SubmissionError(f"scontrol printed no JobState: {line[:200]!r}")
    return slurm_status(fields["JobState"], fields.get("Reason", ""), fields.get("ExitCode", ""))


def parse_sbatch_id(stdout: str) -> str:
    """The job id ``sbatch --parsable`` prints (``123`` or ``123;cluster``).

    >>> parse_sbatch_id("4711;campus\\n")
    '4711'
    """
    first = stdout.strip().split(";", 1)[0]
    if not first.isdigit():
        raise SubmissionError(f"sbatch printed no job id: {stdout.strip()[:200]!r}")
    return first


class SlurmControl:
    backend: ClassVar[str] = "slurm"

    def __init__(self, settings: Settings, *, timeout_s: float = 30.0) -> None:
        self._settings, self._timeout_s = settings, timeout_s
        self._env = settings.child_environment()
        if settings.slurm.conf is not None:
            self._env["SLURM_CONF"] = str(settings.slurm.conf)

    def submit(self, job_id: str, request_key: str) -> Submission:
        plan = build_slurm_plan(job_id, request_key, ResourceRequest.from_settings(self._settings), self._settings)
        try:
            plan.script_path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(plan.script_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as script:  # it holds the worker's credentials
                script.write(plan.script)
        except OSError as e:
            raise SubmissionError(f"cannot write the Slurm job script {plan.script_path}: {e}") from e
        remote_id = parse_sbatch_id(run_cli(plan.argv, self._env, timeout_s=self._timeout_s).stdout)
        return Submission(remote_id, {"backend": self.backend, "remote_id": remote_id, "command": list(plan.argv),
                                      "script": plan.display_script, "log": str(plan.log_path)})

    def status(self, handle: str) -> RemoteStatus | None:
        result = run_cli(["scontrol", "show", "job", "-o", handle], self._env, timeout_s=self._timeout_s,
                         check=False)
        if result.returncode != 0:
            if "invalid job id" in result.stderr.lower():
                return None
            raise SubmissionError(f"scontrol exited with status {result.returncode}: {result.stderr.strip()}")
        return parse_scontrol(result.stdout.strip().splitlines()[0] if result.stdout.strip() else "")

    def cancel(self, handle: str) -> None:
        run_cli(["scancel", handle], self._env, timeout_s=self._timeout_s)
