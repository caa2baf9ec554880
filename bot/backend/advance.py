"""Move a parcel to the next node of its journey on the running backend, to watch a notice arrive:

    python -m bot.backend.advance ZT100000000004        # out for delivery → delivered
"""

from __future__ import annotations

import sys

import requests

from bot.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__)
        return 2
    settings = get_settings()
    url = f"{settings.backend_base_url}/api/v1/parcels/{args[0]}/advance"
    try:
        response = requests.post(url, headers={"X-API-Key": settings.backend_api_key}, timeout=10)
    except requests.RequestException as exc:
        print(f"backend not reachable at {settings.backend_base_url}: {type(exc).__name__}")
        return 1
    body = response.json()
    if response.status_code != 201:
        print(body["detail"]["message"])
        return 1
    event = body["event"]
    print(f"{args[0]}: {event['status_text']} ({event['city']}) — {event['description']}; "
          f"notices queued: {body['notices_queued']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
