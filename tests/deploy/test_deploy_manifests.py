"""deploy/ checked offline: every Kubernetes object against the Kubernetes OpenAPI schemas (kubernetes-validate),
the compose file against the Compose Specification schema (vendored in deploy/schemas), and both against the
code: settings names, entry points, ports, health routes, the Rasa endpoints file, the image's files."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import types
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from bot import production_check
from bot.health_probe import probe_url
from bot.rasa_endpoints import render_endpoints
from bot.rasa_health import TURN_PROBE_PATH
from bot.settings import ROOT, Settings

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.28.0"
# Environment variables the manifests may set that are not ours: uvicorn's trusted proxies (bot/web_app).
FOREIGN_VARIABLES = {"FORWARDED_ALLOW_IPS"}
# The three processes, by Deployment name in deploy/k8s and service name in deploy/compose.yaml.
ROLES = {"rasa": "courier-rasa", "actions": "courier-actions", "web": "courier-web"}
# Peak RSS measured on a running stack after the e2e conversations (deploy/README.md, `ps -o rss`), in MiB.
MEASURED_RSS_MIB = {"rasa": 2300, "actions": 140, "web": 130}
STORE_URLS = {"TRACKER_STORE_URL": "postgresql://courier@db:5432/rasa", "REDIS_URL": "redis://redis:6379/0",
              "RABBITMQ_URL": "amqp://guest:guest@mq:5672/", "DATABASE_URL": "postgresql://courier@db:5432/courier"}


def k8s_objects() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    objects = []
    for name in kustomization["resources"]:
        objects += [doc for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if doc]
    return objects


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in k8s_objects() if obj["kind"] == kind}


def container(role: str) -> dict[str, Any]:
    (only,) = by_kind("Deployment")[ROLES[role]]["spec"]["template"]["spec"]["containers"]
    return only


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def setting_variables() -> set[str]:
    """Every environment variable bot/settings.py reads."""
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'_(?:env|int|bool)\(\s*"([A-Z0-9_]+)"', source))


def secret_keys() -> set[str]:
    lines = (K8S / "secrets.example.env").read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0] for line in lines if line.strip() and not line.startswith("#")}


def default_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    for variable in setting_variables():
        monkeypatch.delenv(variable, raising=False)
    return Settings()


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"])
    assert listed == {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}


@pytest.mark.parametrize("obj", k8s_objects(), ids=lambda obj: f"{obj['kind']}/{obj['metadata']['name']}")
def test_kubernetes_object_matches_the_openapi_schema(obj: dict[str, Any]) -> None:
    # strict: a misspelt or misplaced field is an error, not silently ignored by the API server
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_kubernetes_validation_catches_a_misplaced_field() -> None:
    broken = json.loads(json.dumps(by_kind("Deployment")["courier-rasa"]))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def compose_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_compose_file_matches_the_compose_specification() -> None:
    errors = [f"{list(error.path)}: {error.message}" for error in compose_validator().iter_errors(compose())]
    assert errors == []


def test_compose_validation_catches_a_wrong_field() -> None:
    broken = compose()
    broken["services"]["rasa"]["healthcheck"]["retry"] = 3
    assert list(compose_validator().iter_errors(broken))


def environments() -> dict[str, set[str]]:
    """The variables each place sets for our processes."""
    config = by_kind("ConfigMap")["courier-config"]["data"]
    found = {"k8s ConfigMap": set(config), "k8s Secret": secret_keys()}
    for name, service in compose()["services"].items():
        if name != "balancer":
            found[f"compose {name}"] = set(service["environment"])
    for role in ROLES:
        found[f"k8s {role}"] = {item["name"] for item in container(role).get("env", [])}
    return found


def test_every_variable_set_is_a_setting() -> None:
    known = setting_variables() | FOREIGN_VARIABLES
    unknown = {place: sorted(names - known) for place, names in environments().items() if names - known}
    assert unknown == {}


def test_production_secrets_and_stores_are_provided_from_secrets() -> None:
    required = set(production_check.ALL) | set(production_check.PRODUCTION_VARIABLES)
    assert required <= secret_keys()
    assert required <= environments()["compose web"]
    config = by_kind("ConfigMap")["courier-config"]["data"]
    assert not required & set(config), "secrets and store URLs (with passwords) belong in the Secret"
    for role in ROLES:
        sources = container(role)["envFrom"]
        assert {"configMapRef": {"name": "courier-config"}} in sources
        assert {"secretRef": {"name": "courier-secrets"}} in sources


def test_compose_takes_every_secret_from_the_environment() -> None:
    environment = compose()["x-courier-environment"]
    for variable in production_check.ALL:
        assert re.fullmatch(r"\$\{" + variable + r":\?[^}]+\}", environment[variable]), variable


def entry_module(command: list[str]) -> str:
    assert command[:2] == ["python", "-m"], command
    return command[2]


@pytest.mark.parametrize("role", ROLES)
def test_commands_are_real_entry_points_and_the_same_everywhere(role: str) -> None:
    command = container(role)["command"]
    module = entry_module(command)
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    if spec.submodule_search_locations:
        assert importlib.util.find_spec(f"{module}.__main__") is not None, module
    else:
        assert 'if __name__ == "__main__"' in Path(spec.origin).read_text(encoding="utf-8"), module
    assert compose()["services"][role]["command"] == command


def test_rasa_is_started_as_the_stack_starts_it() -> None:
    command = container("rasa")["command"]
    assert command[3:5] == ["run", "--enable-api"]
    assert not any(arg.startswith("--auth-token") for arg in command), "the token comes from the environment"
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options["--interface"] == "0.0.0.0"
    assert options["--credentials"] == "/app/credentials.yml"
    assert options["--model"] == "/app/models/courier.tar.gz"
    mounts = {mount["name"]: mount["mountPath"] for mount in container("rasa")["volumeMounts"]}
    assert options["--endpoints"] == f"{mounts['endpoints']}/endpoints.yml"
    assert command[3:4] == ["run"] and container("actions")["command"][3:6] == ["run", "actions", "--actions"]


def test_ports_are_the_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = default_settings(monkeypatch)
    ports = {"rasa": settings.rasa_port, "actions": settings.action_port, "web": settings.backend_port}
    config = by_kind("ConfigMap")["courier-config"]["data"]
    services = by_kind("Service")
    for role, port in ports.items():
        assert [p["containerPort"] for p in container(role)["ports"]] == [port]
        assert [p["port"] for p in services[ROLES[role]]["spec"]["ports"]] == [port]
        command = container(role)["command"]
        if "--port" in command:
            assert command[command.index("--port") + 1] == str(port)
    assert config["RASA_PORT"] == str(settings.rasa_port)
    assert config["ACTION_PORT"] == str(settings.action_port)
    assert config["BACKEND_PORT"] == str(settings.backend_port)
    assert config["RASA_URL"] == f"http://courier-rasa:{settings.rasa_port}"
    assert config["BACKEND_URL"] == f"http://courier-web:{settings.backend_port}"
    environment = compose()["x-courier-environment"]
    assert environment["RASA_URL"] == f"http://rasa:{settings.rasa_port}"
    assert environment["BACKEND_URL"] == f"http://web:{settings.backend_port}"


def test_services_and_ingress_point_at_real_pods_and_ports() -> None:
    deployments, services = by_kind("Deployment"), by_kind("Service")
    for name, service in services.items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items()
        assert deployments[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    backends = {}
    for ingress in by_kind("Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["port"]["number"] in [p["port"] for p in services[backend["name"]]["spec"]["ports"]]
                backends[path["path"]] = backend["name"]
    # Customers reach only Rasa's channel routes; socket.io polls stay on one instance (cookie affinity).
    assert backends == {"/socket.io": "courier-rasa", "/webhooks": "courier-rasa", "/": "courier-web"}
    chat = by_kind("Ingress")["courier-chat"]["metadata"]["annotations"]
    assert chat["nginx.ingress.kubernetes.io/affinity"] == "cookie"


def test_replicas_are_the_same_in_kubernetes_and_compose() -> None:
    deployments, services = by_kind("Deployment"), compose()["services"]
    for role, name in ROLES.items():
        assert deployments[name]["spec"]["replicas"] == services[role]["deploy"]["replicas"]
    assert deployments["courier-rasa"]["spec"]["replicas"] >= 2, "the point is more than one Rasa"


def test_health_probes_use_real_routes() -> None:
    from rasa_sdk.endpoint import create_app as create_action_app

    from bot.web_app import create_app

    web_paths = {route.path for route in create_app().routes}
    action_paths = {route.path for route in create_action_app(types.ModuleType("no_actions")).router.routes}
    for role, paths in (("web", web_paths), ("actions", action_paths)):
        probes = [container(role)[probe] for probe in ("readinessProbe", "livenessProbe")]
        for probe in probes:
            assert probe["httpGet"]["path"].lstrip("/") in {p.lstrip("/") for p in paths}
            assert probe["httpGet"]["port"] == "http"
    # Rasa's route needs the token: an exec probe that reads it from the environment
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container("rasa")[probe]["exec"]["command"] == ["python", "-m", "bot.health_probe", "rasa"]
        assert container("rasa")[probe]["timeoutSeconds"] >= 10
    for role in ROLES:
        assert compose()["services"][role]["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.health_probe", role]


def test_rasa_probe_asks_the_turn_route_with_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("RASA_API_TOKEN", "a" * 32)
    monkeypatch.delenv("RASA_PORT", raising=False)
    get_settings.cache_clear()
    try:
        assert probe_url("rasa") == f"http://127.0.0.1:5005{TURN_PROBE_PATH}?token={'a' * 32}"
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(("path", "action_url"), [
    (None, "http://courier-actions:5055/webhook"), (DEPLOY / "compose" / "rasa-endpoints.yml", "http://actions:5055/webhook")])
def test_rasa_endpoints_file_is_what_the_code_renders(
        monkeypatch: pytest.MonkeyPatch, path: Path | None, action_url: str) -> None:
    for variable, url in STORE_URLS.items():
        monkeypatch.setenv(variable, url)
    monkeypatch.delenv("RABBITMQ_QUEUE", raising=False)
    settings = Settings()
    if path is None:
        text = by_kind("ConfigMap")["courier-rasa-endpoints"]["data"]["endpoints.yml"]
    else:
        text = path.read_text(encoding="utf-8")
    assert yaml.safe_load(text) == render_endpoints(action_url, settings)
    assert "postgresql://" not in text and "redis://" not in text, "URLs stay in the environment"


def test_resources_cover_the_measured_memory() -> None:
    for role, rss in MEASURED_RSS_MIB.items():
        resources = container(role)["resources"]
        request, limit = (mebibytes(resources[kind]["memory"]) for kind in ("requests", "limits"))
        assert rss <= request < limit, role
        reservations = compose()["services"][role]["deploy"]["resources"]
        assert rss <= mebibytes(reservations["reservations"]["memory"])


def mebibytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", quantity).groups()
    scale = {"Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20}[unit]
    return float(number) * scale


def dockerfile_copies() -> list[str]:
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    sources = []
    for line in lines:
        if line.startswith("COPY "):
            sources += line.split()[1:-1]
    return sources


def test_every_file_the_image_copies_exists() -> None:
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.splitlines())
    for source in dockerfile_copies():
        if source == "models/courier.tar.gz":
            # Not in git: `make train` writes it (the image serves the model `make test` checked)
            from bot import training
            assert "bot.training" in (ROOT / "Makefile").read_text(encoding="utf-8")
            assert training.MODEL == ROOT / source
            continue
        assert source in tracked or any(path.startswith(source) for path in tracked), source


def test_dockerignore_lets_every_copied_file_through() -> None:
    lines = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    allowed = {line[1:] for line in lines if line.startswith("!")}
    assert set(dockerfile_copies()) <= allowed
