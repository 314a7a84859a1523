"""Python client of the julia-render job API.

>>> from julia_render import Client
>>> with Client("http://127.0.0.1:8080") as client:
...     counts = client.render(width=320, height=240, c=complex(-0.8, 0.156), format="npy")
"""

from .animation import Animation
from .client import Client
from .errors import ApiError, JobCanceled, JobFailed, JuliaRenderError, WaitTimeout
from .job import Job

__all__ = [
    "Animation",
    "ApiError",
    "Client",
    "Job",
    "JobCanceled",
    "JobFailed",
    "JuliaRenderError",
    "WaitTimeout",
]
__version__ = "0.1.0"
