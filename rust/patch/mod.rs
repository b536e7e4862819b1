//! Applying patches to JSON documents.
//!
//! Every entry point borrows its inputs and returns a fresh document, so a
//! failed patch never leaves a half-modified value behind.

mod json;
mod merge;
mod schema;
mod strategic;

use std::fmt;

use serde_json::{Map, Value};

pub use json::apply_json_patch;
pub use merge::apply_merge_patch;
pub use strategic::apply_strategic_merge_patch;

/// Deepest nesting of arrays and objects accepted in documents and patches.
///
/// The patch algorithms recurse once per level, so an unbounded depth would let
/// a hostile document exhaust the stack; Kubernetes objects never come close.
/// The same bound as serde_json's reader, so whatever podcore reads it can patch.
pub const MAX_DEPTH: usize = 128;

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    pub message: String,
}

impl PatchError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for PatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatchError {}

/// Removes `key` while keeping the other members in their order, whether or
/// not `serde_json` was built with `preserve_order` (where plain `remove` swaps
/// the last member into the gap).
pub(crate) fn remove_member(members: &mut Map<String, Value>, key: &str) -> Option<Value> {
    let value = members.get_mut(key).map(std::mem::take)?;
    members.retain(|member, _| member != key);
    Some(value)
}

/// Nesting depth of `value`: 0 for a scalar, 1 for a flat array or object, and
/// so on. Stops exploring once `limit` is exceeded, so the answer is exact only
/// up to `limit + 1`.
///
/// Iterative on purpose: this is the guard that runs before any recursion.
pub(crate) fn nesting_depth(value: &Value, limit: usize) -> usize {
    fn push_containers<'a>(
        children: impl Iterator<Item = &'a Value>,
        level: usize,
        stack: &mut Vec<(&'a Value, usize)>,
    ) {
        stack.extend(
            children
                .filter(|child| matches!(child, Value::Array(_) | Value::Object(_)))
                .map(|child| (child, level + 1)),
        );
    }

    let mut deepest = 0;
    let mut stack = Vec::new();
    if matches!(value, Value::Array(_) | Value::Object(_)) {
        stack.push((value, 1));
    }
    while let Some((current, level)) = stack.pop() {
        deepest = deepest.max(level);
        if deepest > limit {
            break;
        }
        match current {
            Value::Array(items) => push_containers(items.iter(), level, &mut stack),
            Value::Object(members) => push_containers(members.values(), level, &mut stack),
            _ => {}
        }
    }
    deepest
}

/// Rejects `value` when it nests deeper than [`MAX_DEPTH`]; otherwise returns
/// its depth.
pub(crate) fn check_depth(value: &Value, context: &str, what: &str) -> Result<usize, PatchError> {
    let depth = nesting_depth(value, MAX_DEPTH);
    if depth > MAX_DEPTH {
        Err(PatchError::new(format!(
            "{context}: the {what} is nested deeper than {MAX_DEPTH} levels"
        )))
    } else {
        Ok(depth)
    }
}

/// Nesting at which recursive algorithms move to a thread of their own with
/// [`LARGE_STACK_BYTES`] of stack. Real documents stay well below it, while
/// [`MAX_DEPTH`] levels of recursion can outgrow the 2 MiB stacks that Rust
/// gives spawned threads, especially in debug builds.
pub(crate) const DEEP_NESTING: usize = 64;

/// Reserved, not committed: untouched pages of a thread stack cost nothing.
const LARGE_STACK_BYTES: usize = 64 << 20;

/// Runs `task` on a scoped thread with a large stack and returns its result,
/// or `None` if no such thread could be started.
pub(crate) fn on_large_stack<T: Send>(task: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(LARGE_STACK_BYTES)
            .spawn_scoped(scope, task)
            .ok()?;
        Some(
            handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested_arrays(levels: usize) -> Value {
        let mut value = json!(1);
        for _ in 0..levels {
            value = Value::Array(vec![value]);
        }
        value
    }

    #[test]
    fn scalars_have_depth_zero() {
        assert_eq!(nesting_depth(&json!("x"), MAX_DEPTH), 0);
        assert_eq!(nesting_depth(&json!(null), MAX_DEPTH), 0);
    }

    #[test]
    fn empty_containers_have_depth_one() {
        assert_eq!(nesting_depth(&json!([]), MAX_DEPTH), 1);
        assert_eq!(nesting_depth(&json!({}), MAX_DEPTH), 1);
    }

    #[test]
    fn depth_counts_the_deepest_branch() {
        let value = json!({"a": 1, "b": {"c": [1, {"d": []}]}, "e": []});
        assert_eq!(nesting_depth(&value, MAX_DEPTH), 5);
    }

    #[test]
    fn depth_search_stops_just_past_the_limit() {
        let value = nested_arrays(50);
        assert_eq!(nesting_depth(&value, 10), 11);
        assert_eq!(nesting_depth(&value, 100), 50);
    }

    #[test]
    fn check_depth_accepts_the_limit_and_rejects_one_more() {
        assert!(check_depth(&nested_arrays(MAX_DEPTH), "ctx", "document").is_ok());
        let err = check_depth(&nested_arrays(MAX_DEPTH + 1), "ctx", "document").unwrap_err();
        assert!(err.message.contains("deeper than 128"), "{err}");
    }

    #[test]
    fn check_depth_reports_the_depth() {
        assert_eq!(check_depth(&json!({"a": [1]}), "ctx", "document"), Ok(2));
    }

    #[test]
    fn large_stack_tasks_return_their_result() {
        let input = [1, 2, 3];
        assert_eq!(on_large_stack(|| input.iter().sum::<i32>()), Some(6));
    }

    #[test]
    fn patch_error_displays_its_message() {
        let err = PatchError::new("boom");
        assert_eq!(err.to_string(), "boom");
        let as_dyn: &dyn std::error::Error = &err;
        assert_eq!(as_dyn.to_string(), "boom");
    }
}
