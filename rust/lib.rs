//! podcore's native core: the v1 Pod model, the kube-apiserver's pod
//! defaulting and validation, and JSON diff and patch (RFC 6902, RFC 7386, strategic merge). `python.rs` exposes it to
//! Python as `podcore._core`; everything else is plain Rust.

pub mod defaults;
pub mod diff;
pub mod errors;
pub mod input;
pub mod model;
pub mod patch;
pub mod selector;
pub mod sim;
pub mod store;
pub mod validate;
pub mod workload;

mod python;

// The store, the decoder and the simulation allocate many small strings,
// vectors and maps; mimalloc's thread-local free lists serve them with a
// fraction of the system allocator's work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
