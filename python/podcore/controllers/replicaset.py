"""The ReplicaSet controller (pkg/controller/replicaset): keeps
``spec.replicas`` pods of the template running, adopting matching orphans,
releasing pods that stop matching, and reporting status."""

from __future__ import annotations

from typing import Any, ClassVar

from podcore.controllers.base import Controller, Key, owner_reference, timestamp
from podcore.errors import ApiError

#: At most this many pods are created or deleted in one sync (burstReplicas).
BURST_REPLICAS = 500


class ReplicaSetController(Controller):
    kind: ClassVar[str] = "ReplicaSet"
    watches: ClassVar[tuple[str, ...]] = ("ReplicaSet", "Pod")
    changes_queue_controller_only: ClassVar[bool] = True

    def sync(self, key: Key) -> None:
        rs = self.get(key)
        if rs is None:
            return
        ns = key[0]
        meta, spec = rs["metadata"], rs["spec"]
        uid = meta["uid"]
        deleting = "deletionTimestamp" in meta
        selector = spec.get("selector") or {}
        template = spec.get("template") or {}
        template_labels = (template.get("metadata") or {}).get("labels") or {}
        replicas = spec.get("replicas", 1)
        min_ready = spec.get("minReadySeconds", 0)

        view = self.store.controller_pods(ns, selector, uid, min_ready_seconds=min_ready)
        if not deleting and view["orphans"]:
            self.store.set_controller(ns, view["orphans"], owner_reference(rs))
        if view["strays"]:
            self.store.set_controller(ns, view["strays"], None, release_uid=uid)
        failure: str | None = None
        if not deleting:
            failure = self._manage(rs, view["active"] + len(view["orphans"]), replicas)
        view = self.store.controller_pods(
            ns, selector, uid, min_ready_seconds=min_ready, template_labels=template_labels
        )
        self._update_status(rs, view, failure)
        if (
            failure is None
            and min_ready > 0
            and view["next_available"] is not None
            and view["ready"] == replicas
        ):
            self.enqueue_after(key, view["next_available"])

    def _manage(self, rs: dict[str, Any], active: int, replicas: int) -> str | None:
        """Creates or deletes pods toward ``replicas``; returns a creation failure."""
        ns, name = rs["metadata"]["namespace"], rs["metadata"]["name"]
        diff = active - replicas
        if diff < 0:
            try:
                self.store.create_pods(
                    ns,
                    rs["spec"]["template"],
                    count=min(-diff, BURST_REPLICAS),
                    generate_name=f"{name}-",
                    owner=owner_reference(rs),
                )
            except ApiError as e:
                return str(e)
        elif diff > 0:
            related = self._related_uids(rs)
            view = self.store.controller_pods(
                ns,
                rs["spec"].get("selector") or {},
                rs["metadata"]["uid"],
                scale_down=min(diff, BURST_REPLICAS),
                related_uids=related,
            )
            self.store.delete_many("Pod", [(ns, n) for n in view["delete"]])
        return None

    def _related_uids(self, rs: dict[str, Any]) -> list[str]:
        """The ReplicaSets under the same Deployment (their pods count when
        picking doubled-up pods to delete)."""
        owners = [r for r in rs["metadata"].get("ownerReferences", []) if r.get("controller")]
        if not owners:
            return [rs["metadata"]["uid"]]
        siblings = self.store.dependents(owners[0]["uid"])
        uids = []
        for kind, ns, name in siblings:
            if kind == "ReplicaSet":
                uids.append(self.store.get("ReplicaSet", name, ns)["metadata"]["uid"])
        return uids

    def _update_status(self, rs: dict[str, Any], view: dict[str, Any], failure: str | None) -> None:
        status = dict(rs.get("status") or {})
        new = {
            "replicas": view["active"],
            "fullyLabeledReplicas": view["fully_labeled"],
            "readyReplicas": view["ready"],
            "availableReplicas": view["available"],
            "observedGeneration": rs["metadata"].get("generation", 0),
        }
        conditions = [c for c in status.get("conditions", []) if c["type"] != "ReplicaFailure"]
        if failure is not None:
            old = next(
                (c for c in status.get("conditions", []) if c["type"] == "ReplicaFailure"), None
            )
            conditions.append(
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "lastTransitionTime": (old or {}).get("lastTransitionTime")
                    or timestamp(self.now()),
                    "reason": "FailedCreate",
                    "message": failure,
                }
            )
        # Go omits zero counts and empty conditions.
        out: dict[str, Any] = {k: v for k, v in new.items() if v or k == "replicas"}
        if conditions:
            out["conditions"] = conditions
        if out != status:
            self.store.replace_status({**rs, "status": out})
