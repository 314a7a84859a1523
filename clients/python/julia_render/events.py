"""Reading the server's Server-Sent Events (``GET /api/events``): one ``job`` event per change."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator

import httpx


def job_events(response: httpx.Response) -> Iterator[Dict[str, Any]]:
    """Yields the Job of every ``job`` event of an open event stream, until it ends."""
    event = ""
    data: list = []
    for line in response.iter_lines():
        if line == "":
            if event == "job" and data:
                yield json.loads("\n".join(data))
            event, data = "", []
        elif line.startswith(":"):
            continue  # keep-alive comment
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
