//! Kubernetes strategic merge patch, as the apiserver applies
//! `application/strategic-merge-patch+json` to built-in kinds.
//!
//! The rules follow apimachinery's `strategicpatch` package: maps merge key by
//! key and `null` deletes; lists tagged `merge` match items by merge key (or by
//! value for primitives) and keep items the patch does not mention; untagged
//! lists are replaced. The directives `$patch`, `$retainKeys`,
//! `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` are
//! honoured with the same precedence and ordering rules.

use std::fmt::Display;
use std::mem;

use serde::Serialize;
use serde_json::{Map, Value};

use super::json::type_name;
use super::schema::{self, FieldMeta, TypeMeta};
use super::{check_depth, on_large_stack, remove_member, PatchError, DEEP_NESTING};

const CONTEXT: &str = "strategic merge patch";
const PATCH_DIRECTIVE: &str = "$patch";
const RETAIN_KEYS_DIRECTIVE: &str = "$retainKeys";
const SET_ELEMENT_ORDER_PREFIX: &str = "$setElementOrder";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX: &str = "$deleteFromPrimitiveList";

type Object = Map<String, Value>;

/// Applies a strategic merge patch for an object of the given `kind` to a
/// copy of `doc`.
///
/// Supported kinds: `Pod`, `ReplicaSet`, `Deployment`, `StatefulSet`,
/// `DaemonSet`, `Job`, `Node`, `PersistentVolumeClaim` and `Namespace`.
///
/// # Errors
///
/// Fails for any other kind (the apiserver refuses strategic merge patches
/// for custom resources), when the document or patch is not an object or
/// nests deeper than [`super::MAX_DEPTH`], and when the patch is malformed:
/// a merging-list item without its merge key, an unknown `$patch` value,
/// a bad `$retainKeys`, `$setElementOrder` or `$deleteFromPrimitiveList`
/// directive, or lists mixing element types.
pub fn apply_strategic_merge_patch(
    doc: &Value,
    patch: &Value,
    kind: &str,
) -> Result<Value, PatchError> {
    let root = schema::for_kind(kind).ok_or_else(|| {
        PatchError::new(format!(
            "strategic merge patch is not supported for kind \"{kind}\""
        ))
    })?;
    let Value::Object(original) = doc else {
        return Err(error(format!(
            "the document must be a JSON object, got {}",
            type_name(doc)
        )));
    };
    let Value::Object(patch_members) = patch else {
        return Err(error(format!(
            "the patch must be a JSON object, got {}",
            type_name(patch)
        )));
    };
    let depth = check_depth(doc, CONTEXT, "document")?.max(check_depth(patch, CONTEXT, "patch")?);
    let run = || merge_map(original.clone(), patch_members, root).map(Value::Object);
    if depth > DEEP_NESTING {
        // Falling back to the caller's stack is the best remaining option
        // when no thread can be started.
        on_large_stack(run).unwrap_or_else(run)
    } else {
        run()
    }
}

fn error(detail: impl Display) -> PatchError {
    PatchError::new(format!("{CONTEXT}: {detail}"))
}

/// Short JSON rendering of a value for error messages.
fn describe(value: &impl Serialize) -> String {
    const LIMIT: usize = 200;
    let mut text = serde_json::to_string(value).unwrap_or_default();
    if text.len() > LIMIT {
        let mut cut = LIMIT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn no_merge_key(item: &Object, merge_key: &str) -> PatchError {
    error(format!(
        "list item {} does not contain declared merge key {merge_key:?}",
        describe(item)
    ))
}

fn merge_map(
    mut original: Object,
    patch: &Object,
    ty: &'static TypeMeta,
) -> Result<Object, PatchError> {
    if let Some(directive) = patch.get(PATCH_DIRECTIVE) {
        return match directive.as_str() {
            Some("replace") => {
                let mut replacement = patch.clone();
                remove_member(&mut replacement, PATCH_DIRECTIVE);
                Ok(replacement)
            }
            Some("delete") => Ok(Object::new()),
            // The apiserver rejects "merge" here too: merging is the default
            // and it has no explicit spelling inside a map.
            _ => Err(error(format!(
                "invalid $patch directive {} in map {}: expected \"replace\" or \"delete\"",
                describe(directive),
                describe(patch)
            ))),
        };
    }
    apply_retain_keys(&mut original, patch)?;
    let ordered = apply_element_orders(&mut original, patch, ty)?;
    for (key, patch_value) in patch {
        if key == RETAIN_KEYS_DIRECTIVE
            || key.starts_with(SET_ELEMENT_ORDER_PREFIX)
            || ordered.contains(&key.as_str())
        {
            continue;
        }
        if key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX) {
            let name = directive_target(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX)?;
            delete_from_list(&mut original, name, key, patch_value, ty.field(name))?;
        } else {
            merge_field(&mut original, key, patch_value, ty.field(key))?;
        }
    }
    Ok(original)
}

/// `$retainKeys` lists the only fields the result may keep; everything else in
/// the original is cleared before merging.
fn apply_retain_keys(original: &mut Object, patch: &Object) -> Result<(), PatchError> {
    let Some(retained) = patch.get(RETAIN_KEYS_DIRECTIVE) else {
        return Ok(());
    };
    let Value::Array(retained) = retained else {
        return Err(error(format!(
            "$retainKeys must be a list of field names, got {}",
            describe(retained)
        )));
    };
    let is_retained = |key: &str| retained.iter().any(|name| name.as_str() == Some(key));
    for (key, value) in patch {
        let exempt = key == RETAIN_KEYS_DIRECTIVE
            || value.is_null()
            || key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
            || key.starts_with(SET_ELEMENT_ORDER_PREFIX);
        if !exempt && !is_retained(key) {
            return Err(error(format!(
                "field {key:?} is set by the patch but missing from $retainKeys {}",
                describe(retained)
            )));
        }
    }
    original.retain(|key, _| is_retained(key));
    Ok(())
}

/// Splits `<prefix>/<field>` directive keys, returning the field.
fn directive_target<'k>(key: &'k str, prefix: &str) -> Result<&'k str, PatchError> {
    match key.split_once('/') {
        Some((head, field)) if head == prefix => Ok(field),
        _ => Err(error(format!(
            "invalid directive key {key:?}: expected \"{prefix}/<field>\""
        ))),
    }
}

fn merge_field(
    original: &mut Object,
    name: &str,
    patch_value: &Value,
    field: &'static FieldMeta,
) -> Result<(), PatchError> {
    if patch_value.is_null() {
        remove_member(original, name);
        return Ok(());
    }
    let Some(slot) = original.get_mut(name) else {
        if let Some(value) = cleaned(patch_value, true) {
            original.insert(name.to_owned(), value);
        }
        return Ok(());
    };
    match (slot, patch_value) {
        (Value::Object(current), Value::Object(patch_members)) => {
            *current = merge_map(mem::take(current), patch_members, field.ty)?;
        }
        (Value::Array(current), Value::Array(patch_items)) => {
            *current = if field.merges() {
                merge_list(name, mem::take(current), patch_items, field)?
            } else {
                patch_items.clone()
            };
        }
        (slot, _) if same_kind(slot, patch_value) => *slot = patch_value.clone(),
        (slot, _) => match cleaned(patch_value, true) {
            Some(value) => *slot = value,
            None => {
                remove_member(original, name);
            }
        },
    }
    Ok(())
}

/// Handles `$deleteFromPrimitiveList/<field>`: removes every listed value
/// from the field's list.
fn delete_from_list(
    original: &mut Object,
    name: &str,
    key: &str,
    patch_value: &Value,
    field: &'static FieldMeta,
) -> Result<(), PatchError> {
    let to_delete = match patch_value {
        // Kubernetes treats a null deletion list like a null field.
        Value::Null => {
            remove_member(original, name);
            return Ok(());
        }
        Value::Array(items) => items,
        other => {
            return Err(error(format!(
                "{key} must be a list of values to delete, got {}",
                describe(other)
            )));
        }
    };
    if let Some(Value::Array(current)) = original.get_mut(name) {
        if current.is_empty() && to_delete.is_empty() {
            return Ok(());
        }
        match element_kind(name, &[current, to_delete])? {
            Some(ElementKind::Scalar) | None => {
                current.retain(|value| !to_delete.contains(value));
            }
            Some(ElementKind::Object) => {
                let detail = if field.merge_key.is_some() {
                    "use $patch: delete items instead"
                } else {
                    "the list has no merge key"
                };
                return Err(error(format!(
                    "{key} can only delete primitive values, but {name:?} holds objects ({detail})"
                )));
            }
        }
    }
    Ok(())
}

fn same_kind(a: &Value, b: &Value) -> bool {
    mem::discriminant(a) == mem::discriminant(b)
}

/// Copy of a patch value about to be inserted where the original has nothing
/// to merge with: maps carrying `$patch` are dropped (they only make sense
/// against existing data) and, if `drop_nulls`, null members are discarded.
/// Returns `None` when the value itself is such a directive map.
fn cleaned(value: &Value, drop_nulls: bool) -> Option<Value> {
    match value {
        Value::Object(members) => {
            if members.contains_key(PATCH_DIRECTIVE)
                && !(drop_nulls && members.get(PATCH_DIRECTIVE).is_some_and(Value::is_null))
            {
                return None;
            }
            let mut copy = Object::new();
            for (key, member) in members {
                if drop_nulls && member.is_null() {
                    continue;
                }
                if let Some(member) = cleaned(member, drop_nulls) {
                    copy.insert(key.clone(), member);
                }
            }
            Some(Value::Object(copy))
        }
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|item| cleaned(item, drop_nulls))
                .collect(),
        )),
        scalar => Some(scalar.clone()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ElementKind {
    Object,
    Scalar,
}

/// The common kind of the elements of `lists`, or `None` if they are all
/// empty. Kubernetes refuses lists mixing element types and lists of lists.
fn element_kind(name: &str, lists: &[&[Value]]) -> Result<Option<ElementKind>, PatchError> {
    let mut first: Option<&Value> = None;
    for item in lists.iter().flat_map(|list| list.iter()) {
        if item.is_array() {
            return Err(error(format!(
                "list {name:?} contains a list; lists of lists cannot be merged"
            )));
        }
        match first {
            None => first = Some(item),
            Some(seen) if !same_kind(seen, item) => {
                return Err(error(format!(
                    "list {name:?} mixes element types ({} and {})",
                    type_name(seen),
                    type_name(item)
                )));
            }
            Some(_) => {}
        }
    }
    Ok(first.map(|item| {
        if item.is_object() {
            ElementKind::Object
        } else {
            ElementKind::Scalar
        }
    }))
}

/// Merges a list whose field is tagged `merge`.
fn merge_list(
    name: &str,
    original: Vec<Value>,
    patch: &[Value],
    field: &'static FieldMeta,
) -> Result<Vec<Value>, PatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    match element_kind(name, &[&original, patch])? {
        Some(ElementKind::Object) => {
            let merge_key = field.merge_key.ok_or_else(|| {
                error(format!(
                    "cannot merge list {name:?}: its items are objects but it has no merge key"
                ))
            })?;
            merge_object_list(original, patch, merge_key, field.ty)
        }
        Some(ElementKind::Scalar) | None => {
            // A set union; the ordering pass below decides positions.
            let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
            for item in original.iter().chain(patch) {
                if !merged.contains(item) {
                    merged.push(item.clone());
                }
            }
            let patch_order = identities(patch, None)?;
            let server_order = identities(&original, None)?;
            enforce_order(merged, &patch_order, &server_order, None)
        }
    }
}

fn merge_object_list(
    original: Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    item_type: &'static TypeMeta,
) -> Result<Vec<Value>, PatchError> {
    let (mut merged, patch_items) = apply_list_directives(original, patch, merge_key)?;
    let server_order = identities(&merged, Some(merge_key))?;
    for item in &patch_items {
        let key_value = item
            .get(merge_key)
            .ok_or_else(|| no_merge_key(item, merge_key))?;
        let position = merged.iter().position(|existing| {
            existing
                .as_object()
                .and_then(|existing| existing.get(merge_key))
                == Some(key_value)
        });
        match position.and_then(|position| merged.get_mut(position)) {
            Some(Value::Object(existing)) => {
                *existing = merge_map(mem::take(existing), item, item_type)?;
            }
            _ => merged.push(Value::Object((*item).clone())),
        }
    }
    let patch_order = patch_items
        .iter()
        .map(|item| {
            item.get(merge_key)
                .cloned()
                .ok_or_else(|| no_merge_key(item, merge_key))
        })
        .collect::<Result<Vec<_>, _>>()?;
    enforce_order(merged, &patch_order, &server_order, Some(merge_key))
}

/// Applies `$patch` items of a merging list: `delete` removes the items with
/// the same merge key, `replace` makes the other patch items the whole list.
/// Returns the resulting original list and the patch items left to merge.
fn apply_list_directives<'p>(
    mut original: Vec<Value>,
    patch: &'p [Value],
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<&'p Object>), PatchError> {
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        let Value::Object(item) = item else {
            return Err(error(format!(
                "expected an object in a merging list, got {}",
                describe(item)
            )));
        };
        let Some(directive) = item.get(PATCH_DIRECTIVE) else {
            plain.push(item);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let key_value = item
                    .get(merge_key)
                    .ok_or_else(|| no_merge_key(item, merge_key))?;
                original.retain(|existing| {
                    existing
                        .as_object()
                        .and_then(|existing| existing.get(merge_key))
                        != Some(key_value)
                });
            }
            Some("replace") => replace = true,
            Some("merge") => {
                return Err(error(format!(
                    "$patch: merge is not supported inside a list (item {})",
                    describe(item)
                )));
            }
            _ => {
                return Err(error(format!(
                    "invalid $patch directive {} in list item {}: expected \"delete\" or \"replace\"",
                    describe(directive),
                    describe(item)
                )));
            }
        }
    }
    if replace {
        let replacement = plain.into_iter().cloned().map(Value::Object).collect();
        return Ok((replacement, Vec::new()));
    }
    Ok((original, plain))
}

/// What identifies a list item when ordering: its merge key value for lists of
/// objects, the item itself for primitives.
fn identity<'v>(item: &'v Value, merge_key: Option<&str>) -> Result<&'v Value, PatchError> {
    let Some(merge_key) = merge_key else {
        return Ok(item);
    };
    match item {
        Value::Object(members) => members
            .get(merge_key)
            .ok_or_else(|| no_merge_key(members, merge_key)),
        other => Err(error(format!(
            "expected an object with merge key {merge_key:?} in the list, got {}",
            describe(other)
        ))),
    }
}

fn identities(items: &[Value], merge_key: Option<&str>) -> Result<Vec<Value>, PatchError> {
    items
        .iter()
        .map(|item| identity(item, merge_key).cloned())
        .collect()
}

fn position_in(order: &[Value], id: &Value) -> Option<usize> {
    order.iter().position(|candidate| candidate == id)
}

fn is_delete_directive(item: &Value) -> bool {
    item.get(PATCH_DIRECTIVE).and_then(Value::as_str) == Some("delete")
}

/// Orders a merged list the way Kubernetes does: items named in
/// `patch_order` follow that order, the remaining (server-only) items keep
/// their order from `server_order`, and the two sequences are interleaved so
/// that items found in both orders keep their original relative positions.
fn enforce_order(
    merged: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: Option<&str>,
) -> Result<Vec<Value>, PatchError> {
    let mut from_patch = Vec::new();
    let mut server_only = Vec::new();
    for item in merged {
        let in_patch = position_in(patch_order, identity(&item, merge_key)?).is_some();
        if in_patch {
            from_patch.push(item);
        } else {
            server_only.push(item);
        }
    }
    let from_patch = sort_by_order(from_patch, patch_order, merge_key)?;
    let server_only = sort_by_order(server_only, server_order, merge_key)?;
    interleave(server_only, from_patch, server_order, merge_key)
}

/// Stable sort of `items` by their position in `order`; `$patch: delete`
/// items of object lists go last, as Kubernetes places them.
fn sort_by_order(
    items: Vec<Value>,
    order: &[Value],
    merge_key: Option<&str>,
) -> Result<Vec<Value>, PatchError> {
    let mut keyed = Vec::with_capacity(items.len());
    let mut deletions = Vec::new();
    for item in items {
        if merge_key.is_some() && is_delete_directive(&item) {
            deletions.push(item);
            continue;
        }
        let rank = position_in(order, identity(&item, merge_key)?).unwrap_or(usize::MAX);
        keyed.push((rank, item));
    }
    keyed.sort_by_key(|(rank, _)| *rank);
    let mut sorted: Vec<Value> = keyed.into_iter().map(|(_, item)| item).collect();
    sorted.append(&mut deletions);
    Ok(sorted)
}

/// Merges two sorted lists. An item of `left` goes first only when both it
/// and the current item of `right` appear in `server_order` and it comes
/// earlier there; otherwise `right` wins, so items new to the server lead.
fn interleave(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: Option<&str>,
) -> Result<Vec<Value>, PatchError> {
    let rank = |item: &Value| -> Result<Option<usize>, PatchError> {
        Ok(position_in(server_order, identity(item, merge_key)?))
    };
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left
        .into_iter()
        .map(|item| rank(&item).map(|r| (r, item)))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .peekable();
    let mut right = right
        .into_iter()
        .map(|item| rank(&item).map(|r| (r, item)))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some((l, _)), Some((r, _))) => matches!((l, r), (Some(l), Some(r)) if l < r),
            (next_left, None) => next_left.is_some(),
            (None, Some(_)) => false,
        };
        let next = if take_left { left.next() } else { right.next() };
        if let Some((_, item)) = next {
            out.push(item);
        }
    }
    Ok(out)
}

/// Processes every `$setElementOrder/<field>` of `patch`: merges the field's
/// list (if the patch has one) and then orders the result as the directive
/// says. Returns the fields handled, which the caller must not merge again.
fn apply_element_orders<'p>(
    original: &mut Object,
    patch: &'p Object,
    ty: &'static TypeMeta,
) -> Result<Vec<&'p str>, PatchError> {
    let mut handled = Vec::new();
    for (key, order) in patch {
        if !key.starts_with(SET_ELEMENT_ORDER_PREFIX) {
            continue;
        }
        let name = directive_target(key, SET_ELEMENT_ORDER_PREFIX)?;
        let Value::Array(order) = order else {
            return Err(error(format!(
                "{key} must be a list, got {}",
                describe(order)
            )));
        };
        let field = ty.field(name);
        let patch_list = match patch.get(name) {
            None => None,
            Some(Value::Array(items)) => Some(items.as_slice()),
            Some(other) => {
                return Err(error(format!(
                    "{key} names {name:?}, but the patch sets it to {} instead of a list",
                    type_name(other)
                )));
            }
        };
        let current = match original.get(name) {
            None => None,
            Some(Value::Array(items)) => Some(items.as_slice()),
            Some(other) => {
                return Err(error(format!(
                    "{key} names {name:?}, but the document holds {} there instead of a list",
                    type_name(other)
                )));
            }
        };
        handled.push(name);
        if current.is_none() && patch_list.is_none() {
            continue;
        }
        let kind = element_kind(
            name,
            &[current.unwrap_or_default(), patch_list.unwrap_or_default()],
        )?;
        let merge_key = match kind {
            Some(ElementKind::Object) => Some(field.merge_key.ok_or_else(|| {
                error(format!(
                    "cannot apply {key}: {name:?} holds objects but has no merge key"
                ))
            })?),
            _ => None,
        };
        validate_element_order(name, patch_list.unwrap_or_default(), order, merge_key)?;
        let order_ids = if kind.is_some() {
            identities(order, merge_key)?
        } else {
            Vec::new()
        };
        let server_ids = identities(current.unwrap_or_default(), merge_key)?;
        let merged = match (original.get_mut(name), patch_list) {
            (Some(Value::Array(current)), Some(patch_items)) => {
                if field.merges() {
                    merge_list(name, mem::take(current), patch_items, field)?
                } else {
                    patch_items.to_vec()
                }
            }
            (Some(Value::Array(current)), None) => mem::take(current),
            (_, Some(patch_items)) => patch_items
                .iter()
                .filter_map(|item| cleaned(item, false))
                .collect(),
            (_, None) => Vec::new(),
        };
        let result = if kind.is_some() {
            enforce_order(merged, &order_ids, &server_ids, merge_key)?
        } else {
            merged
        };
        match original.get_mut(name) {
            Some(slot) => *slot = Value::Array(result),
            None => {
                original.insert(name.to_owned(), Value::Array(result));
            }
        }
    }
    Ok(handled)
}

/// Checks that the patch list names its items in the same relative order as
/// `$setElementOrder` and names nothing the directive leaves out.
fn validate_element_order(
    name: &str,
    patch_list: &[Value],
    order: &[Value],
    merge_key: Option<&str>,
) -> Result<(), PatchError> {
    if patch_list.is_empty() || order.is_empty() {
        return Ok(());
    }
    let listed: Vec<&Value> = patch_list
        .iter()
        .filter(|item| merge_key.is_none() || !is_delete_directive(item))
        .collect();
    let mut listed_at = 0;
    let mut order_at = 0;
    while let (Some(item), Some(expected)) = (listed.get(listed_at), order.get(order_at)) {
        if item.get(PATCH_DIRECTIVE).is_some() {
            listed_at += 1;
            continue;
        }
        if identity(item, merge_key)? == identity(expected, merge_key)? {
            listed_at += 1;
        }
        order_at += 1;
    }
    if listed_at < listed.len() {
        return Err(error(format!(
            "the items of {name:?} in the patch {} are not in the order given by $setElementOrder/{name} {}",
            describe(&patch_list),
            describe(&order)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::schema::Strategy;
    use super::*;
    use serde_json::json;

    fn smp(doc: &Value, patch: &Value, kind: &str) -> Value {
        apply_strategic_merge_patch(doc, patch, kind)
            .unwrap_or_else(|err| panic!("patch failed: {err}"))
    }

    fn smp_err(doc: &Value, patch: &Value, kind: &str) -> String {
        apply_strategic_merge_patch(doc, patch, kind)
            .expect_err("the patch should fail")
            .message
    }

    fn pod() -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web",
                "labels": {"app": "web", "tier": "frontend"},
                "finalizers": ["a.example.com/x", "b.example.com/y", "c.example.com/z"]
            },
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "app:1",
                        "env": [
                            {"name": "MODE", "value": "prod"},
                            {"name": "LEVEL", "value": "info"}
                        ],
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}]
                    },
                    {"name": "sidecar", "image": "proxy:1"}
                ],
                "tolerations": [{"key": "a", "operator": "Exists"}],
                "volumes": [{"name": "data", "emptyDir": {}}]
            },
            "status": {
                "phase": "Pending",
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Ready", "status": "False"}
                ]
            }
        })
    }

    fn names(list: &Value) -> Vec<&str> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|item| item["name"].as_str().expect("a name"))
            .collect()
    }

    // The cases below mirror apimachinery's own strategic merge patch test
    // table, applied against a type shaped like its `MergeItem` test struct.

    static MERGE_ITEM: TypeMeta = TypeMeta {
        fields: &[
            FieldMeta {
                name: "mergingList",
                strategy: Strategy::Merge,
                merge_key: Some("name"),
                ty: &MERGE_ITEM,
            },
            FieldMeta {
                name: "nonMergingList",
                strategy: Strategy::Untagged,
                merge_key: None,
                ty: &MERGE_ITEM,
            },
            FieldMeta {
                name: "mergingIntList",
                strategy: Strategy::Merge,
                merge_key: None,
                ty: &MERGE_ITEM,
            },
            FieldMeta {
                name: "mergeItemPtr",
                strategy: Strategy::Merge,
                merge_key: Some("name"),
                ty: &MERGE_ITEM,
            },
            FieldMeta {
                name: "retainKeysMap",
                strategy: Strategy::RetainKeys,
                merge_key: None,
                ty: &MERGE_ITEM,
            },
            FieldMeta {
                name: "retainKeysMergingList",
                strategy: Strategy::MergeRetainKeys,
                merge_key: Some("name"),
                ty: &MERGE_ITEM,
            },
        ],
    };

    fn merge_item(original: Value, patch: &Value) -> Result<Value, PatchError> {
        let (Value::Object(original), Value::Object(patch)) = (original, patch) else {
            panic!("test inputs must be objects");
        };
        merge_map(original, patch, &MERGE_ITEM).map(Value::Object)
    }

    fn assert_merge_item(original: Value, patch: &Value, expected: &Value) {
        let result = merge_item(original, patch).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(&result, expected, "patch {patch}");
    }

    #[test]
    fn merging_scalar_lists_keeps_values_unique() {
        assert_merge_item(
            json!({"mergingIntList": [1, 2]}),
            &json!({"mergingIntList": [2, 3]}),
            &json!({"mergingIntList": [1, 2, 3]}),
        );
    }

    #[test]
    fn patch_order_wins_for_items_the_patch_names() {
        assert_merge_item(
            json!({"mergingList": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]}),
            &json!({"mergingList": [
                {"name": 3, "value": "c"},
                {"name": 1, "value": "a"},
                {"name": 2, "other": "x"}
            ]}),
            &json!({"mergingList": [
                {"name": 3, "value": "c"},
                {"name": 1, "value": "a"},
                {"name": 2, "value": "b", "other": "x"}
            ]}),
        );
        assert_merge_item(
            json!({"mergingIntList": [1, 2, 3]}),
            &json!({"mergingIntList": [3, 1, 2]}),
            &json!({"mergingIntList": [3, 1, 2]}),
        );
    }

    #[test]
    fn unnamed_items_keep_their_place_among_patched_ones() {
        assert_merge_item(
            json!({"mergingList": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]}),
            &json!({"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"}]}),
            &json!({"mergingList": [
                {"name": 2, "value": "b"},
                {"name": 3, "value": "c"},
                {"name": 1, "value": "a"}
            ]}),
        );
        assert_merge_item(
            json!({"mergingIntList": [1, 2, 3]}),
            &json!({"mergingIntList": [3, 1]}),
            &json!({"mergingIntList": [2, 3, 1]}),
        );
    }

    #[test]
    fn map_and_list_directives_empty_or_replace_their_target() {
        assert_merge_item(
            json!({"simpleMap": {"key1": 1, "key2": 1}}),
            &json!({"simpleMap": {"$patch": "delete"}}),
            &json!({"simpleMap": {}}),
        );
        assert_merge_item(
            json!({"mergingList": [{"name": 1}, {"name": 2}]}),
            &json!({"mergingList": [{"$patch": "replace"}]}),
            &json!({"mergingList": []}),
        );
        assert_merge_item(
            json!({"name": 1, "value": 1}),
            &json!({"$patch": "replace"}),
            &json!({}),
        );
        assert_merge_item(
            json!({"name": 1, "value": 1}),
            &json!({"other": "a", "$patch": "replace"}),
            &json!({"other": "a"}),
        );
        assert_merge_item(
            json!({"mergingList": []}),
            &json!({"mergingList": []}),
            &json!({"mergingList": []}),
        );
    }

    #[test]
    fn delete_directives_remove_every_duplicate() {
        let original = json!({"mergingList": [
            {"name": 1},
            {"name": 1},
            {"name": 2, "value": "a"},
            {"name": 3},
            {"name": 3}
        ]});
        assert_merge_item(
            original,
            &json!({"mergingList": [
                {"name": 1, "$patch": "delete"},
                {"name": 3, "$patch": "delete"}
            ]}),
            &json!({"mergingList": [{"name": 2, "value": "a"}]}),
        );
    }

    #[test]
    fn element_order_may_name_items_missing_from_the_list() {
        assert_merge_item(
            json!({"mergingList": [{"name": 1}, {"name": 3}]}),
            &json!({
                "$setElementOrder/mergingList": [{"name": 3}, {"name": 2}, {"name": 1}],
                "mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]
            }),
            &json!({"mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]}),
        );
        assert_merge_item(
            json!({"mergingIntList": [1, 3]}),
            &json!({"$setElementOrder/mergingIntList": [3, 2, 1]}),
            &json!({"mergingIntList": [3, 1]}),
        );
    }

    #[test]
    fn element_order_contradicting_the_patch_list_fails() {
        let maps = merge_item(
            json!({"mergingList": [{"name": 1}, {"name": 3}, {"name": 2}]}),
            &json!({
                "$setElementOrder/mergingList": [{"name": 1}, {"name": 2}, {"name": 3}],
                "mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]
            }),
        );
        assert!(maps.is_err());
        let scalars = merge_item(
            json!({"mergingIntList": [1, 3, 2]}),
            &json!({"$setElementOrder/mergingIntList": [1, 2, 3], "mergingIntList": [3, 1]}),
        );
        assert!(scalars.is_err());
    }

    #[test]
    fn element_order_and_deletions_combine_on_scalar_lists() {
        let patch = json!({
            "$setElementOrder/mergingIntList": [1, 2],
            "$deleteFromPrimitiveList/mergingIntList": [3]
        });
        assert_merge_item(
            json!({"mergingIntList": [1, 2, 3, 4]}),
            &patch,
            &json!({"mergingIntList": [1, 2, 4]}),
        );
        assert_merge_item(
            json!({"mergingIntList": [1, 2, 3, 3, 4]}),
            &patch,
            &json!({"mergingIntList": [1, 2, 4]}),
        );
        assert_merge_item(
            json!({"mergingIntList": [1, 2, 3]}),
            &json!({
                "$setElementOrder/mergingIntList": [1, 2, 4],
                "$deleteFromPrimitiveList/mergingIntList": [3],
                "mergingIntList": [4]
            }),
            &json!({"mergingIntList": [1, 2, 4]}),
        );
    }

    #[test]
    fn element_order_places_new_and_server_only_items() {
        assert_merge_item(
            json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2}]}),
            &json!({
                "$setElementOrder/mergingList": [
                    {"name": 4}, {"name": 1}, {"name": 2}, {"name": 3}
                ],
                "mergingList": [{"name": 4, "value": 4}, {"name": 3, "value": 3}]
            }),
            &json!({"mergingList": [
                {"name": 4, "value": 4},
                {"name": 1, "other": "a"},
                {"name": 2, "value": 2},
                {"name": 3, "value": 3}
            ]}),
        );
        assert_merge_item(
            json!({"retainKeysMap": {
                "name": "foo",
                "mergingList": [{"name": "a"}, {"name": "b"}, {"name": "x"}]
            }}),
            &json!({"retainKeysMap": {
                "$retainKeys": ["mergingList", "name"],
                "$setElementOrder/mergingList": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                "mergingList": [{"name": "c"}]
            }}),
            &json!({"retainKeysMap": {
                "name": "foo",
                "mergingList": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "x"}]
            }}),
        );
    }

    #[test]
    fn retain_keys_in_a_list_item_clears_unlisted_fields() {
        assert_merge_item(
            json!({"retainKeysMergingList": [
                {"name": "bar"},
                {"name": "foo", "value": "a", "other": "x"}
            ]}),
            &json!({
                "$setElementOrder/retainKeysMergingList": [{"name": "bar"}, {"name": "foo"}],
                "retainKeysMergingList": [{"$retainKeys": ["name", "value"], "name": "foo"}]
            }),
            &json!({"retainKeysMergingList": [
                {"name": "bar"},
                {"name": "foo", "value": "a"}
            ]}),
        );
    }

    #[test]
    fn one_patch_can_delete_in_one_list_and_reorder_another() {
        assert_merge_item(
            json!({
                "mergingList": [{"name": "a", "value": "a"}, {"name": "b", "value": "b"}],
                "mergeItemPtr": [{"name": "c", "value": "c"}, {"name": "d", "value": "d"}]
            }),
            &json!({
                "$setElementOrder/mergingList": [{"name": "b"}],
                "$setElementOrder/mergeItemPtr": [{"name": "d"}, {"name": "c"}],
                "mergingList": [{"$patch": "delete", "name": "a"}]
            }),
            &json!({
                "mergingList": [{"name": "b", "value": "b"}],
                "mergeItemPtr": [{"name": "d", "value": "d"}, {"name": "c", "value": "c"}]
            }),
        );
    }

    #[test]
    fn merging_list_items_without_the_merge_key_fail() {
        let err = merge_item(
            json!({"mergingList": [{"name": 1, "value": "a"}]}),
            &json!({"mergingList": [{"value": "b"}]}),
        )
        .expect_err("missing merge key");
        assert!(
            err.message.contains("does not contain declared merge key"),
            "{err}"
        );
    }

    #[test]
    fn containers_merge_by_name_keeping_unlisted_ones() {
        let patch = json!({"spec": {"containers": [{"name": "sidecar", "image": "proxy:2"}]}});
        let out = smp(&pod(), &patch, "Pod");
        let containers = &out["spec"]["containers"];
        assert_eq!(names(containers), ["app", "sidecar"]);
        assert_eq!(containers[0]["image"], "app:1");
        assert_eq!(containers[1]["image"], "proxy:2");
    }

    #[test]
    fn an_unknown_container_is_appended() {
        let patch = json!({"spec": {"containers": [{"name": "debug", "image": "busybox"}]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            names(&out["spec"]["containers"]),
            ["debug", "app", "sidecar"]
        );
    }

    #[test]
    fn env_merges_by_name_inside_a_container() {
        let patch = json!({"spec": {"containers": [{
            "name": "app",
            "env": [{"name": "LEVEL", "value": "debug"}, {"name": "NEW", "value": "1"}]
        }]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["spec"]["containers"][0]["env"],
            json!([
                {"name": "MODE", "value": "prod"},
                {"name": "LEVEL", "value": "debug"},
                {"name": "NEW", "value": "1"}
            ])
        );
    }

    #[test]
    fn patch_delete_removes_a_container() {
        let patch = json!({"spec": {"containers": [{"name": "app", "$patch": "delete"}]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(names(&out["spec"]["containers"]), ["sidecar"]);
    }

    #[test]
    fn patch_delete_of_an_absent_item_is_harmless() {
        let patch = json!({"spec": {"containers": [{"name": "nope", "$patch": "delete"}]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out, pod());
    }

    #[test]
    fn patch_replace_in_a_list_replaces_the_whole_list() {
        let patch = json!({"spec": {"containers": [
            {"name": "only", "image": "x"},
            {"$patch": "replace"}
        ]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "only", "image": "x"}])
        );
    }

    #[test]
    fn patch_replace_on_a_map_replaces_the_map() {
        let patch = json!({"metadata": {"labels": {"$patch": "replace", "new": "yes"}}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out["metadata"]["labels"], json!({"new": "yes"}));
        assert_eq!(out["metadata"]["name"], "web");
    }

    #[test]
    fn patch_delete_on_a_map_empties_it() {
        let patch = json!({"metadata": {"labels": {"$patch": "delete"}}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out["metadata"]["labels"], json!({}));
    }

    #[test]
    fn patch_replace_at_the_root_replaces_the_object() {
        let patch = json!({"$patch": "replace", "kind": "Pod", "metadata": {"name": "x"}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out, json!({"kind": "Pod", "metadata": {"name": "x"}}));
    }

    #[test]
    fn set_element_order_reorders_a_merged_list() {
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}],
            "containers": [{"name": "app", "image": "app:2"}]
        }});
        let out = smp(&pod(), &patch, "Pod");
        let containers = &out["spec"]["containers"];
        assert_eq!(names(containers), ["sidecar", "app"]);
        assert_eq!(containers[1]["image"], "app:2");
        assert_eq!(containers[1]["env"][0]["name"], "MODE");
    }

    #[test]
    fn set_element_order_alone_reorders_without_changes() {
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]
        }});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(names(&out["spec"]["containers"]), ["sidecar", "app"]);
    }

    #[test]
    fn set_element_order_places_new_items_where_listed() {
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "app"}, {"name": "new"}, {"name": "sidecar"}],
            "containers": [{"name": "new", "image": "n:1"}]
        }});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(names(&out["spec"]["containers"]), ["app", "new", "sidecar"]);
    }

    #[test]
    fn set_element_order_with_deletions_as_kubectl_sends_them() {
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "sidecar"}],
            "containers": [{"$patch": "delete", "name": "app"}]
        }});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(names(&out["spec"]["containers"]), ["sidecar"]);
    }

    #[test]
    fn set_element_order_that_contradicts_the_patch_is_rejected() {
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
            "containers": [{"name": "sidecar", "image": "s"}, {"name": "app", "image": "a"}]
        }});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(
            message.contains("not in the order given by $setElementOrder"),
            "{message}"
        );
    }

    #[test]
    fn set_element_order_must_be_a_list() {
        let patch = json!({"spec": {"$setElementOrder/containers": "app"}});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(message.contains("must be a list"), "{message}");
    }

    #[test]
    fn retain_keys_switches_a_deployment_from_rolling_update_to_recreate() {
        let deployment = json!({
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 3,
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}
                }
            }
        });
        let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
        let out = smp(&deployment, &patch, "Deployment");
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(out["spec"]["replicas"], 3);
    }

    #[test]
    fn retain_keys_must_cover_every_field_the_patch_sets() {
        let deployment = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
        let patch = json!({"spec": {"strategy": {
            "$retainKeys": ["type"],
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1}
        }}});
        let message = smp_err(&deployment, &patch, "Deployment");
        assert!(message.contains("\"rollingUpdate\""), "{message}");
        assert!(message.contains("$retainKeys"), "{message}");
    }

    #[test]
    fn retain_keys_must_be_a_list() {
        let deployment = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
        let patch = json!({"spec": {"strategy": {"$retainKeys": "type"}}});
        let message = smp_err(&deployment, &patch, "Deployment");
        assert!(message.contains("$retainKeys must be a list"), "{message}");
    }

    #[test]
    fn retain_keys_on_a_volume_swaps_its_source() {
        let patch = json!({"spec": {"volumes": [{
            "name": "data",
            "$retainKeys": ["name", "configMap"],
            "configMap": {"name": "settings"}
        }]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["spec"]["volumes"],
            json!([{"name": "data", "configMap": {"name": "settings"}}])
        );
    }

    #[test]
    fn delete_from_primitive_list_removes_finalizers() {
        let patch =
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b.example.com/y"]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["metadata"]["finalizers"],
            json!(["a.example.com/x", "c.example.com/z"])
        );
    }

    #[test]
    fn delete_from_primitive_list_with_element_order_as_kubectl_sends_it() {
        let patch = json!({"metadata": {
            "$deleteFromPrimitiveList/finalizers": ["a.example.com/x"],
            "$setElementOrder/finalizers": ["c.example.com/z", "b.example.com/y"]
        }});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["metadata"]["finalizers"],
            json!(["c.example.com/z", "b.example.com/y"])
        );
    }

    #[test]
    fn delete_from_primitive_list_of_a_missing_list_adds_nothing() {
        let doc = json!({"metadata": {"name": "x"}});
        let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}});
        assert_eq!(smp(&doc, &patch, "Pod"), doc);
    }

    #[test]
    fn delete_from_primitive_list_needs_a_field_name() {
        let patch = json!({"metadata": {"$deleteFromPrimitiveList": ["a"]}});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(message.contains("invalid directive key"), "{message}");
    }

    #[test]
    fn delete_from_primitive_list_rejects_lists_of_objects() {
        let patch = json!({"spec": {"$deleteFromPrimitiveList/containers": [{"name": "app"}]}});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(
            message.contains("can only delete primitive values"),
            "{message}"
        );
    }

    #[test]
    fn primitive_merge_lists_are_unioned_keeping_order() {
        let patch = json!({"metadata": {"finalizers": ["d.example.com/w", "a.example.com/x"]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["metadata"]["finalizers"],
            json!([
                "d.example.com/w",
                "a.example.com/x",
                "b.example.com/y",
                "c.example.com/z"
            ])
        );
    }

    #[test]
    fn lists_without_a_merge_strategy_are_replaced() {
        let patch = json!({"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["spec"]["tolerations"],
            json!([{"key": "b", "operator": "Exists"}])
        );
    }

    #[test]
    fn null_deletes_a_key() {
        let patch = json!({"metadata": {"labels": {"tier": null}}, "status": {"phase": null}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out["metadata"]["labels"], json!({"app": "web"}));
        assert!(out["status"].get("phase").is_none());
    }

    #[test]
    fn nulls_for_absent_keys_are_dropped() {
        let patch = json!({"metadata": {"annotations": {"a": "1", "b": null}, "missing": null}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out["metadata"]["annotations"], json!({"a": "1"}));
        assert!(out["metadata"].get("missing").is_none());
    }

    #[test]
    fn status_conditions_merge_by_type() {
        let patch = json!({"status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]
        }});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out["status"]["phase"], "Running");
        assert_eq!(
            out["status"]["conditions"],
            json!([
                {"type": "PodScheduled", "status": "True"},
                {"type": "Ready", "status": "True"}
            ])
        );
    }

    #[test]
    fn container_ports_merge_by_numeric_container_port() {
        let patch = json!({"spec": {"containers": [{
            "name": "app",
            "ports": [{"containerPort": 8080, "name": "http"}, {"containerPort": 9090}]
        }]}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(
            out["spec"]["containers"][0]["ports"],
            json!([
                {"containerPort": 8080, "protocol": "TCP", "name": "http"},
                {"containerPort": 9090}
            ])
        );
    }

    #[test]
    fn deployment_template_containers_merge_by_name() {
        let deployment = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"},
            {"name": "b", "image": "b:1"}
        ]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "b", "image": "b:2"}
        ]}}}});
        let out = smp(&deployment, &patch, "Deployment");
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}])
        );
    }

    #[test]
    fn job_and_daemonset_templates_merge_init_containers() {
        for kind in ["Job", "DaemonSet", "ReplicaSet", "StatefulSet"] {
            let doc = json!({"spec": {"template": {"spec": {"initContainers": [
                {"name": "init", "image": "i:1"}
            ]}}}});
            let patch = json!({"spec": {"template": {"spec": {"initContainers": [
                {"name": "init2", "image": "i:2"}
            ]}}}});
            let out = smp(&doc, &patch, kind);
            assert_eq!(
                names(&out["spec"]["template"]["spec"]["initContainers"]),
                ["init2", "init"],
                "{kind}"
            );
        }
    }

    #[test]
    fn stateful_set_volume_claim_templates_are_replaced() {
        let doc = json!({"spec": {"volumeClaimTemplates": [{"metadata": {"name": "a"}}]}});
        let patch = json!({"spec": {"volumeClaimTemplates": [{"metadata": {"name": "b"}}]}});
        let out = smp(&doc, &patch, "StatefulSet");
        assert_eq!(
            out["spec"]["volumeClaimTemplates"],
            json!([{"metadata": {"name": "b"}}])
        );
    }

    #[test]
    fn node_addresses_merge_by_type_and_taints_are_replaced() {
        let node = json!({
            "spec": {"podCIDRs": ["10.0.0.0/24"], "taints": [{"key": "a", "effect": "NoSchedule"}]},
            "status": {"addresses": [
                {"type": "InternalIP", "address": "10.1.1.1"},
                {"type": "Hostname", "address": "n1"}
            ]}
        });
        let patch = json!({
            "spec": {"podCIDRs": ["fd00::/64"], "taints": []},
            "status": {"addresses": [{"type": "InternalIP", "address": "10.1.1.2"}]}
        });
        let out = smp(&node, &patch, "Node");
        assert_eq!(out["spec"]["podCIDRs"], json!(["fd00::/64", "10.0.0.0/24"]));
        assert_eq!(out["spec"]["taints"], json!([]));
        assert_eq!(
            out["status"]["addresses"],
            json!([
                {"type": "InternalIP", "address": "10.1.1.2"},
                {"type": "Hostname", "address": "n1"}
            ])
        );
    }

    #[test]
    fn namespace_and_claim_conditions_merge_by_type() {
        for kind in ["Namespace", "PersistentVolumeClaim"] {
            let doc = json!({"status": {"conditions": [{"type": "A", "status": "True"}]}});
            let patch = json!({"status": {"conditions": [{"type": "B", "status": "False"}]}});
            let out = smp(&doc, &patch, kind);
            assert_eq!(
                out["status"]["conditions"].as_array().map(Vec::len),
                Some(2),
                "{kind}"
            );
        }
    }

    #[test]
    fn owner_references_merge_by_uid() {
        let doc = json!({"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]}});
        let patch = json!({"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]}});
        let out = smp(&doc, &patch, "ReplicaSet");
        assert_eq!(
            out["metadata"]["ownerReferences"],
            json!([{"uid": "2", "name": "b"}, {"uid": "1", "name": "a"}])
        );
    }

    #[test]
    fn a_list_item_lacking_its_merge_key_is_rejected() {
        let patch = json!({"spec": {"containers": [{"image": "x"}]}});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(
            message.contains("does not contain declared merge key \"name\""),
            "{message}"
        );
    }

    #[test]
    fn a_delete_directive_lacking_the_merge_key_is_rejected() {
        let patch = json!({"spec": {"containers": [{"$patch": "delete"}]}});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(message.contains("merge key \"name\""), "{message}");
    }

    #[test]
    fn a_bad_patch_directive_value_is_rejected() {
        let on_map = json!({"metadata": {"labels": {"$patch": "frobnicate"}}});
        let message = smp_err(&pod(), &on_map, "Pod");
        assert!(
            message.contains("invalid $patch directive \"frobnicate\""),
            "{message}"
        );
        let in_list = json!({"spec": {"containers": [{"name": "app", "$patch": 1}]}});
        let message = smp_err(&pod(), &in_list, "Pod");
        assert!(message.contains("invalid $patch directive 1"), "{message}");
    }

    #[test]
    fn patch_merge_is_rejected_like_kubernetes_does() {
        let on_map = json!({"metadata": {"labels": {"$patch": "merge", "x": "y"}}});
        assert!(smp_err(&pod(), &on_map, "Pod").contains("expected \"replace\" or \"delete\""));
        let in_list = json!({"spec": {"containers": [{"name": "app", "$patch": "merge"}]}});
        assert!(smp_err(&pod(), &in_list, "Pod").contains("not supported inside a list"));
    }

    #[test]
    fn mixed_element_types_are_rejected() {
        let patch = json!({"metadata": {"finalizers": [1]}});
        let message = smp_err(&pod(), &patch, "Pod");
        assert!(message.contains("mixes element types"), "{message}");
    }

    #[test]
    fn a_type_change_replaces_the_value() {
        let patch = json!({"spec": {"containers": "oops", "volumes": {"a": {"b": null}}}});
        let out = smp(&pod(), &patch, "Pod");
        assert_eq!(out["spec"]["containers"], "oops");
        assert_eq!(out["spec"]["volumes"], json!({"a": {}}));
    }

    #[test]
    fn directives_in_new_values_are_dropped() {
        let doc = json!({"metadata": {"name": "x"}});
        let patch = json!({"metadata": {
            "labels": {"$patch": "delete"},
            "annotations": {"kept": "1", "inner": {"$patch": "replace"}}
        }});
        let out = smp(&doc, &patch, "Pod");
        assert!(out["metadata"].get("labels").is_none());
        assert_eq!(out["metadata"]["annotations"], json!({"kept": "1"}));
    }

    #[test]
    fn unknown_kinds_are_refused() {
        let message = smp_err(&json!({}), &json!({}), "Widget");
        assert_eq!(
            message,
            "strategic merge patch is not supported for kind \"Widget\""
        );
    }

    #[test]
    fn documents_and_patches_must_be_objects() {
        assert!(smp_err(&json!([]), &json!({}), "Pod").contains("document must be a JSON object"));
        assert!(smp_err(&json!({}), &json!(1), "Pod").contains("patch must be a JSON object"));
    }

    #[test]
    fn deeply_nested_input_is_rejected() {
        let mut deep = json!({});
        for _ in 0..=crate::patch::MAX_DEPTH {
            deep = json!({"x": deep});
        }
        assert!(smp_err(&deep, &json!({}), "Pod").contains("deeper than 128"));
        assert!(smp_err(&json!({}), &deep, "Pod").contains("deeper than 128"));
    }

    #[test]
    fn input_at_the_depth_limit_is_merged() {
        let mut doc = json!(1);
        let mut patch = json!(2);
        for _ in 0..crate::patch::MAX_DEPTH {
            doc = json!({"x": doc});
            patch = json!({"x": patch});
        }
        assert_eq!(smp(&doc, &patch, "Pod"), patch);
    }

    #[test]
    fn the_input_document_is_not_modified() {
        let doc = pod();
        let patch = json!({"spec": {"containers": [{"name": "app", "$patch": "delete"}]}});
        let _ = smp(&doc, &patch, "Pod");
        assert_eq!(doc, pod());
    }
}
