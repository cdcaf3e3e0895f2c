"""Synthesizers, and the one place they are registered: :data:`SYNTHESIZERS`, a literal tuple.

Importing this package registers each of them in ``method.api.registry`` by its ``name`` ("privsyn",
"aim", "mst"); the method packages themselves register nothing.
"""

from method.api import registry
from method.synthesis.AIM import AIMSynthesizer
from method.synthesis.mst import MSTSynthesizer
from method.synthesis.privsyn import PrivSynSynthesizer

SYNTHESIZERS = (PrivSynSynthesizer, AIMSynthesizer, MSTSynthesizer)

for _synthesizer in SYNTHESIZERS:
    registry.register(_synthesizer)
