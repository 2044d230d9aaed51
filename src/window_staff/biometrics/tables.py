"""Biometric tables, kept apart from identity tables: consent records, sealed templates, gallery versions."""

from piccolo.columns import Bytea, ForeignKey, Integer, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from window_staff.org.tables import Site, Staff


class BiometricConsent(Table, tablename="biometric_consent"):
    """One consent per staff member and modality (PIPL art. 28-29); withdrawal closes it, never deletes it."""

    staff = ForeignKey(Staff)
    modality = Varchar(length=16)  # face | fingerprint
    notice_version = Varchar(length=32)
    granted_at = Timestamptz(default=TimestamptzNow())
    recorded_by = Varchar(length=120)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by = Varchar(length=120, null=True, default=None)
    withdrawal_reason = Varchar(length=16, null=True, default=None)  # withdrawn | left


class BiometricTemplate(Table, tablename="biometric_template"):
    """One sealed template: a face encoding or a one-view ISO 19794-2 record, AES-256-GCM encrypted."""

    staff = ForeignKey(Staff)
    modality = Varchar(length=16)
    # Fingerprints: ISO finger position (0-10) and impression number per position; null for faces.
    finger_position = SmallInt(null=True, default=None)
    impression = SmallInt(null=True, default=None)
    # Template format version; part of the ciphertext's associated data.
    version = SmallInt(default=1)
    ciphertext = Bytea()
    nonce = Bytea()
    minutiae_count = SmallInt(null=True, default=None)
    valid_cylinders = SmallInt(null=True, default=None)
    quality = SmallInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=120, default="")
    # Fingerprints: the impression's MCC template as built (mcc.compact_to_bytes, zlib), sealed like the record and bound
    # to it; ``built_version`` is mcc.PARAMS_VERSION when it was built. A site's gallery load reads it instead of
    # building it (~7 ms an impression). Null for faces and for impressions not built yet (enrolled before m0018).
    built = Bytea(null=True, default=None)
    built_nonce = Bytea(null=True, default=None)
    built_version = Varchar(length=32, null=True, default=None)


class GalleryVersion(Table, tablename="gallery_version"):
    """Bumped whenever a template of someone at the site changes, so each process reloads its gallery."""

    site = ForeignKey(Site, unique=True)
    version = Integer(default=0)


TABLES = [BiometricConsent, BiometricTemplate, GalleryVersion]
