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


@njit(cache=True, nogil=True, inline="always")
def _wrap(v: float) -> float:
    """An angle difference wrapped to [-pi, pi), as ``mcc._ang_diff``."""
    return v + math.pi - TWO_PI * math.floor((v + math.pi) / TWO_PI) - math.pi


@njit(cache=True, nogil=True, inline="always")
def _expit(v: float) -> float:
    if v >= 0.0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
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
        f = e + 1 if e + 1 < h else 0
        abx, aby = hull[f, 0] - hull[e, 0], hull[f, 1] - hull[e, 1]
        apx, apy = px - hull[e, 0], py - hull[e, 1]
        t = min(max((apx * abx + apy * aby) / max(abx * abx + aby * aby, 1e-12), 0.0), 1.0)
        dx, dy = apx - t * abx, apy - t * aby
        if dx * dx + dy * dy <= omega2:
            return True
    return False


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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
    raw = np.empty(nd)
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
            if not in_radius[s]:
                continue
            cx = xy[m, 0] + c * offsets[s, 0] - s_ * offsets[s, 1]
            cy = xy[m, 1] + s_ * offsets[s, 0] + c * offsets[s, 1]
            if not use_hull or not _near_hull(cx, cy, hull, omega * omega):
                continue
            valid[m, s] = True
            raw[:] = 0.0
            for i in range(count):
                t = close[i]
                d2 = (cx - xy[t, 0]) ** 2 + (cy - xy[t, 1]) ** 2
                if d2 <= near2:
                    w = math.exp(d2 * spread) * norm
                    for d in range(nd):
                        raw[d] += w * cd[t, d]
            for d in range(nd):
                # Single precision for the sigmoid: the value is kept as float32 (16 bits at rest) anyway.
                values[m, s * nd + d] = np.float32(1.0) / (np.float32(1.0) + math.exp(np.float32(tau_psi * (mu_psi - raw[d]))))
    return values, valid, neighbours


@njit(cache=True, nogil=True)
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
        for k in range(n):
            if t == k:
                continue
            vax, vay = pa[k, 0] - pa[t, 0], pa[k, 1] - pa[t, 1]
            vbx, vby = pb[k, 0] - pb[t, 0], pb[k, 1] - pb[t, 1]
            d1 = abs(math.hypot(vax, vay) - math.hypot(vbx, vby))
            d2 = abs(_wrap(_wrap(ta[t] - ta[k]) - _wrap(tb[t] - tb[k])))
            ra = _wrap(ta[t] - math.atan2(vay, vax))
            rb = _wrap(tb[t] - math.atan2(vby, vbx))
            d3 = abs(_wrap(ra - rb))
            rho[t, k] = _expit(tau[0] * (d1 - mu[0])) * _expit(tau[1] * (d2 - mu[1])) * _expit(tau[2] * (d3 - mu[2]))
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
