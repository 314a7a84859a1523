"""The Python client against a real julia-server: render, wait (SSE and polling), results as
numpy arrays and PIL images, deduplication, replaces, cancel, delete and error answers, and
animations (a video from keyframes)."""

import subprocess

import httpx
import numpy as np
import pytest
from conftest import slow, small

from julia_render import ApiError, Client, JobCanceled


def test_a_rendered_array_equals_the_npy_the_cli_writes(client, server_binary, tmp_path, seed):
    params = small(seed, format="npy")
    counts = client.render(**params)
    out = tmp_path / "cli.npy"
    c = params["c"]
    subprocess.run(
        [server_binary, "render", "--backend", "cpu", "--width", str(params["width"]),
         "--height", str(params["height"]), "--c-re", repr(c.real), "--c-im", repr(c.imag),
         "--max-iter", str(params["max_iter"]), "--output", str(out)],
        check=True, capture_output=True,
    )
    expected = np.load(out)
    assert counts.dtype == np.uint32
    assert counts.shape == (params["height"], params["width"])
    np.testing.assert_array_equal(counts, expected)
    assert counts.min() < counts.max(), "a real image, not a constant"


def test_a_png_job_gives_a_pil_image_of_its_size(client, seed):
    image = client.render(**small(seed, palette="magma"))
    assert image.size == (48, 32)
    assert image.mode == "RGBA"


def test_equal_parameters_are_deduplicated(client, seed):
    first = client.submit(**small(seed)).wait()
    again = client.submit(**small(seed))
    assert again.deduplicated and not first.deduplicated
    assert again.id == first.id


def test_wait_follows_the_event_stream_with_a_progress_bar(base_url, seed, capsys):
    requests = []

    def record(request: httpx.Request) -> None:
        requests.append(request.url.path)

    with Client(base_url) as client:
        client.http.event_hooks["request"].append(record)
        job = client.submit(**small(seed, width=400, height=300, max_iter=2000)).wait(progress=True)
    assert job.status == "done" and job.progress == 1.0
    assert "/api/events" in requests
    job_reads = [p for p in requests if p == f"/api/jobs/{job.id}"]
    assert len(job_reads) <= 3, f"events, not polling: {requests}"
    assert "100/100%" in capsys.readouterr().err


class _NoEvents(httpx.HTTPTransport):
    """A transport to the real server on which the event stream is unavailable."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/events":
            return httpx.Response(404, json={"error": {"code": "not_found", "message": "no"}})
        return super().handle_request(request)


def test_wait_polls_when_the_event_stream_is_unavailable(base_url, seed):
    with Client(base_url, transport=_NoEvents()) as client:
        job = client.submit(**small(seed, format="npy")).wait(timeout=120)
        assert job.status == "done"
        assert job.array().shape == (32, 48)


def test_jobs_lists_the_newest_first_within_the_limit(client, seed):
    ids = [client.submit(**small(seed * 100 + i)).id for i in range(3)]
    listed = [job.id for job in client.jobs(limit=2)]
    assert listed == [ids[2], ids[1]]
    with pytest.raises(ApiError) as refused:
        client.jobs(limit=0)
    assert (refused.value.status, refused.value.code, refused.value.field) == (400, "bad_query", "limit")


def test_cancel_replaces_and_delete(client, seed):
    running = client.submit(**slow(seed))
    replacement = client.submit(replaces=running, **slow(seed + 1000))
    assert running.refresh().status == "canceled"
    with pytest.raises(JobCanceled) as ended:
        running.wait(timeout=60)
    assert ended.value.code == "canceled"

    assert replacement.cancel().status == "canceled"
    with pytest.raises(ApiError) as again:
        replacement.cancel()
    assert (again.value.status, again.value.code) == (409, "wrong_state")

    replacement.delete()
    with pytest.raises(ApiError) as gone:
        client.job(replacement.id)
    assert (gone.value.status, gone.value.code) == (404, "not_found")


def test_invalid_parameters_raise_with_the_code_and_field(client):
    with pytest.raises(ApiError) as bad:
        client.submit(width=0)
    assert (bad.value.status, bad.value.code, bad.value.field) == (422, "invalid_params", "width")
    with pytest.raises(ApiError) as unknown:
        client.submit(colour="red")
    assert unknown.value.field == "colour"
    with pytest.raises(ValueError):
        client.submit(**small(1)).wait().array()


def _zoom(seed, frames_per_second=6):
    center = complex(1.5275031186435346, -0.07591217835228786 + seed * 1e-9)
    return {
        "width": 64,
        "height": 36,
        "fps": frames_per_second,
        "keyframes": [
            {"t": 0, "view": {"center": center, "view_width": 3, "max_iter": 100}},
            {"t": 1, "view": {"center": center, "view_width": 0.01, "max_iter": 100}},
        ],
    }


def test_an_animation_renders_its_frames_and_saves_its_video(client, seed, tmp_path):
    animation = client.animate(_zoom(seed))
    assert animation.frames == 6
    assert client.animate(_zoom(seed)).deduplicated
    done = animation.wait(timeout=120)
    assert (done.status, done.frames_done, done.progress) == ("done", 6, 1.0)
    path = tmp_path / "zoom.mp4"
    done.save(str(path))
    video = path.read_bytes()
    assert video[4:8] == b"ftyp"
    assert len(video) == done.data["video_bytes"] == len(done.video_bytes())
    with pytest.raises(ApiError) as refused:
        done.cancel()
    assert refused.value.status == 409


def test_an_invalid_animation_raises_with_the_field(client, seed):
    spec = _zoom(seed)
    spec["keyframes"][1]["t"] = 0
    with pytest.raises(ApiError) as refused:
        client.animate(spec)
    assert (refused.value.status, refused.value.field) == (422, "keyframes[1].t")
