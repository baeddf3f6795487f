"""What "now" is: ``SOURCE_DATE_EPOCH`` where it is set (reproducible outputs), else the clock."""

from __future__ import annotations

import datetime as dt
import os


def now() -> dt.datetime:
    """The current instant as an aware UTC datetime, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
