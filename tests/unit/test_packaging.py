# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What certification asks of the collection's metadata, checked on the files themselves."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_action_group_covers_every_module():
    modules = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert modules and sorted(runtime["action_groups"]["api"]) == modules


def test_python_requirements_have_no_pins_upper_bounds_or_ansible():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line]
    assert requirements == ["requests"]
    for requirement in requirements:
        assert not re.search(r"[<>=!~]", requirement), requirement
        assert not requirement.lower().startswith("ansible"), requirement


def test_execution_environment_declares_python_and_system_requirements():
    definition = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert definition["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    assert (ROOT / "bindep.txt").is_file()


def test_galaxy_metadata_fits_the_importer():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert galaxy["authors"] and all(len(author) <= 64 for author in galaxy["authors"])
    assert "tools" in galaxy["tags"] and len(galaxy["tags"]) <= 20
    assert all(re.match(r"^[a-z][a-z0-9_]{0,63}$", tag) for tag in galaxy["tags"])
    assert galaxy["license"] == ["GPL-3.0-or-later"] and (ROOT / "LICENSE").is_file()


def test_no_sanity_ignore_files():
    # Certification reviews every ignore entry; galaxy-importer warns on any ignore file.
    assert sorted((ROOT / "tests" / "sanity").glob("ignore-*.txt")) == []
