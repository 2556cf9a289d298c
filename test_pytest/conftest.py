from pathlib import Path
import sys

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import system  # NOQA: E402


@pytest.fixture
def create_system(tmp_path):
    """Factory of whole test systems, stopped at the end of the test"""
    systems = []

    def create(**kwargs):
        instance = system.System(tmp_path / f'system{len(systems)}', **kwargs)
        systems.append(instance)
        return instance

    yield create

    for instance in systems:
        instance.stop()
