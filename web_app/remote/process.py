"""Running a scheduler's command-line tool (``sbatch``, ``scontrol``, ``scancel``, ``gcloud``): argv only.

Owns the one subprocess call of the remote controls: an argv list (never ``shell=True``), a timeout,
an explicit environment, and every failure — missing executable, time-out, non-zero exit — turned into
:class:`~privsyn_platform.errors.SubmissionError` carrying the tool's own message.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from privsyn_platform.errors import SubmissionError

DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(argv: Sequence[str], env: Mapping[str, str], *, timeout_s: float = DEFAULT_TIMEOUT_S,
            check: bool = True) -> CliResult:
    """Run ``argv`` and return its output.

    Args:
        argv: The command; ``argv[0]`` is looked up on ``PATH``.
        env: The complete environment of the child.
        timeout_s: Kill the tool after this many seconds.
        check: Raise on a non-zero exit status.

    Raises:
        SubmissionError: The tool is missing, timed out, or (with ``check``) exited non-zero.
    """
    tool = argv[0]
    try:
        done = subprocess.run(list(argv), env=dict(env), capture_output=True, text=True, timeout=timeout_s,
                              stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError as e:
        raise SubmissionError(f"{tool} is not installed or not on PATH ({e})") from e
    except subprocess.TimeoutExpired as e:
        raise SubmissionError(f"{tool} did not answer within {timeout_s:g} s") from e
    except OSError as e:
        raise SubmissionError(f"{tool} could not be started: {e}") from e
    result = CliResult(done.returncode, done.stdout, done.stderr)
    if check and done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip() or "no output")[-2000:]
        raise SubmissionError(f"{tool} exited with status {done.returncode}: {message}")
    return result
