//! The kube-apiserver's pod validation (v1.33, default feature gates):
//! `ValidatePodCreate` and `ValidatePodUpdate` with everything they call.
//!
//! Validators append to one `Vec<FieldError>` and never stop at the first
//! problem, as Kubernetes reports every error. Field paths are built on the
//! stack and turned into strings only when an error is recorded, so a valid
//! pod costs no allocation for paths.

pub mod container;
pub mod meta;
pub mod names;
pub mod spec;
pub mod update;
pub mod volume;
pub mod warnings;

use crate::errors::FieldError;
use crate::model::Pod;
use std::fmt;

/// A field path, as apimachinery's `field.Path`: `spec.containers[0].image`.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Child(&'a str),
    Index(usize),
    Key(&'a str),
}

impl<'a> Path<'a> {
    /// The empty path; its children print without a leading dot.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    /// `field.NewPath(name)`.
    pub fn new(name: &'a str) -> Path<'a> {
        Path {
            parent: Some(&Path::ROOT),
            seg: Seg::Child(name),
        }
    }

    #[must_use]
    pub fn child(&'a self, name: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Child(name),
        }
    }

    #[must_use]
    pub fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    #[must_use]
    pub fn key(&'a self, k: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(k),
        }
    }

    fn write(&self, out: &mut String) {
        if let Some(p) = self.parent {
            p.write(out);
        }
        match self.seg {
            Seg::Root => {}
            Seg::Child(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Seg::Key(k) => {
                out.push('[');
                out.push_str(k);
                out.push(']');
            }
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

impl From<Path<'_>> for String {
    fn from(p: Path<'_>) -> String {
        p.to_string()
    }
}

impl From<&Path<'_>> for String {
    fn from(p: &Path<'_>) -> String {
        p.to_string()
    }
}

/// Errors collected by one validation run.
pub type Errors = Vec<FieldError>;

/// apiserver's `PodValidationOptions`: what the v1.33 default feature gates
/// allow, loosened where the stored (old) pod already uses a form that newer
/// rules reject, so that existing pods stay updatable.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    pub allow_invalid_pod_deletion_cost: bool,
    pub allow_invalid_label_value_in_selector: bool,
    pub allow_invalid_label_value_in_required_node_affinity: bool,
    pub allow_invalid_topology_spread_constraint_label_selector: bool,
    pub allow_indivisible_huge_pages_values: bool,
    pub allow_namespaced_sysctls_for_host_net_and_host_ipc: bool,
    pub allow_non_local_projected_token_path: bool,
    pub allow_only_recursive_selinux_change_policy: bool,
    pub allow_sidecar_resize_policy: bool,
}

impl Opts {
    /// The options for validating `new`, given the stored `old` pod if any.
    pub fn for_pod(new: &Pod, old: Option<&Pod>) -> Opts {
        update::validation_options(new, old)
    }
}

/// A pod as sent on create, taken through the registry's steps before
/// validation (`BeforeCreate` and the pod strategy's `PrepareForCreate`):
/// defaults, the request's namespace, a generated name, the status reset,
/// fields of disabled features dropped and the AppArmor annotations copied
/// to fields. Like the apiserver's list of causes, an error two validators
/// both find appears twice; the Status message (`Error::Invalid`) lists it once.
pub fn check_pod_create(mut pod: Pod) -> Errors {
    crate::defaults::pod(&mut pod);
    update::prepare_for_create(&mut pod);
    validate_pod_create(&pod)
}

/// An update of the pods resource, taken through the registry's steps before
/// validation (`BeforeUpdate` and `PrepareForUpdate`): both sides defaulted,
/// what the client may not set carried over from the stored pod (status,
/// generation, uid, timestamps), fields of disabled features dropped unless
/// the stored pod uses them.
pub fn check_pod_update(mut new: Pod, mut old: Pod) -> Errors {
    crate::defaults::pod(&mut new);
    crate::defaults::pod(&mut old);
    update::prepare_for_update_moving_status(&mut new, &mut old);
    validate_pod_update(&new, &old)
}

/// Validates a pod as the apiserver does on create. `pod` must already carry
/// the API defaults (see `crate::defaults`).
pub fn validate_pod_create(pod: &Pod) -> Errors {
    let opts = Opts::for_pod(pod, None);
    let mut errs = Errors::new();
    update::validate_pod_create(pod, &opts, &mut errs);
    errs
}

/// Validates an update of the pods resource as the apiserver does: `new` is the
/// object as sent (defaults applied), `old` the stored object.
pub fn validate_pod_update(new: &Pod, old: &Pod) -> Errors {
    let opts = Opts::for_pod(new, Some(old));
    let mut errs = Errors::new();
    update::validate_pod_update(new, old, &opts, &mut errs);
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prints_children_indices_and_keys() {
        let spec = Path::new("spec");
        let cs = spec.child("containers");
        let c0 = cs.index(0);
        assert_eq!(c0.child("image").to_string(), "spec.containers[0].image");
        let meta = Path::new("metadata");
        let labels = meta.child("labels");
        assert_eq!(labels.key("app").to_string(), "metadata.labels[app]");
    }
}
