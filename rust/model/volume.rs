//! v1.Volume and its sources. `VolumeSource` is inlined into `Volume` in the
//! JSON, so its fields sit directly in the struct here. Every source is typed
//! field for field, with Kubernetes' JSON names, so validation can read them
//! and a pod survives a round trip unchanged.

use super::serde_util::api_struct;
use super::{
    LabelSelector, LocalObjectReference, ObjectFieldSelector, ObjectMeta, Quantity,
    ResourceFieldSelector, ResourceList, StringMap,
};

api_struct! {
    pub struct Volume {
        pub name: String,
        pub host_path: Option<Box<HostPathVolumeSource>>,
        pub empty_dir: Option<Box<EmptyDirVolumeSource>>,
        pub gce_persistent_disk: Option<Box<GcePersistentDiskVolumeSource>>,
        pub aws_elastic_block_store: Option<Box<AwsElasticBlockStoreVolumeSource>>,
        pub git_repo: Option<Box<GitRepoVolumeSource>>,
        pub secret: Option<Box<SecretVolumeSource>>,
        pub nfs: Option<Box<NfsVolumeSource>>,
        pub iscsi: Option<Box<IscsiVolumeSource>>,
        pub glusterfs: Option<Box<GlusterfsVolumeSource>>,
        pub persistent_volume_claim: Option<Box<PersistentVolumeClaimVolumeSource>>,
        pub rbd: Option<Box<RbdVolumeSource>>,
        pub flex_volume: Option<Box<FlexVolumeSource>>,
        pub cinder: Option<Box<CinderVolumeSource>>,
        pub cephfs: Option<Box<CephFsVolumeSource>>,
        pub flocker: Option<Box<FlockerVolumeSource>>,
        #[serde(rename = "downwardAPI")]
        pub downward_api: Option<Box<DownwardApiVolumeSource>>,
        pub fc: Option<Box<FcVolumeSource>>,
        pub azure_file: Option<Box<AzureFileVolumeSource>>,
        pub config_map: Option<Box<ConfigMapVolumeSource>>,
        pub vsphere_volume: Option<Box<VsphereVirtualDiskVolumeSource>>,
        pub quobyte: Option<Box<QuobyteVolumeSource>>,
        pub azure_disk: Option<Box<AzureDiskVolumeSource>>,
        pub photon_persistent_disk: Option<Box<PhotonPersistentDiskVolumeSource>>,
        pub projected: Option<Box<ProjectedVolumeSource>>,
        pub portworx_volume: Option<Box<PortworxVolumeSource>>,
        #[serde(rename = "scaleIO")]
        pub scale_io: Option<Box<ScaleIoVolumeSource>>,
        pub storageos: Option<Box<StorageOsVolumeSource>>,
        pub csi: Option<Box<CsiVolumeSource>>,
        pub ephemeral: Option<Box<EphemeralVolumeSource>>,
        pub image: Option<Box<ImageVolumeSource>>,
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
    pub struct GcePersistentDiskVolumeSource {
        pub pd_name: String,
        pub fs_type: String,
        pub partition: i32,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct AwsElasticBlockStoreVolumeSource {
        #[serde(rename = "volumeID")]
        pub volume_id: String,
        pub fs_type: String,
        pub partition: i32,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct GitRepoVolumeSource {
        pub repository: String,
        pub revision: String,
        pub directory: String,
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
    pub struct NfsVolumeSource {
        pub server: String,
        pub path: String,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct IscsiVolumeSource {
        pub target_portal: String,
        pub iqn: String,
        pub lun: i32,
        pub iscsi_interface: String,
        pub fs_type: String,
        pub read_only: bool,
        pub portals: Vec<String>,
        pub chap_auth_discovery: bool,
        pub chap_auth_session: bool,
        pub secret_ref: Option<LocalObjectReference>,
        pub initiator_name: Option<String>,
    }
}

api_struct! {
    pub struct GlusterfsVolumeSource {
        pub endpoints: String,
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
    pub struct RbdVolumeSource {
        pub monitors: Vec<String>,
        pub image: String,
        pub fs_type: String,
        pub pool: String,
        pub user: String,
        pub keyring: String,
        pub secret_ref: Option<LocalObjectReference>,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct FlexVolumeSource {
        pub driver: String,
        pub fs_type: String,
        pub secret_ref: Option<LocalObjectReference>,
        pub read_only: bool,
        pub options: StringMap,
    }
}

api_struct! {
    pub struct CinderVolumeSource {
        #[serde(rename = "volumeID")]
        pub volume_id: String,
        pub fs_type: String,
        pub read_only: bool,
        pub secret_ref: Option<LocalObjectReference>,
    }
}

api_struct! {
    pub struct CephFsVolumeSource {
        pub monitors: Vec<String>,
        pub path: String,
        pub user: String,
        pub secret_file: String,
        pub secret_ref: Option<LocalObjectReference>,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct FlockerVolumeSource {
        pub dataset_name: String,
        #[serde(rename = "datasetUUID")]
        pub dataset_uuid: String,
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
    pub struct FcVolumeSource {
        #[serde(rename = "targetWWNs")]
        pub target_wwns: Vec<String>,
        pub lun: Option<i32>,
        pub fs_type: String,
        pub read_only: bool,
        pub wwids: Vec<String>,
    }
}

api_struct! {
    pub struct AzureFileVolumeSource {
        pub secret_name: String,
        pub share_name: String,
        pub read_only: bool,
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
    pub struct VsphereVirtualDiskVolumeSource {
        pub volume_path: String,
        pub fs_type: String,
        pub storage_policy_name: String,
        #[serde(rename = "storagePolicyID")]
        pub storage_policy_id: String,
    }
}

api_struct! {
    pub struct QuobyteVolumeSource {
        pub registry: String,
        pub volume: String,
        pub read_only: bool,
        pub user: String,
        pub group: String,
        pub tenant: String,
    }
}

api_struct! {
    pub struct AzureDiskVolumeSource {
        pub disk_name: String,
        #[serde(rename = "diskURI")]
        pub disk_uri: String,
        pub caching_mode: Option<String>,
        pub fs_type: Option<String>,
        pub read_only: Option<bool>,
        pub kind: Option<String>,
    }
}

api_struct! {
    pub struct PhotonPersistentDiskVolumeSource {
        #[serde(rename = "pdID")]
        pub pd_id: String,
        pub fs_type: String,
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
    pub struct PortworxVolumeSource {
        #[serde(rename = "volumeID")]
        pub volume_id: String,
        pub fs_type: String,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct ScaleIoVolumeSource {
        pub gateway: String,
        pub system: String,
        pub secret_ref: Option<LocalObjectReference>,
        pub ssl_enabled: bool,
        pub protection_domain: String,
        pub storage_pool: String,
        pub storage_mode: String,
        pub volume_name: String,
        pub fs_type: String,
        pub read_only: bool,
    }
}

api_struct! {
    pub struct StorageOsVolumeSource {
        pub volume_name: String,
        pub volume_namespace: String,
        pub fs_type: String,
        pub read_only: bool,
        pub secret_ref: Option<LocalObjectReference>,
    }
}

api_struct! {
    pub struct CsiVolumeSource {
        pub driver: String,
        pub read_only: Option<bool>,
        pub fs_type: Option<String>,
        pub volume_attributes: StringMap,
        pub node_publish_secret_ref: Option<LocalObjectReference>,
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
        pub spec: PersistentVolumeClaimSpec,
    }
}

api_struct! {
    pub struct PersistentVolumeClaimSpec {
        pub access_modes: Vec<String>,
        pub selector: Option<LabelSelector>,
        pub resources: VolumeResourceRequirements,
        pub volume_name: String,
        pub storage_class_name: Option<String>,
        pub volume_mode: Option<String>,
        pub data_source: Option<TypedLocalObjectReference>,
        pub data_source_ref: Option<TypedObjectReference>,
        pub volume_attributes_class_name: Option<String>,
    }
}

api_struct! {
    pub struct VolumeResourceRequirements {
        pub limits: ResourceList,
        pub requests: ResourceList,
    }
}

api_struct! {
    pub struct TypedLocalObjectReference {
        pub api_group: Option<String>,
        pub kind: String,
        pub name: String,
    }
}

api_struct! {
    pub struct TypedObjectReference {
        pub api_group: Option<String>,
        pub kind: String,
        pub name: String,
        pub namespace: Option<String>,
    }
}

api_struct! {
    pub struct ImageVolumeSource {
        pub reference: String,
        pub pull_policy: String,
    }
}
