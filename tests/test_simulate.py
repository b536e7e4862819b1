"""``podcore simulate``: scenarios, their timelines of events and plots."""

from __future__ import annotations

import itertools
import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import podcore
from podcore import scenario
from podcore.events import EventRecorder

EXAMPLES = Path(podcore.__file__).parent / "examples" / "scenarios"


def _podcore(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("podcore")
    cmd = [exe] if exe else [sys.executable, "-m", "podcore"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, check=False)


def _in_order(text: str, *needles: str) -> None:
    """Each needle appears in ``text`` after the one before it."""
    at = 0
    for needle in needles:
        found = text.find(needle, at)
        assert found >= 0, f"{needle!r} missing after position {at} in:\n{text}"
        at = found + len(needle)


def _png_text(path: Path) -> dict[str, str]:
    """The tEXt/iTXt/zTXt metadata of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out: dict[str, str] = {}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            out[key.decode()] = (zlib.decompress(text) if compressed else text).decode()
    return out


# ---------------------------------------------------------------- the examples


def test_every_bundled_example_is_listed_in_help() -> None:
    out = _podcore("simulate", "--help")
    assert out.returncode == 0
    for name in ("rolling-update", "node-failure", "statefulset-scale", "job-backoff"):
        assert name in out.stdout
    assert "failPod" in out.stdout and "removeNode" in out.stdout


def test_rolling_update_scales_new_replica_set_up_and_old_one_down(tmp_path: Path) -> None:
    png = tmp_path / "rollout.png"
    out = _podcore("simulate", str(EXAMPLES / "rolling-update.yaml"), "--plot", str(png))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[2].split() == ["TIME", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    _in_order(
        out.stdout,
        "T+0s    Normal   ScalingReplicaSet   deployment/web",
        "Scaled up replica set web-",
        "from 0 to 4",
        "Created pod: web-",
        "Successfully assigned default/web-",
        'Container image "nginx:1.27" already present on machine',
        "Created container: nginx",
        "Started container nginx",
        "T+20s   Action   SetImage",
        "set image to nginx:1.28",
        "from 0 to 1",
        "Scaled down replica set web-",
        "from 4 to 3",
        "Deleted pod: web-",
        "Stopping container nginx",
        "from 1 to 0",
        "T+60s   Action   Scale",
        "from 4 to 6",
        "settled after 65 simulated seconds",
    )
    assert png.stat().st_size > 1000
    meta = _png_text(png)
    assert meta["Title"] == "Rolling update"
    assert "x axis: simulated seconds" in meta["Description"]
    assert "y axis: pods" in meta["Description"]
    assert "ready pods" in meta["Description"]


def test_node_failure_evicts_pods_and_the_replica_set_replaces_them(tmp_path: Path) -> None:
    png = tmp_path / "heal.png"
    out = _podcore("simulate", "node-failure", "--plot", str(png))
    assert out.returncode == 0, out.stderr
    _in_order(
        out.stdout,
        "T+10s    Action    FailNode",
        "T+60s    Normal    NodeNotReady           node/node-1",
        "Node node-1 status is now: NodeNotReady",
        "Warning   NodeNotReady",
        "Node is not ready",
        "T+360s   Normal    TaintManagerEviction",
        "Marking for deletion Pod default/api-",
        "SuccessfulCreate",
        "Successfully assigned default/api-",
        "RegisteredNode",
        "Node node-3 event: Registered Node node-3 in Controller",
    )
    # The kubelet of the failed node is gone: nothing stops its containers.
    assert "Stopping container" not in out.stdout
    assert _png_text(png)["Title"] == "Node failure and self-healing"


def test_statefulset_creates_in_order_and_deletes_from_the_highest_ordinal() -> None:
    out = _podcore("simulate", str(EXAMPLES / "statefulset-scale.yaml"))
    assert out.returncode == 0, out.stderr
    _in_order(
        out.stdout,
        "create Claim data-db-0 Pod db-0 in StatefulSet db success",
        "create Pod db-0 in StatefulSet db successful",
        "create Pod db-1 in StatefulSet db successful",
        "scale to 4 replicas",
        "create Pod db-2 in StatefulSet db successful",
        "create Pod db-3 in StatefulSet db successful",
        "scale to 1 replica (step 2)",
        "delete Pod db-3 in StatefulSet db successful",
        "delete Pod db-2 in StatefulSet db successful",
        "delete Pod db-1 in StatefulSet db successful",
    )
    assert "delete Pod db-0" not in out.stdout


def test_jobs_fail_with_back_off_and_complete() -> None:
    out = _podcore("simulate", "job-backoff", "-o", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["settled"] is True
    rows = [(e["reason"], e["object"]) for e in doc["events"]]
    flaky = [r for r in rows if r == ("SuccessfulCreate", "job/flaky")]
    assert len(flaky) == 4  # the first pod and backoffLimit (3) retries
    assert rows.index(("Completed", "job/report")) < rows.index(
        ("BackoffLimitExceeded", "job/flaky")
    )
    backoffs = [e for e in doc["events"] if e["reason"] == "BackOff"]
    assert backoffs and backoffs[0]["type"] == "Warning"
    assert backoffs[0]["message"].startswith(
        "Back-off restarting failed container work in pod retry-"
    )
    failed = next(e for e in doc["events"] if e["reason"] == "BackoffLimitExceeded")
    assert failed["message"] == "Job has reached the specified backoff limit"
    # The Job controller waits longer before each retry.
    created = [
        e["time"]
        for e in doc["events"]
        if e["object"] == "job/flaky" and e["reason"] == "SuccessfulCreate"
    ]
    gaps = [b - a for a, b in itertools.pairwise(created)]
    assert gaps == sorted(gaps) and gaps[0] >= 10


def test_seed_option_changes_generated_names() -> None:
    a = _podcore("simulate", "statefulset-scale", "-o", "json", "--seed", "1")
    b = _podcore("simulate", "rolling-update", "-o", "json", "--seed", "1")
    c = _podcore("simulate", "rolling-update", "-o", "json", "--seed", "2")
    assert a.returncode == b.returncode == c.returncode == 0
    names_b = {e["object"] for e in json.loads(b.stdout)["events"]}
    names_c = {e["object"] for e in json.loads(c.stdout)["events"]}
    assert names_b != names_c


# ---------------------------------------------------------------- mistakes


def _bad(tmp_path: Path, text: str) -> str:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    out = _podcore("simulate", str(f))
    assert out.returncode == 1, out.stdout
    assert "Traceback" not in out.stderr
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_bad_yaml_names_its_line(tmp_path: Path) -> None:
    msg = _bad(tmp_path, "timeline:\n- at: 1\n  action: scale\n    target: deploy/web\n")
    assert msg.startswith(f"error: {tmp_path / 'bad.yaml'}: error parsing YAML at line 4")


def test_unknown_action_is_named_with_its_step_and_line(tmp_path: Path) -> None:
    msg = _bad(
        tmp_path,
        "timeline:\n- at: 1\n  action: failNode\n  target: node/node-0\n"
        "- at: 2\n  action: explode\n",
    )
    assert "step 2 (line 5): unknown action 'explode' (one of apply, patch, scale" in msg


def test_missing_target_says_what_to_write(tmp_path: Path) -> None:
    msg = _bad(tmp_path, "timeline:\n- at: 5\n  action: scale\n  replicas: 3\n")
    assert msg.endswith("step 1 (line 2): action scale needs target, like target: deployment/web")


def test_time_going_backwards_is_refused(tmp_path: Path) -> None:
    msg = _bad(
        tmp_path,
        "timeline:\n- at: 30\n  action: advance\n- at: 10\n  action: failNode\n"
        "  target: node/node-0\n",
    )
    assert msg.endswith(
        "step 2 (line 4): at: 10 is earlier than the step before it (line 2, T+30s); "
        "time only goes forward"
    )


def test_unknown_field_is_named_with_its_own_line(tmp_path: Path) -> None:
    msg = _bad(
        tmp_path, "timeline:\n- at: 5\n  action: scale\n  target: deploy/web\n  replica: 3\n"
    )
    assert "step 1 (line 5): unknown field 'replica' for action scale" in msg


def test_action_on_a_missing_object_stops_with_the_apiserver_message(tmp_path: Path) -> None:
    msg = _bad(
        tmp_path, "timeline:\n- at: 5\n  action: scale\n  target: deploy/web\n  replicas: 3\n"
    )
    assert msg.endswith(
        "step 1 (line 2), T+5s: scale deployment/web: Error from server (NotFound): "
        'deployments.apps "web" not found'
    )


def test_missing_manifest_file_is_named(tmp_path: Path) -> None:
    msg = _bad(tmp_path, "manifests: [nothere.yaml]\ntimeline: []\n")
    assert "line 1: manifests[0]: cannot read" in msg and "nothere.yaml" in msg


# ---------------------------------------------------------------- the Python API


def _deployment(replicas: int, image: str = "nginx:1.27") -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
        },
    }


def test_recorder_reports_controller_scheduler_and_kubelet_events_in_order() -> None:
    c = podcore.Cluster(nodes=1, seed=0)
    rec = EventRecorder(c)
    c.apply(_deployment(1))
    first = [(e.reason, e.object.split("/")[0]) for e in rec.poll()]
    assert first == [
        ("ScalingReplicaSet", "deployment"),
        ("SuccessfulCreate", "replicaset"),
        ("Scheduled", "pod"),
    ]
    c.advance(1)
    started = rec.poll()
    assert [e.reason for e in started] == ["Pulled", "Created", "Started"]
    assert all(e.time == 1.0 and e.type == "Normal" for e in started)


def test_recorder_reports_crash_loop_back_off_as_a_warning() -> None:
    c = podcore.Cluster(nodes=1, seed=0)
    rec = EventRecorder(c)
    c.apply(_deployment(1))
    c.settle()
    rec.poll()
    pod = c.list("Pod")[0]
    name, uid = pod["metadata"]["name"], pod["metadata"]["uid"]
    c.fail_pod(name)  # the first restart is immediate
    assert [e.reason for e in rec.poll()] == ["Pulled", "Created", "Started"]
    c.fail_pod(name)
    backoff = [e for e in rec.poll() if e.reason == "BackOff"]
    assert len(backoff) == 1
    assert backoff[0].type == "Warning"
    assert backoff[0].message == (
        f"Back-off restarting failed container app in pod {name}_default({uid})"
    )


def test_recorder_reports_failed_scheduling_with_the_condition_message() -> None:
    c = podcore.Cluster(nodes=1, seed=0)
    rec = EventRecorder(c)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "big"},
        "spec": {
            "containers": [
                {"name": "app", "image": "x:1", "resources": {"requests": {"cpu": "100"}}}
            ]
        },
    }
    c.apply(pod)
    events = rec.poll()
    failed = [e for e in events if e.reason == "FailedScheduling"]
    assert len(failed) == 1 and failed[0].type == "Warning"
    cond = next(
        x for x in c.get("Pod", "big")["status"]["conditions"] if x["type"] == "PodScheduled"
    )
    assert failed[0].message == cond["message"]
    assert failed[0].object == "pod/big"


def test_user_deletion_is_not_reported_as_the_controller_s() -> None:
    c = podcore.Cluster(nodes=1, seed=0)
    rec = EventRecorder(c)
    c.apply(_deployment(2))
    c.settle()
    rec.poll()
    name = c.list("Pod")[0]["metadata"]["name"]
    rec.expect_deletion("Pod", name, "default")
    c.delete("Pod", name)
    events = rec.poll()
    assert ("Killing", f"pod/{name}") in [(e.reason, e.object) for e in events]
    assert all(e.message != f"Deleted pod: {name}" for e in events)
    # The replacement is the ReplicaSet's own doing.
    assert any(e.reason == "SuccessfulCreate" for e in events)


def test_samples_follow_replica_sets_and_ready_pods() -> None:
    sc = scenario.parse(
        "manifests:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web}\n"
        "  spec:\n    replicas: 2\n    selector: {matchLabels: {app: web}}\n"
        "    template:\n      metadata: {labels: {app: web}}\n"
        "      spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n"
        "timeline:\n- at: 10\n  action: setImage\n  target: deploy/web\n  image: nginx:1.28\n",
        Path("inline.yaml"),
    )
    result = scenario.Runner(sc).run()
    assert result.settled
    last = result.samples[-1]
    assert last.ready == 2 and last.unavailable == 0
    assert sorted(last.replicas.values()) == [0, 2]
    assert any(s.unavailable > 0 for s in result.samples)


def test_remove_node_deletes_its_pods_after_the_pod_gc_quarantine() -> None:
    sc = scenario.parse(
        "cluster: {nodes: 2}\n"
        "manifests:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web}\n"
        "  spec:\n    replicas: 4\n    selector: {matchLabels: {app: web}}\n"
        "    template:\n      metadata: {labels: {app: web}}\n"
        "      spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n"
        "timeline:\n- at: 5\n  action: removeNode\n  target: node/node-1\n",
        Path("inline.yaml"),
    )
    runner = scenario.Runner(sc)
    result = runner.run()
    reasons = [(e.time, e.reason) for e in result.events]
    assert (5.0, "RemovingNode") in reasons
    replacements = [t for t, r in reasons if r == "Scheduled" and t > 5]
    assert replacements and min(replacements) == 5 + scenario.PODGC_QUARANTINE
    pods = runner.cluster.list("Pod")
    assert len(pods) == 4 and {p["spec"]["nodeName"] for p in pods} == {"node-0"}


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{after: 1, at: 2, action: advance}", "either at (seconds since the start) or after"),
        ("{at: -1, action: advance}", "at must be a number of seconds >= 0, not -1"),
        ("{at: 1, action: scale, target: pod/x, replicas: 1}", "does not apply to a Pod"),
        ("{at: 1, action: scale, target: web, replicas: 1}", "target must be KIND/NAME"),
        ("{at: 1, action: failPod}", "needs a target (target: pod/NAME) or a selector"),
        ("{at: 1, action: delete, target: deploy/web, propagation: Later}", "propagation must"),
        ("{at: 1}", "missing action"),
    ],
)
def test_step_mistakes_are_named(step: str, message: str) -> None:
    with pytest.raises(scenario.ScenarioError, match="step 1 \\(line 2\\)") as info:
        scenario.parse(f"timeline:\n- {step}\n", Path("s.yaml"))
    assert message in str(info.value)


def test_fail_pod_by_selector_names_the_pod_and_cordoning_is_reported() -> None:
    sc = scenario.parse(
        "cluster: {nodes: 1}\n"
        "manifests:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web}\n"
        "  spec:\n    replicas: 2\n    selector: {matchLabels: {app: web}}\n"
        "    template:\n      metadata: {labels: {app: web}}\n"
        "      spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n"
        "timeline:\n- {at: 5, action: failPod, selector: app=web}\n"
        "- {after: 1, action: patch, target: node/node-0, patch: {spec: {unschedulable: true}}}\n",
        Path("inline.yaml"),
    )
    result = scenario.Runner(sc).run()
    fail = next(e for e in result.events if e.reason == "FailPod")
    assert fail.object.startswith("pod/web-") and fail.time == 5.0
    restarted = [e for e in result.events if e.object == fail.object and e.reason == "Started"]
    assert [e.time for e in restarted] == [1.0, 5.0]
    cordon = next(e for e in result.events if e.reason == "NodeNotSchedulable")
    assert cordon.message == "Node node-0 status is now: NodeNotSchedulable"
