"""The partner program's public pages: plain server-rendered HTML, like the web-to-lead forms
(prm_app.web_forms: the same headers, body limits, honeypot and signed served time).

GET/POST /apply/{slug}: a provider's "Become a partner" form (services.program.applications);
POST answers 303 to the thanks page, or the form again with the problems (400) or the rate limit
(429). GET /apply/{slug}/confirm?token=: the applicant's mailed link. GET /partners/{slug}: the
partner locator, filtered by a GET form; GET/POST /partners/{slug}/{listing_id}/contact: the
"contact this partner" form (services.program.locator). A closed page or an unknown slug or
listing is 404, whatever the reason.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from . import client_address, routes
from .models import FieldType
from .services import program
from .services.core import channel, public_forms
from .services.core.errors import Invalid, NotFound
from .services.core.unit_of_work import unit_of_work
from .services.custom_fields import FieldAccess
from .services.identity.rate_limits import TooMany
from .services.program import applications, locator
from .web_forms import MAX_ECHO, form_pairs, page

PUBLIC = channel.public_form("partner program pages")  # how the audit log names these changes


@contextmanager
def _public() -> Iterator[Session]:
    """A unit of work of these pages: the audit log says their changes came from them."""
    with unit_of_work() as session:
        channel.acting(session, PUBLIC)
        yield session


CONTACT = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "phone": "Phone",
    "notes": "Message",
}
CONTACT_REQUIRED = {"first_name", "last_name", "email", "company"}
EXTRA_STYLE = (
    "<style>select{width:100%;padding:.5rem;font:inherit}.card{border:1px solid #ddd;"
    "border-radius:8px;padding:1rem;margin:1rem 0}.muted{color:#60646c}"
    ".filters{display:flex;flex-wrap:wrap;gap:.5rem}.filters label{margin:.25rem 0}"
    ".checks label{font-weight:400;display:flex;gap:.5rem;align-items:center}"
    ".checks input{width:auto}</style>"
)


def _gone(error: NotFound) -> HTMLResponse:
    return page("Page not found", f"<p>{escape(str(error))}</p>", 404)


# applications ----------------------------------------------------------------------------------


async def show_apply(request: Request) -> HTMLResponse:
    """GET /apply/{slug}."""
    try:
        with _public() as session:
            form = program.apply_page(session, slug=request.path_params["slug"])
    except NotFound as error:
        return _gone(error)
    return _apply_page(form, [], {}, 200)


async def take_application(request: Request) -> HTMLResponse | RedirectResponse:
    """POST /apply/{slug}: 303 to the thanks page, else the form again with the problems."""
    slug = request.path_params["slug"]
    pairs = await form_pairs(request)
    if isinstance(pairs, HTMLResponse):
        return pairs
    try:
        with _public() as session:
            program.submit(session, slug=slug, form=pairs, client=client_address.of(request))
    except NotFound as error:
        return _gone(error)
    except Invalid as error:
        problems = error.problems or {"": str(error)}
        try:
            with _public() as session:
                form = program.apply_page(session, slug=slug)
        except NotFound as gone:
            return _gone(gone)
        return _apply_page(form, pairs, problems, 429 if isinstance(error, TooMany) else 400)
    return RedirectResponse(routes.apply_thanks(slug), status_code=303)


async def apply_thanks(request: Request) -> HTMLResponse:
    """GET /apply/{slug}/thanks."""
    return page(
        "Check your inbox",
        "<h1>Thank you!</h1><p>We sent you an email: open its link to confirm your address, "
        "and your application goes to the team for review.</p>",
        200,
    )


async def confirm_application(request: Request) -> HTMLResponse:
    """GET /apply/{slug}/confirm?token=: the applicant's mailed link."""
    try:
        with _public() as session:
            provider = program.confirm(
                session,
                slug=request.path_params["slug"],
                token=request.query_params.get("token"),
            )
    except NotFound as error:
        return _gone(error)
    return page(
        "Address confirmed",
        f"<h1>Address confirmed</h1><p>Your application is with {escape(provider)}'s team. "
        "You will hear from them by email.</p>",
        200,
    )


def _apply_page(
    form: applications.ApplyPage,
    pairs: list[tuple[str, str]],
    problems: dict[str, str],
    status: int,
) -> HTMLResponse:
    values = dict(pairs)
    rows = []
    for name, (label, _, required) in applications.QUESTIONS.items():
        if name == "partner_type_id":
            if form.partner_types:
                rows.append(_select(name, label, form.partner_types, values.get(name, "")))
            continue
        kind = "textarea" if name == "message" else "email" if name == "email" else "text"
        rows.append(_input(name, label, values.get(name, ""), kind=kind, required=required))
    rows += [_custom(field, pairs) for field in form.fields]
    alert = "".join(f"<li>{escape(message)}</li>" for message in problems.values())
    problem = f'<div class="error" role="alert"><ul>{alert}</ul></div>' if alert else ""
    body = (
        f"{EXTRA_STYLE}<h1>Become a partner of {escape(form.provider_name)}</h1>{problem}"
        f'<form method="post" action="{escape(routes.apply(form.slug), quote=True)}">'
        f'{"".join(rows)}{_defenses(form.served)}<button type="submit">Apply</button></form>'
    )
    return page(f"Become a partner of {form.provider_name}", body, status)


def _custom(field: FieldAccess, pairs: list[tuple[str, str]]) -> str:
    """One of the provider's partner fields, named as services.custom_fields reads forms."""
    name, label = field.form_name, field.label
    chosen = [v for k, v in pairs if k == name]
    options = [(int(o["id"]), str(o["label"])) for o in field.options if not o.get("archived")]
    if field.type == FieldType.SELECT:
        return _select(name, label, options, chosen[0] if chosen else "", required=field.required)
    if field.type == FieldType.MULTI_SELECT:
        boxes = "".join(
            f'<label><input type="checkbox" name="{name}" value="{option_id}"'
            f"{' checked' if str(option_id) in chosen else ''}>{escape(text)}</label>"
            for option_id, text in options
        )
        return f'<fieldset class="checks"><legend>{escape(label)}</legend>{boxes}</fieldset>'
    if field.type == FieldType.CHECKBOX:
        checked = " checked" if chosen and chosen[0] == "yes" else ""
        return (
            f'<div class="checks"><label><input type="checkbox" name="{name}" value="yes"'
            f"{checked}>{escape(label)}</label></div>"
        )
    kind = {
        FieldType.LONG_TEXT: "textarea",
        FieldType.DATE: "date",
        FieldType.EMAIL: "email",
    }.get(FieldType(field.type), "text")
    value = chosen[0] if chosen else ""
    return _input(name, label, value, kind=kind, required=field.required)


def _input(name: str, label: str, value: str, *, kind: str = "text", required: bool) -> str:
    shown = escape(value[:MAX_ECHO], quote=True)
    need = " required" if required else ""
    if kind == "textarea":
        control = f'<textarea id="{name}" name="{name}" rows="4"{need}>{shown}</textarea>'
    else:
        # Not type="email": the server's rule (services.core.inputs.email) is the one source.
        extra = ' inputmode="email" autocomplete="email"' if kind == "email" else ""
        kind = "date" if kind == "date" else "text"
        control = f'<input id="{name}" name="{name}" type="{kind}"{extra} value="{shown}"{need}>'
    return f'<label for="{name}">{escape(label)}</label>{control}'


def _select(
    name: str,
    label: str,
    options: list[tuple[int, str]],
    chosen: str,
    *,
    required: bool = False,
    blank: str = "",
) -> str:
    items = [f'<option value="">{escape(blank)}</option>']
    items += [
        f'<option value="{option_id}"{" selected" if str(option_id) == chosen else ""}>'
        f"{escape(text)}</option>"
        for option_id, text in options
    ]
    need = " required" if required else ""
    return (
        f'<label for="{name}">{escape(label)}</label>'
        f'<select id="{name}" name="{name}"{need}>{"".join(items)}</select>'
    )


def _defenses(served: str) -> str:
    trap = public_forms.HONEYPOT
    return (
        f'<div class="trap" aria-hidden="true"><label for="{trap}">Leave this empty</label>'
        f'<input id="{trap}" name="{trap}" tabindex="-1" autocomplete="off"></div>'
        f'<input type="hidden" name="{public_forms.SERVED}" value="{escape(served, quote=True)}">'
    )


# the partner locator ---------------------------------------------------------------------------


async def show_locator(request: Request) -> HTMLResponse:
    """GET /partners/{slug}?tier=&type=&product=&country=."""
    try:
        with _public() as session:
            found = program.locator_page(
                session, slug=request.path_params["slug"], filters=dict(request.query_params)
            )
    except NotFound as error:
        return _gone(error)
    chosen = found.chosen
    filters = (
        f'<form method="get" action="{escape(routes.locator(found.slug), quote=True)}">'
        '<div class="filters">'
        + "".join(
            f"<div>{_select(name, label, options, chosen.get(name, ''), blank='Any')}</div>"
            for name, label, options in (
                ("tier", "Tier", found.tiers),
                ("type", "Type", found.types),
                ("product", "Product", found.products),
            )
            if options
        )
        + "<div>"
        + _country(found.countries, chosen.get("country", ""))
        + '</div></div><button type="submit">Filter</button></form>'
    )
    cards = "".join(_partner_card(found.slug, p) for p in found.partners)
    if not cards:
        cards = "<p>No partner matches these filters.</p>"
    body = (
        f"{EXTRA_STYLE}<h1>Find a partner of {escape(found.provider_name)}</h1>{filters}"
        f'<section aria-label="Partners">{cards}</section>'
    )
    return page(f"{found.provider_name} partners", body, 200)


def _country(countries: list[str], chosen: str) -> str:
    items = ['<option value="">Any</option>'] + [
        f"<option{' selected' if c.casefold() == chosen.casefold() else ''}>{escape(c)}</option>"
        for c in countries
    ]
    return f'<label for="country">Country</label><select id="country" name="country">{"".join(items)}</select>'


def _partner_card(slug: str, partner: locator.PublicPartner) -> str:
    facts = [
        f"{escape(label)}: {escape(value)}"
        for label, value in (
            ("Tier", partner.tier),
            ("Type", partner.partner_type),
            ("Country", partner.country),
            ("Products", ", ".join(partner.products)),
        )
        if value
    ]
    site = (
        f'<p><a href="{escape(partner.website, quote=True)}" rel="nofollow noopener">'
        f"{escape(partner.website)}</a></p>"
        if partner.website.startswith(("https://", "http://"))
        else ""
    )
    contact = escape(routes.locator_contact(slug, partner.listing_id), quote=True)
    return (
        f'<article class="card"><h2>{escape(partner.name)}</h2>'
        f"<p>{escape(partner.description)}</p>{site}"
        f'<p class="muted">{" · ".join(facts)}</p>'
        f'<a href="{contact}">Contact {escape(partner.name)}</a></article>'
    )


async def show_contact(request: Request) -> HTMLResponse:
    """GET /partners/{slug}/{listing_id}/contact (?sent=1 after a message)."""
    slug, listing_id = request.path_params["slug"], request.path_params["listing_id"]
    try:
        with _public() as session:
            partner, served = program.contact_page(session, slug=slug, listing_id=listing_id)
    except NotFound as error:
        return _gone(error)
    if request.query_params.get("sent") == "1":
        back = escape(routes.locator(slug), quote=True)
        return page(
            "Message sent",
            f"<h1>Thank you!</h1><p>{escape(partner.name)} will be in touch soon.</p>"
            f'<p><a href="{back}">Back to the partners</a></p>',
            200,
        )
    return _contact_page(slug, partner, served, {}, "", 200)


async def take_contact(request: Request) -> HTMLResponse | RedirectResponse:
    """POST /partners/{slug}/{listing_id}/contact: 303 to the sent page, else the problem."""
    slug, listing_id = request.path_params["slug"], request.path_params["listing_id"]
    pairs = await form_pairs(request)
    if isinstance(pairs, HTMLResponse):
        return pairs
    values = dict(pairs)
    try:
        with _public() as session:
            program.contact(
                session,
                slug=slug,
                listing_id=listing_id,
                form=values,
                client=client_address.of(request),
            )
    except NotFound as error:
        return _gone(error)
    except Invalid as error:
        try:
            with _public() as session:
                partner, served = program.contact_page(session, slug=slug, listing_id=listing_id)
        except NotFound as gone:
            return _gone(gone)
        status = 429 if isinstance(error, TooMany) else 400
        return _contact_page(slug, partner, served, values, str(error), status)
    target = routes.locator_contact(slug, int(listing_id)) + "?" + urlencode({"sent": 1})
    return RedirectResponse(target, status_code=303)


def _contact_page(
    slug: str,
    partner: locator.PublicPartner,
    served: str,
    values: dict[str, Any],
    error: str,
    status: int,
) -> HTMLResponse:
    rows = [
        _input(
            name,
            label,
            str(values.get(name, "")),
            kind="textarea" if name == "notes" else "email" if name == "email" else "text",
            required=name in CONTACT_REQUIRED,
        )
        for name, label in CONTACT.items()
    ]
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    action = escape(routes.locator_contact(slug, partner.listing_id), quote=True)
    body = (
        f"<h1>Contact {escape(partner.name)}</h1><p>{escape(partner.description)}</p>{problem}"
        f'<form method="post" action="{action}">{"".join(rows)}{_defenses(served)}'
        '<button type="submit">Send</button></form>'
    )
    return page(f"Contact {partner.name}", body, status)
