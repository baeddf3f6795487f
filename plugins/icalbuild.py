"""Where ``occurrence_uid`` was before the helpers moved to ``scheduler.content``: kept only for
``tests/solver/test_previous.py``, which imports it from here; remove once that test imports
``scheduler.content.events``."""

from scheduler.content.events import occurrence_uid

__all__ = ["occurrence_uid"]
