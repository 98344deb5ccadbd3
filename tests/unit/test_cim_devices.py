"""Device non-idealities: frozen device-to-device maps, per-read noise, faults, drift, per-state tables."""

from pathlib import Path

import pytest
import torch
from torch import nn

from neurocim.config.accuracy import AccuracyConfig, DeviceConfig
from neurocim.config.chip import ChipConfig
from neurocim.nn import CIMLinear, LayerMode, calibrate_, convert_, resample_devices_
from neurocim.nn.devices import draw_device_map, load_conductance_table
from neurocim.nn.settings import lattice_for

CHIP = ChipConfig(cell={"type": "rram", "bits_per_cell": 2, "on_off_ratio": 10}, array={"rows": 16}, adc={"bits": 8})


def model(devices: dict, seed: int = 0, scheme: str = "ptq") -> nn.Module:
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(24, 6))
    acc = AccuracyConfig(devices=devices, seed=seed, quantization={"scheme": scheme})
    convert_(m, CHIP, acc)
    calibrate_(m, [torch.rand(8, 24)])
    return m


X = torch.rand(5, 24)


def run(m: nn.Module) -> torch.Tensor:
    with torch.no_grad():
        return m(X)


def test_d2d_is_frozen_per_device_and_seeded():
    ideal, noisy = run(model({})), model({"d2d_sigma": 0.1})
    first = run(noisy)
    assert torch.equal(first, run(noisy)) and not torch.equal(first, ideal)
    assert torch.equal(first, run(model({"d2d_sigma": 0.1})))  # same seed, same devices
    assert not torch.equal(first, run(model({"d2d_sigma": 0.1}, seed=1)))
    resample_devices_(noisy, 1)
    assert not torch.equal(first, run(noisy))
    resample_devices_(noisy, 0)
    assert torch.equal(first, run(noisy))


def test_c2c_noise_is_redrawn_every_read():
    noisy = model({"c2c_sigma": 0.05})
    a, b = run(noisy), run(noisy)
    assert not torch.equal(a, b) and torch.isfinite(a).all()
    again = model({"c2c_sigma": 0.05})
    assert torch.equal(run(again), a)  # reproducible sequence per seed


@pytest.mark.parametrize("rate, weight", [("stuck_at_0_rate", -1.0), ("stuck_at_1_rate", 1.0)])
def test_all_cells_stuck(rate, weight):
    stuck = model({"faults": {rate: 1.0}}, scheme="wage")
    reference = model({}, scheme="wage")
    with torch.no_grad():
        reference[0].weight.fill_(weight)  # every cell at its lowest / highest state
    assert torch.equal(run(stuck), run(reference))


def test_fault_rates():
    digits = torch.full((4, 100, 100), 1.0)
    dmap = draw_device_map(
        digits, lattice_for(10, 2), DeviceConfig(faults={"stuck_at_0_rate": 0.1, "stuck_at_1_rate": 0.2}), 0
    )
    assert dmap.exact  # faults keep cells on the nominal levels
    assert float((dmap.digits == 0).float().mean()) == pytest.approx(0.1, abs=0.01)
    assert float((dmap.digits == 3).float().mean()) == pytest.approx(0.2, abs=0.01)


def test_drift():
    lat = lattice_for(10, 2)
    digits = torch.randint(0, 4, (2, 50, 50)).float()
    random = draw_device_map(digits, lat, DeviceConfig(drift={"time_s": 1e4, "coefficient": 0.05}), 0)
    assert random.conductance.min() >= lat.offset and random.conductance.max() <= 2 * lat.p * 3
    cfg = DeviceConfig(drift={"time_s": 1e12, "coefficient": 0.5, "direction": "toward_target", "target": 0.5})
    target = draw_device_map(digits, lat, cfg, 0)
    middle = lat.offset + 0.5 * (2 * lat.p * 3 - lat.offset)
    assert torch.allclose(target.conductance, torch.full_like(target.conductance, middle))
    fresh = draw_device_map(digits, lat, DeviceConfig(drift={"time_s": 0.5, "coefficient": 0.5}), 0)
    assert fresh.delta is None or fresh.delta.abs().max() == 0  # before t0 nothing drifts


def test_conductance_table(tmp_path: Path):
    nominal = tmp_path / "nominal.csv"
    nominal.write_text("state,conductance_s\n" + "".join(f"{s},{(0.9 * s + 0.3) * 1e-5}\n" for s in range(4)))
    table = load_conductance_table(nominal, 2)
    assert table.mean.tolist() == pytest.approx([0.1, 0.4, 0.7, 1.0]) and table.rel_sigma is None
    ideal, tabled = run(model({})), run(model({"conductance_table_csv": str(nominal)}))
    assert torch.allclose(ideal, tabled, atol=1e-5)  # the nominal levels, through the float path
    spread = tmp_path / "spread.csv"
    spread.write_text("state,conductance_s,sigma_s\n0,1e-6,1e-7\n1,4e-6,2e-7\n2,7e-6,3e-7\n3,1e-5,4e-7\n")
    assert not torch.equal(ideal, run(model({"conductance_table_csv": str(spread)})))


def test_bad_conductance_tables(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("state,conductance_s\n0,1e-6\n1,2e-6\n")
    with pytest.raises(ValueError, match=r"must be exactly 0..3"):
        load_conductance_table(bad, 2)
    bad.write_text("level,g\n0,1\n")
    with pytest.raises(ValueError, match="missing column"):
        load_conductance_table(bad, 1)
    bad.write_text("state,conductance_s\n0,0\n1,1e-6\n")
    with pytest.raises(ValueError, match="> 0"):
        load_conductance_table(bad, 1)


def test_compat_variation_and_retention_run():
    layer = CIMLinear(24, 6, chip=CHIP, accuracy=AccuracyConfig(
        compat="neurosim_v14", devices={"c2c_sigma": 0.1, "drift": {"time_s": 100, "coefficient": 0.02}}))  # fmt: skip
    x = torch.rand(5, 24) * 0.99
    a, b = layer.pre_activation(x), layer.pre_activation(x)
    assert torch.isfinite(a).all() and not torch.equal(a, b)
    layer.mode = LayerMode.QUANTIZED
    assert torch.isfinite(layer(x)).all()
