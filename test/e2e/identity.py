"""Who the e2e browser is: the identity the fake SSO proxy (extra HTTP headers) asserts, and its secret."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-proxy-secret-0123456789abcdef"
SUBJECT = "e2e-tester@example.org"
