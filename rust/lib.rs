//! podcore's native core: the v1 Pod model, the kube-apiserver's pod
//! defaulting and validation, and JSON diff/patch. `python.rs` exposes it to
//! Python as `podcore._core`; everything else is plain Rust.

pub mod defaults;
pub mod errors;
pub mod input;
pub mod model;
pub mod validate;

mod python;
