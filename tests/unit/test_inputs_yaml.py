"""Hostile and sloppy settings files: each refused with a message naming the file and the field, or read right."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from neurocim.config.io import ConfigError, load_chip_config
from neurocim.config.run import load_config
from neurocim.errors import InputError, shown

# 9 leaves, then 6 levels of 9 aliases each: 9^7 (4.8 million) values once expanded, from a few hundred bytes.
ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True)
)


def _write(tmp_path, text: str | bytes, name: str = "c.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_the_alias_bomb_is_refused_in_well_under_a_second(tmp_path):
    assert len(ALIAS_BOMB) < 400
    path = _write(tmp_path, ALIAS_BOMB)
    for loader in (load_chip_config, load_config):
        start = time.perf_counter()
        with pytest.raises(ConfigError, match=r"c\.yaml: its aliases expand to more than 100000 values") as err:
            loader(path)
        assert time.perf_counter() - start < 1.0 and len(str(err.value)) < 300


def test_a_small_expansion_echoes_a_bounded_message(tmp_path):
    text = ALIAS_BOMB.splitlines(keepends=True)
    path = _write(tmp_path, "".join(text[:5]))  # 9^5 = 59049 values: under the bound, refused as unknown keys
    with pytest.raises(ConfigError, match="Extra inputs are not permitted") as err:
        load_chip_config(path)
    assert len(str(err.value)) < 2000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("array: {rows: 64}\narray: {rows: 32}\n", r"line 2: duplicate key 'array' \(first on line 1\)"),
        ("array:\n  rows: 64\n  rows: 32\n", r"line 3: duplicate key 'rows' \(first on line 2\)"),
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("x: &a [*a]\n", "an alias refers to its own value"),
        ("array: {rows: [1, 2\n", "cannot parse, not valid YAML"),
        ("cell: !!python/object/apply:os.system [ls]\n", "cannot parse, not valid YAML"),
        ("array: {rows: true}\n", r"array\.rows: expected a number, got true \(a boolean\)"),
        ("array: {cols: no}\n", r"array\.cols: expected a number, got false \(a boolean\)"),
        ("cell: {r_on_ohm: .inf}\n", r"cell\.r_on_ohm: must be a finite number, got inf"),
        ("cell: {read_pulse_width_s: 1e400}\n", r"cell\.read_pulse_width_s: must be a finite number, got inf"),
        ("clock: {max_frequency_hz: -.inf}\n", "clock.max_frequency_hz"),
        ("precision: {weight_max: .nan}\n", r"precision\.weight_max: must be a finite number, got nan"),
        ("- 1\n- 2\n", "expected a mapping of settings"),
    ],
)
def test_bad_chip_files_are_refused_naming_file_and_field(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as err:
        load_chip_config(_write(tmp_path, text))
    assert str(err.value).startswith(str(tmp_path / "c.yaml"))


def test_files_that_cannot_be_read_are_named(tmp_path):
    with pytest.raises(ConfigError, match=r"c\.yaml: not UTF-8 text \(byte 0xff at offset 14\)"):
        load_config(_write(tmp_path, b"chip: {array: \xff\xfe}\n"))
    with pytest.raises(ConfigError, match="is a directory, expected a configuration file"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"chip": {"array": {"rows": True}}}, r"chip\.array\.rows: expected a number, got true"),
        ({"data": {"batch_size": False}}, r"data\.batch_size: expected a number, got false"),
        ({"accuracy": {"devices": {"d2d_sigma": float("inf")}}}, r"accuracy\.devices\.d2d_sigma: must be a finite"),
        ({"chip": {"cell": {"on_off_ratio": "1e400"}}}, r"chip\.cell\.on_off_ratio: must be a finite number"),
    ],
)
def test_run_configs_get_strict_numbers_too(data, message):
    with pytest.raises(ConfigError, match=message):
        load_config(data)


def test_sloppy_but_meaningful_files_still_load(tmp_path):
    chip = load_chip_config(_write(tmp_path, "cell: {type: rram, read_pulse_width_s: 1e-8}\narray: {rows: 64.0}\n"))
    assert chip.cell.read_pulse_width_s == 1e-8 and chip.array.rows == 64  # YAML 1.1 reads 1e-8 as text
    run = load_config(_write(tmp_path, "chip: &c {cell: {type: rram}}\n", "r.yaml"))
    assert run.chip.cell.type.value == "rram"
    merged = load_chip_config(_write(tmp_path, "cell: {type: rram}\narray: {<<: {rows: 64, cols: 64}, rows: 32}\n"))
    assert (merged.array.rows, merged.array.cols) == (32, 64)  # a merge key then an override is not a duplicate


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"array": {"rows": 64}, "array": {"rows": 32}}', "duplicate key 'array'"),
        ('{"cell": {"r_on_ohm": NaN}}', "NaN is not allowed"),
        ('{"cell": {"r_on_ohm": 1e400}}', r"cell\.r_on_ohm: must be a finite number"),
        ('{"array": {"rows": true}}', r"array\.rows: expected a number"),
        ("", "the file is empty"),
        ('{"array": ', "cannot parse, not valid JSON"),
    ],
)
def test_json_chip_files_are_as_strict(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_chip_config(_write(tmp_path, text, "c.json"))


def test_echoed_input_is_capped():
    huge = [list(range(1000))] * 1000
    assert len(shown(huge)) <= 200 and len(shown("x" * 10**6)) <= 200
    assert shown({"a": 1}) == "{'a': 1}"
    assert issubclass(ConfigError, InputError) and issubclass(ConfigError, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"state,conductance_s\n0,nan\n1,1e-6\n", "conductance_s must be a finite number > 0"),
        (b"state,conductance_s,sigma_s\n0,1e-6,inf\n1,2e-6,0\n", "sigma_s must be finite"),
        (b"state,conductance_s\n0,1e-6\n1,\xff\n", "not UTF-8 text"),
    ],
)
def test_bad_conductance_tables_are_input_errors(tmp_path, text, message):
    from neurocim.nn.devices import load_conductance_table

    path = _write(tmp_path, text, "levels.csv")
    with pytest.raises(InputError, match=message):
        load_conductance_table(path, 1)


def test_model_options_refuse_booleans_for_counts():
    from neurocim.accuracy import build_network

    checkpoint = Path(__file__)  # any existing file: the options are refused before it is read
    cfg = load_config({"model": {"name": "digits_cnn", "checkpoint": str(checkpoint), "options": {"width": True}}})
    with pytest.raises(ConfigError, match=r"model\.options=\{'width': True\}.*width must be a positive integer"):
        build_network(cfg.model)
