"""Custom fields of every kind and access, with values on the demo's records, so every page
that shows them has something to show."""

from sqlmodel import col, select

from ..models import Deal, FieldEntity, Lead, LeadDirection, LeadRecipient, Partnership
from ..services import custom_fields as cf
from .context import Demo

# (org, entity, label, type, partner access, internal access, options, section, help)
FIELDS = (
    # Optional, so that the demo's (and the tests') lead forms work as they did; a required
    # field is one an admin adds (tests/e2e add their own).
    ("northwind", "lead", "Industry", "select", "editable", "editable",
     "Retail\nBanking\nManufacturing\nHealthcare", "Qualification", "The customer's sector."),
    ("northwind", "lead", "Budget", "money", "editable", "editable", "", "Qualification", ""),
    ("northwind", "lead", "Decision date", "date", "visible", "editable", "", "Qualification", ""),
    ("northwind", "lead", "Internal score", "number", "hidden", "editable", "", "", "0 to 100."),
    ("northwind", "referral", "Referral notes", "long_text", "editable", "editable", "", "", ""),
    ("northwind", "deal", "Contract term (months)", "number", "visible", "editable", "", "", ""),
    ("northwind", "deal", "Competitors", "multi_select", "editable", "editable",
     "Acme\nGlobex\nInitech", "", "Who else the customer is looking at."),
    ("northwind", "deal", "NDA signed", "checkbox", "hidden", "editable", "", "", ""),
    ("northwind", "partner", "Certified", "checkbox", "visible", "editable", "", "", ""),
    ("northwind", "partner", "Partner website", "url", "editable", "editable", "", "", ""),
    ("northwind", "partner", "Account health", "select", "hidden", "editable",
     "Good\nAt risk", "", ""),
    ("contoso", "lead", "Employees", "number", "editable", "editable", "", "", ""),
    ("contoso", "lead", "Campaign", "text", "visible", "editable", "", "", ""),
    ("fabrikam", "lead", "Internal priority", "select", "hidden", "editable",
     "High\nNormal\nLow", "", "Only Fabrikam sees this."),
    ("fabrikam", "partner", "Alliance contact", "email", "hidden", "editable", "", "", ""),
)  # fmt: skip

# Values by field label, cycled over the records that have the field.
VALUES: dict[str, tuple[object, ...]] = {
    "Industry": ("Retail", "Banking", "Manufacturing", "Healthcare"),
    "Budget": ("25000", "80000", "", "120000"),
    "Decision date": ("2027-01-15", "", "2027-03-31"),
    "Internal score": ("72", "40", "90"),
    "Referral notes": ("Met at the spring conference; wants a demo in March.",),
    "Contract term (months)": ("12", "24", "36"),
    "Competitors": (["Acme"], ["Acme", "Globex"], []),
    "NDA signed": (True, False),
    "Certified": (True, False),
    "Partner website": ("https://fabrikam.example", "https://tailspin.example"),
    "Account health": ("Good", "At risk"),
    "Employees": ("250", "1200"),
    "Campaign": ("Spring webinar", "Partner summit"),
    "Internal priority": ("High", "Normal", "Low"),
    "Alliance contact": ("alliances@northwind.example", "partners@contoso.example"),
}


def create_custom_fields(demo: Demo) -> None:
    """Define the fields (as each organization's admin) and give the records values, written
    through each owner's own fields as any edit is."""
    for org, entity, label, kind, partner, internal, options, section, help_text in FIELDS:
        cf.add_field(
            demo.session,
            actor=demo.actor(org),
            entity=entity,
            label=label,
            type=kind,
            options=options,
            section=section,
            help_text=help_text,
            internal_access=internal,
            partner_access=partner,
        )
    for org in ("northwind", "contoso", "fabrikam"):
        for entity in FieldEntity:
            _fill(demo, org, entity)


def _fill(demo: Demo, org: str, entity: FieldEntity) -> None:
    org_id = demo.org_id(org)
    fields = [f for f in cf.for_viewer(demo.session, viewer_org_id=org_id, entity=entity) if f.own]
    if not fields:
        return
    for index, record in enumerate(_records(demo, org_id, entity)):
        values = {f.name: VALUES[f.label][index % len(VALUES[f.label])] for f in fields}
        written = cf.write(fields, record.custom, values, complete=False)
        record.custom = written.custom
        demo.session.add(record)


def _records(demo: Demo, org_id: int, entity: FieldEntity) -> list:
    session = demo.session
    if entity == FieldEntity.DEAL:
        return list(session.exec(select(Deal).where(Deal.provider_org_id == org_id)))
    if entity == FieldEntity.PARTNER:
        side = col(Partnership.provider_org_id) == org_id
        side = side | (col(Partnership.consultant_org_id) == org_id)
        return list(session.exec(select(Partnership).where(side).order_by(col(Partnership.id))))
    if entity == FieldEntity.REFERRAL:
        query = select(Lead).where(
            Lead.origin_org_id == org_id, Lead.direction == LeadDirection.PROVIDER_TO_PARTNER
        )
        return list(session.exec(query.order_by(col(Lead.id))))
    received = select(LeadRecipient.lead_id).where(LeadRecipient.org_id == org_id)
    query = select(Lead).where(
        Lead.direction == LeadDirection.PARTNER_TO_PROVIDER,
        col(Lead.id).in_(received) | (Lead.origin_org_id == org_id),
    )
    return list(session.exec(query.order_by(col(Lead.id))))
