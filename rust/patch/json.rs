//! RFC 6902 JSON Patch, addressing values with RFC 6901 JSON Pointers.

use serde_json::Value;

use super::{check_depth, nesting_depth, remove_member, PatchError, MAX_DEPTH};

/// Applies the RFC 6902 operations in `ops` (a JSON array) to a copy of `doc`.
///
/// Operations run in order against the evolving copy.
///
/// # Errors
///
/// Fails when `ops` is not an array of well-formed operations, when an
/// operation cannot be applied (missing path, index out of range, failed
/// `test`, move into its own child, ...) or when the document or a value
/// nests deeper than [`super::MAX_DEPTH`]. The error of the first failing
/// operation names its index and path; nothing is returned of the partial
/// result.
pub fn apply_json_patch(doc: &Value, ops: &Value) -> Result<Value, PatchError> {
    let Value::Array(ops) = ops else {
        return Err(PatchError::new(format!(
            "json patch: a patch must be an array of operations, got {}",
            type_name(ops)
        )));
    };
    check_depth(doc, "json patch", "document")?;
    let mut result = doc.clone();
    for (index, raw) in ops.iter().enumerate() {
        let op = Operation::parse(index, raw)?;
        op.apply(&mut result).map_err(|detail| op.error(&detail))?;
    }
    Ok(result)
}

enum Action<'a> {
    Add(&'a Value),
    Remove,
    Replace(&'a Value),
    Move(Vec<String>),
    Copy(Vec<String>),
    Test(&'a Value),
}

struct Operation<'a> {
    index: usize,
    name: &'a str,
    path_text: &'a str,
    path: Vec<String>,
    action: Action<'a>,
}

impl<'a> Operation<'a> {
    fn parse(index: usize, raw: &'a Value) -> Result<Self, PatchError> {
        let Value::Object(fields) = raw else {
            return Err(PatchError::new(format!(
                "json patch operation {index}: an operation must be a JSON object, got {}",
                type_name(raw)
            )));
        };
        let path_text = match fields.get("path") {
            Some(Value::String(path)) => Some(path.as_str()),
            Some(other) => {
                return Err(PatchError::new(format!(
                    "json patch operation {index}: the \"path\" member must be a string, got {}",
                    type_name(other)
                )));
            }
            None => None,
        };
        let at = path_text.map_or_else(String::new, |path| format!(" at {path:?}"));
        let name = match fields.get("op") {
            Some(Value::String(name)) => name.as_str(),
            Some(other) => {
                return Err(PatchError::new(format!(
                    "json patch operation {index}{at}: the \"op\" member must be a string, got {}",
                    type_name(other)
                )));
            }
            None => {
                return Err(PatchError::new(format!(
                    "json patch operation {index}{at}: missing the \"op\" member"
                )));
            }
        };
        if !matches!(
            name,
            "add" | "remove" | "replace" | "move" | "copy" | "test"
        ) {
            return Err(PatchError::new(format!(
                "json patch operation {index}{at}: unknown op {name:?} (expected add, remove, replace, move, copy or test)"
            )));
        }
        let Some(path_text) = path_text else {
            return Err(PatchError::new(format!(
                "json patch operation {index} ({name}): missing the \"path\" member"
            )));
        };
        let fail = |detail: String| {
            PatchError::new(format!(
                "json patch operation {index} ({name} at {path_text:?}): {detail}"
            ))
        };
        let path = parse_pointer(path_text).map_err(fail)?;
        let value = || -> Result<&'a Value, PatchError> {
            let value = fields
                .get("value")
                .ok_or_else(|| fail("missing the \"value\" member".to_owned()))?;
            if nesting_depth(value, MAX_DEPTH) > MAX_DEPTH {
                return Err(fail(format!(
                    "the value is nested deeper than {MAX_DEPTH} levels"
                )));
            }
            Ok(value)
        };
        let from = || -> Result<Vec<String>, PatchError> {
            match fields.get("from") {
                Some(Value::String(from)) => parse_pointer(from)
                    .map_err(|detail| fail(format!("invalid \"from\" pointer: {detail}"))),
                Some(other) => Err(fail(format!(
                    "the \"from\" member must be a string, got {}",
                    type_name(other)
                ))),
                None => Err(fail("missing the \"from\" member".to_owned())),
            }
        };
        let action = match name {
            "add" => Action::Add(value()?),
            "remove" => Action::Remove,
            "replace" => Action::Replace(value()?),
            "move" => Action::Move(from()?),
            "copy" => Action::Copy(from()?),
            _ => Action::Test(value()?),
        };
        Ok(Self {
            index,
            name,
            path_text,
            path,
            action,
        })
    }

    fn error(&self, detail: &str) -> PatchError {
        PatchError::new(format!(
            "json patch operation {} ({} at {:?}): {detail}",
            self.index, self.name, self.path_text
        ))
    }

    fn apply(&self, doc: &mut Value) -> Result<(), String> {
        match &self.action {
            Action::Add(value) => {
                check_fits(&self.path, value)?;
                add(doc, &self.path, (*value).clone())
            }
            Action::Remove => remove(doc, &self.path).map(drop),
            Action::Replace(value) => {
                check_fits(&self.path, value)?;
                *resolve_mut(doc, &self.path)? = (*value).clone();
                Ok(())
            }
            Action::Move(from) => {
                resolve(doc, from).map_err(|detail| format!("invalid \"from\": {detail}"))?;
                if *from == self.path {
                    return Ok(());
                }
                if self.path.starts_with(from) {
                    return Err("cannot move a value into one of its own children".to_owned());
                }
                let value = remove(doc, from)?;
                check_fits(&self.path, &value)?;
                add(doc, &self.path, value)
            }
            Action::Copy(from) => {
                let value = resolve(doc, from)
                    .map_err(|detail| format!("invalid \"from\": {detail}"))?
                    .clone();
                check_fits(&self.path, &value)?;
                add(doc, &self.path, value)
            }
            Action::Test(expected) => {
                if json_equal(resolve(doc, &self.path)?, expected) {
                    Ok(())
                } else {
                    Err("test failed: the value differs from the expected one".to_owned())
                }
            }
        }
    }
}

/// Splits an RFC 6901 pointer into unescaped reference tokens; "" is the
/// whole document.
pub(crate) fn parse_pointer(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = text.strip_prefix('/') else {
        return Err(format!(
            "{text:?} is not a JSON pointer: it must be empty or start with '/'"
        ));
    };
    rest.split('/').map(unescape_token).collect()
}

fn unescape_token(raw: &str) -> Result<String, String> {
    if !raw.contains('~') {
        return Ok(raw.to_owned());
    }
    let mut token = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => token.push('~'),
                Some('1') => token.push('/'),
                _ => {
                    return Err(format!(
                        "invalid escape in pointer token {raw:?}: '~' must be followed by '0' or '1'"
                    ));
                }
            }
        } else {
            token.push(c);
        }
    }
    Ok(token)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IndexUse {
    /// The element must exist.
    Existing,
    /// One past the end (or "-") is allowed, for insertion.
    Insert,
}

fn array_index(token: &str, len: usize, usage: IndexUse) -> Result<usize, String> {
    if token == "-" {
        return match usage {
            IndexUse::Insert => Ok(len),
            IndexUse::Existing => Err(
                "\"-\" names the position after the last array element, which holds no value"
                    .to_owned(),
            ),
        };
    }
    // RFC 6901 allows only plain decimal digits, without leading zeros.
    let well_formed = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if !well_formed {
        return Err(format!("{token:?} is not a valid array index"));
    }
    let index: usize = token
        .parse()
        .map_err(|_| format!("array index {token} is out of range"))?;
    let in_range = match usage {
        IndexUse::Existing => index < len,
        IndexUse::Insert => index <= len,
    };
    if in_range {
        Ok(index)
    } else {
        Err(format!(
            "index {index} is out of range for an array of length {len}"
        ))
    }
}

fn missing_member(token: &str, path: &[String], position: usize) -> String {
    if position == 0 {
        format!("the document has no member {token:?}")
    } else {
        format!(
            "no member {token:?} at {:?}",
            pointer_text(path.get(..position).unwrap_or_default())
        )
    }
}

fn resolve<'v>(doc: &'v Value, path: &[String]) -> Result<&'v Value, String> {
    let mut current = doc;
    for (position, token) in path.iter().enumerate() {
        current = match current {
            Value::Object(members) => members
                .get(token)
                .ok_or_else(|| missing_member(token, path, position))?,
            Value::Array(items) => {
                let index = array_index(token, items.len(), IndexUse::Existing)?;
                items
                    .get(index)
                    .ok_or_else(|| format!("index {index} is out of range"))?
            }
            other => return Err(cannot_descend(other, token)),
        };
    }
    Ok(current)
}

fn resolve_mut<'v>(doc: &'v mut Value, path: &[String]) -> Result<&'v mut Value, String> {
    let mut current = doc;
    for (position, token) in path.iter().enumerate() {
        current = match current {
            Value::Object(members) => members
                .get_mut(token)
                .ok_or_else(|| missing_member(token, path, position))?,
            Value::Array(items) => {
                let index = array_index(token, items.len(), IndexUse::Existing)?;
                items
                    .get_mut(index)
                    .ok_or_else(|| format!("index {index} is out of range"))?
            }
            other => return Err(cannot_descend(other, token)),
        };
    }
    Ok(current)
}

fn cannot_descend(value: &Value, token: &str) -> String {
    format!("cannot look up {token:?} inside a {}", type_name(value))
}

fn add(doc: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((last, parent_path)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    match resolve_mut(doc, parent_path)? {
        Value::Object(members) => {
            members.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let index = array_index(last, items.len(), IndexUse::Insert)?;
            items.insert(index, value);
            Ok(())
        }
        other => Err(format!("cannot add {last:?} to a {}", type_name(other))),
    }
}

fn remove(doc: &mut Value, path: &[String]) -> Result<Value, String> {
    let Some((last, parent_path)) = path.split_last() else {
        return Err("cannot remove the whole document".to_owned());
    };
    match resolve_mut(doc, parent_path)? {
        Value::Object(members) => remove_member(members, last)
            .ok_or_else(|| missing_member(last, path, parent_path.len())),
        Value::Array(items) => {
            let index = array_index(last, items.len(), IndexUse::Existing)?;
            Ok(items.remove(index))
        }
        other => Err(format!(
            "cannot remove {last:?} from a {}",
            type_name(other)
        )),
    }
}

/// Refuses insertions that would push the document past [`MAX_DEPTH`], since
/// copies of deep subtrees could otherwise double the depth at every step.
fn check_fits(path: &[String], value: &Value) -> Result<(), String> {
    let room = MAX_DEPTH.saturating_sub(path.len());
    if path.len() > MAX_DEPTH || nesting_depth(value, room) > room {
        Err(format!(
            "the result would be nested deeper than {MAX_DEPTH} levels"
        ))
    } else {
        Ok(())
    }
}

/// JSON equality as RFC 6902 defines it for "test": numbers compare by value,
/// so 1 and 1.0 are equal here even though `Value`'s `PartialEq` says otherwise.
///
/// Iterative so that comparing deep documents needs no deep stack.
fn json_equal(left: &Value, right: &Value) -> bool {
    let mut pending = vec![(left, right)];
    while let Some(pair) = pending.pop() {
        match pair {
            (Value::Number(x), Value::Number(y)) => {
                if !numbers_equal(x, y) {
                    return false;
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                pending.extend(x.iter().zip(y));
            }
            (Value::Object(x), Value::Object(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                for (key, member) in x {
                    match y.get(key) {
                        Some(other) => pending.push((member, other)),
                        None => return false,
                    }
                }
            }
            (x, y) => {
                if x != y {
                    return false;
                }
            }
        }
    }
    true
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(p), Some(q)) = (x.as_i64(), y.as_i64()) {
        return p == q;
    }
    if let (Some(p), Some(q)) = (x.as_u64(), y.as_u64()) {
        return p == q;
    }
    match (x.as_f64(), y.as_f64()) {
        // Exact comparison is the point: the RFC asks for numeric equality,
        // under which 0.0 and -0.0 are the same number.
        (Some(p), Some(q)) => p.partial_cmp(&q) == Some(std::cmp::Ordering::Equal),
        _ => false,
    }
}

fn pointer_text(tokens: &[String]) -> String {
    let mut text = String::new();
    for token in tokens {
        text.push('/');
        text.push_str(&token.replace('~', "~0").replace('/', "~1"));
    }
    text
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(doc: &Value, ops: &Value) -> Result<Value, PatchError> {
        apply_json_patch(doc, ops)
    }

    fn assert_fails(doc: &Value, ops: &Value, fragments: &[&str]) -> PatchError {
        let err = apply(doc, ops).expect_err("the patch should fail");
        for fragment in fragments {
            assert!(
                err.message.contains(fragment),
                "{:?} does not mention {fragment:?}",
                err.message
            );
        }
        err
    }

    // RFC 6902 appendix A, one test per example.

    #[test]
    fn add_an_object_member() {
        let doc = json!({"foo": "bar"});
        let ops = json!([{"op": "add", "path": "/baz", "value": "qux"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"baz": "qux", "foo": "bar"})
        );
    }

    #[test]
    fn add_an_array_element_shifts_the_rest() {
        let doc = json!({"foo": ["bar", "baz"]});
        let ops = json!([{"op": "add", "path": "/foo/1", "value": "qux"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"foo": ["bar", "qux", "baz"]})
        );
    }

    #[test]
    fn remove_an_object_member() {
        let doc = json!({"baz": "qux", "foo": "bar"});
        let ops = json!([{"op": "remove", "path": "/baz"}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"foo": "bar"}));
    }

    #[test]
    fn remove_an_array_element() {
        let doc = json!({"foo": ["bar", "qux", "baz"]});
        let ops = json!([{"op": "remove", "path": "/foo/1"}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"foo": ["bar", "baz"]}));
    }

    #[test]
    fn replace_a_value() {
        let doc = json!({"baz": "qux", "foo": "bar"});
        let ops = json!([{"op": "replace", "path": "/baz", "value": "boo"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"baz": "boo", "foo": "bar"})
        );
    }

    #[test]
    fn move_a_value_between_objects() {
        let doc = json!({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}});
        let ops = json!([{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}})
        );
    }

    #[test]
    fn move_an_array_element_later_in_the_same_array() {
        let doc = json!({"foo": ["all", "grass", "cows", "eat"]});
        let ops = json!([{"op": "move", "from": "/foo/1", "path": "/foo/3"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"foo": ["all", "cows", "eat", "grass"]})
        );
    }

    #[test]
    fn test_succeeds_when_values_match() {
        let doc = json!({"baz": "qux", "foo": ["a", 2, "c"]});
        let ops = json!([
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2}
        ]);
        assert_eq!(apply(&doc, &ops).unwrap(), doc);
    }

    #[test]
    fn test_fails_when_values_differ() {
        let doc = json!({"baz": "qux"});
        let ops = json!([{"op": "test", "path": "/baz", "value": "bar"}]);
        assert_fails(&doc, &ops, &["operation 0", "test", "\"/baz\"", "differs"]);
    }

    #[test]
    fn add_a_nested_object() {
        let doc = json!({"foo": "bar"});
        let ops = json!([{"op": "add", "path": "/child", "value": {"grandchild": {}}}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"foo": "bar", "child": {"grandchild": {}}})
        );
    }

    #[test]
    fn unrecognised_operation_members_are_ignored() {
        let doc = json!({"foo": "bar"});
        let ops = json!([{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"foo": "bar", "baz": "qux"})
        );
    }

    #[test]
    fn add_below_a_missing_parent_fails() {
        let doc = json!({"foo": "bar"});
        let ops = json!([{"op": "add", "path": "/baz/bat", "value": "qux"}]);
        assert_fails(
            &doc,
            &ops,
            &["operation 0", "\"/baz/bat\"", "no member \"baz\""],
        );
    }

    #[test]
    fn malformed_operation_members_are_rejected() {
        // A parsed Value cannot hold the duplicate "op" members of A.13, so the
        // nearest malformed document is an "op" of the wrong type.
        let doc = json!({"foo": "bar"});
        let ops = json!([{"op": 1, "path": "/baz", "value": "qux"}]);
        assert_fails(
            &doc,
            &ops,
            &["operation 0", "\"op\" member must be a string"],
        );
    }

    #[test]
    fn tilde_escapes_are_decoded_in_the_right_order() {
        let doc = json!({"/": 9, "~1": 10});
        let ops = json!([{"op": "test", "path": "/~01", "value": 10}]);
        assert_eq!(apply(&doc, &ops).unwrap(), doc);
    }

    #[test]
    fn test_does_not_equate_strings_and_numbers() {
        let doc = json!({"/": 9, "~1": 10});
        let ops = json!([{"op": "test", "path": "/~01", "value": "10"}]);
        assert_fails(&doc, &ops, &["test failed"]);
    }

    #[test]
    fn add_an_array_as_a_single_element() {
        let doc = json!({"foo": ["bar"]});
        let ops = json!([{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"foo": ["bar", ["abc", "def"]]})
        );
    }

    // Further behaviour and error cases.

    #[test]
    fn add_to_array_end_with_dash() {
        let doc = json!([1, 2]);
        let ops = json!([{"op": "add", "path": "/-", "value": 3}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!([1, 2, 3]));
    }

    #[test]
    fn add_at_the_array_length_appends() {
        let doc = json!([1, 2]);
        let ops = json!([{"op": "add", "path": "/2", "value": 3}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!([1, 2, 3]));
    }

    #[test]
    fn add_past_the_array_length_fails() {
        let doc = json!([1, 2]);
        let ops = json!([{"op": "add", "path": "/3", "value": 3}]);
        assert_fails(&doc, &ops, &["operation 0", "\"/3\"", "out of range"]);
    }

    #[test]
    fn add_replaces_an_existing_member() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "add", "path": "/a", "value": 2}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"a": 2}));
    }

    #[test]
    fn add_at_the_root_replaces_the_document() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "add", "path": "", "value": [1]}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!([1]));
    }

    #[test]
    fn replace_at_the_root_replaces_the_document() {
        let doc = json!([1, 2]);
        let ops = json!([{"op": "replace", "path": "", "value": "x"}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!("x"));
    }

    #[test]
    fn add_into_a_scalar_fails() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "add", "path": "/a/b", "value": 2}]);
        assert_fails(&doc, &ops, &["cannot add \"b\" to a number"]);
    }

    #[test]
    fn leading_zeros_in_array_indices_are_rejected() {
        let doc = json!({"a": [1, 2, 3]});
        for path in ["/a/01", "/a/00"] {
            let ops = json!([{"op": "replace", "path": path, "value": 9}]);
            assert_fails(&doc, &ops, &[path, "not a valid array index"]);
        }
    }

    #[test]
    fn non_numeric_and_signed_array_indices_are_rejected() {
        let doc = json!({"a": [1, 2, 3]});
        for path in ["/a/x", "/a/-1", "/a/+1", "/a/", "/a/1.0"] {
            let ops = json!([{"op": "remove", "path": path}]);
            assert_fails(&doc, &ops, &["not a valid array index"]);
        }
    }

    #[test]
    fn huge_array_indices_are_out_of_range() {
        let doc = json!([1]);
        let ops = json!([{"op": "remove", "path": "/99999999999999999999999"}]);
        assert_fails(&doc, &ops, &["out of range"]);
    }

    #[test]
    fn dash_is_only_valid_for_add() {
        let doc = json!({"a": [1, 2]});
        for op in ["remove", "replace", "test"] {
            let ops = json!([{"op": op, "path": "/a/-", "value": 1}]);
            assert_fails(&doc, &ops, &["after the last array element"]);
        }
    }

    #[test]
    fn remove_of_a_missing_member_fails() {
        let doc = json!({"a": {"b": 1}});
        let ops = json!([{"op": "remove", "path": "/a/c"}]);
        assert_fails(
            &doc,
            &ops,
            &["operation 0", "\"/a/c\"", "no member \"c\" at \"/a\""],
        );
    }

    #[test]
    fn remove_of_an_index_out_of_range_fails() {
        let doc = json!([1, 2]);
        let ops = json!([{"op": "remove", "path": "/2"}]);
        assert_fails(
            &doc,
            &ops,
            &["index 2 is out of range for an array of length 2"],
        );
    }

    #[test]
    fn remove_of_the_root_fails() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "remove", "path": ""}]);
        assert_fails(&doc, &ops, &["cannot remove the whole document"]);
    }

    #[test]
    fn replace_of_a_missing_member_fails() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "replace", "path": "/b", "value": 2}]);
        assert_fails(&doc, &ops, &["no member \"b\""]);
    }

    #[test]
    fn move_into_its_own_child_fails() {
        let doc = json!({"a": {"b": {}}});
        let ops = json!([{"op": "move", "from": "/a", "path": "/a/b/c"}]);
        assert_fails(&doc, &ops, &["operation 0", "\"/a/b/c\"", "own children"]);
    }

    #[test]
    fn move_onto_itself_is_a_no_op() {
        let doc = json!({"a": {"b": 1}});
        let ops = json!([{"op": "move", "from": "/a/b", "path": "/a/b"}]);
        assert_eq!(apply(&doc, &ops).unwrap(), doc);
    }

    #[test]
    fn move_to_a_sibling_with_a_shared_name_prefix_is_allowed() {
        let doc = json!({"a": 1, "ab": {}});
        let ops = json!([{"op": "move", "from": "/a", "path": "/ab/x"}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"ab": {"x": 1}}));
    }

    #[test]
    fn move_from_a_missing_location_fails() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "move", "from": "/missing", "path": "/b"}]);
        assert_fails(&doc, &ops, &["invalid \"from\"", "no member \"missing\""]);
    }

    #[test]
    fn copy_duplicates_a_subtree() {
        let doc = json!({"a": {"b": [1, 2]}});
        let ops = json!([{"op": "copy", "from": "/a/b", "path": "/c"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"a": {"b": [1, 2]}, "c": [1, 2]})
        );
    }

    #[test]
    fn copy_into_an_array_inserts() {
        let doc = json!({"a": 0, "list": [1, 2]});
        let ops = json!([{"op": "copy", "from": "/a", "path": "/list/0"}]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"a": 0, "list": [0, 1, 2]})
        );
    }

    #[test]
    fn test_compares_numbers_by_value() {
        let doc = json!({"a": 1, "b": [1.0, {"c": 2}]});
        let ops = json!([
            {"op": "test", "path": "/a", "value": 1.0},
            {"op": "test", "path": "/b", "value": [1, {"c": 2.0}]}
        ]);
        assert_eq!(apply(&doc, &ops).unwrap(), doc);
    }

    #[test]
    fn test_compares_documents_at_the_depth_limit() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!({"x": deep});
        }
        let ops = json!([{"op": "test", "path": "", "value": deep.clone()}]);
        assert_eq!(apply(&deep, &ops).unwrap(), deep);
    }

    #[test]
    fn test_treats_negative_zero_as_zero() {
        let doc = json!({"a": 0, "b": -0.0});
        let ops = json!([
            {"op": "test", "path": "/a", "value": -0.0},
            {"op": "test", "path": "/b", "value": 0}
        ]);
        assert_eq!(apply(&doc, &ops).unwrap(), doc);
    }

    #[test]
    fn test_of_a_missing_path_fails() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "test", "path": "/b", "value": 1}]);
        assert_fails(&doc, &ops, &["no member \"b\""]);
    }

    #[test]
    fn test_distinguishes_objects_with_different_members() {
        let doc = json!({"a": {"x": 1}});
        let ops = json!([{"op": "test", "path": "/a", "value": {"y": 1}}]);
        assert_fails(&doc, &ops, &["test failed"]);
    }

    #[test]
    fn missing_op_is_rejected() {
        let doc = json!({});
        let ops = json!([{"op": "add", "path": "/a", "value": 1}, {"path": "/a"}]);
        assert_fails(
            &doc,
            &ops,
            &["operation 1", "\"/a\"", "missing the \"op\" member"],
        );
    }

    #[test]
    fn unknown_op_is_rejected() {
        let doc = json!({});
        let ops = json!([{"op": "frobnicate", "path": "/a"}]);
        assert_fails(&doc, &ops, &["operation 0", "unknown op \"frobnicate\""]);
    }

    #[test]
    fn missing_value_is_rejected() {
        for op in ["add", "replace", "test"] {
            let ops = json!([{"op": op, "path": "/a"}]);
            assert_fails(
                &json!({"a": 1}),
                &ops,
                &["operation 0", op, "missing the \"value\" member"],
            );
        }
    }

    #[test]
    fn null_is_a_valid_value() {
        let doc = json!({"a": 1});
        let ops = json!([{"op": "replace", "path": "/a", "value": null}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"a": null}));
    }

    #[test]
    fn missing_path_is_rejected() {
        let ops = json!([{"op": "remove"}]);
        assert_fails(
            &json!({}),
            &ops,
            &["operation 0", "missing the \"path\" member"],
        );
    }

    #[test]
    fn missing_from_is_rejected() {
        for op in ["move", "copy"] {
            let ops = json!([{"op": op, "path": "/b"}]);
            assert_fails(&json!({"a": 1}), &ops, &[op, "missing the \"from\" member"]);
        }
    }

    #[test]
    fn non_string_path_is_rejected() {
        let ops = json!([{"op": "remove", "path": 3}]);
        assert_fails(&json!({}), &ops, &["\"path\" member must be a string"]);
    }

    #[test]
    fn operations_must_be_objects_in_an_array() {
        assert_fails(&json!({}), &json!({"op": "add"}), &["must be an array"]);
        assert_fails(
            &json!({}),
            &json!([1]),
            &["operation 0", "must be a JSON object"],
        );
    }

    #[test]
    fn pointers_must_start_with_a_slash() {
        let ops = json!([{"op": "add", "path": "a", "value": 1}]);
        assert_fails(&json!({}), &ops, &["must be empty or start with '/'"]);
    }

    #[test]
    fn invalid_tilde_escapes_are_rejected() {
        for path in ["/a~2", "/a~"] {
            let ops = json!([{"op": "add", "path": path, "value": 1}]);
            assert_fails(&json!({}), &ops, &["invalid escape"]);
        }
    }

    #[test]
    fn empty_tokens_address_empty_keys() {
        let doc = json!({"": {"": 1}});
        let ops = json!([{"op": "replace", "path": "//", "value": 2}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"": {"": 2}}));
    }

    #[test]
    fn numeric_tokens_address_object_members_by_name() {
        let doc = json!({"0": "zero"});
        let ops = json!([{"op": "replace", "path": "/0", "value": "nil"}]);
        assert_eq!(apply(&doc, &ops).unwrap(), json!({"0": "nil"}));
    }

    #[test]
    fn a_failing_operation_leaves_the_input_untouched() {
        let doc = json!({"a": 1});
        let ops = json!([
            {"op": "add", "path": "/b", "value": 2},
            {"op": "remove", "path": "/missing"}
        ]);
        assert_fails(&doc, &ops, &["operation 1", "\"/missing\""]);
        assert_eq!(doc, json!({"a": 1}));
    }

    #[test]
    fn operations_see_the_effects_of_earlier_ones() {
        let doc = json!({});
        let ops = json!([
            {"op": "add", "path": "/a", "value": {}},
            {"op": "add", "path": "/a/b", "value": [1]},
            {"op": "copy", "from": "/a/b", "path": "/a/c"},
            {"op": "move", "from": "/a/c/0", "path": "/a/b/-"},
            {"op": "test", "path": "/a", "value": {"b": [1, 1], "c": []}}
        ]);
        assert_eq!(
            apply(&doc, &ops).unwrap(),
            json!({"a": {"b": [1, 1], "c": []}})
        );
    }

    #[test]
    fn documents_nested_too_deeply_are_rejected() {
        let mut deep = json!(0);
        for _ in 0..=MAX_DEPTH {
            deep = json!([deep]);
        }
        let ops = json!([{"op": "test", "path": "", "value": 0}]);
        assert_fails(&deep, &ops, &["deeper than 128"]);
        let ops = json!([{"op": "add", "path": "/x", "value": deep}]);
        assert_fails(&json!({}), &ops, &["operation 0", "deeper than 128"]);
    }

    #[test]
    fn copies_cannot_grow_the_document_past_the_limit() {
        let mut value = json!(0);
        for _ in 0..80 {
            value = json!([value]);
        }
        let doc = json!({"a": value});
        let shallow_target = format!("/a{}", "/0".repeat(40));
        let ops = json!([{"op": "copy", "from": "/a", "path": shallow_target}]);
        assert!(apply(&doc, &ops).is_ok());
        let deep_target = format!("/a{}", "/0".repeat(70));
        let ops = json!([{"op": "copy", "from": "/a", "path": deep_target}]);
        assert_fails(&doc, &ops, &["operation 0", "deeper than 128"]);
    }
}
