"""The spec model (being split into one module per section)."""
from .columns import *  # noqa: F401,F403
from .columns import NAME_PATTERN, __all__, contradiction  # noqa: F401
