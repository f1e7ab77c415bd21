#!/usr/bin/env python3
"""Re-sign the HTTP sample events with the current time (standard library only).

Signed samples go stale: the Lever webhook's `triggeredAt` is refused after 24 hours, the
provider callbacks' `webhook-timestamp` after 5 minutes. Run this right before invoking:

    python3 events/resign.py            # rewrites events/lever-webhook.json,
                                        # events/lever-candidate-deleted.json,
                                        # events/alliance-callback.json,
                                        # events/backgrounds-online-callback.json and
                                        # events/accurate-callback.json in place
    python3 events/resign.py backgrounds-online-callback.json   # only the named sample(s)

Keys are the demo tenant's (see events/README.md); never put real secrets here.
"""

import base64
import hashlib
import hmac
import json
import pathlib
import sys
import time
import uuid

HERE = pathlib.Path(__file__).resolve().parent
TENANT = "demo"
LEVER_SIGNATURE_TOKEN = "demo-signature-token"
# Lever signs each event type with its own webhook's token.
LEVER_DELETION_TOKEN = "demo-deletion-token"
ALLIANCE_CALLBACK_SECRET = "whsec_ZGVtby1hbGxpYW5jZS1jYWxsYmFjay1zZWNyZXQ="
BACKGROUNDS_ONLINE_CALLBACK_SECRET = "whsec_ZGVtby1iYWNrZ3JvdW5kcy1vbmxpbmUtY2FsbGJhY2s="
ACCURATE_CALLBACK_SECRET = "whsec_ZGVtby1hY2N1cmF0ZS1wb3N0YmFjay1zZWNyZXQ="
# The order the callback refers to (the Screenhub order id, sent to Alliance as client_reference).
ORDER_ID = "019aac1e-4c2d-7b3a-9f10-5e6d7c8b9a01"
# The Backgrounds Online sample's order (sent to Backgrounds Online as client_reference).
BACKGROUNDS_ONLINE_ORDER_ID = "019aac1e-4c2d-7b3a-9f10-5e6d7c8b9a02"
# The Accurate sample's order (sent to Accurate as clientReference).
ACCURATE_ORDER_ID = "019aac1e-4c2d-7b3a-9f10-5e6d7c8b9a04"


def http_api_event(route_key: str, path: str, headers: dict, body: str, now_ms: int, user_agent: str) -> dict:
    """An API Gateway HTTP API payload v2.0 event, as the Lambda integration delivers it."""
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": {"tenant": TENANT},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now_ms / 1000)),
            "timeEpoch": now_ms,
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": user_agent,
            },
        },
        "body": body,
        "isBase64Encoded": False,
    }


def lever_delivery(now_ms: int, event: str, signature_token: str, data: dict) -> dict:
    # Lever signs token + triggeredAt (no separator) with HMAC-SHA256, lowercase hex; the body
    # itself is not signed (facts/lever.md section 1.4).
    token = uuid.uuid4().hex
    signature = hmac.new(
        signature_token.encode(), f"{token}{now_ms}".encode(), hashlib.sha256
    ).hexdigest()
    body = json.dumps(
        {"triggeredAt": now_ms, "event": event, "token": token, "signature": signature, "data": data},
        separators=(",", ":"),
    )
    headers = {"content-type": "application/json", "user-agent": "Lever-Webhooks"}
    return http_api_event(
        "POST /lever/webhooks/{tenant}", f"/lever/webhooks/{TENANT}", headers, body, now_ms, "Lever-Webhooks"
    )


def lever_webhook(now_ms: int) -> dict:
    return lever_delivery(
        now_ms,
        "candidateStageChange",
        LEVER_SIGNATURE_TOKEN,
        {
            "opportunityId": "opp-demo-1",
            "candidateId": "opp-demo-1",
            "contactId": "contact-1",
            "toStageId": "stage-background-check",
            "fromStageId": "applicant-new",
        },
    )


def lever_candidate_deleted(now_ms: int) -> dict:
    # Data fields per facts/lever.md (the actor field's name is unconfirmed; the hub reads
    # only opportunityId, falling back to candidateId).
    return lever_delivery(
        now_ms,
        "candidateDeleted",
        LEVER_DELETION_TOKEN,
        {"opportunityId": "opp-demo-1", "candidateId": "opp-demo-1", "contactId": "contact-1"},
    )


def standard_webhooks_headers(secret: str, body: str, ts: int, user_agent: str) -> dict:
    # Standard Webhooks: v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{raw body}"))>, where key
    # is the base64-decoded part of the whsec_ secret (docs/providers/alliance2020.md,
    # docs/providers/backgrounds-online.md).
    msg_id = f"msg_{uuid.uuid4().hex}"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "user-agent": user_agent,
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def alliance_callback(now_ms: int) -> dict:
    ts = now_ms // 1000
    body = json.dumps(
        {
            "type": "order.status_changed",
            "order_id": "A20-000123",
            "client_reference": ORDER_ID,
            "status": "in_progress",
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)),
        },
        separators=(",", ":"),
    )
    headers = standard_webhooks_headers(ALLIANCE_CALLBACK_SECRET, body, ts, "Alliance2020-Webhooks")
    return http_api_event(
        "POST /callbacks/alliance2020/{tenant}",
        f"/callbacks/alliance2020/{TENANT}",
        headers,
        body,
        now_ms,
        "Alliance2020-Webhooks",
    )


def backgrounds_online_callback(now_ms: int) -> dict:
    # An `in_process` status callback (the candidate submitted); `result` and `report_url`
    # come only with `complete` (docs/providers/backgrounds-online.md, "Callbacks").
    ts = now_ms // 1000
    body = json.dumps(
        {
            "type": "order.status_changed",
            "order_id": "BO-000001",
            "client_reference": BACKGROUNDS_ONLINE_ORDER_ID,
            "status": "in_process",
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)),
        },
        separators=(",", ":"),
    )
    headers = standard_webhooks_headers(
        BACKGROUNDS_ONLINE_CALLBACK_SECRET, body, ts, "BackgroundsOnline-Webhooks"
    )
    return http_api_event(
        "POST /callbacks/backgrounds-online/{tenant}",
        f"/callbacks/backgrounds-online/{TENANT}",
        headers,
        body,
        now_ms,
        "BackgroundsOnline-Webhooks",
    )


def accurate_callback(now_ms: int) -> dict:
    # An `IN_PROGRESS` postback at 40 % (the candidate submitted); `adjudication` and
    # `reportUrl` come with `COMPLETED` (docs/providers/accurate.md, "Postbacks": our contract).
    ts = now_ms // 1000
    body = json.dumps(
        {
            "type": "order.status",
            "orderId": "ACC-000001",
            "clientReference": ACCURATE_ORDER_ID,
            "status": "IN_PROGRESS",
            "percentComplete": 40,
            "occurredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)),
        },
        separators=(",", ":"),
    )
    headers = standard_webhooks_headers(ACCURATE_CALLBACK_SECRET, body, ts, "Accurate-Postbacks")
    return http_api_event(
        "POST /callbacks/accurate/{tenant}",
        f"/callbacks/accurate/{TENANT}",
        headers,
        body,
        now_ms,
        "Accurate-Postbacks",
    )


SAMPLES = {
    "lever-webhook.json": lever_webhook,
    "lever-candidate-deleted.json": lever_candidate_deleted,
    "alliance-callback.json": alliance_callback,
    "backgrounds-online-callback.json": backgrounds_online_callback,
    "accurate-callback.json": accurate_callback,
}


def main() -> None:
    names = sys.argv[1:] or list(SAMPLES)
    unknown = [n for n in names if n not in SAMPLES]
    if unknown:
        sys.exit(f"resign.py: unknown sample(s) {', '.join(unknown)}; known: {', '.join(SAMPLES)}")
    now_ms = int(time.time() * 1000)
    for name in names:
        (HERE / name).write_text(json.dumps(SAMPLES[name](now_ms), indent=2) + "\n")
        print(f"events/{name} signed at {now_ms}")


if __name__ == "__main__":
    main()
