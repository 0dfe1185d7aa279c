"""Rasa in a sealed box: the product runs on current libraries in its own environment, and
nothing in it imports Rasa; Rasa runs from its own, on loopback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.test_launcher import _children

PRODUCT_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
RASA_VENV = PROJECT_ROOT / ".venv-rasa"


def version_in(python: str, package: str) -> tuple[int, ...]:
    found = subprocess.run(
        [python, "-c", f"import importlib.metadata as m; print(m.version('{package}'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return tuple(int(part) for part in found.split(".")[:3])


def test_the_product_environment_has_no_rasa():
    assert Path(sys.executable).parent == PRODUCT_PYTHON.parent
    assert importlib.util.find_spec("rasa") is None
    assert importlib.util.find_spec("tensorflow") is None
    import bot.actions  # noqa: F401  the action server's package, imported without Rasa
    import bot.cli  # noqa: F401
    import bot.web.app  # noqa: F401

    assert "rasa" not in sys.modules


def test_each_service_runs_in_its_own_environment(stack):
    children = _children(stack.process.pid)
    rasa = [cmd for cmd in children.values() if " run --model " in cmd]
    web = [cmd for cmd in children.values() if "bot.web.app" in cmd]
    actions = [cmd for cmd in children.values() if "bot.actions.server" in cmd]
    assert len(rasa) == len(web) == len(actions) == 1, children
    assert str(RASA_VENV) in rasa[0]
    for command in (web[0], actions[0]):
        python = command.split()[0]
        assert Path(python).parent == PRODUCT_PYTHON.parent
        assert version_in(python, "aiohttp") >= (3, 13, 4)
        found = subprocess.run([python, "-c", "import rasa"], capture_output=True)
        assert found.returncode != 0  # the action server's environment has no Rasa at all
    assert version_in(str(RASA_VENV / "bin" / "python"), "rasa") == (3, 6, 21)


def test_rasas_database_address_must_not_name_a_driver(tmp_path):
    import pytest

    from bot.launcher.preflight import NotReachable, preflight
    from bot.settings import load_settings
    from tests.conftest import environment_for

    named = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    settings = load_settings(environment_for(tmp_path, TRACKER_STORE_URL=named))
    with pytest.raises(NotReachable, match="must not name a driver"):
        preflight(settings)
