//! The apiserver's warnings for pods (pkg/api/pod/warnings.go and the pod
//! strategy): problems that are allowed but almost certainly mistakes, and
//! uses of deprecated labels, annotations and volume types.

use super::meta;
use super::names;
use crate::model::{
    Container, ContainerPort, KeyToPath, NodeSelectorTerm, ObjectMeta, Pod, PodAffinityTerm,
    PodSpec, Quantity, ResourceList, Volume,
};
use std::collections::BTreeSet;

/// Node labels Kubernetes has deprecated, with its advice.
const DEPRECATED_NODE_LABELS: [(&str, &str); 8] = [
    (
        "beta.kubernetes.io/arch",
        "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
    ),
    (
        "beta.kubernetes.io/os",
        "deprecated since v1.14; use \"kubernetes.io/os\" instead",
    ),
    (
        "failure-domain.beta.kubernetes.io/region",
        "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
    ),
    (
        "failure-domain.beta.kubernetes.io/zone",
        "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
    ),
    (
        "beta.kubernetes.io/instance-type",
        "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead",
    ),
    ("app.kubernetes.io/created-by", "deprecated since v1.9"),
    (
        "scheduler.alpha.kubernetes.io/preferAvoidPods",
        "deprecated since v1.22; use Taints and Tolerations instead",
    ),
    (
        "node-role.kubernetes.io/master",
        "use \"node-role.kubernetes.io/control-plane\" instead",
    ),
];

/// Pod annotations that no longer do anything.
const DEPRECATED_ANNOTATIONS: [(&str, &str); 3] = [
    (
        "scheduler.alpha.kubernetes.io/critical-pod",
        "non-functional in v1.16+; use the \"priorityClassName\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/unsafe-sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
];

fn deprecated_node_label(key: &str) -> Option<&'static str> {
    DEPRECATED_NODE_LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, msg)| *msg)
}

/// The warnings kube-apiserver sends back with a pod create (`old` None) or
/// an update of the pods resource. On create they are, in order: the
/// AppArmor annotations the registry converts to fields, a name that is not
/// a DNS label (it becomes the hostname), then `GetWarningsForPod`. The pod
/// strategy sends no warnings on update, to keep that frequent path cheap.
pub fn pod_warnings(pod: &Pod, old: Option<&Pod>) -> Vec<String> {
    if old.is_some() {
        return Vec::new();
    }
    let mut pod = pod.clone();
    let mut warnings = super::update::prepare_for_create(&mut pod);
    let msgs = names::is_dns1123_label(&pod.metadata.name);
    if !msgs.is_empty() {
        warnings.push(format!(
            "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [{}]",
            msgs.join(" ")
        ));
    }
    warnings.extend(warnings_for_pod(&pod, None));
    warnings
}

/// `GetWarningsForPod`: the warnings about a pod's spec and metadata, given
/// the stored version on update (controllers use this for pod templates).
pub fn warnings_for_pod(pod: &Pod, _old: Option<&Pod>) -> Vec<String> {
    warnings_for_spec_and_meta(&pod.spec, &pod.metadata)
}

fn warnings_for_spec_and_meta(spec: &PodSpec, meta: &ObjectMeta) -> Vec<String> {
    let mut w = Vec::new();
    node_label_warnings(spec, &mut w);
    for (key, msg) in DEPRECATED_ANNOTATIONS {
        if meta.annotations.contains_key(key) {
            w.push(format!("metadata.annotations[{key}]: {msg}"));
        }
    }
    for (i, v) in spec.volumes.iter().enumerate() {
        volume_warnings(i, v, &mut w);
    }
    overlapping_path_warnings(&spec.volumes, &mut w);
    duplicate_warnings(spec, &mut w);
    fractional_bytes(&spec.overhead, "spec.overhead", &mut w);
    let pod_seccomp = spec
        .security_context
        .as_ref()
        .is_some_and(|s| s.seccomp_profile.is_some());
    if !pod_seccomp && meta.annotations.contains_key(meta::SECCOMP_POD_ANNOTATION) {
        w.push(format!(
            "metadata.annotations[{}]: non-functional in v1.27+; use the \"seccompProfile\" field instead",
            meta::SECCOMP_POD_ANNOTATION
        ));
    }
    for (path, c) in containers_with_paths(spec) {
        container_warnings(&path, c, meta, &mut w);
    }
    port_warnings(spec, &mut w);
    if spec.termination_grace_period_seconds.is_some_and(|g| g < 0) {
        w.push(
            "spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"
                .to_owned(),
        );
    }
    affinity_selector_warnings(spec, &mut w);
    w
}

/// Deprecated node labels in the node selector, node affinity and topology
/// spread keys, and topology spread constraints that select nothing.
fn node_label_warnings(spec: &PodSpec, w: &mut Vec<String>) {
    for k in spec.node_selector.keys() {
        if let Some(msg) = deprecated_node_label(k) {
            w.push(format!("spec.nodeSelector[{k}]: {msg}"));
        }
    }
    if let Some(na) = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
    {
        if let Some(req) = &na.required_during_scheduling_ignored_during_execution {
            for (i, term) in req.node_selector_terms.iter().enumerate() {
                node_selector_term_warnings(
                    term,
                    &format!("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]"),
                    w,
                );
            }
        }
        for (i, p) in na
            .preferred_during_scheduling_ignored_during_execution
            .iter()
            .enumerate()
        {
            node_selector_term_warnings(
                &p.preference,
                &format!("spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}].preference"),
                w,
            );
        }
    }
    for (i, t) in spec.topology_spread_constraints.iter().enumerate() {
        let path = format!("spec.topologySpreadConstraints[{i}]");
        if let Some(msg) = deprecated_node_label(&t.topology_key) {
            w.push(format!("{path}.topologyKey: {} is {msg}", t.topology_key));
        }
        if t.label_selector.is_none() {
            w.push(format!(
                "{path}.labelSelector: a null labelSelector results in matching no pod"
            ));
        }
    }
}

fn node_selector_term_warnings(term: &NodeSelectorTerm, path: &str, w: &mut Vec<String>) {
    for (i, e) in term.match_expressions.iter().enumerate() {
        if let Some(msg) = deprecated_node_label(&e.key) {
            w.push(format!(
                "{path}.matchExpressions[{i}].key: {} is {msg}",
                e.key
            ));
        }
    }
}

/// Volume plugins Kubernetes deprecated or removed, and fractional storage
/// sizes in ephemeral volume claims.
fn volume_warnings(i: usize, v: &Volume, w: &mut Vec<String>) {
    let path = format!("spec.volumes[{i}]");
    let deprecated = [
        (
            v.photon_persistent_disk.is_some(),
            "photonPersistentDisk",
            "deprecated in v1.11, non-functional in v1.16+",
        ),
        (v.git_repo.is_some(), "gitRepo", "deprecated in v1.11"),
        (
            v.scale_io.is_some(),
            "scaleIO",
            "deprecated in v1.16, non-functional in v1.22+",
        ),
        (
            v.flocker.is_some(),
            "flocker",
            "deprecated in v1.22, non-functional in v1.25+",
        ),
        (
            v.storageos.is_some(),
            "storageOS",
            "deprecated in v1.22, non-functional in v1.25+",
        ),
        (
            v.quobyte.is_some(),
            "quobyte",
            "deprecated in v1.22, non-functional in v1.25+",
        ),
        (
            v.glusterfs.is_some(),
            "glusterfs",
            "deprecated in v1.25, non-functional in v1.26+",
        ),
    ];
    for (set, field, msg) in deprecated {
        if set {
            w.push(format!("{path}.{field}: {msg}"));
        }
    }
    if let Some(t) = v
        .ephemeral
        .as_ref()
        .and_then(|e| e.volume_claim_template.as_ref())
    {
        let base = format!("{path}.ephemeral.volumeClaimTemplate.spec.resources");
        let res = &t.spec.resources;
        for (kind, list) in [("requests", &res.requests), ("limits", &res.limits)] {
            if let Some(q) = list.get("storage") {
                fractional_quantity(q, &format!("{base}.{kind}[storage]"), w);
            }
        }
    }
    if v.cephfs.is_some() {
        w.push(format!(
            "{path}.cephfs: deprecated in v1.28, non-functional in v1.31+"
        ));
    }
    if v.rbd.is_some() {
        w.push(format!(
            "{path}.rbd: deprecated in v1.28, non-functional in v1.31+"
        ));
    }
}

/// Duplicate host alias IPs and image pull secrets, and nameless pull
/// secrets.
fn duplicate_warnings(spec: &PodSpec, w: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for (i, a) in spec.host_aliases.iter().enumerate() {
        if !seen.insert(a.ip.as_str()) {
            w.push(format!(
                "spec.hostAliases[{i}].ip: duplicate ip {}",
                crate::errors::go_quote(&a.ip)
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for (i, s) in spec.image_pull_secrets.iter().enumerate() {
        if !seen.insert(s.name.as_str()) {
            w.push(format!(
                "spec.imagePullSecrets[{i}].name: duplicate name {}",
                crate::errors::go_quote(&s.name)
            ));
        }
    }
    for (i, s) in spec.image_pull_secrets.iter().enumerate() {
        if s.name.is_empty() {
            w.push(format!(
                "spec.imagePullSecrets[{i}].name: invalid empty name \"\""
            ));
        }
    }
}

/// A memory or ephemeral-storage amount that is not a whole number of bytes.
fn fractional_bytes(list: &ResourceList, path: &str, w: &mut Vec<String>) {
    for name in ["memory", "ephemeral-storage"] {
        if let Some(q) = list.get(name) {
            fractional_quantity(q, &format!("{path}[{name}]"), w);
        }
    }
}

fn fractional_quantity(q: &Quantity, path: &str, w: &mut Vec<String>) {
    if let Ok(p) = q.parsed() {
        if p.milli_value() % 1000 != 0 {
            w.push(format!(
                "{path}: fractional byte value {} is invalid, must be an integer",
                crate::errors::go_quote(&p.to_string())
            ));
        }
    }
}

/// Every container with its path, in Kubernetes' visiting order.
fn containers_with_paths(spec: &PodSpec) -> impl Iterator<Item = (String, &Container)> {
    [
        ("initContainers", &spec.init_containers),
        ("containers", &spec.containers),
        ("ephemeralContainers", &spec.ephemeral_containers),
    ]
    .into_iter()
    .flat_map(|(field, list)| {
        list.iter()
            .enumerate()
            .map(move |(i, c)| (format!("spec.{field}[{i}]"), c))
    })
}

fn container_warnings(path: &str, c: &Container, meta: &ObjectMeta, w: &mut Vec<String>) {
    let has_seccomp = c
        .security_context
        .as_ref()
        .is_some_and(|s| s.seccomp_profile.is_some());
    let key = format!("{}{}", meta::SECCOMP_CONTAINER_ANNOTATION_PREFIX, c.name);
    if !has_seccomp && meta.annotations.contains_key(&key) {
        w.push(format!(
            "metadata.annotations[{key}]: non-functional in v1.27+; use the \"seccompProfile\" field instead"
        ));
    }
    // Pods get their AppArmor warnings from the registry's conversion of the
    // annotations (see `pod_warnings`), not here.
    let res = &c.resources;
    for (name, kind, list) in [
        ("memory", "limits", &res.limits),
        ("memory", "requests", &res.requests),
        ("ephemeral-storage", "limits", &res.limits),
        ("ephemeral-storage", "requests", &res.requests),
    ] {
        if let Some(q) = list.get(name) {
            fractional_quantity(q, &format!("{path}.resources.{kind}[{name}]"), w);
        }
    }
    env_warnings(path, c, w);
}

/// An env var that repeats an earlier name, unless it extends the earlier
/// value by referring to it.
fn env_warnings(path: &str, c: &Container, w: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for (i, e) in c.env.iter().enumerate() {
        if seen.insert(e.name.as_str()) {
            continue;
        }
        let reference = format!("$({})", e.name);
        let bad = e.value_from.is_some() || e.value == reference || !e.value.contains(&reference);
        if bad {
            w.push(format!(
                "{path}.env[{i}]: hides previous definition of {}, which may be dropped when using apply",
                crate::errors::go_quote(&e.name)
            ));
        }
    }
}

/// Go's `%+v` of a container port.
fn port_text(p: &ContainerPort) -> String {
    format!(
        "{{Name:{} HostPort:{} ContainerPort:{} Protocol:{} HostIP:{}}}",
        p.name, p.host_port, p.container_port, p.protocol, p.host_ip
    )
}

/// Ports across all containers: they share one network namespace, so the
/// same port and protocol twice is at best redundant.
fn port_warnings(spec: &PodSpec, w: &mut Vec<String>) {
    let mut seen: Vec<(i32, &str, &ContainerPort, String)> = Vec::new();
    for (path, c) in containers_with_paths(spec) {
        for (i, port) in c.ports.iter().enumerate() {
            let here = format!("{path}.ports[{i}]");
            if !port.host_ip.is_empty() && port.host_port == 0 {
                w.push(format!(
                    "{here}: hostIP set without hostPort: {}",
                    port_text(port)
                ));
            }
            for (_, _, other, other_path) in seen
                .iter()
                .filter(|(cp, proto, _, _)| *cp == port.container_port && *proto == port.protocol)
            {
                if port.host_ip == other.host_ip && port.host_port == other.host_port {
                    w.push(format!(
                        "{here}: duplicate port definition with {other_path}"
                    ));
                } else if port.host_port == 0 || other.host_port == 0 {
                    w.push(format!(
                        "{here}: overlapping port definition with {other_path}"
                    ));
                } else if port.host_port == other.host_port
                    && (port.host_ip.is_empty() != other.host_ip.is_empty())
                {
                    w.push(format!(
                        "{here}: dangerously ambiguous port definition with {other_path}"
                    ));
                }
            }
            seen.push((port.container_port, &port.protocol, port, here));
        }
    }
}

/// Pod (anti-)affinity terms without a label selector match no pod.
fn affinity_selector_warnings(spec: &PodSpec, w: &mut Vec<String>) {
    let Some(aff) = &spec.affinity else {
        return;
    };
    for (field, pa) in [
        ("podAffinity", &aff.pod_affinity),
        ("podAntiAffinity", &aff.pod_anti_affinity),
    ] {
        let Some(pa) = pa else {
            continue;
        };
        let null_selector = |t: &PodAffinityTerm| t.label_selector.is_none();
        for (i, t) in pa
            .required_during_scheduling_ignored_during_execution
            .iter()
            .enumerate()
        {
            if null_selector(t) {
                w.push(format!("spec.affinity.{field}.requiredDuringSchedulingIgnoredDuringExecution[{i}].labelSelector: a null labelSelector results in matching no pod"));
            }
        }
        for (i, t) in pa
            .preferred_during_scheduling_ignored_during_execution
            .iter()
            .enumerate()
        {
            if null_selector(&t.pod_affinity_term) {
                w.push(format!("spec.affinity.{field}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod"));
            }
        }
    }
}

/// Items of one configMap, secret, downward API or projected volume that
/// write to the same path, or to a path inside another's.
fn overlapping_path_warnings(volumes: &[Volume], w: &mut Vec<String>) {
    let key_paths = |items: &[KeyToPath]| items.iter().map(|i| i.path.clone()).collect::<Vec<_>>();
    let q = |s: &str| crate::errors::go_quote(s);
    for v in volumes {
        if let Some(cm) = v.config_map.as_ref().filter(|c| !c.items.is_empty()) {
            let msg = format!(
                "volume {} (ConfigMap {}): overlapping paths",
                q(&v.name),
                q(&cm.name)
            );
            check_overlap(&key_paths(&cm.items), &msg, w);
        }
        if let Some(s) = v.secret.as_ref().filter(|s| !s.items.is_empty()) {
            let msg = format!(
                "volume {} (Secret {}): overlapping paths",
                q(&v.name),
                q(&s.secret_name)
            );
            check_overlap(&key_paths(&s.items), &msg, w);
        }
        if let Some(d) = v.downward_api.as_ref().filter(|d| !d.items.is_empty()) {
            let paths: Vec<String> = d.items.iter().map(|i| i.path.clone()).collect();
            let msg = format!("volume {} (DownwardAPI): overlapping paths", q(&v.name));
            check_overlap(&paths, &msg, w);
        }
        let Some(p) = &v.projected else {
            continue;
        };
        let mut all_paths: BTreeSet<String> = BTreeSet::new();
        for src in &p.sources {
            let (paths, msg) =
                if let Some(cm) = src.config_map.as_ref().filter(|c| !c.items.is_empty()) {
                    (
                        key_paths(&cm.items),
                        format!(
                            "volume {} (Projected ConfigMap {}): overlapping paths",
                            q(&v.name),
                            q(&cm.name)
                        ),
                    )
                } else if let Some(s) = src.secret.as_ref().filter(|s| !s.items.is_empty()) {
                    (
                        key_paths(&s.items),
                        format!(
                            "volume {} (Projected Secret {}): overlapping paths",
                            q(&v.name),
                            q(&s.name)
                        ),
                    )
                } else if let Some(d) = src.downward_api.as_ref().filter(|d| !d.items.is_empty()) {
                    (
                        d.items.iter().map(|i| i.path.clone()).collect(),
                        format!(
                            "volume {} (Projected DownwardAPI): overlapping paths",
                            q(&v.name)
                        ),
                    )
                } else if let Some(t) = &src.service_account_token {
                    (
                        vec![t.path.clone()],
                        format!(
                            "volume {} (Projected ServiceAccountToken): overlapping paths",
                            q(&v.name)
                        ),
                    )
                } else if let Some(b) = &src.cluster_trust_bundle {
                    let name = b.name.as_deref().or(b.signer_name.as_deref()).unwrap_or("");
                    (
                        vec![b.path.clone()],
                        format!(
                            "volume {} (Projected ClusterTrustBundle {}): overlapping paths",
                            q(&v.name),
                            q(name)
                        ),
                    )
                } else {
                    if src == &crate::model::VolumeProjection::default() {
                        w.push(format!(
                            "volume {} (Projected) has no sources provided",
                            q(&v.name)
                        ));
                    }
                    continue;
                };
            if paths.is_empty() {
                continue;
            }
            check_overlap(&paths, &msg, w);
            let unique: BTreeSet<String> = paths.iter().cloned().collect();
            let mut ordered: Vec<String> = unique
                .iter()
                .cloned()
                .chain(all_paths.iter().cloned())
                .collect();
            ordered.sort();
            check_overlap(&ordered, &msg, w);
            all_paths.extend(unique);
        }
    }
}

/// `checkVolumeMappingForOverlap`: each path against the earlier ones, with
/// trailing slashes ignored. Earlier paths are scanned in sorted order where
/// Kubernetes scans a hash set.
fn check_overlap(paths: &[String], msg: &str, w: &mut Vec<String>) {
    let mut unique: BTreeSet<&str> = BTreeSet::new();
    for p in paths {
        let normalized = p.trim_end_matches('/');
        if let Some(collision) = overlap_with(&unique, normalized) {
            w.push(format!(
                "{msg}: {} with {}",
                crate::errors::go_quote(normalized),
                crate::errors::go_quote(collision)
            ));
        }
        unique.insert(normalized);
    }
}

fn overlap_with<'a>(paths: &BTreeSet<&'a str>, path: &str) -> Option<&'a str> {
    for item in paths {
        if item.is_empty() || path.is_empty() {
            return None;
        }
        if *item == path
            || format!("{item}/").starts_with(path)
            || format!("{path}/").starts_with(item)
        {
            return Some(item);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Pod {
        let mut pod = Pod::default();
        pod.metadata.name = "web".into();
        pod.spec.containers = vec![Container {
            name: "app".into(),
            image: "nginx".into(),
            ..Container::default()
        }];
        crate::defaults::pod(&mut pod);
        pod
    }

    #[test]
    fn a_clean_pod_has_no_warnings() {
        assert!(pod_warnings(&pod(), None).is_empty());
    }

    #[test]
    fn deprecated_node_selector_label_warns() {
        let mut p = pod();
        p.spec
            .node_selector
            .insert("beta.kubernetes.io/arch".into(), "amd64".into());
        assert_eq!(
            pod_warnings(&p, None),
            vec!["spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use \"kubernetes.io/arch\" instead"]
        );
    }

    #[test]
    fn negative_grace_period_warns() {
        let mut p = pod();
        p.spec.termination_grace_period_seconds = Some(-1);
        assert_eq!(
            pod_warnings(&p, None),
            vec!["spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"]
        );
    }

    #[test]
    fn updates_carry_no_warnings() {
        let mut p = pod();
        p.spec.termination_grace_period_seconds = Some(-1);
        assert!(pod_warnings(&p, Some(&pod())).is_empty());
    }
}
