"""compat neurosim_v21: V2.1's weight update reproduced bit for bit on every reference case, given its draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from neurocim.devices.update.neurosim_v21 import V21Settings, v21_curves, v21_delta, v21_momentum_, v21_round, v21_write

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "neurosim_v21" / "update_rule"
LOCAL = Path(__file__).resolve().parents[1] / "data" / "update_rule"


def _cases(folder: Path, listing: str) -> list:
    if not (folder / listing).is_file():
        return []
    data = json.loads((folder / listing).read_text())
    cases = data["cases"] if isinstance(data, dict) else data
    return [pytest.param(folder, c, id=f"{'shared' if folder == SHARED else 'shipped'}-{c['id']}") for c in cases]


SHARED_CASES = _cases(SHARED, "cases.json")
LOCAL_CASES = _cases(LOCAL, "cases.json")


def _same(ours: torch.Tensor, ref: np.ndarray) -> int:
    """Number of elements that differ (NaN equals NaN), compared exactly."""
    a = ours.detach().cpu().numpy()
    assert a.dtype == ref.dtype and a.shape == ref.shape
    return int((~((a == ref) | (np.isnan(a) & np.isnan(ref)))).sum())


def _replay(folder: Path, case: dict) -> dict[str, int]:
    """Run every recorded step of every parameter in the case through the compat rule; mismatches per array."""
    st = case["settings"]
    d = np.load(folder / f"{case['id']}.npz")
    params = [p for p in ("fc_weight", "conv_weight") if f"{p}__w_initial" in d.files]  # V2.1's reverse order
    s = V21Settings(
        st["wl_weight"], st["wl_grad"], st["max_level"], st["c2cVari"], st["gamma"], st["alpha"], st["grad_scale"]
    )
    bad: dict[str, int] = {}
    curves, w, v = {}, {}, {}
    for p in params:
        curves[p] = v21_curves(
            st["nonlinearityLTP"], st["nonlinearityLTD"], st["d2dVari"], st["max_level"],
            torch.from_numpy(d[f"{p}__d2d_normal"]),
        )  # fmt: skip
        bad[f"{p}__nl_ltp"] = _same(curves[p].labels_ltp, d[f"{p}__nl_ltp"])
        if f"{p}__A_ltp" in d.files:
            bad[f"{p}__A_ltp"] = _same(curves[p].a_ltp, d[f"{p}__A_ltp"])
            bad[f"{p}__A_ltd"] = _same(curves[p].a_ltd, d[f"{p}__A_ltd"])
        w[p] = torch.from_numpy(d[f"{p}__w_initial"]).clone()
        v[p] = torch.zeros_like(w[p])
    for step in range(st["steps"]):
        applied = {}
        for p in params:
            key = f"s{step}_{p}__"
            bad[key + "w_before"] = _same(w[p], d[key + "w_before"])
            x = v21_momentum_(v[p], torch.from_numpy(d[key + "grad_raw"]), s)
            bad[key + "velocity_out"] = _same(v[p], d[key + "velocity_out"])
            delta = v21_delta(w[p], x, curves[p], s)
            bad[key + "delta_pre_sr"] = _same(delta, d[key + "delta_pre_sr"])
            applied[p] = v21_round(delta, torch.from_numpy(d[key + "sr_uniform"]), s)
            bad[key + "applied_delta"] = _same(applied[p], d[key + "applied_delta"])
        for p in params:
            key = f"s{step}_{p}__"
            w[p] = v21_write(w[p], applied[p], torch.from_numpy(d[key + "c2c_normal"]), s)
            bad[key + "w_after"] = _same(w[p], d[key + "w_after"])
    for p in params:
        bad[f"{p}__w_final"] = _same(w[p], d[f"{p}__w_final"])
    return {k: n for k, n in bad.items() if n}


@pytest.mark.parametrize(("folder", "case"), LOCAL_CASES)
def test_shipped_cases_bit_exact(folder: Path, case: dict) -> None:
    assert _replay(folder, case) == {}


@pytest.mark.skipif(not SHARED_CASES, reason="shared reference folder absent")
@pytest.mark.parametrize(("folder", "case"), SHARED_CASES or [pytest.param(None, None, id="absent")])
def test_every_reference_case_bit_exact(folder: Path, case: dict) -> None:
    assert _replay(folder, case) == {}


def test_shipped_cases_exist() -> None:
    assert len(LOCAL_CASES) >= 3
