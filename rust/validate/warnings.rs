//! The apiserver's warnings for pods (pkg/api/pod/warnings.go).
use crate::model::Pod;

/// The warnings kube-apiserver sends back with a pod create (`old` None) or update.
pub fn pod_warnings(_pod: &Pod, _old: Option<&Pod>) -> Vec<String> {
    Vec::new()
}
