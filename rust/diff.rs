//! Structural diff of two JSON values as an RFC 6902 patch.

use std::cmp::Ordering;
use std::fmt::Write;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::patch::{on_large_stack, DEEP_NESTING, MAX_DEPTH};

/// Returns RFC 6902 operations that turn `old` into `new`.
///
/// Objects are compared member by member and arrays element by element, so a
/// change deep inside a document yields one operation at that spot. When an
/// array changes length, the unchanged leading and trailing elements are
/// matched first, so an insertion or deletion produces `add`/`remove`
/// operations at the right index rather than a cascade of replacements.
/// Equality is `Value`'s `PartialEq`; identical inputs give an empty patch.
#[must_use]
pub fn diff(old: &Value, new: &Value) -> Vec<Value> {
    let mut differ = Differ {
        path: String::with_capacity(128),
        ops: Vec::new(),
    };
    differ.values(old, new, 0);
    differ.ops
}

/// Whether `Map` iterates in key order, as it does unless `serde_json`'s
/// `preserve_order` feature is enabled somewhere in the dependency graph.
fn maps_iterate_in_key_order() -> bool {
    static SORTED: OnceLock<bool> = OnceLock::new();
    *SORTED.get_or_init(|| {
        let mut probe = Map::new();
        probe.insert("b".to_owned(), Value::Null);
        probe.insert("a".to_owned(), Value::Null);
        probe.keys().next().is_some_and(|first| first == "a")
    })
}

struct Differ {
    /// Pointer to the location being compared; segments are appended on the
    /// way down and truncated on the way back up, so paths are built without
    /// per-level allocations.
    path: String,
    ops: Vec<Value>,
}

impl Differ {
    fn values(&mut self, old: &Value, new: &Value, depth: usize) {
        let both_containers = matches!(
            (old, new),
            (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_))
        );
        if depth == DEEP_NESTING && both_containers {
            // Past this depth the walk continues on a large stack (or here if
            // no thread can be started); nested calls see larger depths, so
            // each branch hands off only once.
            let walk = |path: String| {
                let mut deep = Differ {
                    path,
                    ops: Vec::new(),
                };
                deep.compare(old, new, depth);
                deep.ops
            };
            let path = self.path.clone();
            let mut ops = on_large_stack(|| walk(path)).unwrap_or_else(|| walk(self.path.clone()));
            self.ops.append(&mut ops);
            return;
        }
        self.compare(old, new, depth);
    }

    /// Beyond [`MAX_DEPTH`] a differing subtree is replaced whole rather than
    /// descended into, which keeps the recursion bounded for any input.
    fn compare(&mut self, old: &Value, new: &Value, depth: usize) {
        match (old, new) {
            (Value::Object(old), Value::Object(new)) if depth < MAX_DEPTH => {
                self.objects(old, new, depth + 1);
            }
            (Value::Array(old), Value::Array(new)) if depth < MAX_DEPTH => {
                self.arrays(old, new, depth + 1);
            }
            _ => {
                if old != new {
                    // RFC 6902 "add" replaces an existing member just like
                    // "replace", and Python's jsonpatch refuses "replace" for
                    // any path whose last token is "-", even an object member
                    // with that name.
                    let op = if self.path.ends_with("/-") {
                        "add"
                    } else {
                        "replace"
                    };
                    self.emit(op, Some(new.clone()));
                }
            }
        }
    }

    fn objects(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, depth: usize) {
        if maps_iterate_in_key_order() {
            self.sorted_objects(old, new, depth);
        } else {
            self.unordered_objects(old, new, depth);
        }
    }

    /// Walks both maps in step, which is possible because they iterate in key
    /// order, and saves a lookup per member.
    fn sorted_objects(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, depth: usize) {
        let mut old_members = old.iter().peekable();
        let mut new_members = new.iter().peekable();
        loop {
            let order = match (old_members.peek(), new_members.peek()) {
                (Some((old_key, _)), Some((new_key, _))) => old_key.cmp(new_key),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match order {
                Ordering::Equal => {
                    if let (Some((key, old_value)), Some((_, new_value))) =
                        (old_members.next(), new_members.next())
                    {
                        let mark = self.push_key(key);
                        self.values(old_value, new_value, depth);
                        self.path.truncate(mark);
                    }
                }
                Ordering::Less => {
                    if let Some((key, _)) = old_members.next() {
                        let mark = self.push_key(key);
                        self.emit("remove", None);
                        self.path.truncate(mark);
                    }
                }
                Ordering::Greater => {
                    if let Some((key, new_value)) = new_members.next() {
                        let mark = self.push_key(key);
                        self.emit("add", Some(new_value.clone()));
                        self.path.truncate(mark);
                    }
                }
            }
        }
    }

    fn unordered_objects(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        depth: usize,
    ) {
        for (key, old_value) in old {
            let mark = self.push_key(key);
            match new.get(key) {
                Some(new_value) => self.values(old_value, new_value, depth),
                None => self.emit("remove", None),
            }
            self.path.truncate(mark);
        }
        for (key, new_value) in new {
            if !old.contains_key(key) {
                let mark = self.push_key(key);
                self.emit("add", Some(new_value.clone()));
                self.path.truncate(mark);
            }
        }
    }

    fn arrays(&mut self, old: &[Value], new: &[Value], depth: usize) {
        // Same length: compare position by position. This is the common case
        // for Kubernetes objects (a field changed inside a container or a
        // condition) and needs no extra equality passes.
        let (prefix, suffix) = if old.len() == new.len() {
            (0, 0)
        } else {
            let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
            let room = old.len().min(new.len()) - prefix;
            let suffix = old
                .iter()
                .rev()
                .zip(new.iter().rev())
                .take(room)
                .take_while(|(a, b)| a == b)
                .count();
            (prefix, suffix)
        };
        let old_middle = old.get(prefix..old.len() - suffix).unwrap_or_default();
        let new_middle = new.get(prefix..new.len() - suffix).unwrap_or_default();
        let paired = old_middle.len().min(new_middle.len());
        for (offset, (old_item, new_item)) in old_middle.iter().zip(new_middle).enumerate() {
            let mark = self.push_index(prefix + offset);
            self.values(old_item, new_item, depth);
            self.path.truncate(mark);
        }
        // Extra new items are inserted in order; extra old items are removed
        // from the highest index down so every index stays valid.
        for (offset, new_item) in new_middle.iter().enumerate().skip(paired) {
            let mark = self.push_index(prefix + offset);
            self.emit("add", Some(new_item.clone()));
            self.path.truncate(mark);
        }
        for offset in (paired..old_middle.len()).rev() {
            let mark = self.push_index(prefix + offset);
            self.emit("remove", None);
            self.path.truncate(mark);
        }
    }

    /// Appends `/key`, escaped per RFC 6901, and returns the length to
    /// truncate back to.
    fn push_key(&mut self, key: &str) -> usize {
        let mark = self.path.len();
        self.path.push('/');
        if key.contains(['~', '/']) {
            for c in key.chars() {
                match c {
                    '~' => self.path.push_str("~0"),
                    '/' => self.path.push_str("~1"),
                    c => self.path.push(c),
                }
            }
        } else {
            self.path.push_str(key);
        }
        mark
    }

    fn push_index(&mut self, index: usize) -> usize {
        let mark = self.path.len();
        // Writing to a String cannot fail.
        let _ = write!(self.path, "/{index}");
        mark
    }

    fn emit(&mut self, op: &'static str, value: Option<Value>) {
        let mut fields = Map::new();
        fields.insert("op".to_owned(), Value::String(op.to_owned()));
        fields.insert("path".to_owned(), Value::String(self.path.clone()));
        if let Some(value) = value {
            fields.insert("value".to_owned(), value);
        }
        self.ops.push(Value::Object(fields));
    }
}

#[cfg(test)]
mod tests {
    use super::super::patch::apply_json_patch;
    use super::*;
    use serde_json::json;

    fn assert_round_trip(old: &Value, new: &Value) -> Vec<Value> {
        let ops = diff(old, new);
        let patched = apply_json_patch(old, &Value::Array(ops.clone()))
            .unwrap_or_else(|err| panic!("patch {ops:?} failed: {err}"));
        assert_eq!(&patched, new, "patch {ops:?} did not reproduce the target");
        ops
    }

    fn pod(image: &str) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web-7d9f",
                "namespace": "default",
                "labels": {"app": "web"},
                "resourceVersion": "41"
            },
            "spec": {
                "containers": [{
                    "name": "app",
                    "image": image,
                    "env": [{"name": "MODE", "value": "prod"}],
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}]
                }],
                "nodeName": "node-1"
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

    #[test]
    fn identical_documents_give_an_empty_patch() {
        for value in [
            json!(null),
            json!(1),
            json!("x"),
            json!([1, [2]]),
            pod("a:1"),
        ] {
            assert!(diff(&value, &value.clone()).is_empty(), "{value}");
        }
    }

    #[test]
    fn an_image_bump_is_one_replace() {
        let ops = assert_round_trip(&pod("app:1"), &pod("app:2"));
        assert_eq!(
            ops,
            [json!({"op": "replace", "path": "/spec/containers/0/image", "value": "app:2"})]
        );
    }

    #[test]
    fn an_added_label_is_one_add() {
        let old = pod("app:1");
        let mut new = old.clone();
        new["metadata"]["labels"]["tier"] = json!("frontend");
        let ops = assert_round_trip(&old, &new);
        assert_eq!(
            ops,
            [json!({"op": "add", "path": "/metadata/labels/tier", "value": "frontend"})]
        );
    }

    #[test]
    fn a_status_change_is_a_few_replaces() {
        let old = pod("app:1");
        let mut new = old.clone();
        new["status"]["phase"] = json!("Running");
        new["status"]["conditions"][1]["status"] = json!("True");
        new["metadata"]["resourceVersion"] = json!("42");
        let ops = assert_round_trip(&old, &new);
        assert_eq!(ops.len(), 3, "{ops:?}");
        assert!(ops.iter().all(|op| op["op"] == "replace"));
    }

    #[test]
    fn an_appended_container_is_one_add_at_its_index() {
        let old = pod("app:1");
        let mut new = old.clone();
        let sidecar = json!({"name": "sidecar", "image": "proxy:1"});
        new["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
            .push(sidecar.clone());
        let ops = assert_round_trip(&old, &new);
        assert_eq!(
            ops,
            [json!({"op": "add", "path": "/spec/containers/1", "value": sidecar})]
        );
    }

    #[test]
    fn a_removed_key_is_one_remove() {
        let old = pod("app:1");
        let mut new = old.clone();
        new["spec"]
            .as_object_mut()
            .expect("spec")
            .remove("nodeName");
        let ops = assert_round_trip(&old, &new);
        assert_eq!(ops, [json!({"op": "remove", "path": "/spec/nodeName"})]);
    }

    #[test]
    fn top_level_scalars_are_replaced_at_the_root() {
        let ops = assert_round_trip(&json!(1), &json!("one"));
        assert_eq!(ops, [json!({"op": "replace", "path": "", "value": "one"})]);
        assert_round_trip(&json!(null), &json!(false));
        assert_round_trip(&json!({"a": 1}), &json!([1]));
        assert_round_trip(&json!([1]), &json!({"a": 1}));
    }

    #[test]
    fn integers_and_floats_differ_when_serde_json_says_so() {
        let ops = assert_round_trip(&json!({"a": 1}), &json!({"a": 1.0}));
        assert_eq!(ops, [json!({"op": "replace", "path": "/a", "value": 1.0})]);
    }

    #[test]
    fn keys_are_escaped_in_paths() {
        let old = json!({"a/b": 1, "m~n": {"~/": 2}, "": 3});
        let new = json!({"a/b": 2, "m~n": {"~/": 3}, "": 4});
        let ops = assert_round_trip(&old, &new);
        let mut paths: Vec<&str> = ops.iter().filter_map(|op| op["path"].as_str()).collect();
        paths.sort_unstable();
        assert_eq!(paths, ["/", "/a~1b", "/m~0n/~0~1"]);
    }

    #[test]
    fn a_member_named_dash_is_overwritten_with_add() {
        let ops = assert_round_trip(
            &json!({"-": 1, "a": {"-": [1]}}),
            &json!({"-": 2, "a": {"-": 3}}),
        );
        assert_eq!(
            ops,
            [
                json!({"op": "add", "path": "/-", "value": 2}),
                json!({"op": "add", "path": "/a/-", "value": 3})
            ]
        );
    }

    #[test]
    fn shrinking_an_array_removes_from_the_highest_index_down() {
        let ops = assert_round_trip(&json!([1, 2, 3, 4, 5]), &json!([1, 2]));
        let paths: Vec<&str> = ops.iter().filter_map(|op| op["path"].as_str()).collect();
        assert_eq!(paths, ["/4", "/3", "/2"]);
        assert!(ops.iter().all(|op| op["op"] == "remove"));
    }

    #[test]
    fn growing_an_array_adds_in_order() {
        let ops = assert_round_trip(&json!([1]), &json!([1, 2, 3]));
        assert_eq!(
            ops,
            [
                json!({"op": "add", "path": "/1", "value": 2}),
                json!({"op": "add", "path": "/2", "value": 3})
            ]
        );
    }

    #[test]
    fn an_insertion_at_the_front_is_one_add() {
        let ops = assert_round_trip(&json!(["b", "c", "d"]), &json!(["a", "b", "c", "d"]));
        assert_eq!(ops, [json!({"op": "add", "path": "/0", "value": "a"})]);
    }

    #[test]
    fn a_removal_in_the_middle_is_one_remove() {
        let ops = assert_round_trip(&json!([1, 2, 3, 4]), &json!([1, 3, 4]));
        assert_eq!(ops, [json!({"op": "remove", "path": "/1"})]);
    }

    #[test]
    fn repeated_elements_are_handled() {
        assert_round_trip(&json!([1, 1, 1]), &json!([1, 1]));
        assert_round_trip(&json!([1, 1]), &json!([1, 1, 1, 1]));
        assert_round_trip(&json!([1, 2, 1]), &json!([1]));
        assert_round_trip(&json!([]), &json!([[], {}]));
        assert_round_trip(&json!([[], {}]), &json!([]));
    }

    #[test]
    fn a_mixed_array_edit_round_trips() {
        assert_round_trip(
            &json!([1, {"a": 1}, 3, 4, 5]),
            &json!([0, {"a": 2}, 3, 9, 9, 9, 5]),
        );
    }

    #[test]
    fn documents_at_the_depth_limit_are_diffed_to_the_bottom() {
        let mut old = json!({"keep": 1, "change": 1});
        let mut new = json!({"keep": 1, "change": 2});
        for _ in 1..MAX_DEPTH {
            old = json!({"x": old});
            new = json!({"x": new});
        }
        let ops = assert_round_trip(&old, &new);
        assert_eq!(ops.len(), 1);
        let expected_path = format!("{}/change", "/x".repeat(MAX_DEPTH - 1));
        assert_eq!(ops[0]["path"], json!(expected_path));
    }

    #[test]
    fn nesting_beyond_the_limit_is_replaced_whole() {
        let mut old = json!(1);
        let mut new = json!(2);
        for _ in 0..(MAX_DEPTH + 50) {
            old = json!([old]);
            new = json!([new]);
        }
        let ops = diff(&old, &new);
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0]["path"].as_str().map(str::len), Some(2 * MAX_DEPTH));
    }

    /// xorshift64*: small, deterministic and good enough to shake out bugs.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, bound: usize) -> usize {
            usize::try_from(self.next() % bound as u64).unwrap_or(0)
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const KEYS: &[&str] = &[
        "a", "b", "c", "", "~", "/", "a/b", "m~n", "~1", "0", "-", "spec", "é",
    ];

    fn random_value(rng: &mut Rng, depth: usize) -> Value {
        // The root is always a container so most pairs have structure to diff.
        let choice = match depth {
            0 => 6 + rng.below(2),
            1..=3 => rng.below(8),
            _ => rng.below(6),
        };
        match choice {
            0 => Value::Null,
            1 => Value::Bool(rng.below(2) == 1),
            2 => json!(rng.below(5)),
            3 => json!([1.0, 2.5, -0.5, 1e300][rng.below(4)]),
            4 => json!(rng.pick(KEYS)),
            5 => json!(-(i64::try_from(rng.below(3)).unwrap_or(0))),
            6 => Value::Array(
                (0..rng.below(5))
                    .map(|_| random_value(rng, depth + 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..rng.below(5))
                    .map(|_| (rng.pick(KEYS).to_owned(), random_value(rng, depth + 1)))
                    .collect(),
            ),
        }
    }

    fn mutate(rng: &mut Rng, value: &Value, depth: usize) -> Value {
        match (rng.below(8), value) {
            (0, _) => random_value(rng, depth),
            (1..=5, Value::Object(members)) => {
                let mut members = members.clone();
                for _ in 0..=rng.below(3) {
                    let key = rng.pick(KEYS);
                    match rng.below(3) {
                        0 => {
                            members.remove(key);
                        }
                        1 => {
                            members.insert(key.to_owned(), random_value(rng, depth + 1));
                        }
                        _ => {
                            if let Some(child) = members.get(key).cloned() {
                                members.insert(key.to_owned(), mutate(rng, &child, depth + 1));
                            }
                        }
                    }
                }
                Value::Object(members)
            }
            (1..=5, Value::Array(items)) => {
                let mut items = items.clone();
                for _ in 0..=rng.below(3) {
                    match rng.below(4) {
                        0 if !items.is_empty() => {
                            let at = rng.below(items.len());
                            items.remove(at);
                        }
                        1 => {
                            let at = rng.below(items.len() + 1);
                            items.insert(at, random_value(rng, depth + 1));
                        }
                        2 if !items.is_empty() => {
                            let at = rng.below(items.len());
                            items[at] = mutate(rng, &items[at], depth + 1);
                        }
                        _ => items.truncate(rng.below(items.len() + 1)),
                    }
                }
                Value::Array(items)
            }
            _ => value.clone(),
        }
    }

    #[test]
    fn the_lookup_based_object_walk_round_trips_too() {
        // Used when serde_json preserves insertion order; exercised directly
        // because this build iterates maps in key order.
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..500 {
            let old = random_value(&mut rng, 0);
            let new = mutate(&mut rng, &old, 0);
            let (Value::Object(old_members), Value::Object(new_members)) = (&old, &new) else {
                continue;
            };
            let mut differ = Differ {
                path: String::new(),
                ops: Vec::new(),
            };
            differ.unordered_objects(old_members, new_members, 1);
            let patched = apply_json_patch(&old, &Value::Array(differ.ops)).expect("valid patch");
            assert_eq!(patched, new);
        }
    }

    #[test]
    fn random_pairs_round_trip_through_apply_json_patch() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut changed = 0;
        for _ in 0..5000 {
            let old = random_value(&mut rng, 0);
            let new = mutate(&mut rng, &old, 0);
            let ops = assert_round_trip(&old, &new);
            assert!(diff(&new, &new).is_empty());
            if !ops.is_empty() {
                changed += 1;
            }
        }
        assert!(changed > 2000, "only {changed} pairs differed");
    }
}
