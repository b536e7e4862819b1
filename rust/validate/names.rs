//! Low-level string and number validators with the exact messages of the
//! Kubernetes v1.33 API server (`k8s.io/apimachinery` `util/validation`,
//! `api/validation` and the pod-level helpers of `pkg/apis/core/validation`).
//!
//! Every `is_*` function returns the list of problems found, in the order the
//! API server reports them; an empty list means the value is valid. Callers
//! wrap each message into a field error (`Invalid value: "...": <message>`),
//! so the messages here must match Kubernetes byte for byte.
//!
//! The matchers are written by hand instead of using regular expressions: each
//! pattern Kubernetes uses is a simple character-class grammar, and a direct
//! byte scan is both faster and free of dependencies. Lengths are measured in
//! bytes because that is what Go's `len()` counts.

#![allow(clippy::module_name_repetitions, clippy::must_use_candidate)]

// The pattern fragments are macros so that `concat!` can assemble the
// composite patterns at compile time exactly as Kubernetes concatenates them.
macro_rules! qualified_name_fmt {
    () => {
        "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    };
}
macro_rules! dns1123_label_fmt {
    () => {
        "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    };
}
macro_rules! dns1123_label_with_underscore_fmt {
    () => {
        "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
    };
}
macro_rules! sysctl_segment_fmt {
    () => {
        "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
    };
}

/// Pattern quoted in qualified-name (label key) messages.
pub const QUALIFIED_NAME_FMT: &str = qualified_name_fmt!();
/// Pattern quoted in label value messages.
pub const LABEL_VALUE_FMT: &str = concat!("(", qualified_name_fmt!(), ")?");
/// Pattern quoted in RFC 1123 label messages.
pub const DNS1123_LABEL_FMT: &str = dns1123_label_fmt!();
/// Pattern quoted in RFC 1123 subdomain messages.
pub const DNS1123_SUBDOMAIN_FMT: &str =
    concat!(dns1123_label_fmt!(), "(\\.", dns1123_label_fmt!(), ")*");
/// Pattern quoted in messages for subdomains that may contain underscores
/// (used for `dnsConfig.searches` while `RelaxedDNSSearchValidation` is on).
pub const DNS1123_SUBDOMAIN_WITH_UNDERSCORE_FMT: &str = concat!(
    dns1123_label_with_underscore_fmt!(),
    "(\\.",
    dns1123_label_with_underscore_fmt!(),
    ")*"
);
/// Pattern quoted in RFC 1035 label messages.
pub const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
/// Pattern quoted in wildcard subdomain messages.
pub const WILDCARD_DNS1123_SUBDOMAIN_FMT: &str = concat!(
    "\\*\\.",
    dns1123_label_fmt!(),
    "(\\.",
    dns1123_label_fmt!(),
    ")*"
);
/// Pattern quoted in C identifier messages.
pub const C_IDENTIFIER_FMT: &str = "[A-Za-z_][A-Za-z0-9_]*";
/// Pattern quoted in percent messages.
pub const PERCENT_FMT: &str = "[0-9]+%";
/// Pattern quoted in HTTP header name messages.
pub const HTTP_HEADER_NAME_FMT: &str = "[-A-Za-z0-9]+";
/// Pattern quoted in the legacy (pre-relaxation) environment variable message.
pub const ENV_VAR_NAME_FMT: &str = "[-._a-zA-Z][-._a-zA-Z0-9]*";
/// Pattern quoted in `ConfigMap` / `Secret` key messages.
pub const CONFIG_MAP_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
/// Pattern quoted in sysctl name messages.
pub const SYSCTL_FMT: &str = concat!(
    "(",
    sysctl_segment_fmt!(),
    "[\\./])*",
    sysctl_segment_fmt!()
);

/// Maximum length of an RFC 1123 label.
pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// Maximum length of an RFC 1123 subdomain (also used for config keys).
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// Maximum length of an RFC 1035 label.
pub const DNS1035_LABEL_MAX_LENGTH: usize = 63;
/// Maximum length of the name part of a qualified name.
pub const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
/// Maximum length of a label value.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
/// Maximum length of an `IANA_SVC_NAME` port name.
pub const PORT_NAME_MAX_LENGTH: usize = 15;
/// Maximum length of a sysctl name.
pub const SYSCTL_MAX_LENGTH: usize = 253;
/// Limit on the summed byte length of all annotation keys and values (256 KiB).
pub const TOTAL_ANNOTATION_SIZE_LIMIT_B: usize = 256 * (1 << 10);
/// Largest user ID Kubernetes v1.33 accepts.
pub const MAX_USER_ID: i64 = 2_147_483_647;
/// Largest group ID Kubernetes v1.33 accepts.
pub const MAX_GROUP_ID: i64 = 2_147_483_647;

/// Message of an invalid sysctl name (the API server reports it as the
/// detail of `Invalid value`; an empty name is reported as `Required` instead).
pub const SYSCTL_NAME_MESSAGE: &str = concat!(
    "must have at most 253 characters and match regex (",
    sysctl_segment_fmt!(),
    "[\\./])*",
    sysctl_segment_fmt!()
);

const QUALIFIED_NAME_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_ERR_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_WITH_UNDERSCORE_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_ERR_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const WILDCARD_DNS1123_SUBDOMAIN_ERR_MSG: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const C_IDENTIFIER_ERR_MSG: &str = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";
const PERCENT_ERR_MSG: &str =
    "a valid percent string must be a numeric string followed by an ending '%'";
const HTTP_HEADER_NAME_ERR_MSG: &str =
    "a valid HTTP header must consist of alphanumeric characters or '-'";
const ENV_VAR_NAME_ERR_MSG: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const RELAXED_ENV_VAR_NAME_ERR_MSG: &str = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const CONFIG_MAP_KEY_ERR_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const IP_ERR_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const CIDR_ERR_MSG: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

// ---------------------------------------------------------------------------
// Message builders
// ---------------------------------------------------------------------------

/// `must be no more than N characters`.
pub fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// `must be non-empty`.
pub fn empty_error() -> &'static str {
    "must be non-empty"
}

/// `must be between LO and HI, inclusive`.
pub fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

/// The message `field.TooLong` carries: `must have at most N bytes`.
pub fn too_long_error(max_bytes: usize) -> String {
    let unit = if max_bytes == 1 { "byte" } else { "bytes" };
    format!("must have at most {max_bytes} {unit}")
}

/// Explains a pattern mismatch the way Kubernetes does, including its
/// double space before each `or` (kept because users compare the text).
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = String::with_capacity(msg.len() + fmt.len() + 48);
    out.push_str(msg);
    if examples.is_empty() {
        out.push_str(" (regex used for validation is '");
    } else {
        out.push_str(" (e.g. ");
        for (i, example) in examples.iter().enumerate() {
            if i > 0 {
                out.push_str(" or ");
            }
            out.push('\'');
            out.push_str(example);
            out.push_str("', ");
        }
        out.push_str("regex used for validation is '");
    }
    out.push_str(fmt);
    out.push_str("')");
    out
}

fn qualified_name_regex_error() -> String {
    regex_error(
        QUALIFIED_NAME_ERR_MSG,
        QUALIFIED_NAME_FMT,
        &["MyName", "my.name", "123-abc"],
    )
}

// ---------------------------------------------------------------------------
// Character-class matchers
// ---------------------------------------------------------------------------

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `first middle* last` where a single byte must satisfy both ends.
fn matches_ends(
    s: &[u8],
    first: fn(u8) -> bool,
    middle: fn(u8) -> bool,
    last: fn(u8) -> bool,
) -> bool {
    match s {
        [] => false,
        [only] => first(*only) && last(*only),
        [head, inner @ .., tail] => first(*head) && last(*tail) && inner.iter().all(|&b| middle(b)),
    }
}

fn matches_dns1123_label(s: &[u8]) -> bool {
    matches_ends(
        s,
        is_lower_alnum,
        |b| is_lower_alnum(b) || b == b'-',
        is_lower_alnum,
    )
}

fn matches_dns1123_subdomain(s: &[u8]) -> bool {
    s.split(|&b| b == b'.').all(matches_dns1123_label)
}

fn matches_dns1123_label_with_underscore(s: &[u8]) -> bool {
    let rest = s.strip_prefix(b"_").unwrap_or(s);
    matches_ends(
        rest,
        is_lower_alnum,
        |b| is_lower_alnum(b) || b == b'-' || b == b'_',
        is_lower_alnum,
    )
}

fn matches_dns1035_label(s: &[u8]) -> bool {
    matches_ends(
        s,
        |b| b.is_ascii_lowercase(),
        |b| is_lower_alnum(b) || b == b'-',
        is_lower_alnum,
    )
}

fn matches_qualified_name_part(s: &[u8]) -> bool {
    matches_ends(
        s,
        |b| b.is_ascii_alphanumeric(),
        |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'),
        |b| b.is_ascii_alphanumeric(),
    )
}

fn matches_sysctl_segment(s: &[u8]) -> bool {
    matches_ends(
        s,
        is_lower_alnum,
        |b| is_lower_alnum(b) || b == b'-' || b == b'_',
        is_lower_alnum,
    )
}

fn all_nonempty(s: &[u8], class: fn(u8) -> bool) -> bool {
    !s.is_empty() && s.iter().all(|&b| class(b))
}

/// Kubernetes forbids names that would change directory when used as a path.
fn has_chdir_prefix(value: &str) -> Option<&'static str> {
    if value == "." {
        Some("must not be '.'")
    } else if value == ".." {
        Some("must not be '..'")
    } else if value.starts_with("..") {
        Some("must not start with '..'")
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// DNS names
// ---------------------------------------------------------------------------

/// `IsDNS1123Label`: a lowercase RFC 1123 label (e.g. namespace names,
/// container names, volume names).
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    dns1123_label_bytes(value.as_bytes())
}

fn dns1123_label_bytes(value: &[u8]) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            // Length was already reported, so a valid subdomain that is not a
            // valid label can only be failing because of its dots.
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsDNS1123Subdomain`: a lowercase RFC 1123 subdomain (most object names).
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    dns1123_subdomain_bytes(value.as_bytes())
}

fn dns1123_subdomain_bytes(value: &[u8]) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1123SubdomainWithUnderscore`: like [`is_dns1123_subdomain`] but each
/// label may start with one `_` and contain `_` (SRV-style search domains).
pub fn is_dns1123_subdomain_with_underscore(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut errs = Vec::new();
    if bytes.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !bytes
        .split(|&b| b == b'.')
        .all(matches_dns1123_label_with_underscore)
    {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_WITH_UNDERSCORE_ERR_MSG,
            DNS1123_SUBDOMAIN_WITH_UNDERSCORE_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label`: a label that must start with a letter (service names).
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    dns1035_label_bytes(value.as_bytes())
}

fn dns1035_label_bytes(value: &[u8]) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1035_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1035_LABEL_MAX_LENGTH));
    }
    if !matches_dns1035_label(value) {
        errs.push(regex_error(
            DNS1035_LABEL_ERR_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// `IsWildcardDNS1123Subdomain`: `*.` followed by an RFC 1123 subdomain.
pub fn is_wildcard_dns1123_subdomain(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut errs = Vec::new();
    if bytes.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    let ok = bytes
        .strip_prefix(b"*.")
        .is_some_and(matches_dns1123_subdomain);
    if !ok {
        errs.push(regex_error(
            WILDCARD_DNS1123_SUBDOMAIN_ERR_MSG,
            WILDCARD_DNS1123_SUBDOMAIN_FMT,
            &["*.example.com"],
        ));
    }
    errs
}

/// Outcome of [`is_fully_qualified_domain_name`] when the name is rejected.
///
/// Kubernetes reports these as different field error types, and an
/// `Invalid` one names the offending part (the name without its trailing dot,
/// or the first bad label), so a plain message would lose information.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainNameError {
    /// `field.Required`: the name is empty.
    Required,
    /// `field.Invalid` with the value Kubernetes reports and its detail.
    Invalid {
        /// The value shown as `Invalid value: "..."`.
        value: String,
        /// The error detail.
        message: String,
    },
}

/// `IsFullyQualifiedDomainName`: at least two labels, optional trailing dot.
///
/// # Errors
///
/// Returns the single problem Kubernetes reports: [`DomainNameError::Required`]
/// for an empty name, otherwise [`DomainNameError::Invalid`] naming the value
/// at fault.
pub fn is_fully_qualified_domain_name(name: &str) -> Result<(), DomainNameError> {
    if name.is_empty() {
        return Err(DomainNameError::Required);
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    let errs = is_dns1123_subdomain(name);
    if !errs.is_empty() {
        return Err(DomainNameError::Invalid {
            value: name.to_string(),
            message: errs.join(","),
        });
    }
    if !name.contains('.') {
        return Err(DomainNameError::Invalid {
            value: name.to_string(),
            message: "should be a domain with at least two segments separated by dots".to_string(),
        });
    }
    for label in name.split('.') {
        let errs = is_dns1123_label(label);
        if !errs.is_empty() {
            return Err(DomainNameError::Invalid {
                value: label.to_string(),
                message: errs.join(","),
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Labels, annotations and other keys
// ---------------------------------------------------------------------------

/// `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name of
/// at most 63 alphanumerics, `-`, `_` or `.` (label keys, annotation keys,
/// finalizers, condition types).
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let bytes = value.as_bytes();
    let mut parts = bytes.split(|&b| b == b'/');
    let first = parts.next().unwrap_or_default();
    let name = match (parts.next(), parts.next()) {
        (None, _) => first,
        (Some(name), None) => {
            if first.is_empty() {
                errs.push(format!("prefix part {}", empty_error()));
            } else {
                errs.extend(
                    dns1123_subdomain_bytes(first)
                        .into_iter()
                        .map(|msg| format!("prefix part {msg}")),
                );
            }
            name
        }
        (Some(_), Some(_)) => {
            return vec![format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                qualified_name_regex_error()
            )];
        }
    };
    if name.is_empty() {
        errs.push(format!("name part {}", empty_error()));
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errs.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LENGTH)
        ));
    }
    if !matches_qualified_name_part(name) {
        errs.push(format!("name part {}", qualified_name_regex_error()));
    }
    errs
}

/// `IsValidLabelValue`: empty, or at most 63 alphanumerics, `-`, `_`, `.`
/// starting and ending with an alphanumeric.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut errs = Vec::new();
    if bytes.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !bytes.is_empty() && !matches_qualified_name_part(bytes) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `ValidateLabels`: returns `(invalid value, message)` pairs, where the
/// invalid value is the key for key problems and the label value for value
/// problems (both are reported on the `labels` field itself). Pairs come out
/// in the iteration order of `labels`.
pub fn validate_labels<I, K, V>(labels: I) -> Vec<(String, String)>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut out = Vec::new();
    for (key, value) in labels {
        let (key, value) = (key.as_ref(), value.as_ref());
        out.extend(
            is_qualified_name(key)
                .into_iter()
                .map(|m| (key.to_string(), m)),
        );
        out.extend(
            is_valid_label_value(value)
                .into_iter()
                .map(|m| (value.to_string(), m)),
        );
    }
    out
}

/// Lower-cases the way Go's `strings.ToLower` does: one rune at a time with
/// the simple mapping, which differs from Rust's full mapping only for U+0130.
pub fn go_to_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{130}' {
            out.push('i');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Key checks of `ValidateAnnotations`: returns `(key, message)` pairs. The
/// rule is the qualified-name rule ignoring case, so keys are lower-cased
/// before checking while the original key is reported.
pub fn validate_annotation_keys<I, K, V>(annotations: I) -> Vec<(String, String)>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
{
    let mut out = Vec::new();
    for (key, _) in annotations {
        let key = key.as_ref();
        out.extend(
            is_qualified_name(&go_to_lower(key))
                .into_iter()
                .map(|m| (key.to_string(), m)),
        );
    }
    out
}

/// Summed byte length of all annotation keys and values.
pub fn annotations_total_size<I, K, V>(annotations: I) -> usize
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    annotations.into_iter().fold(0usize, |acc, (k, v)| {
        acc.saturating_add(k.as_ref().len())
            .saturating_add(v.as_ref().len())
    })
}

/// Size check of `ValidateAnnotations`: `Some("must have at most 262144 bytes")`
/// (reported as `field.TooLong` on the annotations field) when the total size
/// exceeds [`TOTAL_ANNOTATION_SIZE_LIMIT_B`].
pub fn validate_annotations_size<I, K, V>(annotations: I) -> Option<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    (annotations_total_size(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT_B)
        .then(|| too_long_error(TOTAL_ANNOTATION_SIZE_LIMIT_B))
}

/// `IsConfigMapKey`: keys of `ConfigMap` / `Secret` data (and projected items).
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    let ok = all_nonempty(value.as_bytes(), |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
    });
    if !ok {
        errs.push(regex_error(
            CONFIG_MAP_KEY_ERR_MSG,
            CONFIG_MAP_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    errs.extend(has_chdir_prefix(value).map(str::to_string));
    errs
}

/// `IsCIdentifier`.
pub fn is_c_identifier(value: &str) -> Vec<String> {
    let ok = matches!(value.as_bytes(), [first, rest @ ..]
        if (first.is_ascii_alphabetic() || *first == b'_')
            && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'));
    if ok {
        Vec::new()
    } else {
        vec![regex_error(
            C_IDENTIFIER_ERR_MSG,
            C_IDENTIFIER_FMT,
            &["my_name", "MY_NAME", "MyName"],
        )]
    }
}

/// Environment variable names under the rule in force by default in v1.33
/// (`RelaxedEnvironmentVariableValidation` is beta and on): any printable
/// ASCII character except `=`.
pub fn is_env_var_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.is_empty() {
        errs.push(format!("environment variable name {}", empty_error()));
    }
    if value
        .bytes()
        .any(|b| !(b' '..=b'~').contains(&b) || b == b'=')
    {
        errs.push(RELAXED_ENV_VAR_NAME_ERR_MSG.to_string());
    }
    errs
}

/// Environment variable names under the legacy rule (`IsEnvVarName`), used
/// when the relaxed rule is switched off.
pub fn is_legacy_env_var_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let ok = matches!(value.as_bytes(), [first, rest @ ..]
        if (first.is_ascii_alphabetic() || matches!(first, b'-' | b'.' | b'_'))
            && rest.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')));
    if !ok {
        errs.push(regex_error(
            ENV_VAR_NAME_ERR_MSG,
            ENV_VAR_NAME_FMT,
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    errs.extend(has_chdir_prefix(value).map(str::to_string));
    errs
}

/// `IsHTTPHeaderName`.
pub fn is_http_header_name(value: &str) -> Vec<String> {
    if all_nonempty(value.as_bytes(), |b| b.is_ascii_alphanumeric() || b == b'-') {
        Vec::new()
    } else {
        vec![regex_error(
            HTTP_HEADER_NAME_ERR_MSG,
            HTTP_HEADER_NAME_FMT,
            &["X-Header-Name"],
        )]
    }
}

/// `IsValidPercent`: digits followed by `%`.
pub fn is_valid_percent(value: &str) -> Vec<String> {
    let ok = value
        .as_bytes()
        .strip_suffix(b"%")
        .is_some_and(|digits| all_nonempty(digits, |b| b.is_ascii_digit()));
    if ok {
        Vec::new()
    } else {
        vec![regex_error(PERCENT_ERR_MSG, PERCENT_FMT, &["1%", "93%"])]
    }
}

/// `IsValidSysctlName` of the pod validation: segments of lower-case
/// alphanumerics, `-` and `_`, separated by `.` or `/`, at most 253 bytes.
/// When it is false, the API server reports [`SYSCTL_NAME_MESSAGE`].
pub fn is_valid_sysctl_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() <= SYSCTL_MAX_LENGTH
        && bytes
            .split(|&b| b == b'.' || b == b'/')
            .all(matches_sysctl_segment)
}

// ---------------------------------------------------------------------------
// Numbers and ports
// ---------------------------------------------------------------------------

/// `IsInRange`.
pub fn is_in_range(value: i64, min: i64, max: i64) -> Vec<String> {
    if (min..=max).contains(&value) {
        Vec::new()
    } else {
        vec![inclusive_range_error(min, max)]
    }
}

/// `IsValidPortNum`: 1 to 65535.
pub fn is_valid_port_num(port: i64) -> Vec<String> {
    is_in_range(port, 1, 65535)
}

/// `IsValidUserID`: 0 to 2147483647 in v1.33.
pub fn is_valid_user_id(uid: i64) -> Vec<String> {
    is_in_range(uid, 0, MAX_USER_ID)
}

/// `IsValidGroupID`: 0 to 2147483647 in v1.33.
pub fn is_valid_group_id(gid: i64) -> Vec<String> {
    is_in_range(gid, 0, MAX_GROUP_ID)
}

/// `IsValidPortName`: an `IANA_SVC_NAME` (at most 15 lower-case alphanumerics
/// and `-`, at least one letter, no `--`, no hyphen at either end).
pub fn is_valid_port_name(port: &str) -> Vec<String> {
    let bytes = port.as_bytes();
    let mut errs = Vec::new();
    if bytes.len() > PORT_NAME_MAX_LENGTH {
        errs.push(max_len_error(PORT_NAME_MAX_LENGTH));
    }
    if !all_nonempty(bytes, |b| is_lower_alnum(b) || b == b'-') {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string(),
        );
    }
    if !bytes.iter().any(u8::is_ascii_lowercase) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if bytes.windows(2).any(|w| w == b"--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if bytes.first() == Some(&b'-') || bytes.last() == Some(&b'-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

// ---------------------------------------------------------------------------
// IP addresses and CIDRs
// ---------------------------------------------------------------------------

/// Values above this abort number parsing, as in Go's `net` package.
const PARSE_BIG: u32 = 0x00FF_FFFF;

/// Decimal prefix of `s`: (value, bytes consumed). Leading zeros are allowed,
/// which is the pre-Go-1.17 behaviour Kubernetes keeps for stored data.
fn dtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut used = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            break;
        }
        n = n * 10 + u32::from(b - b'0');
        used += 1;
        if n >= PARSE_BIG {
            return None;
        }
    }
    (used > 0).then_some((n, used))
}

/// Hexadecimal prefix of `s`: (value, bytes consumed), any number of digits.
fn xtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut used = 0;
    for &b in s {
        let Some(d) = char::from(b).to_digit(16) else {
            break;
        };
        n = n * 16 + d;
        used += 1;
        if n >= PARSE_BIG {
            return None;
        }
    }
    (used > 0).then_some((n, used))
}

fn parse_ipv4_sloppy(mut s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    for (i, slot) in out.iter_mut().enumerate() {
        if i > 0 {
            s = s.strip_prefix(b".")?;
        }
        let (n, used) = dtoi(s)?;
        *slot = u8::try_from(n).ok()?;
        s = &s[used..];
    }
    s.is_empty().then_some(out)
}

fn v4_in_v6(v4: [u8; 4]) -> [u8; 16] {
    let mut ip = [0u8; 16];
    ip[10] = 0xff;
    ip[11] = 0xff;
    ip[12..].copy_from_slice(&v4);
    ip
}

fn parse_ipv6_sloppy(mut s: &[u8]) -> Option<[u8; 16]> {
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if let Some(rest) = s.strip_prefix(b"::") {
        ellipsis = Some(0);
        s = rest;
        if s.is_empty() {
            return Some(ip);
        }
    }
    let mut i = 0;
    while i < 16 {
        let (n, used) = xtoi(s)?;
        if n > 0xFFFF {
            return None;
        }
        if s.get(used) == Some(&b'.') {
            // A trailing dotted quad fills the last four bytes.
            if (ellipsis.is_none() && i != 12) || i + 4 > 16 {
                return None;
            }
            let v4 = parse_ipv4_sloppy(s)?;
            ip[i..i + 4].copy_from_slice(&v4);
            s = &[];
            i += 4;
            break;
        }
        let [hi, lo] = u16::try_from(n).ok()?.to_be_bytes();
        ip[i] = hi;
        ip[i + 1] = lo;
        i += 2;
        s = &s[used..];
        if s.is_empty() {
            break;
        }
        s = s.strip_prefix(b":")?;
        if s.is_empty() {
            return None;
        }
        if let Some(rest) = s.strip_prefix(b":") {
            if ellipsis.is_some() {
                return None;
            }
            ellipsis = Some(i);
            s = rest;
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    match (i < 16, ellipsis) {
        (true, None) | (false, Some(_)) => None,
        (true, Some(at)) => {
            // Move the groups after the ellipsis to the end, zero the gap.
            let gap = 16 - i;
            ip.copy_within(at..i, at + gap);
            ip[at..at + gap].fill(0);
            Some(ip)
        }
        (false, None) => Some(ip),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IpText {
    V4,
    V6,
}

/// `ParseIPSloppy`: Go's `net.ParseIP` as it was before Go 1.17, which
/// Kubernetes keeps so that already-stored addresses stay valid.
fn parse_ip_sloppy(s: &[u8]) -> Option<([u8; 16], IpText)> {
    for &b in s {
        match b {
            b'.' => return parse_ipv4_sloppy(s).map(|v4| (v4_in_v6(v4), IpText::V4)),
            b':' => return parse_ipv6_sloppy(s).map(|ip| (ip, IpText::V6)),
            _ => {}
        }
    }
    None
}

/// True when a dotted quad has an octet written with a leading zero.
fn dotted_quad_has_leading_zero(s: &[u8]) -> bool {
    s.split(|&b| b == b'.')
        .any(|octet| octet.len() > 1 && octet[0] == b'0')
}

/// Given text the sloppy parser accepted, reports whether Go's strict
/// `netip.ParseAddr` would reject it: only leading zeros in IPv4 octets and
/// IPv6 groups longer than four digits make the difference.
fn rejected_by_strict_parser(s: &[u8], kind: IpText) -> bool {
    match kind {
        IpText::V4 => dotted_quad_has_leading_zero(s),
        IpText::V6 => s.split(|&b| b == b':').any(|group| {
            if group.contains(&b'.') {
                dotted_quad_has_leading_zero(group)
            } else {
                group.len() > 4
            }
        }),
    }
}

fn is_4in6(ip: &[u8; 16], kind: IpText) -> bool {
    kind == IpText::V6 && ip[..10].iter().all(|&b| b == 0) && ip[10] == 0xff && ip[11] == 0xff
}

/// `IsValidIPForLegacyField`: the IP check pod fields use (`podIPs`,
/// `hostAliases[].ip`, `dnsConfig.nameservers`). `strict_validation`
/// corresponds to the `StrictIPCIDRValidation` feature gate (alpha and off by
/// default in v1.33), which additionally rejects leading zeros and
/// IPv4-mapped IPv6 addresses.
pub fn is_valid_ip_for_legacy_field(value: &str, strict_validation: bool) -> Vec<String> {
    let bytes = value.as_bytes();
    let Some((ip, kind)) = parse_ip_sloppy(bytes) else {
        return vec![IP_ERR_MSG.to_string()];
    };
    let mut errs = Vec::new();
    if strict_validation {
        if rejected_by_strict_parser(bytes, kind) {
            errs.push("must not have leading 0s".to_string());
        } else if is_4in6(&ip, kind) {
            errs.push("must not be an IPv4-mapped IPv6 address".to_string());
        }
    }
    errs
}

/// IP check with the v1.33 defaults: [`is_valid_ip_for_legacy_field`] without
/// strict validation.
pub fn is_valid_ip(value: &str) -> Vec<String> {
    is_valid_ip_for_legacy_field(value, false)
}

/// `ParseCIDRSloppy`: address, its kind, and the prefix length.
fn parse_cidr_sloppy(s: &[u8]) -> Option<([u8; 16], IpText, u32)> {
    let slash = s.iter().position(|&b| b == b'/')?;
    let (addr, mask) = (&s[..slash], &s[slash + 1..]);
    let (ip, kind, bits) = match parse_ipv4_sloppy(addr) {
        Some(v4) => (v4_in_v6(v4), IpText::V4, 32),
        None => (parse_ipv6_sloppy(addr)?, IpText::V6, 128),
    };
    let (n, used) = dtoi(mask)?;
    (used == mask.len() && n <= bits).then_some((ip, kind, n))
}

/// True when any address bit after the first `prefix` bits is set.
fn has_bits_beyond_prefix(ip: &[u8; 16], kind: IpText, prefix: u32) -> bool {
    let (addr, width): (&[u8], u32) = match kind {
        IpText::V4 => (&ip[12..], 32),
        IpText::V6 => (&ip[..], 128),
    };
    (prefix..width).any(|bit| {
        let byte = addr[usize::try_from(bit / 8).unwrap_or(0)];
        byte & (0x80 >> (bit % 8)) != 0
    })
}

/// `IsValidCIDRForLegacyField`: the CIDR check pod-adjacent legacy fields
/// use; `strict_validation` as for [`is_valid_ip_for_legacy_field`].
pub fn is_valid_cidr_for_legacy_field(value: &str, strict_validation: bool) -> Vec<String> {
    let bytes = value.as_bytes();
    let Some((ip, kind, prefix)) = parse_cidr_sloppy(bytes) else {
        return vec![CIDR_ERR_MSG.to_string()];
    };
    let mut errs = Vec::new();
    if strict_validation {
        let (addr, mask) = bytes.split_at(bytes.iter().position(|&b| b == b'/').unwrap_or(0));
        let mask = mask.get(1..).unwrap_or_default();
        let prefix_has_leading_zero = mask.len() > 1 && mask[0] == b'0';
        if rejected_by_strict_parser(addr, kind) || prefix_has_leading_zero {
            errs.push("must not have leading 0s in IP or prefix length".to_string());
        } else if is_4in6(&ip, kind) {
            errs.push("must not have an IPv4-mapped IPv6 address".to_string());
        } else if has_bits_beyond_prefix(&ip, kind, prefix) {
            errs.push("must not have bits set beyond the prefix length".to_string());
        }
    }
    errs
}

/// CIDR check with the v1.33 defaults: [`is_valid_cidr_for_legacy_field`]
/// without strict validation.
pub fn is_valid_cidr(value: &str) -> Vec<String> {
    is_valid_cidr_for_legacy_field(value, false)
}

// ---------------------------------------------------------------------------
// Object names (`metadata.name` / `metadata.generateName`)
// ---------------------------------------------------------------------------

/// A `generateName` prefix gets random characters appended, so a trailing
/// `-` is acceptable there. Kubernetes replaces the last two bytes with `a`
/// before checking; that drops the byte before the dash too, which is kept
/// because it changes which prefixes pass the length check. A lone `-` is
/// left alone (Kubernetes would index out of bounds on it).
fn mask_trailing_dash(name: &str) -> std::borrow::Cow<'_, [u8]> {
    let bytes = name.as_bytes();
    if bytes.len() > 1 && bytes.ends_with(b"-") {
        let mut masked = bytes[..bytes.len() - 2].to_vec();
        masked.push(b'a');
        std::borrow::Cow::Owned(masked)
    } else {
        std::borrow::Cow::Borrowed(bytes)
    }
}

/// `NameIsDNSSubdomain`: names that must be RFC 1123 subdomains (pods and
/// most objects); `prefix` is true when validating a `generateName`.
pub fn name_is_dns_subdomain(name: &str, prefix: bool) -> Vec<String> {
    if prefix {
        dns1123_subdomain_bytes(&mask_trailing_dash(name))
    } else {
        is_dns1123_subdomain(name)
    }
}

/// `NameIsDNSLabel`: names that must be RFC 1123 labels (namespaces).
pub fn name_is_dns_label(name: &str, prefix: bool) -> Vec<String> {
    if prefix {
        dns1123_label_bytes(&mask_trailing_dash(name))
    } else {
        is_dns1123_label(name)
    }
}

/// `NameIsDNS1035Label`: names that must be RFC 1035 labels (services).
pub fn name_is_dns1035_label(name: &str, prefix: bool) -> Vec<String> {
    if prefix {
        dns1035_label_bytes(&mask_trailing_dash(name))
    } else {
        is_dns1035_label(name)
    }
}

/// `ValidatePathSegmentName`: names used as a single URL / storage path
/// segment may not be `.` or `..` and may not contain `/` or `%`. A
/// `generateName` prefix (`prefix == true`) is only checked for the
/// forbidden characters, since the generated suffix changes the whole name.
pub fn validate_path_segment_name(name: &str, prefix: bool) -> Vec<String> {
    if !prefix {
        if name == "." {
            return vec!["may not be '.'".to_string()];
        }
        if name == ".." {
            return vec!["may not be '..'".to_string()];
        }
    }
    let mut errs = Vec::new();
    if name.contains('/') {
        errs.push("may not contain '/'".to_string());
    }
    if name.contains('%') {
        errs.push("may not contain '%'".to_string());
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const QNAME_REGEX_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    fn ok(errs: &[String]) -> bool {
        errs.is_empty()
    }

    #[test]
    fn rfc1123_labels_accept_lowercase_digits_and_inner_hyphens() {
        for v in [
            "a",
            "ab",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "012",
            "1-a",
            "1--a--b--2",
        ] {
            assert!(ok(&is_dns1123_label(v)), "{v}");
        }
        assert!(ok(&is_dns1123_label(&"a".repeat(63))));
    }

    #[test]
    fn rfc1123_labels_reject_uppercase_edges_and_odd_characters() {
        for v in [
            "", "A", "aBc", "1-A", "-", "a-", "-a", "_", "a_b", " ", "a b", "é",
        ] {
            assert_eq!(is_dns1123_label(v), vec![LABEL_MSG.to_string()], "{v:?}");
        }
    }

    #[test]
    fn a_label_with_dots_is_told_it_must_not_contain_dots() {
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots"]);
        // A trailing dot is not a valid subdomain either, so the long message.
        assert_eq!(is_dns1123_label("a."), vec![LABEL_MSG]);
    }

    #[test]
    fn an_overlong_label_gets_the_length_message_before_the_pattern_message() {
        assert_eq!(
            is_dns1123_label(&"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
        assert_eq!(
            is_dns1123_label(&"A".repeat(64)),
            vec![
                "must be no more than 63 characters".to_string(),
                LABEL_MSG.to_string()
            ]
        );
    }

    #[test]
    fn subdomains_accept_dotted_labels_up_to_253_bytes() {
        for v in ["a.a", "1.2.3.4.5", "a--1--2--b.1", "aa.bb.cc"] {
            assert!(ok(&is_dns1123_subdomain(v)), "{v}");
        }
        assert!(ok(&is_dns1123_subdomain(&"a".repeat(253))));
        assert_eq!(
            is_dns1123_subdomain(&"a".repeat(254)),
            vec!["must be no more than 253 characters"]
        );
    }

    #[test]
    fn subdomains_reject_empty_labels_uppercase_and_punctuation() {
        for v in [
            "", ".", "a.", ".a", "a..b", "A.a", "ab.A", "a@b", "a,b", "a_b", "a:b", "a%b",
        ] {
            assert_eq!(is_dns1123_subdomain(v), vec![SUBDOMAIN_MSG], "{v:?}");
        }
    }

    #[test]
    fn underscore_subdomains_allow_one_leading_underscore_per_label() {
        for v in ["_srv._tcp.example.com", "a_b.c", "_a"] {
            assert!(ok(&is_dns1123_subdomain_with_underscore(v)), "{v}");
        }
        assert_eq!(
            is_dns1123_subdomain_with_underscore("__a"),
            vec![
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*')"
            ]
        );
        assert!(!ok(&is_dns1123_subdomain_with_underscore("a_")));
    }

    #[test]
    fn rfc1035_labels_must_start_with_a_letter() {
        assert!(ok(&is_dns1035_label("a-1")));
        assert_eq!(
            is_dns1035_label("1a"),
            vec![
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
            ]
        );
        for v in ["", "a.b", "a-", "A", "a_b"] {
            assert!(!ok(&is_dns1035_label(v)), "{v}");
        }
    }

    #[test]
    fn wildcard_subdomains_need_exactly_one_leading_star_label() {
        for v in ["*.example.com", "*.bar.com", "*.foo.bar.com"] {
            assert!(ok(&is_wildcard_dns1123_subdomain(v)), "{v}");
        }
        for v in ["*.*.bar.com", "*.foo.*.com", "*bar.com", "f*.bar.com", "*"] {
            assert_eq!(is_wildcard_dns1123_subdomain(v).len(), 1, "{v}");
        }
    }

    #[test]
    fn qualified_names_accept_prefixed_and_plain_names() {
        for v in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now.with.dots/simple",
            "1.2.3.4/5678",
            "Uppercase_Is_OK_123",
            "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo",
        ] {
            assert!(ok(&is_qualified_name(v)), "{v}");
        }
        assert!(ok(&is_qualified_name(&"a".repeat(63))));
        assert!(ok(&is_qualified_name(&format!(
            "{}/{}",
            "a".repeat(253),
            "b".repeat(63)
        ))));
    }

    #[test]
    fn qualified_name_messages_name_the_failing_part() {
        assert_eq!(
            is_qualified_name("cantendwithadash-"),
            vec![format!("name part {QNAME_REGEX_MSG}")]
        );
        assert_eq!(
            is_qualified_name("example.com/"),
            vec![
                "name part must be non-empty".to_string(),
                format!("name part {QNAME_REGEX_MSG}")
            ]
        );
        assert_eq!(
            is_qualified_name("/simple"),
            vec!["prefix part must be non-empty"]
        );
        assert_eq!(
            is_qualified_name("Example.com/abc"),
            vec![format!("prefix part {SUBDOMAIN_MSG}")]
        );
        assert_eq!(
            is_qualified_name(&format!("{}/abc", "a".repeat(254))),
            vec!["prefix part must be no more than 253 characters"]
        );
        assert_eq!(
            is_qualified_name(&"a".repeat(64)),
            vec!["name part must be no more than 63 characters"]
        );
    }

    #[test]
    fn a_qualified_name_with_two_slashes_gets_the_composite_message() {
        assert_eq!(
            is_qualified_name("only/one/slash"),
            vec![format!(
                "a qualified name {QNAME_REGEX_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]
        );
    }

    #[test]
    fn label_values_may_be_empty_but_not_badly_bounded() {
        for v in ["", "simple", "end-with-num-1", "1234"] {
            assert!(ok(&is_valid_label_value(v)), "{v}");
        }
        assert!(ok(&is_valid_label_value(&"a".repeat(63))));
        let pattern = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        for v in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is.Māori.sun",
            "\\backslashes\\are\\bad",
            "-starts-with-dash",
            "ends.with.dot.",
        ] {
            assert_eq!(is_valid_label_value(v), vec![pattern], "{v}");
        }
        assert_eq!(
            is_valid_label_value(&"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
    }

    #[test]
    fn label_maps_report_the_offending_key_or_value() {
        let labels = BTreeMap::from([("good", "-bad"), ("bad/", "ok")]);
        let problems = validate_labels(&labels);
        assert_eq!(problems.len(), 3);
        assert_eq!(problems[0].0, "bad/");
        assert_eq!(problems[0].1, "name part must be non-empty");
        assert_eq!(problems[2].0, "-bad");
    }

    #[test]
    fn annotation_keys_are_checked_case_insensitively() {
        let annotations = BTreeMap::from([("Example.COM/Key", "v"), ("a b", "v")]);
        let problems = validate_annotation_keys(&annotations);
        assert_eq!(
            problems,
            vec![("a b".to_string(), format!("name part {QNAME_REGEX_MSG}"))]
        );
    }

    #[test]
    fn annotations_over_256_kib_get_the_too_long_message() {
        let big = "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT_B);
        let exactly = BTreeMap::from([("", big.as_str())]);
        assert_eq!(validate_annotations_size(&exactly), None);
        let over = BTreeMap::from([("k", big.as_str())]);
        assert_eq!(
            validate_annotations_size(&over).as_deref(),
            Some("must have at most 262144 bytes")
        );
    }

    #[test]
    fn ports_must_be_between_1_and_65535() {
        for p in [1, 2, 1000, 16384, 32768, 65535] {
            assert!(ok(&is_valid_port_num(p)));
        }
        for p in [0, -1, 65536, 100_000] {
            assert_eq!(
                is_valid_port_num(p),
                vec!["must be between 1 and 65535, inclusive"]
            );
        }
    }

    #[test]
    fn user_and_group_ids_stop_at_max_int32_in_v1_33() {
        for id in [0, 1, 1000, 65535, 2_147_483_647] {
            assert!(ok(&is_valid_user_id(id)) && ok(&is_valid_group_id(id)));
        }
        for id in [-1, -1003, 2_147_483_648, 4_294_967_295] {
            assert_eq!(
                is_valid_user_id(id),
                vec!["must be between 0 and 2147483647, inclusive"]
            );
            assert!(!ok(&is_valid_group_id(id)));
        }
    }

    #[test]
    fn port_names_follow_iana_service_name_rules() {
        for v in [
            "telnet",
            "re-mail-ck",
            "pop3",
            "a",
            "a-1",
            "1-a",
            "a-1-b-2-c",
            "1-a-2-b-3",
        ] {
            assert!(ok(&is_valid_port_name(v)), "{v}");
        }
        assert_eq!(
            is_valid_port_name(""),
            vec![
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)"
            ]
        );
        assert_eq!(
            is_valid_port_name("12345"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(
            is_valid_port_name("two--hyphens"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            is_valid_port_name("-begin"),
            vec!["must not begin or end with a hyphen"]
        );
        assert_eq!(
            is_valid_port_name("longerthan15characters"),
            vec!["must be no more than 15 characters"]
        );
        assert_eq!(
            is_valid_port_name("whois++"),
            vec!["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]
        );
    }

    #[test]
    fn relaxed_env_var_names_allow_printable_ascii_except_equals() {
        for v in [
            "-", ":", "_", "+a", ">a", "a.", "a..", "*a", "0a", "0 a", "'a", "@a", "a ", "~a", ".",
        ] {
            assert!(ok(&is_env_var_name(v)), "{v:?}");
        }
        let msg = "a valid environment variable name must consist only of printable ASCII characters other than '='";
        for v in ["=", "a=", "1=a", "a\tb", "ä", "\u{7f}"] {
            assert_eq!(is_env_var_name(v), vec![msg], "{v:?}");
        }
        assert_eq!(
            is_env_var_name(""),
            vec!["environment variable name must be non-empty"]
        );
    }

    #[test]
    fn legacy_env_var_names_use_the_old_pattern_and_chdir_rules() {
        for v in ["A", "ab", "a_b", "a-b", "a.b", "_a", "MyEnvName1", "-a"] {
            assert!(ok(&is_legacy_env_var_name(v)), "{v}");
        }
        let msg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
        assert_eq!(is_legacy_env_var_name("1a"), vec![msg]);
        assert_eq!(is_legacy_env_var_name(".."), vec!["must not be '..'"]);
        assert_eq!(
            is_legacy_env_var_name("..a"),
            vec!["must not start with '..'"]
        );
        assert_eq!(is_legacy_env_var_name(""), vec![msg]);
    }

    #[test]
    fn config_map_keys_reject_dot_dot_and_odd_characters() {
        for v in [
            "a",
            "good",
            "still.good",
            ".so.is.this",
            "THIS_IS_GOOD",
            "so_is_this_17",
        ] {
            assert!(ok(&is_config_map_key(v)), "{v}");
        }
        assert_eq!(is_config_map_key("."), vec!["must not be '.'"]);
        assert_eq!(is_config_map_key(".."), vec!["must not be '..'"]);
        assert_eq!(is_config_map_key("..bad"), vec!["must not start with '..'"]);
        assert_eq!(
            is_config_map_key("b*d"),
            vec![
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
            ]
        );
    }

    #[test]
    fn c_identifiers_header_names_and_percents_use_their_patterns() {
        assert!(ok(&is_c_identifier("_my_name1")));
        assert_eq!(
            is_c_identifier("1a"),
            vec![
                "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')"
            ]
        );
        for v in ["Accept-Encoding", "X-Forwarded-For", "-a", "--abc-123", "A"] {
            assert!(ok(&is_http_header_name(v)), "{v}");
        }
        for v in ["Host:", "X-@Home", "", "a b", "a.b", "_"] {
            assert_eq!(
                is_http_header_name(v),
                vec![
                    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"
                ],
                "{v:?}"
            );
        }
        for v in ["0%", "00000%", "101%"] {
            assert!(ok(&is_valid_percent(v)), "{v}");
        }
        for v in ["", "0", "0.0%", " 1%", "1% ", "-1%", "+1%", "%"] {
            assert_eq!(
                is_valid_percent(v),
                vec![
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
                ],
                "{v:?}"
            );
        }
    }

    #[test]
    fn sysctl_names_are_dot_or_slash_separated_segments() {
        for v in [
            "kernel.shm_rmid_forced",
            "net.ipv4.conf.eth0/100.rp_filter",
            "a",
            "a_b-c.d",
        ] {
            assert!(is_valid_sysctl_name(v), "{v}");
        }
        for v in [
            "",
            "_a",
            "a.",
            ".a",
            "a..b",
            "A.b",
            "a//b",
            &"a".repeat(254),
        ] {
            assert!(!is_valid_sysctl_name(v), "{v}");
        }
        assert_eq!(
            SYSCTL_NAME_MESSAGE,
            "must have at most 253 characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
        );
    }

    #[test]
    fn fully_qualified_domain_names_need_two_labels() {
        for v in [
            "a.com",
            "k8s.io",
            "dev.k8s.io.",
            "bbc.co.uk",
            "10.0.0.1",
            &format!("{}.k8s.io", "a".repeat(63)),
        ] {
            assert_eq!(is_fully_qualified_domain_name(v), Ok(()), "{v}");
        }
        assert_eq!(
            is_fully_qualified_domain_name(""),
            Err(DomainNameError::Required)
        );
        assert_eq!(
            is_fully_qualified_domain_name("com"),
            Err(DomainNameError::Invalid {
                value: "com".into(),
                message: "should be a domain with at least two segments separated by dots".into()
            })
        );
        assert_eq!(
            is_fully_qualified_domain_name("Dev.k8s.io"),
            Err(DomainNameError::Invalid {
                value: "Dev.k8s.io".into(),
                message: SUBDOMAIN_MSG.into()
            })
        );
        assert_eq!(
            is_fully_qualified_domain_name(&format!("{}.k8s.io", "a".repeat(64))),
            Err(DomainNameError::Invalid {
                value: "a".repeat(64),
                message: "must be no more than 63 characters".into()
            })
        );
        for v in [
            ".",
            "...",
            ".io",
            "*.example.com",
            "underscores_are_bad.k8s.io",
            "http://foo.example.com",
        ] {
            assert!(is_fully_qualified_domain_name(v).is_err(), "{v}");
        }
    }

    #[test]
    fn sloppy_ip_parsing_accepts_leading_zeros_and_mapped_addresses() {
        for v in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "010.001.002.003",
            "::",
            "::1",
            "2001:db8::1",
            "1:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "FE80:0:0:0:0:0:0:0abc",
            "00001::",
        ] {
            assert!(ok(&is_valid_ip(v)), "{v}");
        }
        for v in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.0.0.1",
            "1.2.3.4/24",
            "2001:db8::1::2",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "fe80::1%eth0",
            " 1.2.3.4",
            "1.2.3.4 ",
            "a",
            "::ffff:1.2.3",
            ":1::",
            "1:",
            "1::2:3:4:5:6:7:8",
        ] {
            assert_eq!(
                is_valid_ip(v),
                vec!["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"],
                "{v:?}"
            );
        }
    }

    #[test]
    fn strict_ip_validation_rejects_leading_zeros_and_mapped_addresses() {
        assert_eq!(
            is_valid_ip_for_legacy_field("010.1.2.3", true),
            vec!["must not have leading 0s"]
        );
        assert_eq!(
            is_valid_ip_for_legacy_field("00001::", true),
            vec!["must not have leading 0s"]
        );
        assert_eq!(
            is_valid_ip_for_legacy_field("::ffff:1.2.3.4", true),
            vec!["must not be an IPv4-mapped IPv6 address"]
        );
        assert_eq!(
            is_valid_ip_for_legacy_field("::ffff:102:304", true),
            vec!["must not be an IPv4-mapped IPv6 address"]
        );
        assert!(ok(&is_valid_ip_for_legacy_field("0.0.0.0", true)));
        assert!(ok(&is_valid_ip_for_legacy_field("2001:DB8:0:0::1", true)));
    }

    #[test]
    fn cidrs_are_parsed_sloppily_unless_strict_validation_is_on() {
        for v in [
            "10.0.0.0/8",
            "1.2.3.4/32",
            "::/0",
            "2001:db8::/64",
            "1.2.3.4/024",
            "010.0.0.0/8",
            "1.2.3.4/24",
        ] {
            assert!(ok(&is_valid_cidr(v)), "{v}");
        }
        for v in [
            "",
            "1.2.3.4",
            "1.2.3.4/33",
            "::/129",
            "1.2.3.4/",
            "1.2.3.4/a",
            "1.2.3.4/24/1",
            "/24",
        ] {
            assert_eq!(
                is_valid_cidr(v),
                vec!["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"],
                "{v:?}"
            );
        }
        assert_eq!(
            is_valid_cidr_for_legacy_field("1.2.3.4/024", true),
            vec!["must not have leading 0s in IP or prefix length"]
        );
        assert_eq!(
            is_valid_cidr_for_legacy_field("::ffff:1.2.3.0/120", true),
            vec!["must not have an IPv4-mapped IPv6 address"]
        );
        assert_eq!(
            is_valid_cidr_for_legacy_field("1.2.3.4/24", true),
            vec!["must not have bits set beyond the prefix length"]
        );
        assert!(ok(&is_valid_cidr_for_legacy_field("1.2.3.0/24", true)));
        assert!(ok(&is_valid_cidr_for_legacy_field("2001:db8::/32", true)));
        assert!(ok(&is_valid_cidr_for_legacy_field("0.0.0.0/0", true)));
    }

    #[test]
    fn generate_name_prefixes_may_end_with_a_dash() {
        assert!(ok(&name_is_dns_subdomain("my-pod-", true)));
        assert!(!ok(&name_is_dns_subdomain("my-pod-", false)));
        assert!(ok(&name_is_dns_label("web-", true)));
        assert!(ok(&name_is_dns1035_label("svc-", true)));
        // The byte before the dash is dropped as well, so a 254-byte prefix
        // ending in a dash still fits the 253-byte limit.
        let long = format!("{}-", "a".repeat(253));
        assert!(ok(&name_is_dns_subdomain(&long, true)));
        assert_eq!(name_is_dns_subdomain("-", true), vec![SUBDOMAIN_MSG]);
        assert!(!ok(&name_is_dns_subdomain("Bad-", true)));
        // Dropping the byte before the dash can even hide a bad character.
        assert!(ok(&name_is_dns_subdomain("a.-", true)));
    }

    #[test]
    fn path_segment_names_may_not_be_dots_or_contain_slash_or_percent() {
        assert_eq!(
            validate_path_segment_name(".", false),
            vec!["may not be '.'"]
        );
        assert_eq!(
            validate_path_segment_name("..", false),
            vec!["may not be '..'"]
        );
        assert_eq!(
            validate_path_segment_name("a/b%c", false),
            vec!["may not contain '/'", "may not contain '%'"]
        );
        assert!(ok(&validate_path_segment_name("..", true)));
        assert_eq!(
            validate_path_segment_name("a%", true),
            vec!["may not contain '%'"]
        );
        assert!(ok(&validate_path_segment_name("...", false)));
    }

    #[test]
    fn published_patterns_match_the_kubernetes_text() {
        assert_eq!(
            DNS1123_SUBDOMAIN_FMT,
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
        );
        assert_eq!(
            WILDCARD_DNS1123_SUBDOMAIN_FMT,
            "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
        );
        assert_eq!(
            LABEL_VALUE_FMT,
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
        );
        assert_eq!(
            regex_error("m", "f", &[]),
            "m (regex used for validation is 'f')"
        );
        assert_eq!(too_long_error(1), "must have at most 1 byte");
    }

    #[test]
    fn no_validator_panics_on_odd_input() {
        let long_nines = "9".repeat(400);
        let odd = [
            "",
            "-",
            ".",
            "..",
            "/",
            "//",
            ":",
            "::",
            ":::",
            "%",
            "*",
            "*.",
            "1e999999999",
            long_nines.as_str(),
            "é",
            "日本語",
            "a\u{0}b",
            "\u{130}",
            "-\u{e9}-",
            "é-",
            "::ffff:",
            "1.2.3.4/",
            "/0",
            "::1/999999999999",
            "1.2.3.4.5.6",
            "0x10",
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
            "1::2::3",
            "1.2.3.04",
            "\u{ff}\u{fe}",
        ];
        for s in odd {
            let _ = (
                is_dns1123_label(s),
                is_dns1123_subdomain(s),
                is_dns1123_subdomain_with_underscore(s),
                is_dns1035_label(s),
                is_wildcard_dns1123_subdomain(s),
                is_qualified_name(s),
                is_valid_label_value(s),
                is_config_map_key(s),
                is_c_identifier(s),
                is_env_var_name(s),
                is_legacy_env_var_name(s),
                is_http_header_name(s),
                is_valid_percent(s),
                is_valid_sysctl_name(s),
                is_valid_port_name(s),
                is_fully_qualified_domain_name(s),
            );
            for strict in [false, true] {
                let _ = is_valid_ip_for_legacy_field(s, strict);
                let _ = is_valid_cidr_for_legacy_field(s, strict);
            }
            for prefix in [false, true] {
                let _ = name_is_dns_subdomain(s, prefix);
                let _ = name_is_dns_label(s, prefix);
                let _ = name_is_dns1035_label(s, prefix);
                let _ = validate_path_segment_name(s, prefix);
            }
            let _ = validate_annotation_keys([(s, s)]);
            let _ = validate_labels([(s, s)]);
        }
        for n in [i64::MIN, -1, 0, i64::MAX] {
            let _ = (
                is_valid_port_num(n),
                is_valid_user_id(n),
                is_valid_group_id(n),
            );
        }
    }
}
