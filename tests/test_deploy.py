"""The scale-out profile's configuration: the Kubernetes manifests agree with the loopback
profile and with the rules of the house (`make lint-deploy` checks them against the schemas)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from assistant.devstack.scale import ScaleConfig, TrackerDatabase, nginx_conf
from assistant.settings import PROJECT_ROOT, Settings

K8S = PROJECT_ROOT / "deploy" / "k8s"


def _documents() -> list[dict[str, Any]]:
    return [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


def _one(kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in _documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def _workloads() -> list[dict[str, Any]]:
    return [d for d in _documents() if d["kind"] in ("Deployment", "StatefulSet")]


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def test_the_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )


def test_the_engines_run_with_the_endpoints_the_scale_test_runs_with() -> None:
    config = _one("ConfigMap", "engine-config")["data"]
    scale = (PROJECT_ROOT / "deploy" / "scale" / "endpoints.yml").read_text(encoding="utf-8")
    assert config["endpoints.yml"] == scale
    credentials = (PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(config["credentials.yml"]) == yaml.safe_load(credentials)


def test_the_web_apps_hash_onto_one_stable_name_per_engine_replica() -> None:
    engines = _one("StatefulSet", "engine")
    service = _one("Service", engines["spec"]["serviceName"])
    assert service["spec"]["clusterIP"] == "None"  # headless: a DNS name per pod
    urls = json.loads(_one("ConfigMap", "assistant-config")["data"]["ASSISTANT_ENGINE_URLS"])
    name, svc = engines["metadata"]["name"], service["metadata"]["name"]
    assert urls == [f"http://{name}-{i}.{svc}:5005" for i in range(engines["spec"]["replicas"])]
    assert _one("Deployment", "web")["spec"]["replicas"] >= 2
    assert engines["spec"]["replicas"] >= 2


def test_a_lock_outlives_the_longest_wait_of_a_web_app() -> None:
    [engine] = _one("StatefulSet", "engine")["spec"]["template"]["spec"]["containers"]
    timeout = _one("ConfigMap", "assistant-config")["data"]["ASSISTANT_ENGINE_TIMEOUT_SECONDS"]
    assert int(_env(engine)["TICKET_LOCK_LIFETIME"]) > float(timeout)
    with pytest.raises(ValueError, match="lock lifetime"):
        ScaleConfig(
            model=Path("m.tar.gz"),
            workdir=Path("w"),
            tracker=TrackerDatabase("127.0.0.1", 5432, "t", "u"),
            app_database_url="sqlite://",
            lock_lifetime_seconds=15,
            engine_timeout_seconds=15,
        )


def test_every_container_runs_unprivileged_with_resources_and_probes() -> None:
    for workload in _workloads():
        pod = workload["spec"]["template"]["spec"]
        name = workload["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert context["readOnlyRootFilesystem"] is True, name
            assert {"requests", "limits"} <= set(container["resources"]), name
            assert {"readinessProbe", "livenessProbe"} <= set(container), name


def test_the_probes_are_the_health_routes() -> None:
    [web] = _one("Deployment", "web")["spec"]["template"]["spec"]["containers"]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    [engine] = _one("StatefulSet", "engine")["spec"]["template"]["spec"]["containers"]
    assert engine["readinessProbe"]["httpGet"]["path"] == "/webhooks/assistant/status"


def _allowed_from(target: str) -> set[str]:
    """The app.kubernetes.io/name of pods the network policies let reach `target`."""
    allowed: set[str] = set()
    for policy in (d for d in _documents() if d["kind"] == "NetworkPolicy"):
        selected = policy["spec"]["podSelector"].get("matchLabels", {})
        if selected.get("app.kubernetes.io/name") != target:
            continue
        for rule in policy["spec"].get("ingress", []):
            for peer in rule["from"]:
                selector = peer.get("podSelector")
                if selector is None:
                    allowed.add("outside the namespace")
                    continue
                allowed |= set(selector.get("matchLabels", {}).values())
                for expression in selector.get("matchExpressions", []):
                    allowed |= set(expression["values"])
    return allowed


def test_only_the_web_app_reaches_the_engines_and_only_engines_the_action_server() -> None:
    deny = _one("NetworkPolicy", "default-deny-ingress")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert _allowed_from("engine") == {"web"}
    assert _allowed_from("actions") == {"engine"}
    assert _allowed_from("redis") == {"engine"}
    assert _allowed_from("postgres") == {"web", "actions", "engine"}
    assert _allowed_from("web") == {"outside the namespace"}  # the ingress controller


def test_the_secret_placeholders_are_refused_in_production() -> None:
    secret = _one("Secret", "assistant-secrets")["stringData"]
    config = _one("ConfigMap", "assistant-config")["data"]
    assert config["ASSISTANT_ENVIRONMENT"] == "production"
    settings = {
        "environment": "production",
        "oidc_issuer": config["ASSISTANT_OIDC_ISSUER"],
        "oidc_audience": config["ASSISTANT_OIDC_AUDIENCE"],
        "oidc_jwks_url": config["ASSISTANT_OIDC_JWKS_URL"],
    }
    with pytest.raises(ValidationError, match="ASSISTANT_SECRET_KEY"):
        Settings(**settings, secret_key=secret["ASSISTANT_SECRET_KEY"], internal_token="i" * 40)
    with pytest.raises(ValidationError, match="ASSISTANT_INTERNAL_TOKEN"):
        Settings(**settings, secret_key="x" * 40, internal_token=secret["ASSISTANT_INTERNAL_TOKEN"])
    # With real secrets the same settings start.
    Settings(**settings, secret_key="x" * 40, internal_token="i" * 40)


def test_the_proxy_round_robins_and_never_resends_a_post() -> None:
    conf = nginx_conf(Path("/tmp/n"), 8080, [8001, 8002], user=None)
    assert "server 127.0.0.1:8001" in conf and "server 127.0.0.1:8002" in conf
    assert "listen 127.0.0.1:8080;" in conf
    assert "non_idempotent" not in conf
    assert "user " not in conf.split("worker_processes")[0]
    assert nginx_conf(Path("/tmp/n"), 8080, [8001], user="nobody nogroup").startswith(
        "user nobody nogroup;"
    )
