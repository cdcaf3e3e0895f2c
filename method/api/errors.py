"""The error hierarchy of the ``method`` layer.

Every error raised for bad input by ``method`` derives from :class:`MethodError`; the web layer maps the
family to HTTP in one place. Messages name the bad value and, where there is a closed set, the valid ones.
"""


class MethodError(Exception):
    """Base class of every error the algorithms raise on purpose."""


class InvalidPrivacySpecError(MethodError, ValueError):
    """ε or δ is out of range (ε ≤ 0 or not finite, δ outside (0, 1))."""


class InvalidMetadataError(MethodError, ValueError):
    """Table metadata is inconsistent with itself or with the table."""


class InvalidParameterError(MethodError, ValueError):
    """A method knob is out of range or of the wrong type."""


class BudgetExceededError(MethodError):
    """A step asked for more privacy budget than the ledger has left. Raised before any noise is drawn."""


class UnknownMethodError(MethodError, KeyError):
    """No synthesizer is registered under the requested name."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain sentence
        return str(self.args[0]) if self.args else ""
