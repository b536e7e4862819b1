//! `ValidateVolumes` and every volume source, as kube-apiserver v1.33 checks
//! them for pods (pkg/apis/core/validation), including the PVC template of
//! generic ephemeral volumes.
//!
//! Field paths, error types and details are Kubernetes' own, including its
//! historical oddities (`persistentDisk` for gcePersistentDisk errors,
//! `downwarAPI` and `cephFS` in "more than 1 volume type" errors, `csi.name`
//! for an invalid nodePublishSecretRef name, `projected.path` for token
//! paths), because users compare them.

use super::meta::validate_annotations;
use super::names::{
    go_to_lower, inclusive_range_error, is_dns1123_label, is_dns1123_subdomain, is_qualified_name,
    name_is_dns_subdomain, DNS1123_LABEL_MAX_LENGTH, DNS1123_SUBDOMAIN_MAX_LENGTH,
};
use super::spec::{validate_label_selector, validate_labels};
use super::{Errors, Opts, Path};
use crate::errors::{go_quote, FieldError};
use crate::model::{
    AzureDiskVolumeSource, ClusterTrustBundleProjection, CsiVolumeSource, DownwardApiVolumeFile,
    EphemeralVolumeSource, FcVolumeSource, FlexVolumeSource, FlockerVolumeSource,
    HostPathVolumeSource, IscsiVolumeSource, KeyToPath, ObjectFieldSelector, ObjectMeta,
    PersistentVolumeClaimSpec, PodSpec, ProjectedVolumeSource, Quantity, QuobyteVolumeSource,
    ResourceFieldSelector, StorageOsVolumeSource, Volume,
};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// The pod's valid volumes by name, for the mounts and devices that name them.
/// As in Kubernetes, a volume with any error is left out, so mounts of it are
/// reported as not found.
pub struct Volumes<'a> {
    pub by_name: HashMap<&'a str, &'a Volume>,
}

impl Volumes<'_> {
    /// Whether `name` is a valid volume of the pod.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// Whether `name` is a valid volume backed by a claim (a
    /// persistentVolumeClaim or an ephemeral volume), the only volumes that
    /// may be used as block devices (`isMatchedDevice`).
    pub fn is_claim(&self, name: &str) -> bool {
        self.by_name
            .get(name)
            .is_some_and(|v| v.persistent_volume_claim.is_some() || v.ephemeral.is_some())
    }

    /// Whether `name` is a valid image volume (no subPath allowed on mounts).
    pub fn is_image(&self, name: &str) -> bool {
        self.by_name.get(name).is_some_and(|v| v.image.is_some())
    }
}

const FILE_MODE_ERROR: &str = "must be a number between 0 and 0777 (octal), both inclusive";
const MORE_THAN_ONE_SOURCE: &str = "may not specify more than 1 volume type";

const HOST_PATH_TYPES: &[&str] = &[
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];

/// Field paths a downwardAPI volume file may reference (sorted, as Kubernetes
/// lists them in NotSupported errors).
pub const VOLUME_DOWNWARD_API_FIELD_PATHS: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

/// Container resources a resourceFieldRef may reference, besides hugepages.
pub const CONTAINER_RESOURCE_FIELD_PATHS: &[&str] = &[
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// Every pod field the downward API knows (`ConvertDownwardAPIFieldLabel`),
/// before the per-use allow list is applied.
const DOWNWARD_API_CONVERTIBLE: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.serviceAccountName",
    "spec.schedulerName",
    "status.phase",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];
const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];
const AZURE_CACHING_MODES: &[&str] = &["None", "ReadOnly", "ReadWrite"];
const AZURE_DISK_KINDS: &[&str] = &["Dedicated", "Managed", "Shared"];
const AZURE_MANAGED_URI: &[&str] =
    &["/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"];
const AZURE_BLOB_URI: &[&str] =
    &["https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];

/// `ValidateVolumes` for a pod spec without pod metadata (as for templates):
/// the checks that need the pod's name are skipped.
pub fn validate_volumes<'a>(
    spec: &'a PodSpec,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) -> Volumes<'a> {
    validate_pod_volumes(spec, None, path, opts, errs)
}

/// `ValidateVolumes` with the pod's metadata: with a pod name, the claim each
/// ephemeral volume creates (`<pod>-<volume>`) must be a valid object name,
/// and no persistentVolumeClaim volume may name such a claim.
pub fn validate_pod_volumes<'a>(
    spec: &'a PodSpec,
    meta: Option<&ObjectMeta>,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) -> Volumes<'a> {
    let pod_name = meta.map(|m| m.name.as_str()).filter(|n| !n.is_empty());
    let mut by_name: HashMap<&'a str, &'a Volume> = HashMap::with_capacity(spec.volumes.len());
    for (i, vol) in spec.volumes.iter().enumerate() {
        let idx = path.index(i);
        let before = errs.len();
        validate_volume_source(vol, &idx, pod_name, opts, errs);
        let name_path = idx.child("name");
        if vol.name.is_empty() {
            errs.push(FieldError::required(name_path, ""));
        } else {
            for msg in is_dns1123_label(&vol.name) {
                errs.push(FieldError::invalid(name_path, vol.name.as_str(), msg));
            }
        }
        if by_name.contains_key(vol.name.as_str()) {
            errs.push(FieldError::duplicate(name_path, vol.name.as_str()));
        }
        if errs.len() == before {
            by_name.insert(vol.name.as_str(), vol);
        }
        if let (Some(pod), Some(pvc)) = (pod_name, &vol.persistent_volume_claim) {
            let created = spec.volumes.iter().any(|v| {
                v.ephemeral.is_some() && is_generated_claim(&pvc.claim_name, pod, &v.name)
            });
            if created {
                errs.push(FieldError::invalid(
                    idx.child("persistentVolumeClaim").child("claimName"),
                    pvc.claim_name.as_str(),
                    "must not reference a PVC that gets created for an ephemeral volume",
                ));
            }
        }
    }
    Volumes { by_name }
}

/// Whether `claim` is `<pod>-<volume>`, compared without building the string.
fn is_generated_claim(claim: &str, pod: &str, volume: &str) -> bool {
    claim.len() == pod.len() + 1 + volume.len()
        && claim.starts_with(pod)
        && claim.as_bytes().get(pod.len()) == Some(&b'-')
        && claim.ends_with(volume)
}

/// Counts a source of the volume: the first one set is validated, every later
/// one is Forbidden (Kubernetes checks sources in a fixed order and names the
/// later ones, sometimes with its own spelling of the field).
fn first_source(count: &mut usize, path: &Path, field: &str, errs: &mut Errors) -> bool {
    if *count > 0 {
        errs.push(FieldError::forbidden(
            path.child(field),
            MORE_THAN_ONE_SOURCE,
        ));
        false
    } else {
        *count += 1;
        true
    }
}

/// `validateVolumeSource`: exactly one source, and that source's own rules.
fn validate_volume_source(
    v: &Volume,
    path: &Path,
    pod_name: Option<&str>,
    opts: &Opts,
    errs: &mut Errors,
) {
    let mut n = 0;
    if let Some(e) = &v.empty_dir {
        n += 1;
        if e.size_limit.as_ref().and_then(quantity_sign) == Some(Ordering::Less) {
            errs.push(FieldError::forbidden(
                path.child("emptyDir").child("sizeLimit"),
                "SizeLimit field must be a valid resource quantity",
            ));
        }
    }
    if let Some(s) = &v.host_path {
        if first_source(&mut n, path, "hostPath", errs) {
            host_path(s, &path.child("hostPath"), errs);
        }
    }
    if let Some(s) = &v.git_repo {
        if first_source(&mut n, path, "gitRepo", errs) {
            let p = path.child("gitRepo");
            if s.repository.is_empty() {
                errs.push(FieldError::required(p.child("repository"), ""));
            }
            local_descending_path(&s.directory, &p.child("directory"), errs);
        }
    }
    if let Some(s) = &v.gce_persistent_disk {
        if first_source(&mut n, path, "gcePersistentDisk", errs) {
            let p = path.child("persistentDisk");
            if s.pd_name.is_empty() {
                errs.push(FieldError::required(p.child("pdName"), ""));
            }
            partition(s.partition, &p, errs);
        }
    }
    if let Some(s) = &v.aws_elastic_block_store {
        if first_source(&mut n, path, "awsElasticBlockStore", errs) {
            let p = path.child("awsElasticBlockStore");
            if s.volume_id.is_empty() {
                errs.push(FieldError::required(p.child("volumeID"), ""));
            }
            partition(s.partition, &p, errs);
        }
    }
    if let Some(s) = &v.secret {
        if first_source(&mut n, path, "secret", errs) {
            let p = path.child("secret");
            if s.secret_name.is_empty() {
                errs.push(FieldError::required(p.child("secretName"), ""));
            }
            file_mode(s.default_mode, &p.child("defaultMode"), errs);
            key_to_paths(&s.items, &p.child("items"), errs);
        }
    }
    if let Some(s) = &v.nfs {
        if first_source(&mut n, path, "nfs", errs) {
            let p = path.child("nfs");
            if s.server.is_empty() {
                errs.push(FieldError::required(p.child("server"), ""));
            }
            if s.path.is_empty() {
                errs.push(FieldError::required(p.child("path"), ""));
            }
            if !s.path.starts_with('/') {
                errs.push(FieldError::invalid(
                    p.child("path"),
                    s.path.as_str(),
                    "must be an absolute path",
                ));
            }
        }
    }
    if let Some(s) = &v.iscsi {
        if first_source(&mut n, path, "iscsi", errs) {
            iscsi(s, &path.child("iscsi"), errs);
        }
        // Checked whether or not iscsi is the volume's source.
        if s.initiator_name.is_some() && v.name.len() + 1 + s.target_portal.len() > 64 {
            errs.push(FieldError::invalid(
                path.child("name"),
                v.name.as_str(),
                "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.",
            ));
        }
    }
    if let Some(s) = &v.glusterfs {
        if first_source(&mut n, path, "glusterfs", errs) {
            let p = path.child("glusterfs");
            if s.endpoints.is_empty() {
                errs.push(FieldError::required(p.child("endpoints"), ""));
            }
            if s.path.is_empty() {
                errs.push(FieldError::required(p.child("path"), ""));
            }
        }
    }
    if let Some(s) = &v.flocker {
        if first_source(&mut n, path, "flocker", errs) {
            flocker(s, &path.child("flocker"), errs);
        }
    }
    if let Some(s) = &v.persistent_volume_claim {
        if first_source(&mut n, path, "persistentVolumeClaim", errs) && s.claim_name.is_empty() {
            errs.push(FieldError::required(
                path.child("persistentVolumeClaim").child("claimName"),
                "",
            ));
        }
    }
    if let Some(s) = &v.rbd {
        if first_source(&mut n, path, "rbd", errs) {
            let p = path.child("rbd");
            if s.monitors.is_empty() {
                errs.push(FieldError::required(p.child("monitors"), ""));
            }
            if s.image.is_empty() {
                errs.push(FieldError::required(p.child("image"), ""));
            }
        }
    }
    if let Some(s) = &v.cinder {
        if first_source(&mut n, path, "cinder", errs) {
            let p = path.child("cinder");
            if s.volume_id.is_empty() {
                errs.push(FieldError::required(p.child("volumeID"), ""));
            }
            secret_ref_name(s.secret_ref.as_ref(), &p, errs);
        }
    }
    if let Some(s) = &v.cephfs {
        if first_source(&mut n, path, "cephFS", errs) && s.monitors.is_empty() {
            errs.push(FieldError::required(
                path.child("cephfs").child("monitors"),
                "",
            ));
        }
    }
    if let Some(s) = &v.quobyte {
        if first_source(&mut n, path, "quobyte", errs) {
            quobyte(s, &path.child("quobyte"), errs);
        }
    }
    if let Some(s) = &v.downward_api {
        if first_source(&mut n, path, "downwarAPI", errs) {
            let p = path.child("downwardAPI");
            file_mode(s.default_mode, &p.child("defaultMode"), errs);
            for f in &s.items {
                downward_api_file(f, &p, errs);
            }
        }
    }
    if let Some(s) = &v.fc {
        if first_source(&mut n, path, "fc", errs) {
            fc(s, &path.child("fc"), errs);
        }
    }
    if let Some(s) = &v.flex_volume {
        if first_source(&mut n, path, "flexVolume", errs) {
            flex_volume(s, &path.child("flexVolume"), errs);
        }
    }
    if let Some(s) = &v.config_map {
        if first_source(&mut n, path, "configMap", errs) {
            let p = path.child("configMap");
            if s.name.is_empty() {
                errs.push(FieldError::required(p.child("name"), ""));
            }
            file_mode(s.default_mode, &p.child("defaultMode"), errs);
            key_to_paths(&s.items, &p.child("items"), errs);
        }
    }
    if let Some(s) = &v.azure_file {
        if first_source(&mut n, path, "azureFile", errs) {
            let p = path.child("azureFile");
            if s.secret_name.is_empty() {
                errs.push(FieldError::required(p.child("secretName"), ""));
            }
            if s.share_name.is_empty() {
                errs.push(FieldError::required(p.child("shareName"), ""));
            }
        }
    }
    if let Some(s) = &v.vsphere_volume {
        if first_source(&mut n, path, "vsphereVolume", errs) && s.volume_path.is_empty() {
            errs.push(FieldError::required(
                path.child("vsphereVolume").child("volumePath"),
                "",
            ));
        }
    }
    if let Some(s) = &v.photon_persistent_disk {
        if first_source(&mut n, path, "photonPersistentDisk", errs) && s.pd_id.is_empty() {
            errs.push(FieldError::required(
                path.child("photonPersistentDisk").child("pdID"),
                "",
            ));
        }
    }
    if let Some(s) = &v.portworx_volume {
        if first_source(&mut n, path, "portworxVolume", errs) && s.volume_id.is_empty() {
            errs.push(FieldError::required(
                path.child("portworxVolume").child("volumeID"),
                "",
            ));
        }
    }
    if let Some(s) = &v.azure_disk {
        if first_source(&mut n, path, "azureDisk", errs) {
            azure_disk(s, &path.child("azureDisk"), errs);
        }
    }
    if let Some(s) = &v.storageos {
        if first_source(&mut n, path, "storageos", errs) {
            storageos(s, &path.child("storageos"), errs);
        }
    }
    if let Some(s) = &v.projected {
        if first_source(&mut n, path, "projected", errs) {
            projected(s, &path.child("projected"), opts, errs);
        }
    }
    if let Some(s) = &v.scale_io {
        if first_source(&mut n, path, "scaleIO", errs) {
            let p = path.child("scaleIO");
            if s.gateway.is_empty() {
                errs.push(FieldError::required(p.child("gateway"), ""));
            }
            if s.system.is_empty() {
                errs.push(FieldError::required(p.child("system"), ""));
            }
            if s.volume_name.is_empty() {
                errs.push(FieldError::required(p.child("volumeName"), ""));
            }
        }
    }
    if let Some(s) = &v.csi {
        if first_source(&mut n, path, "csi", errs) {
            csi(s, &path.child("csi"), errs);
        }
    }
    if let Some(s) = &v.ephemeral {
        if first_source(&mut n, path, "ephemeral", errs) {
            ephemeral(s, &path.child("ephemeral"), errs);
            if let Some(pod) = pod_name.filter(|_| !v.name.is_empty()) {
                let claim = format!("{pod}-{}", v.name);
                for msg in name_is_dns_subdomain(&claim, false) {
                    errs.push(FieldError::invalid(
                        path.child("name"),
                        v.name.as_str(),
                        format!("PVC name {}: {msg}", go_quote(&claim)),
                    ));
                }
            }
        }
    }
    if let Some(s) = &v.image {
        if first_source(&mut n, path, "image", errs) {
            let p = path.child("image");
            if s.reference.is_empty() {
                errs.push(FieldError::required(p.child("reference"), ""));
            }
            pull_policy(&s.pull_policy, &p.child("pullPolicy"), errs);
        }
    }
    if n == 0 {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
}

fn host_path(s: &HostPathVolumeSource, p: &Path, errs: &mut Errors) {
    if s.path.is_empty() {
        errs.push(FieldError::required(p.child("path"), ""));
        return;
    }
    no_backsteps(&s.path, &p.child("path"), errs);
    if let Some(t) = &s.type_ {
        if !HOST_PATH_TYPES.contains(&t.as_str()) {
            errs.push(FieldError::not_supported(
                p.child("type"),
                t.as_str(),
                HOST_PATH_TYPES,
            ));
        }
    }
}

fn partition(value: i32, p: &Path, errs: &mut Errors) {
    // The range message says 1..255 while 0 (the whole disk) is accepted.
    if !(0..=255).contains(&value) {
        errs.push(FieldError::invalid(
            p.child("partition"),
            value,
            inclusive_range_error(1, 255),
        ));
    }
}

/// The three accepted forms of an iSCSI qualified name, as the apiserver
/// tells them apart by prefix.
fn iscsi_name_problem(name: &str) -> Option<&'static str> {
    if name.starts_with("iqn") {
        (!matches_iqn(name)).then_some("must be valid format")
    } else if name.starts_with("eui") {
        (!matches_eui_naa(name, "eui", 16)).then_some("must be valid format")
    } else if name.starts_with("naa") {
        (!matches_eui_naa(name, "naa", 32)).then_some("must be valid format")
    } else {
        Some("must be valid format starting with iqn, eui, or naa")
    }
}

fn iscsi(s: &IscsiVolumeSource, p: &Path, errs: &mut Errors) {
    if s.target_portal.is_empty() {
        errs.push(FieldError::required(p.child("targetPortal"), ""));
    }
    if s.iqn.is_empty() {
        errs.push(FieldError::required(p.child("iqn"), ""));
    } else if let Some(msg) = iscsi_name_problem(&s.iqn) {
        errs.push(FieldError::invalid(p.child("iqn"), s.iqn.as_str(), msg));
    }
    if !(0..=255).contains(&s.lun) {
        errs.push(FieldError::invalid(
            p.child("lun"),
            s.lun,
            inclusive_range_error(0, 255),
        ));
    }
    if (s.chap_auth_discovery || s.chap_auth_session) && s.secret_ref.is_none() {
        errs.push(FieldError::required(p.child("secretRef"), ""));
    }
    if let Some(init) = &s.initiator_name {
        if let Some(msg) = iscsi_name_problem(init) {
            errs.push(FieldError::invalid(
                p.child("initiatorname"),
                init.as_str(),
                msg,
            ));
        }
    }
}

/// `iqn\.\d{4}-\d{2}\.([[:alnum:]-.]+)(:[^,;*&$|\s]+)$`, unanchored at the
/// start as Kubernetes uses it: some occurrence of `iqn.` must begin a match
/// that runs to the end of the name.
fn matches_iqn(s: &str) -> bool {
    s.match_indices("iqn.").any(|(i, _)| iqn_tail(&s[i + 4..]))
}

fn iqn_tail(rest: &str) -> bool {
    let b = rest.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if !(digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'.')) {
        return false;
    }
    let after = &rest[8..];
    // The naming authority runs up to the first character outside
    // [alnum-.]; that character must be the ':' that opens the suffix.
    let auth_len = after
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
        .count();
    if auth_len == 0 || after.as_bytes().get(auth_len) != Some(&b':') {
        return false;
    }
    let suffix = &after[auth_len + 1..];
    !suffix.is_empty()
        && !suffix.chars().any(|c| {
            matches!(
                c,
                ',' | ';' | '*' | '&' | '$' | '|' | ' ' | '\t' | '\n' | '\r' | '\x0c'
            )
        })
}

/// `^eui.[[:alnum:]]{16}$` and `^naa.[[:alnum:]]{32}$`: the character after
/// the prefix is any character but a newline.
fn matches_eui_naa(s: &str, prefix: &str, n: usize) -> bool {
    let Some(rest) = s.strip_prefix(prefix) else {
        return false;
    };
    let mut chars = rest.chars();
    match chars.next() {
        Some(c) if c != '\n' => {}
        _ => return false,
    }
    let tail = chars.as_str();
    tail.len() == n && tail.bytes().all(|c| c.is_ascii_alphanumeric())
}

fn flocker(s: &FlockerVolumeSource, p: &Path, errs: &mut Errors) {
    if s.dataset_name.is_empty() && s.dataset_uuid.is_empty() {
        errs.push(FieldError::required(
            p,
            "one of datasetName and datasetUUID is required",
        ));
    }
    if !s.dataset_name.is_empty() && !s.dataset_uuid.is_empty() {
        errs.push(FieldError::invalid(
            p,
            "resource",
            "datasetName and datasetUUID can not be specified simultaneously",
        ));
    }
    if s.dataset_name.contains('/') {
        errs.push(FieldError::invalid(
            p.child("datasetName"),
            s.dataset_name.as_str(),
            "must not contain '/'",
        ));
    }
}

fn secret_ref_name(r: Option<&crate::model::LocalObjectReference>, p: &Path, errs: &mut Errors) {
    if r.is_some_and(|r| r.name.is_empty()) {
        errs.push(FieldError::required(p.child("secretRef").child("name"), ""));
    }
}

fn quobyte(s: &QuobyteVolumeSource, p: &Path, errs: &mut Errors) {
    const REGISTRY_FORMAT: &str = "must be a host:port pair or multiple pairs separated by commas";
    if s.registry.is_empty() {
        errs.push(FieldError::required(p.child("registry"), REGISTRY_FORMAT));
    } else if s.tenant.len() >= 65 {
        errs.push(FieldError::required(
            p.child("tenant"),
            "must be a UUID and may not exceed a length of 64 characters",
        ));
    } else {
        for pair in s.registry.split(',') {
            if !is_host_port(pair) {
                errs.push(FieldError::invalid(
                    p.child("registry"),
                    s.registry.as_str(),
                    REGISTRY_FORMAT,
                ));
            }
        }
    }
    if s.volume.is_empty() {
        errs.push(FieldError::required(p.child("volume"), ""));
    }
}

/// Whether Go's `net.SplitHostPort` accepts the string: `host:port` or
/// `[host]:port`, with no other colons or brackets; the port may be empty.
fn is_host_port(s: &str) -> bool {
    let Some(colon) = s.rfind(':') else {
        return false;
    };
    let (host_from, port_from) = if s.starts_with('[') {
        let Some(end) = s.find(']') else {
            return false;
        };
        if end + 1 != colon {
            return false;
        }
        (1, end + 1)
    } else {
        if s[..colon].contains(':') {
            return false;
        }
        (0, 0)
    };
    !s[host_from..].contains('[') && !s[port_from..].contains(']')
}

fn fc(s: &FcVolumeSource, p: &Path, errs: &mut Errors) {
    if s.target_wwns.is_empty() && s.wwids.is_empty() {
        errs.push(FieldError::required(
            p.child("targetWWNs"),
            "must specify either targetWWNs or wwids, but not both",
        ));
    }
    if !s.target_wwns.is_empty() && !s.wwids.is_empty() {
        errs.push(FieldError::invalid(
            p.child("targetWWNs"),
            s.target_wwns.clone(),
            "targetWWNs and wwids can not be specified simultaneously",
        ));
    }
    if !s.target_wwns.is_empty() {
        match s.lun {
            None => errs.push(FieldError::required(
                p.child("lun"),
                "lun is required if targetWWNs is specified",
            )),
            Some(lun) if !(0..=255).contains(&lun) => errs.push(FieldError::invalid(
                p.child("lun"),
                lun,
                inclusive_range_error(0, 255),
            )),
            Some(_) => {}
        }
    }
}

fn flex_volume(s: &FlexVolumeSource, p: &Path, errs: &mut Errors) {
    if s.driver.is_empty() {
        errs.push(FieldError::required(p.child("driver"), ""));
    }
    let options = p.child("options");
    for k in s.options.keys() {
        let namespace = k.split_once('/').map_or(k.as_str(), |(ns, _)| ns);
        let normalized = format!(".{}", go_to_lower(namespace));
        if normalized.ends_with(".kubernetes.io") || normalized.ends_with(".k8s.io") {
            errs.push(FieldError::invalid(
                options.key(k),
                k.as_str(),
                "kubernetes.io and k8s.io namespaces are reserved",
            ));
        }
    }
}

fn azure_disk(s: &AzureDiskVolumeSource, p: &Path, errs: &mut Errors) {
    if s.disk_name.is_empty() {
        errs.push(FieldError::required(p.child("diskName"), ""));
    }
    if s.disk_uri.is_empty() {
        errs.push(FieldError::required(p.child("diskURI"), ""));
    }
    if let Some(m) = &s.caching_mode {
        if !AZURE_CACHING_MODES.contains(&m.as_str()) {
            errs.push(FieldError::not_supported(
                p.child("cachingMode"),
                m.as_str(),
                AZURE_CACHING_MODES,
            ));
        }
    }
    if let Some(kind) = &s.kind {
        if !AZURE_DISK_KINDS.contains(&kind.as_str()) {
            errs.push(FieldError::not_supported(
                p.child("kind"),
                kind.as_str(),
                AZURE_DISK_KINDS,
            ));
        }
        if kind == "Managed" && !s.disk_uri.starts_with("/subscriptions/") {
            errs.push(FieldError::not_supported(
                p.child("diskURI"),
                s.disk_uri.as_str(),
                AZURE_MANAGED_URI,
            ));
        }
        if kind != "Managed" && !s.disk_uri.starts_with("https://") {
            errs.push(FieldError::not_supported(
                p.child("diskURI"),
                s.disk_uri.as_str(),
                AZURE_BLOB_URI,
            ));
        }
    }
}

fn storageos(s: &StorageOsVolumeSource, p: &Path, errs: &mut Errors) {
    if s.volume_name.is_empty() {
        errs.push(FieldError::required(p.child("volumeName"), ""));
    } else {
        dns1123_label(&s.volume_name, &p.child("volumeName"), errs);
    }
    if !s.volume_namespace.is_empty() {
        dns1123_label(&s.volume_namespace, &p.child("volumeNamespace"), errs);
    }
    secret_ref_name(s.secret_ref.as_ref(), p, errs);
}

fn dns1123_label(value: &str, p: &Path, errs: &mut Errors) {
    for msg in is_dns1123_label(value) {
        errs.push(FieldError::invalid(p, value, msg));
    }
}

fn csi(s: &CsiVolumeSource, p: &Path, errs: &mut Errors) {
    let driver = p.child("driver");
    if s.driver.is_empty() {
        errs.push(FieldError::required(driver, ""));
    }
    if s.driver.len() > 63 {
        errs.push(FieldError::too_long(driver, 63));
    }
    // Lower-casing allocates only for the rare name that has capitals.
    let lowered = if s
        .driver
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        std::borrow::Cow::Borrowed(s.driver.as_str())
    } else {
        std::borrow::Cow::Owned(go_to_lower(&s.driver))
    };
    for msg in is_dns1123_subdomain(&lowered) {
        errs.push(FieldError::invalid(driver, s.driver.as_str(), msg));
    }
    if let Some(r) = &s.node_publish_secret_ref {
        if r.name.is_empty() {
            errs.push(FieldError::required(
                p.child("nodePublishSecretRef").child("name"),
                "",
            ));
        } else {
            for msg in name_is_dns_subdomain(&r.name, false) {
                errs.push(FieldError::invalid(p.child("name"), r.name.as_str(), msg));
            }
        }
    }
}

fn pull_policy(policy: &str, p: &Path, errs: &mut Errors) {
    if policy.is_empty() {
        errs.push(FieldError::required(p, ""));
    } else if !PULL_POLICIES.contains(&policy) {
        errs.push(FieldError::not_supported(p, policy, PULL_POLICIES));
    }
}

fn file_mode(mode: Option<i32>, p: &Path, errs: &mut Errors) {
    if let Some(m) = mode {
        if !(0..=0o777).contains(&m) {
            errs.push(FieldError::invalid(p, m, FILE_MODE_ERROR));
        }
    }
}

fn key_to_paths(items: &[KeyToPath], p: &Path, errs: &mut Errors) {
    for (i, kp) in items.iter().enumerate() {
        key_to_path(kp, &p.index(i), errs);
    }
}

/// `validateKeyToPath`.
fn key_to_path(kp: &KeyToPath, p: &Path, errs: &mut Errors) {
    if kp.key.is_empty() {
        errs.push(FieldError::required(p.child("key"), ""));
    }
    let path = p.child("path");
    if kp.path.is_empty() {
        errs.push(FieldError::required(path, ""));
    }
    local_non_reserved_path(&kp.path, &path, errs);
    file_mode(kp.mode, &p.child("mode"), errs);
}

/// `validatePathNoBacksteps`: no `..` element (one error however many).
pub fn no_backsteps(target: &str, p: &Path, errs: &mut Errors) {
    if target.split('/').any(|part| part == "..") {
        errs.push(FieldError::invalid(p, target, "must not contain '..'"));
    }
}

/// `validateLocalDescendingPath`: relative, and no `..` element.
pub fn local_descending_path(target: &str, p: &Path, errs: &mut Errors) {
    if target.starts_with('/') {
        errs.push(FieldError::invalid(p, target, "must be a relative path"));
    }
    no_backsteps(target, p, errs);
}

/// `ValidateLocalNonReservedPath`: a descending path that also does not
/// start with `..` (the atomic-writer's reserved names).
pub fn local_non_reserved_path(target: &str, p: &Path, errs: &mut Errors) {
    local_descending_path(target, p, errs);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(FieldError::invalid(p, target, "must not start with '..'"));
    }
}

/// `validateDownwardAPIVolumeFile`. `p` is the downwardAPI source itself:
/// Kubernetes reports item errors without the item's index.
fn downward_api_file(f: &DownwardApiVolumeFile, p: &Path, errs: &mut Errors) {
    let path = p.child("path");
    if f.path.is_empty() {
        errs.push(FieldError::required(path, ""));
    }
    local_non_reserved_path(&f.path, &path, errs);
    if let Some(fr) = &f.field_ref {
        validate_object_field_selector(
            fr,
            VOLUME_DOWNWARD_API_FIELD_PATHS,
            &p.child("fieldRef"),
            errs,
        );
        if f.resource_field_ref.is_some() {
            errs.push(FieldError::invalid(
                p,
                "resource",
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(rf) = &f.resource_field_ref {
        validate_resource_field_selector(rf, &p.child("resourceFieldRef"), true, errs);
    } else {
        errs.push(FieldError::required(
            p,
            "one of fieldRef and resourceFieldRef is required",
        ));
    }
    file_mode(f.mode, &p.child("mode"), errs);
}

/// `fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['key']` is
/// (`metadata.labels`, `key`).
fn split_subscript(field_path: &str) -> Option<(&str, &str)> {
    let inner = field_path.strip_suffix("']")?;
    let (path, sub) = inner.split_once("['")?;
    (!path.is_empty()).then_some((path, sub))
}

/// `ConvertDownwardAPIFieldLabel`: the internal field path, or the error text.
fn convert_downward_api_field(version: &str, label: &str) -> Result<String, String> {
    if version != "v1" {
        return Err(format!("unsupported pod version: {version}"));
    }
    if let Some((path, _)) = split_subscript(label) {
        return if path == "metadata.annotations" || path == "metadata.labels" {
            Ok(label.to_owned())
        } else {
            Err(format!("field label does not support subscript: {label}"))
        };
    }
    if DOWNWARD_API_CONVERTIBLE.contains(&label) {
        Ok(label.to_owned())
    } else if label == "spec.host" {
        // Old v1 clients still send the node name under its former name.
        Ok("spec.nodeName".to_owned())
    } else {
        Err(format!("field label not supported: {label}"))
    }
}

/// `validateObjectFieldSelector`, shared by downwardAPI volume files and
/// container env (`expressions` is the allow list of the use, sorted).
pub fn validate_object_field_selector(
    fs: &ObjectFieldSelector,
    expressions: &[&str],
    p: &Path,
    errs: &mut Errors,
) {
    if fs.api_version.is_empty() {
        errs.push(FieldError::required(p.child("apiVersion"), ""));
        return;
    }
    if fs.field_path.is_empty() {
        errs.push(FieldError::required(p.child("fieldPath"), ""));
        return;
    }
    if !fs.field_path.contains("['")
        && fs.api_version == "v1"
        && expressions.contains(&fs.field_path.as_str())
    {
        // The common valid case, settled without allocating.
        return;
    }
    let internal = match convert_downward_api_field(&fs.api_version, &fs.field_path) {
        Ok(path) => path,
        Err(e) => {
            errs.push(FieldError::invalid(
                p.child("fieldPath"),
                fs.field_path.as_str(),
                format!("error converting fieldPath: {e}"),
            ));
            return;
        }
    };
    if let Some((path, sub)) = split_subscript(&internal) {
        match path {
            "metadata.annotations" => {
                let key = go_to_lower(sub);
                for msg in is_qualified_name(&key) {
                    errs.push(FieldError::invalid(p, key.as_str(), msg));
                }
            }
            "metadata.labels" => {
                for msg in is_qualified_name(sub) {
                    errs.push(FieldError::invalid(p, sub, msg));
                }
            }
            _ => errs.push(FieldError::invalid(p, path, "does not support subscript")),
        }
    } else if !expressions.contains(&internal.as_str()) {
        errs.push(FieldError::not_supported(
            p.child("fieldPath"),
            internal.as_str(),
            expressions,
        ));
    }
}

/// `validateContainerResourceFieldSelector` with the resources the downward
/// API exposes (hugepages by prefix); `volume` requires the container name,
/// which env vars may leave to their own container.
pub fn validate_resource_field_selector(
    fs: &ResourceFieldSelector,
    p: &Path,
    volume: bool,
    errs: &mut Errors,
) {
    if volume && fs.container_name.is_empty() {
        errs.push(FieldError::required(p.child("containerName"), ""));
    } else if fs.resource.is_empty() {
        errs.push(FieldError::required(p.child("resource"), ""));
    } else if !CONTAINER_RESOURCE_FIELD_PATHS.contains(&fs.resource.as_str())
        && !is_hugepages_field(&fs.resource)
    {
        errs.push(FieldError::not_supported(
            p.child("resource"),
            fs.resource.as_str(),
            CONTAINER_RESOURCE_FIELD_PATHS,
        ));
    }
    if let Some(divisor) = &fs.divisor {
        resource_divisor(&fs.resource, divisor, p, errs);
    }
}

fn is_hugepages_field(resource: &str) -> bool {
    resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-")
}

/// `validateContainerResourceDivisor`: an unset (zero) divisor is fine;
/// otherwise its canonical form must be one of the unit divisors of the
/// resource.
fn resource_divisor(resource: &str, divisor: &Quantity, p: &Path, errs: &mut Errors) {
    const CPU: &[&str] = &["1m", "1"];
    const BYTES: &[&str] = &[
        "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
    ];
    const BYTES_LIST: &str = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei";
    if quantity_sign(divisor).is_none_or(|s| s == Ordering::Equal) {
        return;
    }
    let canonical = quantity_canonical(divisor).unwrap_or_default();
    let mut check = |allowed: &[&str], detail: String| {
        if !allowed.contains(&canonical.as_str()) {
            errs.push(FieldError::invalid(p.child("divisor"), resource, detail));
        }
    };
    match resource {
        "limits.cpu" | "requests.cpu" => check(
            CPU,
            "only divisor's values 1m and 1 are supported with the cpu resource".to_owned(),
        ),
        "limits.memory" | "requests.memory" => check(
            BYTES,
            format!("only divisor's values {BYTES_LIST} are supported with the memory resource"),
        ),
        "limits.ephemeral-storage" | "requests.ephemeral-storage" => check(
            BYTES,
            format!(
                "only divisor's values {BYTES_LIST} are supported with the local ephemeral storage resource"
            ),
        ),
        _ => {}
    }
    if is_hugepages_field(resource) {
        check(
            BYTES,
            format!("only divisor's values {BYTES_LIST} are supported with the hugepages resource"),
        );
    }
}

/// `validateProjectedVolumeSource` and `validateProjectionSources`.
fn projected(s: &ProjectedVolumeSource, p: &Path, opts: &Opts, errs: &mut Errors) {
    file_mode(s.default_mode, &p.child("defaultMode"), errs);
    // Paths are unique across all sources of the volume.
    let mut all_paths: HashSet<&str> = HashSet::new();
    let sources = p.child("sources");
    for (i, src) in s.sources.iter().enumerate() {
        let src_path = sources.index(i);
        let mut count = 0;
        for (field, keys) in [("secret", &src.secret), ("configMap", &src.config_map)] {
            let Some(keys) = keys else { continue };
            count += 1;
            let proj = src_path.child(field);
            if keys.name.is_empty() {
                errs.push(FieldError::required(proj.child("name"), ""));
            }
            let items = proj.child("items");
            for (j, kp) in keys.items.iter().enumerate() {
                key_to_path(kp, &items.index(j), errs);
                if !kp.path.is_empty() && !all_paths.insert(kp.path.as_str()) {
                    errs.push(FieldError::invalid(
                        p,
                        keys.name.as_str(),
                        "conflicting duplicate paths",
                    ));
                }
            }
        }
        if let Some(d) = &src.downward_api {
            count += 1;
            let proj = src_path.child("downwardAPI");
            for f in &d.items {
                downward_api_file(f, &proj, errs);
                if !f.path.is_empty() && !all_paths.insert(f.path.as_str()) {
                    errs.push(FieldError::invalid(
                        p,
                        f.path.as_str(),
                        "conflicting duplicate paths",
                    ));
                }
            }
        }
        if let Some(t) = &src.service_account_token {
            count += 1;
            let proj = src_path.child("serviceAccountToken");
            let expiration = t.expiration_seconds.unwrap_or(0);
            if expiration < 10 * 60 {
                errs.push(FieldError::invalid(
                    proj.child("expirationSeconds"),
                    expiration,
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if expiration > 1 << 32 {
                errs.push(FieldError::invalid(
                    proj.child("expirationSeconds"),
                    expiration,
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            // Kubernetes reports the token path on the projected volume,
            // not on the token source.
            if t.path.is_empty() {
                errs.push(FieldError::required(p.child("path"), ""));
            } else if !opts.allow_non_local_projected_token_path {
                local_non_reserved_path(&t.path, &p.child("path"), errs);
            }
        }
        if let Some(b) = &src.cluster_trust_bundle {
            count += 1;
            cluster_trust_bundle(b, &src_path.child("clusterTrustBundle"), errs);
            // Unlike key paths, an empty bundle path takes part too.
            if !all_paths.insert(b.path.as_str()) {
                errs.push(FieldError::invalid(
                    p,
                    b.path.as_str(),
                    "conflicting duplicate paths",
                ));
            }
        }
        if count > 1 {
            errs.push(FieldError::forbidden(
                src_path,
                "may not specify more than 1 volume type per source",
            ));
        }
    }
}

fn cluster_trust_bundle(b: &ClusterTrustBundleProjection, p: &Path, errs: &mut Errors) {
    match (&b.name, &b.signer_name) {
        (Some(_), Some(_)) => errs.push(FieldError::invalid(
            p,
            serde_json::to_value(b).unwrap_or(Value::Null),
            "only one of name and signerName may be used",
        )),
        (Some(name), None) => {
            let name_path = p.child("name");
            if name.is_empty() {
                errs.push(FieldError::required(
                    name_path,
                    "must be a valid object name",
                ));
            }
            // A name with a ':' belongs to the signer spelled before its
            // last ':' (with ':' standing for '/').
            let signer = name.rfind(':').map(|i| name[..i].replace(':', "/"));
            for msg in cluster_trust_bundle_name_problems(signer.as_deref(), name) {
                errs.push(FieldError::invalid(
                    name_path,
                    name.as_str(),
                    format!("not a valid clustertrustbundlename: {msg}"),
                ));
            }
            if let Some(sel) = &b.label_selector {
                errs.push(FieldError::invalid(
                    p.child("labelSelector"),
                    serde_json::to_value(sel).unwrap_or(Value::Null),
                    "labelSelector must be unset if name is specified",
                ));
            }
        }
        (None, Some(signer)) => {
            let signer_path = p.child("signerName");
            if signer.is_empty() {
                errs.push(FieldError::required(
                    signer_path,
                    "must be a valid signer name",
                ));
            }
            signer_name(signer, &signer_path, errs);
            if let Some(sel) = &b.label_selector {
                validate_label_selector(sel, false, &p.child("labelSelector"), errs);
            }
        }
        (None, None) => errs.push(FieldError::required(
            p,
            "either name or signerName must be specified",
        )),
    }
    let path = p.child("path");
    if b.path.is_empty() {
        errs.push(FieldError::required(path, ""));
    }
    local_non_reserved_path(&b.path, &path, errs);
}

/// `ValidateClusterTrustBundleName`.
fn cluster_trust_bundle_name_problems(signer: Option<&str>, name: &str) -> Vec<String> {
    match signer.filter(|s| !s.is_empty()) {
        None => {
            if name.contains(':') {
                vec![
                    "ClusterTrustBundle without signer name must not have \":\" in its name"
                        .to_owned(),
                ]
            } else {
                name_is_dns_subdomain(name, false)
            }
        }
        Some(signer) => {
            let prefix = format!("{}:", signer.replace('/', ":"));
            match name.strip_prefix(prefix.as_str()) {
                Some(rest) => name_is_dns_subdomain(rest, false),
                None => vec![format!(
                    "ClusterTrustBundle for signerName {signer} must be named with prefix {prefix}"
                )],
            }
        }
    }
}

/// `ValidateSignerName`: `example.com/signer-name`.
fn signer_name(signer: &str, p: &Path, errs: &mut Errors) {
    if signer.is_empty() {
        errs.push(FieldError::required(p, ""));
        return;
    }
    let segments: Vec<&str> = signer.split('/').collect();
    let [domain, path] = segments[..] else {
        errs.push(FieldError::invalid(
            p,
            signer,
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ));
        return;
    };
    if domain.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(FieldError::too_long(p, DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    // Only the first bad label is reported: the rest would repeat it.
    for label in domain.split('.') {
        let problems = is_dns1123_label(label);
        if !problems.is_empty() {
            for msg in problems {
                errs.push(FieldError::invalid(
                    p,
                    domain,
                    format!("validating label {}: {msg}", go_quote(label)),
                ));
            }
            break;
        }
    }
    if !domain.contains('.') {
        errs.push(FieldError::invalid(
            p,
            domain,
            "should be a domain with at least two segments separated by dots",
        ));
    }
    for label in path.split('.') {
        let problems = is_dns1123_subdomain(label);
        if !problems.is_empty() {
            for msg in problems {
                errs.push(FieldError::invalid(
                    p,
                    path,
                    format!("validating label {}: {msg}", go_quote(label)),
                ));
            }
            break;
        }
    }
    let max = DNS1123_SUBDOMAIN_MAX_LENGTH * 2 + DNS1123_LABEL_MAX_LENGTH + 2;
    if signer.len() > max {
        errs.push(FieldError::too_long(p, max));
    }
}

/// `validateEphemeralVolumeSource`: a claim template whose metadata may carry
/// only labels and annotations, and a claim spec as a PVC's.
fn ephemeral(s: &EphemeralVolumeSource, p: &Path, errs: &mut Errors) {
    let template_path = p.child("volumeClaimTemplate");
    let Some(t) = &s.volume_claim_template else {
        errs.push(FieldError::required(template_path, ""));
        return;
    };
    template_metadata(&t.metadata, &template_path.child("metadata"), errs);
    claim_spec(&t.spec, &template_path.child("spec"), errs);
}

/// `ValidateTemplateObjectMeta`.
fn template_metadata(m: &ObjectMeta, p: &Path, errs: &mut Errors) {
    validate_annotations(&m.annotations, &p.child("annotations"), errs);
    validate_labels(&m.labels, &p.child("labels"), errs);
    // Every other ObjectMeta field must be left unset; Kubernetes names each
    // after its Go field with the first letter lowered (hence `uID`).
    let set = [
        ("name", !m.name.is_empty()),
        ("generateName", !m.generate_name.is_empty()),
        ("namespace", !m.namespace.is_empty()),
        ("selfLink", !m.self_link.is_empty()),
        ("uID", !m.uid.is_empty()),
        ("resourceVersion", !m.resource_version.is_empty()),
        ("generation", m.generation != 0),
        ("creationTimestamp", m.creation_timestamp.is_some()),
        ("deletionTimestamp", m.deletion_timestamp.is_some()),
        (
            "deletionGracePeriodSeconds",
            m.deletion_grace_period_seconds.is_some(),
        ),
        ("ownerReferences", !m.owner_references.is_empty()),
        ("finalizers", !m.finalizers.is_empty()),
        ("managedFields", !m.managed_fields.is_empty()),
    ];
    for (field, _) in set.iter().filter(|(_, is_set)| *is_set) {
        errs.push(FieldError::forbidden(p.child(field), "cannot be set"));
    }
}

/// `ValidatePersistentVolumeClaimSpec` with the options a pod's claim
/// template gets in v1.33: label values checked, API groups checked, and
/// volumeAttributesClassName not validated (its gate is off by default).
pub fn claim_spec(s: &PersistentVolumeClaimSpec, p: &Path, errs: &mut Errors) {
    let modes = p.child("accessModes");
    if s.access_modes.is_empty() {
        errs.push(FieldError::required(
            modes,
            "at least 1 access mode is required",
        ));
    }
    if let Some(sel) = &s.selector {
        validate_label_selector(sel, false, &p.child("selector"), errs);
    }
    let (mut once_pod, mut other) = (false, false);
    for mode in &s.access_modes {
        if !ACCESS_MODES.contains(&mode.as_str()) {
            errs.push(FieldError::not_supported(
                modes,
                mode.as_str(),
                ACCESS_MODES,
            ));
        } else if mode == "ReadWriteOncePod" {
            once_pod = true;
        } else {
            other = true;
        }
    }
    if once_pod && other {
        errs.push(FieldError::forbidden(
            modes,
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
    let resources = p.child("resources");
    let storage_path = resources.key("storage");
    match s.resources.requests.get("storage") {
        None => errs.push(FieldError::required(storage_path, "")),
        Some(q) => {
            if quantity_sign(q).is_some_and(|s| s != Ordering::Greater) {
                errs.push(FieldError::invalid(
                    storage_path,
                    q.canonical(),
                    "must be greater than zero",
                ));
            }
        }
    }
    if let Some(class) = s.storage_class_name.as_deref().filter(|c| !c.is_empty()) {
        for msg in name_is_dns_subdomain(class, false) {
            errs.push(FieldError::invalid(p.child("storageClassName"), class, msg));
        }
    }
    if let Some(mode) = &s.volume_mode {
        if !VOLUME_MODES.contains(&mode.as_str()) {
            errs.push(FieldError::not_supported(
                p.child("volumeMode"),
                mode.as_str(),
                VOLUME_MODES,
            ));
        }
    }
    let data_source = p.child("dataSource");
    if let Some(ds) = &s.data_source {
        data_source_ref(
            &ds.name,
            &ds.kind,
            ds.api_group.as_deref(),
            &data_source,
            errs,
        );
    }
    if let Some(dr) = &s.data_source_ref {
        let drp = p.child("dataSourceRef");
        data_source_ref(&dr.name, &dr.kind, dr.api_group.as_deref(), &drp, errs);
        if let Some(ns) = dr.namespace.as_deref().filter(|n| !n.is_empty()) {
            for msg in is_dns1123_label(ns) {
                errs.push(FieldError::invalid(drp.child("namespace"), ns, msg));
            }
        }
    }
    let cross_namespace = s
        .data_source_ref
        .as_ref()
        .and_then(|r| r.namespace.as_deref())
        .is_some_and(|n| !n.is_empty());
    match (&s.data_source, &s.data_source_ref) {
        (Some(_), Some(_)) if cross_namespace => errs.push(FieldError::invalid(
            p,
            data_source.to_string(),
            "may not be specified when dataSourceRef.namespace is specified",
        )),
        (Some(ds), Some(dr))
            if ds.api_group != dr.api_group || ds.kind != dr.kind || ds.name != dr.name =>
        {
            errs.push(FieldError::invalid(
                p,
                data_source.to_string(),
                "must match dataSourceRef",
            ));
        }
        _ => {}
    }
}

/// `validateDataSource` / the shared part of `validateDataSourceRef`.
fn data_source_ref(name: &str, kind: &str, api_group: Option<&str>, p: &Path, errs: &mut Errors) {
    if name.is_empty() {
        errs.push(FieldError::required(p.child("name"), ""));
    }
    if kind.is_empty() {
        errs.push(FieldError::required(p.child("kind"), ""));
    }
    let group = api_group.unwrap_or("");
    if group.is_empty() && kind != "PersistentVolumeClaim" {
        errs.push(FieldError::invalid(
            p,
            kind,
            "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
        ));
    }
    if !group.is_empty() {
        for msg in is_dns1123_subdomain(group) {
            errs.push(FieldError::invalid(p.child("apiGroup"), group, msg));
        }
    }
}

/// The sign of a quantity (`Cmp` against zero); `None` if it does not parse,
/// which decoding already reports.
fn quantity_sign(q: &Quantity) -> Option<Ordering> {
    q.parsed().ok().map(|v| v.sign().cmp(&0))
}

/// A quantity's canonical form (`Quantity.String()`).
fn quantity_canonical(q: &Quantity) -> Option<String> {
    q.parsed()
        .ok()
        .map(crate::model::quantity::ParsedQuantity::canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorType;
    use crate::model::Pod;

    fn check(volumes: Value) -> Vec<(String, &'static str)> {
        check_named("", volumes)
    }

    fn check_named(pod_name: &str, volumes: Value) -> Vec<(String, &'static str)> {
        let mut doc = serde_json::json!({"metadata": {"name": pod_name}, "spec": {}});
        doc["spec"]["volumes"] = volumes;
        let pod: Pod = serde_json::from_value(doc).expect("test pod decodes");
        let mut pod = pod;
        crate::defaults::pod(&mut pod);
        let mut errs = Errors::new();
        let spec = Path::new("spec");
        validate_pod_volumes(
            &pod.spec,
            Some(&pod.metadata),
            &spec.child("volumes"),
            &Opts::default(),
            &mut errs,
        );
        let mut out: Vec<_> = errs.into_iter().map(|e| (e.field, e.kind.name())).collect();
        out.sort_unstable();
        out
    }

    fn one(field: &str, kind: ErrorType) -> Vec<(String, &'static str)> {
        vec![(field.to_owned(), kind.name())]
    }

    #[test]
    fn valid_sources_produce_no_errors() {
        let vols = serde_json::json!([
            {"name": "a", "emptyDir": {}},
            {"name": "b", "hostPath": {"path": "/x", "type": "Socket"}},
            {"name": "c", "secret": {"secretName": "s", "items": [{"key": "k", "path": "d/f"}]}},
            {"name": "d", "configMap": {"name": "c"}},
            {"name": "e", "nfs": {"server": "h", "path": "/p"}},
            {"name": "f", "iscsi": {"targetPortal": "1.2.3.4", "iqn": "iqn.2015-02.example.com:test", "lun": 1}},
            {"name": "g", "csi": {"driver": "csi.example.com"}},
            {"name": "h", "persistentVolumeClaim": {"claimName": "c"}},
        ]);
        assert_eq!(check(vols), vec![]);
    }

    #[test]
    fn second_source_is_forbidden_under_its_own_spelling() {
        let vols = serde_json::json!([
            {"name": "a", "emptyDir": {}, "downwardAPI": {}, "cephfs": {"monitors": ["m"]}},
        ]);
        let want = vec![
            (
                "spec.volumes[0].cephFS".to_owned(),
                ErrorType::Forbidden.name(),
            ),
            (
                "spec.volumes[0].downwarAPI".to_owned(),
                ErrorType::Forbidden.name(),
            ),
        ];
        assert_eq!(check(vols), want);
    }

    #[test]
    fn duplicate_names_are_reported_once_the_first_is_valid() {
        let vols = serde_json::json!([
            {"name": "a", "emptyDir": {}},
            {"name": "a", "emptyDir": {}},
        ]);
        assert_eq!(
            check(vols),
            one("spec.volumes[1].name", ErrorType::Duplicate)
        );
    }

    #[test]
    fn invalid_volume_is_not_offered_to_mounts() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"volumes": [{"name": "a", "nfs": {"server": "h"}}, {"name": "b", "emptyDir": {}}]},
        }))
        .expect("test pod decodes");
        let mut errs = Errors::new();
        let vols = validate_volumes(&pod.spec, &Path::new("v"), &Opts::default(), &mut errs);
        assert!(!vols.contains("a"));
        assert!(vols.contains("b"));
    }

    #[test]
    fn gce_disk_errors_use_the_persistent_disk_path() {
        let vols = serde_json::json!([{"name": "a", "gcePersistentDisk": {"partition": 300}}]);
        assert_eq!(
            check(vols),
            vec![
                (
                    "spec.volumes[0].persistentDisk.partition".to_owned(),
                    ErrorType::Invalid.name()
                ),
                (
                    "spec.volumes[0].persistentDisk.pdName".to_owned(),
                    ErrorType::Required.name()
                ),
            ]
        );
    }

    #[test]
    fn iqn_patterns_follow_the_apiserver() {
        assert!(matches_iqn("iqn.2015-02.example.com:test"));
        assert!(!matches_iqn("iqn.2015-02.example.com:test;ls;"));
        assert!(!matches_iqn("iqn.2015-02.example.com"));
        assert!(matches_iqn("iqnX-iqn.2015-02.example.com:a"));
        assert!(matches_eui_naa("eui.0123456789ABCDEF", "eui", 16));
        assert!(!matches_eui_naa("eui.0123456789ABCDEFGHIJ", "eui", 16));
        assert!(matches_eui_naa(
            "naa.62004567BA64678D0123456789ABCDEF",
            "naa",
            32
        ));
        assert!(!matches_eui_naa(
            "naa.62004567BA_4-78D.123456789ABCDEF",
            "naa",
            32
        ));
    }

    #[test]
    fn host_port_follows_go_split_host_port() {
        assert!(is_host_port("registry:7861"));
        assert!(is_host_port("[::1]:80"));
        assert!(is_host_port("host:"));
        assert!(!is_host_port("registry7861"));
        assert!(!is_host_port("a:b:c"));
        assert!(!is_host_port("[::1]80"));
        assert!(!is_host_port(""));
    }

    #[test]
    fn paths_reject_absolute_backsteps_and_reserved_names() {
        let mut errs = Errors::new();
        let p = Path::new("p");
        local_non_reserved_path("..data", &p, &mut errs);
        local_non_reserved_path("../x", &p, &mut errs);
        local_non_reserved_path("/abs", &p, &mut errs);
        local_non_reserved_path("a/..b/c", &p, &mut errs);
        let details: Vec<&str> = errs.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(
            details,
            vec![
                "must not start with '..'",
                "must not contain '..'",
                "must be a relative path"
            ]
        );
    }

    #[test]
    fn downward_api_items_report_on_the_source_path() {
        let vols = serde_json::json!([{"name": "a", "downwardAPI": {"items": [
            {"path": "x", "fieldRef": {"fieldPath": "spec.nodeName"}},
            {"path": "y", "fieldRef": {"fieldPath": "status.bogus"}},
            {"path": "z"},
        ]}}]);
        assert_eq!(
            check(vols),
            vec![
                (
                    "spec.volumes[0].downwardAPI".to_owned(),
                    ErrorType::Required.name()
                ),
                (
                    "spec.volumes[0].downwardAPI.fieldRef.fieldPath".to_owned(),
                    ErrorType::Invalid.name()
                ),
                (
                    "spec.volumes[0].downwardAPI.fieldRef.fieldPath".to_owned(),
                    ErrorType::NotSupported.name()
                ),
            ]
        );
    }

    #[test]
    fn projected_paths_must_be_unique_across_sources() {
        let vols = serde_json::json!([{"name": "a", "projected": {"sources": [
            {"secret": {"name": "s", "items": [{"key": "k", "path": "p"}]}},
            {"configMap": {"name": "c", "items": [{"key": "k", "path": "p"}]}},
        ]}}]);
        assert_eq!(
            check(vols),
            one("spec.volumes[0].projected", ErrorType::Invalid)
        );
    }

    #[test]
    fn token_expiration_bounds_and_path_location() {
        let vols = serde_json::json!([{"name": "a", "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 599}},
        ]}}]);
        assert_eq!(
            check(vols),
            vec![
                (
                    "spec.volumes[0].projected.path".to_owned(),
                    ErrorType::Required.name()
                ),
                (
                    "spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds"
                        .to_owned(),
                    ErrorType::Invalid.name()
                ),
            ]
        );
    }

    #[test]
    fn ephemeral_claim_name_and_references() {
        let vols = serde_json::json!([
            {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}},
            {"name": "b", "persistentVolumeClaim": {"claimName": "pod-scratch"}},
        ]);
        assert_eq!(
            check_named("pod", vols),
            one(
                "spec.volumes[1].persistentVolumeClaim.claimName",
                ErrorType::Invalid
            )
        );
        let vols = serde_json::json!([{"name": "scratch", "ephemeral": {}}]);
        assert_eq!(
            check_named("pod.", vols),
            vec![
                (
                    "spec.volumes[0].ephemeral.volumeClaimTemplate".to_owned(),
                    ErrorType::Required.name()
                ),
                ("spec.volumes[0].name".to_owned(), ErrorType::Invalid.name()),
            ]
        );
    }

    #[test]
    fn claim_template_metadata_allows_only_labels_and_annotations() {
        let vols = serde_json::json!([{"name": "a", "ephemeral": {"volumeClaimTemplate": {
            "metadata": {"name": "x", "uid": "u", "labels": {"ok": "yes"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }}}]);
        assert_eq!(
            check(vols),
            vec![
                (
                    "spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name".to_owned(),
                    ErrorType::Forbidden.name()
                ),
                (
                    "spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.uID".to_owned(),
                    ErrorType::Forbidden.name()
                ),
            ]
        );
    }

    #[test]
    fn signer_names_need_a_domain_and_a_path() {
        let mut errs = Errors::new();
        let p = Path::new("s");
        signer_name("example.com/signer", &p, &mut errs);
        assert!(errs.is_empty());
        signer_name("nodomain/signer", &p, &mut errs);
        signer_name("a/b/c", &p, &mut errs);
        let details: Vec<&str> = errs.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(
            details,
            vec![
                "should be a domain with at least two segments separated by dots",
                "must be a fully qualified domain and path of the form 'example.com/signer-name'",
            ]
        );
    }

    #[test]
    fn generated_claim_names_compare_without_allocating() {
        assert!(is_generated_claim("pod-vol", "pod", "vol"));
        assert!(!is_generated_claim("pod_vol", "pod", "vol"));
        assert!(!is_generated_claim("pod-vol2", "pod", "vol"));
    }

    #[test]
    fn subscripted_field_paths_split_on_the_last_bracket_pair() {
        assert_eq!(
            split_subscript("metadata.labels['a']"),
            Some(("metadata.labels", "a"))
        );
        assert_eq!(split_subscript("['a']"), None);
        assert_eq!(split_subscript("metadata.labels"), None);
    }
}
