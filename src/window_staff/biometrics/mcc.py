"""Minutia Cylinder-Code (Cappelli, Ferrara, Maltoni, IEEE TPAMI 32(12), 2010) with LSS-R.

Minutiae are taken at 500 dpi in a y-down x/y frame. ISO angles are counter-clockwise *as seen on
the image*, i.e. clockwise in a y-down frame, so they are negated here (the wrong sign gave 22 % EER).
Cylinders are real-valued, flattened to NS*NS*ND vectors with a validity mask, so the local
similarity of all cylinder pairs reduces to four small matrix products. The cells themselves and the
LSS-R relaxation are loops compiled to machine code (``mcc_kernels``); this module keeps the shapes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from window_staff.biometrics.errors import FingerprintQualityTooLow, TemplateFormatError
from window_staff.biometrics.iso19794 import FingerRecord, Minutia

TWO_PI = 2.0 * np.pi


@dataclass(frozen=True, slots=True)
class MccParams:
    """Cylinder and consolidation parameters: the paper's values except where tuned (see below)."""

    min_quality: int = 0  # drop minutiae whose reported ISO quality is below this (0 keeps all)
    radius: float = 70.0
    ns: int = 16
    nd: int = 6
    sigma_s: float = 28.0 / 3.0
    sigma_d: float = 2.0 * np.pi / 9.0
    omega: float = 50.0
    min_vc: float = 0.75
    min_m: int = 2
    mu_psi: float = 0.01
    tau_psi: float = 400.0
    delta_theta: float = np.pi / 2.0
    min_me: float = 0.6
    # Tuned on the FVC2002 B sets (bench/fingerprint_fvc.py, DB2 minutiae before image resampling):
    # the paper's 4/12 and w_r 0.5 gave mean EER 3.09 % (extended impostors 3.61 %), these 2.72 %
    # (3.49 %). The LSS-R mu/tau are the paper's: every variation tried raised the EER.
    min_np: int = 3
    max_np: int = 8
    mu_p: float = 20.0
    tau_p: float = 0.4
    w_r: float = 0.7
    n_rel: int = 5
    mu_1: float = 5.0
    tau_1: float = -1.6
    mu_2: float = np.pi / 12.0
    tau_2: float = -30.0
    mu_3: float = np.pi / 12.0
    tau_3: float = -30.0


DEFAULT_PARAMS = MccParams()


@dataclass(frozen=True, slots=True, eq=False)
class MccTemplate:
    """Valid cylinders of one finger: values (n, L) and their minutiae (x, y, theta)."""

    cylinders: np.ndarray
    xy: np.ndarray
    theta: np.ndarray
    n_minutiae: int

    @property
    def masks(self) -> np.ndarray:
        """Which cells are valid (n, L), 1/0: exactly the non-zero ones (a valid cell is a sigmoid, above 0)."""
        return (self.cylinders > 0).astype(np.float32)

    @property
    def n_valid(self) -> int:
        """Number of valid cylinders."""
        return int(self.cylinders.shape[0])


@dataclass(frozen=True, slots=True, eq=False)
class CompactTemplate:
    """An MCC template as a site keeps it ready: cylinder values as 16-bit fractions of 1, no mask array.

    A valid cell's value is a sigmoid of a non-negative sum, at least expit(-4) = 0.018 (1,180 of 65,535), and an
    invalid one is 0, so the masks are exactly ``cylinders > 0``. A fraction's step, 1.5e-5, is finer than
    float16's near 1 (4.9e-4): on 1,920 FVC2002 B pairs the similarity moved by 2.7e-6 on average and 3.8e-4 at
    most (float16: 4.4e-6 and 1.8e-3). Turning it back into float32 is twenty times quicker than from float16
    (0.03 against 0.63 ms for six impressions), which a check-in does for every impression it compares.
    Memory: 3 KB per valid cylinder plus 24 bytes of geometry, about 100 KB for an impression of 32 valid
    cylinders (the FVC2002 B mean; 69 at most there, 215 KB); the float32 values and masks of ``MccTemplate``
    take four times that.
    """

    cylinders: np.ndarray  # (n, L) uint16, value x 65535
    xy: np.ndarray
    theta: np.ndarray
    n_minutiae: int

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return int(self.cylinders.nbytes + self.xy.nbytes + self.theta.nbytes)

    def expand(self) -> MccTemplate:
        """The template to compare with (float32 values, made for the comparison and dropped after it)."""
        return MccTemplate(self.cylinders * np.float32(1.0 / FRACTION), self.xy, self.theta, self.n_minutiae)


FRACTION = 65535  # a kept cell value is round(value x FRACTION)


def compact(template: MccTemplate) -> CompactTemplate:
    """Keep a built template in a quarter of the memory (see ``CompactTemplate``)."""
    cylinders = np.rint(np.clip(template.cylinders, 0.0, 1.0) * FRACTION).astype(np.uint16)
    cylinders.flags.writeable = False  # shared between concurrent check-ins
    return CompactTemplate(cylinders, template.xy, template.theta, template.n_minutiae)


def _ang_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed difference a - b wrapped to [-pi, pi)."""
    return (a - b + np.pi) % TWO_PI - np.pi


def _sigmoid(v: float, mu: float, tau: float) -> float:
    x = tau * (v - mu)
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@functools.cache
def _kernels() -> ModuleType:
    """The compiled loops, imported at the first build or comparison: numba costs a process about a second and 80 MB,
    which the processes that never match a fingerprint (job workers, most CLI commands) should not pay."""
    from window_staff.biometrics import mcc_kernels

    return mcc_kernels


def _minutiae_array(source: FingerRecord | Sequence[Minutia] | np.ndarray, *, min_quality: int = 0) -> np.ndarray:
    """Return (n, 3) x, y, theta (radians, y-down frame) at 500 dpi."""
    if isinstance(source, np.ndarray):
        return np.asarray(source, dtype=np.float64).reshape(-1, 3)
    sx = sy = 1.0
    if isinstance(source, FingerRecord):
        if not source.views:
            return np.zeros((0, 3))
        # 197 px/cm is the ISO encoding of 500 dpi, so it maps to a scale of exactly 1.
        sx, sy = 197.0 / source.x_resolution, 197.0 / source.y_resolution
        source = source.views[0].minutiae
    # Quality 0 means "not reported", so it never filters a minutia out.
    pts = [(m.x * sx, m.y * sy, -m.angle * TWO_PI / 256.0) for m in source if m.quality == 0 or m.quality >= min_quality]
    arr = np.array(pts, dtype=np.float64).reshape(-1, 3)
    arr[:, 2] %= TWO_PI
    return arr


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Counter-clockwise hull (monotone chain); degenerate sets give a line or a point."""
    return _kernels().convex_hull(np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 2))


def build_template(source: FingerRecord | Sequence[Minutia] | np.ndarray, *, params: MccParams = DEFAULT_PARAMS) -> MccTemplate:
    """Build the MCC template of a record (first view), ISO minutiae, or an (n, 3) x/y/theta array."""
    p = params
    mins = _minutiae_array(source, min_quality=p.min_quality)
    n = mins.shape[0]
    cells = p.ns * p.ns * p.nd
    empty = MccTemplate(np.zeros((0, cells), np.float32), np.zeros((0, 2)), np.zeros(0), n)
    if n == 0:
        return empty
    xy, theta = mins[:, :2], mins[:, 2]
    offsets, in_radius, cells_in_radius = _grid(p)
    values, space_valid, neighbours = _kernels().cylinders(
        np.ascontiguousarray(xy),
        np.ascontiguousarray(theta),
        _convex_hull(xy).reshape(-1, 2),
        offsets,
        in_radius,
        p.nd,
        p.sigma_s,
        p.sigma_d,
        p.omega,
        p.mu_psi,
        p.tau_psi,
        p.radius + 3 * p.sigma_s,
    )
    keep = np.nonzero((space_valid.sum(1) >= p.min_vc * cells_in_radius) & (neighbours >= p.min_m))[0]
    if keep.size == 0:
        return empty
    return MccTemplate(cylinders=values[keep], xy=xy[keep].copy(), theta=theta[keep].copy(), n_minutiae=n)


@functools.lru_cache(maxsize=8)
def _grid(p: MccParams) -> tuple[np.ndarray, np.ndarray, int]:
    """The cylinder's cell centres before rotation (S, 2), which lie within its radius, and how many: constants of ``p``."""
    delta_s = 2.0 * p.radius / p.ns
    idx = np.arange(1, p.ns + 1) - (p.ns + 1) / 2.0
    gi, gj = np.meshgrid(idx, idx, indexing="ij")
    offsets = delta_s * np.stack([gi.ravel(), gj.ravel()], axis=1)
    in_radius = (offsets**2).sum(1) <= p.radius**2
    offsets.flags.writeable = in_radius.flags.writeable = False  # shared by every build
    return offsets, in_radius, int(in_radius.sum())


def check_enrolable(template: MccTemplate, *, min_valid_cylinders: int) -> None:
    """Raise FingerprintQualityTooLow when the template has too few valid cylinders to enrol."""
    if template.n_valid < min_valid_cylinders:
        raise FingerprintQualityTooLow(
            f"only {template.n_valid} usable minutiae regions (need {min_valid_cylinders}): touch the sensor again",
            valid_cylinders=template.n_valid,
        )


def _local(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...], p: MccParams) -> np.ndarray:
    """Local similarities of cylinders given as (values, valid spatial cells, their squares, theta) each."""
    ca, ma, sa, ta = a
    cb, mb, sb, tb = b
    cells = ca.shape[1]
    # A cell's validity is its spatial cell's, repeated over the nd direction bins: the count and the two
    # norms are products over the ns*ns spatial cells (nd times fewer operations), only the cross term needs all.
    count = (ma @ mb.T) * p.nd
    # ||ca|ab - cb|ab||^2 expanded so that each term is one matrix product over the common cells.
    na2 = sa @ mb.T
    nb2 = ma @ sb.T
    cross = ca @ cb.T
    diff = np.sqrt(np.maximum(na2 + nb2 - 2.0 * cross, 0.0))
    denom = np.sqrt(na2) + np.sqrt(nb2)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(denom > 0, 1.0 - diff / denom, 0.0)
    ok = (count >= p.min_me * cells) & (np.abs(_ang_diff(ta[:, None], tb[None, :])) <= p.delta_theta)
    return np.where(ok, sim, 0.0).astype(np.float64)


def _prepared(template: MccTemplate, p: MccParams) -> tuple[np.ndarray, ...]:
    return (*_kernels().unpack(template.cylinders, p.nd, 1.0), template.theta)


def local_similarities(a: MccTemplate, b: MccTemplate, *, params: MccParams = DEFAULT_PARAMS) -> np.ndarray:
    """Cylinder-to-cylinder similarity matrix (nA, nB), 0 where not matchable."""
    return _local(_prepared(a, params), _prepared(b, params), params)


def similarities(probe: MccTemplate, others: Sequence[CompactTemplate], *, params: MccParams = DEFAULT_PARAMS) -> list[float]:
    """``similarity`` of one probe with each of several kept templates, their cylinders compared in one product."""
    if not others:
        return []
    if probe.n_valid == 0:
        return [0.0] * len(others)
    # One matrix product for all of them: a check-in compares its probe with every impression of up to five people.
    values, valid, squares = _kernels().unpack(np.concatenate([t.cylinders for t in others]), params.nd, 1.0 / FRACTION)
    gamma = _local(_prepared(probe, params), (values, valid, squares, np.concatenate([t.theta for t in others])), params)
    out, start = [], 0
    for t in others:
        n = t.cylinders.shape[0]
        relaxed = _relax(gamma[:, start : start + n], (probe.xy, probe.theta), (t.xy, t.theta), params) if n else 0.0
        out.append(float(min(1.0, max(0.0, relaxed))))
        start += n
    return out


def _n_pairs(n_r: int, p: MccParams) -> int:
    z = _sigmoid(n_r, p.mu_p, p.tau_p)
    return int(p.min_np + round(float(z) * (p.max_np - p.min_np)))


def _relax(gamma: np.ndarray, a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], p: MccParams) -> float:
    """LSS-R: relax the top pairs by their geometric compatibility, score the most efficient ones (a, b: xy and theta)."""
    n_r = min(gamma.shape)
    flat = gamma.ravel()
    top = np.argpartition(-flat, n_r - 1)[:n_r] if n_r < flat.size else np.arange(flat.size)
    ia, ib = np.unravel_index(top, gamma.shape)
    lam0 = flat[top]
    n_p = min(_n_pairs(n_r, p), n_r)
    if n_r < 2:
        return float(lam0.mean()) if n_r else 0.0
    mu, tau = (p.mu_1, p.mu_2, p.mu_3), (p.tau_1, p.tau_2, p.tau_3)
    lam = _kernels().relax(lam0.astype(np.float64), a[0][ia], a[1][ia], b[0][ib], b[1][ib], p.w_r, p.n_rel, mu, tau)
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(lam0 > 0, lam / lam0, 0.0)
    best = np.argsort(-eff, kind="stable")[:n_p]
    return float(lam[best].mean())


def similarity(a: MccTemplate, b: MccTemplate, *, params: MccParams = DEFAULT_PARAMS) -> float:
    """Global MCC similarity in [0, 1] (LSS-R); 0 when either template has no valid cylinder."""
    if a.n_valid == 0 or b.n_valid == 0:
        return 0.0
    gamma = local_similarities(a, b, params=params)
    return float(min(1.0, max(0.0, _relax(gamma, (a.xy, a.theta), (b.xy, b.theta), params))))


def warm_up() -> None:
    """Load the compiled loops (compiling them on an install's first use) by building and comparing a small template."""
    rng = np.random.default_rng(0)
    minutiae = np.column_stack([rng.uniform(100, 300, 24), rng.uniform(100, 300, 24), rng.uniform(0, TWO_PI, 24)])
    template = build_template(minutiae)
    similarities(template, [compact(template)])


_MAGIC = b"MCC1"
_HEAD = struct.Struct(">4sHHHI")


def to_bytes(template: MccTemplate) -> bytes:
    """Pack a template compactly (cylinder values as uint8, masks as bits) for caching."""
    n, cells = template.cylinders.shape
    q = np.round(np.clip(template.cylinders, 0, 1) * 255).astype(np.uint8)
    bits = np.packbits(template.masks > 0.5, axis=1)
    geo = np.concatenate([template.xy, template.theta[:, None]], axis=1).astype(">f4")
    return _HEAD.pack(_MAGIC, n, cells, template.n_minutiae, 0) + q.tobytes() + bits.tobytes() + geo.tobytes()


def from_bytes(data: bytes) -> MccTemplate:
    """Unpack a template written by ``to_bytes``."""
    if len(data) < _HEAD.size:
        raise TemplateFormatError("MCC template truncated at byte 0")
    magic, n, cells, n_min, _ = _HEAD.unpack_from(data)
    if magic != _MAGIC:
        raise TemplateFormatError("MCC template: bad magic at byte 0")
    nbits = (cells + 7) // 8
    expected = _HEAD.size + n * cells + n * nbits + n * 12
    if len(data) != expected:
        raise TemplateFormatError(f"MCC template: {len(data)} bytes, expected {expected}")
    pos = _HEAD.size
    q = np.frombuffer(data, np.uint8, n * cells, pos).reshape(n, cells)
    pos += n * cells
    bits = np.frombuffer(data, np.uint8, n * nbits, pos).reshape(n, nbits)
    pos += n * nbits
    geo = np.frombuffer(data, ">f4", n * 3, pos).reshape(n, 3).astype(np.float64)
    masks = np.unpackbits(bits, axis=1, count=cells).astype(np.float32)
    return MccTemplate((q.astype(np.float32) / 255.0) * masks, geo[:, :2].copy(), geo[:, 2].copy(), n_min)


_COMPACT_MAGIC = b"MCH2"  # MCH1 kept float16 values (and was built by the array form)
_COMPACT_HEAD = struct.Struct("<4sHHH")


def params_version(params: MccParams) -> str:
    """The compact format and every parameter, in 17 characters (what a stored built template records)."""
    digest = hashlib.sha256(repr(dataclasses.astuple(params)).encode()).hexdigest()[:12]
    return f"{_COMPACT_MAGIC.decode()}-{digest}"


# What a stored built template was made with: the compact format and every MCC parameter. A stored template of
# another version is built again from the raw record (and stored again), so a change of MccParams takes effect.
PARAMS_VERSION = params_version(DEFAULT_PARAMS)


def compact_to_bytes(template: CompactTemplate) -> bytes:
    """Pack a compact template exactly (16-bit values, float64 geometry): what it unpacks to scores as the built one."""
    n, cells = template.cylinders.shape
    geo = np.concatenate([template.xy.reshape(n, 2), template.theta.reshape(n, 1)], axis=1).astype("<f8")
    head = _COMPACT_HEAD.pack(_COMPACT_MAGIC, n, cells, min(template.n_minutiae, 0xFFFF))
    return head + template.cylinders.astype("<u2").tobytes() + geo.tobytes()


def compact_from_bytes(data: bytes) -> CompactTemplate:
    """Unpack a template written by ``compact_to_bytes`` (TemplateFormatError when it is not one)."""
    if len(data) < _COMPACT_HEAD.size:
        raise TemplateFormatError("compact MCC template truncated at byte 0")
    magic, n, cells, n_min = _COMPACT_HEAD.unpack_from(data)
    if magic != _COMPACT_MAGIC:
        raise TemplateFormatError("compact MCC template: bad magic at byte 0")
    expected = _COMPACT_HEAD.size + n * cells * 2 + n * 24
    if len(data) != expected:
        raise TemplateFormatError(f"compact MCC template: {len(data)} bytes, expected {expected}")
    pos = _COMPACT_HEAD.size
    cylinders = np.frombuffer(data, "<u2", n * cells, pos).reshape(n, cells).astype(np.uint16)
    cylinders.flags.writeable = False  # shared between concurrent check-ins, as ``compact`` leaves it
    geo = np.frombuffer(data, "<f8", n * 3, pos + n * cells * 2).reshape(n, 3).astype(np.float64)
    return CompactTemplate(cylinders, geo[:, :2].copy(), geo[:, 2].copy(), n_min)
