"""How many rows a bulk UPDATE or DELETE touched.

``AsyncSession.execute`` is typed as returning a plain ``Result``; for DML it is a ``CursorResult``,
whose ``rowcount`` says how many rows matched (the compare-and-set idiom of every "first one wins").
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def affected(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount
