"""Test data for service transactions (办件): a site with a window and two staff, CSV rows and files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from tests.factories import make_staff, make_window, n
from window_staff.common.context import AppContext
from window_staff.evaluations.domain_metrics import COLUMNS
from window_staff.evaluations.tables import ImportBatch, ServiceTransaction
from window_staff.org import service as org
from window_staff.org.schemas import SiteIn, SiteOut, StaffOut, WindowOut


@dataclass
class Scene:
    """A site, one of its windows and two staff members posted there."""

    site: SiteOut
    window: WindowOut
    staff: StaffOut
    other: StaffOut

    def row(self, external_id: str, **changes: str) -> dict[str, str]:
        """A good row (received 3 March 2025 09:00 local, promised the 5th, done on the spot), with ``changes``."""
        values = {
            "external_id": external_id,
            "item": "营业执照设立登记",
            "site_code": self.site.code,
            "window_number": self.window.number,
            "employee_no": self.staff.employee_no,
            "received_at": "2025-03-03 09:00",
            "promised_at": "2025-03-05 17:00",
            "completed_at": "2025-03-03 09:30",
            "onsite": "1",
        }
        values.update(changes)
        return values


async def make_scene(ctx: AppContext, *, timezone: str = "Asia/Shanghai", hired_on: date = date(2020, 1, 1)) -> Scene:
    """A site in ``timezone`` with a window and two staff."""
    i = n()
    site = await org.create_site(ctx, SiteIn(code=f"GY{i}", name=f"中心{i}", kind="county_centre", timezone=timezone), actor="test")
    window = await make_window(ctx, site_id=site.id)
    return Scene(
        site=site,
        window=window,
        staff=await make_staff(ctx, window=window, hired_on=hired_on),
        other=await make_staff(ctx, window=window, hired_on=hired_on),
    )


def csv_bytes(rows: list[dict[str, str]], *, bom: bool = False, columns: tuple[str, ...] = COLUMNS) -> bytes:
    """A CSV file of ``rows`` with a header (optionally with a UTF-8 BOM, as Excel writes it)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


async def stored_counts() -> tuple[int, int]:
    """(transactions, import batches) in the database."""
    return await ServiceTransaction.count(), await ImportBatch.count()
