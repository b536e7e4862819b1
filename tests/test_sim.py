"""The simulated cluster: scheduler, kubelets, node failures, and the
ReplicaSet controller keeping pods running, on the simulated clock."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from podcore import Cluster


def replica_set(name: str = "web", replicas: int = 3, **pod_spec: Any) -> dict[str, Any]:
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}], **pod_spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def pod(name: str, annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "annotations": annotations or {}},
        "spec": {"containers": [{"name": "app", "image": "busybox"}], **spec},
    }


def conditions(p: dict[str, Any]) -> dict[str, str]:
    return {c["type"]: c["status"] for c in p["status"].get("conditions", [])}


def test_replica_set_pods_run_ready_on_nodes_with_addresses() -> None:
    c = Cluster(nodes=3)
    c.apply(replica_set(replicas=6))
    took = c.settle()
    assert took == 1.0  # containers start one simulated second after binding
    pods = c.list("pods")
    assert len(pods) == 6
    nodes = {n["metadata"]["name"]: n for n in c.list("nodes")}
    for p in pods:
        node = nodes[p["spec"]["nodeName"]]
        assert p["status"]["phase"] == "Running"
        assert conditions(p) == {
            "PodReadyToStartContainers": "True",
            "Initialized": "True",
            "Ready": "True",
            "ContainersReady": "True",
            "PodScheduled": "True",
        }
        cidr = ipaddress.ip_network(node["spec"]["podCIDR"])
        assert ipaddress.ip_address(p["status"]["podIP"]) in cidr
        assert p["status"]["hostIP"] == node["status"]["addresses"][0]["address"]
        cs = p["status"]["containerStatuses"][0]
        assert cs["ready"] and cs["started"] and cs["restartCount"] == 0
        assert c.hostname(p["metadata"]["name"]) == p["metadata"]["name"]
    # The scheduler spreads one owner's pods over the nodes.
    assert sorted({p["spec"]["nodeName"] for p in pods}) == ["node-0", "node-1", "node-2"]
    rs = c.get("rs", "web")["status"]
    assert (rs["replicas"], rs["readyReplicas"], rs["availableReplicas"]) == (6, 6, 6)
    ips = [p["status"]["podIP"] for p in pods]
    assert len(set(ips)) == len(ips)


def test_dual_stack_pods_get_one_address_per_family() -> None:
    c = Cluster(nodes=1, ip_families=("IPv4", "IPv6"))
    c.create(pod("a"))
    c.settle()
    p = c.get("pods", "a")
    families = [ipaddress.ip_address(ip["ip"]).version for ip in p["status"]["podIPs"]]
    assert families == [4, 6]
    node = c.get("nodes", "node-0", namespace="")
    assert len(node["spec"]["podCIDRs"]) == 2


def test_the_same_seed_gives_the_same_cluster() -> None:
    def run() -> list[tuple[str, str, str]]:
        c = Cluster(nodes=2, seed=4)
        c.apply(replica_set(replicas=4))
        c.settle()
        return [
            (p["metadata"]["name"], p["spec"]["nodeName"], p["status"]["podIP"])
            for p in c.list("pods")
        ]

    assert run() == run()


def test_a_failed_container_restarts_in_place_under_restart_policy_always() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a"))
    c.settle()
    c.fail_pod("a", exit_code=2)
    p = c.get("pods", "a")
    cs = p["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 2
    assert p["status"]["phase"] == "Running"


def test_pods_that_run_to_completion_succeed_or_fail() -> None:
    c = Cluster(nodes=1)
    c.create(pod("ok", restartPolicy="Never"))
    c.create(pod("bad", {"sim.podcore.dev/exit-code": "1"}, restartPolicy="Never"))
    c.settle()
    assert c.get("pods", "ok")["status"]["phase"] == "Succeeded"
    bad = c.get("pods", "bad")
    assert bad["status"]["phase"] == "Failed"
    assert bad["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error"


def test_on_failure_restarts_until_success() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a", {"sim.podcore.dev/exit-code": "1"}, restartPolicy="OnFailure"))
    c.advance(30)
    p = c.get("pods", "a")
    assert p["status"]["containerStatuses"][0]["restartCount"] >= 2
    state = p["status"]["containerStatuses"][0]["state"]
    assert "waiting" in state or "running" in state


def test_a_pod_that_fits_nowhere_stays_pending_unschedulable() -> None:
    c = Cluster(nodes=2)
    big = pod("big")
    big["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "64"}}
    c.create(big)
    c.settle()
    p = c.get("pods", "big")
    assert p["status"]["phase"] == "Pending"
    cond = next(x for x in p["status"]["conditions"] if x["type"] == "PodScheduled")
    assert (cond["status"], cond["reason"]) == ("False", "Unschedulable")
    assert cond["message"].startswith("0/2 nodes are available: 2 Insufficient cpu.")


def test_deleted_pods_terminate_gracefully_then_go() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a"))
    c.settle()
    held = c.delete("pods", "a")
    assert held is not None
    assert held["metadata"]["deletionGracePeriodSeconds"] == 30
    c.settle()
    assert c.list("pods") == []


def test_replica_set_replaces_deleted_pods() -> None:
    c = Cluster(nodes=2)
    c.apply(replica_set(replicas=3))
    c.settle()
    victim = c.list("pods")[0]["metadata"]["name"]
    c.delete("pods", victim)
    c.settle()
    names = [p["metadata"]["name"] for p in c.list("pods")]
    assert len(names) == 3 and victim not in names
    assert all(p["status"]["phase"] == "Running" for p in c.list("pods"))


def test_pods_of_a_failed_node_are_replaced_and_stay_terminating() -> None:
    c = Cluster(nodes=2)
    c.apply(replica_set(replicas=4))
    c.settle()
    lost = [p["metadata"]["name"] for p in c.list("pods") if p["spec"]["nodeName"] == "node-0"]
    assert lost
    c.fail_node("node-0")
    c.advance(49)
    node = c.get("nodes", "node-0", namespace="")
    assert next(x for x in node["status"]["conditions"] if x["type"] == "Ready")["status"] == "True"
    c.advance(2)
    node = c.get("nodes", "node-0", namespace="")
    assert (
        next(x for x in node["status"]["conditions"] if x["type"] == "Ready")["status"] == "Unknown"
    )
    assert {t["key"] for t in node["spec"]["taints"]} == {"node.kubernetes.io/unreachable"}
    assert all(conditions(c.get("pods", n))["Ready"] == "False" for n in lost)
    # The default 300 s toleration of the unreachable taint runs out: evicted.
    c.advance(300)
    c.settle()
    for n in lost:
        assert "deletionTimestamp" in c.get("pods", n)["metadata"]
    running = [p for p in c.list("pods") if "deletionTimestamp" not in p["metadata"]]
    assert len(running) == 4
    assert all(p["spec"]["nodeName"] == "node-1" for p in running)


def test_active_deadline_ends_a_pod() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a", activeDeadlineSeconds=10))
    c.settle()
    p = c.get("pods", "a")
    assert (p["status"]["phase"], p["status"]["reason"]) == ("Failed", "DeadlineExceeded")


def test_settle_times_out_when_the_cluster_never_quiets() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a", {"sim.podcore.dev/exit-after-seconds": "5"}))
    with pytest.raises(TimeoutError):
        c.settle(timeout=60)


def test_hostname_follows_spec_hostname_and_host_network() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a", hostname="custom"))
    c.create(pod("b", hostNetwork=True))
    c.settle()
    assert c.hostname("a") == "custom"
    assert c.hostname("b") == "node-0"


def test_hostname_is_fully_qualified_with_subdomain_and_set_hostname_as_fqdn() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a", hostname="db-0", subdomain="db", setHostnameAsFQDN=True))
    assert c.hostname("a") == "db-0.db.default.svc.cluster.local"


def test_an_empty_dir_is_shared_survives_restarts_and_goes_with_the_pod() -> None:
    c = Cluster(nodes=1)
    c.create(pod("a", volumes=[{"name": "scratch", "emptyDir": {}}]))
    c.settle()
    c.volume("a", "scratch")["/data/seen"] = "1"
    c.fail_pod("a")
    c.settle()
    assert c.get("pods", "a")["status"]["containerStatuses"][0]["restartCount"] == 1
    assert c.volume("a", "scratch") == {"/data/seen": "1"}
    c.delete("pods", "a")
    c.settle()
    c.create(pod("a", volumes=[{"name": "scratch", "emptyDir": {}}]))
    assert c.volume("a", "scratch") == {}


def test_a_claims_files_outlive_the_pod() -> None:
    c = Cluster(nodes=1)
    c.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    )
    spec = {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}
    c.create(pod("a", **spec))
    c.volume("a", "d")["/db"] = "rows"
    c.delete("pods", "a")
    c.settle()
    c.create(pod("b", **spec))
    assert c.volume("b", "d") == {"/db": "rows"}
    with pytest.raises(KeyError):
        c.volume("b", "nope")


def test_a_deleted_pod_ends_in_a_terminal_phase_before_it_goes() -> None:
    c = Cluster(nodes=1)
    held = pod("a")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    c.create(held)
    c.settle()
    c.delete("pods", "a")
    c.settle()
    p = c.get("pods", "a")
    # Its containers stopped on SIGTERM with exit code 0: Succeeded.
    assert p["status"]["phase"] == "Succeeded"
    assert p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    c.patch("pods", "a", {"metadata": {"finalizers": None}}, type="merge")
    assert c.list("pods") == []
