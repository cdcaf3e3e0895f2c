"""Preprocessing shared by every synthesizer: the per-column codecs and the :class:`TableEncoder`.

``encoding`` (the table-level encoder and its provenance), ``codecs`` (the codec contract and factory),
``categorical`` and ``numeric`` (the codecs), ``binning`` (edges), ``privtree`` and ``dawa`` (DP binnings).
"""

from method.preprocess_common.codecs import ColumnCodec, make_codec
from method.preprocess_common.encoding import BINNING_STAGE, ColumnProvenance, TableEncoder

__all__ = ["BINNING_STAGE", "ColumnCodec", "ColumnProvenance", "TableEncoder", "make_codec"]
