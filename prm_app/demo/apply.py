"""The partner program's public side: Northwind's pages on (/apply/northwind and
/partners/northwind), Fabrikam listed on its locator (Tailspin may opt in), and applications
in the queue (one a duplicate of Fabrikam, one already declined)."""

from sqlmodel import select

from ..models import (
    ApplicationStatus,
    PartnerApplication,
    Partnership,
    Role,
    TermKind,
)
from ..services import program
from ..services.customers.keys import customer_keys
from .context import Demo

LISTINGS = (
    ("fabrikam", "ERP rollouts for mid-sized manufacturers, from design to go-live.", "Ireland"),
)
# (firm, name, email, country, days ago, status, reason)
APPLICATIONS = (
    ("Litware Inc.", "Lena Ware", "lena@litware.example", "Germany", 2, "pending", ""),
    ("Fabrikam Labs", "Ray Labs", "ray@fabrikam.example", "Ireland", 1, "pending", ""),
    (
        "Wingtip Toys",
        "Wes Tip",
        "wes@wingtip.example",
        "Spain",
        9,
        "rejected",
        "We only recruit software consultancies.",
    ),
)


def create_program_pages(demo: Demo) -> None:
    northwind = demo.actor("northwind", Role.ADMIN)
    program.set_program(
        demo.session,
        actor=northwind,
        slug="northwind",
        applications_open=True,
        locator_published=True,
    )
    products = [demo.term("northwind", TermKind.PRODUCT, "Northwind ERP Cloud")]
    for key, description, country in LISTINGS:
        partnership_id = demo.session.exec(
            select(Partnership.id).where(
                Partnership.provider_org_id == demo.org_id("northwind"),
                Partnership.consultant_org_id == demo.org_id(key),
            )
        ).one()
        program.save_listing(
            demo.session,
            actor=demo.actor(key, Role.ADMIN),
            partnership_id=partnership_id,
            published=True,
            description=description,
            website=f"https://{key}.example",
            country=country,
            product_ids=products,
        )
    reseller = demo.term("northwind", TermKind.PARTNER_TYPE, "Reseller")
    for firm, name, email, country, days, status, reason in APPLICATIONS:
        firm_norm, domain = customer_keys(firm, email)
        demo.session.add(
            PartnerApplication(
                provider_org_id=demo.org_id("northwind"),
                status=ApplicationStatus(status),
                firm=firm,
                name=name,
                email=email,
                country=country,
                partner_type_id=reseller,
                message="We would like to offer Northwind to our customers.",
                firm_norm=firm_norm,
                email_domain=domain,
                created_at=demo.ago(days),
                confirmed_at=demo.ago(days),
                decided_at=demo.ago(days - 1) if reason else None,
                decided_by_id=northwind.user_id if reason else None,
                reason=reason,
            )
        )
