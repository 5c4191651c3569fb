"""The public pages of web-to-lead forms: plain server-rendered HTML, embeddable in an iframe.

GET /forms/{token} shows the form; POST takes a submission (services.leads.forms) and answers
303 to the thank-you page, or shows the form again with the problem (400) or the rate limit
(429). The client address is the connection's, or behind reverse proxies the one they vouch for
(prm_app/client_address.py, PRM_TRUSTED_PROXY_HOPS).
"""

import logging
from html import escape
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from . import client_address, routes
from .services.core.errors import Invalid, NotFound
from .services.core.unit_of_work import unit_of_work
from .services.leads import forms as lead_forms
from .services.leads.forms import RateLimited

log = logging.getLogger(__name__)
MAX_BODY = 20_000  # bytes of a submission, whatever its transfer encoding; larger is refused
MAX_FIELDS = 40
MAX_ECHO = 2_000  # characters of a field shown back with a problem (the longest field's limit)
URLENCODED = "application/x-www-form-urlencoded"  # what the page's form sends: no file parts
REQUIRED = {"first_name": "First name", "last_name": "Last name", "email": "Email"}
REQUIRED |= {"company": "Company"}
HEADERS = {
    # Embeddable anywhere, but it runs no script and posts only to itself.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors *; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STYLE = """
body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;color:#1c2024;background:#fff}
main{max-width:32rem;margin:auto}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,textarea{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #bbb;
border-radius:6px;font:inherit}button{margin-top:1rem;padding:.6rem 1.2rem;border:0;
border-radius:6px;background:#3e63dd;color:#fff;font:inherit;cursor:pointer}
.error{color:#ce2c31;margin:.75rem 0}.trap{position:absolute;left:-10000px;height:0;overflow:hidden}
"""


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The request's body as it streams in, or None once it passes `limit` bytes (a chunked
    body carries no Content-Length to check beforehand)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def form_pairs(request: Request) -> list[tuple[str, str]] | HTMLResponse:
    """A public form's submission as (name, value) pairs (a name may repeat: a multi select),
    or the page refusing it: not urlencoded (415), past MAX_BODY (413), too many fields (400)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != URLENCODED:
        return page("Not accepted", "<p>Send the form's fields only (no files).</p>", 415)
    body = await read_limited(request, MAX_BODY)
    if body is None:
        return page("Too large", "<p>The submission is too large.</p>", 413)
    try:
        return parse_qsl(body.decode("utf-8", "replace"), max_num_fields=MAX_FIELDS)
    except ValueError:
        return page("Not accepted", "<p>The submission has too many fields.</p>", 400)


async def show_form(request: Request) -> HTMLResponse:
    """GET /forms/{token}."""
    try:
        with unit_of_work() as session:
            form = lead_forms.public_form(session, token=request.path_params["token"])
    except NotFound as error:
        return page("Form unavailable", f"<p>{escape(str(error))}</p>", 404)
    return _form_page(form, {}, "", 200)


async def take_submission(request: Request) -> HTMLResponse | RedirectResponse:
    """POST /forms/{token}: 303 to the thank-you page, else the form again with the problem."""
    token = request.path_params["token"]
    pairs = await form_pairs(request)
    if isinstance(pairs, HTMLResponse):
        return pairs
    values = dict(pairs)
    try:
        with unit_of_work() as session:
            lead_forms.submit(session, token=token, form=values, client=client_address.of(request))
    except NotFound as error:
        return page("Form unavailable", f"<p>{escape(str(error))}</p>", 404)
    except (Invalid, RateLimited) as error:
        status = 429 if isinstance(error, RateLimited) else 400
        try:
            with unit_of_work() as session:
                form = lead_forms.public_form(session, token=token)
        except NotFound as gone:
            return page("Form unavailable", f"<p>{escape(str(gone))}</p>", 404)
        return _form_page(form, values, str(error), status)
    return RedirectResponse(routes.lead_form_thanks(token), status_code=303)


async def thanks(request: Request) -> HTMLResponse:
    """GET /forms/{token}/thanks."""
    return page(
        "Thank you",
        "<h1>Thank you!</h1><p>We received your request and will be in touch soon.</p>",
        200,
    )


def _form_page(form: lead_forms.PublicForm, values: dict, error: str, status: int) -> HTMLResponse:
    def field(name: str, label: str, *, required: bool) -> str:
        value = escape(values.get(name, "")[:MAX_ECHO], quote=True)
        # Not type="email": the browser's rule refuses addresses the server accepts
        # (björn@example.com); the server's rule (services.core.inputs.email) is the one source.
        kind = ' inputmode="email" autocomplete="email"' if name == "email" else ""
        need = " required" if required else ""
        if name == "notes":
            control = f'<textarea id="{name}" name="{name}" rows="4">{value}</textarea>'
        else:
            control = f'<input id="{name}" name="{name}" type="text"{kind} value="{value}"{need}>'
        return f'<label for="{name}">{escape(label)}</label>{control}'

    rows = [field(n, label, required=True) for n, label in REQUIRED.items()]
    rows += [field(n, lead_forms.OPTIONAL_FIELDS[n], required=False) for n in form.fields]
    ticked = " checked" if values.get("share_consent") else ""
    rows.append(  # the person's own permission (services.leads.consent)
        f'<label class="consent"><input type="checkbox" id="share_consent" name="share_consent" '
        f'value="yes"{ticked}> {escape(form.provider_name)} may share my details with its '
        "partners</label>"
    )
    trap = (
        f'<div class="trap" aria-hidden="true"><label for="{lead_forms.HONEYPOT}">Leave this '
        f'empty</label><input id="{lead_forms.HONEYPOT}" name="{lead_forms.HONEYPOT}" '
        'tabindex="-1" autocomplete="off"></div>'
    )
    served = f'<input type="hidden" name="{lead_forms.SERVED}" value="{escape(form.served, quote=True)}">'
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<h1>{escape(form.name)}</h1><p>{escape(form.provider_name)}</p>{problem}"
        f'<form method="post" action="{escape(routes.lead_form(form.token), quote=True)}">'
        f'{"".join(rows)}{trap}{served}<button type="submit">Send</button></form>'
    )
    return page(form.name, body, status)


def page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
