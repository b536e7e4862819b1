//! `ValidatePodSpec` and the pod-level parts of the spec.
use super::{Errors, Opts, Path};
use crate::model::{ObjectMeta, PodSpec};

pub fn validate_pod_spec(
    spec: &PodSpec,
    _meta: &ObjectMeta,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    let vols = super::volume::validate_volumes(spec, &path.child("volumes"), opts, errs);
    super::container::validate_containers(spec, &vols, path, opts, errs);
}
