"""The loops of MCC compiled to machine code (numba): cylinder cells and LSS-R relaxation.

Same arithmetic as the array form they replace (the paper's formulas, see ``mcc``), written as loops so
that only the cells inside the cylinder and the minutiae near each cell are visited: a probe's template
is built per check-in, and the array form spent most of its time on cells and pairs that add nothing.
Compiled on first use and cached beside this file (``cache=True``), so a process pays the compile once per
install, not per start. They release the GIL (``nogil=True``): a check-in's matching runs in a worker thread,
and without it that thread would hold up the event loop, and every other check-in with it, for its whole run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TWO_PI = 2.0 * math.pi


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _wrap(v: float) -> float:
    """An angle difference wrapped to [-pi, pi), as ``mcc._ang_diff``."""
    return v + math.pi - TWO_PI * math.floor((v + math.pi) / TWO_PI) - math.pi


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _expit(v: float) -> float:
    if v >= 0.0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, fastmath=True)
def _near_hull(px: float, py: float, hull: np.ndarray, omega2: float) -> bool:
    """Whether a point is inside the counter-clockwise polygon ``hull`` or within sqrt(omega2) of its border."""
    h = hull.shape[0]
    inside = True
    for e in range(h):
        f = e + 1 if e + 1 < h else 0
        if (hull[f, 0] - hull[e, 0]) * (py - hull[e, 1]) - (hull[f, 1] - hull[e, 1]) * (px - hull[e, 0]) < 0.0:
            inside = False
            break
    if inside:
        return True
    for e in range(h):
        if _edge_distance2(px, py, hull, e) <= omega2:
            return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _edge_distance2(px: float, py: float, hull: np.ndarray, e: int) -> float:
    """The squared distance from a point to edge e of the polygon ``hull`` (from vertex e to the next)."""
    f = e + 1 if e + 1 < hull.shape[0] else 0
    abx, aby = hull[f, 0] - hull[e, 0], hull[f, 1] - hull[e, 1]
    apx, apy = px - hull[e, 0], py - hull[e, 1]
    t = min(max((apx * abx + apy * aby) / max(abx * abx + aby * aby, 1e-12), 0.0), 1.0)
    dx, dy = apx - t * abx, apy - t * aby
    return dx * dx + dy * dy


@njit(cache=True, nogil=True)
def convex_hull(points: np.ndarray) -> np.ndarray:
    """Counter-clockwise hull of (n, 2) points (monotone chain); fewer than three distinct points come back as they are."""
    n = points.shape[0]
    pts = points.copy()
    for i in range(1, n):  # insertion sort by (x, y): a finger has tens of minutiae
        x, y = pts[i, 0], pts[i, 1]
        j = i - 1
        while j >= 0 and (pts[j, 0] > x or (pts[j, 0] == x and pts[j, 1] > y)):
            pts[j + 1] = pts[j]
            j -= 1
        pts[j + 1, 0], pts[j + 1, 1] = x, y
    m = 0
    for i in range(n):  # drop repeated points
        if m == 0 or pts[i, 0] != pts[m - 1, 0] or pts[i, 1] != pts[m - 1, 1]:
            pts[m] = pts[i]
            m += 1
    if m < 3:
        return pts[:m].copy()
    out = np.empty((2 * m, 2))
    k = 0
    for step in range(2):  # lower half left to right, then upper half right to left
        start = k
        for q in range(m):
            i = q if step == 0 else m - 1 - q
            while k - start >= 2 and (
                (out[k - 1, 0] - out[k - 2, 0]) * (pts[i, 1] - out[k - 2, 1])
                - (out[k - 1, 1] - out[k - 2, 1]) * (pts[i, 0] - out[k - 2, 0])
                <= 0
            ):
                k -= 1
            out[k] = pts[i]
            k += 1
        k -= 1  # each half's last point starts the other half
    return out[:k].copy()


@njit(cache=True, nogil=True, fastmath=True)
def _border_distance(px: float, py: float, hull: np.ndarray) -> float:
    """The distance from a point inside the polygon ``hull`` to its border."""
    best = np.inf
    for e in range(hull.shape[0]):
        best = min(best, _edge_distance2(px, py, hull, e))
    return math.sqrt(best)


@njit(cache=True, nogil=True, fastmath=True)
def unpack(kept: np.ndarray, nd: int, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells as float32 values (kept 16-bit ones times ``scale``), and per spatial cell of each cylinder whether it is
    valid (1/0) and the sum of its direction bins' squares, both (n, S) float32: in one pass."""
    n, cells = kept.shape[0], kept.shape[1] // nd
    values = np.empty(kept.shape, np.float32)
    valid = np.zeros((n, cells), np.float32)
    squares = np.zeros((n, cells), np.float32)
    f = np.float32(scale)
    for i in range(n):
        for s in range(cells):
            acc = np.float32(0.0)
            for d in range(nd):
                v = np.float32(kept[i, s * nd + d]) * f
                values[i, s * nd + d] = v
                acc += v * v
            squares[i, s] = acc
            # A valid cell's every bin is a sigmoid, at least expit(-4) > 0; an invalid one is 0.
            valid[i, s] = 1.0 if kept[i, s * nd] > 0 else 0.0
    return values, valid, squares


@njit(cache=True, nogil=True, fastmath=True)
def cylinders(
    xy: np.ndarray,
    theta: np.ndarray,
    hull: np.ndarray,
    offsets: np.ndarray,
    in_radius: np.ndarray,
    nd: int,
    sigma_s: float,
    sigma_d: float,
    omega: float,
    mu_psi: float,
    tau_psi: float,
    reach: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell values (n, S*D) float32 (0 where invalid), valid cells (n, S), and each minutia's neighbours within ``reach``."""
    n = xy.shape[0]
    cells = offsets.shape[0]
    values = np.zeros((n, cells * nd), np.float32)
    valid = np.zeros((n, cells), np.bool_)
    neighbours = np.zeros(n, np.int64)
    delta_d = TWO_PI / nd
    k = 1.0 / (math.sqrt(2.0) * sigma_d)
    near2 = (3.0 * sigma_s) ** 2
    norm = 1.0 / (sigma_s * math.sqrt(TWO_PI))
    spread = -0.5 / sigma_s**2
    use_hull = hull.shape[0] >= 3
    close = np.empty(n, np.int64)
    cd = np.empty((n, nd))
    raw = np.empty((cells, nd))
    cx, cy = np.empty(cells), np.empty(cells)
    ok, touched = np.zeros(cells, np.bool_), np.zeros(cells, np.bool_)
    # The grid: cell s = a * ns + b sits at offsets (first + a * step, first + b * step) before rotation.
    ns = int(round(math.sqrt(cells)))
    first, step = offsets[0, 0], offsets[ns, 0] - offsets[0, 0]
    near = 3.0 * sigma_s
    # A cell with no minutia within 3 sigma has every bin at sigmoid(0): computed once, not per cell.
    empty_value = np.float32(1.0) / (np.float32(1.0) + math.exp(np.float32(tau_psi * mu_psi)))
    # The disc around a minutia up to the hull's border is inside the hull: cells that close need no polygon test.
    inner = np.full(n, -1.0)
    if use_hull:
        for m in range(n):
            inner[m] = _border_distance(xy[m, 0], xy[m, 1], hull) + omega
    reach_of = np.sqrt(offsets[:, 0] ** 2 + offsets[:, 1] ** 2)
    for m in range(n):
        # Only minutiae within reach of m (the radius plus 3 sigma) can touch a cell of m's cylinder.
        count = 0
        for t in range(n):
            if t != m and (xy[t, 0] - xy[m, 0]) ** 2 + (xy[t, 1] - xy[m, 1]) ** 2 <= reach * reach:
                close[count] = t
                count += 1
                dtheta = _wrap(theta[m] - theta[t])
                for d in range(nd):
                    alpha = _wrap(-math.pi + (d + 0.5) * delta_d - dtheta)
                    cd[t, d] = 0.5 * (math.erf((alpha + delta_d / 2) * k) - math.erf((alpha - delta_d / 2) * k))
        neighbours[m] = count
        c, s_ = math.cos(theta[m]), math.sin(theta[m])
        for s in range(cells):
            ok[s] = False
            if not in_radius[s]:
                continue
            cx[s] = xy[m, 0] + c * offsets[s, 0] - s_ * offsets[s, 1]
            cy[s] = xy[m, 1] + s_ * offsets[s, 0] + c * offsets[s, 1]
            if use_hull and (reach_of[s] <= inner[m] or _near_hull(cx[s], cy[s], hull, omega * omega)):
                ok[s] = True
                touched[s] = False
                for d in range(nd):
                    raw[s, d] = 0.0
        # Each neighbour adds to the few cells within 3 sigma of it (a window of the grid around its place in m's
        # frame), in neighbour order as a loop over all cells would: the same sums, without testing every pair.
        for i in range(count):
            t = close[i]
            dx, dy = xy[t, 0] - xy[m, 0], xy[t, 1] - xy[m, 1]
            u, v = c * dx + s_ * dy, -s_ * dx + c * dy
            a0, a1 = max(0, int(math.floor((u - near - first) / step)) - 1), min(ns - 1, int(math.ceil((u + near - first) / step)) + 1)
            b0, b1 = max(0, int(math.floor((v - near - first) / step)) - 1), min(ns - 1, int(math.ceil((v + near - first) / step)) + 1)
            for a in range(a0, a1 + 1):
                for b in range(b0, b1 + 1):
                    s = a * ns + b
                    if not ok[s]:
                        continue
                    d2 = (cx[s] - xy[t, 0]) ** 2 + (cy[s] - xy[t, 1]) ** 2
                    if d2 <= near2:
                        touched[s] = True
                        w = math.exp(d2 * spread) * norm
                        for d in range(nd):
                            raw[s, d] += w * cd[t, d]
        for s in range(cells):
            if not ok[s]:
                continue
            valid[m, s] = True
            for d in range(nd):
                # Single precision for the sigmoid: the value is kept as float32 (16 bits at rest) anyway.
                values[m, s * nd + d] = (
                    np.float32(1.0) / (np.float32(1.0) + math.exp(np.float32(tau_psi * (mu_psi - raw[s, d]))))
                    if touched[s]
                    else empty_value
                )
    return values, valid, neighbours


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _pair_angles(
    t: int, k: int, vax: float, vay: float, vbx: float, vby: float, ta: np.ndarray, tb: np.ndarray, mu: tuple, tau: tuple
) -> float:
    """The direction and radial-angle terms of LSS-R's compatibility of pair t with pair k (v: k's minutia minus t's)."""
    d2 = abs(_wrap(_wrap(ta[t] - ta[k]) - _wrap(tb[t] - tb[k])))
    ra = _wrap(ta[t] - math.atan2(vay, vax))
    rb = _wrap(tb[t] - math.atan2(vby, vbx))
    d3 = abs(_wrap(ra - rb))
    return _expit(tau[1] * (d2 - mu[1])) * _expit(tau[2] * (d3 - mu[2]))


@njit(cache=True, nogil=True, fastmath=True)
def relax(
    lam0: np.ndarray,
    pa: np.ndarray,
    ta: np.ndarray,
    pb: np.ndarray,
    tb: np.ndarray,
    w_r: float,
    n_rel: int,
    mu: tuple[float, float, float],
    tau: tuple[float, float, float],
) -> np.ndarray:
    """LSS-R: the relaxed similarity of each top pair after ``n_rel`` rounds of geometric compatibility."""
    n = lam0.shape[0]
    rho = np.zeros((n, n))
    for t in range(n):
        for k in range(t + 1, n):
            # The distance term is the same both ways (a - b is exactly -(b - a)): computed once per pair.
            vax, vay = pa[k, 0] - pa[t, 0], pa[k, 1] - pa[t, 1]
            vbx, vby = pb[k, 0] - pb[t, 0], pb[k, 1] - pb[t, 1]
            e1 = _expit(tau[0] * (abs(math.hypot(vax, vay) - math.hypot(vbx, vby)) - mu[0]))
            rho[t, k] = e1 * _pair_angles(t, k, vax, vay, vbx, vby, ta, tb, mu, tau)
            rho[k, t] = e1 * _pair_angles(k, t, -vax, -vay, -vbx, -vby, ta, tb, mu, tau)
    lam = lam0.copy()
    nxt = np.empty(n)
    for _ in range(n_rel):
        for t in range(n):
            acc = 0.0
            for k in range(n):
                acc += rho[t, k] * lam[k]
            nxt[t] = w_r * lam[t] + (1.0 - w_r) * acc / (n - 1)
        lam[:] = nxt
    return lam
