//! v1.Volume and its sources. `VolumeSource` is inlined into `Volume` in the
//! JSON, so its fields sit directly in the struct here.

use super::serde_util::api_struct;
use super::{
    LabelSelector, ObjectFieldSelector, ObjectMeta, Quantity, ResourceFieldSelector, StringMap,
};
use serde_json::Value;

api_struct! {
    pub struct Volume {
        pub name: String,
        pub host_path: Option<HostPathVolumeSource>,
        pub empty_dir: Option<EmptyDirVolumeSource>,
        pub gce_persistent_disk: Option<Value>,
        pub aws_elastic_block_store: Option<Value>,
        pub git_repo: Option<Value>,
        pub secret: Option<SecretVolumeSource>,
        pub nfs: Option<NfsVolumeSource>,
        pub iscsi: Option<Value>,
        pub glusterfs: Option<Value>,
        pub persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
        pub rbd: Option<Value>,
        pub flex_volume: Option<Value>,
        pub cinder: Option<Value>,
        pub cephfs: Option<Value>,
        pub flocker: Option<Value>,
        #[serde(rename = "downwardAPI")]
        pub downward_api: Option<DownwardApiVolumeSource>,
        pub fc: Option<Value>,
        pub azure_file: Option<Value>,
        pub config_map: Option<ConfigMapVolumeSource>,
        pub vsphere_volume: Option<Value>,
        pub quobyte: Option<Value>,
        pub azure_disk: Option<Value>,
        pub photon_persistent_disk: Option<Value>,
        pub projected: Option<ProjectedVolumeSource>,
        pub portworx_volume: Option<Value>,
        #[serde(rename = "scaleIO")]
        pub scale_io: Option<Value>,
        pub storageos: Option<Value>,
        pub csi: Option<CsiVolumeSource>,
        pub ephemeral: Option<EphemeralVolumeSource>,
        pub image: Option<ImageVolumeSource>,
    }
}

api_struct! {
    pub struct HostPathVolumeSource {
        pub path: String,
        #[serde(rename = "type")]
        pub type_: Option<String>,
    }
}

api_struct! {
    pub struct EmptyDirVolumeSource {
        pub medium: String,
        pub size_limit: Option<Quantity>,
    }
}

api_struct! {
    pub struct KeyToPath {
        pub key: String,
        pub path: String,
        pub mode: Option<i32>,
    }
}

api_struct! {
    pub struct SecretVolumeSource {
        pub secret_name: String,
        pub items: Vec<KeyToPath>,
        pub default_mode: Option<i32>,
        pub optional: Option<bool>,
    }
}

api_struct! {
    pub struct ConfigMapVolumeSource {
        pub name: String,
        pub items: Vec<KeyToPath>,
        pub default_mode: Option<i32>,
        pub optional: Option<bool>,
    }
}

api_struct! {
    pub struct NfsVolumeSource {
        pub server: String,
        pub path: String,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct PersistentVolumeClaimVolumeSource {
        pub claim_name: String,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct DownwardApiVolumeFile {
        pub path: String,
        pub field_ref: Option<ObjectFieldSelector>,
        pub resource_field_ref: Option<ResourceFieldSelector>,
        pub mode: Option<i32>,
    }
}

api_struct! {
    pub struct DownwardApiVolumeSource {
        pub items: Vec<DownwardApiVolumeFile>,
        pub default_mode: Option<i32>,
    }
}

api_struct! {
    pub struct ProjectedVolumeSource {
        pub sources: Vec<VolumeProjection>,
        pub default_mode: Option<i32>,
    }
}

api_struct! {
    pub struct VolumeProjection {
        pub secret: Option<ProjectedKeys>,
        #[serde(rename = "downwardAPI")]
        pub downward_api: Option<DownwardApiProjection>,
        pub config_map: Option<ProjectedKeys>,
        pub service_account_token: Option<ServiceAccountTokenProjection>,
        pub cluster_trust_bundle: Option<ClusterTrustBundleProjection>,
    }
}

api_struct! {
    /// SecretProjection / ConfigMapProjection.
    pub struct ProjectedKeys {
        pub name: String,
        pub items: Vec<KeyToPath>,
        pub optional: Option<bool>,
    }
}

api_struct! {
    pub struct DownwardApiProjection {
        pub items: Vec<DownwardApiVolumeFile>,
    }
}

api_struct! {
    pub struct ServiceAccountTokenProjection {
        pub audience: String,
        pub expiration_seconds: Option<i64>,
        pub path: String,
    }
}

api_struct! {
    pub struct ClusterTrustBundleProjection {
        pub name: Option<String>,
        pub signer_name: Option<String>,
        pub label_selector: Option<LabelSelector>,
        pub optional: Option<bool>,
        pub path: String,
    }
}

api_struct! {
    pub struct CsiVolumeSource {
        pub driver: String,
        pub read_only: Option<bool>,
        pub fs_type: Option<String>,
        pub volume_attributes: StringMap,
        pub node_publish_secret_ref: Option<super::LocalObjectReference>,
    }
}

api_struct! {
    pub struct EphemeralVolumeSource {
        pub volume_claim_template: Option<PersistentVolumeClaimTemplate>,
    }
}

api_struct! {
    pub struct PersistentVolumeClaimTemplate {
        pub metadata: ObjectMeta,
        pub spec: Value,
    }
}

api_struct! {
    pub struct ImageVolumeSource {
        pub reference: String,
        pub pull_policy: String,
    }
}
