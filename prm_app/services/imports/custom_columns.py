"""The custom columns of an export: one per field the exporter sees on the list's records, each
cell read through the fields its organization sees on that record (services.custom_fields)."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from ...models import Organization
from .. import custom_fields as cf
from ..custom_fields.access import partner_org_ids
from ..custom_fields.batch import Record, fields_per_record


class CustomColumns:
    """The columns of the fields of `entities` that `viewer_org_id` sees on any record."""

    def __init__(self, session: Session, viewer_org_id: int, entities: Iterable[str]):
        self.session, self.viewer = session, viewer_org_id
        others = partner_org_ids(session, viewer_org_id)
        self.fields = [
            field
            for entity in sorted(set(entities))
            for field in cf.for_viewer(
                session, viewer_org_id=viewer_org_id, entity=entity, counterpart_org_ids=others
            )
        ]
        self.header = self._names()

    def cells(self, records: Sequence[Record], customs: Sequence[Any]) -> list[list[str]]:
        """Each record's cells (its `custom` as its fields for the viewer show it; "" for a
        column that is not one of its fields)."""
        if not self.fields:
            return [[] for _ in records]
        per = fields_per_record(self.session, viewer_org_id=self.viewer, records=records)
        rows = []
        for fields, custom in zip(per, customs, strict=True):
            shown = cf.texts(fields, custom)
            rows.append([shown.get(f.name, "") for f in self.fields])
        return rows

    def _names(self) -> list[str]:
        """Each field's label; a label that two fields share names its organization too."""
        counts: dict[str, int] = {}
        for field in self.fields:
            counts[field.label.casefold()] = counts.get(field.label.casefold(), 0) + 1
        orgs = dict(
            self.session.exec(
                select(Organization.id, Organization.name).where(
                    col(Organization.id).in_({f.org_id for f in self.fields})
                )
            ).all()
        )
        return [
            f"{f.label} ({orgs.get(f.org_id, '')})" if counts[f.label.casefold()] > 1 else f.label
            for f in self.fields
        ]
