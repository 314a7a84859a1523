"""Exceptions: every API error answer carries the server's machine-readable code and field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import httpx

if TYPE_CHECKING:
    from .job import Job


class JuliaRenderError(Exception):
    """Base class of everything this client raises on purpose."""


class ApiError(JuliaRenderError):
    """The server refused a request: ``status`` (HTTP), ``code`` (e.g. ``invalid_params``,
    ``not_found``, ``queue_full``), ``message``, and ``field`` naming the bad parameter."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        where = f" (field `{field}`)" if field else ""
        super().__init__(f"{status} {code}: {message}{where}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, response: httpx.Response) -> "ApiError":
        """Reads the API's ``{"error": {"code", "message", "field"}}`` body; any other body (a
        proxy's error page) becomes code ``http_<status>``."""
        retry_after: Optional[float] = None
        raw_retry = response.headers.get("retry-after")
        if raw_retry is not None:
            try:
                retry_after = float(raw_retry)
            except ValueError:
                retry_after = None
        try:
            detail = response.json()["error"]
            return cls(
                response.status_code,
                str(detail["code"]),
                str(detail["message"]),
                detail.get("field"),
                retry_after,
            )
        except (ValueError, KeyError, TypeError):
            text = response.text.strip()[:200] or response.reason_phrase
            return cls(response.status_code, f"http_{response.status_code}", text, None, retry_after)


class JobFailed(JuliaRenderError):
    """A job ended without a result; ``code`` and ``message`` are the job's error."""

    def __init__(self, job: "Job") -> None:
        error = job.error or {}
        self.job = job
        self.code = str(error.get("code", job.status))
        self.message = str(error.get("message", ""))
        super().__init__(f"job {job.id} {job.status}: {self.code}: {self.message}")


class JobCanceled(JobFailed):
    """The job was canceled (by a request, or replaced by a newer submission)."""


class WaitTimeout(JuliaRenderError):
    """``Job.wait`` ran out of time before the job finished."""
