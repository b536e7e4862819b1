//! The v1 Pod and the objects around it, field for field as Kubernetes' Go
//! structs (k8s.io/api/core/v1), decoded with Go's JSON semantics.
//!
//! Every Kubernetes field of a Pod is modelled, so a pod survives a round trip
//! unchanged; deep structures that nothing in podcore inspects are kept as
//! JSON values. Fields Kubernetes itself does not know are dropped, as the
//! apiserver drops them (with a warning, see `validate::warnings`).

pub mod quantity;
pub(crate) mod serde_util;
pub mod volume;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

pub use quantity::Quantity;
use serde_util::api_struct;
pub use volume::*;

pub type StringMap = BTreeMap<String, String>;
pub type ResourceList = BTreeMap<String, Quantity>;

/// `intstr.IntOrString`: a JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntOrString {
    Int(i32),
    String(String),
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl serde_util::Omit for IntOrString {
    fn omit(&self) -> bool {
        false
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrString::Int(i) => s.serialize_i32(*i),
            IntOrString::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = IntOrString;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an int32 or a string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::custom(format!("{v} does not fit an int32")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::custom(format!("{v} does not fit an int32")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v))
            }
        }
        d.deserialize_any(V)
    }
}

api_struct! {
    /// metav1.ObjectMeta.
    pub struct ObjectMeta {
        pub name: String,
        pub generate_name: String,
        pub namespace: String,
        pub self_link: String,
        pub uid: String,
        pub resource_version: String,
        pub generation: i64,
        pub creation_timestamp: Option<String>,
        pub deletion_timestamp: Option<String>,
        pub deletion_grace_period_seconds: Option<i64>,
        pub labels: StringMap,
        pub annotations: StringMap,
        pub owner_references: Vec<OwnerReference>,
        pub finalizers: Vec<String>,
        pub managed_fields: Vec<Value>,
    }
}

api_struct! {
    pub struct OwnerReference {
        pub api_version: String,
        pub kind: String,
        pub name: String,
        pub uid: String,
        pub controller: Option<bool>,
        pub block_owner_deletion: Option<bool>,
    }
}

api_struct! {
    /// v1.Pod.
    pub struct Pod {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: PodSpec,
        pub status: PodStatus,
    }
}

api_struct! {
    pub struct PodTemplateSpec {
        pub metadata: ObjectMeta,
        pub spec: PodSpec,
    }
}

api_struct! {
    pub struct PodSpec {
        pub volumes: Vec<Volume>,
        pub init_containers: Vec<Container>,
        pub containers: Vec<Container>,
        pub ephemeral_containers: Vec<Container>,
        pub restart_policy: String,
        pub termination_grace_period_seconds: Option<i64>,
        pub active_deadline_seconds: Option<i64>,
        pub dns_policy: String,
        pub node_selector: StringMap,
        pub service_account_name: String,
        pub service_account: String,
        pub automount_service_account_token: Option<bool>,
        pub node_name: String,
        pub host_network: bool,
        #[serde(rename = "hostPID")]
        pub host_pid: bool,
        #[serde(rename = "hostIPC")]
        pub host_ipc: bool,
        pub share_process_namespace: Option<bool>,
        pub security_context: Option<PodSecurityContext>,
        pub image_pull_secrets: Vec<LocalObjectReference>,
        pub hostname: String,
        pub subdomain: String,
        pub affinity: Option<Affinity>,
        pub scheduler_name: String,
        pub tolerations: Vec<Toleration>,
        pub host_aliases: Vec<HostAlias>,
        pub priority_class_name: String,
        pub priority: Option<i32>,
        pub dns_config: Option<PodDnsConfig>,
        pub readiness_gates: Vec<PodReadinessGate>,
        pub runtime_class_name: Option<String>,
        pub enable_service_links: Option<bool>,
        pub preemption_policy: Option<String>,
        pub overhead: ResourceList,
        pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
        #[serde(rename = "setHostnameAsFQDN")]
        pub set_hostname_as_fqdn: Option<bool>,
        pub os: Option<PodOs>,
        pub host_users: Option<bool>,
        pub scheduling_gates: Vec<PodSchedulingGate>,
        pub resource_claims: Vec<PodResourceClaim>,
        pub resources: Option<ResourceRequirements>,
    }
}

api_struct! {
    /// v1.Container; ephemeral containers share the shape and add
    /// `targetContainerName`.
    pub struct Container {
        pub name: String,
        pub image: String,
        pub command: Vec<String>,
        pub args: Vec<String>,
        pub working_dir: String,
        pub ports: Vec<ContainerPort>,
        pub env_from: Vec<EnvFromSource>,
        pub env: Vec<EnvVar>,
        pub resources: ResourceRequirements,
        pub resize_policy: Vec<ContainerResizePolicy>,
        pub restart_policy: Option<String>,
        pub volume_mounts: Vec<VolumeMount>,
        pub volume_devices: Vec<VolumeDevice>,
        pub liveness_probe: Option<Box<Probe>>,
        pub readiness_probe: Option<Box<Probe>>,
        pub startup_probe: Option<Box<Probe>>,
        pub lifecycle: Option<Box<Lifecycle>>,
        pub termination_message_path: String,
        pub termination_message_policy: String,
        pub image_pull_policy: String,
        pub security_context: Option<Box<SecurityContext>>,
        pub stdin: bool,
        pub stdin_once: bool,
        pub tty: bool,
        pub target_container_name: String,
    }
}

api_struct! {
    pub struct ContainerPort {
        pub name: String,
        pub host_port: i32,
        pub container_port: i32,
        pub protocol: String,
        #[serde(rename = "hostIP")]
        pub host_ip: String,
    }
}

api_struct! {
    pub struct EnvFromSource {
        pub prefix: String,
        pub config_map_ref: Option<OptionalNamedRef>,
        pub secret_ref: Option<OptionalNamedRef>,
    }
}

api_struct! {
    /// ConfigMapEnvSource / SecretEnvSource.
    pub struct OptionalNamedRef {
        pub name: String,
        pub optional: Option<bool>,
    }
}

api_struct! {
    pub struct EnvVar {
        pub name: String,
        pub value: String,
        pub value_from: Option<EnvVarSource>,
    }
}

api_struct! {
    pub struct EnvVarSource {
        pub field_ref: Option<ObjectFieldSelector>,
        pub resource_field_ref: Option<ResourceFieldSelector>,
        pub config_map_key_ref: Option<KeySelector>,
        pub secret_key_ref: Option<KeySelector>,
    }
}

api_struct! {
    pub struct ObjectFieldSelector {
        pub api_version: String,
        pub field_path: String,
    }
}

api_struct! {
    pub struct ResourceFieldSelector {
        pub container_name: String,
        pub resource: String,
        pub divisor: Option<Quantity>,
    }
}

api_struct! {
    /// ConfigMapKeySelector / SecretKeySelector.
    pub struct KeySelector {
        pub name: String,
        pub key: String,
        pub optional: Option<bool>,
    }
}

api_struct! {
    check ResourceRequirementsCheck;
    pub struct ResourceRequirements {
        pub limits: ResourceList,
        pub requests: ResourceList,
        pub claims: Vec<ResourceClaim>,
    }
}

api_struct! {
    check ResourceClaimCheck;
    pub struct ResourceClaim {
        pub name: String,
        pub request: String,
    }
}

api_struct! {
    pub struct ContainerResizePolicy {
        pub resource_name: String,
        pub restart_policy: String,
    }
}

api_struct! {
    pub struct VolumeMount {
        pub name: String,
        pub read_only: bool,
        pub recursive_read_only: Option<String>,
        pub mount_path: String,
        pub sub_path: String,
        pub mount_propagation: Option<String>,
        pub sub_path_expr: String,
    }
}

api_struct! {
    pub struct VolumeDevice {
        pub name: String,
        pub device_path: String,
    }
}

api_struct! {
    pub struct Probe {
        pub exec: Option<ExecAction>,
        pub http_get: Option<HttpGetAction>,
        pub tcp_socket: Option<TcpSocketAction>,
        pub grpc: Option<GrpcAction>,
        pub initial_delay_seconds: i32,
        pub timeout_seconds: i32,
        pub period_seconds: i32,
        pub success_threshold: i32,
        pub failure_threshold: i32,
        pub termination_grace_period_seconds: Option<i64>,
    }
}

api_struct! {
    pub struct ExecAction {
        pub command: Vec<String>,
    }
}

api_struct! {
    pub struct HttpGetAction {
        pub path: String,
        pub port: IntOrString,
        pub host: String,
        pub scheme: String,
        pub http_headers: Vec<HttpHeader>,
    }
}

api_struct! {
    pub struct HttpHeader {
        pub name: String,
        pub value: String,
    }
}

api_struct! {
    pub struct TcpSocketAction {
        pub port: IntOrString,
        pub host: String,
    }
}

api_struct! {
    pub struct GrpcAction {
        pub port: i32,
        pub service: Option<String>,
    }
}

api_struct! {
    pub struct Lifecycle {
        pub post_start: Option<LifecycleHandler>,
        pub pre_stop: Option<LifecycleHandler>,
        pub stop_signal: Option<String>,
    }
}

api_struct! {
    pub struct LifecycleHandler {
        pub exec: Option<ExecAction>,
        pub http_get: Option<HttpGetAction>,
        pub tcp_socket: Option<TcpSocketAction>,
        pub sleep: Option<SleepAction>,
    }
}

api_struct! {
    pub struct SleepAction {
        pub seconds: i64,
    }
}

api_struct! {
    pub struct SecurityContext {
        pub capabilities: Option<Capabilities>,
        pub privileged: Option<bool>,
        pub se_linux_options: Option<SeLinuxOptions>,
        pub windows_options: Option<WindowsSecurityContextOptions>,
        pub run_as_user: Option<i64>,
        pub run_as_group: Option<i64>,
        pub run_as_non_root: Option<bool>,
        pub read_only_root_filesystem: Option<bool>,
        pub allow_privilege_escalation: Option<bool>,
        pub proc_mount: Option<String>,
        pub seccomp_profile: Option<SeccompProfile>,
        pub app_armor_profile: Option<AppArmorProfile>,
    }
}

api_struct! {
    pub struct Capabilities {
        pub add: Vec<String>,
        pub drop: Vec<String>,
    }
}

api_struct! {
    pub struct SeLinuxOptions {
        pub user: String,
        pub role: String,
        #[serde(rename = "type")]
        pub type_: String,
        pub level: String,
    }
}

api_struct! {
    pub struct WindowsSecurityContextOptions {
        pub gmsa_credential_spec_name: Option<String>,
        pub gmsa_credential_spec: Option<String>,
        pub run_as_user_name: Option<String>,
        pub host_process: Option<bool>,
    }
}

api_struct! {
    pub struct SeccompProfile {
        #[serde(rename = "type")]
        pub type_: String,
        pub localhost_profile: Option<String>,
    }
}

api_struct! {
    pub struct AppArmorProfile {
        #[serde(rename = "type")]
        pub type_: String,
        pub localhost_profile: Option<String>,
    }
}

api_struct! {
    pub struct PodSecurityContext {
        pub se_linux_options: Option<SeLinuxOptions>,
        pub windows_options: Option<WindowsSecurityContextOptions>,
        pub run_as_user: Option<i64>,
        pub run_as_group: Option<i64>,
        pub run_as_non_root: Option<bool>,
        pub supplemental_groups: Vec<i64>,
        pub supplemental_groups_policy: Option<String>,
        pub fs_group: Option<i64>,
        pub sysctls: Vec<Sysctl>,
        pub fs_group_change_policy: Option<String>,
        pub seccomp_profile: Option<SeccompProfile>,
        pub app_armor_profile: Option<AppArmorProfile>,
        pub se_linux_change_policy: Option<String>,
    }
}

api_struct! {
    pub struct Sysctl {
        pub name: String,
        pub value: String,
    }
}

api_struct! {
    pub struct LocalObjectReference {
        pub name: String,
    }
}

api_struct! {
    pub struct Affinity {
        pub node_affinity: Option<NodeAffinity>,
        pub pod_affinity: Option<PodAffinity>,
        pub pod_anti_affinity: Option<PodAffinity>,
    }
}

api_struct! {
    pub struct NodeAffinity {
        pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
        pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
    }
}

api_struct! {
    pub struct NodeSelector {
        pub node_selector_terms: Vec<NodeSelectorTerm>,
    }
}

api_struct! {
    pub struct NodeSelectorTerm {
        pub match_expressions: Vec<NodeSelectorRequirement>,
        pub match_fields: Vec<NodeSelectorRequirement>,
    }
}

api_struct! {
    pub struct NodeSelectorRequirement {
        pub key: String,
        pub operator: String,
        pub values: Vec<String>,
    }
}

api_struct! {
    pub struct PreferredSchedulingTerm {
        pub weight: i32,
        pub preference: NodeSelectorTerm,
    }
}

api_struct! {
    /// PodAffinity and PodAntiAffinity have one shape.
    pub struct PodAffinity {
        pub required_during_scheduling_ignored_during_execution: Vec<PodAffinityTerm>,
        pub preferred_during_scheduling_ignored_during_execution: Vec<WeightedPodAffinityTerm>,
    }
}

api_struct! {
    pub struct PodAffinityTerm {
        pub label_selector: Option<LabelSelector>,
        pub namespaces: Vec<String>,
        pub topology_key: String,
        pub namespace_selector: Option<LabelSelector>,
        pub match_label_keys: Vec<String>,
        pub mismatch_label_keys: Vec<String>,
    }
}

api_struct! {
    pub struct WeightedPodAffinityTerm {
        pub weight: i32,
        pub pod_affinity_term: PodAffinityTerm,
    }
}

api_struct! {
    /// metav1.LabelSelector.
    pub struct LabelSelector {
        pub match_labels: StringMap,
        pub match_expressions: Vec<LabelSelectorRequirement>,
    }
}

api_struct! {
    pub struct LabelSelectorRequirement {
        pub key: String,
        pub operator: String,
        pub values: Vec<String>,
    }
}

api_struct! {
    pub struct Toleration {
        pub key: String,
        pub operator: String,
        pub value: String,
        pub effect: String,
        pub toleration_seconds: Option<i64>,
    }
}

api_struct! {
    pub struct HostAlias {
        pub ip: String,
        pub hostnames: Vec<String>,
    }
}

api_struct! {
    pub struct PodDnsConfig {
        pub nameservers: Vec<String>,
        pub searches: Vec<String>,
        pub options: Vec<PodDnsConfigOption>,
    }
}

api_struct! {
    pub struct PodDnsConfigOption {
        pub name: String,
        pub value: Option<String>,
    }
}

api_struct! {
    pub struct PodReadinessGate {
        pub condition_type: String,
    }
}

api_struct! {
    pub struct TopologySpreadConstraint {
        pub max_skew: i32,
        pub topology_key: String,
        pub when_unsatisfiable: String,
        pub label_selector: Option<LabelSelector>,
        pub min_domains: Option<i32>,
        pub node_affinity_policy: Option<String>,
        pub node_taints_policy: Option<String>,
        pub match_label_keys: Vec<String>,
    }
}

api_struct! {
    pub struct PodOs {
        pub name: String,
    }
}

api_struct! {
    pub struct PodSchedulingGate {
        pub name: String,
    }
}

api_struct! {
    pub struct PodResourceClaim {
        pub name: String,
        pub resource_claim_name: Option<String>,
        pub resource_claim_template_name: Option<String>,
    }
}

api_struct! {
    check PodStatusCheck;
    pub struct PodStatus {
        pub observed_generation: i64,
        pub phase: String,
        pub conditions: Vec<PodCondition>,
        pub message: String,
        pub reason: String,
        pub nominated_node_name: String,
        #[serde(rename = "hostIP")]
        pub host_ip: String,
        #[serde(rename = "hostIPs")]
        pub host_ips: Vec<PodIp>,
        #[serde(rename = "podIP")]
        pub pod_ip: String,
        #[serde(rename = "podIPs")]
        pub pod_ips: Vec<PodIp>,
        pub start_time: Option<String>,
        pub init_container_statuses: Vec<ContainerStatus>,
        pub container_statuses: Vec<ContainerStatus>,
        pub qos_class: String,
        pub ephemeral_container_statuses: Vec<ContainerStatus>,
        pub resize: String,
        pub resource_claim_statuses: Vec<Value>,
    }
}

impl PodSpec {
    /// The terms of the pod's required node affinity (none when it has none).
    pub fn required_node_terms(&self) -> &[NodeSelectorTerm] {
        self.affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|n| {
                n.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .map_or(&[], |r| r.node_selector_terms.as_slice())
    }
}

impl PodStatus {
    /// A copy without the init and regular containers' statuses, for a
    /// writer (the kubelet) that rebuilds them: copying them only to replace
    /// them is most of a status's cost.
    #[must_use]
    pub fn clone_without_container_statuses(&self) -> PodStatus {
        // Destructured in full, so that a field added to the model is copied.
        let PodStatus {
            observed_generation,
            phase,
            conditions,
            message,
            reason,
            nominated_node_name,
            host_ip,
            host_ips,
            pod_ip,
            pod_ips,
            start_time,
            init_container_statuses: _,
            container_statuses: _,
            qos_class,
            ephemeral_container_statuses,
            resize,
            resource_claim_statuses,
        } = self;
        PodStatus {
            observed_generation: *observed_generation,
            phase: phase.clone(),
            conditions: conditions.clone(),
            message: message.clone(),
            reason: reason.clone(),
            nominated_node_name: nominated_node_name.clone(),
            host_ip: host_ip.clone(),
            host_ips: host_ips.clone(),
            pod_ip: pod_ip.clone(),
            pod_ips: pod_ips.clone(),
            start_time: start_time.clone(),
            init_container_statuses: Vec::new(),
            container_statuses: Vec::new(),
            qos_class: qos_class.clone(),
            ephemeral_container_statuses: ephemeral_container_statuses.clone(),
            resize: resize.clone(),
            resource_claim_statuses: resource_claim_statuses.clone(),
        }
    }
}

api_struct! {
    check PodIpCheck;
    pub struct PodIp {
        pub ip: String,
    }
}

api_struct! {
    check PodConditionCheck;
    pub struct PodCondition {
        #[serde(rename = "type")]
        pub type_: String,
        pub observed_generation: i64,
        pub status: String,
        pub last_probe_time: Option<String>,
        pub last_transition_time: Option<String>,
        pub reason: String,
        pub message: String,
    }
}

/// v1.ContainerStatus. Unlike most API fields, `ready` and `restartCount`
/// have no `omitempty` in Go: they are always printed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub state: ContainerState,
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub last_state: ContainerState,
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub ready: bool,
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub restart_count: i32,
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub image: String,
    #[serde(rename = "imageID", default, deserialize_with = "serde_util::nullable")]
    pub image_id: String,
    #[serde(
        rename = "containerID",
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub container_id: String,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub started: Option<bool>,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub allocated_resources: ResourceList,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub resources: Option<Box<ResourceRequirements>>,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub volume_mounts: Vec<Value>,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub user: Value,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub allocated_resources_status: Vec<Value>,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub stop_signal: Option<String>,
}

serde_util::check_struct! {
    ContainerStatusCheck for ContainerStatus {
        name: String,
        state: ContainerState,
        last_state: ContainerState,
        ready: bool,
        restart_count: i32,
        image: String,
        #[serde(rename = "imageID")]
        image_id: String,
        #[serde(rename = "containerID")]
        container_id: String,
        started: Option<bool>,
        allocated_resources: ResourceList,
        resources: Option<Box<ResourceRequirements>>,
        volume_mounts: Vec<Value>,
        user: Value,
        allocated_resources_status: Vec<Value>,
        stop_signal: Option<String>,
    }
}

impl serde_util::Omit for ContainerStatus {
    fn omit(&self) -> bool {
        false
    }
}

api_struct! {
    check ContainerStateCheck;
    /// The terminated state is boxed: a pod's status holds two states per
    /// container, and most of them are not terminated.
    pub struct ContainerState {
        pub waiting: Option<ContainerStateWaiting>,
        pub running: Option<ContainerStateRunning>,
        pub terminated: Option<Box<ContainerStateTerminated>>,
    }
}

api_struct! {
    check ContainerStateWaitingCheck;
    pub struct ContainerStateWaiting {
        pub reason: String,
        pub message: String,
    }
}

api_struct! {
    check ContainerStateRunningCheck;
    pub struct ContainerStateRunning {
        pub started_at: Option<String>,
    }
}

/// v1.ContainerStateTerminated: `exitCode` is always printed (no `omitempty`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateTerminated {
    #[serde(default, deserialize_with = "serde_util::nullable")]
    pub exit_code: i32,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub signal: i32,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub reason: String,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub message: String,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub started_at: Option<String>,
    #[serde(
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub finished_at: Option<String>,
    #[serde(
        rename = "containerID",
        default,
        deserialize_with = "serde_util::nullable",
        skip_serializing_if = "serde_util::Omit::omit"
    )]
    pub container_id: String,
}

serde_util::check_struct! {
    ContainerStateTerminatedCheck for ContainerStateTerminated {
        exit_code: i32,
        signal: i32,
        reason: String,
        message: String,
        started_at: Option<String>,
        finished_at: Option<String>,
        #[serde(rename = "containerID")]
        container_id: String,
    }
}

impl serde_util::Omit for ContainerStateTerminated {
    fn omit(&self) -> bool {
        false
    }
}
