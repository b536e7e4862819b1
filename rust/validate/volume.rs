//! `ValidateVolumes` and every volume source.
use super::{Errors, Opts, Path};
use crate::model::{PodSpec, Volume};
use std::collections::HashMap;

/// The pod's valid volumes by name, for the mounts and devices that name them.
pub struct Volumes<'a> {
    pub by_name: HashMap<&'a str, &'a Volume>,
}

pub fn validate_volumes<'a>(
    spec: &'a PodSpec,
    _path: &Path,
    _opts: &Opts,
    _errs: &mut Errors,
) -> Volumes<'a> {
    Volumes {
        by_name: spec.volumes.iter().map(|v| (v.name.as_str(), v)).collect(),
    }
}
