//! Containers, init containers and ephemeral containers: the apiserver's
//! `validateContainers`, `validateInitContainers`,
//! `validateEphemeralContainers` and everything under them (ports, env,
//! mounts, devices, resources, probes, lifecycle hooks, security context).
//!
//! Duplicate checks scan the earlier items of the same list instead of
//! building sets: the lists are short, and a valid pod then costs no
//! allocation. Each scan reproduces exactly which items Kubernetes' set holds
//! at that point, so the same items are reported.

use super::names;
use super::volume::Volumes;
use super::{Errors, Opts, Path};
use crate::errors::FieldError;
use crate::model::quantity::ParsedQuantity;
use crate::model::{
    Capabilities, Container, ContainerPort, ContainerResizePolicy, EnvFromSource, EnvVar,
    HttpGetAction, IntOrString, KeySelector, Lifecycle, LifecycleHandler, PodSpec, Probe, Quantity,
    ResourceClaim, ResourceRequirements, SeccompProfile, SecurityContext, SleepAction,
    VolumeDevice, VolumeMount, WindowsSecurityContextOptions,
};
use serde_json::Value;
use std::collections::BTreeSet;

const IS_NEGATIVE: &str = "must be greater than or equal to 0";
const NOT_INTEGER: &str = "must be an integer";
const EPHEMERAL_FORBIDDEN: &str = "cannot be set for an Ephemeral Container";
const INIT_NOT_RESTARTABLE: &str =
    "may not be set for init containers without restartPolicy=Always";

/// What every container of one pod is validated against.
struct Ctx<'a> {
    vols: &'a Volumes<'a>,
    /// Non-empty `spec.resourceClaims[*].name`, sorted as Kubernetes lists them.
    claims: BTreeSet<&'a str>,
    grace_period: Option<i64>,
    restart_policy: &'a str,
    host_users: bool,
    opts: &'a Opts,
}

/// Validates `spec.containers`, `spec.initContainers` and
/// `spec.ephemeralContainers` and the rules across them (unique names, host
/// ports shared by one network namespace). `path` is the spec's path.
///
/// As podcore validates pods only (never bare templates), this also runs the
/// pod-only container checks of `validatePodMetadataAndSpec`
/// (`validateContainersOnlyForPod`) and `validatePodHostNetworkDeps`.
pub fn validate_containers(
    spec: &PodSpec,
    vols: &Volumes,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    let ctx = Ctx {
        vols,
        claims: spec
            .resource_claims
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !n.is_empty())
            .collect(),
        grace_period: spec.termination_grace_period_seconds,
        restart_policy: &spec.restart_policy,
        host_users: spec.host_users.unwrap_or(true),
        opts,
    };
    let containers_path = path.child("containers");
    let init_path = path.child("initContainers");
    validate_regular_containers(spec, &ctx, &containers_path, errs);
    validate_init_containers(spec, &ctx, &init_path, errs);
    validate_ephemeral_containers(spec, &ctx, &path.child("ephemeralContainers"), errs);
    validate_pod_host_network_deps(spec, &containers_path, errs);
    for (list, list_path) in [
        (&spec.containers, &containers_path),
        (&spec.init_containers, &init_path),
    ] {
        for (i, c) in list.iter().enumerate() {
            validate_container_only_for_pod(c, &list_path.index(i), errs);
        }
    }
}

/// `validateContainers`: the regular containers.
fn validate_regular_containers(spec: &PodSpec, ctx: &Ctx, path: &Path, errs: &mut Errors) {
    let containers = &spec.containers;
    if containers.is_empty() {
        errs.push(FieldError::required(path, ""));
        return;
    }
    for (i, c) in containers.iter().enumerate() {
        let cpath = path.index(i);
        validate_container_common(c, ctx, &cpath, errs);
        if containers[..i].iter().any(|o| o.name == c.name) {
            errs.push(FieldError::duplicate(cpath.child("name"), c.name.as_str()));
        }
        if let Some(lc) = &c.lifecycle {
            validate_lifecycle(lc, ctx.grace_period, &cpath.child("lifecycle"), errs);
        }
        validate_probes(c, &cpath, errs);
        if c.restart_policy.is_some() {
            errs.push(FieldError::forbidden(
                cpath.child("restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
    check_host_port_conflicts(containers, path, errs);
}

/// `validateInitContainers`: init containers, with sidecars
/// (`restartPolicy: Always`) allowed probes and lifecycle hooks.
fn validate_init_containers(spec: &PodSpec, ctx: &Ctx, path: &Path, errs: &mut Errors) {
    let inits = &spec.init_containers;
    for (i, c) in inits.iter().enumerate() {
        let cpath = path.index(i);
        validate_container_common(c, ctx, &cpath, errs);
        let mut restart_always = false;
        if let Some(policy) = &c.restart_policy {
            if policy != "Always" {
                errs.push(FieldError::not_supported(
                    cpath.child("restartPolicy"),
                    policy.as_str(),
                    &["Always"],
                ));
            }
            restart_always = policy == "Always";
        }
        // The set Kubernetes checks holds every regular container name and
        // the non-empty names of earlier init containers.
        let dup = spec.containers.iter().any(|o| o.name == c.name)
            || (!c.name.is_empty() && inits[..i].iter().any(|o| o.name == c.name));
        if dup {
            errs.push(FieldError::duplicate(cpath.child("name"), c.name.as_str()));
        }
        // Init containers run one at a time, so only ports within one
        // container can clash; Kubernetes checks each as a one-element list,
        // which puts every such error under index 0.
        check_host_port_conflicts(std::slice::from_ref(c), path, errs);
        if restart_always {
            if let Some(lc) = &c.lifecycle {
                validate_lifecycle(lc, ctx.grace_period, &cpath.child("lifecycle"), errs);
            }
            validate_probes(c, &cpath, errs);
        } else {
            forbid_set(
                &[
                    (c.lifecycle.is_some(), "lifecycle"),
                    (c.liveness_probe.is_some(), "livenessProbe"),
                    (c.readiness_probe.is_some(), "readinessProbe"),
                    (c.startup_probe.is_some(), "startupProbe"),
                ],
                &cpath,
                INIT_NOT_RESTARTABLE,
                errs,
            );
        }
        if !ctx.opts.allow_sidecar_resize_policy && !c.resize_policy.is_empty() {
            errs.push(FieldError::invalid(
                cpath.child("resizePolicy"),
                to_value(&c.resize_policy),
                "must not be set for init containers",
            ));
        }
    }
}

/// `validateEphemeralContainers`.
fn validate_ephemeral_containers(spec: &PodSpec, ctx: &Ctx, path: &Path, errs: &mut Errors) {
    let ephemeral = &spec.ephemeral_containers;
    let is_other = |name: &str| {
        spec.containers.iter().any(|o| o.name == name)
            || spec.init_containers.iter().any(|o| o.name == name)
    };
    for (i, c) in ephemeral.iter().enumerate() {
        let cpath = path.index(i);
        validate_container_common(c, ctx, &cpath, errs);
        validate_container_only_for_pod(c, &cpath, errs);
        if is_other(&c.name) || ephemeral[..i].iter().any(|o| o.name == c.name) {
            errs.push(FieldError::duplicate(cpath.child("name"), c.name.as_str()));
        }
        if !c.target_container_name.is_empty() && !is_other(&c.target_container_name) {
            errs.push(FieldError::not_found(
                cpath.child("targetContainerName"),
                c.target_container_name.as_str(),
            ));
        }
        // The fields Kubernetes leaves off its allow-list, in the order of
        // the Go struct.
        let res = &c.resources;
        forbid_set(
            &[
                (!c.ports.is_empty(), "ports"),
                (
                    !res.limits.is_empty() || !res.requests.is_empty() || !res.claims.is_empty(),
                    "resources",
                ),
                (!c.resize_policy.is_empty(), "resizePolicy"),
                (c.restart_policy.is_some(), "restartPolicy"),
                (c.liveness_probe.is_some(), "livenessProbe"),
                (c.readiness_probe.is_some(), "readinessProbe"),
                (c.startup_probe.is_some(), "startupProbe"),
                (c.lifecycle.is_some(), "lifecycle"),
            ],
            &cpath,
            EPHEMERAL_FORBIDDEN,
            errs,
        );
        let mounts_path = cpath.child("volumeMounts");
        for (j, m) in c.volume_mounts.iter().enumerate() {
            forbid_set(
                &[
                    (!m.sub_path.is_empty(), "subPath"),
                    (!m.sub_path_expr.is_empty(), "subPathExpr"),
                ],
                &mounts_path.index(j),
                EPHEMERAL_FORBIDDEN,
                errs,
            );
        }
    }
}

/// A Forbidden error under `path` for each field of `fields` that is set.
fn forbid_set(fields: &[(bool, &str)], path: &Path, detail: &str, errs: &mut Errors) {
    for &(set, name) in fields {
        if set {
            errs.push(FieldError::forbidden(path.child(name), detail));
        }
    }
}

/// `validateContainerCommon`: what holds for every kind of container.
fn validate_container_common(c: &Container, ctx: &Ctx, path: &Path, errs: &mut Errors) {
    let name_path = path.child("name");
    if c.name.is_empty() {
        errs.push(FieldError::required(name_path, ""));
    } else {
        invalid_each(errs, &name_path, &c.name, names::is_dns1123_label(&c.name));
    }
    if c.image.is_empty() {
        errs.push(FieldError::required(path.child("image"), ""));
    }
    let tmp_path = path.child("terminationMessagePolicy");
    match c.termination_message_policy.as_str() {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(FieldError::required(tmp_path, "")),
        other => errs.push(FieldError::not_supported(
            tmp_path,
            other,
            &["File", "FallbackToLogsOnError"],
        )),
    }
    validate_container_ports(&c.ports, &path.child("ports"), errs);
    validate_env(&c.env, &path.child("env"), errs);
    validate_env_from(&c.env_from, &path.child("envFrom"), errs);
    validate_volume_mounts(c, ctx.vols, &path.child("volumeMounts"), errs);
    validate_volume_devices(c, ctx.vols, &path.child("volumeDevices"), errs);
    validate_pull_policy(&c.image_pull_policy, &path.child("imagePullPolicy"), errs);
    validate_resource_requirements(
        &c.resources,
        &ctx.claims,
        ctx.opts,
        &path.child("resources"),
        errs,
    );
    validate_resize_policy(
        &c.resize_policy,
        ctx.restart_policy,
        &path.child("resizePolicy"),
        errs,
    );
    if let Some(sc) = &c.security_context {
        validate_security_context(sc, ctx.host_users, &path.child("securityContext"), errs);
    }
}

/// `validateContainerOnlyForPod`.
fn validate_container_only_for_pod(c: &Container, path: &Path, errs: &mut Errors) {
    if c.image.len() != c.image.trim().len() {
        errs.push(FieldError::invalid(
            path.child("image"),
            c.image.as_str(),
            "must not have leading or trailing whitespace",
        ));
    }
}

/// `validatePodHostNetworkDeps` for a pod: with the host's network, each
/// regular container's host port must equal its container port.
fn validate_pod_host_network_deps(spec: &PodSpec, path: &Path, errs: &mut Errors) {
    if !spec.host_network {
        return;
    }
    for (i, c) in spec.containers.iter().enumerate() {
        let cpath = path.index(i);
        let ports_path = cpath.child("ports");
        for (j, p) in c.ports.iter().enumerate() {
            if p.host_port != p.container_port {
                errs.push(FieldError::invalid(
                    ports_path.index(j).child("hostPort"),
                    p.host_port,
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
}

// ---------------------------------------------------------------- ports

fn validate_container_ports(ports: &[ContainerPort], path: &Path, errs: &mut Errors) {
    for (i, p) in ports.iter().enumerate() {
        let ppath = path.index(i);
        if !p.name.is_empty() {
            let msgs = names::is_valid_port_name(&p.name);
            if !msgs.is_empty() {
                invalid_each(errs, &ppath.child("name"), &p.name, msgs);
            } else if ports[..i].iter().any(|o| o.name == p.name) {
                // An earlier port with the same (valid) name is in the set.
                errs.push(FieldError::duplicate(ppath.child("name"), p.name.as_str()));
            }
        }
        if p.container_port == 0 {
            errs.push(FieldError::required(ppath.child("containerPort"), ""));
        } else {
            for msg in names::is_valid_port_num(i64::from(p.container_port)) {
                errs.push(FieldError::invalid(
                    ppath.child("containerPort"),
                    p.container_port,
                    msg,
                ));
            }
        }
        if p.host_port != 0 {
            for msg in names::is_valid_port_num(i64::from(p.host_port)) {
                errs.push(FieldError::invalid(
                    ppath.child("hostPort"),
                    p.host_port,
                    msg,
                ));
            }
        }
        match p.protocol.as_str() {
            "TCP" | "UDP" | "SCTP" => {}
            "" => errs.push(FieldError::required(ppath.child("protocol"), "")),
            other => errs.push(FieldError::not_supported(
                ppath.child("protocol"),
                other,
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
}

/// `checkHostPortConflicts`: a host port may be claimed once per
/// protocol/host IP across `containers`, reported as `proto/ip/port`.
fn check_host_port_conflicts(containers: &[Container], path: &Path, errs: &mut Errors) {
    let same = |a: &ContainerPort, b: &ContainerPort| {
        a.host_port == b.host_port && a.protocol == b.protocol && a.host_ip == b.host_ip
    };
    for (ci, c) in containers.iter().enumerate() {
        for (pi, p) in c.ports.iter().enumerate() {
            if p.host_port == 0 {
                continue;
            }
            let earlier = containers[..ci]
                .iter()
                .flat_map(|o| o.ports.iter())
                .chain(c.ports[..pi].iter())
                .any(|o| same(o, p));
            if earlier {
                let cpath = path.index(ci);
                let ports_path = cpath.child("ports");
                let key = format!("{}/{}/{}", p.protocol, p.host_ip, p.host_port);
                errs.push(FieldError::duplicate(
                    ports_path.index(pi).child("hostPort"),
                    key,
                ));
            }
        }
    }
}

// ------------------------------------------------------------------ env

fn validate_env(vars: &[EnvVar], path: &Path, errs: &mut Errors) {
    for (i, ev) in vars.iter().enumerate() {
        let vpath = path.index(i);
        if ev.name.is_empty() {
            errs.push(FieldError::required(vpath.child("name"), ""));
        } else {
            invalid_each(
                errs,
                &vpath.child("name"),
                &ev.name,
                names::is_env_var_name(&ev.name),
            );
        }
        validate_env_var_value_from(ev, &vpath.child("valueFrom"), errs);
    }
}

fn validate_env_var_value_from(ev: &EnvVar, path: &Path, errs: &mut Errors) {
    let Some(from) = &ev.value_from else {
        return;
    };
    let mut sources = 0;
    if let Some(f) = &from.field_ref {
        sources += 1;
        super::volume::validate_object_field_selector(
            f,
            &ENV_FIELD_PATHS,
            &path.child("fieldRef"),
            errs,
        );
    }
    if let Some(r) = &from.resource_field_ref {
        sources += 1;
        super::volume::validate_resource_field_selector(
            r,
            &path.child("resourceFieldRef"),
            false,
            errs,
        );
    }
    if let Some(k) = &from.config_map_key_ref {
        sources += 1;
        validate_key_selector(k, &path.child("configMapKeyRef"), errs);
    }
    if let Some(k) = &from.secret_key_ref {
        sources += 1;
        validate_key_selector(k, &path.child("secretKeyRef"), errs);
    }
    let msg = if sources == 0 {
        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
    } else if !ev.value.is_empty() {
        "may not be specified when `value` is not empty"
    } else if sources > 1 {
        "may not have more than one field specified at a time"
    } else {
        return;
    };
    errs.push(FieldError::invalid(path, "", msg));
}

/// The downward API fields an environment variable may take unsubscripted.
const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

/// `validateConfigMapKeySelector` / `validateSecretKeySelector`: an empty
/// name fails the name rule rather than being "required".
fn validate_key_selector(s: &KeySelector, path: &Path, errs: &mut Errors) {
    invalid_each(
        errs,
        &path.child("name"),
        &s.name,
        names::name_is_dns_subdomain(&s.name, false),
    );
    if s.key.is_empty() {
        errs.push(FieldError::required(path.child("key"), ""));
    } else {
        invalid_each(
            errs,
            &path.child("key"),
            &s.key,
            names::is_config_map_key(&s.key),
        );
    }
}

fn validate_env_from(sources: &[EnvFromSource], path: &Path, errs: &mut Errors) {
    for (i, ev) in sources.iter().enumerate() {
        let spath = path.index(i);
        if !ev.prefix.is_empty() {
            invalid_each(
                errs,
                &spath.child("prefix"),
                &ev.prefix,
                names::is_env_var_name(&ev.prefix),
            );
        }
        let mut count = 0;
        for (r, name) in [
            (&ev.config_map_ref, "configMapRef"),
            (&ev.secret_ref, "secretRef"),
        ] {
            let Some(r) = r else { continue };
            count += 1;
            let name_path = spath.child(name);
            let name_path = name_path.child("name");
            if r.name.is_empty() {
                errs.push(FieldError::required(name_path, ""));
            } else {
                invalid_each(
                    errs,
                    &name_path,
                    &r.name,
                    names::name_is_dns_subdomain(&r.name, true),
                );
            }
        }
        // Kubernetes reports these on the list, not the entry.
        if count == 0 {
            errs.push(FieldError::invalid(
                path,
                "",
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if count > 1 {
            errs.push(FieldError::invalid(
                path,
                "",
                "may not have more than one field specified at a time",
            ));
        }
    }
}

// --------------------------------------------------------------- mounts

/// `validateLocalDescendingPath`: relative, without `..` elements.
fn validate_local_descending_path(target: &str, path: &Path, errs: &mut Errors) {
    if target.starts_with('/') {
        errs.push(FieldError::invalid(path, target, "must be a relative path"));
    }
    if has_backsteps(target) {
        errs.push(FieldError::invalid(path, target, "must not contain '..'"));
    }
}

/// Whether any `/`-separated element is `..` (the apiserver runs on Linux,
/// where `filepath.ToSlash` changes nothing).
fn has_backsteps(target: &str) -> bool {
    target.split('/').any(|e| e == "..")
}

/// The devices of a container as Kubernetes' name → path map: for a name
/// given twice, only the last path counts.
fn device_paths(devices: &[VolumeDevice]) -> impl Iterator<Item = &str> {
    devices
        .iter()
        .enumerate()
        .filter(|(i, d)| !devices[i + 1..].iter().any(|o| o.name == d.name))
        .map(|(_, d)| d.device_path.as_str())
}

/// The mounts of a container as Kubernetes' name → path map.
fn mount_paths(mounts: &[VolumeMount]) -> impl Iterator<Item = &str> {
    mounts
        .iter()
        .enumerate()
        .filter(|(i, m)| !mounts[i + 1..].iter().any(|o| o.name == m.name))
        .map(|(_, m)| m.mount_path.as_str())
}

/// `ValidateVolumeMounts`. Kubernetes puts the errors of `subPath`,
/// `subPathExpr`'s path rules, `mountPropagation` and `recursiveReadOnly`
/// on the list's path, without the index; so does this.
fn validate_volume_mounts(c: &Container, vols: &Volumes, path: &Path, errs: &mut Errors) {
    let mounts = &c.volume_mounts;
    for (i, m) in mounts.iter().enumerate() {
        let mpath = path.index(i);
        if m.name.is_empty() {
            errs.push(FieldError::required(mpath.child("name"), ""));
        }
        if !vols.by_name.contains_key(m.name.as_str()) {
            errs.push(FieldError::not_found(mpath.child("name"), m.name.as_str()));
        }
        if m.mount_path.is_empty() {
            errs.push(FieldError::required(mpath.child("mountPath"), ""));
        }
        if mounts[..i].iter().any(|o| o.mount_path == m.mount_path) {
            errs.push(FieldError::invalid(
                mpath.child("mountPath"),
                m.mount_path.as_str(),
                "must be unique",
            ));
        }
        if c.volume_devices.iter().any(|d| d.name == m.name) {
            errs.push(FieldError::invalid(
                mpath.child("name"),
                m.name.as_str(),
                "must not already exist in volumeDevices",
            ));
        }
        if device_paths(&c.volume_devices).any(|p| p == m.mount_path) {
            errs.push(FieldError::invalid(
                mpath.child("mountPath"),
                m.mount_path.as_str(),
                "must not already exist as a path in volumeDevices",
            ));
        }
        if !m.sub_path.is_empty() {
            validate_local_descending_path(&m.sub_path, &path.child("subPath"), errs);
        }
        if !m.sub_path_expr.is_empty() {
            if !m.sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    mpath.child("subPathExpr"),
                    m.sub_path_expr.as_str(),
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            validate_local_descending_path(&m.sub_path_expr, &path.child("subPathExpr"), errs);
        }
        if let Some(mp) = &m.mount_propagation {
            validate_mount_propagation(mp, c, &path.child("mountPropagation"), errs);
        }
        validate_recursive_read_only(m, &path.child("recursiveReadOnly"), errs);
    }
}

fn validate_mount_propagation(mode: &str, c: &Container, path: &Path, errs: &mut Errors) {
    if !matches!(mode, "Bidirectional" | "HostToContainer" | "None") {
        errs.push(FieldError::not_supported(
            path,
            mode,
            &["Bidirectional", "HostToContainer", "None"],
        ));
    }
    let privileged = c
        .security_context
        .as_ref()
        .and_then(|sc| sc.privileged)
        .unwrap_or(false);
    if mode == "Bidirectional" && !privileged {
        errs.push(FieldError::forbidden(
            path,
            "Bidirectional mount propagation is available only to privileged containers",
        ));
    }
}

fn validate_recursive_read_only(m: &VolumeMount, path: &Path, errs: &mut Errors) {
    let Some(rro) = &m.recursive_read_only else {
        return;
    };
    match rro.as_str() {
        "Disabled" => {}
        "Enabled" | "IfPossible" => {
            if !m.read_only {
                errs.push(FieldError::forbidden(
                    path,
                    "may only be specified when readOnly is true",
                ));
            }
            if m.mount_propagation.as_deref().is_some_and(|p| p != "None") {
                errs.push(FieldError::forbidden(
                    path,
                    "may only be specified when mountPropagation is None or not specified",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            path,
            other,
            &["Disabled", "Enabled", "IfPossible"],
        )),
    }
}

/// `ValidateVolumeDevices`: block devices come from claims (a PVC or a
/// generic ephemeral volume) and may not overlap the mounts.
fn validate_volume_devices(c: &Container, vols: &Volumes, path: &Path, errs: &mut Errors) {
    let devices = &c.volume_devices;
    for (i, d) in devices.iter().enumerate() {
        let dpath = path.index(i);
        let name = d.name.as_str();
        let dev_path = d.device_path.as_str();
        let volume = vols.by_name.get(name);
        if name.is_empty() {
            errs.push(FieldError::required(dpath.child("name"), ""));
        }
        if !name.is_empty() && devices[..i].iter().any(|o| o.name == name) {
            errs.push(FieldError::invalid(
                dpath.child("name"),
                name,
                "must be unique",
            ));
        }
        match volume {
            Some(v) if v.persistent_volume_claim.is_none() && v.ephemeral.is_none() => {
                errs.push(FieldError::invalid(
                    dpath.child("name"),
                    name,
                    "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
                ));
            }
            Some(_) => {}
            None => errs.push(FieldError::not_found(dpath.child("name"), name)),
        }
        if dev_path.is_empty() {
            errs.push(FieldError::required(dpath.child("devicePath"), ""));
        }
        let backsteps = !dev_path.is_empty() && has_backsteps(dev_path);
        // Paths with backsteps never enter Kubernetes' set of seen paths.
        if !backsteps && devices[..i].iter().any(|o| o.device_path == dev_path) {
            errs.push(FieldError::invalid(
                dpath.child("devicePath"),
                dev_path,
                "must be unique",
            ));
        }
        if backsteps {
            errs.push(FieldError::invalid(
                dpath.child("devicePath"),
                dev_path,
                "can not contain backsteps ('..')",
            ));
        }
        if c.volume_mounts.iter().any(|m| m.name == name) {
            errs.push(FieldError::invalid(
                dpath.child("name"),
                name,
                "must not already exist in volumeMounts",
            ));
        }
        if mount_paths(&c.volume_mounts).any(|p| p == dev_path) {
            errs.push(FieldError::invalid(
                dpath.child("devicePath"),
                dev_path,
                "must not already exist as a path in volumeMounts",
            ));
        }
    }
}

// --------------------------------------------------------------- policy

fn validate_pull_policy(policy: &str, path: &Path, errs: &mut Errors) {
    match policy {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(path, "")),
        other => errs.push(FieldError::not_supported(
            path,
            other,
            &["Always", "IfNotPresent", "Never"],
        )),
    }
}

/// `validateResizePolicy`. Kubernetes reports a missing or unknown value on
/// the list's path and only a repeated resource on the entry.
fn validate_resize_policy(
    policies: &[ContainerResizePolicy],
    pod_restart_policy: &str,
    path: &Path,
    errs: &mut Errors,
) {
    for (i, p) in policies.iter().enumerate() {
        if policies[..i]
            .iter()
            .any(|o| o.resource_name == p.resource_name)
        {
            errs.push(FieldError::duplicate(
                path.index(i),
                p.resource_name.as_str(),
            ));
        }
        match p.resource_name.as_str() {
            "cpu" | "memory" => {}
            "" => errs.push(FieldError::required(path, "")),
            other => errs.push(FieldError::not_supported(path, other, &["cpu", "memory"])),
        }
        match p.restart_policy.as_str() {
            "NotRequired" | "RestartContainer" => {}
            "" => errs.push(FieldError::required(path, "")),
            other => errs.push(FieldError::not_supported(
                path,
                other,
                &["NotRequired", "RestartContainer"],
            )),
        }
        if pod_restart_policy == "Never" && p.restart_policy != "NotRequired" {
            errs.push(FieldError::invalid(
                path,
                p.restart_policy.as_str(),
                "must be 'NotRequired' when `restartPolicy` is 'Never'",
            ));
        }
    }
}

// ------------------------------------------------------------ resources

/// Resource names `IsStandardResourceName` knows, besides huge pages.
const STANDARD_RESOURCES: [&str; 20] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];

/// Object counts, which quota measures in whole numbers.
const INTEGER_RESOURCES: [&str; 9] = [
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

fn is_huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsNativeResource`: unprefixed, or in a `kubernetes.io/` domain.
fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_extended(name: &str) -> bool {
    if is_native(name) || name.starts_with("requests.") {
        return false;
    }
    names::is_qualified_name(&format!("requests.{name}")).is_empty()
}

fn is_overcommit_allowed(name: &str) -> bool {
    is_native(name) && !is_huge_pages(name)
}

fn is_integer_resource(name: &str) -> bool {
    INTEGER_RESOURCES.contains(&name) || is_extended(name)
}

/// `validateContainerResourceName`.
fn validate_container_resource_name(name: &str, path: &Path, errs: &mut Errors) {
    let msgs = names::is_qualified_name(name);
    let unprefixed = !name.contains('/');
    if !msgs.is_empty() {
        invalid_each(errs, path, name, msgs);
    } else if unprefixed
        && !STANDARD_RESOURCES.contains(&name)
        && !is_huge_pages(name)
        && !name.starts_with("requests.hugepages-")
    {
        errs.push(FieldError::invalid(
            path,
            name,
            "must be a standard resource type or fully qualified",
        ));
    }
    if unprefixed {
        if !matches!(name, "cpu" | "memory" | "ephemeral-storage") && !is_huge_pages(name) {
            errs.push(FieldError::invalid(
                path,
                name,
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push(FieldError::invalid(
            path,
            name,
            "doesn't follow extended resource name standard",
        ));
    }
}

/// `ValidateResourceQuantityValue` and, for huge pages, the page-size rule.
/// Returns the parsed quantity for the request/limit comparison.
fn validate_quantity<'q>(
    name: &str,
    q: &'q Quantity,
    opts: &Opts,
    path: &Path,
    errs: &mut Errors,
) -> Option<&'q ParsedQuantity> {
    // A quantity that does not parse never reaches validation in Kubernetes
    // (decoding rejects the request), so there is nothing to add here.
    let parsed = q.parsed().ok()?;
    if parsed.sign() < 0 {
        errs.push(FieldError::invalid(path, parsed.to_string(), IS_NEGATIVE));
    }
    if is_integer_resource(name) && parsed.milli_value() % 1000 != 0 {
        errs.push(FieldError::invalid(path, parsed.to_string(), NOT_INTEGER));
    }
    if is_huge_pages(name) && !opts.allow_indivisible_huge_pages_values {
        let divisible = name
            .strip_prefix("hugepages-")
            .and_then(|size| Quantity::parse(size).ok())
            .is_some_and(|page| {
                page.sign() > 0
                    && page.milli_value() % 1000 == 0
                    && page.value() != 0
                    && parsed.value() % page.value() == 0
            });
        if !divisible {
            errs.push(FieldError::invalid(
                path,
                parsed.to_string(),
                format!("{parsed} is not positive integer multiple of {name}"),
            ));
        }
    }
    Some(parsed)
}

/// `ValidateContainerResourceRequirements`; also the pod's overhead, which
/// the apiserver checks as a container's limits. `pod_claims` are the names
/// in `spec.resourceClaims` that `claims` may refer to.
pub fn validate_resource_requirements(
    req: &ResourceRequirements,
    pod_claims: &BTreeSet<&str>,
    opts: &Opts,
    path: &Path,
    errs: &mut Errors,
) {
    let lim_path = path.child("limits");
    let req_path = path.child("requests");
    let cpu_or_memory = |name: &str| name == "cpu" || name == "memory";
    for (name, q) in &req.limits {
        let qpath = lim_path.key(name);
        validate_container_resource_name(name, &qpath, errs);
        validate_quantity(name, q, opts, &qpath, errs);
    }
    for (name, q) in &req.requests {
        let qpath = req_path.key(name);
        validate_container_resource_name(name, &qpath, errs);
        let request = validate_quantity(name, q, opts, &qpath, errs);
        match req.limits.get(name) {
            Some(limit) => {
                let (Some(request), Ok(limit)) = (request, limit.parsed()) else {
                    continue;
                };
                if request != limit && !is_overcommit_allowed(name) {
                    errs.push(FieldError::invalid(
                        req_path,
                        request.to_string(),
                        format!("must be equal to {name} limit of {limit}"),
                    ));
                } else if request > limit {
                    errs.push(FieldError::invalid(
                        req_path,
                        request.to_string(),
                        format!("must be less than or equal to {name} limit of {limit}"),
                    ));
                }
            }
            None if !is_overcommit_allowed(name) => errs.push(FieldError::required(
                lim_path,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
    let has_cpu_or_memory = req
        .limits
        .keys()
        .chain(req.requests.keys())
        .any(|n| cpu_or_memory(n));
    let has_huge_pages = req
        .limits
        .keys()
        .chain(req.requests.keys())
        .any(|n| is_huge_pages(n));
    if has_huge_pages && !has_cpu_or_memory {
        errs.push(FieldError::forbidden(
            path,
            "HugePages require cpu or memory",
        ));
    }
    validate_resource_claim_names(&req.claims, pod_claims, &path.child("claims"), errs);
}

/// `validateResourceClaimNames`: each entry names a pod resource claim,
/// once, or distinct requests of it.
fn validate_resource_claim_names(
    claims: &[ResourceClaim],
    pod_claims: &BTreeSet<&str>,
    path: &Path,
    errs: &mut Errors,
) {
    if claims.is_empty() {
        return;
    }
    // Keys are `name` or `name/request`, as Kubernetes records them.
    let mut seen: Vec<String> = Vec::new();
    for (i, claim) in claims.iter().enumerate() {
        let cpath = path.index(i);
        let name = claim.name.as_str();
        if name.is_empty() {
            errs.push(FieldError::required(cpath, ""));
            continue;
        }
        if seen.iter().any(|k| k == name) {
            errs.push(FieldError::duplicate(cpath, name));
        } else {
            let mut key = name.to_owned();
            if !claim.request.is_empty() {
                invalid_each(
                    errs,
                    &cpath.child("request"),
                    &claim.request,
                    names::is_dns1123_label(&claim.request),
                );
                key.push('/');
                key.push_str(&claim.request);
            }
            if seen.contains(&key) {
                errs.push(FieldError::duplicate(cpath, key.as_str()));
            } else if claim.request.is_empty() {
                for k in &seen {
                    if k.split_once('/').is_some_and(|(n, _)| n == name) {
                        errs.push(FieldError::duplicate(cpath, name));
                    }
                }
            }
            seen.push(key);
        }
        if !pod_claims.contains(name) {
            let detail = if pod_claims.is_empty() {
                "must be one of the names in pod.spec.resourceClaims which is empty".to_owned()
            } else {
                let listed: Vec<&str> = pod_claims.iter().copied().collect();
                format!(
                    "must be one of the names in pod.spec.resourceClaims: {}",
                    listed.join(", ")
                )
            };
            let mut e = FieldError::not_found(cpath, name);
            e.detail = detail;
            errs.push(e);
        }
    }
}

// ---------------------------------------------------- probes & handlers

/// Probes have no sleep action, so unlike hooks they ignore the grace period.
fn validate_probes(c: &Container, path: &Path, errs: &mut Errors) {
    if let Some(p) = &c.liveness_probe {
        let ppath = path.child("livenessProbe");
        validate_probe(p, &ppath, errs);
        if p.success_threshold != 1 {
            errs.push(FieldError::invalid(
                ppath.child("successThreshold"),
                p.success_threshold,
                "must be 1",
            ));
        }
    }
    if let Some(p) = &c.readiness_probe {
        let ppath = path.child("readinessProbe");
        validate_probe(p, &ppath, errs);
        if let Some(t) = p.termination_grace_period_seconds {
            errs.push(FieldError::invalid(
                ppath.child("terminationGracePeriodSeconds"),
                t,
                "must not be set for readinessProbes",
            ));
        }
    }
    if let Some(p) = &c.startup_probe {
        let ppath = path.child("startupProbe");
        validate_probe(p, &ppath, errs);
        if p.success_threshold != 1 {
            errs.push(FieldError::invalid(
                ppath.child("successThreshold"),
                p.success_threshold,
                "must be 1",
            ));
        }
    }
}

fn validate_probe(p: &Probe, path: &Path, errs: &mut Errors) {
    let handler = Handler {
        exec: p.exec.as_ref().map(|e| e.command.as_slice()),
        http_get: p.http_get.as_ref(),
        tcp_port: p.tcp_socket.as_ref().map(|t| &t.port),
        grpc_port: p.grpc.as_ref().map(|g| g.port),
        sleep: None,
    };
    validate_handler(&handler, None, path, errs);
    for (v, name) in [
        (p.initial_delay_seconds, "initialDelaySeconds"),
        (p.timeout_seconds, "timeoutSeconds"),
        (p.period_seconds, "periodSeconds"),
        (p.success_threshold, "successThreshold"),
        (p.failure_threshold, "failureThreshold"),
    ] {
        if v < 0 {
            errs.push(FieldError::invalid(path.child(name), v, IS_NEGATIVE));
        }
    }
    if let Some(t) = p.termination_grace_period_seconds {
        if t <= 0 {
            errs.push(FieldError::invalid(
                path.child("terminationGracePeriodSeconds"),
                t,
                "must be greater than 0",
            ));
        }
    }
}

fn validate_lifecycle(lc: &Lifecycle, grace: Option<i64>, path: &Path, errs: &mut Errors) {
    for (h, name) in [(&lc.post_start, "postStart"), (&lc.pre_stop, "preStop")] {
        if let Some(h) = h {
            validate_handler(&Handler::from(h), grace, &path.child(name), errs);
        }
    }
}

/// Kubernetes' `commonHandler`: the actions of a probe or a lifecycle hook.
struct Handler<'a> {
    exec: Option<&'a [String]>,
    http_get: Option<&'a HttpGetAction>,
    tcp_port: Option<&'a IntOrString>,
    grpc_port: Option<i32>,
    sleep: Option<&'a SleepAction>,
}

impl<'a> From<&'a LifecycleHandler> for Handler<'a> {
    fn from(h: &'a LifecycleHandler) -> Self {
        Handler {
            exec: h.exec.as_ref().map(|e| e.command.as_slice()),
            http_get: h.http_get.as_ref(),
            tcp_port: h.tcp_socket.as_ref().map(|t| &t.port),
            grpc_port: None,
            sleep: h.sleep.as_ref(),
        }
    }
}

/// `validateHandler`: exactly one action; the first one given is validated
/// and every later one is forbidden.
fn validate_handler(h: &Handler, grace: Option<i64>, path: &Path, errs: &mut Errors) {
    let mut count = 0;
    let mut take = |name: &str, errs: &mut Errors| -> bool {
        if count > 0 {
            errs.push(FieldError::forbidden(
                path.child(name),
                "may not specify more than 1 handler type",
            ));
            false
        } else {
            count += 1;
            true
        }
    };
    if let Some(cmd) = h.exec {
        if take("exec", errs) && cmd.is_empty() {
            let epath = path.child("exec");
            errs.push(FieldError::required(epath.child("command"), ""));
        }
    }
    if let Some(g) = h.http_get {
        if take("httpGet", errs) {
            validate_http_get(g, &path.child("httpGet"), errs);
        }
    }
    if let Some(port) = h.tcp_port {
        if take("tcpSocket", errs) {
            let tpath = path.child("tcpSocket");
            validate_port_num_or_name(port, &tpath.child("port"), errs);
        }
    }
    if let Some(port) = h.grpc_port {
        if take("grpc", errs) {
            let gpath = path.child("grpc");
            validate_port_num_or_name(&IntOrString::Int(port), &gpath.child("port"), errs);
        }
    }
    if let Some(s) = h.sleep {
        if take("sleep", errs) {
            // A missing grace period is reported elsewhere; v1.33 allows a
            // zero sleep (PodLifecycleSleepActionAllowZero is on by default).
            if let Some(g) = grace {
                if s.seconds < 0 || s.seconds > g {
                    errs.push(FieldError::invalid(
                        path.child("sleep"),
                        s.seconds,
                        format!(
                            "must be non-negative and less than terminationGracePeriodSeconds ({g})"
                        ),
                    ));
                }
            }
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
}

fn validate_http_get(h: &HttpGetAction, path: &Path, errs: &mut Errors) {
    if h.path.is_empty() {
        errs.push(FieldError::required(path.child("path"), ""));
    }
    validate_port_num_or_name(&h.port, &path.child("port"), errs);
    if h.scheme != "HTTP" && h.scheme != "HTTPS" {
        errs.push(FieldError::not_supported(
            path.child("scheme"),
            h.scheme.as_str(),
            &["HTTP", "HTTPS"],
        ));
    }
    let headers_path = path.child("httpHeaders");
    for header in &h.http_headers {
        invalid_each(
            errs,
            &headers_path,
            &header.name,
            names::is_http_header_name(&header.name),
        );
    }
}

/// `ValidatePortNumOrName`.
fn validate_port_num_or_name(port: &IntOrString, path: &Path, errs: &mut Errors) {
    match port {
        IntOrString::Int(n) => {
            for msg in names::is_valid_port_num(i64::from(*n)) {
                errs.push(FieldError::invalid(path, *n, msg));
            }
        }
        IntOrString::String(s) => invalid_each(errs, path, s, names::is_valid_port_name(s)),
    }
}

// ------------------------------------------------------ security context

/// `ValidateSecurityContext`. Privileged containers are allowed: podcore
/// models a cluster whose apiserver runs with `--allow-privileged=true`, as
/// kubeadm, kind and managed clusters configure it.
fn validate_security_context(
    sc: &SecurityContext,
    host_users: bool,
    path: &Path,
    errs: &mut Errors,
) {
    if let Some(uid) = sc.run_as_user {
        for msg in names::is_valid_user_id(uid) {
            errs.push(FieldError::invalid(path.child("runAsUser"), uid, msg));
        }
    }
    if let Some(gid) = sc.run_as_group {
        for msg in names::is_valid_group_id(gid) {
            errs.push(FieldError::invalid(path.child("runAsGroup"), gid, msg));
        }
    }
    if let Some(pm) = &sc.proc_mount {
        let pm_path = path.child("procMount");
        if pm != "Default" && pm != "Unmasked" {
            errs.push(FieldError::not_supported(
                pm_path,
                pm.as_str(),
                &["Default", "Unmasked"],
            ));
        }
        if host_users && pm == "Unmasked" {
            errs.push(FieldError::invalid(
                pm_path,
                pm.as_str(),
                "`hostUsers` must be false to use `Unmasked`",
            ));
        }
    }
    if let Some(sp) = &sc.seccomp_profile {
        validate_seccomp_profile(sp, &path.child("seccompProfile"), errs);
    }
    if sc.allow_privilege_escalation == Some(false) {
        if sc.privileged == Some(true) {
            errs.push(FieldError::invalid(
                path,
                to_value(sc),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        let adds = sc
            .capabilities
            .as_ref()
            .map_or(&[][..], |c: &Capabilities| &c.add[..]);
        for cap in adds {
            if cap == "CAP_SYS_ADMIN" {
                errs.push(FieldError::invalid(
                    path,
                    to_value(sc),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                ));
            }
        }
    }
    if let Some(w) = &sc.windows_options {
        validate_windows_options(w, &path.child("windowsOptions"), errs);
    }
    if let Some(ap) = &sc.app_armor_profile {
        let ppath = path.child("appArmorProfile");
        validate_app_armor_profile(&ap.type_, ap.localhost_profile.as_deref(), &ppath, errs);
    }
}

/// `validateSeccompProfileField`.
pub(crate) fn validate_seccomp_profile(sp: &SeccompProfile, path: &Path, errs: &mut Errors) {
    let type_path = path.child("type");
    match sp.type_.as_str() {
        "Localhost" | "RuntimeDefault" | "Unconfined" => {}
        "" => errs.push(FieldError::required(
            type_path,
            "type is required when seccompProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            type_path,
            other,
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    let lp_path = path.child("localhostProfile");
    if sp.type_ == "Localhost" {
        match &sp.localhost_profile {
            None => errs.push(FieldError::required(
                lp_path,
                "must be set when seccomp type is Localhost",
            )),
            Some(p) => validate_local_descending_path(p, &lp_path, errs),
        }
    } else if sp.localhost_profile.is_some() {
        errs.push(FieldError::invalid(
            lp_path,
            to_value(sp),
            "can only be set when seccomp type is Localhost",
        ));
    }
}

/// `ValidateAppArmorProfileField`.
pub(crate) fn validate_app_armor_profile(
    type_: &str,
    localhost_profile: Option<&str>,
    path: &Path,
    errs: &mut Errors,
) {
    let lp_path = path.child("localhostProfile");
    match type_ {
        "Localhost" => match localhost_profile {
            None => errs.push(FieldError::required(
                lp_path,
                "must be set when AppArmor type is Localhost",
            )),
            Some(p) => {
                if p.trim() != p {
                    errs.push(FieldError::invalid(
                        lp_path,
                        p,
                        "must not be padded with whitespace",
                    ));
                } else if p.is_empty() {
                    errs.push(FieldError::required(
                        lp_path,
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                // PATH_MAX - 1
                if p.len() > 4095 {
                    errs.push(FieldError::too_long(lp_path, 4095));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(p) = localhost_profile {
                errs.push(FieldError::invalid(
                    lp_path,
                    p,
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(FieldError::required(
            path.child("type"),
            "type is required when appArmorProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            path.child("type"),
            other,
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
}

const MAX_GMSA_CREDENTIAL_SPEC_LENGTH: usize = 64 * 1024;
const MAX_RUN_AS_USER_NAME_DOMAIN_LENGTH: usize = 256;
const MAX_RUN_AS_USER_NAME_USER_LENGTH: usize = 104;

/// A NetBIOS domain: 1 to 15 characters, none of `\/:*?"<>|`, not starting
/// with a dot.
fn is_netbios_domain(domain: &str) -> bool {
    let forbidden = |c: char| matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|');
    let mut chars = domain.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    !forbidden(first) && first != '.' && domain.chars().count() <= 15 && !chars.any(forbidden)
}

/// A DNS domain of labels of ASCII letters, digits and inner dashes.
fn is_dns_domain(domain: &str) -> bool {
    domain.split('.').all(|label| {
        let b = label.as_bytes();
        matches!(b, [first, .., last] if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric())
            || matches!(b, [only] if only.is_ascii_alphanumeric())
    }) && domain
        .split('.')
        .all(|l| l.len() <= 63 && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
}

/// `validateWindowsSecurityContextOptions`.
pub(crate) fn validate_windows_options(
    w: &WindowsSecurityContextOptions,
    path: &Path,
    errs: &mut Errors,
) {
    if let Some(name) = &w.gmsa_credential_spec_name {
        let npath = path.child("gmsaCredentialSpecName");
        invalid_each(errs, &npath, name, names::is_dns1123_subdomain(name));
    }
    if let Some(spec) = &w.gmsa_credential_spec {
        let spath = path.child("gmsaCredentialSpec");
        if spec.is_empty() {
            errs.push(FieldError::invalid(
                spath,
                spec.as_str(),
                "gmsaCredentialSpec cannot be an empty string",
            ));
        } else if spec.len() > MAX_GMSA_CREDENTIAL_SPEC_LENGTH {
            errs.push(FieldError::invalid(
                spath,
                spec.as_str(),
                "gmsaCredentialSpec size must be under 64 KiB",
            ));
        }
    }
    let Some(user_name) = &w.run_as_user_name else {
        return;
    };
    let upath = path.child("runAsUserName");
    let bad = |msg: String, errs: &mut Errors| {
        errs.push(FieldError::invalid(upath, user_name.as_str(), msg));
    };
    if user_name.is_empty() {
        bad("runAsUserName cannot be an empty string".into(), errs);
        return;
    }
    if user_name
        .chars()
        .any(|c| (c as u32) < 0x20 || c as u32 == 0x7f)
    {
        bad(
            "runAsUserName cannot contain control characters".into(),
            errs,
        );
        return;
    }
    let parts: Vec<&str> = user_name.split('\\').collect();
    let (domain, user) = match parts.as_slice() {
        [user] => (None, *user),
        [domain, user] => (Some(*domain), *user),
        _ => {
            bad(
                "runAsUserName cannot contain more than one backslash".into(),
                errs,
            );
            return;
        }
    };
    if domain.is_some_and(|d| d.len() >= MAX_RUN_AS_USER_NAME_DOMAIN_LENGTH) {
        bad(
            format!(
                "runAsUserName's Domain length must be under {MAX_RUN_AS_USER_NAME_DOMAIN_LENGTH} characters"
            ),
            errs,
        );
    }
    if let Some(d) = domain {
        if !is_netbios_domain(d) && !is_dns_domain(d) {
            bad(
                "runAsUserName's Domain doesn't match the NetBios nor the DNS format".into(),
                errs,
            );
        }
    }
    if user.is_empty() {
        bad("runAsUserName's User cannot be empty".into(), errs);
    } else if user.len() > MAX_RUN_AS_USER_NAME_USER_LENGTH {
        bad(
            format!(
                "runAsUserName's User length must not be longer than {MAX_RUN_AS_USER_NAME_USER_LENGTH} characters"
            ),
            errs,
        );
    }
    if !user.is_empty() && user.chars().all(|c| c == '.' || c == ' ') {
        bad(
            "runAsUserName's User cannot contain only periods or spaces".into(),
            errs,
        );
    }
    if user.chars().any(|c| "\"/\\:;|=,+*?<>@[]".contains(c)) {
        bad(
            "runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]"
                .into(),
            errs,
        );
    }
}

// ---------------------------------------------------------------- utils

/// One `Invalid` error per message of a name validator.
fn invalid_each(errs: &mut Errors, path: &Path, value: &str, msgs: Vec<String>) {
    for msg in msgs {
        errs.push(FieldError::invalid(path, value, msg));
    }
}

/// A model value as the JSON Kubernetes would echo back.
fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContainerPort, PodResourceClaim, ResourceClaim, SleepAction, Volume};
    use std::collections::HashMap;

    fn ctr(name: &str) -> Container {
        Container {
            name: name.into(),
            image: "img".into(),
            termination_message_policy: "File".into(),
            image_pull_policy: "IfNotPresent".into(),
            ..Container::default()
        }
    }

    fn spec(containers: Vec<Container>) -> PodSpec {
        PodSpec {
            containers,
            restart_policy: "Always".into(),
            termination_grace_period_seconds: Some(30),
            ..PodSpec::default()
        }
    }

    fn run(spec: &PodSpec) -> Vec<(String, &'static str)> {
        let vols = Volumes {
            by_name: spec.volumes.iter().map(|v| (v.name.as_str(), v)).collect(),
        };
        let mut errs = Errors::new();
        validate_containers(spec, &vols, &Path::new("spec"), &Opts::default(), &mut errs);
        let mut out: Vec<_> = errs.into_iter().map(|e| (e.field, e.kind.name())).collect();
        out.sort();
        out
    }

    fn one(field: &str, kind: &'static str) -> Vec<(String, &'static str)> {
        vec![(field.to_owned(), kind)]
    }

    #[test]
    fn a_minimal_container_is_valid() {
        assert!(run(&spec(vec![ctr("c")])).is_empty());
    }

    #[test]
    fn no_containers_is_one_required_error() {
        assert_eq!(
            run(&spec(vec![])),
            one("spec.containers", "FieldValueRequired")
        );
    }

    #[test]
    fn init_container_host_ports_are_checked_alone_under_index_zero() {
        let port = |hp| ContainerPort {
            container_port: 80,
            host_port: hp,
            protocol: "TCP".into(),
            ..ContainerPort::default()
        };
        let mut s = spec(vec![ctr("c")]);
        s.containers[0].ports = vec![port(8080)];
        let mut init = ctr("i");
        init.ports = vec![port(8080), port(8080)];
        s.init_containers = vec![ctr("i0"), init];
        assert_eq!(
            run(&s),
            one(
                "spec.initContainers[0].ports[1].hostPort",
                "FieldValueDuplicate"
            )
        );
    }

    #[test]
    fn resource_claims_must_name_pod_claims() {
        let mut s = spec(vec![ctr("c")]);
        s.resource_claims = vec![PodResourceClaim {
            name: "gpu".into(),
            resource_claim_name: Some("x".into()),
            ..PodResourceClaim::default()
        }];
        let claim = |name: &str, request: &str| ResourceClaim {
            name: name.into(),
            request: request.into(),
        };
        s.containers[0].resources.claims = vec![
            claim("gpu", "a"),
            claim("gpu", ""),
            claim("other", ""),
            claim("", ""),
        ];
        let vols = Volumes {
            by_name: HashMap::new(),
        };
        let mut errs = Errors::new();
        validate_containers(&s, &vols, &Path::new("spec"), &Opts::default(), &mut errs);
        let got: Vec<_> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.kind.name()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "spec.containers[0].resources.claims[1]",
                    "FieldValueDuplicate"
                ),
                (
                    "spec.containers[0].resources.claims[2]",
                    "FieldValueNotFound"
                ),
                (
                    "spec.containers[0].resources.claims[3]",
                    "FieldValueRequired"
                ),
            ]
        );
        assert_eq!(
            errs[1].detail,
            "must be one of the names in pod.spec.resourceClaims: gpu"
        );
    }

    #[test]
    fn sleep_of_zero_is_allowed_and_beyond_the_grace_period_is_not() {
        let hook = |seconds| Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction { seconds }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        };
        let mut s = spec(vec![ctr("c")]);
        s.containers[0].lifecycle = Some(Box::new(hook(0)));
        assert!(run(&s).is_empty());
        s.containers[0].lifecycle = Some(Box::new(hook(31)));
        assert_eq!(
            run(&s),
            one(
                "spec.containers[0].lifecycle.preStop.sleep",
                "FieldValueInvalid"
            )
        );
    }

    #[test]
    fn unmasked_proc_mount_needs_a_user_namespace() {
        let mut s = spec(vec![ctr("c")]);
        s.containers[0].security_context = Some(Box::new(SecurityContext {
            proc_mount: Some("Unmasked".into()),
            ..SecurityContext::default()
        }));
        assert_eq!(
            run(&s),
            one(
                "spec.containers[0].securityContext.procMount",
                "FieldValueInvalid"
            )
        );
        s.host_users = Some(false);
        assert!(run(&s).is_empty());
    }

    #[test]
    fn block_devices_need_a_claim_backed_volume() {
        let mut s = spec(vec![ctr("c")]);
        s.volumes = vec![Volume {
            name: "scratch".into(),
            empty_dir: Some(Box::default()),
            ..Volume::default()
        }];
        s.containers[0].volume_devices = vec![VolumeDevice {
            name: "scratch".into(),
            device_path: "/dev/x".into(),
        }];
        assert_eq!(
            run(&s),
            one(
                "spec.containers[0].volumeDevices[0].name",
                "FieldValueInvalid"
            )
        );
    }

    #[test]
    fn windows_user_names_follow_the_domain_and_user_rules() {
        let check = |name: &str| {
            let mut errs = Errors::new();
            let w = WindowsSecurityContextOptions {
                run_as_user_name: Some(name.into()),
                ..WindowsSecurityContextOptions::default()
            };
            validate_windows_options(&w, &Path::new("w"), &mut errs);
            errs.into_iter().map(|e| e.detail).collect::<Vec<_>>()
        };
        assert!(check("Container. User").is_empty());
        assert!(check("NT AUTHORITY\\NETWORK SERVICE").is_empty());
        assert!(check("my.domain.com\\user").is_empty());
        assert_eq!(
            check("a\\b\\c"),
            ["runAsUserName cannot contain more than one backslash"]
        );
        assert_eq!(
            check("..."),
            ["runAsUserName's User cannot contain only periods or spaces"]
        );
        assert_eq!(
            check(".dom\\user"),
            ["runAsUserName's Domain doesn't match the NetBios nor the DNS format"]
        );
        assert_eq!(
            check("\u{7}x"),
            ["runAsUserName cannot contain control characters"]
        );
    }
}
