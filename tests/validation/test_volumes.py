"""Volume validation (ValidateVolumes and every volume source of Kubernetes
v1.33 with its default feature gates): each case is a minimal pod and the
exact set of (field, type) pairs the apiserver reports for it, with the detail
string where it is part of the contract. Round-trip checks make sure defaulting
keeps every field of every source and fills in the API's volume defaults."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import podcore

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
FORBIDDEN = "FieldValueForbidden"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
TOO_LONG = "FieldValueTooLong"

V0 = "spec.volumes[0]"
V1 = "spec.volumes[1]"

FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
DNS_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def pod(*volumes: dict[str, Any], name: str = "p", **spec: Any) -> dict[str, Any]:
    """A valid pod with one container and the given volumes."""
    body: dict[str, Any] = {"containers": [{"name": "c", "image": "img"}], "volumes": list(volumes)}
    body.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": body,
    }


def vol(name: str = "v", **source: Any) -> dict[str, Any]:
    return {"name": name, **source}


def dapi(path: str = "f", field_path: str = "metadata.labels", **extra: Any) -> dict[str, Any]:
    """A downwardAPI volume with one fieldRef item."""
    item = {"path": path, "fieldRef": {"apiVersion": "v1", "fieldPath": field_path}, **extra}
    return vol(downwardAPI={"items": [item]})


def rref(resource: str, container: str = "c", **extra: Any) -> dict[str, Any]:
    item = {
        "path": "r",
        "resourceFieldRef": {"containerName": container, "resource": resource, **extra},
    }
    return vol(downwardAPI={"items": [item]})


def claim_spec(**fields: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
    }
    spec.update(fields)
    return spec


def eph(name: str = "v", metadata: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    template: dict[str, Any] = {"spec": claim_spec(**spec)}
    if metadata is not None:
        template["metadata"] = metadata
    return vol(name, ephemeral={"volumeClaimTemplate": template})


def proj(*sources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return vol(projected={"sources": list(sources), **extra})


def iscsi(name: str = "v", **fields: Any) -> dict[str, Any]:
    src = {"targetPortal": "127.0.0.1", "iqn": "iqn.2015-02.example.com:test", "lun": 1}
    src.update(fields)
    return vol(name, iscsi=src)


def errors(obj: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e.field, e.type) for e in podcore.validate_pod(obj)}


def details(obj: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for e in podcore.validate_pod(obj):
        out.setdefault((e.field, e.type), []).append(e.detail)
    return out


# (id, pod, expected (field, type) set, {(field, type): exact detail})
CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]], dict[tuple[str, str], str]]] = [
    # names and the one-source rule
    (
        "valid names",
        pod(vol("empty", emptyDir={}), vol("123", emptyDir={}), vol("empty-123", emptyDir={})),
        set(),
        {},
    ),
    ("empty name", pod(vol("", emptyDir={})), {(f"{V0}.name", REQUIRED)}, {}),
    (
        "name longer than 63",
        pod(vol("a" * 64, emptyDir={})),
        {(f"{V0}.name", INVALID)},
        {(f"{V0}.name", INVALID): "must be no more than 63 characters"},
    ),
    (
        "name with dots",
        pod(vol("a.b.c", emptyDir={})),
        {(f"{V0}.name", INVALID)},
        {(f"{V0}.name", INVALID): "must not contain dots"},
    ),
    (
        "name not a DNS label",
        pod(vol("Bad_Name", emptyDir={})),
        {(f"{V0}.name", INVALID)},
        {(f"{V0}.name", INVALID): DNS_LABEL},
    ),
    (
        "duplicate name",
        pod(vol("abc", emptyDir={}), vol("abc", emptyDir={})),
        {(f"{V1}.name", DUPLICATE)},
        {},
    ),
    (
        "no duplicate against an invalid volume",
        pod(vol("abc", hostPath={"path": ""}), vol("abc", emptyDir={})),
        {(f"{V0}.hostPath.path", REQUIRED)},
        {},
    ),
    ("sourceless volume becomes emptyDir", pod(vol("v")), set(), {}),
    (
        "more than one source",
        pod(vol(emptyDir={}, hostPath={"path": "/mnt/path", "type": "Directory"})),
        {(f"{V0}.hostPath", FORBIDDEN)},
        {(f"{V0}.hostPath", FORBIDDEN): "may not specify more than 1 volume type"},
    ),
    (
        "later sources keep Kubernetes' spelling",
        pod(vol(hostPath={"path": "/x"}, downwardAPI={}, cephfs={"monitors": ["m"]})),
        {(f"{V0}.downwarAPI", FORBIDDEN), (f"{V0}.cephFS", FORBIDDEN)},
        {},
    ),
    # hostPath
    (
        "hostPath every supported type",
        pod(
            *[
                vol(f"h{i}", hostPath={"path": "/mnt", "type": t})
                for i, t in enumerate(
                    [
                        "",
                        "DirectoryOrCreate",
                        "Directory",
                        "FileOrCreate",
                        "File",
                        "Socket",
                        "CharDevice",
                        "BlockDevice",
                    ]
                )
            ]
        ),
        set(),
        {},
    ),
    (
        "hostPath unsupported type",
        pod(vol(hostPath={"path": "/mnt/path", "type": "invalid"})),
        {(f"{V0}.hostPath.type", NOT_SUPPORTED)},
        {
            (
                f"{V0}.hostPath.type",
                NOT_SUPPORTED,
            ): 'supported values: "", "BlockDevice", "CharDevice", '
            '"Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'
        },
    ),
    (
        "hostPath backsteps",
        pod(vol(hostPath={"path": "/mnt/path/..", "type": "Directory"})),
        {(f"{V0}.hostPath.path", INVALID)},
        {(f"{V0}.hostPath.path", INVALID): "must not contain '..'"},
    ),
    (
        "hostPath empty path stops there",
        pod(vol(hostPath={"path": "", "type": "bogus"})),
        {(f"{V0}.hostPath.path", REQUIRED)},
        {},
    ),
    # emptyDir
    (
        "emptyDir with medium and limit",
        pod(vol(emptyDir={"medium": "Memory", "sizeLimit": "1Gi"})),
        set(),
        {},
    ),
    (
        "emptyDir negative sizeLimit",
        pod(vol(emptyDir={"sizeLimit": "-1Gi"})),
        {(f"{V0}.emptyDir.sizeLimit", FORBIDDEN)},
        {
            (
                f"{V0}.emptyDir.sizeLimit",
                FORBIDDEN,
            ): "SizeLimit field must be a valid resource quantity"
        },
    ),
    # gitRepo
    (
        "gitRepo valid directories",
        pod(
            vol("a", gitRepo={"repository": "r", "revision": "h", "directory": "target"}),
            vol("b", gitRepo={"repository": "r", "directory": "."}),
            vol("c", gitRepo={"repository": "r", "directory": "..foo"}),
        ),
        set(),
        {},
    ),
    (
        "gitRepo starts with ../",
        pod(vol(gitRepo={"repository": "r", "directory": "../dots/bar"})),
        {(f"{V0}.gitRepo.directory", INVALID)},
        {(f"{V0}.gitRepo.directory", INVALID): "must not contain '..'"},
    ),
    (
        "gitRepo contains ..",
        pod(vol(gitRepo={"repository": "r", "directory": "dots/../bar"})),
        {(f"{V0}.gitRepo.directory", INVALID)},
        {},
    ),
    (
        "gitRepo absolute directory",
        pod(vol(gitRepo={"repository": "r", "directory": "/abstarget"})),
        {(f"{V0}.gitRepo.directory", INVALID)},
        {(f"{V0}.gitRepo.directory", INVALID): "must be a relative path"},
    ),
    ("gitRepo no repository", pod(vol(gitRepo={})), {(f"{V0}.gitRepo.repository", REQUIRED)}, {}),
    # disks
    (
        "gcePersistentDisk errors under persistentDisk",
        pod(vol(gcePersistentDisk={"partition": 256})),
        {(f"{V0}.persistentDisk.pdName", REQUIRED), (f"{V0}.persistentDisk.partition", INVALID)},
        {(f"{V0}.persistentDisk.partition", INVALID): "must be between 1 and 255, inclusive"},
    ),
    (
        "awsElasticBlockStore",
        pod(vol(awsElasticBlockStore={"partition": -1})),
        {
            (f"{V0}.awsElasticBlockStore.volumeID", REQUIRED),
            (f"{V0}.awsElasticBlockStore.partition", INVALID),
        },
        {},
    ),
    (
        "valid disks",
        pod(
            vol("a", gcePersistentDisk={"pdName": "my-PD", "fsType": "ext4", "partition": 1}),
            vol("b", awsElasticBlockStore={"volumeID": "my-PD", "partition": 0}),
            vol("c", cinder={"volumeID": "29ea5088"}),
            vol("d", vsphereVolume={"volumePath": "[ds] vol.vmdk"}),
            vol("e", photonPersistentDisk={"pdID": "id"}),
            vol("f", portworxVolume={"volumeID": "id"}),
        ),
        set(),
        {},
    ),
    (
        "required disk ids",
        pod(
            vol("a", vsphereVolume={}),
            vol("b", photonPersistentDisk={}),
            vol("c", portworxVolume={}),
        ),
        {
            (f"{V0}.vsphereVolume.volumePath", REQUIRED),
            (f"{V1}.photonPersistentDisk.pdID", REQUIRED),
            ("spec.volumes[2].portworxVolume.volumeID", REQUIRED),
        },
        {},
    ),
    (
        "cinder",
        pod(vol(cinder={"secretRef": {}})),
        {(f"{V0}.cinder.volumeID", REQUIRED), (f"{V0}.cinder.secretRef.name", REQUIRED)},
        {},
    ),
    # iSCSI
    (
        "iscsi valid name forms",
        pod(
            vol(
                "a",
                iscsi={
                    "targetPortal": "127.0.0.1",
                    "iqn": "iqn.2015-02.example.com:test",
                    "lun": 1,
                },
            ),
            vol("b", iscsi={"targetPortal": "127.0.0.1", "iqn": "eui.0123456789ABCDEF"}),
            vol(
                "c",
                iscsi={"targetPortal": "127.0.0.1", "iqn": "naa.62004567BA64678D0123456789ABCDEF"},
            ),
            vol(
                "d",
                iscsi={
                    "targetPortal": "127.0.0.1",
                    "iqn": "iqn.2015-02.example.com:test",
                    "initiatorName": "iqn.2015-02.example.com:init",
                },
            ),
        ),
        set(),
        {},
    ),
    (
        "iscsi empty portal",
        pod(iscsi(targetPortal="")),
        {(f"{V0}.iscsi.targetPortal", REQUIRED)},
        {},
    ),
    ("iscsi empty iqn", pod(iscsi(iqn="")), {(f"{V0}.iscsi.iqn", REQUIRED)}, {}),
    (
        "iscsi bad iqn",
        pod(iscsi(iqn="iqn.2015-02.example.com:test;ls;")),
        {(f"{V0}.iscsi.iqn", INVALID)},
        {(f"{V0}.iscsi.iqn", INVALID): "must be valid format"},
    ),
    (
        "iscsi bad eui",
        pod(iscsi(iqn="eui.0123456789ABCDEFGHIJ")),
        {(f"{V0}.iscsi.iqn", INVALID)},
        {},
    ),
    (
        "iscsi bad naa",
        pod(iscsi(iqn="naa.62004567BA_4-78D.123456789ABCDEF")),
        {(f"{V0}.iscsi.iqn", INVALID)},
        {},
    ),
    (
        "iscsi unknown name form",
        pod(iscsi(iqn="2015-02.example.com:test")),
        {(f"{V0}.iscsi.iqn", INVALID)},
        {(f"{V0}.iscsi.iqn", INVALID): "must be valid format starting with iqn, eui, or naa"},
    ),
    (
        "iscsi bad initiatorName",
        pod(iscsi(initiatorName="2015-02.example.com:init")),
        {(f"{V0}.iscsi.initiatorname", INVALID)},
        {},
    ),
    (
        "iscsi CHAP needs a secret",
        pod(iscsi("a", chapAuthDiscovery=True), iscsi("b", chapAuthSession=True)),
        {(f"{V0}.iscsi.secretRef", REQUIRED), (f"{V1}.iscsi.secretRef", REQUIRED)},
        {},
    ),
    (
        "iscsi lun out of range",
        pod(iscsi(lun=256)),
        {(f"{V0}.iscsi.lun", INVALID)},
        {(f"{V0}.iscsi.lun", INVALID): "must be between 0 and 255, inclusive"},
    ),
    (
        "iscsi volume name and portal too long with initiatorName",
        pod(iscsi("v" * 20, targetPortal="1" * 44, initiatorName="iqn.2015-02.example.com:init")),
        {(f"{V0}.name", INVALID)},
        {
            (
                f"{V0}.name",
                INVALID,
            ): "Total length of <volume name>:<iscsi.targetPortal> must be under "
            "64 characters if iscsi.initiatorName is specified."
        },
    ),
    # secret and configMap
    (
        "secret valid items and modes",
        pod(
            vol(
                secret={
                    "secretName": "s",
                    "defaultMode": 0o644,
                    "items": [
                        {"key": "k", "path": "filename", "mode": 0o644},
                        {"key": "k2", "path": "dir/f"},
                    ],
                }
            )
        ),
        set(),
        {},
    ),
    ("secret no name", pod(vol(secret={})), {(f"{V0}.secret.secretName", REQUIRED)}, {}),
    (
        "secret item without key and path",
        pod(vol(secret={"secretName": "s", "items": [{}]})),
        {(f"{V0}.secret.items[0].key", REQUIRED), (f"{V0}.secret.items[0].path", REQUIRED)},
        {},
    ),
    (
        "secret item leading ../",
        pod(vol(secret={"secretName": "s", "items": [{"key": "k", "path": "../foo"}]})),
        {(f"{V0}.secret.items[0].path", INVALID)},
        {(f"{V0}.secret.items[0].path", INVALID): "must not contain '..'"},
    ),
    (
        "secret item reserved ..name",
        pod(vol(secret={"secretName": "s", "items": [{"key": "k", "path": "..data"}]})),
        {(f"{V0}.secret.items[0].path", INVALID)},
        {(f"{V0}.secret.items[0].path", INVALID): "must not start with '..'"},
    ),
    (
        "secret defaultMode too large",
        pod(vol(secret={"secretName": "s", "defaultMode": 0o1000})),
        {(f"{V0}.secret.defaultMode", INVALID)},
        {(f"{V0}.secret.defaultMode", INVALID): FILE_MODE},
    ),
    (
        "secret defaultMode negative",
        pod(vol(secret={"secretName": "s", "defaultMode": -1})),
        {(f"{V0}.secret.defaultMode", INVALID)},
        {},
    ),
    (
        "secret item mode",
        pod(vol(secret={"secretName": "s", "items": [{"key": "k", "path": "p", "mode": 0o1000}]})),
        {(f"{V0}.secret.items[0].mode", INVALID)},
        {},
    ),
    ("configMap no name", pod(vol(configMap={})), {(f"{V0}.configMap.name", REQUIRED)}, {}),
    (
        "configMap item with .. inside",
        pod(vol(configMap={"name": "c", "items": [{"key": "k", "path": "foo/../bar"}]})),
        {(f"{V0}.configMap.items[0].path", INVALID)},
        {},
    ),
    (
        "configMap absolute item path",
        pod(vol(configMap={"name": "c", "items": [{"key": "k", "path": "/abs"}]})),
        {(f"{V0}.configMap.items[0].path", INVALID)},
        {(f"{V0}.configMap.items[0].path", INVALID): "must be a relative path"},
    ),
    (
        "configMap defaultMode",
        pod(vol(configMap={"name": "c", "defaultMode": 512})),
        {(f"{V0}.configMap.defaultMode", INVALID)},
        {},
    ),
    # network filesystems
    ("nfs valid", pod(vol(nfs={"server": "h", "path": "/p"})), set(), {}),
    (
        "nfs empty path is also not absolute",
        pod(vol(nfs={})),
        {(f"{V0}.nfs.server", REQUIRED), (f"{V0}.nfs.path", REQUIRED), (f"{V0}.nfs.path", INVALID)},
        {(f"{V0}.nfs.path", INVALID): "must be an absolute path"},
    ),
    (
        "glusterfs",
        pod(vol(glusterfs={})),
        {(f"{V0}.glusterfs.endpoints", REQUIRED), (f"{V0}.glusterfs.path", REQUIRED)},
        {},
    ),
    (
        "flocker neither",
        pod(vol(flocker={})),
        {(f"{V0}.flocker", REQUIRED)},
        {(f"{V0}.flocker", REQUIRED): "one of datasetName and datasetUUID is required"},
    ),
    (
        "flocker both",
        pod(vol(flocker={"datasetName": "n", "datasetUUID": "d846b09d"})),
        {(f"{V0}.flocker", INVALID)},
        {},
    ),
    (
        "flocker slash",
        pod(vol(flocker={"datasetName": "foo/bar"})),
        {(f"{V0}.flocker.datasetName", INVALID)},
        {(f"{V0}.flocker.datasetName", INVALID): "must not contain '/'"},
    ),
    (
        "rbd",
        pod(vol(rbd={"monitors": []})),
        {(f"{V0}.rbd.monitors", REQUIRED), (f"{V0}.rbd.image", REQUIRED)},
        {},
    ),
    ("cephfs", pod(vol(cephfs={})), {(f"{V0}.cephfs.monitors", REQUIRED)}, {}),
    (
        "azureFile",
        pod(vol(azureFile={})),
        {(f"{V0}.azureFile.secretName", REQUIRED), (f"{V0}.azureFile.shareName", REQUIRED)},
        {},
    ),
    (
        "quobyte valid",
        pod(vol(quobyte={"registry": "registry:7861,[::1]:80", "volume": "v"})),
        set(),
        {},
    ),
    (
        "quobyte empty registry",
        pod(vol(quobyte={"volume": "/test"})),
        {(f"{V0}.quobyte.registry", REQUIRED)},
        {
            (
                f"{V0}.quobyte.registry",
                REQUIRED,
            ): "must be a host:port pair or multiple pairs separated by commas"
        },
    ),
    (
        "quobyte registry without port",
        pod(vol(quobyte={"registry": "registry7861", "volume": "v"})),
        {(f"{V0}.quobyte.registry", INVALID)},
        {},
    ),
    (
        "quobyte one bad registry of two",
        pod(vol(quobyte={"registry": "registry:7861,reg2", "volume": "v"})),
        {(f"{V0}.quobyte.registry", INVALID)},
        {},
    ),
    (
        "quobyte no volume",
        pod(vol(quobyte={"registry": "r:1"})),
        {(f"{V0}.quobyte.volume", REQUIRED)},
        {},
    ),
    (
        "quobyte tenant too long",
        pod(vol(quobyte={"registry": "r:1", "volume": "v", "tenant": "t" * 65})),
        {(f"{V0}.quobyte.tenant", REQUIRED)},
        {},
    ),
    # downwardAPI
    (
        "downwardAPI valid items",
        pod(
            vol(
                downwardAPI={
                    "items": [
                        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                        {"path": "l1", "fieldRef": {"fieldPath": "metadata.labels['key']"}},
                        {
                            "path": "l2",
                            "fieldRef": {"fieldPath": "metadata.labels['test.example.com/key']"},
                        },
                        {
                            "path": "a1",
                            "fieldRef": {
                                "fieldPath": "metadata.annotations['TEST.EXAMPLE.COM/key']"
                            },
                        },
                        {"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}},
                        {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                        {"path": "uid", "fieldRef": {"fieldPath": "metadata.uid"}},
                        {"path": "path/with/subdirs", "fieldRef": {"fieldPath": "metadata.labels"}},
                        {"path": "path/./withdot", "fieldRef": {"fieldPath": "metadata.labels"}},
                        {
                            "path": "path/with/embedded..dotdot",
                            "fieldRef": {"fieldPath": "metadata.labels"},
                        },
                        {
                            "path": "path/with/leading/..dotdot",
                            "fieldRef": {"fieldPath": "metadata.labels"},
                        },
                        {
                            "path": "cpu",
                            "resourceFieldRef": {
                                "containerName": "c",
                                "resource": "limits.cpu",
                                "divisor": "1m",
                            },
                        },
                        {
                            "path": "mem",
                            "resourceFieldRef": {
                                "containerName": "c",
                                "resource": "requests.memory",
                                "divisor": "1Mi",
                            },
                        },
                        {
                            "path": "hp",
                            "resourceFieldRef": {
                                "containerName": "c",
                                "resource": "limits.hugepages-2Mi",
                            },
                        },
                    ]
                }
            )
        ),
        set(),
        {},
    ),
    ("downwardAPI item mode", pod(dapi(mode=0o1000)), {(f"{V0}.downwardAPI.mode", INVALID)}, {}),
    ("downwardAPI empty path", pod(dapi(path="")), {(f"{V0}.downwardAPI.path", REQUIRED)}, {}),
    (
        "downwardAPI absolute path",
        pod(dapi(path="/absolutepath")),
        {(f"{V0}.downwardAPI.path", INVALID)},
        {},
    ),
    (
        "downwardAPI dot dot path",
        pod(dapi(path="../../passwd")),
        {(f"{V0}.downwardAPI.path", INVALID)},
        {(f"{V0}.downwardAPI.path", INVALID): "must not contain '..'"},
    ),
    (
        "downwardAPI reserved file name",
        pod(dapi(path="..badDirName/goodFileName")),
        {(f"{V0}.downwardAPI.path", INVALID)},
        {(f"{V0}.downwardAPI.path", INVALID): "must not start with '..'"},
    ),
    (
        "downwardAPI both refs",
        pod(
            vol(
                downwardAPI={
                    "items": [
                        {
                            "path": "t",
                            "fieldRef": {"fieldPath": "metadata.labels"},
                            "resourceFieldRef": {
                                "containerName": "c",
                                "resource": "requests.memory",
                            },
                        }
                    ]
                }
            )
        ),
        {(f"{V0}.downwardAPI", INVALID)},
        {
            (
                f"{V0}.downwardAPI",
                INVALID,
            ): "fieldRef and resourceFieldRef can not be specified simultaneously"
        },
    ),
    (
        "downwardAPI neither ref",
        pod(vol(downwardAPI={"items": [{"path": "t"}]})),
        {(f"{V0}.downwardAPI", REQUIRED)},
        {(f"{V0}.downwardAPI", REQUIRED): "one of fieldRef and resourceFieldRef is required"},
    ),
    (
        "downwardAPI field not offered to volumes",
        pod(dapi(field_path="spec.nodeName")),
        {(f"{V0}.downwardAPI.fieldRef.fieldPath", NOT_SUPPORTED)},
        {
            (
                f"{V0}.downwardAPI.fieldRef.fieldPath",
                NOT_SUPPORTED,
            ): 'supported values: "metadata.annotations", '
            '"metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"'
        },
    ),
    (
        "downwardAPI old spec.host converts to nodeName",
        pod(dapi(field_path="spec.host")),
        {(f"{V0}.downwardAPI.fieldRef.fieldPath", NOT_SUPPORTED)},
        {},
    ),
    (
        "downwardAPI unknown field",
        pod(dapi(field_path="metadata.foo")),
        {(f"{V0}.downwardAPI.fieldRef.fieldPath", INVALID)},
        {
            (f"{V0}.downwardAPI.fieldRef.fieldPath", INVALID): "error converting fieldPath: "
            "field label not supported: metadata.foo"
        },
    ),
    (
        "downwardAPI unknown version",
        pod(
            vol(
                downwardAPI={
                    "items": [
                        {
                            "path": "f",
                            "fieldRef": {"apiVersion": "v2", "fieldPath": "metadata.name"},
                        }
                    ]
                }
            )
        ),
        {(f"{V0}.downwardAPI.fieldRef.fieldPath", INVALID)},
        {
            (
                f"{V0}.downwardAPI.fieldRef.fieldPath",
                INVALID,
            ): "error converting fieldPath: unsupported pod version: v2"
        },
    ),
    (
        "downwardAPI subscript on a plain field",
        pod(dapi(field_path="metadata.name['x']")),
        {(f"{V0}.downwardAPI.fieldRef.fieldPath", INVALID)},
        {
            (f"{V0}.downwardAPI.fieldRef.fieldPath", INVALID): "error converting fieldPath: "
            "field label does not support subscript: metadata.name['x']"
        },
    ),
    (
        "downwardAPI bad label key subscript",
        pod(dapi(field_path="metadata.labels['a b']")),
        {(f"{V0}.downwardAPI.fieldRef", INVALID)},
        {},
    ),
    (
        "downwardAPI empty fieldPath",
        pod(vol(downwardAPI={"items": [{"path": "f", "fieldRef": {"fieldPath": ""}}]})),
        {(f"{V0}.downwardAPI.fieldRef.fieldPath", REQUIRED)},
        {},
    ),
    (
        "resourceFieldRef needs a container in volumes",
        pod(rref("limits.cpu", container="")),
        {(f"{V0}.downwardAPI.resourceFieldRef.containerName", REQUIRED)},
        {},
    ),
    (
        "resourceFieldRef unknown resource",
        pod(rref("limits.gpu")),
        {(f"{V0}.downwardAPI.resourceFieldRef.resource", NOT_SUPPORTED)},
        {},
    ),
    (
        "resourceFieldRef cpu divisor",
        pod(rref("limits.cpu", divisor="2")),
        {(f"{V0}.downwardAPI.resourceFieldRef.divisor", INVALID)},
        {
            (
                f"{V0}.downwardAPI.resourceFieldRef.divisor",
                INVALID,
            ): "only divisor's values 1m and 1 are supported with the cpu resource"
        },
    ),
    (
        "resourceFieldRef memory divisor",
        pod(rref("requests.memory", divisor="1024")),
        {(f"{V0}.downwardAPI.resourceFieldRef.divisor", INVALID)},
        {},
    ),
    (
        "downwardAPI defaultMode",
        pod(vol(downwardAPI={"defaultMode": -1})),
        {(f"{V0}.downwardAPI.defaultMode", INVALID)},
        {},
    ),
    # fibre channel
    (
        "fc valid",
        pod(vol("a", fc={"targetWWNs": ["wwn"], "lun": 1}), vol("b", fc={"wwids": ["id"]})),
        set(),
        {},
    ),
    (
        "fc neither",
        pod(vol(fc={"lun": 1})),
        {(f"{V0}.fc.targetWWNs", REQUIRED)},
        {
            (
                f"{V0}.fc.targetWWNs",
                REQUIRED,
            ): "must specify either targetWWNs or wwids, but not both"
        },
    ),
    (
        "fc both",
        pod(vol(fc={"targetWWNs": ["w"], "wwids": ["i"], "lun": 1})),
        {(f"{V0}.fc.targetWWNs", INVALID)},
        {
            (
                f"{V0}.fc.targetWWNs",
                INVALID,
            ): "targetWWNs and wwids can not be specified simultaneously"
        },
    ),
    (
        "fc no lun",
        pod(vol(fc={"targetWWNs": ["w"]})),
        {(f"{V0}.fc.lun", REQUIRED)},
        {(f"{V0}.fc.lun", REQUIRED): "lun is required if targetWWNs is specified"},
    ),
    (
        "fc lun out of range",
        pod(vol(fc={"targetWWNs": ["w"], "lun": 256})),
        {(f"{V0}.fc.lun", INVALID)},
        {},
    ),
    # flexVolume
    ("flexVolume no driver", pod(vol(flexVolume={})), {(f"{V0}.flexVolume.driver", REQUIRED)}, {}),
    (
        "flexVolume reserved option keys",
        pod(
            vol(
                flexVolume={
                    "driver": "d",
                    "options": {
                        "myns.io": "A",
                        "myns.io/kubernetes.io": "A",
                        "KUBERNETES.IO": "A",
                        "kubernetes.io/foo": "A",
                        "alpha.kubernetes.io/": "A",
                        "k8s.io": "A",
                        "alpha.k8s.io/foo": "A",
                    },
                }
            )
        ),
        {
            (f"{V0}.flexVolume.options[{k}]", INVALID)
            for k in [
                "KUBERNETES.IO",
                "kubernetes.io/foo",
                "alpha.kubernetes.io/",
                "k8s.io",
                "alpha.k8s.io/foo",
            ]
        },
        {
            (
                f"{V0}.flexVolume.options[k8s.io]",
                INVALID,
            ): "kubernetes.io and k8s.io namespaces are reserved"
        },
    ),
    # azureDisk
    (
        "azureDisk valid",
        pod(vol(azureDisk={"diskName": "foo", "diskURI": "https://blob/vhds/bar.vhd"})),
        set(),
        {},
    ),
    (
        "azureDisk empty name",
        pod(vol(azureDisk={"diskURI": "https://blob/vhds/bar.vhd"})),
        {(f"{V0}.azureDisk.diskName", REQUIRED)},
        {},
    ),
    (
        "azureDisk empty uri fails the blob form too",
        pod(vol(azureDisk={"diskName": "foo"})),
        {(f"{V0}.azureDisk.diskURI", REQUIRED), (f"{V0}.azureDisk.diskURI", NOT_SUPPORTED)},
        {},
    ),
    (
        "azureDisk managed needs a subscription uri",
        pod(
            vol(
                azureDisk={
                    "diskName": "foo",
                    "diskURI": "https://blob/vhds/bar.vhd",
                    "kind": "Managed",
                }
            )
        ),
        {(f"{V0}.azureDisk.diskURI", NOT_SUPPORTED)},
        {
            (
                f"{V0}.azureDisk.diskURI",
                NOT_SUPPORTED,
            ): 'supported values: "/subscriptions/{sub-id}/resourcegroups/'
            '{group-name}/providers/microsoft.compute/disks/{disk-id}"'
        },
    ),
    (
        "azureDisk unsupported caching mode and kind",
        pod(
            vol(
                azureDisk={
                    "diskName": "f",
                    "diskURI": "https://b",
                    "cachingMode": "Bogus",
                    "kind": "Bogus",
                }
            )
        ),
        {(f"{V0}.azureDisk.cachingMode", NOT_SUPPORTED), (f"{V0}.azureDisk.kind", NOT_SUPPORTED)},
        {
            (
                f"{V0}.azureDisk.kind",
                NOT_SUPPORTED,
            ): 'supported values: "Dedicated", "Managed", "Shared"'
        },
    ),
    # scaleIO and storageos
    (
        "scaleIO valid",
        pod(vol(scaleIO={"gateway": "http://abcd/efg", "system": "s", "volumeName": "v"})),
        set(),
        {},
    ),
    (
        "scaleIO required fields",
        pod(vol(scaleIO={})),
        {
            (f"{V0}.scaleIO.gateway", REQUIRED),
            (f"{V0}.scaleIO.system", REQUIRED),
            (f"{V0}.scaleIO.volumeName", REQUIRED),
        },
        {},
    ),
    (
        "storageos valid",
        pod(vol(storageos={"volumeName": "vol", "volumeNamespace": "ns"})),
        set(),
        {},
    ),
    (
        "storageos names",
        pod(
            vol("a", storageos={"volumeName": "Bad_Name", "volumeNamespace": "Bad_NS"}),
            vol("b", storageos={"secretRef": {}}),
        ),
        {
            (f"{V0}.storageos.volumeName", INVALID),
            (f"{V0}.storageos.volumeNamespace", INVALID),
            (f"{V1}.storageos.volumeName", REQUIRED),
            (f"{V1}.storageos.secretRef.name", REQUIRED),
        },
        {},
    ),
    # persistentVolumeClaim
    (
        "pvc no claimName",
        pod(vol(persistentVolumeClaim={})),
        {(f"{V0}.persistentVolumeClaim.claimName", REQUIRED)},
        {},
    ),
    # csi
    (
        "csi valid drivers",
        pod(
            vol("a", csi={"driver": "io.kubernetes.storage.csi.driver"}),
            vol("b", csi={"driver": "Csi.Example.COM", "nodePublishSecretRef": {"name": "s"}}),
            vol("c", csi={"driver": "a"}),
        ),
        set(),
        {},
    ),
    (
        "csi empty driver",
        pod(vol(csi={})),
        {(f"{V0}.csi.driver", REQUIRED), (f"{V0}.csi.driver", INVALID)},
        {},
    ),
    (
        "csi driver too long",
        pod(vol(csi={"driver": "a" * 64})),
        {(f"{V0}.csi.driver", TOO_LONG)},
        {},
    ),
    (
        "csi driver bad start",
        pod(vol(csi={"driver": "-comgooglestoragecsi-gcepd"})),
        {(f"{V0}.csi.driver", INVALID)},
        {},
    ),
    (
        "csi secret ref",
        pod(
            vol("a", csi={"driver": "d", "nodePublishSecretRef": {}}),
            vol("b", csi={"driver": "d", "nodePublishSecretRef": {"name": "Bad"}}),
        ),
        {(f"{V0}.csi.nodePublishSecretRef.name", REQUIRED), (f"{V1}.csi.name", INVALID)},
        {},
    ),
    # projected
    (
        "projected valid",
        pod(
            proj(
                {"secret": {"name": "s", "items": [{"key": "k", "path": "a"}]}},
                {"configMap": {"name": "c", "items": [{"key": "k", "path": "b"}]}},
                {
                    "downwardAPI": {
                        "items": [{"path": "c", "fieldRef": {"fieldPath": "metadata.name"}}]
                    }
                },
                {
                    "serviceAccountToken": {
                        "path": "token",
                        "audience": "api",
                        "expirationSeconds": 600,
                    }
                },
                {},
            ),
            serviceAccountName="sa",
        ),
        set(),
        {},
    ),
    (
        "projected two kinds in one source",
        pod(proj({"secret": {"name": "s"}, "configMap": {"name": "c"}})),
        {(f"{V0}.projected.sources[0]", FORBIDDEN)},
        {
            (
                f"{V0}.projected.sources[0]",
                FORBIDDEN,
            ): "may not specify more than 1 volume type per source"
        },
    ),
    (
        "projected duplicate paths across sources",
        pod(
            proj(
                {"secret": {"name": "s", "items": [{"key": "k", "path": "p"}]}},
                {
                    "downwardAPI": {
                        "items": [{"path": "p", "fieldRef": {"fieldPath": "metadata.name"}}]
                    }
                },
            )
        ),
        {(f"{V0}.projected", INVALID)},
        {(f"{V0}.projected", INVALID): "conflicting duplicate paths"},
    ),
    (
        "projected token too short",
        pod(
            proj({"serviceAccountToken": {"path": "t", "expirationSeconds": 599}}),
            serviceAccountName="sa",
        ),
        {(f"{V0}.projected.sources[0].serviceAccountToken.expirationSeconds", INVALID)},
        {
            (
                f"{V0}.projected.sources[0].serviceAccountToken.expirationSeconds",
                INVALID,
            ): "may not specify a duration less than 10 minutes"
        },
    ),
    (
        "projected token too long",
        pod(
            proj({"serviceAccountToken": {"path": "t", "expirationSeconds": 2**32 + 1}}),
            serviceAccountName="sa",
        ),
        {(f"{V0}.projected.sources[0].serviceAccountToken.expirationSeconds", INVALID)},
        {
            (
                f"{V0}.projected.sources[0].serviceAccountToken.expirationSeconds",
                INVALID,
            ): "may not specify a duration larger than 2^32 seconds"
        },
    ),
    (
        "projected token at 2^32 is fine",
        pod(
            proj({"serviceAccountToken": {"path": "t", "expirationSeconds": 2**32}}),
            serviceAccountName="sa",
        ),
        set(),
        {},
    ),
    (
        "projected token without path",
        pod(proj({"serviceAccountToken": {}}), serviceAccountName="sa"),
        {(f"{V0}.projected.path", REQUIRED)},
        {},
    ),
    (
        "projected token path escapes",
        pod(proj({"serviceAccountToken": {"path": "../t"}}), serviceAccountName="sa"),
        {(f"{V0}.projected.path", INVALID)},
        {},
    ),
    (
        "projected secret without name",
        pod(proj({"secret": {"items": [{"key": "k", "path": ""}]}})),
        {
            (f"{V0}.projected.sources[0].secret.name", REQUIRED),
            (f"{V0}.projected.sources[0].secret.items[0].path", REQUIRED),
        },
        {},
    ),
    (
        "projected downwardAPI field",
        pod(
            proj(
                {
                    "downwardAPI": {
                        "items": [{"path": "p", "fieldRef": {"fieldPath": "status.podIP"}}]
                    }
                }
            )
        ),
        {(f"{V0}.projected.sources[0].downwardAPI.fieldRef.fieldPath", NOT_SUPPORTED)},
        {},
    ),
    (
        "projected defaultMode",
        pod(proj(defaultMode=0o1000)),
        {(f"{V0}.projected.defaultMode", INVALID)},
        {},
    ),
    (
        "clusterTrustBundle is dropped while its gate is off",
        pod(proj({"clusterTrustBundle": {"name": "a", "signerName": "b", "path": "/abs"}})),
        set(),
        {},
    ),
    # ephemeral
    (
        "ephemeral valid",
        pod(eph(metadata={"labels": {"a": "b"}, "annotations": {"x/y": "z"}})),
        set(),
        {},
    ),
    (
        "ephemeral without template",
        pod(vol(ephemeral={})),
        {(f"{V0}.ephemeral.volumeClaimTemplate", REQUIRED)},
        {},
    ),
    (
        "ephemeral template metadata beyond labels and annotations",
        pod(
            eph(
                metadata={
                    "name": "n",
                    "namespace": "ns",
                    "uid": "u",
                    "finalizers": ["f"],
                    "generation": 1,
                }
            )
        ),
        {
            (f"{V0}.ephemeral.volumeClaimTemplate.metadata.{f}", FORBIDDEN)
            for f in ["name", "namespace", "uID", "finalizers", "generation"]
        },
        {(f"{V0}.ephemeral.volumeClaimTemplate.metadata.uID", FORBIDDEN): "cannot be set"},
    ),
    (
        "ephemeral template labels and annotations",
        pod(eph(metadata={"labels": {"a b": "c"}, "annotations": {"-bad": "x"}})),
        {
            (f"{V0}.ephemeral.volumeClaimTemplate.metadata.labels", INVALID),
            (f"{V0}.ephemeral.volumeClaimTemplate.metadata.annotations", INVALID),
        },
        {},
    ),
    (
        "ephemeral claim spec empty",
        pod(vol(ephemeral={"volumeClaimTemplate": {"spec": {}}})),
        {
            (f"{V0}.ephemeral.volumeClaimTemplate.spec.accessModes", REQUIRED),
            (f"{V0}.ephemeral.volumeClaimTemplate.spec.resources[storage]", REQUIRED),
        },
        {
            (
                f"{V0}.ephemeral.volumeClaimTemplate.spec.accessModes",
                REQUIRED,
            ): "at least 1 access mode is required"
        },
    ),
    (
        "ephemeral access modes",
        pod(
            eph("a", accessModes=["Bogus"]),
            eph("b", accessModes=["ReadWriteOncePod", "ReadOnlyMany"]),
        ),
        {
            (f"{V0}.ephemeral.volumeClaimTemplate.spec.accessModes", NOT_SUPPORTED),
            (f"{V1}.ephemeral.volumeClaimTemplate.spec.accessModes", FORBIDDEN),
        },
        {
            (
                f"{V0}.ephemeral.volumeClaimTemplate.spec.accessModes",
                NOT_SUPPORTED,
            ): 'supported values: "ReadOnlyMany", '
            '"ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
            (
                f"{V1}.ephemeral.volumeClaimTemplate.spec.accessModes",
                FORBIDDEN,
            ): "may not use ReadWriteOncePod with other access modes",
        },
    ),
    (
        "ephemeral zero storage",
        pod(eph(resources={"requests": {"storage": "0"}})),
        {(f"{V0}.ephemeral.volumeClaimTemplate.spec.resources[storage]", INVALID)},
        {
            (
                f"{V0}.ephemeral.volumeClaimTemplate.spec.resources[storage]",
                INVALID,
            ): "must be greater than zero"
        },
    ),
    (
        "ephemeral volumeMode and storage class",
        pod(eph(volumeMode="Bogus", storageClassName="Bad_Class")),
        {
            (f"{V0}.ephemeral.volumeClaimTemplate.spec.volumeMode", NOT_SUPPORTED),
            (f"{V0}.ephemeral.volumeClaimTemplate.spec.storageClassName", INVALID),
        },
        {},
    ),
    (
        "ephemeral selector",
        pod(eph(selector={"matchExpressions": [{"key": "k", "operator": "In"}]})),
        {
            (
                f"{V0}.ephemeral.volumeClaimTemplate.spec.selector.matchExpressions[0].values",
                REQUIRED,
            )
        },
        {},
    ),
    (
        "ephemeral data sources",
        pod(
            eph("a", dataSource={"kind": "Snapshot", "name": "s"}),
            eph(
                "b",
                dataSource={"kind": "PersistentVolumeClaim", "name": "x"},
                dataSourceRef={"kind": "PersistentVolumeClaim", "name": "y"},
            ),
        ),
        {
            (f"{V0}.ephemeral.volumeClaimTemplate.spec.dataSource", INVALID),
            (f"{V1}.ephemeral.volumeClaimTemplate.spec", INVALID),
        },
        {
            (
                f"{V0}.ephemeral.volumeClaimTemplate.spec.dataSource",
                INVALID,
            ): "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
            (f"{V1}.ephemeral.volumeClaimTemplate.spec", INVALID): "must match dataSourceRef",
        },
    ),
    (
        "ephemeral claim name must be a valid object name",
        pod(eph("v"), name="p" * 252),
        {(f"{V0}.name", INVALID)},
        {(f"{V0}.name", INVALID): f'PVC name "{"p" * 252}-v": must be no more than 253 characters'},
    ),
    (
        "pvc may not name an ephemeral volume's claim",
        pod(eph("scratch"), vol("b", persistentVolumeClaim={"claimName": "p-scratch"})),
        {(f"{V1}.persistentVolumeClaim.claimName", INVALID)},
        {
            (
                f"{V1}.persistentVolumeClaim.claimName",
                INVALID,
            ): "must not reference a PVC that gets created for an ephemeral volume"
        },
    ),
    # image volumes: the ImageVolume gate is off in v1.33, so the apiserver
    # drops them (and their mounts) before validating
    (
        "image volume and its mount are dropped",
        pod(
            vol("img", image={"reference": "", "pullPolicy": "Bogus"}),
            containers=[
                {"name": "c", "image": "img", "volumeMounts": [{"name": "img", "mountPath": "/m"}]}
            ],
        ),
        set(),
        {},
    ),
]


@pytest.mark.parametrize(
    ("obj", "want", "want_details"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_volume_errors(
    obj: dict[str, Any], want: set[tuple[str, str]], want_details: dict[tuple[str, str], str]
) -> None:
    assert errors(obj) == want
    got = details(obj)
    for key, detail in want_details.items():
        assert detail in got[key]


def test_case_table_is_broad() -> None:
    assert len(CASES) >= 60


def test_valid_mount_of_invalid_volume_is_not_found() -> None:
    obj = pod(
        vol("bad", nfs={"server": "h"}),
        containers=[
            {"name": "c", "image": "img", "volumeMounts": [{"name": "bad", "mountPath": "/m"}]}
        ],
    )
    assert errors(obj) == {
        (f"{V0}.nfs.path", REQUIRED),
        (f"{V0}.nfs.path", INVALID),
        ("spec.containers[0].volumeMounts[0].name", "FieldValueNotFound"),
    }


def test_image_volume_kept_on_update_when_stored_pod_uses_it() -> None:
    old = pod(vol("img", image={"reference": "repo/img:1", "pullPolicy": "IfNotPresent"}))
    new = copy.deepcopy(old)
    assert podcore.validate_pod_update(old, new) == []
    bad = pod(vol("img", image={"reference": "repo/img:1", "pullPolicy": "Bogus"}))
    assert {(e.field, e.type) for e in podcore.validate_pod_update(bad, copy.deepcopy(bad))} == {
        (f"{V0}.image.pullPolicy", NOT_SUPPORTED)
    }


def test_cluster_trust_bundle_validated_when_stored_pod_uses_it() -> None:
    bundle = pod(
        proj({"clusterTrustBundle": {"name": "a", "signerName": "example.com/b", "path": "/abs"}})
    )
    got = {(e.field, e.type) for e in podcore.validate_pod_update(bundle, copy.deepcopy(bundle))}
    assert got == {
        (f"{V0}.projected.sources[0].clusterTrustBundle", INVALID),
        (f"{V0}.projected.sources[0].clusterTrustBundle.path", INVALID),
    }


# ---------------------------------------------------------------- round trips

EVERY_SOURCE: dict[str, dict[str, Any]] = {
    "hostPath": {"path": "/data", "type": "Directory"},
    "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"},
    "gcePersistentDisk": {"pdName": "pd", "fsType": "ext4", "partition": 2, "readOnly": True},
    "awsElasticBlockStore": {"volumeID": "vol", "fsType": "ext4", "partition": 1, "readOnly": True},
    "gitRepo": {"repository": "https://x/r.git", "revision": "abc", "directory": "d"},
    "secret": {
        "secretName": "s",
        "items": [{"key": "k", "path": "p", "mode": 256}],
        "defaultMode": 384,
        "optional": True,
    },
    "nfs": {"server": "h", "path": "/p", "readOnly": True},
    "iscsi": {
        "targetPortal": "1.2.3.4:3260",
        "iqn": "iqn.2015-02.example.com:t",
        "lun": 3,
        "iscsiInterface": "iface",
        "fsType": "xfs",
        "readOnly": True,
        "portals": ["1.2.3.5:3260"],
        "chapAuthDiscovery": True,
        "chapAuthSession": True,
        "secretRef": {"name": "chap"},
        "initiatorName": "iqn.2015-02.example.com:init",
    },
    "glusterfs": {"endpoints": "ep", "path": "vol", "readOnly": True},
    "persistentVolumeClaim": {"claimName": "c", "readOnly": True},
    "rbd": {
        "monitors": ["m1", "m2"],
        "image": "img",
        "fsType": "ext4",
        "pool": "pool",
        "user": "u",
        "keyring": "/k",
        "secretRef": {"name": "s"},
        "readOnly": True,
    },
    "flexVolume": {
        "driver": "vendor/d",
        "fsType": "ext4",
        "secretRef": {"name": "s"},
        "readOnly": True,
        "options": {"a": "b"},
    },
    "cinder": {"volumeID": "v", "fsType": "ext4", "readOnly": True, "secretRef": {"name": "s"}},
    "cephfs": {
        "monitors": ["m"],
        "path": "/p",
        "user": "u",
        "secretFile": "/f",
        "secretRef": {"name": "s"},
        "readOnly": True,
    },
    "flocker": {"datasetName": "ds"},
    "downwardAPI": {
        "items": [
            {
                "path": "l",
                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"},
                "mode": 256,
            },
            {
                "path": "r",
                "resourceFieldRef": {
                    "containerName": "c",
                    "resource": "limits.cpu",
                    "divisor": "1m",
                },
            },
        ],
        "defaultMode": 292,
    },
    "fc": {"targetWWNs": ["w"], "lun": 2, "fsType": "ext4", "readOnly": True},
    "azureFile": {"secretName": "s", "shareName": "sh", "readOnly": True},
    "configMap": {
        "name": "c",
        "items": [{"key": "k", "path": "p"}],
        "defaultMode": 256,
        "optional": False,
    },
    "vsphereVolume": {
        "volumePath": "[ds] v.vmdk",
        "fsType": "ext4",
        "storagePolicyName": "gold",
        "storagePolicyID": "id",
    },
    "quobyte": {
        "registry": "r:7861",
        "volume": "v",
        "readOnly": True,
        "user": "u",
        "group": "g",
        "tenant": "t",
    },
    "azureDisk": {
        "diskName": "d",
        "diskURI": "/subscriptions/x",
        "cachingMode": "None",
        "fsType": "xfs",
        "readOnly": True,
        "kind": "Managed",
    },
    "photonPersistentDisk": {"pdID": "id", "fsType": "ext4"},
    "projected": {
        "sources": [
            {"secret": {"name": "s", "items": [{"key": "k", "path": "a"}], "optional": True}},
            {
                "configMap": {
                    "name": "c",
                    "items": [{"key": "k", "path": "b", "mode": 256}],
                    "optional": False,
                }
            },
            {
                "downwardAPI": {
                    "items": [
                        {
                            "path": "c",
                            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"},
                        }
                    ]
                }
            },
            {"serviceAccountToken": {"audience": "api", "expirationSeconds": 7200, "path": "t"}},
            {
                "clusterTrustBundle": {
                    "signerName": "example.com/s",
                    "labelSelector": {"matchLabels": {"a": "b"}},
                    "optional": True,
                    "path": "ca.pem",
                }
            },
        ],
        "defaultMode": 256,
    },
    "portworxVolume": {"volumeID": "v", "fsType": "ext4", "readOnly": True},
    "scaleIO": {
        "gateway": "https://gw",
        "system": "sys",
        "secretRef": {"name": "s"},
        "sslEnabled": True,
        "protectionDomain": "pd",
        "storagePool": "sp",
        "storageMode": "ThickProvisioned",
        "volumeName": "v",
        "fsType": "ext4",
        "readOnly": True,
    },
    "storageos": {
        "volumeName": "v",
        "volumeNamespace": "ns",
        "fsType": "ext4",
        "readOnly": True,
        "secretRef": {"name": "s"},
    },
    "csi": {
        "driver": "csi.example.com",
        "readOnly": True,
        "fsType": "ext4",
        "volumeAttributes": {"a": "b"},
        "nodePublishSecretRef": {"name": "s"},
    },
    "ephemeral": {
        "volumeClaimTemplate": {
            "metadata": {"labels": {"a": "b"}, "annotations": {"c": "d"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "selector": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]},
                "resources": {"requests": {"storage": "1Gi"}, "limits": {"storage": "2Gi"}},
                "volumeName": "pv",
                "storageClassName": "fast",
                "volumeMode": "Block",
                "dataSource": {
                    "apiGroup": "snapshot.storage.k8s.io",
                    "kind": "VolumeSnapshot",
                    "name": "snap",
                },
                "dataSourceRef": {
                    "apiGroup": "snapshot.storage.k8s.io",
                    "kind": "VolumeSnapshot",
                    "name": "snap",
                },
                "volumeAttributesClassName": "gold",
            },
        }
    },
    "image": {"reference": "repo/img:1", "pullPolicy": "Never"},
}


def is_superset(got: Any, want: Any) -> bool:
    """Whether `got` holds everything in `want` (dicts may have extra keys)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            k in got and is_superset(got[k], v) for k, v in want.items()
        )
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(is_superset, got, want))
    return bool(got == want)


@pytest.mark.parametrize("source", sorted(EVERY_SOURCE))
def test_apply_defaults_keeps_every_field(source: str) -> None:
    name = source.lower()
    obj = pod(vol(name, **{source: copy.deepcopy(EVERY_SOURCE[source])}))
    out = podcore.apply_defaults(obj)
    (volume,) = out["spec"]["volumes"]
    assert volume["name"] == name
    assert is_superset(volume[source], EVERY_SOURCE[source])
    assert set(volume) == {"name", source}


def test_apply_defaults_fills_volume_defaults() -> None:
    obj = pod(
        vol("none"),
        vol("hp", hostPath={"path": "/x"}),
        vol("sec", secret={"secretName": "s"}),
        vol("cm", configMap={"name": "c"}),
        vol(
            "dapi",
            downwardAPI={"items": [{"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}]},
        ),
        vol("proj", projected={"sources": [{"serviceAccountToken": {"path": "t"}}]}),
        vol("iscsi", iscsi={"targetPortal": "t", "iqn": "iqn.2015-02.example.com:t"}),
        vol("rbd", rbd={"monitors": ["m"], "image": "i"}),
        vol("ad", azureDisk={"diskName": "d", "diskURI": "https://x"}),
        vol("sio", scaleIO={"gateway": "g", "system": "s", "volumeName": "v"}),
        eph("eph"),
        vol("img", image={"reference": "repo/img"}),
        vol("img2", image={"reference": "repo/img:1.0"}),
    )
    got = {v["name"]: v for v in podcore.apply_defaults(obj)["spec"]["volumes"]}
    assert got["none"]["emptyDir"] == {}
    assert got["hp"]["hostPath"] == {"path": "/x", "type": ""}
    assert got["sec"]["secret"]["defaultMode"] == 0o644
    assert got["cm"]["configMap"]["defaultMode"] == 0o644
    assert got["dapi"]["downwardAPI"]["defaultMode"] == 0o644
    assert got["dapi"]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1"
    assert got["proj"]["projected"]["defaultMode"] == 0o644
    assert (
        got["proj"]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"] == 3600
    )
    assert got["iscsi"]["iscsi"]["iscsiInterface"] == "default"
    assert {k: got["rbd"]["rbd"][k] for k in ("pool", "user", "keyring")} == {
        "pool": "rbd",
        "user": "admin",
        "keyring": "/etc/ceph/keyring",
    }
    assert {
        k: got["ad"]["azureDisk"][k] for k in ("cachingMode", "kind", "fsType", "readOnly")
    } == {
        "cachingMode": "ReadWrite",
        "kind": "Shared",
        "fsType": "ext4",
        "readOnly": False,
    }
    assert got["sio"]["scaleIO"]["storageMode"] == "ThinProvisioned"
    assert got["sio"]["scaleIO"]["fsType"] == "xfs"
    assert got["eph"]["ephemeral"]["volumeClaimTemplate"]["spec"]["volumeMode"] == "Filesystem"
    assert got["img"]["image"]["pullPolicy"] == "Always"
    assert got["img2"]["image"]["pullPolicy"] == "IfNotPresent"


def test_azure_disk_explicit_empty_values_are_kept() -> None:
    obj = pod(
        vol(
            "ad", azureDisk={"diskName": "d", "diskURI": "https://x", "cachingMode": "", "kind": ""}
        )
    )
    (v,) = podcore.apply_defaults(obj)["spec"]["volumes"]
    assert v["azureDisk"]["cachingMode"] == ""
    assert v["azureDisk"]["kind"] == ""


def test_every_source_pod_validates_once_defaulted() -> None:
    """Every fully populated source above is valid, one volume each."""
    vols = [vol(s.lower(), **{s: copy.deepcopy(EVERY_SOURCE[s])}) for s in sorted(EVERY_SOURCE)]
    assert errors(pod(*vols, serviceAccountName="sa")) == set()
