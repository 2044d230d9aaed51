"""The compiled MCC loops give the paper's numbers: cells computed here one by one from its formulas, and the batched
comparison a check-in uses scores as one comparison at a time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from window_staff.biometrics import mcc
from window_staff.biometrics.synthetic import synthetic_minutiae

P = mcc.DEFAULT_PARAMS


def _minutiae(seed: int, n: int = 40) -> np.ndarray:
    return mcc._minutiae_array(synthetic_minutiae(seed, n=n, width=300, height=360))


def _wrap(v: float) -> float:
    return (v + math.pi) % (2 * math.pi) - math.pi


def _hull_distance(x: float, y: float, hull: np.ndarray) -> float:
    """Distance from a point to a counter-clockwise polygon, 0 inside: the plain geometry, edge by edge."""
    edges = list(zip(hull, np.roll(hull, -1, axis=0), strict=True))
    if all((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) >= 0 for a, b in edges):
        return 0.0
    out = math.inf
    for a, b in edges:
        t = min(max(((x - a[0]) * (b[0] - a[0]) + (y - a[1]) * (b[1] - a[1])) / ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2), 0), 1)
        out = min(out, math.hypot(x - a[0] - t * (b[0] - a[0]), y - a[1] - t * (b[1] - a[1])))
    return out


def _cell(mins: np.ndarray, m: int, i: int, j: int, k: int) -> float | None:
    """The paper's C_m(i, j, k) (equations 2-9), or None for an invalid cell."""
    delta_s, delta_d = 2 * P.radius / P.ns, 2 * math.pi / P.nd
    x, y, theta = mins[m]
    ox, oy = delta_s * (i - (P.ns + 1) / 2), delta_s * (j - (P.ns + 1) / 2)
    if ox * ox + oy * oy > P.radius**2:
        return None
    cx = x + math.cos(theta) * ox - math.sin(theta) * oy
    cy = y + math.sin(theta) * ox + math.cos(theta) * oy
    if _hull_distance(cx, cy, mcc._convex_hull(mins[:, :2])) > P.omega:
        return None
    phi = -math.pi + (k - 0.5) * delta_d
    total = 0.0
    for t, (xt, yt, tt) in enumerate(mins):
        dist = math.hypot(cx - xt, cy - yt)
        if t == m or dist > 3 * P.sigma_s:
            continue
        spatial = math.exp(-(dist**2) / (2 * P.sigma_s**2)) / (P.sigma_s * math.sqrt(2 * math.pi))
        alpha = _wrap(phi - _wrap(theta - tt))
        edge = 1 / (math.sqrt(2) * P.sigma_d)
        total += spatial * 0.5 * (math.erf((alpha + delta_d / 2) * edge) - math.erf((alpha - delta_d / 2) * edge))
    return 1 / (1 + math.exp(-P.tau_psi * (total - P.mu_psi)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_sampled_cell_is_the_papers_value(seed):
    mins = _minutiae(seed)
    template = mcc.build_template(mins)
    kept = [int(np.argmin(np.hypot(*(mins[:, :2] - xy).T))) for xy in template.xy]  # which minutia each cylinder is
    rng = np.random.default_rng(seed)
    checked = 0
    for row, m in enumerate(kept):
        for _ in range(40):
            i, j, k = (int(v) for v in rng.integers(1, [P.ns + 1, P.ns + 1, P.nd + 1]))
            expected = _cell(mins, m, i, j, k)
            got = template.cylinders[row, ((i - 1) * P.ns + (j - 1)) * P.nd + (k - 1)]
            if expected is None:
                assert got == 0.0
            else:
                # The sigmoid's steepness (tau 400) turns float rounding of the sum into ~1e-5 here.
                assert got == pytest.approx(expected, abs=1e-4)
                checked += 1
    assert checked > 500  # most sampled cells are valid ones, so the values themselves were compared


def test_a_batch_of_kept_templates_scores_as_each_one_alone():
    probe = mcc.build_template(_minutiae(10))
    kept = [mcc.compact(mcc.build_template(_minutiae(s))) for s in (10, 11, 12, 13)]
    alone = [mcc.similarity(probe, t.expand()) for t in kept]
    assert mcc.similarities(probe, kept) == pytest.approx(alone, abs=1e-4)
    assert alone[0] > 0.9 > max(alone[1:])  # the same finger, then three others: the batch kept them apart


def test_a_kept_template_scores_as_the_built_one():
    a, b = mcc.build_template(_minutiae(20)), mcc.build_template(_minutiae(21))
    built = [mcc.similarity(a, a), mcc.similarity(a, b)]
    # 16-bit cells: on 1,920 FVC2002 B pairs the score moved by 2.7e-6 on average, 3.8e-4 at most.
    assert mcc.similarities(a, [mcc.compact(a), mcc.compact(b)]) == pytest.approx(built, abs=1e-3)


def test_nothing_to_compare_scores_nothing():
    probe = mcc.build_template(_minutiae(30))
    empty = mcc.compact(mcc.build_template(np.zeros((0, 3))))
    assert mcc.similarities(probe, []) == []
    assert mcc.similarities(probe, [empty, mcc.compact(probe)])[0] == 0.0
    assert mcc.similarities(mcc.build_template(np.zeros((0, 3))), [mcc.compact(probe)]) == [0.0]


def _plain_hull(points: np.ndarray) -> list[tuple[float, float]]:
    """Andrew's monotone chain in plain Python: sort, drop repeats, lower then upper half, counter-clockwise."""
    pts = sorted(set(map(tuple, points.tolist())))
    if len(pts) < 3:
        return pts

    def half(seq: list) -> list:
        out: list = []
        for p in seq:
            while len(out) >= 2 and (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1]) - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0]) <= 0:
                out.pop()
            out.append(p)
        return out

    return half(pts)[:-1] + half(pts[::-1])[:-1]


@pytest.mark.parametrize("grid", [False, True], ids=["scattered", "on a grid (repeats and collinear points)"])
def test_the_compiled_hull_is_the_monotone_chain(grid):
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(0, 50))
        points = rng.integers(0, 12, (n, 2)).astype(float) if grid else rng.uniform(0, 300, (n, 2))
        assert [tuple(p) for p in mcc._convex_hull(points).tolist()] == _plain_hull(points)


def test_the_compiler_loads_only_when_a_fingerprint_is_first_matched():
    import subprocess
    import sys

    probe = (
        "import sys, window_staff.app, window_staff.cli\n"
        "before = 'numba' in sys.modules\n"
        "from window_staff.biometrics import mcc\n"
        "mcc.warm_up()\n"
        "print(before, 'numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120).stdout.split()
    assert out == ["False", "True"]
