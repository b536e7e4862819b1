//! `ValidatePodSpec` and the pod-level parts of the spec: policies, DNS,
//! scheduling constraints (affinity, tolerations, topology spread, gates),
//! the pod security context, resource claims and the per-OS rules.
//!
//! Validation runs on the v1 shape, but error paths follow the apiserver's,
//! which validates the internal type: there `hostNetwork`, `hostPID`,
//! `hostIPC`, `shareProcessNamespace` and `hostUsers` live in the pod
//! security context, and the conversion always creates that context, so some
//! paths name `securityContext` for fields that sit on the v1 spec.
use super::{container, names};
use super::{Errors, Opts, Path};
use crate::errors::FieldError;
use crate::model::{
    Affinity, Container, LabelSelector, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    ObjectMeta, PodAffinity, PodAffinityTerm, PodDnsConfig, PodResourceClaim, PodSecurityContext,
    PodSpec, PreferredSchedulingTerm, StringMap, Toleration, TopologySpreadConstraint,
    WeightedPodAffinityTerm,
};
use serde_json::Value;

const MAX_INT32: i64 = 2_147_483_647;

/// Limits from libc's resolver, as the apiserver enforces them.
const MAX_DNS_NAMESERVERS: usize = 3;
const MAX_DNS_SEARCH_PATHS: usize = 32;
const MAX_DNS_SEARCH_LIST_CHARS: usize = 2048;

const NOT_POSITIVE: &str = "must be greater than zero";
const WINDOWS_FORBIDDEN: &str = "cannot be set for a windows pod";
const LINUX_FORBIDDEN: &str = "windows options cannot be set for a linux pod";
const HOST_USERS_FORBIDDEN: &str = "when `pod.Spec.HostUsers` is false";
/// The detail of an invalid sysctl name: Kubernetes prints its compiled
/// regexp, anchors included.
const SYSCTL_NAME_DETAIL: &str = r"must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

/// `ValidatePodSpec`: the whole spec, in the apiserver's order. `meta` is the
/// pod's metadata (the volume validators need it for generic ephemeral
/// volumes).
pub fn validate_pod_spec(
    spec: &PodSpec,
    meta: &ObjectMeta,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    if spec.termination_grace_period_seconds.is_none() {
        errs.push(FieldError::required(
            path.child("terminationGracePeriodSeconds"),
            "",
        ));
    }
    let vols =
        super::volume::validate_pod_volumes(spec, Some(meta), &path.child("volumes"), opts, errs);
    validate_pod_resource_claims(&spec.resource_claims, &path.child("resourceClaims"), errs);
    container::validate_containers(spec, &vols, path, opts, errs);
    // Pod-level resources need the PodLevelResources gate, alpha (off) in
    // v1.33, so `spec.resources` is not validated here. The host-network port
    // rule (`validatePodHostNetworkDeps`) runs with the containers.
    validate_restart_policy(&spec.restart_policy, &path.child("restartPolicy"), errs);
    validate_dns_policy(&spec.dns_policy, &path.child("dnsPolicy"), errs);
    validate_labels(&spec.node_selector, &path.child("nodeSelector"), errs);
    validate_pod_spec_security_context(spec, &path.child("securityContext"), opts, errs);
    // v1 image pull secrets carry only a name, so "only name may be set"
    // cannot trigger; the apiserver checks nothing else about them.
    if let Some(affinity) = &spec.affinity {
        validate_affinity(affinity, opts, &path.child("affinity"), errs);
    }
    validate_pod_dns_config(
        spec.dns_config.as_ref(),
        &spec.dns_policy,
        &path.child("dnsConfig"),
        errs,
    );
    validate_readiness_gates(spec, &path.child("readinessGates"), errs);
    validate_scheduling_gates(spec, &path.child("schedulingGates"), errs);
    validate_topology_spread_constraints(
        &spec.topology_spread_constraints,
        &path.child("topologySpreadConstraints"),
        opts,
        errs,
    );
    validate_windows_host_process_pod(spec, path, errs);
    validate_host_users(spec, path, errs);
    if !spec.service_account_name.is_empty() {
        invalid_each(
            errs,
            &path.child("serviceAccountName"),
            &spec.service_account_name,
            names::is_dns1123_subdomain(&spec.service_account_name),
        );
    }
    if !spec.node_name.is_empty() {
        invalid_each(
            errs,
            &path.child("nodeName"),
            &spec.node_name,
            names::is_dns1123_subdomain(&spec.node_name),
        );
    }
    if let Some(ads) = spec.active_deadline_seconds {
        if !(1..=MAX_INT32).contains(&ads) {
            errs.push(FieldError::invalid(
                path.child("activeDeadlineSeconds"),
                ads,
                names::inclusive_range_error(1, MAX_INT32),
            ));
        }
    }
    if !spec.hostname.is_empty() {
        invalid_each(
            errs,
            &path.child("hostname"),
            &spec.hostname,
            names::is_dns1123_label(&spec.hostname),
        );
    }
    if !spec.subdomain.is_empty() {
        invalid_each(
            errs,
            &path.child("subdomain"),
            &spec.subdomain,
            names::is_dns1123_label(&spec.subdomain),
        );
    }
    validate_tolerations(&spec.tolerations, &path.child("tolerations"), errs);
    validate_host_aliases(spec, &path.child("hostAliases"), errs);
    if !spec.priority_class_name.is_empty() {
        invalid_each(
            errs,
            &path.child("priorityClassName"),
            &spec.priority_class_name,
            names::is_dns1123_subdomain(&spec.priority_class_name),
        );
    }
    if let Some(rc) = &spec.runtime_class_name {
        invalid_each(
            errs,
            &path.child("runtimeClassName"),
            rc,
            names::is_dns1123_subdomain(rc),
        );
    }
    if let Some(pp) = &spec.preemption_policy {
        validate_preemption_policy(pp, &path.child("preemptionPolicy"), errs);
    }
    if !spec.overhead.is_empty() {
        validate_overhead(&spec.overhead, &path.child("overhead"), opts, errs);
    }
    if let Some(os) = &spec.os {
        let before = errs.len();
        validate_os(&os.name, &path.child("os"), errs);
        if errs.len() == before {
            match os.name.as_str() {
                "linux" => validate_linux(spec, path, errs),
                "windows" => validate_windows(spec, path, errs),
                _ => {}
            }
        }
    }
}

/// One `Invalid` error per message, all on `path` with `value`.
fn invalid_each(errs: &mut Errors, path: &Path, value: &str, msgs: Vec<String>) {
    for msg in msgs {
        errs.push(FieldError::invalid(path, value, msg));
    }
}

/// Every container of the pod with its path, in the apiserver's visiting
/// order: init containers, containers, ephemeral containers.
fn each_container<'s>(spec: &'s PodSpec, path: &Path, mut f: impl FnMut(&'s Container, &Path)) {
    for (list, name) in [
        (&spec.init_containers, "initContainers"),
        (&spec.containers, "containers"),
        (&spec.ephemeral_containers, "ephemeralContainers"),
    ] {
        let lp = path.child(name);
        for (i, c) in list.iter().enumerate() {
            f(c, &lp.index(i));
        }
    }
}

// ---------------------------------------------------------------------------
// Labels and selectors (apimachinery meta/v1 validation)

/// `ValidateLabelName`: the key must be a qualified name.
pub fn validate_label_name(name: &str, path: &Path, errs: &mut Errors) {
    invalid_each(errs, path, name, names::is_qualified_name(name));
}

/// `ValidateLabels`: qualified-name keys and label values. Kubernetes reports
/// both on the map's path itself, not on the key.
pub fn validate_labels(labels: &StringMap, path: &Path, errs: &mut Errors) {
    for (k, v) in labels {
        validate_label_name(k, path, errs);
        invalid_each(errs, path, v, names::is_valid_label_value(v));
    }
}

/// `ValidateLabelSelector`. `allow_invalid_label_value` relaxes the check of
/// expression values, as `LabelSelectorValidationOptions` does for objects
/// that already hold such values.
pub fn validate_label_selector(
    sel: &LabelSelector,
    allow_invalid_label_value: bool,
    path: &Path,
    errs: &mut Errors,
) {
    validate_labels(&sel.match_labels, &path.child("matchLabels"), errs);
    let exprs = path.child("matchExpressions");
    for (i, req) in sel.match_expressions.iter().enumerate() {
        let rp = exprs.index(i);
        match req.operator.as_str() {
            "In" | "NotIn" => {
                if req.values.is_empty() {
                    errs.push(FieldError::required(
                        rp.child("values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !req.values.is_empty() {
                    errs.push(FieldError::forbidden(
                        rp.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            _ => errs.push(FieldError::invalid(
                rp.child("operator"),
                req.operator.as_str(),
                "not a valid selector operator",
            )),
        }
        validate_label_name(&req.key, &rp.child("key"), errs);
        if !allow_invalid_label_value {
            let vp = rp.child("values");
            for (j, v) in req.values.iter().enumerate() {
                invalid_each(errs, &vp.index(j), v, names::is_valid_label_value(v));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Simple enums and names

fn validate_restart_policy(policy: &str, path: &Path, errs: &mut Errors) {
    match policy {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(FieldError::required(path, "")),
        other => errs.push(FieldError::not_supported(
            path,
            other,
            &["Always", "OnFailure", "Never"],
        )),
    }
}

fn validate_dns_policy(policy: &str, path: &Path, errs: &mut Errors) {
    match policy {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(FieldError::required(path, "")),
        other => errs.push(FieldError::not_supported(
            path,
            other,
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
}

fn validate_preemption_policy(policy: &str, path: &Path, errs: &mut Errors) {
    match policy {
        "PreemptLowerPriority" | "Never" => {}
        "" => errs.push(FieldError::required(path, "")),
        other => errs.push(FieldError::not_supported(
            path,
            other,
            &["PreemptLowerPriority", "Never"],
        )),
    }
}

fn validate_readiness_gates(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    for (i, gate) in spec.readiness_gates.iter().enumerate() {
        let ip = path.index(i);
        invalid_each(
            errs,
            &ip.child("conditionType"),
            &gate.condition_type,
            names::is_qualified_name(&gate.condition_type),
        );
    }
}

fn validate_scheduling_gates(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    let gates = &spec.scheduling_gates;
    for (i, gate) in gates.iter().enumerate() {
        let ip = path.index(i);
        invalid_each(errs, &ip, &gate.name, names::is_qualified_name(&gate.name));
        if gates[..i].iter().any(|g| g.name == gate.name) {
            errs.push(FieldError::duplicate(ip, gate.name.as_str()));
        }
    }
}

fn validate_host_aliases(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    for (i, alias) in spec.host_aliases.iter().enumerate() {
        let ip = path.index(i);
        invalid_each(
            errs,
            &ip.child("ip"),
            &alias.ip,
            names::is_valid_ip(&alias.ip),
        );
        let hp = ip.child("hostnames");
        for (j, h) in alias.hostnames.iter().enumerate() {
            invalid_each(errs, &hp.index(j), h, names::is_dns1123_subdomain(h));
        }
    }
}

/// `validateOS`: the name is required and must be linux or windows.
fn validate_os(name: &str, path: &Path, errs: &mut Errors) {
    if name.is_empty() {
        errs.push(FieldError::required(path.child("name"), "cannot be empty"));
    } else if name != "linux" && name != "windows" {
        errs.push(FieldError::not_supported(path, name, &["linux", "windows"]));
    }
}

// ---------------------------------------------------------------------------
// Overhead

/// `validateOverhead`: the apiserver checks the overhead as the limits of a
/// container's resource requirements, so errors sit under `overhead.limits`.
fn validate_overhead(
    overhead: &crate::model::ResourceList,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    let as_limits = crate::model::ResourceRequirements {
        limits: overhead.clone(),
        ..Default::default()
    };
    super::container::validate_resource_requirements(
        &as_limits,
        &std::collections::BTreeSet::new(),
        opts,
        path,
        errs,
    );
}

// ---------------------------------------------------------------------------
// Resource claims

fn validate_pod_resource_claims(claims: &[PodResourceClaim], path: &Path, errs: &mut Errors) {
    for (i, claim) in claims.iter().enumerate() {
        let cp = path.index(i);
        let np = cp.child("name");
        if claim.name.is_empty() {
            errs.push(FieldError::required(np, ""));
        } else if claims[..i].iter().any(|c| c.name == claim.name) {
            errs.push(FieldError::duplicate(np, claim.name.as_str()));
        } else {
            invalid_each(errs, &np, &claim.name, names::is_dns1123_label(&claim.name));
        }
        match (&claim.resource_claim_name, &claim.resource_claim_template_name) {
            (Some(_), Some(_)) => errs.push(FieldError::invalid(
                cp,
                to_value(claim),
                "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified",
            )),
            (None, None) => errs.push(FieldError::invalid(
                cp,
                to_value(claim),
                "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`",
            )),
            _ => {}
        }
        if let Some(n) = &claim.resource_claim_name {
            invalid_each(
                errs,
                &cp.child("resourceClaimName"),
                n,
                names::is_dns1123_subdomain(n),
            );
        }
        if let Some(n) = &claim.resource_claim_template_name {
            invalid_each(
                errs,
                &cp.child("resourceClaimTemplateName"),
                n,
                names::is_dns1123_subdomain(n),
            );
        }
    }
}

/// A model value as the JSON the error shows for it.
fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------
// Host namespaces, user namespaces, Windows host process

/// `validateHostUsers`: a pod in its own user namespace may not share the
/// host's other namespaces. The capitalised paths are the apiserver's.
fn validate_host_users(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    if spec.host_users != Some(false) {
        return;
    }
    if spec.host_network {
        errs.push(FieldError::forbidden(
            path.child("hostNetwork"),
            HOST_USERS_FORBIDDEN,
        ));
    }
    if spec.host_pid {
        errs.push(FieldError::forbidden(
            path.child("HostPID"),
            HOST_USERS_FORBIDDEN,
        ));
    }
    if spec.host_ipc {
        errs.push(FieldError::forbidden(
            path.child("HostIPC"),
            HOST_USERS_FORBIDDEN,
        ));
    }
}

/// `validateWindowsHostProcessPod`: host-process containers come all or
/// none, and need the host network. Privileged containers are taken to be
/// allowed (`--allow-privileged=true`, as every common cluster setup runs).
fn validate_windows_host_process_pod(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    let pod_hp = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.windows_options.as_ref())
        .and_then(|w| w.host_process);
    let mut count = 0usize;
    let mut hp_count = 0usize;
    each_container(spec, path, |c, cp| {
        count += 1;
        let c_hp = c
            .security_context
            .as_ref()
            .and_then(|sc| sc.windows_options.as_ref())
            .and_then(|w| w.host_process);
        if let (Some(p), Some(v)) = (pod_hp, c_hp) {
            if p != v {
                let sp = cp.child("securityContext");
                let wp = sp.child("windowsOptions");
                errs.push(FieldError::invalid(
                    wp.child("hostProcess"),
                    v,
                    format!(
                        "pod hostProcess value must be identical if both are specified, was {p}"
                    ),
                ));
            }
        }
        if c_hp.unwrap_or(false) || (c_hp.is_none() && pod_hp == Some(true)) {
            hp_count += 1;
        }
    });
    if hp_count > 0 {
        if hp_count != count {
            errs.push(FieldError::invalid(
                path,
                "",
                "If pod contains any hostProcess containers then all containers must be HostProcess containers",
            ));
        }
        if !spec.host_network {
            errs.push(FieldError::invalid(
                path.child("hostNetwork"),
                false,
                "hostNetwork must be true if pod contains any hostProcess containers",
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Per-OS rules

fn validate_linux(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    if let Some(sc) = &spec.security_context {
        if sc.windows_options.is_some() {
            let sp = path.child("securityContext");
            errs.push(FieldError::forbidden(
                sp.child("windowsOptions"),
                LINUX_FORBIDDEN,
            ));
        }
    }
    each_container(spec, path, |c, cp| {
        if c.security_context
            .as_ref()
            .is_some_and(|sc| sc.windows_options.is_some())
        {
            let sp = cp.child("securityContext");
            errs.push(FieldError::forbidden(
                sp.child("windowsOptions"),
                LINUX_FORBIDDEN,
            ));
        }
    });
}

fn validate_windows(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    let sp = path.child("securityContext");
    let default_sc = PodSecurityContext::default();
    let sc = spec.security_context.as_ref().unwrap_or(&default_sc);
    let mut forbid = |p: &Path, set: bool| {
        if set {
            errs.push(FieldError::forbidden(p, WINDOWS_FORBIDDEN));
        }
    };
    forbid(&sp.child("appArmorProfile"), sc.app_armor_profile.is_some());
    forbid(&sp.child("seLinuxOptions"), sc.se_linux_options.is_some());
    forbid(&path.child("hostUsers"), spec.host_users.is_some());
    forbid(&path.child("hostPID"), spec.host_pid);
    forbid(&path.child("hostIPC"), spec.host_ipc);
    forbid(&sp.child("seccompProfile"), sc.seccomp_profile.is_some());
    forbid(&sp.child("fsGroup"), sc.fs_group.is_some());
    forbid(
        &sp.child("fsGroupChangePolicy"),
        sc.fs_group_change_policy.is_some(),
    );
    forbid(&sp.child("sysctls"), !sc.sysctls.is_empty());
    forbid(
        &path.child("shareProcessNamespace"),
        spec.share_process_namespace.is_some(),
    );
    forbid(&sp.child("runAsUser"), sc.run_as_user.is_some());
    forbid(&sp.child("runAsGroup"), sc.run_as_group.is_some());
    forbid(
        &sp.child("supplementalGroups"),
        !sc.supplemental_groups.is_empty(),
    );
    forbid(
        &sp.child("supplementalGroupsPolicy"),
        sc.supplemental_groups_policy.is_some(),
    );
    forbid(
        &sp.child("seLinuxChangePolicy"),
        sc.se_linux_change_policy.is_some(),
    );
    each_container(spec, path, |c, cp| {
        let Some(sc) = &c.security_context else {
            return;
        };
        let csp = cp.child("securityContext");
        for (name, set) in [
            ("appArmorProfile", sc.app_armor_profile.is_some()),
            ("seLinuxOptions", sc.se_linux_options.is_some()),
            ("seccompProfile", sc.seccomp_profile.is_some()),
            ("capabilities", sc.capabilities.is_some()),
            (
                "readOnlyRootFilesystem",
                sc.read_only_root_filesystem.is_some(),
            ),
            ("privileged", sc.privileged.is_some()),
            (
                "allowPrivilegeEscalation",
                sc.allow_privilege_escalation.is_some(),
            ),
            ("procMount", sc.proc_mount.is_some()),
            ("runAsUser", sc.run_as_user.is_some()),
            ("runAsGroup", sc.run_as_group.is_some()),
        ] {
            forbid(&csp.child(name), set);
        }
    });
}

// ---------------------------------------------------------------------------
// Pod security context

/// `validatePodSpecSecurityContext`.
fn validate_pod_spec_security_context(spec: &PodSpec, path: &Path, opts: &Opts, errs: &mut Errors) {
    let default_sc = PodSecurityContext::default();
    let sc = spec.security_context.as_ref().unwrap_or(&default_sc);
    if let Some(g) = sc.fs_group {
        for msg in names::is_valid_group_id(g) {
            errs.push(FieldError::invalid(path.child("fsGroup"), g, msg));
        }
    }
    if let Some(u) = sc.run_as_user {
        for msg in names::is_valid_user_id(u) {
            errs.push(FieldError::invalid(path.child("runAsUser"), u, msg));
        }
    }
    if let Some(g) = sc.run_as_group {
        for msg in names::is_valid_group_id(g) {
            errs.push(FieldError::invalid(path.child("runAsGroup"), g, msg));
        }
    }
    let sg = path.child("supplementalGroups");
    for (i, &g) in sc.supplemental_groups.iter().enumerate() {
        for msg in names::is_valid_group_id(g) {
            errs.push(FieldError::invalid(sg.index(i), g, msg));
        }
    }
    if spec.share_process_namespace == Some(true) && spec.host_pid {
        errs.push(FieldError::invalid(
            path.child("shareProcessNamespace"),
            true,
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    if !sc.sysctls.is_empty() {
        validate_sysctls(spec, sc, &path.child("sysctls"), opts, errs);
    }
    if let Some(p) = &sc.fs_group_change_policy {
        if p != "OnRootMismatch" && p != "Always" {
            errs.push(FieldError::not_supported(
                path.child("fsGroupChangePolicy"),
                p.as_str(),
                &["Always", "OnRootMismatch"],
            ));
        }
    }
    // Pods and containers share these three validators.
    if let Some(sp) = &sc.seccomp_profile {
        container::validate_seccomp_profile(sp, &path.child("seccompProfile"), errs);
    }
    if let Some(w) = &sc.windows_options {
        container::validate_windows_options(w, &path.child("windowsOptions"), errs);
    }
    if let Some(ap) = &sc.app_armor_profile {
        container::validate_app_armor_profile(
            &ap.type_,
            ap.localhost_profile.as_deref(),
            &path.child("appArmorProfile"),
            errs,
        );
    }
    if let Some(p) = &sc.supplemental_groups_policy {
        if p != "Merge" && p != "Strict" {
            errs.push(FieldError::not_supported(
                path.child("supplementalGroupsPolicy"),
                p.as_str(),
                &["Merge", "Strict"],
            ));
        }
    }
    if let Some(p) = &sc.se_linux_change_policy {
        let cp = path.child("seLinuxChangePolicy");
        if opts.allow_only_recursive_selinux_change_policy {
            if p != "Recursive" {
                errs.push(FieldError::not_supported(cp, p.as_str(), &["Recursive"]));
            }
        } else if p != "Recursive" && p != "MountOption" {
            errs.push(FieldError::not_supported(
                cp,
                p.as_str(),
                &["MountOption", "Recursive"],
            ));
        }
    }
}

/// Which host namespace a sysctl belongs to, as the kubelet's sysctl helper
/// decides it (slash-separated names are first turned into dotted ones).
#[derive(PartialEq)]
enum SysctlNs {
    Net,
    Ipc,
    Unknown,
}

/// Sysctls of the IPC namespace known by exact name.
const IPC_NAMES: [&str; 10] = [
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
    "kernel.shm",
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.msg",
];

fn sysctl_namespace(name: &str) -> SysctlNs {
    let normalized: std::borrow::Cow<'_, str> = match name.find(['.', '/']) {
        Some(i) if name.as_bytes().get(i) == Some(&b'/') => name
            .chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect::<String>()
            .into(),
        _ => name.into(),
    };
    let s = match normalized.find('*') {
        Some(i) => &normalized[..i],
        None => &normalized[..],
    };
    if IPC_NAMES.contains(&s) {
        SysctlNs::Ipc
    } else if s.starts_with("net.") {
        SysctlNs::Net
    } else if s.starts_with("fs.mqueue.") {
        SysctlNs::Ipc
    } else {
        SysctlNs::Unknown
    }
}

fn validate_sysctls(
    spec: &PodSpec,
    sc: &PodSecurityContext,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    for (i, s) in sc.sysctls.iter().enumerate() {
        let ip = path.index(i);
        let np = ip.child("name");
        if s.name.is_empty() {
            errs.push(FieldError::required(np, ""));
        } else if !names::is_valid_sysctl_name(&s.name) {
            errs.push(FieldError::invalid(np, s.name.as_str(), SYSCTL_NAME_DETAIL));
        } else if sc.sysctls[..i].iter().any(|o| o.name == s.name) {
            errs.push(FieldError::duplicate(np, s.name.as_str()));
        }
        if !opts.allow_namespaced_sysctls_for_host_net_and_host_ipc {
            let ns = sysctl_namespace(&s.name);
            if spec.host_network && ns == SysctlNs::Net {
                errs.push(FieldError::invalid(
                    np,
                    s.name.as_str(),
                    "may not be specified when 'hostNetwork' is true",
                ));
            } else if spec.host_ipc && ns == SysctlNs::Ipc {
                errs.push(FieldError::invalid(
                    np,
                    s.name.as_str(),
                    "may not be specified when 'hostIPC' is true",
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// DNS config

/// `validatePodDNSConfig`, with the relaxed search-path rule (underscores
/// allowed, a lone "." accepted) of the RelaxedDNSSearchValidation gate, on
/// by default in v1.33.
fn validate_pod_dns_config(
    cfg: Option<&PodDnsConfig>,
    policy: &str,
    path: &Path,
    errs: &mut Errors,
) {
    if policy == "None" {
        match cfg {
            None => {
                errs.push(FieldError::required(
                    path,
                    "must provide `dnsConfig` when `dnsPolicy` is None",
                ));
                return;
            }
            Some(c) if c.nameservers.is_empty() => {
                errs.push(FieldError::required(
                    path.child("nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                ));
                return;
            }
            Some(_) => {}
        }
    }
    let Some(cfg) = cfg else {
        return;
    };
    let ns = path.child("nameservers");
    if cfg.nameservers.len() > MAX_DNS_NAMESERVERS {
        errs.push(FieldError::invalid(
            ns,
            to_value(&cfg.nameservers),
            format!("must not have more than {MAX_DNS_NAMESERVERS} nameservers"),
        ));
    }
    for (i, n) in cfg.nameservers.iter().enumerate() {
        invalid_each(errs, &ns.index(i), n, names::is_valid_ip(n));
    }
    let sp = path.child("searches");
    if cfg.searches.len() > MAX_DNS_SEARCH_PATHS {
        errs.push(FieldError::invalid(
            sp,
            to_value(&cfg.searches),
            format!("must not have more than {MAX_DNS_SEARCH_PATHS} search paths"),
        ));
    }
    // The resolver's limit counts the spaces that join the list.
    let joined_len =
        cfg.searches.iter().map(String::len).sum::<usize>() + cfg.searches.len().saturating_sub(1);
    if joined_len > MAX_DNS_SEARCH_LIST_CHARS {
        errs.push(FieldError::invalid(
            sp,
            to_value(&cfg.searches),
            format!(
                "must not have more than {MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list"
            ),
        ));
    }
    for (i, s) in cfg.searches.iter().enumerate() {
        if s != "." {
            let s = s.strip_suffix('.').unwrap_or(s);
            invalid_each(
                errs,
                &sp.index(i),
                s,
                names::is_dns1123_subdomain_with_underscore(s),
            );
        }
    }
    let op = path.child("options");
    for (i, o) in cfg.options.iter().enumerate() {
        if o.name.is_empty() {
            errs.push(FieldError::required(op.index(i), "must not be empty"));
        }
    }
}

// ---------------------------------------------------------------------------
// Affinity

fn validate_affinity(a: &Affinity, opts: &Opts, path: &Path, errs: &mut Errors) {
    if let Some(na) = &a.node_affinity {
        let np = path.child("nodeAffinity");
        if let Some(req) = &na.required_during_scheduling_ignored_during_execution {
            validate_node_selector(
                req,
                opts.allow_invalid_label_value_in_required_node_affinity,
                &np.child("requiredDuringSchedulingIgnoredDuringExecution"),
                errs,
            );
        }
        validate_preferred_scheduling_terms(
            &na.preferred_during_scheduling_ignored_during_execution,
            &np.child("preferredDuringSchedulingIgnoredDuringExecution"),
            errs,
        );
    }
    let allow = opts.allow_invalid_label_value_in_selector;
    if let Some(pa) = &a.pod_affinity {
        validate_pod_affinity(pa, allow, &path.child("podAffinity"), errs);
    }
    if let Some(pa) = &a.pod_anti_affinity {
        validate_pod_affinity(pa, allow, &path.child("podAntiAffinity"), errs);
    }
}

/// `ValidateNodeSelector`: at least one term, each term valid.
pub fn validate_node_selector(
    sel: &NodeSelector,
    allow_invalid_label_value: bool,
    path: &Path,
    errs: &mut Errors,
) {
    let tp = path.child("nodeSelectorTerms");
    if sel.node_selector_terms.is_empty() {
        errs.push(FieldError::required(
            tp,
            "must have at least one node selector term",
        ));
        return;
    }
    for (i, term) in sel.node_selector_terms.iter().enumerate() {
        validate_node_selector_term(term, allow_invalid_label_value, &tp.index(i), errs);
    }
}

/// `ValidateNodeSelectorTerm`.
pub fn validate_node_selector_term(
    term: &NodeSelectorTerm,
    allow_invalid_label_value: bool,
    path: &Path,
    errs: &mut Errors,
) {
    let ep = path.child("matchExpressions");
    for (j, req) in term.match_expressions.iter().enumerate() {
        validate_node_selector_requirement(req, allow_invalid_label_value, &ep.index(j), errs);
    }
    let fp = path.child("matchFields");
    for (j, req) in term.match_fields.iter().enumerate() {
        validate_node_field_selector_requirement(req, &fp.index(j), errs);
    }
}

fn validate_node_selector_requirement(
    rq: &NodeSelectorRequirement,
    allow_invalid_label_value: bool,
    path: &Path,
    errs: &mut Errors,
) {
    let vp = path.child("values");
    match rq.operator.as_str() {
        "In" | "NotIn" => {
            if rq.values.is_empty() {
                errs.push(FieldError::required(
                    vp,
                    "must be specified when `operator` is 'In' or 'NotIn'",
                ));
            }
        }
        "Exists" | "DoesNotExist" => {
            if !rq.values.is_empty() {
                errs.push(FieldError::forbidden(
                    vp,
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
        }
        "Gt" | "Lt" => {
            if rq.values.len() != 1 {
                errs.push(FieldError::required(
                    vp,
                    "must be specified single value when `operator` is 'Lt' or 'Gt'",
                ));
            }
        }
        other => errs.push(FieldError::invalid(
            path.child("operator"),
            other,
            "not a valid selector operator",
        )),
    }
    validate_label_name(&rq.key, &path.child("key"), errs);
    if !allow_invalid_label_value {
        for (i, v) in rq.values.iter().enumerate() {
            invalid_each(errs, &vp.index(i), v, names::is_valid_label_value(v));
        }
    }
}

/// Node field selectors know one field, `metadata.name`, matched against one
/// node name.
fn validate_node_field_selector_requirement(
    rq: &NodeSelectorRequirement,
    path: &Path,
    errs: &mut Errors,
) {
    let vp = path.child("values");
    match rq.operator.as_str() {
        "In" | "NotIn" => {
            if rq.values.len() != 1 {
                errs.push(FieldError::required(
                    vp,
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                ));
            }
        }
        other => errs.push(FieldError::invalid(
            path.child("operator"),
            other,
            "not a valid selector operator",
        )),
    }
    if rq.key == "metadata.name" {
        for (i, v) in rq.values.iter().enumerate() {
            invalid_each(errs, &vp.index(i), v, names::is_dns1123_subdomain(v));
        }
    } else {
        errs.push(FieldError::invalid(
            path.child("key"),
            rq.key.as_str(),
            "not a valid field selector key",
        ));
    }
}

fn weight_error(weight: i32, path: &Path, errs: &mut Errors) {
    if !(1..=100).contains(&weight) {
        errs.push(FieldError::invalid(
            path.child("weight"),
            weight,
            "must be in the range 1-100",
        ));
    }
}

fn validate_preferred_scheduling_terms(
    terms: &[PreferredSchedulingTerm],
    path: &Path,
    errs: &mut Errors,
) {
    for (i, term) in terms.iter().enumerate() {
        let ip = path.index(i);
        weight_error(term.weight, &ip, errs);
        // Preferred terms may name label values no node has yet.
        validate_node_selector_term(&term.preference, true, &ip.child("preference"), errs);
    }
}

fn validate_pod_affinity(pa: &PodAffinity, allow: bool, path: &Path, errs: &mut Errors) {
    let rp = path.child("requiredDuringSchedulingIgnoredDuringExecution");
    for (i, term) in pa
        .required_during_scheduling_ignored_during_execution
        .iter()
        .enumerate()
    {
        validate_pod_affinity_term(term, allow, &rp.index(i), errs);
    }
    let pp = path.child("preferredDuringSchedulingIgnoredDuringExecution");
    for (j, wt) in pa
        .preferred_during_scheduling_ignored_during_execution
        .iter()
        .enumerate()
    {
        let WeightedPodAffinityTerm {
            weight,
            pod_affinity_term,
        } = wt;
        let jp = pp.index(j);
        weight_error(*weight, &jp, errs);
        validate_pod_affinity_term(pod_affinity_term, allow, &jp.child("podAffinityTerm"), errs);
    }
}

fn validate_pod_affinity_term(term: &PodAffinityTerm, allow: bool, path: &Path, errs: &mut Errors) {
    if let Some(sel) = &term.label_selector {
        validate_label_selector(sel, allow, &path.child("labelSelector"), errs);
    }
    if let Some(sel) = &term.namespace_selector {
        validate_label_selector(sel, allow, &path.child("namespaceSelector"), errs);
    }
    // The apiserver reports namespace names on the singular `namespace`.
    let nsp = path.child("namespace");
    for ns in &term.namespaces {
        invalid_each(errs, &nsp, ns, names::is_dns1123_label(ns));
    }
    validate_match_label_keys_and_mismatch_label_keys(
        path,
        &term.match_label_keys,
        &term.mismatch_label_keys,
        term.label_selector.as_ref(),
        errs,
    );
    let tk = path.child("topologyKey");
    if term.topology_key.is_empty() {
        errs.push(FieldError::required(tk, "can not be empty"));
    }
    validate_label_name(&term.topology_key, &tk, errs);
}

fn validate_label_keys(
    path: &Path,
    keys: &[String],
    sel: Option<&LabelSelector>,
    errs: &mut Errors,
) {
    if keys.is_empty() {
        return;
    }
    if sel.is_none() {
        errs.push(FieldError::forbidden(
            path,
            "must not be specified when labelSelector is not set",
        ));
        return;
    }
    for (i, k) in keys.iter().enumerate() {
        validate_label_name(k, &path.index(i), errs);
    }
}

/// `validateMatchLabelKeysAndMismatchLabelKeys`. The apiserver merges
/// `matchLabelKeys` into the selector before validating, so a key found both
/// in the selector's labels (or an earlier expression) and in an expression
/// is a duplicate; that error is reported on the term's path indexed by the
/// key's position, as Kubernetes does.
fn validate_match_label_keys_and_mismatch_label_keys(
    path: &Path,
    match_keys: &[String],
    mismatch_keys: &[String],
    sel: Option<&LabelSelector>,
    errs: &mut Errors,
) {
    let mp = path.child("matchLabelKeys");
    validate_label_keys(&mp, match_keys, sel, errs);
    validate_label_keys(&path.child("mismatchLabelKeys"), mismatch_keys, sel, errs);
    if let Some(sel) = sel {
        for (n, expr) in sel.match_expressions.iter().enumerate() {
            let key = &expr.key;
            // The last position wins when a key repeats in matchLabelKeys.
            let Some(i) = match_keys.iter().rposition(|k| k == key) else {
                continue;
            };
            let seen = sel.match_labels.contains_key(key)
                || sel.match_expressions[..n].iter().any(|e| &e.key == key);
            if seen {
                errs.push(FieldError::invalid(
                    path.index(i),
                    key.as_str(),
                    "exists in both matchLabelKeys and labelSelector",
                ));
            }
        }
    }
    for (i, k) in match_keys.iter().enumerate() {
        if mismatch_keys.contains(k) {
            errs.push(FieldError::invalid(
                mp.index(i),
                k.as_str(),
                "exists in both matchLabelKeys and mismatchLabelKeys",
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Tolerations

/// `ValidateTolerations`.
pub fn validate_tolerations(tols: &[Toleration], path: &Path, errs: &mut Errors) {
    for (i, t) in tols.iter().enumerate() {
        let ip = path.index(i);
        let op = ip.child("operator");
        let ep = ip.child("effect");
        if !t.key.is_empty() {
            validate_label_name(&t.key, &ip.child("key"), errs);
        }
        if t.key.is_empty() && t.operator != "Exists" {
            errs.push(FieldError::invalid(
                op,
                t.operator.as_str(),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if t.toleration_seconds.is_some() && t.effect != "NoExecute" {
            errs.push(FieldError::invalid(
                ep,
                t.effect.as_str(),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match t.operator.as_str() {
            "Equal" | "" => {
                let msgs = names::is_valid_label_value(&t.value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(op, t.value.as_str(), msgs.join(";")));
                }
            }
            "Exists" => {
                if !t.value.is_empty() {
                    errs.push(FieldError::invalid(
                        op,
                        t.value.as_str(),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(op, other, &["Equal", "Exists"])),
        }
        if !t.effect.is_empty()
            && !matches!(
                t.effect.as_str(),
                "NoSchedule" | "PreferNoSchedule" | "NoExecute"
            )
        {
            errs.push(FieldError::not_supported(
                ep,
                t.effect.as_str(),
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Topology spread constraints

fn validate_topology_spread_constraints(
    constraints: &[TopologySpreadConstraint],
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    for (i, c) in constraints.iter().enumerate() {
        let cp = path.index(i);
        if c.max_skew <= 0 {
            errs.push(FieldError::invalid(
                cp.child("maxSkew"),
                c.max_skew,
                NOT_POSITIVE,
            ));
        }
        if c.topology_key.is_empty() {
            errs.push(FieldError::required(
                cp.child("topologyKey"),
                "can not be empty",
            ));
        }
        let wp = cp.child("whenUnsatisfiable");
        if c.when_unsatisfiable != "DoNotSchedule" && c.when_unsatisfiable != "ScheduleAnyway" {
            errs.push(FieldError::not_supported(
                wp,
                c.when_unsatisfiable.as_str(),
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
        // {topologyKey, whenUnsatisfiable} identifies one kind of constraint;
        // each one repeated later is reported once, on the earlier entry.
        if constraints.get(i + 1..).is_some_and(|rest| {
            rest.iter().any(|o| {
                o.topology_key == c.topology_key && o.when_unsatisfiable == c.when_unsatisfiable
            })
        }) {
            errs.push(FieldError::duplicate(
                cp.child("{topologyKey, whenUnsatisfiable}"),
                format!("{{{}, {}}}", c.topology_key, c.when_unsatisfiable),
            ));
        }
        if let Some(md) = c.min_domains {
            let mp = cp.child("minDomains");
            if md <= 0 {
                errs.push(FieldError::invalid(mp, md, NOT_POSITIVE));
            }
            if c.when_unsatisfiable != "DoNotSchedule" {
                errs.push(FieldError::invalid(
                    mp,
                    md,
                    format!(
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {}",
                        c.when_unsatisfiable
                    ),
                ));
            }
        }
        for (name, policy) in [
            ("nodeAffinityPolicy", &c.node_affinity_policy),
            ("nodeTaintsPolicy", &c.node_taints_policy),
        ] {
            if let Some(p) = policy {
                if p != "Honor" && p != "Ignore" {
                    errs.push(FieldError::not_supported(
                        cp.child(name),
                        p.as_str(),
                        &["Honor", "Ignore"],
                    ));
                }
            }
        }
        validate_match_label_keys_in_topology_spread(
            &cp.child("matchLabelKeys"),
            &c.match_label_keys,
            c.label_selector.as_ref(),
            errs,
        );
        if !opts.allow_invalid_topology_spread_constraint_label_selector {
            if let Some(sel) = &c.label_selector {
                validate_label_selector(sel, false, &cp.child("labelSelector"), errs);
            }
        }
    }
}

fn validate_match_label_keys_in_topology_spread(
    path: &Path,
    keys: &[String],
    sel: Option<&LabelSelector>,
    errs: &mut Errors,
) {
    if keys.is_empty() {
        return;
    }
    if sel.is_none() {
        errs.push(FieldError::forbidden(
            path,
            "must not be specified when labelSelector is not set",
        ));
    }
    for (i, key) in keys.iter().enumerate() {
        let ip = path.index(i);
        validate_label_name(key, &ip, errs);
        let in_selector = sel.is_some_and(|s| {
            s.match_labels.contains_key(key) || s.match_expressions.iter().any(|e| &e.key == key)
        });
        if in_selector {
            errs.push(FieldError::invalid(
                ip,
                key.as_str(),
                "exists in both matchLabelKeys and labelSelector",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&Path, &mut Errors)) -> Vec<(String, &'static str)> {
        let mut errs = Errors::new();
        let spec = Path::new("spec");
        f(&spec, &mut errs);
        errs.into_iter().map(|e| (e.field, e.kind.name())).collect()
    }

    #[test]
    fn sysctl_namespaces_are_found_for_dotted_and_slashed_names() {
        assert!(sysctl_namespace("net.ipv4.ip_forward") == SysctlNs::Net);
        assert!(sysctl_namespace("net/ipv4/ip_forward") == SysctlNs::Net);
        assert!(sysctl_namespace("kernel.msgmax") == SysctlNs::Ipc);
        assert!(sysctl_namespace("fs.mqueue.msg_max") == SysctlNs::Ipc);
        assert!(sysctl_namespace("kernel.shm_other") == SysctlNs::Unknown);
        assert!(sysctl_namespace("vm.swappiness") == SysctlNs::Unknown);
    }

    #[test]
    fn restart_policy_empty_is_required_and_unknown_is_not_supported() {
        let got = run(|p, e| validate_restart_policy("", &p.child("restartPolicy"), e));
        assert_eq!(
            got,
            vec![("spec.restartPolicy".into(), "FieldValueRequired")]
        );
        let mut errs = Errors::new();
        validate_restart_policy("Sometimes", &Path::new("restartPolicy"), &mut errs);
        assert_eq!(
            errs[0].detail,
            r#"supported values: "Always", "OnFailure", "Never""#
        );
    }

    #[test]
    fn tolerations_with_empty_key_need_exists() {
        let t = Toleration {
            operator: "Equal".into(),
            value: "bar".into(),
            ..Toleration::default()
        };
        let got = run(|p, e| validate_tolerations(&[t], &p.child("tolerations"), e));
        assert_eq!(
            got,
            vec![("spec.tolerations[0].operator".into(), "FieldValueInvalid")]
        );
    }

    #[test]
    fn topology_spread_duplicate_is_reported_on_the_first_entry() {
        let c = TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "zone".into(),
            when_unsatisfiable: "DoNotSchedule".into(),
            ..TopologySpreadConstraint::default()
        };
        let mut errs = Errors::new();
        validate_topology_spread_constraints(
            &[c.clone(), c],
            &Path::new("tsc"),
            &Opts::default(),
            &mut errs,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "tsc[0].{topologyKey, whenUnsatisfiable}");
        assert_eq!(
            errs[0].bad_value,
            Some(Value::from("{zone, DoNotSchedule}"))
        );
    }
    #[test]
    fn label_selector_checks_operators_keys_and_values() {
        let sel = LabelSelector {
            match_labels: StringMap::from([("a/b/c".into(), "v".into())]),
            match_expressions: vec![
                crate::model::LabelSelectorRequirement {
                    key: "k".into(),
                    operator: "In".into(),
                    values: vec!["bad value".into()],
                },
                crate::model::LabelSelectorRequirement {
                    key: "k".into(),
                    operator: "Exists".into(),
                    values: vec!["v".into()],
                },
            ],
        };
        let got = run(|p, e| validate_label_selector(&sel, false, p, e));
        assert_eq!(
            got,
            vec![
                ("spec.matchLabels".into(), "FieldValueInvalid"),
                (
                    "spec.matchExpressions[0].values[0]".into(),
                    "FieldValueInvalid"
                ),
                (
                    "spec.matchExpressions[1].values".into(),
                    "FieldValueForbidden"
                ),
            ]
        );
        let relaxed = run(|p, e| validate_label_selector(&sel, true, p, e));
        assert_eq!(relaxed.len(), 2);
    }

    #[test]
    fn dns_policy_none_needs_a_config_with_nameservers() {
        let got = run(|p, e| validate_pod_dns_config(None, "None", &p.child("dnsConfig"), e));
        assert_eq!(got, vec![("spec.dnsConfig".into(), "FieldValueRequired")]);
        let cfg = PodDnsConfig::default();
        let got = run(|p, e| validate_pod_dns_config(Some(&cfg), "None", &p.child("dnsConfig"), e));
        assert_eq!(
            got,
            vec![("spec.dnsConfig.nameservers".into(), "FieldValueRequired")]
        );
    }

    #[test]
    fn resource_claims_need_exactly_one_source_and_unique_names() {
        let claim = |name: &str, claim: Option<&str>, tmpl: Option<&str>| PodResourceClaim {
            name: name.into(),
            resource_claim_name: claim.map(Into::into),
            resource_claim_template_name: tmpl.map(Into::into),
        };
        let claims = [
            claim("a", Some("c"), None),
            claim("a", None, None),
            claim("b", Some("c"), Some("t")),
        ];
        let got = run(|p, e| validate_pod_resource_claims(&claims, &p.child("resourceClaims"), e));
        assert_eq!(
            got,
            vec![
                ("spec.resourceClaims[1].name".into(), "FieldValueDuplicate"),
                ("spec.resourceClaims[1]".into(), "FieldValueInvalid"),
                ("spec.resourceClaims[2]".into(), "FieldValueInvalid"),
            ]
        );
    }

    #[test]
    fn overhead_quantities_must_not_be_negative() {
        let overhead = crate::model::ResourceList::from([(
            "cpu".into(),
            crate::model::Quantity::new("-100m"),
        )]);
        let mut errs = Errors::new();
        validate_overhead(
            &overhead,
            &Path::new("overhead"),
            &Opts::default(),
            &mut errs,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "overhead.limits[cpu]");
        assert_eq!(errs[0].detail, "must be greater than or equal to 0");
    }
}
