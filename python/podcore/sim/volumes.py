"""What a pod's volumes hold, in the simulation: a volume is a dict of file
paths to contents that every container of the pod sees (they share it). An
emptyDir (or a generic ephemeral volume) lives as long as the pod — it
survives container restarts and goes with the pod; a persistentVolumeClaim's
contents belong to the claim and outlive the pod; a hostPath belongs to the
node."""

from __future__ import annotations

from typing import Any

Files = dict[str, str]


class Volumes:
    def __init__(self) -> None:
        self._pod: dict[tuple[str, str], Files] = {}
        self._claims: dict[tuple[str, str], Files] = {}
        self._hosts: dict[tuple[str, str], Files] = {}

    def files(self, pod: dict[str, Any], volume: str) -> Files:
        """The contents of ``volume`` of ``pod`` (mutable: what one container
        writes, the others read)."""
        meta, spec = pod["metadata"], pod["spec"]
        vol = next((v for v in spec.get("volumes") or [] if v.get("name") == volume), None)
        if vol is None:
            raise KeyError(f'pod "{meta["name"]}" has no volume "{volume}"')
        ns = meta.get("namespace", "default")
        if "persistentVolumeClaim" in vol:
            claim = vol["persistentVolumeClaim"]["claimName"]
            return self._claims.setdefault((ns, claim), {})
        if "hostPath" in vol:
            node = spec.get("nodeName") or ""
            return self._hosts.setdefault((node, vol["hostPath"]["path"]), {})
        if "emptyDir" in vol or "ephemeral" in vol:
            return self._pod.setdefault((meta["uid"], volume), {})
        kind = next((k for k in vol if k != "name"), "unknown")
        raise ValueError(
            f'volume "{volume}" is a {kind} volume: its contents come from its source, '
            "which the simulation does not hold"
        )

    def pod_gone(self, uid: str) -> None:
        for key in [k for k in self._pod if k[0] == uid]:
            del self._pod[key]

    def claim_gone(self, namespace: str, name: str) -> None:
        self._claims.pop((namespace, name), None)
