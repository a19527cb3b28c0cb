from typing import Any


def run(ctx: Any) -> None:
    return None
