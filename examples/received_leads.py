"""Work the leads your organization received through the PRM portal's REST API: list the
pending ones, accept the oldest, and convert it into a deal.

    PRM_API=http://localhost:8000/api/v1 PRM_KEY=prm_... python examples/received_leads.py 5000

PRM_API is the "API address" shown in Settings > Integrations; PRM_KEY an API key created there
(a manager's or admin's, since accepting and converting need one). The one argument is the deal's
amount. Each write carries an Idempotency-Key, so running it again after a timeout never accepts
or converts twice. Prints what it did; exits 1 (with the API's words) when a request is refused.
"""

import os
import sys
import uuid

import httpx


def main(amount: str) -> int:
    api = os.environ.get("PRM_API", "http://localhost:8000/api/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {os.environ['PRM_KEY']}"}
    with httpx.Client(base_url=api, headers=headers, timeout=30) as client:
        pending = client.get("/received-leads", params={"status": "pending", "page_size": 100})
        if pending.is_error:
            return _refused(pending)
        leads = pending.json()["items"]
        print(f"{len(leads)} pending lead(s) received")
        if not leads:
            return 0
        oldest = min(leads, key=lambda lead: lead["created_at"])
        recipient = oldest["recipient_id"]
        print(f"accepting {oldest['company']} from {oldest['origin_org_name']}")
        accepted = client.post(f"/received-leads/{recipient}/accept", headers=_once())
        if accepted.is_error:
            return _refused(accepted)
        converted = client.post(
            f"/received-leads/{recipient}/convert", json={"amount": amount}, headers=_once()
        )
        if converted.is_error:
            return _refused(converted)
        print(f"converted into deal {converted.json()['deal_id']}")
    return 0


def _once() -> dict[str, str]:
    """A new Idempotency-Key: a retry of this very request would send the same one."""
    return {"Idempotency-Key": str(uuid.uuid4())}


def _refused(response: httpx.Response) -> int:
    print(f"refused ({response.status_code}): {response.json()['detail']}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "1000"))
