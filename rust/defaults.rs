//! The API defaults the apiserver fills in when it decodes a v1 Pod
//! (pkg/apis/core/v1 defaulting), before anything validates it.

use crate::model::{
    Container, HttpGetAction, LifecycleHandler, Pod, PodSecurityContext, PodSpec, Probe, Volume,
};
use serde_json::Value;

/// The default file mode of projected and key-to-path volumes: 0644.
pub const DEFAULT_MODE: i32 = 0o644;

/// Fills in every default of a Pod, as the apiserver does on decode.
pub fn pod(pod: &mut Pod) {
    pod_spec(&mut pod.spec);
}

/// Fills in every default of a pod spec (also used for pod templates).
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
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    let host_network = spec.host_network;
    for c in spec
        .init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut())
    {
        container(c);
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
    let sources = volume_source_count(v);
    if sources == 0 {
        v.empty_dir = Some(crate::model::EmptyDirVolumeSource::default());
    }
    if let Some(h) = &mut v.host_path {
        if h.type_.is_none() {
            h.type_ = Some(String::new());
        }
    }
    if let Some(s) = &mut v.secret {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = &mut v.config_map {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(s) = &mut v.downward_api {
        s.default_mode.get_or_insert(DEFAULT_MODE);
        for item in &mut s.items {
            if let Some(f) = &mut item.field_ref {
                if f.api_version.is_empty() {
                    "v1".clone_into(&mut f.api_version);
                }
            }
        }
    }
    if let Some(p) = &mut v.projected {
        p.default_mode.get_or_insert(DEFAULT_MODE);
        for src in &mut p.sources {
            if let Some(t) = &mut src.service_account_token {
                t.expiration_seconds.get_or_insert(3600);
            }
            if let Some(d) = &mut src.downward_api {
                for item in &mut d.items {
                    if let Some(f) = &mut item.field_ref {
                        if f.api_version.is_empty() {
                            "v1".clone_into(&mut f.api_version);
                        }
                    }
                }
            }
        }
    }
    if let Some(Value::Object(m)) = &mut v.iscsi {
        default_str(m, "iscsiInterface", "default");
    }
    if let Some(Value::Object(m)) = &mut v.rbd {
        default_str(m, "pool", "rbd");
        default_str(m, "user", "admin");
        default_str(m, "keyring", "/etc/ceph/keyring");
    }
    if let Some(Value::Object(m)) = &mut v.azure_disk {
        default_str(m, "cachingMode", "ReadWrite");
        default_str(m, "kind", "Shared");
        default_str(m, "fsType", "ext4");
        m.entry("readOnly").or_insert(Value::Bool(false));
    }
    if let Some(Value::Object(m)) = &mut v.scale_io {
        default_str(m, "storageMode", "ThinProvisioned");
        default_str(m, "fsType", "xfs");
    }
    if let Some(t) = v
        .ephemeral
        .as_mut()
        .and_then(|e| e.volume_claim_template.as_mut())
    {
        if let Value::Object(spec) = &mut t.spec {
            default_str(spec, "volumeMode", "Filesystem");
        }
    }
}

fn default_str(m: &mut serde_json::Map<String, Value>, key: &str, value: &str) {
    let empty = match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    };
    if empty {
        m.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}

/// How many volume sources a volume sets.
pub fn volume_source_count(v: &Volume) -> usize {
    let typed = [
        v.host_path.is_some(),
        v.empty_dir.is_some(),
        v.secret.is_some(),
        v.nfs.is_some(),
        v.persistent_volume_claim.is_some(),
        v.downward_api.is_some(),
        v.config_map.is_some(),
        v.projected.is_some(),
        v.csi.is_some(),
        v.ephemeral.is_some(),
        v.image.is_some(),
    ];
    let untyped = [
        &v.gce_persistent_disk,
        &v.aws_elastic_block_store,
        &v.git_repo,
        &v.iscsi,
        &v.glusterfs,
        &v.rbd,
        &v.flex_volume,
        &v.cinder,
        &v.cephfs,
        &v.flocker,
        &v.fc,
        &v.azure_file,
        &v.vsphere_volume,
        &v.quobyte,
        &v.azure_disk,
        &v.photon_persistent_disk,
        &v.portworx_volume,
        &v.scale_io,
        &v.storageos,
    ];
    typed.iter().filter(|b| **b).count() + untyped.iter().filter(|o| o.is_some()).count()
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
