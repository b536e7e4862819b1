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

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_t`, the same
/// in mimalloc 2 and 3; the bindings name the options around it only).
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// How long freed memory stays with the allocator before it goes back to
/// the system, in milliseconds. A simulation frees and allocates in bursts
/// (a rollout's surge, a DaemonSet's pods on thousands of nodes); with
/// mimalloc's default the pages freed by one burst were handed back and the
/// next burst faulted in and zeroed fresh ones, up to half of a DaemonSet
/// bring-up's time in the kernel. Kept a few seconds, they are reused.
const PURGE_DELAY_MS: std::os::raw::c_long = 5_000;

/// Sets the allocator's purge delay, unless `MIMALLOC_PURGE_DELAY` in the
/// environment already chose one.
pub fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set only stores the value in mimalloc's option
        // table; it may be called at any time from any thread.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

#[cfg(test)]
mod allocator_tests {
    #[test]
    fn the_purge_delay_option_is_mimallocs_and_can_be_set() {
        // SAFETY: reading and setting mimalloc's option table.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // mimalloc 3's default purge delay (mimalloc 2's is 10 ms).
            assert!(matches!(get(), 1_000 | 10), "{}", get());
        }
        super::tune_allocator();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(), super::PURGE_DELAY_MS);
        }
    }
}
