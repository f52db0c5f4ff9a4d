"""The set-up files agree with each other, and the notebooks run on the pinned stack."""
import re
from importlib.metadata import version

import pytest
import yaml
from packaging.requirements import Requirement

from support import REPO


def pins(lines):
    """{name: 'name==version ; marker'} for every requirement line, normalised."""
    found = {}
    for line in lines:
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            req = Requirement(line)
            assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", f"not an exact pin: {line}"
            found[req.name.lower()] = str(req)
    return found


def requirements_txt():
    return pins((REPO / "requirements.txt").read_text().splitlines())


def test_environment_yml_has_python_311_and_the_same_pins():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pins(pip_section) == requirements_txt()


def test_every_direct_dependency_is_pinned_in_requirements_txt():
    direct = pins((REPO / "requirements.in").read_text().splitlines())
    locked = requirements_txt()
    for name, requirement in direct.items():
        assert locked[name] == requirement


@pytest.mark.parametrize("name", ["flask", "flask-sqlalchemy", "sqlalchemy", "alembic", "nbval", "pytest"])
def test_installed_versions_match_the_pins(name):
    """Stored outputs were recorded on the pins; a drifted install would make nbval fail obscurely."""
    pinned = re.search(r"==([^ ;]+)", requirements_txt()[name]).group(1)
    assert version(name) == pinned
