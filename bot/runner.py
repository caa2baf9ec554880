"""`make run`: start the backend, the action server and Rasa, print where to chat, stop them all on Ctrl-C.

Ports come from settings (BACKEND_PORT, RASA_PORT, ACTION_PORT); logs go to var/logs/.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from bot.settings import Settings, get_settings
from bot.stack import DEFAULT_MODEL, PortInUse, Ports, Stack, StackError


class Shutdown(Exception):
    """Raised from the signal handler so SIGTERM unwinds like Ctrl-C does."""


def _raise_shutdown(signum: int, frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


def banner(stack: Stack, model: Path) -> str:
    ports = stack.ports
    chat = f"http://localhost:{ports.backend}/chat/"
    if ports.rasa != 5005:
        chat += f"?rasa=http://localhost:{ports.rasa}"
    lines = [
        "",
        "快递客服助手已启动 / the courier assistant is running:",
        f"  Web chat        {chat}",
        f"  Rasa server     http://localhost:{ports.rasa}   (HTTP API: /status, /model/parse, /webhooks/rest/webhook)",
        f"  Action server   http://localhost:{ports.actions}/health",
        f"  Backend API     http://localhost:{ports.backend}/docs",
        f"  Agent console   http://localhost:{ports.backend}/console/   "
        f"(demo login: agent / {get_settings().console_demo_password})",
        f"  Logs            {stack.var_dir / 'logs'}",
        "",
        "Chat in a terminal instead (a second Rasa server on its own port, same action server):",
        f"  .venv/bin/rasa shell --model {model} --endpoints {stack.var_dir / 'rasa-endpoints.yml'} "
        f"--port {ports.rasa + 1}",
        "",
    ]
    # A newcomer's quickest look at proactive notices: subscribe in the chat, then move the parcel on.
    env = "" if ports.backend == 8000 else f"BACKEND_PORT={ports.backend} "
    lines += [
        "See a parcel notice arrive: in the chat send “查一下 ZT100000000001”, then “有变化通知我”, then run",
        f"  {env}.venv/bin/python -m bot.backend.advance ZT100000000001   (twice: hub, then out for delivery)",
        "",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def run(settings: Settings, model: Path = DEFAULT_MODEL) -> int:
    ports = Ports(backend=settings.backend_port, rasa=settings.rasa_port, actions=settings.action_port)
    stack = Stack()
    started = time.monotonic()
    try:
        print("Starting backend, action server and Rasa (this takes about half a minute)…", flush=True)
        stack.start(ports, model=model, var_dir=settings.var_dir)
        print(f"Ready in {time.monotonic() - started:.0f} s.")
        print(banner(stack, model), flush=True)
        while (dead := stack.dead()) is None:
            time.sleep(1)
        print(f"\n{dead.name} stopped unexpectedly (exit code {dead.process.returncode}); see {dead.log_path}.")
        return 1
    except PortInUse as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    except StackError as error:
        print(f"\nCould not start: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Shutdown):
        print("\nStopping…", flush=True)
        return 0
    finally:
        # A second Ctrl-C while stopping must not leave children behind; the caller's handlers come back after
        # (an ignored signal would otherwise be inherited by every process started later).
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("All services stopped.", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.runner", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model (default: %(default)s)")
    args = parser.parse_args(argv)
    # Installed explicitly: a shell that starts us in the background leaves SIGINT ignored otherwise.
    signal.signal(signal.SIGINT, _raise_shutdown)
    signal.signal(signal.SIGTERM, _raise_shutdown)
    return run(get_settings(), args.model)


if __name__ == "__main__":
    sys.exit(main())
