"""The record of exports: what left the vault, when, in what form and where (sealed too)."""

from __future__ import annotations

from typing import Any

from .clock import parse_stamp
from .models import ExportRecord
from .rows import Rows

TABLE = "exports"


def record_of(plain: dict[str, Any], secret: dict[str, Any]) -> ExportRecord:
    data = secret["data"]
    return ExportRecord(id=plain["id"], created_at=parse_stamp(plain["created_at"]),
                        kind=data["kind"], format=data["format"],
                        destination=data["destination"], scope=data["scope"],
                        count=data["count"])


class ExportLog:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def record(self, *, kind: str, format: str, destination: str, scope: str,
               count: int) -> ExportRecord:
        data = {"kind": kind, "format": format, "destination": destination, "scope": scope,
                "count": count}
        with self.rows.write():
            plain = self.rows.insert(TABLE, {"data": data})
        return record_of(plain, {"data": data})

    def all(self) -> list[ExportRecord]:
        found: list[ExportRecord] = self.rows.select(TABLE, order="created_at", convert=record_of)
        return found
