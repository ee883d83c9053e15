"""Client users never see cost or margin (SPEC §12): with a dataset whose every cost and margin
figure is known (tests/api/ledger_data.py), every client-visible response — each GET under
/clients from the OpenAPI document (so a new route is covered by itself), every CSV export
level and the PDF's text — is searched for those values and for cost/margin field names."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from shared.api.routes.meta import openapi_document
from tests.api.conftest import ApiClient, ApiUser
from tests.api.ledger_data import SECRET_VALUES, insert_ledger_client

QUERY = {"from": "2026-01-26", "to": "2026-02-01", "month": "2026-01"}
PATH_VALUES = {"week_start": "2026-01-26", "month_start": "2026-01-01"}
# Words that name the ledger in a field, a column header or a sentence.
# ("cost" alone is an ordinary word in text — "a higher cost is worse" — so only keys are
# searched for it.)
SECRET_WORDS = re.compile(r"margin|buy[ _-]?c(ost|pm)|break[ _-]?even|target[ _-]?roas|partner cpm", re.I)
SECRET_KEYS = re.compile(r"margin|buy|break_even|target_roas|^cost$|^cost_|_cost$", re.I)


def _keys(document: Any) -> list[str]:
    if isinstance(document, dict):
        return [*document, *(key for value in document.values() for key in _keys(value))]
    if isinstance(document, list):
        return [key for value in document for key in _keys(value)]
    return []


def _leaks(text: str) -> list[str]:
    found = [value for value in SECRET_VALUES if value in text]
    found += [match.group(0) for match in SECRET_WORDS.finditer(text)]
    return found


def test_no_client_visible_response_carries_cost_or_margin(
    api: ApiClient, admin_user: ApiUser, make_user: Any, owner_conn: Any
) -> None:
    from pypdf import PdfReader

    client = insert_ledger_client(owner_conn)
    cid = str(client["id"])
    # given summaries exist to be read (weekly and monthly)
    for kind, start in (("weekly", "2026-01-26"), ("monthly", "2026-01-01")):
        built = api.post(
            "/admin/summaries", token=admin_user.token, body={"kind": kind, "period_start": start, "client_id": cid}
        )
        assert built.status == 200, built.body
    # and the admin's margin route really does show the values searched for
    admin_view = api.get(
        f"/admin/clients/{cid}/margin", token=admin_user.token, query={"from": "2026-01-30", "to": "2026-02-01"}
    )
    assert {"335.78", "149.40", "3.1719"} <= set(_leaks(admin_view.body))
    user = make_user(role="client", client_id=client["id"])

    paths = [path for path, ops in openapi_document()["paths"].items() if path.startswith("/clients") and "get" in ops]
    assert len(paths) >= 14, paths
    checked: list[str] = []
    for template in paths:
        operation = openapi_document()["paths"][template]["get"]
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        path = template.replace("{client_id}", cid)
        for name, value in PATH_VALUES.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"no value for a path parameter of {template}"
        query = {key: value for key, value in QUERY.items() if key in declared}
        variants = [query]
        if "level" in declared:
            variants = [
                {**query, "level": level} for level in ("campaign", "strategy", "placement", "creative", "daily")
            ]
        if "granularity" in declared:
            variants = [{**query, "granularity": g} for g in ("day", "week", "month")]
        for variant in variants:
            response = api.get(path, token=user.token, query=variant)
            assert response.status in (200, 404), (path, variant, response.status, response.body[:300])
            if path.endswith(".pdf") and response.status == 200:
                raw = response.raw["body"]
                import base64

                pdf = base64.b64decode(raw) if response.raw.get("isBase64Encoded") else raw.encode("latin-1")
                text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
                assert "Ledger Co" in text  # the text really was read
            elif path.endswith("/logo"):
                continue  # an image (none is set: 404)
            else:
                text = response.body
                if response.headers.get("Content-Type", "").startswith("application/json"):
                    keys = _keys(json.loads(text))
                    assert not [k for k in keys if SECRET_KEYS.search(k)], (path, keys)
            assert not _leaks(text), (path, variant, _leaks(text))
            checked.append(path)
    # every client route was really read, the data-bearing ones with data
    assert any(p.endswith("/export.csv") for p in checked) and any(p.endswith("/report.pdf") for p in checked)
    overview = api.get(
        f"/clients/{cid}/overview", token=user.token, query={"from": "2026-01-26", "to": "2026-02-01"}
    ).json()
    assert overview["totals"]["spend"] == "485.18"  # the client sees its price, not the agency's cost
