"""Pure algorithms: encoding, privacy accounting, PrivSyn, AIM, MST and the PGM engine.

This package must not import fastapi, sqlalchemy, boto3 or any cloud SDK, read the environment or touch
files: it is a library of functions of their inputs (``test/test_architecture.py`` enforces this).
"""
