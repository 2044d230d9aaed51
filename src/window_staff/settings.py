"""Typed settings, read once from ``WINDOW_STAFF_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from window_staff.common.forwarded import parse_networks

# Routes declare their body ceilings when the app is built, before settings are read: the face image
# limit may lower this, never raise it (load_settings refuses a larger value).
FACE_IMAGE_LIMIT_MAX = 32 * 1024 * 1024
# A request carrying one face photo at the most: the photo and its multipart framing.
FACE_BODY_LIMIT = FACE_IMAGE_LIMIT_MAX + 64 * 1024


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every knob of the service; the README lists each one with its variable.

    Biometric template key: ``vault_key`` (base64 of 32 bytes) or ``vault_key_file`` (a file holding
    that base64 text, mode 0600); ``vault_key`` wins when both are set. The key never goes into the
    database. Without a key the service still starts and runs everything except biometrics, whose
    enrolment and matching answer 503 ``vault_key_missing``, *unless* the database already holds
    templates: then start-up is refused, as it is for a malformed key or a key that does not open
    the stored templates (a wrong key would otherwise reject every check-in). ``window-staff demo``
    creates ``<data_dir>/vault.key`` when no key is configured.

    Audit key: ``audit_key`` (base64 of 32 bytes) or ``audit_key_file`` (a file holding that base64
    text, mode 0600); ``audit_key`` wins when both are set. It keys the audit chain (HMAC-SHA256) and the
    seals (``row_mac``) of punches, findings, evaluations, ratings, sheets and role grants, and never goes
    into the database. Without a key the service still starts and writes an unkeyed chain and no seals,
    *unless* the database already holds keyed events: then start-up is refused, as it is for a malformed
    key or a key other than the one the chain was made with. ``window-staff demo`` creates
    ``<data_dir>/audit.key`` when no key is configured.

    Chain-head signing key: ``signing_key_file`` is the Ed25519 private key (PEM, PKCS8) that signs
    closed months' chain-head files; when unset, ``<data_dir>/signing.key`` is created (0600) on
    first use. A configured file is never created: a missing, unreadable or non-Ed25519 file answers
    503 ``signing_key_invalid``.

    ``match_policy``: ``face_and_fingerprint`` (default) accepts a check-in only when the face and the
    fingerprint of the same person together reach the fused threshold, each contributing at least its
    floor; ``claimed_fallback`` does the same without a claimed employee number, but with one accepts
    either modality on its own (1:1) when it alone reaches the threshold, for a site whose camera or
    fingerprint reader is out of order. Face-only 1:N is never accepted.

    Face photos (enrolment uploads and check-in ``face`` parts): at most ``face_image_limit_bytes``;
    the size the header declares is checked against ``face_max_pixels`` before any pixel is decoded.
    JPEG is then decoded at 1/2-1/8 scale, and every photo is scaled down to ``face_working_px`` on
    its longest side before detection, so ``face_min_px`` is the face's side in that working image.
    PNG, WebP and BMP cannot be decoded at a reduced scale, so they are held to
    ``face_max_decoded_pixels`` (a 24 MP WebP peaks at ~0.4 GB in an encoder process).
    """

    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    # Reverse proxies whose forwarding headers name the client (addresses or CIDR networks); empty: the TCP peer
    # is the client and X-Forwarded-For / Forwarded are ignored (common/forwarded.py has the rules).
    trusted_proxies: tuple[str, ...] = ()
    log_json: bool = False
    log_level: str = "INFO"
    # SQLite: persistent connections per process (WAL lets readers run beside the one writer).
    sqlite_pool_size: int = 4
    sqlite_busy_timeout_ms: int = 10_000
    pg_pool_min: int = 2
    pg_pool_max: int = 10
    session_ttl_hours: int = 12
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_backoff_base_seconds: int = 30
    login_backoff_max_seconds: int = 300
    page_size_max: int = 200
    body_limit_bytes: int = 1_048_576
    # Fingerprint images (enrolment files and check-in parts); face photos have their own limit below.
    upload_limit_bytes: int = 8_388_608
    face_image_limit_bytes: Annotated[int, msgspec.Meta(ge=1, le=FACE_IMAGE_LIMIT_MAX)] = FACE_IMAGE_LIMIT_MAX
    vault_key: str = ""
    vault_key_file: Path | None = None
    audit_key: str = ""
    audit_key_file: Path | None = None
    signing_key_file: Path | None = None
    face_workers: int = 2
    face_queue: int = 8
    # 9248x6936 (a "64 MP" phone sensor) passes; declared sizes above are refused before decoding.
    face_max_pixels: int = 65_000_000
    # 6000x4000 (24 MP) passes; bounds PNG, WebP and BMP, which are decoded whole.
    face_max_decoded_pixels: int = 25_000_000
    # Measured in bench/face_photos.py: detection at upsample 0 still finds faces of ~60 px, and the
    # encoder aligns faces to a 150 px chip, so a face a tenth of the long side loses nothing here.
    face_working_px: Annotated[int, msgspec.Meta(ge=320)] = 1600
    face_min_px: int = 60
    # The check-in decision: one target false-accept rate per check-in; the fused threshold it implies
    # follows from the calibration file (default: the one shipped, fitted on the development sets)
    # and the site's gallery size, and is recorded on every decision (see docs/DESIGN.md).
    target_far: Annotated[float, msgspec.Meta(gt=0.0, lt=0.01)] = 1e-4
    biometric_calibration: Path | None = None
    match_policy: Literal["face_and_fingerprint", "claimed_fallback"] = "face_and_fingerprint"
    # Fingerprints with fewer valid MCC cylinders are refused at enrolment (impostors score high on them).
    fingerprint_min_cylinders: int = 10
    face_max_templates: int = 5
    fingerprint_max_templates: int = 20
    # What a complete enrolment holds: face photos, fingers, and impressions of each finger.
    face_enrol_photos: int = 2
    fingerprint_enrol_fingers: int = 2
    fingerprint_enrol_impressions: int = 3
    # Minutiae extraction from images: LEADER (learned, default) or NIST mindtct; LEADER runs in its own
    # process pool (up to ~1 GB a worker): workers, and requests in flight before 503.
    fingerprint_extractor: Literal["leader", "mindtct"] = "leader"
    fingerprint_workers: int = 1
    fingerprint_queue: int = 8
    # Spawn and warm the face encoder workers at start-up (tests turn it off: workers start on first use).
    face_pool_warm: bool = True
    # Load every site's templates (faces, built fingerprint templates) at start-up, in the background.
    gallery_warm: bool = True
    # Memory each process keeps for sites' built templates (about 0.6 MB per enrolled person with two fingers of
    # three impressions): past it the sites used least recently are dropped and load again on their next check-in.
    gallery_memory_mb: Annotated[int, msgspec.Meta(ge=1)] = 4096
    rules_dir: Path = Path("rules")
    demo: bool = False
    # Heavy work (computing and closing months) runs as jobs: "in_process" runs them in the web process (the
    # embedded SQLite default, one county), "worker" leaves them to ``window-staff worker`` processes (``serve``
    # starts ``job_workers`` of them beside the web workers; a province runs them on their own hosts too).
    job_runner: Literal["in_process", "worker"] = "in_process"
    job_workers: Annotated[int, msgspec.Meta(ge=0)] = 1
    job_poll_seconds: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    # A running job on another host whose runner has not beaten for this long is run again elsewhere.
    job_stale_seconds: Annotated[int, msgspec.Meta(ge=10)] = 120
    # Workers yield the CPU to check-ins: a month's compute must not slow the morning wave.
    job_worker_nice: Annotated[int, msgspec.Meta(ge=0, le=19)] = 10

    @property
    def resolved_rules_dir(self) -> Path:
        """The rules folder: as configured when absolute or present here, else the one beside the source."""
        if self.rules_dir.is_absolute() or self.rules_dir.is_dir():
            return self.rules_dir
        # A relative default run from another working directory still finds the project's rules.
        return Path(__file__).resolve().parents[2] / self.rules_dir

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'window-staff.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        """True when the engine is the embedded SQLite file."""
        return self.resolved_database_url.startswith("sqlite")


_PREFIX = "WINDOW_STAFF_"


def load_settings(environ: dict[str, str] | None = None, /, **overrides: object) -> Settings:
    """Build settings from an environment mapping (default ``os.environ``) plus explicit overrides."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        value = env.get(_PREFIX + field.name.upper())
        if value is not None and value != "":
            raw[field.name] = value
    raw.update({k: str(v) if isinstance(v, Path) else v for k, v in overrides.items()})
    if isinstance(raw.get("trusted_proxies"), str):
        raw["trusted_proxies"] = [part.strip() for part in str(raw["trusted_proxies"]).split(",") if part.strip()]
    try:
        # strict=False lets "8000" become 8000 and "true" become True, with a clear error otherwise.
        settings = msgspec.convert(raw, Settings, strict=False, dec_hook=_dec_hook)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"invalid setting: {exc} (variables are named {_PREFIX}<FIELD>)") from None
    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as exc:
        raise SystemExit(f"invalid setting {_PREFIX}TRUSTED_PROXIES: {exc} (a comma-separated list)") from None
    return settings


def _dec_hook(type_: type, value: object) -> object:
    if type_ is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the process environment, read once."""
    return load_settings()
