"""Move a parcel to the next node of its journey on the running backend, to watch a notice arrive:

    python -m bot.backend.advance ZT100000000004        # out for delivery → delivered
"""

from __future__ import annotations

import argparse

from bot.clients.backend import BackendClient, BackendError, BackendUnavailable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.backend.advance", epilog=__doc__.split("\n\n")[1].strip(),
                                     description=__doc__.splitlines()[0].rstrip(":") + ".")
    parser.add_argument("tracking_number", help="the parcel to move one node on")
    number = parser.parse_args(argv).tracking_number
    client = BackendClient()
    try:
        body = client.advance_parcel(number)
    except BackendUnavailable as error:
        print(f"backend not reachable at {client.base_url}: {error.message or error.code}")
        return 1
    except BackendError as error:
        print(error.message)
        return 1
    event = body["event"]
    print(f"{number}: {event['status_text']} ({event['city']}) — {event['description']}; "
          f"notices queued: {body['notices_queued']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
