"""Persistent volumes for the simulated cluster: every claim is provisioned
and bound at once, as a cluster with a default StorageClass in Immediate
binding mode does it (the PV controller and a dynamic provisioner)."""

from __future__ import annotations

from typing import Any, ClassVar

from podcore.controllers.base import Controller, Key


class PersistentVolumeBinder(Controller):
    """Binds each pending PersistentVolumeClaim to a new volume named
    ``pvc-<claim uid>`` with the requested size and access modes."""

    kind: ClassVar[str] = "PersistentVolumeClaim"
    watches: ClassVar[tuple[str, ...]] = ("PersistentVolumeClaim",)

    def sync(self, key: Key) -> None:
        claim = self.get(key)
        if claim is None or "deletionTimestamp" in claim["metadata"]:
            return
        status = claim.get("status") or {}
        if status.get("phase") == "Bound":
            return
        spec = claim["spec"]
        if not spec.get("volumeName"):
            annotations = claim["metadata"].setdefault("annotations", {})
            annotations["pv.kubernetes.io/bind-completed"] = "yes"
            annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
            spec["volumeName"] = f"pvc-{claim['metadata']['uid']}"
            claim = self.store.replace(claim)
        requested = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        bound: dict[str, Any] = {"phase": "Bound", "accessModes": spec.get("accessModes", [])}
        if requested:
            bound["capacity"] = {"storage": requested}
        self.store.replace_status({**claim, "status": bound})
