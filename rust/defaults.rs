//! The API defaults the apiserver fills in when it decodes a v1 Pod
//! (pkg/apis/core/v1 defaulting), before anything validates it.

use crate::model::{
    Container, HttpGetAction, LifecycleHandler, Pod, PodSecurityContext, PodSpec, Probe, Volume,
};

/// The default file mode of projected and key-to-path volumes: 0644.
pub const DEFAULT_MODE: i32 = 0o644;

/// Fills in every default of a Pod, as the apiserver does on decode: the pod
/// spec's, and those `SetDefaults_Pod` keeps for pods alone (not for pod
/// templates): requests from limits, enableServiceLinks, and hostPorts for
/// host-network pods.
pub fn pod(pod: &mut Pod) {
    let spec = &mut pod.spec;
    pod_spec(spec);
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    let host_network = spec.host_network;
    for c in spec
        .init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut())
    {
        // Requests default to the limits for every resource given only a limit.
        let res = &mut c.resources;
        for (k, v) in &res.limits {
            if !res.requests.contains_key(k) {
                res.requests.insert(k.clone(), v.clone());
            }
        }
        if host_network {
            for p in &mut c.ports {
                if p.host_port == 0 {
                    p.host_port = p.container_port;
                }
            }
        }
    }
}

/// Fills in the defaults of a pod spec (`SetDefaults_PodSpec` and the
/// nested types'), as for pod templates.
pub fn pod_spec(spec: &mut PodSpec) {
    if spec.dns_policy.is_empty() {
        "ClusterFirst".clone_into(&mut spec.dns_policy);
    }
    if spec.restart_policy.is_empty() {
        "Always".clone_into(&mut spec.restart_policy);
    }
    if spec.security_context.is_none() {
        spec.security_context = Some(PodSecurityContext::default());
    }
    if spec.termination_grace_period_seconds.is_none() {
        spec.termination_grace_period_seconds = Some(30);
    }
    if spec.scheduler_name.is_empty() {
        "default-scheduler".clone_into(&mut spec.scheduler_name);
    }
    for c in spec
        .init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut())
    {
        container(c);
    }
    for c in &mut spec.ephemeral_containers {
        container(c);
    }
    for v in &mut spec.volumes {
        volume(v);
    }
}

/// Whether the image reference names the `latest` tag, explicitly or by
/// having neither tag nor digest.
pub fn image_is_latest(image: &str) -> bool {
    if image.contains('@') {
        // A digest pins the image; only an explicit tag before it counts.
        let name = &image[..image.find('@').unwrap_or(image.len())];
        return tag_of(name) == Some("latest");
    }
    match tag_of(image) {
        None => true,
        Some(tag) => tag == "latest",
    }
}

/// The tag of a reference: after the last ':' that follows the last '/'.
fn tag_of(name: &str) -> Option<&str> {
    let last = name.rsplit('/').next().unwrap_or(name);
    last.rfind(':').map(|i| &last[i + 1..])
}

fn container(c: &mut Container) {
    if c.image_pull_policy.is_empty() {
        let policy = if image_is_latest(&c.image) {
            "Always"
        } else {
            "IfNotPresent"
        };
        policy.clone_into(&mut c.image_pull_policy);
    }
    if c.termination_message_path.is_empty() {
        "/dev/termination-log".clone_into(&mut c.termination_message_path);
    }
    if c.termination_message_policy.is_empty() {
        "File".clone_into(&mut c.termination_message_policy);
    }
    for p in &mut c.ports {
        if p.protocol.is_empty() {
            "TCP".clone_into(&mut p.protocol);
        }
    }
    for probe in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        probe_defaults(probe);
    }
    if let Some(lc) = &mut c.lifecycle {
        for h in [&mut lc.post_start, &mut lc.pre_stop].into_iter().flatten() {
            handler(h);
        }
    }
    for e in &mut c.env {
        if let Some(f) = e.value_from.as_mut().and_then(|s| s.field_ref.as_mut()) {
            if f.api_version.is_empty() {
                "v1".clone_into(&mut f.api_version);
            }
        }
    }
}

fn probe_defaults(p: &mut Probe) {
    if p.timeout_seconds == 0 {
        p.timeout_seconds = 1;
    }
    if p.period_seconds == 0 {
        p.period_seconds = 10;
    }
    if p.success_threshold == 0 {
        p.success_threshold = 1;
    }
    if p.failure_threshold == 0 {
        p.failure_threshold = 3;
    }
    if let Some(h) = &mut p.http_get {
        http_get(h);
    }
    if let Some(g) = &mut p.grpc {
        if g.service.is_none() {
            g.service = Some(String::new());
        }
    }
}

fn handler(h: &mut LifecycleHandler) {
    if let Some(g) = &mut h.http_get {
        http_get(g);
    }
}

fn http_get(h: &mut HttpGetAction) {
    if h.path.is_empty() {
        "/".clone_into(&mut h.path);
    }
    if h.scheme.is_empty() {
        "HTTP".clone_into(&mut h.scheme);
    }
}

fn volume(v: &mut Volume) {
    // SetDefaults_Volume: a volume that names no source is an emptyDir.
    if volume_source_count(v) == 0 {
        v.empty_dir = Some(Box::default());
    }
    if let Some(h) = &mut v.host_path {
        h.type_.get_or_insert_with(String::new);
    }
    if let Some(s) = &mut v.secret {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = &mut v.config_map {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = &mut v.downward_api {
        s.default_mode.get_or_insert(DEFAULT_MODE);
        downward_api_files(&mut s.items);
    }
    if let Some(p) = &mut v.projected {
        p.default_mode.get_or_insert(DEFAULT_MODE);
        for src in &mut p.sources {
            if let Some(t) = &mut src.service_account_token {
                t.expiration_seconds.get_or_insert(3600);
            }
            if let Some(d) = &mut src.downward_api {
                downward_api_files(&mut d.items);
            }
        }
    }
    if let Some(s) = &mut v.iscsi {
        default_string(&mut s.iscsi_interface, "default");
    }
    if let Some(s) = &mut v.rbd {
        default_string(&mut s.pool, "rbd");
        default_string(&mut s.user, "admin");
        default_string(&mut s.keyring, "/etc/ceph/keyring");
    }
    if let Some(s) = &mut v.azure_disk {
        // Pointer fields: only an absent value is defaulted, an explicit ""
        // stays (and fails validation where it must).
        s.caching_mode.get_or_insert_with(|| "ReadWrite".to_owned());
        s.kind.get_or_insert_with(|| "Shared".to_owned());
        s.fs_type.get_or_insert_with(|| "ext4".to_owned());
        s.read_only.get_or_insert(false);
    }
    if let Some(s) = &mut v.scale_io {
        default_string(&mut s.storage_mode, "ThinProvisioned");
        default_string(&mut s.fs_type, "xfs");
    }
    if let Some(t) = v
        .ephemeral
        .as_mut()
        .and_then(|e| e.volume_claim_template.as_mut())
    {
        t.spec
            .volume_mode
            .get_or_insert_with(|| "Filesystem".to_owned());
    }
    if let Some(i) = &mut v.image {
        if i.pull_policy.is_empty() {
            let policy = if image_is_latest(&i.reference) {
                "Always"
            } else {
                "IfNotPresent"
            };
            policy.clone_into(&mut i.pull_policy);
        }
    }
}

fn downward_api_files(items: &mut [crate::model::DownwardApiVolumeFile]) {
    for f in items.iter_mut().filter_map(|i| i.field_ref.as_mut()) {
        if f.api_version.is_empty() {
            "v1".clone_into(&mut f.api_version);
        }
    }
}

fn default_string(s: &mut String, value: &str) {
    if s.is_empty() {
        value.clone_into(s);
    }
}

/// How many volume sources a volume sets.
pub fn volume_source_count(v: &Volume) -> usize {
    [
        v.host_path.is_some(),
        v.empty_dir.is_some(),
        v.gce_persistent_disk.is_some(),
        v.aws_elastic_block_store.is_some(),
        v.git_repo.is_some(),
        v.secret.is_some(),
        v.nfs.is_some(),
        v.iscsi.is_some(),
        v.glusterfs.is_some(),
        v.persistent_volume_claim.is_some(),
        v.rbd.is_some(),
        v.flex_volume.is_some(),
        v.cinder.is_some(),
        v.cephfs.is_some(),
        v.flocker.is_some(),
        v.downward_api.is_some(),
        v.fc.is_some(),
        v.azure_file.is_some(),
        v.config_map.is_some(),
        v.vsphere_volume.is_some(),
        v.quobyte.is_some(),
        v.azure_disk.is_some(),
        v.photon_persistent_disk.is_some(),
        v.projected.is_some(),
        v.portworx_volume.is_some(),
        v.scale_io.is_some(),
        v.storageos.is_some(),
        v.csi.is_some(),
        v.ephemeral.is_some(),
        v.image.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count()
}

/// The apiserver's PrepareForCreate / PrepareForUpdate step for volume fields
/// behind feature gates that v1.33 leaves off by default (`dropImageVolumes`,
/// `dropDisabledClusterTrustBundleProjection` in pkg/api/pod): it runs after
/// decoding and defaulting and before validation, and is not part of
/// `apply_defaults`. A field the stored pod (`old`) already uses is kept, so
/// such pods stay updatable.
///
/// - ImageVolume (beta, off): image volumes are removed together with every
///   container's mounts of them.
/// - ClusterTrustBundleProjection (beta, off): `clusterTrustBundle`
///   projections are cleared, leaving their projection entries empty.
pub fn drop_disabled_volume_fields(spec: &mut PodSpec, old: Option<&PodSpec>) {
    let uses_image = |s: &PodSpec| s.volumes.iter().any(|v| v.image.is_some());
    if spec.volumes.iter().any(|v| v.image.is_some()) && !old.is_some_and(uses_image) {
        let dropped: Vec<String> = spec
            .volumes
            .iter()
            .filter(|v| v.image.is_some())
            .map(|v| v.name.clone())
            .collect();
        spec.volumes.retain(|v| v.image.is_none());
        for c in spec
            .init_containers
            .iter_mut()
            .chain(spec.containers.iter_mut())
            .chain(spec.ephemeral_containers.iter_mut())
        {
            c.volume_mounts.retain(|m| !dropped.contains(&m.name));
        }
    }
    let uses_bundle = |s: &PodSpec| {
        s.volumes
            .iter()
            .filter_map(|v| v.projected.as_ref())
            .any(|p| p.sources.iter().any(|s| s.cluster_trust_bundle.is_some()))
    };
    if !old.is_some_and(uses_bundle) {
        for p in spec.volumes.iter_mut().filter_map(|v| v.projected.as_mut()) {
            for s in &mut p.sources {
                s.cluster_trust_bundle = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_and_latest_images_pull_always() {
        assert!(image_is_latest("nginx"));
        assert!(image_is_latest("nginx:latest"));
        assert!(image_is_latest("registry:5000/team/app"));
        assert!(!image_is_latest("registry:5000/team/app:1.2"));
        assert!(!image_is_latest("nginx@sha256:abcd"));
        assert!(!image_is_latest("nginx:1.25"));
    }

    #[test]
    fn empty_pod_gets_spec_defaults() {
        let mut p = Pod::default();
        p.spec.containers.push(Container {
            name: "c".into(),
            image: "nginx".into(),
            ..Default::default()
        });
        pod(&mut p);
        assert_eq!(p.spec.restart_policy, "Always");
        assert_eq!(p.spec.dns_policy, "ClusterFirst");
        assert_eq!(p.spec.termination_grace_period_seconds, Some(30));
        assert_eq!(p.spec.containers[0].image_pull_policy, "Always");
        assert_eq!(
            p.spec.containers[0].termination_message_path,
            "/dev/termination-log"
        );
    }

    #[test]
    fn volume_without_source_becomes_empty_dir() {
        let mut p = Pod::default();
        p.spec.volumes.push(Volume {
            name: "v".into(),
            ..Default::default()
        });
        pod(&mut p);
        assert!(p.spec.volumes[0].empty_dir.is_some());
    }
}
