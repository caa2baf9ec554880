"""Start the assistant's processes together and stop them together: backend, action server, Rasa.

`make run` (bot.runner) and the end-to-end tests (tests/e2e/conftest.py) both use `Stack`, so the tests
exercise exactly what a newcomer starts. Every child runs in its own process group: stopping the stack
signals whole groups, so nothing a child spawned outlives it and the ports are free again afterwards.
Each child also asks Linux to SIGTERM it when the thread that started it dies (even by SIGKILL), so a killed
test run leaves no servers behind: call `start()` from a thread that lives as long as the stack.

Rasa's HTTP API needs a token (bot/rasa_api_guard.py): RASA_API_TOKEN, else a random one made for this start and
handed to every child in its environment (the console and the notifier call the API), so `make run` and the
tests need no configuration. The production profile must set it, with the other secrets, before anything starts.
"""

from __future__ import annotations

import errno
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.health_probe import answers, with_token
from bot.production_check import DemoSecretsRefused, refuse_demo_secrets
from bot.rasa_endpoints import write_endpoints
from bot.rasa_health import TURN_PROBE_PATH
from bot.settings import ROOT

HOST = "127.0.0.1"
DEFAULT_MODEL = ROOT / "models" / "courier.tar.gz"

# Runs first in each child: SIGTERM back to its default (an ignored signal survives exec, and the starter may
# have been started with it ignored), prctl(PR_SET_PDEATHSIG, SIGTERM), give up if the starter is already
# gone, then become the real command (the setting survives exec).
_DIE_WITH_STARTER = (
    "import ctypes, os, signal, sys\n"
    "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)\n"
    "os.getppid() == int(sys.argv[1]) or sys.exit('the process that started this one is gone')\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


class StackError(RuntimeError):
    """The stack could not start; the message says which process and why, in plain words."""


class PortInUse(StackError):
    pass


@dataclass(frozen=True)
class Ports:
    backend: int = 8000
    rasa: int = 5005
    actions: int = 5055

    @classmethod
    def free(cls) -> Ports:
        """Three ports nobody listens on right now (for tests that must not collide with `make run`)."""
        sockets = [socket.socket() for _ in range(3)]
        try:
            for sock in sockets:
                sock.bind((HOST, 0))
            backend, rasa, actions = (sock.getsockname()[1] for sock in sockets)
        finally:
            for sock in sockets:
                sock.close()
        return cls(backend=backend, rasa=rasa, actions=actions)


@dataclass
class Service:
    name: str
    command: list[str]
    port: int
    health_path: str
    log_path: Path
    process: subprocess.Popen | None = None
    healthy: bool = False
    # What it is (backend, actions, rasa, balancer): the cluster (bot/cluster) runs several of one role, named
    # rasa-1, rasa-2…; empty means the name. Its probe and what the supervisor says follow the role.
    role: str = ""
    # Variables for this process only, over the stack's environment (e.g. the port of one of several web processes)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.role = self.role or self.name

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Stack:
    root: Path = ROOT
    services: list[Service] = field(default_factory=list)
    ports: Ports = field(default_factory=Ports)
    var_dir: Path | None = None
    rasa_api_token: str = field(default="", repr=False)
    # The environment the services were started with: a restart (bot/supervisor.py) must give them the same.
    child_env: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.ports.rasa}"

    @property
    def backend_url(self) -> str:
        return f"http://{HOST}:{self.ports.backend}"

    @property
    def actions_url(self) -> str:
        return f"http://{HOST}:{self.ports.actions}"

    def start(
        self,
        ports: Ports | None = None,
        env: Mapping[str, str] | None = None,
        model: Path = DEFAULT_MODEL,
        var_dir: Path | None = None,
        timeout: float = 480.0,
        only: Collection[str] | None = None,
    ) -> None:
        """Start every process and return once each answers its health check; on failure stop them all.

        `only` names a subset ("backend", "actions", "rasa"), e.g. a second Rasa instance for a test.
        """
        self.ports = ports or Ports()
        self.var_dir = Path(var_dir or self.root / "var")
        environment = {**os.environ, **(env or {})}
        try:
            refuse_demo_secrets(environment)
        except DemoSecretsRefused as refusal:
            raise StackError(str(refusal)) from None
        self.rasa_api_token = environment.get("RASA_API_TOKEN") or secrets.token_urlsafe(32)
        if not Path(model).is_file():
            raise StackError(f"No trained model at {model}: run `make train` first.")
        self.launch([s for s in self._plan(Path(model)) if only is None or s.name in only], env, timeout)

    def launch(self, services: list[Service], env: Mapping[str, str] | None = None,
               timeout: float = 480.0, first: Collection[str] = ()) -> None:
        """Start the given services (also another assistant's, e.g. a benchmark's baseline) and wait for health.

        Services named in `first` are started, and answer, before the others: one web process migrates a new
        database before its siblings start (the cluster, bot/cluster).
        """
        self.services = services
        self._check_ports()
        self.child_env = self._child_env(env or {})
        waves = [[s for s in services if s.name in first], [s for s in services if s.name not in first]]
        self.services = []
        try:
            for wave in (w for w in waves if w):
                self.services += wave
                for service in wave:
                    self._spawn(service, self.child_env)
                self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self, grace: float = 15.0) -> None:
        """Terminate every process group (Rasa first, so nothing calls a stopped action server)."""
        running = [s for s in reversed(self.services) if s.process and s.process.poll() is None]
        for service in running:
            _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in running:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(service.process, signal.SIGKILL)
                service.process.wait(timeout=5)
        for service in self.services:
            if service.process:
                # Grandchildren left in the group after the leader exited still hold ports: end them too.
                _signal_group(service.process, signal.SIGKILL)
            service.healthy = False

    def respawn(self, service: Service) -> None:
        """Start a service that has stopped again, as it was first started; its log goes on after the old one."""
        self._spawn(service, self.child_env, append=True)

    def probe(self, service: Service, timeout: float = 3.0) -> bool:
        """Whether the service answers its health check now (for Rasa: a turn through NLU and policies)."""
        return _healthy(service, self.rasa_api_token, timeout)

    def send(self, service: Service, sig: signal.Signals) -> None:
        """Signal the service's whole process group (what it spawned too), if it was ever started."""
        if service.process:
            _signal_group(service.process, sig)

    def dead(self) -> Service | None:
        """A started process that has exited on its own, if any."""
        return next((s for s in self.services if s.process and s.process.poll() is not None), None)

    def _plan(self, model: Path) -> list[Service]:
        python = sys.executable
        logs = self.var_dir / "logs"
        endpoints = write_endpoints(self.var_dir / "rasa-endpoints.yml", f"{self.actions_url}/webhook")
        services = [Service("backend", [python, "-m", "bot.backend"], self.ports.backend, "/health",
                            logs / "backend.log")]
        services.append(Service(
            "actions", [python, "-m", "bot.action_server", "run", "actions", "--actions", "actions",
                        "--port", str(self.ports.actions)],
            self.ports.actions, "/health", logs / "actions.log"))
        services.append(Service(
            "rasa", [python, "-m", "bot.rasa_server", "run", "--enable-api", "--interface", HOST,
                     "--port", str(self.ports.rasa), "--model", str(model),
                     "--credentials", str(self.root / "credentials.yml"), "--endpoints", str(endpoints)],
            self.ports.rasa, TURN_PROBE_PATH, logs / "rasa.log"))
        return services

    def _check_ports(self) -> None:
        taken = [s for s in self.services if port_in_use(s.port)]
        if taken:
            listing = ", ".join(f"{s.port} ({s.name})" for s in taken)
            raise PortInUse(
                f"Port {listing} already in use — is another `make run` still running? Stop it, or choose "
                "other ports with BACKEND_PORT / RASA_PORT / ACTION_PORT.")

    def _child_env(self, extra: Mapping[str, str]) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "COURIER_VAR_DIR": str(self.var_dir),
            "BACKEND_HOST": HOST,
            "BACKEND_PORT": str(self.ports.backend),
            "BACKEND_URL": self.backend_url,
            "RASA_PORT": str(self.ports.rasa),
            "RASA_URL": self.rasa_url,
            "ACTION_PORT": str(self.ports.actions),
        })
        env.update(extra)
        if self.rasa_api_token:
            env["RASA_API_TOKEN"] = self.rasa_api_token
        return env

    def _spawn(self, service: Service, env: dict[str, str], append: bool = False) -> None:
        service.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(service.log_path, "ab" if append else "wb") as log:
            if append:
                log.write(f"\n--- restarted {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
                log.flush()
            command = service.command
            if sys.platform.startswith("linux"):
                command = [sys.executable, "-c", _DIE_WITH_STARTER, str(os.getpid()), *command]
            service.process = subprocess.Popen(
                command, cwd=self.root, env={**env, **service.env}, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all(s.healthy for s in self.services):
            for service in self.services:
                if service.healthy:
                    continue
                if service.process.poll() is not None:
                    raise StackError(
                        f"{service.name} exited with code {service.process.returncode} while starting. "
                        f"Last lines of {service.log_path}:\n{log_tail(service.log_path)}")
                service.healthy = _healthy(service, self.rasa_api_token)
            if time.monotonic() > deadline:
                slow = ", ".join(s.name for s in self.services if not s.healthy)
                raise StackError(f"{slow} not healthy after {timeout:.0f} s. Logs in {self.var_dir / 'logs'}.")
            time.sleep(0.5)


def _healthy(service: Service, rasa_api_token: str = "", timeout: float = 3.0) -> bool:
    url = service.url + service.health_path
    if service.role == "rasa":
        url = with_token(url, rasa_api_token)
    return answers(url, needs_model=service.role == "rasa", timeout=timeout)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
