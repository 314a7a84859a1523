"""The connection to one julia-render server: submit, look up, list and render."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Union

import httpx

from .animation import Animation
from .errors import ApiError
from .job import Job

#: A complex parameter: a Python complex, an ``(re, im)`` pair or the API's ``{"re", "im"}``.
ComplexLike = Union[complex, float, int, tuple, Mapping[str, float]]


class Client:
    """A client of the job API at ``base_url`` (e.g. ``http://127.0.0.1:8080``).

    ``api_key`` is sent as ``Authorization: Bearer …`` on every request. Use it as a context
    manager, or call :meth:`close`, to release its connections.
    """

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        *,
        timeout: float = 30.0,
        transport: Optional[httpx.BaseTransport] = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Sends a request and raises :class:`ApiError` for any answer of 400 or above."""
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    def submit(self, *, replaces: Union[str, Job, None] = None, **params: Any) -> Job:
        """Submits render parameters (``width``, ``height``, ``c``, ``center``, ``view_width``,
        ``max_iter``, ``escape_radius``, ``palette``, ``supersample``, ``precision``,
        ``format``); omitted ones take the server's defaults.

        Equal parameters already queued, running or done give that job back with
        ``job.deduplicated`` true. ``replaces`` cancels an earlier job (id or Job) if it is still
        queued or running.
        """
        query = {}
        if replaces is not None:
            query["replaces"] = replaces.id if isinstance(replaces, Job) else str(replaces)
        response = self.request("POST", "/api/jobs", params=query, json=render_params(params))
        return Job(self, response.json())

    def job(self, job_id: str) -> Job:
        """The job with this id, as it is now."""
        return Job(self, self.request("GET", f"/api/jobs/{job_id}").json())

    def jobs(self, limit: int = 10) -> List[Job]:
        """The latest jobs, newest first (``limit`` from 1 to 100)."""
        response = self.request("GET", "/api/jobs", params={"limit": limit})
        return [Job(self, data) for data in response.json()]

    def animate(self, spec: Mapping[str, Any], format: str = "mp4") -> Animation:
        """Submits a video: ``spec`` is the JSON of ``julia-server animate`` (``width``,
        ``height``, ``fps``, ``supersample``, ``keyframes`` of ``{"t", "view"}``); ``format`` is
        ``mp4`` or ``webm``. Its frames become jobs on every worker; the same animation again
        gives that one back with ``animation.deduplicated`` true."""
        response = self.request(
            "POST", "/api/animations", params={"format": format}, json=animation_spec(spec)
        )
        return Animation(self, response.json())

    def animation(self, animation_id: str) -> Animation:
        """The animation with this id, as it is now."""
        return Animation(self, self.request("GET", f"/api/animations/{animation_id}").json())

    def info(self) -> Dict[str, Any]:
        """The server's limits, defaults and backends (``GET /api/info``)."""
        return self.request("GET", "/api/info").json()

    def render(
        self, *, progress: bool = False, timeout: Optional[float] = None, **params: Any
    ) -> Any:
        """Submits, waits and downloads in one call: a numpy array of escape counts for
        ``format="npy"``, else a PIL image."""
        job = self.submit(**params).wait(progress=progress, timeout=timeout)
        return job.array() if job.format == "npy" else job.image()


def render_params(params: Mapping[str, Any]) -> Dict[str, Any]:
    """The JSON body for ``params``: complex values become ``{"re", "im"}`` objects."""
    body = dict(params)
    for key in ("c", "center"):
        if key in body:
            body[key] = complex_json(body[key])
    return body


def animation_spec(spec: Mapping[str, Any]) -> Dict[str, Any]:
    """The JSON body for ``spec``: complex values in each keyframe's view become objects."""
    body = dict(spec)
    body["keyframes"] = [
        {**key, "view": render_params(key.get("view", {}))} for key in spec.get("keyframes", [])
    ]
    return body


def complex_json(value: ComplexLike) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        re, im = value
        return {"re": float(re), "im": float(im)}
    if isinstance(value, (complex, float, int)):
        z = complex(value)
        return {"re": z.real, "im": z.imag}
    return value
