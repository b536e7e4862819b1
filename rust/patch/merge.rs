//! RFC 7386 JSON Merge Patch.

use serde_json::{Map, Value};

use super::{on_large_stack, DEEP_NESTING, MAX_DEPTH};

/// Applies an RFC 7386 merge patch to a copy of `doc`.
///
/// Objects in the patch merge member by member, `null` members delete, and any
/// other patch value replaces the target outright.
#[must_use]
pub fn apply_merge_patch(doc: &Value, patch: &Value) -> Value {
    merge(Some(doc), patch, 0)
}

/// Builds the merged value without first copying `target`, so subtrees the
/// patch replaces are never cloned.
fn merge(target: Option<&Value>, patch: &Value, depth: usize) -> Value {
    let Value::Object(patch_members) = patch else {
        return patch.clone();
    };
    if depth == DEEP_NESTING {
        // Deeper levels run on a large stack (or here if no thread can be
        // started); nested calls see larger depths, so each branch hands off
        // only once.
        let rest = || merge_members(target, patch_members, depth + 1);
        return on_large_stack(rest).unwrap_or_else(rest);
    }
    merge_members(target, patch_members, depth + 1)
}

fn merge_members(
    target: Option<&Value>,
    patch_members: &Map<String, Value>,
    depth: usize,
) -> Value {
    // The signature has no error channel, so past the depth limit the patch
    // subtree is taken verbatim instead of recursing further; no real
    // document nests this deeply.
    if depth > MAX_DEPTH {
        return Value::Object(patch_members.clone());
    }
    let target_members = match target {
        Some(Value::Object(members)) => Some(members),
        _ => None,
    };
    let mut merged = Map::new();
    if let Some(members) = target_members {
        // Walking the target first keeps its member order when serde_json
        // preserves insertion order.
        for (key, value) in members {
            match patch_members.get(key) {
                None => {
                    merged.insert(key.clone(), value.clone());
                }
                Some(Value::Null) => {}
                Some(patch_value) => {
                    merged.insert(key.clone(), merge(Some(value), patch_value, depth));
                }
            }
        }
    }
    for (key, patch_value) in patch_members {
        let already_merged = target_members.is_some_and(|members| members.contains_key(key));
        if patch_value.is_null() || already_merged {
            continue;
        }
        merged.insert(key.clone(), merge(None, patch_value, depth));
    }
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // RFC 7386 appendix A, one test per row.

    #[test]
    fn a_member_value_is_replaced() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "b"}), &json!({"a": "c"})),
            json!({"a": "c"})
        );
    }

    #[test]
    fn a_new_member_is_added() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "b"}), &json!({"b": "c"})),
            json!({"a": "b", "b": "c"})
        );
    }

    #[test]
    fn null_removes_the_only_member() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "b"}), &json!({"a": null})),
            json!({})
        );
    }

    #[test]
    fn null_removes_one_member_and_keeps_the_rest() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "b", "b": "c"}), &json!({"a": null})),
            json!({"b": "c"})
        );
    }

    #[test]
    fn a_string_replaces_an_array() {
        assert_eq!(
            apply_merge_patch(&json!({"a": ["b"]}), &json!({"a": "c"})),
            json!({"a": "c"})
        );
    }

    #[test]
    fn an_array_replaces_a_string() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "c"}), &json!({"a": ["b"]})),
            json!({"a": ["b"]})
        );
    }

    #[test]
    fn nested_objects_merge_and_nested_nulls_delete() {
        assert_eq!(
            apply_merge_patch(
                &json!({"a": {"b": "c"}}),
                &json!({"a": {"b": "d", "c": null}})
            ),
            json!({"a": {"b": "d"}})
        );
    }

    #[test]
    fn arrays_are_replaced_not_merged() {
        assert_eq!(
            apply_merge_patch(&json!({"a": [{"b": "c"}]}), &json!({"a": [1]})),
            json!({"a": [1]})
        );
    }

    #[test]
    fn a_top_level_array_is_replaced() {
        assert_eq!(
            apply_merge_patch(&json!(["a", "b"]), &json!(["c", "d"])),
            json!(["c", "d"])
        );
    }

    #[test]
    fn an_array_patch_replaces_an_object() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "b"}), &json!(["c"])),
            json!(["c"])
        );
    }

    #[test]
    fn a_null_patch_replaces_the_document_with_null() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "foo"}), &json!(null)),
            json!(null)
        );
    }

    #[test]
    fn a_string_patch_replaces_the_document() {
        assert_eq!(
            apply_merge_patch(&json!({"a": "foo"}), &json!("bar")),
            json!("bar")
        );
    }

    #[test]
    fn existing_null_members_are_kept() {
        assert_eq!(
            apply_merge_patch(&json!({"e": null}), &json!({"a": 1})),
            json!({"e": null, "a": 1})
        );
    }

    #[test]
    fn an_object_patch_replaces_an_array_and_drops_its_nulls() {
        assert_eq!(
            apply_merge_patch(&json!([1, 2]), &json!({"a": "b", "c": null})),
            json!({"a": "b"})
        );
    }

    #[test]
    fn nulls_inside_new_objects_are_dropped() {
        assert_eq!(
            apply_merge_patch(&json!({}), &json!({"a": {"bb": {"ccc": null}}})),
            json!({"a": {"bb": {}}})
        );
    }

    // Kubernetes-flavoured cases.

    #[test]
    fn labels_merge_and_unrelated_fields_are_kept() {
        let pod = json!({
            "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}
        });
        let patch = json!({"metadata": {"labels": {"tier": null, "env": "prod"}}});
        assert_eq!(
            apply_merge_patch(&pod, &patch),
            json!({
                "metadata": {"name": "web", "labels": {"app": "web", "env": "prod"}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}
            })
        );
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let doc = json!({"a": [1, {"b": null}], "c": "d"});
        assert_eq!(apply_merge_patch(&doc, &json!({})), doc);
    }

    #[test]
    fn the_input_document_is_not_modified() {
        let doc = json!({"a": {"b": 1}});
        let _ = apply_merge_patch(&doc, &json!({"a": {"b": null}}));
        assert_eq!(doc, json!({"a": {"b": 1}}));
    }

    #[test]
    fn documents_at_the_depth_limit_merge_fully() {
        let mut doc = json!({"keep": 1, "drop": 2});
        let mut patch = json!({"drop": null, "add": 3});
        for _ in 1..MAX_DEPTH {
            doc = json!({"x": doc});
            patch = json!({"x": patch});
        }
        let mut expected = json!({"keep": 1, "add": 3});
        for _ in 1..MAX_DEPTH {
            expected = json!({"x": expected});
        }
        assert_eq!(apply_merge_patch(&doc, &patch), expected);
    }

    #[test]
    fn very_deep_patches_do_not_exhaust_the_stack() {
        let mut patch = json!({"leaf": 1});
        for _ in 0..(MAX_DEPTH + 200) {
            patch = json!({"x": patch});
        }
        let merged = apply_merge_patch(&json!({}), &patch);
        assert!(merged.get("x").is_some());
    }
}
