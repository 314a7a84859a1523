"""One render job: its state, waiting for it (SSE, polling as the fallback), and its result."""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any, Dict, Optional

import httpx

from .errors import ApiError, JobCanceled, JobFailed, WaitTimeout
from .events import job_events

if TYPE_CHECKING:
    import numpy
    from PIL.Image import Image

    from .client import Client

FINISHED = ("done", "failed", "canceled")
#: Seconds between two looks at a job when polling.
POLL_INTERVAL = 0.25


class Job:
    """A job as the server last described it; :meth:`refresh` and :meth:`wait` update it."""

    def __init__(self, client: "Client", data: Dict[str, Any]) -> None:
        self.client = client
        self.data = data

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.status} {self.progress:.0%}>"

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def status(self) -> str:
        """``queued``, ``running``, ``done``, ``failed`` or ``canceled``."""
        return str(self.data["status"])

    @property
    def progress(self) -> float:
        """0.0 to 1.0."""
        return float(self.data.get("progress", 0.0))

    @property
    def params(self) -> Dict[str, Any]:
        """The normalised parameters the server renders."""
        return dict(self.data["params"])

    @property
    def format(self) -> str:
        return str(self.data["params"]["format"])

    @property
    def hash(self) -> str:
        return str(self.data["hash"])

    @property
    def deduplicated(self) -> bool:
        """True when the submission matched an existing job (this is that job)."""
        return bool(self.data.get("deduplicated", False))

    @property
    def error(self) -> Optional[Dict[str, Any]]:
        return self.data.get("error")

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def refresh(self) -> "Job":
        """Reads the job's current state from the server."""
        self.data = self.client.request("GET", f"/api/jobs/{self.id}").json()
        return self

    def cancel(self) -> "Job":
        """Cancels the job if it is queued or running (``ApiError`` 409 once it has finished)."""
        self.data = self.client.request("POST", f"/api/jobs/{self.id}/cancel").json()
        return self

    def delete(self) -> None:
        """Deletes the job and its result (a queued or running job is canceled first)."""
        self.client.request("DELETE", f"/api/jobs/{self.id}")

    def wait(
        self,
        progress: bool = False,
        timeout: Optional[float] = None,
        *,
        events: bool = True,
    ) -> "Job":
        """Waits until the job is done and returns it; raises :class:`JobFailed` or
        :class:`JobCanceled` if it ends otherwise, :class:`WaitTimeout` after ``timeout``
        seconds. Follows the server's event stream; if that is unavailable (or
        ``events=False``), polls. ``progress=True`` shows a tqdm bar."""
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = _progress_bar(self) if progress else None
        try:
            if not self.refresh().finished and events:
                self._follow_events(deadline, bar)
            while not self.finished:
                _check_deadline(self, deadline)
                time.sleep(POLL_INTERVAL)
                self.refresh()
                _show(bar, self)
            _show(bar, self)
        finally:
            if bar is not None:
                bar.close()
        if self.status == "canceled":
            raise JobCanceled(self)
        if self.status == "failed":
            raise JobFailed(self)
        return self

    def _follow_events(self, deadline: Optional[float], bar: Any) -> None:
        """Reads job events until this job finishes. Any trouble with the stream ends this
        quietly: the caller polls from wherever the job is."""
        read_timeout = 30.0 if deadline is None else max(0.1, deadline - time.monotonic())
        try:
            with self.client.http.stream(
                "GET",
                "/api/events",
                headers={"Accept": "text/event-stream"},
                timeout=httpx.Timeout(10.0, read=read_timeout),
            ) as response:
                content_type = response.headers.get("content-type", "")
                if response.status_code != 200 or "text/event-stream" not in content_type:
                    return
                # Subscribed now: a change before this point is seen by this look, any later
                # one arrives as an event.
                if self.refresh().finished:
                    return
                _show(bar, self)
                for job in job_events(response):
                    if job.get("id") != self.id:
                        continue
                    self.data = job
                    _show(bar, self)
                    if self.finished or (deadline is not None and time.monotonic() > deadline):
                        return
        except (httpx.TransportError, ValueError, ApiError):
            return

    def result_bytes(self) -> bytes:
        """The finished result's bytes (PNG or .npy)."""
        return self.client.request("GET", f"/api/jobs/{self.id}/result").content

    def save(self, path: str) -> None:
        """Writes the finished result to ``path``."""
        with open(path, "wb") as out:
            out.write(self.result_bytes())

    def array(self) -> "numpy.ndarray":
        """The escape counts of an ``npy`` job: a ``uint32`` array of shape (height, width);
        ``max_iter`` marks points that never escaped."""
        import numpy

        if self.format != "npy":
            raise ValueError(f"job {self.id} renders {self.format}; submit format='npy' for an array")
        return numpy.load(io.BytesIO(self.result_bytes()), allow_pickle=False)

    def image(self) -> "Image":
        """The finished image of a ``png`` job as a PIL image (RGBA)."""
        from PIL import Image

        if self.format != "png":
            raise ValueError(f"job {self.id} renders {self.format}; use array() for npy jobs")
        image = Image.open(io.BytesIO(self.result_bytes()))
        image.load()
        return image


def _check_deadline(job: Job, deadline: Optional[float]) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise WaitTimeout(f"job {job.id} still {job.status} ({job.progress:.0%}) at the deadline")


def _progress_bar(job: Job) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=100, desc=f"job {job.id[:8]}", unit="%", bar_format="{l_bar}{bar}| {n:.0f}/{total}%")


def _show(bar: Any, job: Job) -> None:
    if bar is None:
        return
    bar.n = round(job.progress * 100, 1)
    bar.set_postfix_str(job.status, refresh=False)
    bar.refresh()
