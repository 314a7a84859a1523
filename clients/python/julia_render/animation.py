"""One animation (a video whose frames are jobs): its state, waiting for it, and its video."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Optional

from .errors import JobCanceled, JobFailed, WaitTimeout

if TYPE_CHECKING:
    from .client import Client

FINISHED = ("done", "failed", "canceled")
#: Seconds between two looks at an animation (it has no event of its own).
POLL_INTERVAL = 0.5


class Animation:
    """An animation as the server last described it; :meth:`refresh` and :meth:`wait` update
    it. ``JobFailed`` and ``JobCanceled`` carry it as their ``job``."""

    def __init__(self, client: "Client", data: Dict[str, Any]) -> None:
        self.client = client
        self.data = data

    def __repr__(self) -> str:
        return f"<Animation {self.id} {self.status} {self.frames_done}/{self.frames} frames>"

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def status(self) -> str:
        """``rendering``, ``encoding``, ``done``, ``failed`` or ``canceled``."""
        return str(self.data["status"])

    @property
    def frames(self) -> int:
        return int(self.data["frames"])

    @property
    def frames_done(self) -> int:
        return int(self.data["frames_done"])

    @property
    def progress(self) -> float:
        """The frames' share done, 0.0 to 1.0 (1.0 while encoding)."""
        return float(self.data.get("progress", 0.0))

    @property
    def format(self) -> str:
        """``mp4`` or ``webm``."""
        return str(self.data["format"])

    @property
    def deduplicated(self) -> bool:
        """True when the submission matched an existing animation (this is that one)."""
        return bool(self.data.get("deduplicated", False))

    @property
    def error(self) -> Optional[Dict[str, Any]]:
        return self.data.get("error")

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def refresh(self) -> "Animation":
        """Reads the animation's current state from the server."""
        self.data = self.client.request("GET", f"/api/animations/{self.id}").json()
        return self

    def cancel(self) -> "Animation":
        """Cancels it and its frames still to render (``ApiError`` 409 once it has finished)."""
        self.data = self.client.request("POST", f"/api/animations/{self.id}/cancel").json()
        return self

    def wait(self, progress: bool = False, timeout: Optional[float] = None) -> "Animation":
        """Polls until the video is done and returns the animation; raises :class:`JobFailed` or
        :class:`JobCanceled` if it ends otherwise, :class:`WaitTimeout` after ``timeout``
        seconds. ``progress=True`` shows a tqdm bar of frames."""
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.frames, desc=f"video {self.id[:8]}", unit="frame")
        try:
            while not self.refresh().finished:
                if bar is not None:
                    bar.n = self.frames_done
                    bar.set_postfix_str(self.status, refresh=False)
                    bar.refresh()
                if deadline is not None and time.monotonic() > deadline:
                    raise WaitTimeout(
                        f"animation {self.id} still {self.status} "
                        f"({self.frames_done}/{self.frames} frames) at the deadline"
                    )
                time.sleep(POLL_INTERVAL)
        finally:
            if bar is not None:
                bar.close()
        if self.status == "canceled":
            raise JobCanceled(self)  # type: ignore[arg-type]
        if self.status == "failed":
            raise JobFailed(self)  # type: ignore[arg-type]
        return self

    def video_bytes(self) -> bytes:
        """The finished video's bytes (MP4 or WebM)."""
        return self.client.request("GET", f"/api/animations/{self.id}/video").content

    def save(self, path: str) -> None:
        """Writes the finished video to ``path``, streamed."""
        with self.client.http.stream("GET", f"/api/animations/{self.id}/video") as response:
            if response.status_code >= 400:
                response.read()
                from .errors import ApiError

                raise ApiError.from_response(response)
            with open(path, "wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
