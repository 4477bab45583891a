"""Fixtures shared by specgen's own tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES


@pytest.fixture
def penguins(tmp_path) -> Path:
    """A private copy of the penguins example (spec, data, generated suite)."""
    dest = tmp_path / "penguins"
    shutil.copytree(EXAMPLES / "penguins", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest
