"""The cost record's fast updates equal dataclasses.replace, and refuse fields it does not have."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neurocim.arch.cost import Cost, Part

_VALUES = st.floats(min_value=0.0, max_value=1e3, allow_nan=False)
_COSTS = st.builds(Cost, **{f.name: _VALUES for f in fields(Cost)})
_OTHER = ("latency_other", "energy_other")
_BOOKED = {  # the (latency, energy) fields an action of each part adds to besides the totals
    Part.ADC: [("latency_adc", "energy_adc")],
    Part.ACCUMULATION: [("latency_accum", "energy_accum")],
    Part.OTHER: [_OTHER],
    Part.BUFFER: [_OTHER, ("buffer_latency", "buffer_energy")],
    Part.INTERCONNECT: [_OTHER, ("ic_latency", "ic_energy")],
}


@given(_COSTS, st.sampled_from(list(Part)), _VALUES, _VALUES, st.floats(min_value=1.0, max_value=64.0))
def test_updates_equal_the_plain_replace(cost, part, latency, energy, factor):
    plain_plus = {"latency": cost.latency + latency, "energy": cost.energy + energy}
    for lat, en in _BOOKED[part]:
        plain_plus[lat], plain_plus[en] = getattr(cost, lat) + latency, getattr(cost, en) + energy
    assert cost.plus(part, latency, energy) == replace(cost, **plain_plus)
    latencies = [f.name for f in fields(Cost) if "latency" in f.name]
    assert cost.latency_divided(factor) == replace(cost, **{n: getattr(cost, n) / factor for n in latencies})
    assert cost.updated(leakage=latency) == replace(cost, leakage=latency)
    after = cost.plus(part, latency, energy)
    side_by_side = Cost.parallel([cost, after])
    assert side_by_side.energy == 0.0 + cost.energy + after.energy and side_by_side.latency == after.latency


def test_an_update_of_an_unknown_field_is_refused():
    with pytest.raises(TypeError, match="latency_total"):
        Cost().updated(latency_total=1.0)
