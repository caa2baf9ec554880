"""The cluster mode (bot/cluster) checked without starting anything: the balancer configuration it renders, the
processes it plans, and that it describes the same topology as deploy/ (Kubernetes, compose + nginx): the same
roles, commands, ports, public routes, affinity rules, body limits, timeouts and Rasa endpoints."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cluster import haproxy
from bot.cluster.__main__ import impacts
from bot.cluster.environment import (
    THIS_MACHINE,
    StoreUnreachable,
    check_stores,
    cluster_environment,
    cluster_secrets,
    store_urls,
)
from bot.cluster.processes import BALANCER, FIRST, command, plan
from bot.cluster.topology import MAX_PER_ROLE, Topology, TopologyError, free_topology
from bot.production_check import ALL as SECRET_VARIABLES
from bot.rasa_endpoints import render_endpoints
from bot.rasa_health import TURN_PROBE_PATH
from bot.settings import ROOT, Settings
from bot.stack import Service
from tests.deploy.test_deploy_manifests import (
    DEPLOY,
    ROLES,
    STORE_URLS,
    by_kind,
    compose,
    container,
    default_settings,
    setting_variables,
)

NGINX = DEPLOY / "compose" / "nginx.conf"
# The cluster's role names are deploy/'s (rasa, actions, web); its web processes are the backend to the supervisor.
SUPERVISOR_ROLE = {"rasa": "rasa", "actions": "actions", "web": "backend"}


def sections(config: str) -> dict[str, list[str]]:
    """HAProxy's sections ("frontend public", "backend web"…) and their lines, comments and blank lines left out."""
    found: dict[str, list[str]] = {}
    current = None
    for raw in config.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if not line[0].isspace():
            current = line.strip()
            found[current] = []
        else:
            found[current].append(" ".join(line.split()))
    return found


def rendered(topology: Topology | None = None) -> dict[str, list[str]]:
    return sections(haproxy.render(topology or Topology(), Settings()))


def lines_starting(section: list[str], prefix: str) -> list[str]:
    return [line for line in section if line.startswith(prefix)]


def public_routes(config: dict[str, list[str]]) -> dict[str, str]:
    """Path prefix → backend of the public entry."""
    frontend = config["frontend public"]
    acls = {}
    for line in lines_starting(frontend, "acl "):
        _, name, test, value = line.split(" ", 3)
        if test == "path_beg":
            acls[name] = value
    routes = {}
    for line in lines_starting(frontend, "use_backend "):
        _, backend, _, acl = line.split(" ")
        routes[acls[acl].rstrip("/")] = backend
    (default,) = lines_starting(frontend, "default_backend ")
    routes["/"] = default.split(" ")[1]
    return routes


def nginx_locations() -> dict[str, list[str]]:
    text = re.sub(r"#[^\n]*", "", NGINX.read_text(encoding="utf-8"))
    return {path.rstrip("/") or "/": [" ".join(d.split()) for d in body.split(";") if d.strip()]
            for path, body in re.findall(r"location\s+(\S+)\s*\{([^}]*)\}", text)}


def nginx_upstreams() -> dict[str, list[str]]:
    text = re.sub(r"#[^\n]*", "", NGINX.read_text(encoding="utf-8"))
    return {name: [" ".join(d.split()) for d in body.split(";") if d.strip()]
            for name, body in re.findall(r"upstream\s+(\S+)\s*\{([^}]*)\}", text)}


def megabytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([mM]?)", value).groups()
    return int(number) * (1024 * 1024 if unit else 1)


# ---- the rendered configuration -------------------------------------------------------------------------------

def test_the_public_entry_routes_as_the_ingress_and_nginx_do() -> None:
    routes = public_routes(rendered())
    assert routes == {"/socket.io": "rasa_socketio", "/webhooks": "rasa_channels", "/": "web"}
    role_of = {"rasa_socketio": "rasa", "rasa_channels": "rasa", "web": "web"}
    ours = {path: role_of[backend] for path, backend in routes.items()}
    ingress = {}
    for item in by_kind("Ingress").values():
        for rule in item["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                ingress[path["path"]] = path["backend"]["service"]["name"]
    assert ours == {path: next(r for r, name in ROLES.items() if name == service) for path, service in ingress.items()}
    nginx = {path: next(d for d in body if d.startswith("proxy_pass")).split("//")[1]
             for path, body in nginx_locations().items()}
    assert ours == nginx, "the cluster, compose's nginx and the Ingress send the same paths to the same processes"


def test_rasa_http_api_is_not_public() -> None:
    config = rendered()
    # Only the two channel prefixes reach Rasa from outside; /conversations, /model… go to the web process.
    rasa_backends = {b for p, b in public_routes(config).items() if b.startswith("rasa")}
    assert rasa_backends == {"rasa_socketio", "rasa_channels"}
    assert "bind 127.0.0.1:5005" in config["frontend inside_rasa"]
    assert all(line.startswith("bind 127.0.0.1:") for name, body in config.items() if name.startswith("frontend inside")
               for line in lines_starting(body, "bind "))


def test_socketio_sticks_by_cookie_and_client_address_as_in_deploy() -> None:
    backend = rendered()["backend rasa_socketio"]
    (cookie,) = lines_starting(backend, "cookie ")
    assert cookie.split(" ")[1] == haproxy.AFFINITY_COOKIE and " insert " in cookie
    assert "balance source" in backend, "a client that keeps no cookie stays by its address"
    chat = by_kind("Ingress")["courier-chat"]["metadata"]["annotations"]
    assert chat["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert chat["nginx.ingress.kubernetes.io/session-cookie-name"] == haproxy.AFFINITY_COOKIE
    assert by_kind("Service")["courier-rasa"]["spec"]["sessionAffinity"] == "ClientIP"
    assert "ip_hash" in nginx_upstreams()["rasa"]
    for server in lines_starting(backend, "server "):
        name = server.split(" ")[1]
        assert f"cookie {name}" in server and f"track rasa_channels/{name}" in server


def test_channel_messages_go_by_conversation_where_the_channel_names_it() -> None:
    config = rendered()
    frontend, backend = config["frontend public"], config["backend rasa_channels"]
    assert "balance hash var(txn.conversation)" in backend and "hash-type consistent" in backend
    keys = {line.rsplit(" if ", 1)[1]: line.split(" ", 2)[2].rsplit(" if ", 1)[0]
            for line in lines_starting(frontend, "http-request set-var(txn.conversation)")}
    assert keys == {"rest": "req.body,json_query('$.sender')", "wechat": "url_param(openid)"}
    assert "acl rest path /webhooks/rest/webhook" in frontend and "acl wechat path_beg /webhooks/wechat/" in frontend
    assert "http-request wait-for-body time 2s if rest" in frontend
    # Rasa's HTTP API inside: by conversation too (/conversations/<id>/…)
    assert "balance uri path-only depth 2" in config["backend rasa_api"]


def test_every_instance_is_a_server_with_the_health_check_of_its_role() -> None:
    topology = Topology(rasa=3, actions=2, web=4)
    config = rendered(topology)
    expected = {"rasa_channels": "rasa", "rasa_socketio": "rasa", "rasa_api": "rasa", "actions": "actions",
                "web": "web"}
    for backend, role in expected.items():
        servers = [line.split(" ")[1:3] for line in lines_starting(config[f"backend {backend}"], "server ")]
        assert servers == [[i.name, f"127.0.0.1:{i.port}"] for i in topology.instances(role)], backend
    checked = {"rasa_channels": f'http-check send meth GET uri "{TURN_PROBE_PATH}?token=${{RASA_API_TOKEN}}"',
               "actions": "http-check send meth GET uri /health", "web": "http-check send meth GET uri /health"}
    for backend, send in checked.items():
        body = config[f"backend {backend}"]
        assert send in body and "http-check expect status 200" in body and "option httpchk" in body
        assert all(" check" in line for line in lines_starting(body, "server "))
    # The probes are the ones deploy/ uses (bot.health_probe asks TURN_PROBE_PATH with the token; /health)
    assert container("web")["readinessProbe"]["httpGet"]["path"] == "/health"
    assert container("actions")["readinessProbe"]["httpGet"]["path"] == "/health"


def test_no_secret_is_written_and_the_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_API_TOKEN", "t" * 40)
    text = haproxy.render(Topology(), Settings())
    assert "t" * 40 not in text and "${RASA_API_TOKEN}" in text
    path = haproxy.write(tmp_path / "cluster" / "haproxy.cfg", text)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text(encoding="utf-8") == text


def test_body_limits_and_timeouts_are_deploys() -> None:
    config = rendered()
    settings = Settings()
    frontend, defaults = config["frontend public"], config["defaults"]
    for acl in ("socketio", "webhooks"):
        assert (f"http-request deny deny_status 413 if {acl} {{ req.hdr_val(content-length) gt "
                f"{settings.rasa_max_request_bytes} }}") in frontend
    assert f"http-request deny deny_status 413 if {{ req.hdr_val(content-length) gt {settings.max_request_bytes} }}" \
        in frontend
    limits = {path: megabytes(next(d for d in body if d.startswith("client_max_body_size")).split(" ")[1])
              for path, body in nginx_locations().items()}
    assert limits == {"/socket.io": settings.rasa_max_request_bytes, "/webhooks": settings.rasa_max_request_bytes,
                      "/": settings.max_request_bytes}
    annotations = {name: item["metadata"]["annotations"] for name, item in by_kind("Ingress").items()}
    assert megabytes(annotations["courier-chat"]["nginx.ingress.kubernetes.io/proxy-body-size"]) \
        == settings.rasa_max_request_bytes
    assert megabytes(annotations["courier-web"]["nginx.ingress.kubernetes.io/proxy-body-size"]) \
        == settings.max_request_bytes
    # A web chat's websocket stays open an hour everywhere
    assert "timeout tunnel 3600s" in defaults
    assert "proxy_read_timeout 3600s" in nginx_locations()["/socket.io"]
    assert annotations["courier-chat"]["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    # The forwarded client address is overwritten, as nginx does
    assert "http-request set-header X-Forwarded-For %[src]" in frontend
    assert all("proxy_set_header X-Forwarded-For $remote_addr" in body for body in nginx_locations().values())
    # A request that reached an instance is never sent twice; a refused connection is
    assert "retry-on conn-failure" in defaults
    # Turns beyond an instance's share wait in HAProxy's queue as long as a turn may take, not 5 s
    assert "timeout queue 180s" in defaults and "timeout server 180s" in defaults
    assert "http-reuse never" in config["backend rasa_channels"], "a dead instance's kept connection is no 502"
    assert "maxconn 20" in next(line for line in config["backend rasa_channels"] if line.startswith("default-server"))
    assert "timeout check 60s" in config["backend rasa_channels"], "a busy instance is not taken out"
    assert not any("maxconn" in line for line in config["backend rasa_socketio"]), "websockets are not capped"


@pytest.mark.skipif(not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()) and not os.environ.get("CI"),
                    reason="HAProxy is not installed (make balancer)")
def test_haproxy_accepts_the_configuration(tmp_path: Path) -> None:
    program = shutil.which("haproxy") or "/usr/sbin/haproxy"
    for topology in (Topology(), Topology(rasa=1, actions=1, web=1), Topology(rasa=MAX_PER_ROLE, actions=3, web=5)):
        path = haproxy.write(tmp_path / "haproxy.cfg", haproxy.render(topology, Settings()))
        haproxy.check(program, path, {**os.environ, "RASA_API_TOKEN": "x" * 32})
    (tmp_path / "broken.cfg").write_text("frontend x\n    bind 127.0.0.1:1\n    no_such_keyword\n", encoding="utf-8")
    with pytest.raises(haproxy.BalancerConfigError, match="no_such_keyword"):
        haproxy.check(program, tmp_path / "broken.cfg", dict(os.environ))


# ---- topology, ports and processes -----------------------------------------------------------------------------

def test_defaults_are_deploys_replicas_and_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = default_settings(monkeypatch)
    topology = Topology.from_settings(settings)
    deployments, services = by_kind("Deployment"), compose()["services"]
    for role, name in ROLES.items():
        assert len(topology.instances(role)) == deployments[name]["spec"]["replicas"] == \
            services[role]["deploy"]["replicas"]
        # The balancer's inside address of a role is the port of its Service and its containers
        assert topology.inside_port(role) == by_kind("Service")[name]["spec"]["ports"][0]["port"] == \
            container(role)["ports"][0]["containerPort"]
    published = services["balancer"]["ports"][0]
    assert re.fullmatch(r"\$\{COURIER_HTTP_PORT:-(\d+)\}:80", published).group(1) == str(topology.public_port)
    assert topology.bind == "127.0.0.1" and topology.public_url == "http://localhost:8080"


def test_instance_ports_sit_above_their_service_and_never_collide() -> None:
    topology = Topology(rasa=MAX_PER_ROLE, actions=MAX_PER_ROLE, web=MAX_PER_ROLE)
    ports = topology.all_ports()
    assert len(ports) == len(set(ports))
    assert [i.port for i in topology.instances("rasa")][:2] == [5006, 5007]
    for bad in ({"rasa": 0}, {"actions": MAX_PER_ROLE + 1}, {"web": -1}):
        with pytest.raises(TopologyError):
            Topology(**bad)
    free = free_topology(2, 1, 2)
    assert len(set(free.all_ports())) == len(free.all_ports())


def test_commands_are_deploys_on_this_machines_ports_and_paths(tmp_path: Path) -> None:
    topology = Topology(rasa=2, actions=2, web=2)
    services = plan(topology, ROOT / "models" / "courier.tar.gz", tmp_path / "endpoints.yml", tmp_path / "h.cfg",
                    "/usr/sbin/haproxy", tmp_path / "logs")
    by_name = {s.name: s for s in services}
    assert [s.name for s in services] == ["web-1", "web-2", "actions-1", "actions-2", "rasa-1", "rasa-2", BALANCER]
    assert services[0].name == FIRST, "the first web process migrates the database before the others start"
    for role in ROLES:
        deployed = compose()["services"][role]["command"]
        for instance in topology.instances(role):
            service = by_name[instance.name]
            ours = [("python" if part == sys.executable else part) for part in service.command]
            assert service.role == SUPERVISOR_ROLE[role] and service.port == instance.port
            assert len(ours) == len(deployed) and ours[:3] == deployed[:3], (ours, deployed)
            differing = {deployed[i - 1]: (ours[i], deployed[i]) for i, (a, b) in enumerate(zip(ours, deployed,
                                                                                            strict=True)) if a != b}
            # Only where it listens and where its files are may differ
            assert set(differing) <= {"--interface", "--port", "--model", "--credentials", "--endpoints"}, differing
            if "--port" in differing:
                assert differing["--port"][0] == str(instance.port)
    assert by_name["web-2"].env == {"BACKEND_PORT": str(topology.instances("web")[1].port)}
    assert by_name["rasa-1"].health_path == TURN_PROBE_PATH and by_name[BALANCER].port == topology.stats_port
    assert by_name[BALANCER].command == ["/usr/sbin/haproxy", "-db", "-f", str(tmp_path / "h.cfg")]
    with pytest.raises(ValueError):
        command("nginx", 1)


def test_rasa_endpoints_are_deploys_with_the_balancers_action_address(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, url in STORE_URLS.items():
        monkeypatch.setenv(variable, url)
    monkeypatch.delenv("RABBITMQ_QUEUE", raising=False)
    ours = render_endpoints(f"{Topology().inside_url('actions')}/webhook", Settings())
    deployed = yaml.safe_load((DEPLOY / "compose" / "rasa-endpoints.yml").read_text(encoding="utf-8"))
    assert ours.pop("action_endpoint") == {"url": "http://127.0.0.1:5055/webhook"}
    deployed.pop("action_endpoint")
    assert ours == deployed


def test_the_environment_is_deploys(monkeypatch: pytest.MonkeyPatch) -> None:
    values = cluster_environment({}, "http://localhost:8080")
    assert set(values) <= setting_variables()
    assert {name: values[name] for name in THIS_MACHINE} == THIS_MACHINE
    deployed = by_kind("ConfigMap")["courier-config"]["data"]
    environment = compose()["x-courier-environment"]
    for name in ("TRUST_FORWARDED_HEADERS",):
        assert deployed[name] == environment[name] == "true" and values[name] == "1"
    # The chat's socket.io goes to the public entry in all three
    assert values["CHAT_RASA_URL"] == values["PUBLIC_BASE_URL"] == "http://localhost:8080"
    assert deployed["CHAT_RASA_URL"] == deployed["PUBLIC_BASE_URL"]
    assert environment["CHAT_RASA_URL"] == "${PUBLIC_BASE_URL}"
    chosen = cluster_environment({"PUBLIC_BASE_URL": "https://kefu.example.com", "REDIS_URL": "rediss://r:6380/1"},
                                 "http://localhost:8080")
    assert chosen["CHAT_RASA_URL"] == "https://kefu.example.com" and chosen["REDIS_URL"] == "rediss://r:6380/1"


def test_secrets_are_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "cluster" / "secrets.env"
    first = cluster_secrets({"BACKEND_API_KEY": "k" * 32}, path)
    assert set(first) == set(SECRET_VARIABLES) - {"BACKEND_API_KEY"}
    assert all(len(value) >= 32 for value in first.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "k" * 32 not in path.read_text(encoding="utf-8")
    assert cluster_secrets({"BACKEND_API_KEY": "k" * 32}, path) == first, "the next start reads the same ones"
    again = cluster_secrets({}, path)
    assert {name: again[name] for name in first} == first and len(again["BACKEND_API_KEY"]) >= 32


def test_a_store_that_does_not_answer_is_named_with_its_variable() -> None:
    with pytest.raises(StoreUnreachable) as refused:
        check_stores({"REDIS_URL": "redis://127.0.0.1:1/0", "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:1/"},
                     timeout=0.5)
    assert "Redis at 127.0.0.1:1, REDIS_URL" in str(refused.value) and "RABBITMQ_URL" in str(refused.value)
    assert store_urls({"DATABASE_URL": " "})["DATABASE_URL"] == THIS_MACHINE["DATABASE_URL"]


def test_the_supervisor_names_the_instance_and_what_customers_meet() -> None:
    from bot.supervisor import Policy, Supervisor, Watch, _label

    service = Service("rasa-2", ["true"], 1, "/", Path("x.log"), role="rasa")
    assert _label(Watch(service)) == "Rasa rasa-2"
    assert _label(Watch(Service("backend", ["true"], 1, "/", Path("x.log")))) == "the backend"
    texts = impacts(Topology(rasa=2, actions=1, web=2))
    assert "other Rasa instances" in texts["rasa"] and "actions" not in texts and "backend" in texts
    assert "rasa" not in impacts(Topology(rasa=1))

    class Quiet:
        services: list[Service] = []

    said: list[str] = []
    supervisor = Supervisor(Quiet(), Policy(), say=said.append, impacts=texts)
    supervisor._went_down(Watch(service), 0.0, "it stopped")
    supervisor.close()
    assert said == [f"Rasa rasa-2 is unavailable: it stopped. Meanwhile {texts['rasa']}."]


def test_make_cluster_runs_the_module() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^cluster:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert target and "-m bot.cluster" in target.group(1)
    assert re.search(r"^balancer:.*\n(?:\t.*\n)*\t.*apt-get install -y -qq haproxy", makefile, re.MULTILINE)
    result = subprocess.run([sys.executable, "-m", "bot.cluster", "--rasa", "0"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "rasa processes must be 1 to" in result.stderr
