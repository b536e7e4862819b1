//! The apps/v1, batch/v1 and core/v1 objects around pods, field for field as
//! Kubernetes' Go structs, decoded with Go's JSON semantics. Status blocks
//! that the apiserver never takes from a client on create or update (it
//! resets or carries them) are kept as JSON values.

use crate::model::serde_util::{api_struct, Omit};
use crate::model::{
    IntOrString, LabelSelector, ObjectMeta, PersistentVolumeClaimSpec, PodTemplateSpec,
    ResourceList, StringMap,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A field Go serializes without `omitempty`: written even at its zero value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Always<T>(pub T);

impl<T> Omit for Always<T> {
    fn omit(&self) -> bool {
        false
    }
}

// ---------------------------------------------------------------------------
// apps/v1

api_struct! {
    pub struct Deployment {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: DeploymentSpec,
        pub status: Value,
    }
}

api_struct! {
    pub struct DeploymentSpec {
        pub replicas: Option<i32>,
        pub selector: Option<LabelSelector>,
        pub template: PodTemplateSpec,
        pub strategy: DeploymentStrategy,
        pub min_ready_seconds: i32,
        pub revision_history_limit: Option<i32>,
        pub paused: bool,
        pub progress_deadline_seconds: Option<i32>,
    }
}

api_struct! {
    pub struct DeploymentStrategy {
        #[serde(rename = "type")]
        pub type_: String,
        pub rolling_update: Option<RollingUpdate>,
    }
}

api_struct! {
    /// RollingUpdateDeployment and RollingUpdateDaemonSet have one shape.
    pub struct RollingUpdate {
        pub max_unavailable: Option<IntOrString>,
        pub max_surge: Option<IntOrString>,
    }
}

api_struct! {
    pub struct ReplicaSet {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: ReplicaSetSpec,
        pub status: Value,
    }
}

api_struct! {
    pub struct ReplicaSetSpec {
        pub replicas: Option<i32>,
        pub min_ready_seconds: i32,
        pub selector: Option<LabelSelector>,
        pub template: PodTemplateSpec,
    }
}

api_struct! {
    pub struct StatefulSet {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: StatefulSetSpec,
        pub status: Value,
    }
}

api_struct! {
    pub struct StatefulSetSpec {
        pub replicas: Option<i32>,
        pub selector: Option<LabelSelector>,
        pub template: PodTemplateSpec,
        pub volume_claim_templates: Vec<PersistentVolumeClaim>,
        pub service_name: String,
        pub pod_management_policy: String,
        pub update_strategy: StatefulSetUpdateStrategy,
        pub revision_history_limit: Option<i32>,
        pub min_ready_seconds: i32,
        pub persistent_volume_claim_retention_policy: Option<RetentionPolicy>,
        pub ordinals: Option<StatefulSetOrdinals>,
    }
}

api_struct! {
    pub struct StatefulSetUpdateStrategy {
        #[serde(rename = "type")]
        pub type_: String,
        pub rolling_update: Option<RollingUpdateStatefulSet>,
    }
}

api_struct! {
    pub struct RollingUpdateStatefulSet {
        pub partition: Option<i32>,
        pub max_unavailable: Option<IntOrString>,
    }
}

api_struct! {
    pub struct RetentionPolicy {
        pub when_deleted: String,
        pub when_scaled: String,
    }
}

api_struct! {
    pub struct StatefulSetOrdinals {
        pub start: i32,
    }
}

api_struct! {
    pub struct DaemonSet {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: DaemonSetSpec,
        pub status: Value,
    }
}

api_struct! {
    pub struct DaemonSetSpec {
        pub selector: Option<LabelSelector>,
        pub template: PodTemplateSpec,
        pub update_strategy: DaemonSetUpdateStrategy,
        pub min_ready_seconds: i32,
        pub revision_history_limit: Option<i32>,
    }
}

api_struct! {
    pub struct DaemonSetUpdateStrategy {
        #[serde(rename = "type")]
        pub type_: String,
        pub rolling_update: Option<RollingUpdate>,
    }
}

api_struct! {
    pub struct ControllerRevision {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        /// A `runtime.RawExtension`: any JSON, kept as sent.
        pub data: Value,
        pub revision: Always<i64>,
    }
}

// ---------------------------------------------------------------------------
// batch/v1

api_struct! {
    pub struct Job {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: JobSpec,
        pub status: Value,
    }
}

api_struct! {
    pub struct JobSpec {
        pub parallelism: Option<i32>,
        pub completions: Option<i32>,
        pub active_deadline_seconds: Option<i64>,
        pub pod_failure_policy: Option<PodFailurePolicy>,
        pub success_policy: Option<SuccessPolicy>,
        pub backoff_limit: Option<i32>,
        pub backoff_limit_per_index: Option<i32>,
        pub max_failed_indexes: Option<i32>,
        pub selector: Option<LabelSelector>,
        pub manual_selector: Option<bool>,
        pub template: PodTemplateSpec,
        pub ttl_seconds_after_finished: Option<i32>,
        pub completion_mode: Option<String>,
        pub suspend: Option<bool>,
        pub pod_replacement_policy: Option<String>,
        pub managed_by: Option<String>,
    }
}

api_struct! {
    pub struct PodFailurePolicy {
        pub rules: Vec<PodFailurePolicyRule>,
    }
}

api_struct! {
    pub struct PodFailurePolicyRule {
        pub action: String,
        pub on_exit_codes: Option<OnExitCodes>,
        pub on_pod_conditions: Vec<OnPodConditionsPattern>,
    }
}

api_struct! {
    pub struct OnExitCodes {
        pub container_name: Option<String>,
        pub operator: String,
        pub values: Vec<i32>,
    }
}

api_struct! {
    pub struct OnPodConditionsPattern {
        #[serde(rename = "type")]
        pub type_: String,
        pub status: String,
    }
}

api_struct! {
    pub struct SuccessPolicy {
        pub rules: Vec<SuccessPolicyRule>,
    }
}

api_struct! {
    pub struct SuccessPolicyRule {
        pub succeeded_indexes: Option<String>,
        pub succeeded_count: Option<i32>,
    }
}

// ---------------------------------------------------------------------------
// core/v1

api_struct! {
    pub struct Node {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: NodeSpec,
        /// Written by the kubelet; kept as sent, with `allocatable`
        /// defaulted from `capacity`.
        pub status: Value,
    }
}

api_struct! {
    pub struct NodeSpec {
        #[serde(rename = "podCIDR")]
        pub pod_cidr: String,
        #[serde(rename = "podCIDRs")]
        pub pod_cidrs: Vec<String>,
        #[serde(rename = "providerID")]
        pub provider_id: String,
        pub unschedulable: bool,
        pub taints: Vec<Taint>,
        pub config_source: Value,
        #[serde(rename = "externalID")]
        pub external_id: String,
    }
}

api_struct! {
    pub struct Taint {
        pub key: String,
        pub value: String,
        pub effect: String,
        pub time_added: Option<String>,
    }
}

api_struct! {
    pub struct Namespace {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: NamespaceSpec,
        pub status: NamespaceStatus,
    }
}

api_struct! {
    pub struct NamespaceSpec {
        pub finalizers: Vec<String>,
    }
}

api_struct! {
    pub struct NamespaceStatus {
        pub phase: String,
        pub conditions: Vec<Value>,
    }
}

api_struct! {
    pub struct PersistentVolumeClaim {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: PersistentVolumeClaimSpec,
        pub status: PersistentVolumeClaimStatus,
    }
}

api_struct! {
    pub struct PersistentVolumeClaimStatus {
        pub phase: String,
        pub access_modes: Vec<String>,
        pub capacity: ResourceList,
        pub conditions: Vec<Value>,
        pub allocated_resources: ResourceList,
        pub allocated_resource_statuses: StringMap,
        pub current_volume_attributes_class_name: Option<String>,
        pub modify_volume_status: Option<Value>,
    }
}
