"""Fixtures: a client of the server named by JULIA_RENDER_URL (tests/tests/api/contract.rs starts
one and sets it), and the julia-server binary of JULIA_SERVER_BIN for CLI comparisons."""

import itertools
import os

import pytest

from julia_render import Client

_seeds = itertools.count(1)


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: these tests run against a server (see tests/tests/api/contract.rs)")
    return value


@pytest.fixture
def base_url() -> str:
    return _env("JULIA_RENDER_URL")


@pytest.fixture
def server_binary() -> str:
    return _env("JULIA_SERVER_BIN")


@pytest.fixture
def client(base_url):
    with Client(base_url) as client:
        yield client


@pytest.fixture
def seed() -> int:
    """A number unique within the run, to make each test's parameters (and so its job) new."""
    return next(_seeds)


def small(seed: int, **extra):
    """Cheap parameters, distinct per seed."""
    params = dict(width=48, height=32, c=complex(-0.8, 0.156 + seed * 1e-6), max_iter=200)
    params.update(extra)
    return params


def slow(seed: int):
    """Parameters that keep the CPU busy for a long time (most of the view is inside the set)."""
    return dict(width=256, height=256, c=complex(-0.12, 0.75 + seed * 1e-7), view_width=0.3,
                max_iter=100_000, format="npy")
