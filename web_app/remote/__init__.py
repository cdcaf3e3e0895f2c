"""The kernel every out-of-process runner shares (Slurm, AWS Batch, Cloud Run).

Imports nothing else of ``web_app``: the ``*_control`` modules and :mod:`web_app.job_runner` build on it,
never the reverse, so the runner graph has no cycle.
"""
