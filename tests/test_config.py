"""Config errors name the file, the table, the key, what is wrong and how to fix it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from circle.config import config_from_dict
from circle.errors import ConfigError
from cli.context import read_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"


def example() -> dict:
    return tomllib.loads(EXAMPLE.read_text())


def test_example_config_is_valid() -> None:
    cfg = config_from_dict(example(), "config.example.toml")
    assert cfg.slug == "practitioners"
    assert cfg.schedule.question_days == 14
    assert len(cfg.agreements) == 3


def test_missing_key_is_named() -> None:
    doc = example()
    del doc["circle"]["address"]
    with pytest.raises(ConfigError) as err:
        config_from_dict(doc, "my.toml")
    assert err.value.problems == [
        "my.toml: [circle] missing key 'address' — add it (see config.example.toml)"]


def test_wrong_type_and_unknown_key_reported_together() -> None:
    doc = example()
    doc["smtp"]["port"] = "587"
    doc["imap"]["hots"] = "x"
    doc["schedule"]["question_days"] = True
    with pytest.raises(ConfigError) as err:
        config_from_dict(doc, "c.toml")
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 3
    assert "c.toml: [smtp] port must be a whole number, got '587'" in text
    assert "c.toml: [imap] unknown key 'hots'" in text
    assert "c.toml: [schedule] question_days must be a whole number, got True" in text


def test_bad_rule_is_reported() -> None:
    doc = example()
    doc["schedule"]["gathering"] = "whenever the moon is full"
    with pytest.raises(ConfigError) as err:
        config_from_dict(doc, "c.toml")
    assert err.value.problems[0].startswith("c.toml: [schedule] gathering: ")
    assert "whenever the moon is full" in err.value.problems[0]


def test_plain_security_only_to_localhost_and_bad_timezone() -> None:
    doc = example()
    doc["imap"]["security"] = "plain"
    doc["circle"]["timezone"] = "Mars/Olympus"
    with pytest.raises(ConfigError) as err:
        config_from_dict(doc, "c.toml")
    text = "\n".join(err.value.problems)
    assert "c.toml: [imap] refusing plain text to imap.example.org:993" in text
    assert "timezone 'Mars/Olympus' is not a known IANA zone" in text


def test_unreadable_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[circle]\nname = "x\n')
    with pytest.raises(ConfigError) as err:
        read_config(path)
    assert str(path) in str(err.value) and "not valid TOML" in str(err.value)
    assert "line 2" in str(err.value)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="circle init"):
        read_config(tmp_path / "nope.toml")
