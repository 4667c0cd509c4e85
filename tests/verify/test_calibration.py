"""The calibration programs: the crashing stub defines the whole protocol and fails in every function."""

import pytest

from gamecwm.protocol import IMPERFECT_INFORMATION_FUNCTIONS, load_module_from_source, missing_functions
from gamecwm.verify.calibration import CRASHING_EVERYWHERE


def test_crashing_everywhere_defines_every_protocol_function_and_each_raises() -> None:
    module = load_module_from_source(CRASHING_EVERYWHERE)
    assert missing_functions(module, imperfect_information=True) == []
    for name, arity in IMPERFECT_INFORMATION_FUNCTIONS.items():
        with pytest.raises(RuntimeError, match="not implemented"):
            getattr(module, name)(*range(arity))
