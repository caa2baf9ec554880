"""The console's event stream passes the balancers: events are not buffered and a quiet stream is not cut.

The stream sends a comment every HEARTBEAT_S (bot/console/stream.py); every proxy in front of the web process
must wait longer than that for the next byte, and nginx must pass each event on as it comes.
"""

from __future__ import annotations

import re

import yaml

from bot.cluster import haproxy
from bot.cluster.topology import Topology
from bot.console.stream import HEARTBEAT_S
from bot.settings import ROOT, Settings

NGINX = ROOT / "deploy" / "compose" / "nginx.conf"
INGRESS = ROOT / "deploy" / "k8s" / "ingress.yaml"


def seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[unit]


def test_nginx_passes_the_stream_unbuffered_and_keeps_it_open() -> None:
    text = re.sub(r"#[^\n]*", "", NGINX.read_text(encoding="utf-8"))
    body = re.search(r"location\s*=\s*/console/api/stream\s*\{([^}]*)\}", text)
    assert body, "compose's nginx has no location for the console's stream"
    directives = dict(" ".join(d.split()).split(" ", 1) for d in body.group(1).split(";") if d.strip())
    assert directives["proxy_pass"] == "http://web"
    assert directives["proxy_buffering"] == "off"
    assert seconds(directives["proxy_read_timeout"]) > 2 * HEARTBEAT_S


def test_haproxy_and_the_ingress_wait_longer_than_the_heartbeat() -> None:
    config = haproxy.render(Topology(), Settings())
    for name in ("client", "server"):
        (value,) = re.findall(rf"^\s*timeout {name}\s+(\S+)", config, flags=re.MULTILINE)
        assert seconds(value) > 2 * HEARTBEAT_S, (name, value)
    (web,) = [item for item in yaml.safe_load_all(INGRESS.read_text(encoding="utf-8"))
              if item["metadata"]["name"] == "courier-web"]
    annotations = web["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) > 2 * HEARTBEAT_S
