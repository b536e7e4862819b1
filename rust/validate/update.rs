//! `ValidatePodCreate`, `ValidatePodUpdate` and the validation options.
use super::{Errors, Opts};
use crate::model::Pod;

pub fn validation_options(_new: &Pod, _old: Option<&Pod>) -> Opts {
    Opts::default()
}

pub fn validate_pod_create(pod: &Pod, opts: &Opts, errs: &mut Errors) {
    super::spec::validate_pod_spec(
        &pod.spec,
        &pod.metadata,
        &super::Path::new("spec"),
        opts,
        errs,
    );
}

pub fn validate_pod_update(new: &Pod, _old: &Pod, opts: &Opts, errs: &mut Errors) {
    super::spec::validate_pod_spec(
        &new.spec,
        &new.metadata,
        &super::Path::new("spec"),
        opts,
        errs,
    );
}
