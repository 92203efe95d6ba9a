"""The command line is derived from ``Settings``: one flag per field, with the field's help.

No test here names a field. A field added to ``Settings`` (with its help) gets its flag,
and these tests check that flag without being edited: they derive a valid value for each
field from its type alone.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any

import pytest

from mixpeek_toolkit.mockserver import Settings, cli
from mixpeek_toolkit.mockserver.settings import StoreUrl
from mixpeek_toolkit.mockserver.world import default_world_path

SETTINGS = dataclasses.fields(Settings)
TYPES = typing.get_type_hints(Settings)

# A valid value that is no field's default, for each type, as typed on the command line:
# 7 and 0.25 are within the range of every int and float setting, the packaged world is
# an existing file, "localhost.localdomain" is both a host name and a long enough control
# token, and "sk_sample" is both a valid API key and a valid namespace.
SAMPLE_BY_TYPE: dict[Any, str] = {
    int: "7",
    float: "0.25",
    str: "localhost.localdomain",
    StoreUrl: "redis://127.0.0.1:6379/0",
    Path: str(default_world_path()),
    frozenset[str]: "sk_sample",
}


def value_type(setting: dataclasses.Field[Any]) -> Any:
    """The field's type, ``X`` for ``X | None``."""
    annotation = TYPES[setting.name]
    options = typing.get_args(annotation)
    return options[0] if type(None) in options else annotation


def is_switch(setting: dataclasses.Field[Any]) -> bool:
    return value_type(setting) is bool


def is_repeatable(setting: dataclasses.Field[Any]) -> bool:
    return typing.get_origin(value_type(setting)) is frozenset


def sample(setting: dataclasses.Field[Any]) -> tuple[list[str], Any]:
    """The command-line words setting this field to a valid non-default value, and that value."""
    flag, kind = cli.flag_of(setting), value_type(setting)
    if kind is bool:
        return ([flag] if not setting.default else ["--no-" + flag[2:]]), not setting.default
    if typing.get_origin(kind) is typing.Literal:
        choice = next(choice for choice in typing.get_args(kind) if choice != setting.default)
        return [flag, choice], choice
    text = SAMPLE_BY_TYPE[kind]
    return [flag, text], frozenset({text}) if is_repeatable(setting) else kind(text)


def parse(*words: str) -> Settings:
    return cli.settings_from_args(cli.build_parser().parse_args(list(words)))


def by_name(settings: list[dataclasses.Field[Any]]) -> Any:
    return pytest.mark.parametrize("setting", settings, ids=[item.name for item in settings])


def test_without_flags_the_settings_are_the_defaults():
    assert parse() == Settings()


def test_every_field_is_a_flag_and_only_log_level_is_not_a_field():
    parsed = vars(cli.build_parser().parse_args([]))
    assert set(parsed) == {setting.name for setting in SETTINGS} | {"log_level"}
    flags = [cli.flag_of(setting) for setting in SETTINGS]
    assert len(set(flags)) == len(flags), "two fields share a flag"


@by_name(SETTINGS)
def test_each_field_has_a_flag_and_a_help_sentence(setting):
    assert cli.flag_of(setting).startswith("--")
    assert setting.metadata["help"].strip(), f"Settings.{setting.name} needs a help sentence"


@by_name(SETTINGS)
def test_each_flag_sets_its_field_and_only_it(setting):
    words, value = sample(setting)
    assert value != setting.default
    settings = parse(*words)
    assert getattr(settings, setting.name) == value
    assert settings == dataclasses.replace(Settings(), **{setting.name: value})


@by_name([setting for setting in SETTINGS if is_repeatable(setting)])
def test_a_repeatable_flag_accumulates_its_values(setting):
    flag = cli.flag_of(setting)
    settings = parse(flag, "sk_a", flag, "sk_b", flag, "sk_a")
    assert getattr(settings, setting.name) == frozenset({"sk_a", "sk_b"})


@by_name([setting for setting in SETTINGS if is_switch(setting)])
def test_a_switch_has_a_no_form_and_the_last_one_wins(setting):
    on, off = cli.flag_of(setting), "--no-" + cli.flag_of(setting)[2:]
    assert getattr(parse(on), setting.name) is True
    assert getattr(parse(off), setting.name) is False
    assert getattr(parse(on, off), setting.name) is False


def test_help_lists_every_flag_with_its_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per help sentence: nothing wrapped
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    for setting in SETTINGS:
        assert cli.flag_of(setting) in shown
        assert setting.metadata["help"] in shown
    assert "--log-level" in shown


def test_a_value_the_flag_cannot_read_exits_2_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--port", "eighty"])
    assert exited.value.code == 2
    assert "--port" in capsys.readouterr().err
