"""`make run`: start the backend, the action server and Rasa, print where to chat, stop them all on Ctrl-C.

Ports come from settings (BACKEND_PORT, RASA_PORT, ACTION_PORT); logs go to var/logs/. Once started, a service
that exits or stops answering is restarted with backoff while the others keep serving (bot/supervisor.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from bot.settings import DEMO_CONSOLE_PASSWORD, Settings, get_settings
from bot.stack import DEFAULT_MODEL, PortInUse, Ports, Stack, StackError
from bot.supervisor import Policy, Supervisor, raise_shutdown, say_with_time, serve_until_stopped


def banner(stack: Stack, model: Path) -> str:
    ports = stack.ports
    chat = f"http://localhost:{ports.backend}/chat/"
    lines = [
        "",
        "快递客服助手已启动 / the courier assistant is running:",
        f"  Web chat        {chat}",
        f"  Rasa server     http://localhost:{ports.rasa}   (public: /webhooks/rest/webhook, socket.io; "
        "HTTP API: ?token=<RASA_API_TOKEN>, set it to call the API yourself)",
        f"  Action server   http://localhost:{ports.actions}/health",
        f"  Backend API     http://localhost:{ports.backend}/docs",
        f"  Agent console   http://localhost:{ports.backend}/console/   ({console_login()})",
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
        "A service that stops or stops answering is restarted by itself (docs/operations.md).",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def console_login() -> str:
    """The demo login to print: a password someone chose stays out of the terminal (and its scrollback)."""
    if get_settings().console_demo_password == DEMO_CONSOLE_PASSWORD:
        return f"demo login: agent / {DEMO_CONSOLE_PASSWORD}"
    return "login: agent / the password in CONSOLE_DEMO_PASSWORD"


def run(settings: Settings, model: Path = DEFAULT_MODEL) -> int:
    ports = Ports(backend=settings.backend_port, rasa=settings.rasa_port, actions=settings.action_port)
    stack = Stack()
    started = time.monotonic()

    def start() -> Supervisor:
        print("Starting backend, action server and Rasa (this takes about half a minute)…", flush=True)
        stack.start(ports, model=model, var_dir=settings.var_dir)
        print(f"Ready in {time.monotonic() - started:.0f} s.")
        print(banner(stack, model), flush=True)
        return Supervisor(stack, Policy.from_settings(settings), say=say_with_time)

    return serve_until_stopped(stack, start, refused=(StackError,), explain=_explain, stopped="All services stopped.")


def _explain(error: Exception) -> str:
    return str(error) if isinstance(error, PortInUse) else f"Could not start: {error}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.runner", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model (default: %(default)s)")
    args = parser.parse_args(argv)
    # Installed explicitly: a shell that starts us in the background leaves SIGINT ignored otherwise.
    signal.signal(signal.SIGINT, raise_shutdown)
    signal.signal(signal.SIGTERM, raise_shutdown)
    return run(get_settings(), args.model)


if __name__ == "__main__":
    sys.exit(main())
