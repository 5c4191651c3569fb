"""Route constants and URL builders."""

INDEX = "/"
LOGIN = "/login"
SIGNUP = "/signup"
JOIN = "/join"
TEAM = "/team"
NOTIFICATIONS = "/notifications"  # both portals: the caller's inbox and email preferences
ACCOUNT = "/account"  # the caller's own sign-in: address, password, second factor, sessions
SECURITY = "/security"  # admins: the organization's security policy and security events
VERIFY_EMAIL = "/verify-email"  # ?token=...: the link mailed to prove an address
FORGOT_PASSWORD = "/forgot-password"  # noqa: S105 - a route; asks for the address to mail a reset link to
RESET_PASSWORD = "/reset-password"  # noqa: S105 - a route; ?token=...: the mailed link, to choose a new password


class Consultant:
    LEADS = "/c/leads"
    REFERRALS = "/c/referrals"
    PROVIDERS = "/c/providers"
    DEALS = "/c/deals"
    SETTINGS = "/c/settings"
    LEAD = "/c/leads/[lead_id]"
    REFERRAL = "/c/referrals/[lead_id]"
    DEAL = "/c/deals/[deal_id]"
    PROVIDER = "/c/providers/[partnership_id]"
    LEADS_IMPORT = "/c/leads/import"
    DEALS_IMPORT = "/c/deals/import"
    DASHBOARD = "/c/dashboard"
    COMMISSIONS = "/c/commissions"
    SCORECARD = "/c/scorecard"
    LIBRARY = "/c/library"  # the providers' content the partner's audiences allow
    FUNDS = "/c/funds"  # market development funds: balances, requests, claims
    AUDIT = "/c/audit"  # admins: the organization's audit log and full export
    PRIVACY = "/c/privacy"  # admins: personal-data requests, consent and retention
    HOME = LEADS


class Provider:
    PARTNERS = "/p/partners"
    LEADS = "/p/leads"
    REFERRALS = "/p/referrals"
    DEALS = "/p/deals"
    SETTINGS = "/p/settings"
    LEAD = "/p/leads/[lead_id]"
    REFERRAL = "/p/referrals/[lead_id]"
    DEAL = "/p/deals/[deal_id]"
    PARTNER = "/p/partners/[partnership_id]"
    REFERRALS_IMPORT = "/p/referrals/import"
    DEALS_IMPORT = "/p/deals/import"
    DASHBOARD = "/p/dashboard"
    COMMISSIONS = "/p/commissions"
    APPLICATIONS = "/p/applications"  # applications to the partner program, and its public pages
    ONBOARDING = "/p/onboarding"  # agreements and the onboarding checklist
    SCORECARD = "/p/scorecard"
    LIBRARY = "/p/library"  # the content library: files and links, audiences, counts
    FUNDS = "/p/funds"  # market development funds: budgets, allocations, decisions
    AUDIT = "/p/audit"  # admins: the organization's audit log and full export
    PRIVACY = "/p/privacy"  # admins: personal-data requests, consent and retention
    HOME = PARTNERS


# HTTP routes served by the backend (see http_api.py).
AUTH_PREFIX = "/auth"  # the pre-sign-in nonce cookie is sent to these routes only
AUTH_NONCE = "/auth/nonce"
AUTH_SESSION = "/auth/session"
AUTH_SIGNOUT = "/auth/signout"
IMPORT_ERRORS = "/files/imports/{batch_id}/errors.csv"
EXPORT = "/files/exports/{list_name}.csv"
LEDGER_FILE = "/files/ledger/{name}.csv"  # statement or payouts
SECURITY_EVENTS_FILE = "/files/security/events.csv"  # admins: the organization's log
AUDIT_FILE = "/files/audit/log.csv"  # admins: the organization's audit log, filtered
FULL_EXPORT_FILE = "/files/audit/exports/{export_id}.zip"  # admins, once: the full export
AGREEMENT_FILE = "/files/agreements/{version_id}"  # a version as published
SIGNED_AGREEMENT_FILE = "/files/agreements/signed/{acceptance_id}"  # with its acceptance
LIBRARY_FILE = "/files/library/{item_id}"  # a library file, or a link followed (logged)
MDF_FILE = "/files/mdf/{name}.csv"  # requests or balances
MDF_RECEIPT = "/files/mdf/receipts/{receipt_id}"  # a claim's receipt, for its two organizations
LEAD_FORM = "/forms/{token}"  # a provider's public web-to-lead form
LEAD_FORM_THANKS = "/forms/{token}/thanks"
APPLY = "/apply/{slug}"  # a provider's public "Become a partner" page (services.program)
APPLY_CONFIRM = "/apply/{slug}/confirm"  # ?token=...: the link mailed to the applicant
APPLY_THANKS = "/apply/{slug}/thanks"
LOCATOR = "/partners/{slug}"  # a provider's public partner locator
LOCATOR_CONTACT = "/partners/{slug}/{listing_id}/contact"  # "contact this partner"


def file_url(path: str) -> str:
    """A file served by the backend (downloads), as the browser reaches it."""
    from reflex.config import get_config

    return f"{get_config().api_url}{path}"


def import_errors(batch_id: int) -> str:
    return IMPORT_ERRORS.format(batch_id=batch_id)


def export(list_name: str) -> str:
    return EXPORT.format(list_name=list_name)


def ledger_file(name: str) -> str:
    return LEDGER_FILE.format(name=name)


def mdf_file(name: str) -> str:
    return MDF_FILE.format(name=name)


def mdf_receipt(receipt_id: int) -> str:
    return MDF_RECEIPT.format(receipt_id=receipt_id)


def full_export_file(export_id: int) -> str:
    return FULL_EXPORT_FILE.format(export_id=export_id)


def agreement_file(version_id: int) -> str:
    return AGREEMENT_FILE.format(version_id=version_id)


def signed_agreement_file(acceptance_id: int) -> str:
    return SIGNED_AGREEMENT_FILE.format(acceptance_id=acceptance_id)


def library_file(item_id: int) -> str:
    return LIBRARY_FILE.format(item_id=item_id)


def lead_form(token: str) -> str:
    return LEAD_FORM.format(token=token)


def lead_form_thanks(token: str) -> str:
    return LEAD_FORM_THANKS.format(token=token)


def apply(slug: str) -> str:
    return APPLY.format(slug=slug)


def apply_confirm(slug: str) -> str:
    return APPLY_CONFIRM.format(slug=slug)


def apply_thanks(slug: str) -> str:
    return APPLY_THANKS.format(slug=slug)


def locator(slug: str) -> str:
    return LOCATOR.format(slug=slug)


def locator_contact(slug: str, listing_id: int) -> str:
    return LOCATOR_CONTACT.format(slug=slug, listing_id=listing_id)


def home_for(org_kind: str) -> str:
    """Where a signed-in user of this kind of organization lands."""
    return Provider.HOME if org_kind == "provider" else Consultant.HOME


def deal_page(org_kind: str, deal_id: int) -> str:
    """A deal's detail page in the portal of this kind of organization."""
    deals = Provider.DEALS if org_kind == "provider" else Consultant.DEALS
    return f"{deals}/{deal_id}"


def join_link(origin: str, token: str) -> str:
    return f"{origin}{JOIN}?token={token}"


def partner_signup_link(origin: str, token: str) -> str:
    """Sign-up link of a firm invited by email into a provider's partner program."""
    return f"{origin}{SIGNUP}?invite={token}"
