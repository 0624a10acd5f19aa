"""Each config key is declared once (bot/config.py) and documented in config.example.toml."""

import re
from pathlib import Path

import pytest

from bot import config as config_mod

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def _documented() -> dict[str, set[str]]:
    """section -> keys the example sets or shows commented out (`# key = …`)."""
    found: dict[str, set[str]] = {}
    section = None
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        head = re.fullmatch(r"\[([a-z_]+)(?:\.\"[^\"]+\")?\]", line.strip())
        if head:
            section = head.group(1)
            continue
        key = re.match(r"#?\s?([a-z_]+) = ", line)
        if section and key:
            found.setdefault(section, set()).add(key.group(1))
    return found


def test_every_key_is_documented_in_the_example():
    documented = _documented()
    missing = [
        k
        for k in config_mod.settings()
        if k.split(".")[1] not in documented.get(k.split(".")[0], set())
    ]
    assert missing == []


def test_the_example_names_no_key_the_code_does_not_know():
    known = set(config_mod.settings())
    shown = {f"{s}.{k}" for s, keys in _documented().items() if s != "premium" for k in keys}
    assert shown - known == set()


def test_the_example_loads_and_its_values_are_the_defaults(tmp_path):
    cfg = config_mod.load(EXAMPLE)
    defaults = config_mod.Config()
    for key, spec in config_mod.settings().items():
        if key in ("storage.database", "output.dir", "faq.dir", "telegram.token"):
            continue  # paths are resolved against the example's folder; the token may be in env
        assert getattr(cfg, spec.name) == getattr(defaults, spec.name), key


@pytest.mark.parametrize(
    "body, message",
    [
        ("[telegram]\nsends_per_second = 0\n", "telegram.sends_per_second must be between"),
        ("[limits]\nmax_message_chars = true\n", "limits.max_message_chars has the wrong type"),
        ("[faq]\nthreshold = 101\n", "faq.threshold must be between 0 and 100"),
        (
            "[privacy]\nlookup_retention_days = -1\n",
            "privacy.lookup_retention_days must be between",
        ),
        ("[nope]\n", "unknown section [nope]"),
        ("[health]\nnope = 1\n", "unknown key health.nope"),
    ],
)
def test_a_bad_value_names_its_key(tmp_path, body, message):
    path = tmp_path / "c.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match=re.escape(message)):
        config_mod.load(path)
