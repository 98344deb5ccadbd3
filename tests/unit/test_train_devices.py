"""Device update models: closed forms, curve shapes, variations, refusals, and no NaN at extreme valid settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from neurocim.config.io import ConfigError
from neurocim.config.train import DeviceUpdateConfig
from neurocim.devices.update import PulseResponse, draw_device_map, fit_exponential, read_pulse_table
from neurocim.devices.update.nl_table import a_norm_interpolated, a_norm_truncated, label_of, table_source
from neurocim.devices.update.pulse_table import exp_curve

MODELS = ("linear", "neurosim_v21", "soft_bounds", "power_step")


def _device(model: str = "linear", **kw) -> tuple[DeviceUpdateConfig, PulseResponse]:
    cfg = DeviceUpdateConfig(model=model, **kw)
    return cfg, PulseResponse(cfg)


def _map(cfg: DeviceUpdateConfig, n: int, seed: int = 0):
    return draw_device_map(torch.Size([n]), cfg, torch.Generator().manual_seed(seed), "cpu")


def _step(resp: PulseResponse, dmap, w: float | torch.Tensor, pulses: float, gen=None) -> torch.Tensor:
    w = torch.as_tensor(w, dtype=torch.float32).reshape(-1)
    return resp.apply(w, torch.full_like(w, float(pulses)), dmap, gen)


def test_table_anchors_and_source() -> None:
    labels = np.array([0.01, 1.0, 1.75, 9.0], dtype=np.float32)
    assert np.allclose(a_norm_truncated(labels), [126.269, 1.2517, 0.7021, 0.0228], rtol=2e-3)
    assert a_norm_truncated(np.array([-1.0], dtype=np.float32))[0] < 0
    assert float(a_norm_interpolated(torch.tensor([1.005]))) == pytest.approx(
        (a_norm_truncated(np.array([1.0]))[0] + a_norm_truncated(np.array([1.01]))[0]) / 2
    )
    assert label_of(0.7021) == pytest.approx(1.75, abs=0.01)
    assert "NeuroSim_V2.1" in table_source()


def test_linear_step_is_exact_and_clamped() -> None:
    cfg, resp = _device("linear", max_level=32)
    dmap = _map(cfg, 1)
    assert float(_step(resp, dmap, 0.0, 3)) == pytest.approx(3 * 2 / 32)
    assert float(_step(resp, dmap, 0.0, -5)) == pytest.approx(-5 * 2 / 32)
    assert float(_step(resp, dmap, 0.9, 10)) == 1.0
    assert float(_step(resp, dmap, -0.9, -10)) == -1.0


@pytest.mark.parametrize("model", MODELS)
def test_k_pulses_at_once_equal_k_single_pulses(model: str) -> None:
    cfg, resp = _device(model, nonlinearity_ltp=3.0, nonlinearity_ltd=-3.0, max_level=32, gamma=1.5)
    dmap = _map(cfg, 5)
    w0 = torch.tensor([-0.9, -0.3, 0.0, 0.4, 0.8])
    for pulses in (4, -4):
        once = resp.apply(w0, torch.full_like(w0, float(pulses)), dmap, None)
        w = w0.clone()
        for _ in range(abs(pulses)):
            w = resp.apply(w, torch.full_like(w0, math.copysign(1.0, pulses)), dmap, None)
        tol = 2e-3 if model == "soft_bounds" else 1e-5  # soft bounds: exact discrete form, k as a real power
        assert torch.allclose(once, w, atol=tol), (model, once, w)


@pytest.mark.parametrize("model", ["neurosim_v21", "soft_bounds", "power_step"])
def test_symmetric_nonlinearity_shrinks_steps_near_the_bounds(model: str) -> None:
    cfg, resp = _device(model, nonlinearity_ltp=3.0, nonlinearity_ltd=-3.0, max_level=32, gamma=1.0)
    dmap = _map(cfg, 3)
    w = torch.tensor([-0.8, 0.0, 0.8])
    up = resp.apply(w, torch.ones(3), dmap, None) - w
    down = w - resp.apply(w, -torch.ones(3), dmap, None)
    assert up[0] > up[1] > up[2] > 0  # potentiation weakens toward the top
    assert down[2] > down[1] > down[0] > 0  # depression weakens toward the bottom


def test_asymmetry_drifts_weights_toward_mid_range_under_alternating_signs() -> None:
    cfg, resp = _device("neurosim_v21", nonlinearity_ltp=3.0, nonlinearity_ltd=-3.0, max_level=32)
    dmap = _map(cfg, 2)
    w = torch.tensor([-0.9, 0.9])
    for i in range(200):
        w = resp.apply(w, torch.full((2,), 1.0 if i % 2 == 0 else -1.0), dmap, None)
    assert w.abs().max() < 0.3  # both ends drifted to the middle
    # V2.1's same-sign labels make one reversible curve: up then down returns to the start
    cfg2, resp2 = _device("neurosim_v21", nonlinearity_ltp=3.0, nonlinearity_ltd=3.0, max_level=32)
    dmap2 = _map(cfg2, 2)
    w2 = torch.tensor([-0.5, 0.5])
    back = resp2.apply(resp2.apply(w2, torch.ones(2), dmap2, None), -torch.ones(2), dmap2, None)
    assert torch.allclose(back, w2, atol=1e-5)


def test_power_step_gamma_zero_is_linear() -> None:
    lin_cfg, lin = _device("linear", max_level=16)
    pow_cfg, pw = _device("power_step", max_level=16, gamma=1e-9)
    w = torch.tensor([-0.5, 0.1, 0.7])
    for pulses in (2.0, -3.0):
        a = lin.apply(w, torch.full_like(w, pulses), _map(lin_cfg, 3), None)
        b = pw.apply(w, torch.full_like(w, pulses), _map(pow_cfg, 3), None)
        assert torch.allclose(a, b, atol=1e-6)


def test_d2d_frozen_per_device_and_c2c_redrawn_per_update() -> None:
    cfg, resp = _device("neurosim_v21", d2d_sigma=0.5, c2c_sigma=0.02, bounds_sigma=0.1)
    a, b = _map(cfg, 100, seed=3), _map(cfg, 100, seed=3)
    assert torch.equal(a.a_ltp, b.a_ltp) and torch.equal(a.hi, b.hi)
    assert a.a_ltp.std() > 0 and a.hi.std() > 0  # device-to-device spread
    w = torch.zeros(100)
    gen = torch.Generator().manual_seed(1)
    first = resp.apply(w, torch.ones(100), a, gen)
    second = resp.apply(w, torch.ones(100), a, gen)
    assert not torch.equal(first, second)  # fresh cycle-to-cycle draws
    again = resp.apply(w, torch.ones(100), a, torch.Generator().manual_seed(1))
    assert torch.equal(first, again)  # seeded
    untouched = resp.apply(w, torch.zeros(100), a, gen)
    assert torch.equal(untouched, w)  # no pulse, no noise


def test_pulse_table_fit_recovers_exponential_labels(tmp_path) -> None:
    p = np.arange(41) / 40
    a_ltp, a_ltd = a_norm_truncated(np.array([2.0]))[0], -a_norm_truncated(np.array([1.5]))[0]
    ltp = 1e-6 + 9e-6 * exp_curve(p, a_ltp)
    ltd = 1e-6 + 9e-6 * exp_curve(p, a_ltd)[::-1]  # LTD walks the curve backward from the top
    path = tmp_path / "dev.csv"
    rows = "".join(f"{i},{g},{h}\n" for i, (g, h) in enumerate(zip(ltp, ltd, strict=True)))
    path.write_text("pulse,ltp,ltd\n" + rows)
    fit = fit_exponential(read_pulse_table(path))
    assert fit.nonlinearity_ltp == pytest.approx(2.0) and fit.nonlinearity_ltd == pytest.approx(-1.5)
    assert fit.rmse_ltp < 1e-9 and fit.rmse_ltd < 1e-9
    # the table model follows the measured curve: 10 LTP pulses from the bottom land on its 10th point
    cfg, resp = _device("table", table_csv=path, max_level=40)
    out = resp.apply(torch.tensor([-1.0]), torch.tensor([10.0]), _map(cfg, 1), None)
    assert float(out) == pytest.approx(-1 + 2 * exp_curve(np.array([0.25]), a_ltp)[0], abs=1e-6)


def test_pulse_table_refusals(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("pulse,ltp,ltd\n0,1,9\n1,3,8\n2,2,7\n3,4,6\n")
    with pytest.raises(ConfigError, match="LTP curve is not monotone"):
        read_pulse_table(bad)
    bad.write_text("pulse,ltp,ltd\n0,1,9\n1,2,9.5\n2,3,7\n")
    with pytest.raises(ConfigError, match="LTD curve is not monotone"):
        read_pulse_table(bad)
    bad.write_text("pulse,g\n0,1\n")
    with pytest.raises(ConfigError, match="missing column"):
        read_pulse_table(bad)


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"model": "neurosim_v21", "nonlinearity_ltp": 0.0}, "nonlinearity_ltp=0.0"),
        ({"model": "neurosim_v21", "nonlinearity_ltd": 12.0}, "outside the nonlinearity table"),
        ({"max_level": 1}, "max_level"),
        ({"d2d_sigma": -0.1}, "d2d_sigma"),
        ({"c2c_sigma": -0.01}, "c2c_sigma"),
        ({"model": "table"}, "table_csv is required"),
        ({"c2c_sigma": float("nan")}, "c2c_sigma"),
    ],
)
def test_device_config_refusals(fields: dict, needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        DeviceUpdateConfig(**fields)


@settings(max_examples=25, deadline=None)
@given(
    model=st.sampled_from(MODELS),
    nl=st.floats(0.01, 9.0),
    sign=st.sampled_from([-1.0, 1.0]),
    max_level=st.integers(2, 256),
    d2d=st.floats(0.0, 5.0),
    c2c=st.floats(0.0, 1.0),
    bounds=st.floats(0.0, 1.0),
    gamma=st.floats(0.01, 10.0),
    seed=st.integers(0, 2**31),
)
def test_extreme_valid_settings_never_give_nan(model, nl, sign, max_level, d2d, c2c, bounds, gamma, seed) -> None:
    cfg, resp = _device(
        model, nonlinearity_ltp=nl, nonlinearity_ltd=sign * nl, max_level=max_level, d2d_sigma=d2d,
        c2c_sigma=c2c, bounds_sigma=bounds, gamma=gamma,
    )  # fmt: skip
    gen = torch.Generator().manual_seed(seed)
    dmap = _map(cfg, 64, seed)
    w = dmap.lo + torch.rand(64, generator=gen) * (dmap.hi - dmap.lo)  # programmed inside each device's bounds
    for _ in range(3):
        pulses = torch.randint(-max_level, max_level + 1, (64,), generator=gen).float()
        w = resp.apply(w, pulses, dmap, gen)
        assert torch.isfinite(w).all()
        assert (w >= dmap.lo - 1e-6).all() and (w <= dmap.hi + 1e-6).all()
