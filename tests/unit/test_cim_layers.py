"""CIM layers: hardware mode equals the integer closed form with a lossless ADC, and a slow loop reference with one."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from torch import nn

from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import ChipConfig
from neurocim.nn import CIMConv2d, CIMLinear, LayerMode, calibrate_, exact_reads, set_mode_
from neurocim.quant.adc import snapped_step


def chip(cell="rram", bits_per_cell=2, on_off=10.0, rows=8, parallel=None, adc=5, wbits=4, ibits=3, **kw):
    cell_cfg = (
        {"type": cell} if cell == "sram" else {"type": cell, "bits_per_cell": bits_per_cell, "on_off_ratio": on_off}
    )
    return ChipConfig(
        cell=cell_cfg,
        array={"rows": rows, "parallel_rows": parallel},
        adc={"bits": adc},
        precision={"weight_bits": wbits, "input_bits": ibits},
        **kw,
    )


def calibrated(layer: nn.Module, x: torch.Tensor) -> nn.Module:
    model = nn.Sequential(layer)
    calibrate_(model, [x])
    return model


LOSSLESS = [
    pytest.param(chip("sram", rows=16, adc=6, wbits=8, ibits=8), {}, False, id="sram-8b"),
    pytest.param(chip(rows=16, adc=12, wbits=8, ibits=8), {}, False, id="rram-2b-cell"),
    pytest.param(
        chip(bits_per_cell=4, on_off=17, rows=4, adc=12, wbits=8, ibits=6), {"input": {"bits_per_cycle": 2}}, True,
        id="dac-signed",
    ),
    pytest.param(chip(rows=16, parallel=4, adc=10, mapping="conventional"), {}, True, id="parallel-conventional"),
    pytest.param(chip(on_off=12.5, rows=8, adc=12), {"adc": {"range_mode": "full_scale"}}, False, id="full-scale"),
    pytest.param(chip(rows=16, adc=12, wbits=8, ibits=8), {"quantization": {"scheme": "wage"}}, False, id="wage"),
]  # fmt: skip


@pytest.mark.parametrize("cfg, acc, signed", LOSSLESS)
def test_hardware_equals_closed_form_linear(cfg, acc, signed):
    torch.manual_seed(0)
    x = torch.randn(6, 37) if signed else torch.rand(6, 37)
    layer = CIMLinear(37, 5, chip=cfg, accuracy=AccuracyConfig(**acc))
    model = calibrated(layer, x)
    with torch.no_grad():
        hw = model(x)
        set_mode_(model, LayerMode.QUANTIZED)
        assert torch.equal(hw, model(x))
        set_mode_(model, LayerMode.FLOAT)
        assert not torch.equal(hw, model(x))


@pytest.mark.parametrize("cfg, acc, signed", LOSSLESS)
def test_hardware_equals_closed_form_conv(cfg, acc, signed):
    torch.manual_seed(1)
    x = torch.randn(2, 5, 7, 6) if signed else torch.rand(2, 5, 7, 6)
    layer = CIMConv2d(
        5, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), chip=cfg, accuracy=AccuracyConfig(**acc)
    )
    model = calibrated(layer, x)
    with torch.no_grad():
        hw = model(x)
        set_mode_(model, LayerMode.QUANTIZED)
        assert torch.equal(hw, model(x))
        assert hw.shape == nn.functional.conv2d(x, layer.weight, None, (2, 1), (1, 2), (1, 2)).shape


def test_closed_form_is_the_integer_product():
    torch.manual_seed(2)
    cfg = chip(adc=12, wbits=8, ibits=8, rows=16)
    layer = CIMLinear(20, 3, bias=False, chip=cfg, mode="quantized")
    x = torch.rand(4, 20)
    calibrated(layer, x)
    a, den_a, x_scale, _ = layer.input_codes(x)
    codes, w_scale = layer.weight_codes()
    exact = [
        [
            Fraction(int(sum(int(a[m, i]) * int(2 * codes[c, i] - 255) for i in range(20))), int(den_a) * 255)
            for c in range(3)
        ]
        for m in range(4)
    ]
    expected = torch.tensor([[float(v) for v in row] for row in exact], dtype=torch.float64) * (w_scale * x_scale)
    assert torch.equal(layer.pre_activation(x.double()), expected)


# ---- slow reference with ADC quantization -------------------------------------------------------------------


def reference_groups(channels: int, positions: int, rows: int, parallel: int) -> list[list[int]]:
    """Novel mapping, written out: per kernel position, sub-arrays of `rows` channels, read `parallel` at a time."""
    groups = []
    for pos in range(positions):
        for start in range(0, channels, rows):
            array = list(range(start, min(start + rows, channels)))
            for g in range(0, len(array), parallel):
                groups.append([c * positions + pos for c in array[g : g + parallel]])
    return groups


def reference_digits(a: int, bits: int, signed: bool) -> list[tuple[int, int]]:
    """(weight, bit) per cycle, one bit per cycle; signed: two's complement, the sign bit weighs -2^(b-1)."""
    if not signed:
        return [(2**z, (a >> z) & 1) for z in range(bits)]
    pattern = a % 2**bits
    return [(2**z, (pattern >> z) & 1) for z in range(bits - 1)] + [(-(2 ** (bits - 1)), (pattern >> (bits - 1)) & 1)]


def reference_output(A, X, groups, cfg: ChipConfig, adc_mode: str, step: Fraction | None, signed: bool):
    """sum_z w_z sum_groups sum_k 2^(ck) (ADC(main) - ADC(ref)) * 2 / (1 - 1/r), exact rationals, plain loops."""
    c, bits_w, bits_a, bits_adc = (
        cfg.cell.bits_per_cell,
        cfg.precision.weight_bits,
        cfg.precision.input_bits,
        cfg.adc.bits,
    )
    r, top, slices = Fraction(cfg.cell.on_off_ratio), 2**c - 1, bits_w // c
    cond = [(1 - 1 / r) * d + Fraction(top) / r for d in range(top + 1)]
    ref_cell = Fraction(top) * (1 + 1 / r) / 2
    M, C = len(A), len(X[0])
    main, ref = {}, {}
    for z in range(len(reference_digits(0, bits_a, signed))):
        for s, rows in enumerate(groups):
            for m in range(M):
                beta = [reference_digits(A[m][i], bits_a, signed)[z][1] for i in rows]
                ref[z, s, m] = sum(beta) * ref_cell
                for k in range(slices):
                    for col in range(C):
                        digits = [(X[i][col] >> (c * k)) & top for i in rows]
                        main[z, s, k, m, col] = sum(b * cond[d] for b, d in zip(beta, digits, strict=True))
    levels = 2**bits_adc

    def fixed(v):
        return min(max(round(v / step), 0), levels - 1) * step

    def minmax(values, v):
        lo, hi = min(values), max(values)
        if hi == lo:
            return v
        width = (hi - lo) / levels
        return lo + min(max((v - lo) // width, 0), levels - 1) * width

    out = [[Fraction(0)] * C for _ in range(M)]
    for z in range(len(reference_digits(0, bits_a, signed))):
        weight_z = reference_digits(0, bits_a, signed)[z][0]
        for s in range(len(groups)):
            refs = [ref[z, s, m] for m in range(M)]
            for k in range(slices):
                mains = [main[z, s, k, m, col] for m in range(M) for col in range(C)]
                for m in range(M):
                    q_ref = fixed(ref[z, s, m]) if adc_mode != "minmax" else minmax(refs, ref[z, s, m])
                    for col in range(C):
                        v = main[z, s, k, m, col]
                        q_main = fixed(v) if adc_mode != "minmax" else minmax(mains, v)
                        out[m][col] += weight_z * 2 ** (c * k) * (q_main - q_ref) * 2 / (1 - 1 / r)
    return out


def unfold_codes(a: torch.Tensor, kernel: int, stride: int, padding: int) -> list[list[int]]:
    """im2col of integer codes with explicit loops, rows in (c, kh, kw) order."""
    B, C, H, W = a.shape
    out_h, out_w = (H + 2 * padding - kernel) // stride + 1, (W + 2 * padding - kernel) // stride + 1
    rows = []
    for b in range(B):
        for oh in range(out_h):
            for ow in range(out_w):
                row = []
                for ch in range(C):
                    for kh in range(kernel):
                        for kw in range(kernel):
                            h, w = oh * stride - padding + kh, ow * stride - padding + kw
                            row.append(int(a[b, ch, h, w]) if 0 <= h < H and 0 <= w < W else 0)
                rows.append(row)
    return rows


@pytest.mark.parametrize("adc_mode", ["calibrated", "minmax"])
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_hardware_equals_slow_reference_with_adc(kind, signed, adc_mode):
    torch.manual_seed(3)
    cfg = chip(bits_per_cell=2, on_off=10.0, rows=4, parallel=3, adc=3, wbits=4, ibits=3)
    acc = AccuracyConfig(adc={"range_mode": "calibrated" if adc_mode == "calibrated" else "neurosim_batch_minmax"})
    if kind == "linear":
        layer = CIMLinear(10, 3, chip=cfg, accuracy=acc)
        x = torch.randn(5, 10) if signed else torch.rand(5, 10)
    else:
        layer = CIMConv2d(5, 2, 2, stride=2, padding=1, chip=cfg, accuracy=acc)
        x = torch.randn(2, 5, 3, 4) if signed else torch.rand(2, 5, 3, 4)
    calibrated(layer, x)
    assert bool(layer.act_signed) == signed
    a, den_a, x_scale, _ = layer.input_codes(x)
    codes, w_scale = layer.weight_codes()
    X = codes.t().long().tolist()
    if kind == "linear":
        A, groups = a.long().tolist(), reference_groups(10, 1, 4, 3)
    else:
        A, groups = unfold_codes(a.long(), 2, 2, 1), reference_groups(5, 4, 4, 3)
    step = None
    if adc_mode == "calibrated":
        lattice = layer.settings.lattice
        step = Fraction(snapped_step(float(layer.adc_top), 3, lattice.grid)) / lattice.per_normalised
    ref = reference_output(A, X, groups, cfg, "minmax" if adc_mode == "minmax" else "fixed", step, signed)
    y = torch.tensor([[float(v / (Fraction(int(den_a)) * 15)) for v in row] for row in ref], dtype=torch.float64)
    if kind == "conv":
        y = y.reshape(2, -1, 2).transpose(1, 2).reshape(2, 2, 2, 3)
        expected = y * (w_scale * x_scale).view(2, 1, 1) + layer.bias.detach().double().view(2, 1, 1)
    else:
        expected = y * (w_scale * x_scale) + layer.bias.detach().double()
    got = layer.pre_activation(x.double())
    assert torch.equal(got, expected)
    with torch.no_grad():
        layer.mode = LayerMode.QUANTIZED
        assert not torch.equal(layer.pre_activation(x.double()), got)  # the 3-bit ADC does lose information


# ---- behaviour ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["calibrated", "neurosim_batch_minmax", "full_scale"])
def test_chunking_does_not_change_the_result(mode):
    torch.manual_seed(4)
    x = torch.rand(6, 3, 5, 5)
    outs = []
    for budget in (2**25, 20_000, 1024):  # one chunk; cycles split over the whole batch; both split
        torch.manual_seed(5)
        layer = CIMConv2d(3, 4, 3, padding=1, chip=chip(rows=4, adc=4), accuracy=AccuracyConfig(
            adc={"range_mode": mode}, max_chunk_elements=budget))  # fmt: skip
        calibrated(layer, x)
        outs.append(layer.pre_activation(x))
    assert torch.equal(outs[0], outs[1]) and torch.equal(outs[0], outs[2])


def _spy_exact_path(monkeypatch) -> list[int]:
    calls, run = [], exact_reads.bit_serial_exact
    monkeypatch.setattr(exact_reads, "bit_serial_exact", lambda *a: calls.append(1) or run(*a))
    return calls


@pytest.mark.parametrize(
    "block, min_rows, exact_sum",
    [(2**20, 256, 2**24), (200, 1, 2**24), (200, 1, 1)],
    ids=["one-block", "many-blocks", "float64-sums"],
)
def test_float32_exact_path_equals_the_float64_path(monkeypatch, block, min_rows, exact_sum):
    torch.manual_seed(9)
    x = torch.randn(3, 6, 5, 5)  # signed inputs, two bits per cycle, partial groups
    cfg = chip(bits_per_cell=2, on_off=17, rows=4, parallel=3, adc=4, wbits=4, ibits=5, mapping="conventional")
    layer = CIMConv2d(6, 5, 3, padding=1, chip=cfg, accuracy=AccuracyConfig(input={"bits_per_cycle": 2}))
    calibrated(layer, x)
    with monkeypatch.context() as m:
        m.setattr(exact_reads, "applicable", lambda *a: False)
        reference = layer.pre_activation(x.double())
    monkeypatch.setattr(exact_reads, "BLOCK_READS", block)
    monkeypatch.setattr(exact_reads, "MIN_GEMM_ROWS", min_rows)
    monkeypatch.setattr(exact_reads, "EXACT_SUM", exact_sum)
    calls = _spy_exact_path(monkeypatch)
    assert torch.equal(layer.pre_activation(x.double()), reference) and calls == [1]


@pytest.mark.parametrize("method, fast", [("max", True), ("percentile", False)])
def test_adc_calibration_sees_the_same_reads_on_the_exact_path(monkeypatch, method, fast):
    torch.manual_seed(11)
    x = torch.rand(5, 70)
    tops = []
    for exact in (False, True):
        torch.manual_seed(12)
        layer = CIMLinear(70, 4, chip=chip(rows=16, parallel=8), accuracy=AccuracyConfig(adc={"calibration": method}))
        with monkeypatch.context() as m:
            m.setattr(exact_reads, "BLOCK_READS", 50)
            if not exact:
                m.setattr(exact_reads, "applicable", lambda *a: False)
            calls = _spy_exact_path(m)
            calibrated(layer, x)
        assert calls == ([1] if exact and fast else [])
        tops.append(float(layer.adc_top))
    assert tops[0] == tops[1] > 0  # the largest raw read (max), or the same percentile from the same tensors


@pytest.mark.parametrize(
    "cfg, acc, fast",
    [
        (chip(adc=4), {"adc": {"range_mode": "full_scale"}}, True),
        (chip(adc=4), {"adc": {"range_mode": "neurosim_batch_minmax"}}, False),  # range from the reads themselves
        (chip(adc=4), {"devices": {"d2d_sigma": 0.1}}, False),  # non-integer reads
        (chip(adc=4), {"devices": {"c2c_sigma": 0.1}}, False),
        (chip(on_off=999.7, rows=512, adc=8), {"adc": {"range_mode": "full_scale"}}, False),  # reads reach 2^23
    ],
)
def test_exact_path_only_where_reads_are_exact_integers(monkeypatch, cfg, acc, fast):
    torch.manual_seed(10)
    x = torch.rand(4, 600)
    layer = CIMLinear(600, 3, chip=cfg, accuracy=AccuracyConfig(**acc))
    calibrated(layer, x)
    calls = _spy_exact_path(monkeypatch)
    assert torch.isfinite(layer.pre_activation(x)).all() and calls == ([1] if fast else [])


@pytest.mark.parametrize("mode", ["calibrated", "neurosim_batch_minmax", "full_scale"])
def test_constant_inputs_give_no_nan(mode):
    torch.manual_seed(6)
    layer = CIMLinear(12, 4, chip=chip(), accuracy=AccuracyConfig(adc={"range_mode": mode}))
    calibrated(layer, torch.zeros(3, 12))  # all-zero calibration data: scale falls back to 1
    for x in (torch.zeros(3, 12), torch.ones(3, 12), torch.full((3, 12), -2.0)):
        assert torch.isfinite(layer(x)).all()
    with torch.no_grad():
        layer.weight.zero_()
    assert torch.isfinite(layer(torch.rand(3, 12))).all()


def test_gradients_flow_straight_through():
    torch.manual_seed(7)
    layer = CIMLinear(8, 3, chip=chip())
    x = torch.rand(4, 8)
    calibrated(layer, x)
    x.requires_grad_(True)
    out = layer(x)
    out.sum().backward()
    assert layer.weight.grad is not None and x.grad is not None
    assert torch.equal(out.detach(), layer(x.detach()))


def test_wage_gradients_are_those_of_wage_training():
    """Under WAGE the straight-through gradient is that of the WAGE training forward: the float layer / its fan-in
    scale, then the output quantizer, whose backward quantizes the errors and stops them at clipped outputs."""
    from neurocim.quant.wage import wage_activation, wage_init_scale

    torch.manual_seed(9)
    cfg, acc = chip(rows=16, adc=12, wbits=8, ibits=8), AccuracyConfig(quantization={"scheme": "wage"})
    layer = CIMLinear(37, 5, chip=cfg, accuracy=acc)
    with torch.no_grad():
        layer.weight.copy_(torch.rand(5, 37) * 1.8 - 0.9)
        layer.weight[0] = 0.9  # an output past the clip
    x = torch.rand(6, 37)
    model = calibrated(layer, x)
    up = torch.randn(6, 5)
    x1 = x.clone().requires_grad_(True)
    model(x1).backward(up)
    w = layer.weight.detach().clone().requires_grad_(True)
    x2 = x.clone().requires_grad_(True)
    scale = wage_init_scale(37, 8)
    ref = wage_activation(nn.functional.linear(x2, w) / scale, 8, acc.quantization.wage_error_bits)
    ref.backward(up)
    assert scale > 1 and bool((ref.detach().abs() >= 1 - 2**-7).any())  # the scale and the clip both matter here
    assert torch.equal(x1.grad, x2.grad) and torch.equal(layer.weight.grad, w.grad)


def test_unbatched_conv_and_dtypes():
    torch.manual_seed(8)
    layer = CIMConv2d(2, 3, 3, padding="same", chip=chip())
    x = torch.rand(4, 2, 5, 5)
    calibrated(layer, x)
    with torch.no_grad():
        assert torch.equal(layer(x[0]), layer(x)[0])
        assert layer(x).dtype == torch.float32


def test_uncalibrated_layers_say_what_to_do():
    layer = CIMLinear(8, 3, chip=chip())
    with pytest.raises(RuntimeError, match="calibrate_"):
        layer(torch.rand(2, 8))
    layer.act_scale.fill_(1.0)
    with pytest.raises(RuntimeError, match="ADC range not calibrated"):
        layer(torch.rand(2, 8))


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match="groups=2"):
        CIMConv2d(4, 4, 3, groups=2, chip=chip())
    with pytest.raises(ValueError, match="padding_mode"):
        CIMConv2d(4, 4, 3, padding_mode="reflect", chip=chip())
    layer = CIMLinear(4, 2, chip=chip())
    with pytest.raises(ValueError, match="mode='analog'"):
        layer.mode = "analog"
