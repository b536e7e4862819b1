//! `resource.Quantity` with the parsing grammar, limits, error strings and
//! canonical output of the Kubernetes API server.
//!
//! A [`Quantity`] keeps the text it was given and the result of parsing it,
//! because an unparseable quantity must survive decoding so that validation
//! can report it as a field error. [`ParsedQuantity`] holds the exact value
//! as a decimal digit string with a base-10 exponent: Kubernetes values are
//! exact decimals that may exceed any machine integer (for example `1e100`
//! or a 400-digit number), and a digit string represents all of them exactly
//! with cheap comparisons, rounding and canonical formatting.

#![allow(
    clippy::module_name_repetitions,
    clippy::must_use_candidate,
    clippy::missing_errors_doc
)]

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The pattern quoted by the "wrong format" error.
pub const SPLIT_RE_STRING: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// Characters that may start a suffix.
const SUFFIX_LETTERS: &[u8] = b"eEinumkKMGTP";

/// Largest magnitude a binary-suffixed quantity may have; larger values are
/// capped to it, as Kubernetes does.
const MAX_BINARY_MAGNITUDE: &[u8] = b"9223372036854775807";

/// Kubernetes keeps at most nine fractional digits and rounds the rest up.
const NANO_EXPONENT: i64 = -9;

/// Largest multiple of three that [`parse`] accepts as an exponent.
const MAX_PRINTED_EXPONENT: i64 = 2_147_483_646;

/// Numbers with more digits than this leave Kubernetes' `int64` fast path.
const MAX_INT64_FACTORS: i64 = 18;

/// The three serialization styles of a quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// e.g. `12e6`
    DecimalExponent,
    /// e.g. `12Mi` (12 × 2^20)
    BinarySI,
    /// e.g. `12M` (12 × 10^6)
    DecimalSI,
}

/// The errors of Kubernetes' `ParseQuantity`, with its exact messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantityError {
    /// The text does not have the shape of a quantity.
    FormatWrong,
    /// The number has no digits where Kubernetes needs to read some.
    Numeric,
    /// The suffix is not one Kubernetes knows.
    Suffix,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FormatWrong => write!(
                f,
                "quantities must match the regular expression '{SPLIT_RE_STRING}'"
            ),
            Self::Numeric => f.write_str("unable to parse numeric part of quantity"),
            Self::Suffix => f.write_str("unable to parse quantity's suffix"),
        }
    }
}

impl std::error::Error for QuantityError {}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// The pieces of a quantity string, split the way Kubernetes' scanner does.
struct Scanned<'a> {
    negative: bool,
    /// Sign and number as written (Kubernetes needs a digit in it when it
    /// parses the number with its arbitrary-precision decoder).
    value: &'a [u8],
    /// Integer digits without leading zeros, or `0` when there are none.
    num: &'a [u8],
    /// Fraction digits as written.
    denom: &'a [u8],
    suffix: &'a [u8],
}

fn scan(s: &[u8]) -> Result<Scanned<'_>, QuantityError> {
    let end = s.len();
    let mut pos = 0;
    let mut negative = false;
    match s.first() {
        Some(b'-') => {
            negative = true;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    while pos < end && s[pos] == b'0' {
        pos += 1;
    }
    if pos == end {
        // Nothing but a sign and zeros (or nothing at all after the sign).
        return Ok(Scanned {
            negative,
            value: b"0",
            num: b"0",
            denom: b"",
            suffix: b"",
        });
    }
    let num_start = pos;
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    let mut num = &s[num_start..pos];
    if pos == end {
        return Ok(Scanned {
            negative,
            value: s,
            num,
            denom: b"",
            suffix: b"",
        });
    }
    if num.is_empty() {
        num = b"0";
    }
    let mut denom: &[u8] = b"";
    if s[pos] == b'.' {
        pos += 1;
        let start = pos;
        while pos < end && s[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &s[start..pos];
        if pos == end {
            return Ok(Scanned {
                negative,
                value: s,
                num,
                denom,
                suffix: b"",
            });
        }
    }
    let value = &s[..pos];
    let suffix_start = pos;
    while pos < end && SUFFIX_LETTERS.contains(&s[pos]) {
        pos += 1;
    }
    if pos < end && matches!(s[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos == end {
        Ok(Scanned {
            negative,
            value,
            num,
            denom,
            suffix: &s[suffix_start..],
        })
    } else {
        Err(QuantityError::FormatWrong)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    Two,
    Ten,
}

/// Parses the digits of a decimal exponent the way Go's `strconv.ParseInt`
/// does (optional sign, at least one digit). Exponents beyond ±(2^31 − 1)
/// are refused, as current Kubernetes does, rather than silently wrapped.
fn parse_exponent(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let limit = i64::from(i32::MAX);
    let mut value: i64 = 0;
    for &d in digits {
        value = value * 10 + i64::from(d - b'0');
        if value > limit {
            return None;
        }
    }
    Some(if negative { -value } else { value })
}

fn interpret(suffix: &[u8]) -> Option<(Base, i64, Format)> {
    let decimal = |e| Some((Base::Ten, e, Format::DecimalSI));
    let binary = |e| Some((Base::Two, e, Format::BinarySI));
    match suffix {
        b"" => decimal(0),
        b"n" => decimal(-9),
        b"u" => decimal(-6),
        b"m" => decimal(-3),
        b"k" => decimal(3),
        b"M" => decimal(6),
        b"G" => decimal(9),
        b"T" => decimal(12),
        b"P" => decimal(15),
        b"E" => decimal(18),
        b"Ki" => binary(10),
        b"Mi" => binary(20),
        b"Gi" => binary(30),
        b"Ti" => binary(40),
        b"Pi" => binary(50),
        b"Ei" => binary(60),
        [b'e' | b'E', rest @ ..] if !rest.is_empty() => {
            parse_exponent(rest).map(|e| (Base::Ten, e, Format::DecimalExponent))
        }
        _ => None,
    }
}

fn len_i64(s: &[u8]) -> i64 {
    i64::try_from(s.len()).unwrap_or(i64::MAX)
}

/// Whether Kubernetes would decode this number on its `int64` fast path. The
/// value does not depend on it, but two observable things do: only the slow
/// path fails on a number without digits, and only the fast path can echo
/// the input text back unchanged.
fn takes_int64_path(sc: &Scanned<'_>, base: Base, exponent: i64) -> bool {
    let (num_len, denom_len) = (len_i64(sc.num), len_i64(sc.denom));
    match base {
        Base::Ten => {
            MAX_INT64_FACTORS
                .saturating_sub(num_len)
                .saturating_sub(denom_len)
                >= 0
                && exponent.saturating_sub(denom_len) >= NANO_EXPONENT
        }
        // The precision estimate Kubernetes uses: 2^(10k) has about 3k digits.
        Base::Two => denom_len == 0 && 14_i64.saturating_sub(num_len) - exponent * 3 / 10 >= 0,
    }
}

/// Whether Kubernetes keeps the input text as the serialized form (it does
/// so when it judges the text already canonical, sign and leading zeros
/// included, so `+1Ki` or `01k` are echoed back as written).
fn keeps_input_text(sc: &Scanned<'_>, base: Base, exponent: i64) -> bool {
    match base {
        Base::Ten => {
            let scale = exponent.saturating_sub(len_i64(sc.denom));
            let ends_in_000 = trailing_zero_run(sc.num, sc.denom) >= 3;
            scale % 3 == 0 && !ends_in_000 && sc.num.first() != Some(&b'0')
        }
        Base::Two => {
            // The fast path only handles up to 11 integer digits here.
            let value = sc.num.iter().fold(0u64, |acc, &d| {
                acc.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
            });
            value & 7 != 0
        }
    }
}

/// Number of trailing `0` bytes of `num` followed by `denom`.
fn trailing_zero_run(num: &[u8], denom: &[u8]) -> usize {
    let in_denom = denom.iter().rev().take_while(|&&d| d == b'0').count();
    if in_denom < denom.len() {
        in_denom
    } else {
        in_denom + num.iter().rev().take_while(|&&d| d == b'0').count()
    }
}

/// `ParseQuantity`: parses `s` exactly as the API server does (no
/// surrounding whitespace allowed).
pub fn parse(s: &str) -> Result<ParsedQuantity, QuantityError> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err(QuantityError::FormatWrong);
    }
    if s == "0" {
        return Ok(ParsedQuantity::zero(Format::DecimalSI));
    }
    let sc = scan(bytes)?;
    let (base, exponent, format) = interpret(sc.suffix).ok_or(QuantityError::Suffix)?;
    let fast = takes_int64_path(&sc, base, exponent);
    if !fast && !sc.value.iter().any(u8::is_ascii_digit) {
        return Err(QuantityError::Numeric);
    }

    let mut digits = Vec::with_capacity(sc.num.len() + sc.denom.len());
    digits.extend_from_slice(sc.num);
    digits.extend_from_slice(sc.denom);
    let mut q = ParsedQuantity {
        negative: sc.negative,
        digits,
        exponent: match base {
            Base::Ten => exponent.saturating_sub(len_i64(sc.denom)),
            Base::Two => -len_i64(sc.denom),
        },
        format,
        verbatim: None,
    };
    q.normalize();
    if base == Base::Two {
        for _ in 0..exponent / 10 {
            q.multiply_small(1024);
        }
    }
    q.round_up_to_nano();
    if format == Format::BinarySI {
        if cmp_magnitude(&q.digits, q.exponent, MAX_BINARY_MAGNITUDE, 0) == Ordering::Greater {
            q.digits = MAX_BINARY_MAGNITUDE.to_vec();
            q.exponent = 0;
        }
        if !q.digits.is_empty() && len_i64(&q.digits) + q.exponent <= 0 {
            // Below one there is no binary suffix to use.
            q.format = Format::DecimalSI;
        }
    }
    if fast && keeps_input_text(&sc, base, exponent) {
        q.verbatim = Some(s.into());
    }
    Ok(q)
}

// ---------------------------------------------------------------------------
// Exact decimal values
// ---------------------------------------------------------------------------

/// Compares `a_digits × 10^a_exp` with `b_digits × 10^b_exp` (both
/// normalized magnitudes: no leading or trailing zeros, empty for zero).
fn cmp_magnitude(a_digits: &[u8], a_exp: i64, b_digits: &[u8], b_exp: i64) -> Ordering {
    match (a_digits.is_empty(), b_digits.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    let a_order = a_exp.saturating_add(len_i64(a_digits));
    let b_order = b_exp.saturating_add(len_i64(b_digits));
    // Same order of magnitude: the leading digits line up, and since neither
    // has trailing zeros, a digit string that is a prefix of the other is
    // the smaller value, which is exactly lexicographic order.
    a_order.cmp(&b_order).then_with(|| a_digits.cmp(b_digits))
}

fn ascii_digit(v: u64) -> u8 {
    b"0123456789"[usize::try_from(v % 10).unwrap_or(0)]
}

/// Integer value of at most 38 ASCII digits.
fn digits_to_u128(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u128::from(d - b'0'))
    })
}

/// An exact quantity value with its format, as produced by [`parse`].
///
/// Equality, ordering and hashing consider the value only (`1` equals
/// `1000m`), matching Kubernetes' semantic comparison.
#[derive(Clone)]
pub struct ParsedQuantity {
    negative: bool,
    /// ASCII digits of the magnitude without leading or trailing zeros;
    /// empty for zero.
    digits: Vec<u8>,
    /// The value is `±digits × 10^exponent`.
    exponent: i64,
    format: Format,
    /// Input text Kubernetes would serialize unchanged.
    verbatim: Option<Box<str>>,
}

impl ParsedQuantity {
    fn zero(format: Format) -> Self {
        Self {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
            format,
            verbatim: None,
        }
    }

    /// `value × 10^scale` in the given format (Kubernetes' `NewQuantity`,
    /// `NewMilliQuantity` and `NewScaledQuantity`).
    pub fn new(value: i64, scale: i32, format: Format) -> Self {
        let mut q = Self {
            negative: value < 0,
            digits: value.unsigned_abs().to_string().into_bytes(),
            exponent: i64::from(scale),
            format,
            verbatim: None,
        };
        q.normalize();
        q
    }

    /// `value` in the given format.
    pub fn from_i64(value: i64, format: Format) -> Self {
        Self::new(value, 0, format)
    }

    /// `value / 1000` in the given format.
    pub fn from_milli(value: i64, format: Format) -> Self {
        Self::new(value, -3, format)
    }

    /// Restores the invariants: no leading zeros, no trailing zeros (moved
    /// into the exponent), and a single representation of zero.
    fn normalize(&mut self) {
        let leading = self.digits.iter().take_while(|&&d| d == b'0').count();
        if leading == self.digits.len() {
            self.digits.clear();
            self.negative = false;
            self.exponent = 0;
            return;
        }
        self.digits.drain(..leading);
        let trailing = self.digits.iter().rev().take_while(|&&d| d == b'0').count();
        self.digits.truncate(self.digits.len() - trailing);
        self.exponent = self
            .exponent
            .saturating_add(i64::try_from(trailing).unwrap_or(i64::MAX));
    }

    fn multiply_small(&mut self, factor: u32) {
        let mut carry: u64 = 0;
        for d in self.digits.iter_mut().rev() {
            let v = u64::from(*d - b'0') * u64::from(factor) + carry;
            *d = ascii_digit(v);
            carry = v / 10;
        }
        let mut head = Vec::new();
        while carry > 0 {
            head.push(ascii_digit(carry));
            carry /= 10;
        }
        head.reverse();
        self.digits.splice(0..0, head);
        self.normalize();
    }

    /// Adds one unit in the last place of the magnitude.
    fn increment_magnitude(&mut self) {
        for d in self.digits.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                return;
            }
        }
        self.digits.insert(0, b'1');
    }

    /// Kubernetes keeps nine fractional digits and rounds any remainder away
    /// from zero, so that asking for a tiny amount never yields nothing.
    fn round_up_to_nano(&mut self) {
        if self.digits.is_empty() || self.exponent >= NANO_EXPONENT {
            return;
        }
        let dropped = NANO_EXPONENT.saturating_sub(self.exponent);
        let len = len_i64(&self.digits);
        if dropped >= len {
            self.digits = vec![b'1'];
        } else {
            // Normalized digits end in a non-zero digit, so something
            // non-zero is always dropped here.
            self.digits
                .truncate(usize::try_from(len - dropped).unwrap_or(0));
            self.increment_magnitude();
        }
        self.exponent = NANO_EXPONENT;
        self.normalize();
    }

    /// The format the quantity was written in (after Kubernetes' adjustment
    /// of binary values below one to `DecimalSI`).
    pub fn format(&self) -> Format {
        self.format
    }

    /// -1, 0 or 1.
    pub fn sign(&self) -> i32 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// `ceil(value / 10^scale)` rounded away from zero, saturating at the
    /// `i64` bounds instead of overflowing.
    pub fn scaled_value(&self, scale: i32) -> i64 {
        if self.digits.is_empty() {
            return 0;
        }
        let shift = self.exponent.saturating_sub(i64::from(scale));
        let len = len_i64(&self.digits);
        let magnitude = if shift >= 0 {
            if len.saturating_add(shift) > 20 {
                None
            } else {
                let pow = u32::try_from(shift)
                    .ok()
                    .and_then(|p| 10u128.checked_pow(p));
                digits_to_u128(&self.digits)
                    .zip(pow)
                    .and_then(|(m, p)| m.checked_mul(p))
            }
        } else {
            let kept = len.saturating_add(shift);
            if kept <= 0 {
                Some(1)
            } else if kept > 20 {
                None
            } else {
                let kept = usize::try_from(kept).unwrap_or(0);
                digits_to_u128(&self.digits[..kept]).map(|m| m + 1)
            }
        };
        let signed =
            magnitude
                .and_then(|m| i128::try_from(m).ok())
                .map(|m| if self.negative { -m } else { m });
        match signed.map(i64::try_from) {
            Some(Ok(v)) => v,
            _ if self.negative => i64::MIN,
            _ => i64::MAX,
        }
    }

    /// `Value`: the value rounded up (away from zero) to an integer.
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// `MilliValue`: the value in thousandths, rounded up (away from zero).
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// The string the API server emits for this quantity.
    pub fn canonical(&self) -> String {
        if let Some(text) = &self.verbatim {
            return text.to_string();
        }
        if self.digits.is_empty() {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySI {
            let small = cmp_magnitude(&self.digits, self.exponent, b"1024", 0) == Ordering::Less;
            if small || self.exponent < 0 {
                // Small or fractional binary values read better in decimal.
                format = Format::DecimalSI;
            } else if let Some(text) = self.binary_si_string() {
                return text;
            } else {
                format = Format::DecimalSI;
            }
        }
        self.decimal_string(format)
    }

    fn binary_si_string(&self) -> Option<String> {
        const SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        let shift = u32::try_from(self.exponent).ok()?;
        let mut n =
            u64::try_from(digits_to_u128(&self.digits)?.checked_mul(10u128.checked_pow(shift)?)?)
                .ok()?;
        let mut power = 0;
        while n >= 1024 && n % 1024 == 0 && power + 1 < SUFFIXES.len() {
            n /= 1024;
            power += 1;
        }
        let sign = if self.negative { "-" } else { "" };
        Some(format!("{sign}{n}{}", SUFFIXES[power]))
    }

    fn decimal_string(&self, format: Format) -> String {
        // Move the exponent down to a multiple of three, padding the mantissa.
        // Exponents above the largest one the parser accepts are lowered
        // further so that the text still parses back to the same value (the
        // padding is bounded by the length of the text that produced it).
        let mut pad = self.exponent.rem_euclid(3);
        let mut exponent = self.exponent.saturating_sub(pad);
        if exponent > MAX_PRINTED_EXPONENT {
            pad = pad.saturating_add(exponent - MAX_PRINTED_EXPONENT);
            exponent = MAX_PRINTED_EXPONENT;
        }
        let mut out = String::with_capacity(self.digits.len() + 8);
        if self.negative {
            out.push('-');
        }
        out.extend(self.digits.iter().map(|&d| char::from(d)));
        for _ in 0..pad {
            out.push('0');
        }
        let si = match exponent {
            -9 => Some("n"),
            -6 => Some("u"),
            -3 => Some("m"),
            0 => Some(""),
            3 => Some("k"),
            6 => Some("M"),
            9 => Some("G"),
            12 => Some("T"),
            15 => Some("P"),
            18 => Some("E"),
            _ => None,
        };
        match (format, si) {
            (Format::DecimalSI | Format::BinarySI, Some(suffix)) => out.push_str(suffix),
            // Beyond `E` there is no SI suffix; exponent notation keeps the
            // magnitude (Kubernetes v1.33 dropped it, turning `1000E` into `1`).
            _ if exponent != 0 => {
                out.push('e');
                out.push_str(&exponent.to_string());
            }
            _ => {}
        }
        out
    }
}

impl PartialEq for ParsedQuantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ParsedQuantity {}

impl PartialOrd for ParsedQuantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ParsedQuantity {
    fn cmp(&self, other: &Self) -> Ordering {
        match self.sign().cmp(&other.sign()) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        let magnitude = cmp_magnitude(&self.digits, self.exponent, &other.digits, other.exponent);
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl Hash for ParsedQuantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Normalized fields identify the value uniquely.
        self.negative.hash(state);
        self.digits.hash(state);
        self.exponent.hash(state);
    }
}

impl fmt::Display for ParsedQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl fmt::Debug for ParsedQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedQuantity")
            .field("value", &self.canonical())
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// Quantity (the API field type)
// ---------------------------------------------------------------------------

/// A quantity field as decoded from an API object: the text (or number) it
/// was given plus the parse result. It deserializes from a JSON string or
/// number, serializes as the canonical string (or the raw text when it does
/// not parse), and compares by value like Kubernetes' semantic equality.
#[derive(Clone, Debug)]
pub struct Quantity {
    raw: String,
    parsed: Result<ParsedQuantity, QuantityError>,
}

impl Quantity {
    /// Wraps text as the API server decodes it from JSON: surrounding
    /// whitespace is ignored for parsing but the text is kept as given.
    pub fn new(text: impl Into<String>) -> Self {
        let raw = text.into();
        let parsed = parse(raw.trim());
        Self { raw, parsed }
    }

    /// `ParseQuantity` (see [`parse`]).
    pub fn parse(s: &str) -> Result<ParsedQuantity, QuantityError> {
        parse(s)
    }

    /// The text this quantity was created from.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The parsed value, or why the text is not a quantity.
    pub fn parsed(&self) -> Result<&ParsedQuantity, QuantityError> {
        self.parsed.as_ref().map_err(|e| *e)
    }

    /// Whether the text is a valid quantity.
    pub fn is_valid(&self) -> bool {
        self.parsed.is_ok()
    }

    /// The serialized form: canonical when valid, the raw text otherwise.
    pub fn canonical(&self) -> String {
        match &self.parsed {
            Ok(q) => q.canonical(),
            Err(_) => self.raw.clone(),
        }
    }
}

impl crate::model::serde_util::Checked for Quantity {
    // Quantities are rare where JSON is only checked; their own decoding
    // is the check.
    type Check = Quantity;
}

impl Default for Quantity {
    fn default() -> Self {
        Self {
            raw: "0".to_string(),
            parsed: Ok(ParsedQuantity::zero(Format::DecimalSI)),
        }
    }
}

impl From<ParsedQuantity> for Quantity {
    fn from(q: ParsedQuantity) -> Self {
        Self {
            raw: q.canonical(),
            parsed: Ok(q),
        }
    }
}

impl From<&str> for Quantity {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Quantity {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl FromStr for Quantity {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl PartialEq for Quantity {
    /// Valid quantities are equal when their values are; invalid ones only
    /// equal invalid ones with the same text.
    fn eq(&self, other: &Self) -> bool {
        match (&self.parsed, &other.parsed) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => self.raw == other.raw,
            _ => false,
        }
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    /// Orders valid quantities by value; invalid ones are unordered except
    /// against an identical invalid text.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (&self.parsed, &other.parsed) {
            (Ok(a), Ok(b)) => Some(a.cmp(b)),
            (Err(_), Err(_)) if self.raw == other.raw => Some(Ordering::Equal),
            _ => None,
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical())
    }
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity string or number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
        Ok(Quantity::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Quantity, E> {
        Ok(Quantity::new(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
        Ok(Quantity::new(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
        Ok(Quantity::new(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Quantity, E> {
        Ok(Quantity::new(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Quantity, E> {
        Ok(Quantity::new(v.to_string()))
    }

    /// Floats are written in plain decimal (Rust prints the shortest text
    /// that reads back as the same float), so `0.5` becomes `500m`.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
        Ok(Quantity::new(v.to_string()))
    }
}

/// The apiserver parses quantities while it decodes a request, so text that
/// is not a quantity fails the decode (a 400 naming the field), as it does here.
impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let q = deserializer.deserialize_any(QuantityVisitor)?;
        match q.parsed() {
            Ok(_) => Ok(q),
            Err(e) => Err(de::Error::custom(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> ParsedQuantity {
        match parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn canon(s: &str) -> String {
        q(s).canonical()
    }

    #[test]
    fn zero_in_any_suffix_parses_to_zero_and_prints_as_0() {
        for s in [
            "0", "0n", "0u", "0m", "0Ki", "0k", "0Mi", "0M", "0Gi", "0G", "0Ti", "0T", "-0", "+0",
            "00", "0.0", "-0.000",
        ] {
            let v = q(s);
            assert!(v.is_zero() && v.sign() == 0, "{s}");
            assert_eq!(v.canonical(), "0", "{s}");
        }
        assert_eq!(q("0Ki").format(), Format::BinarySI);
        assert_eq!(q("0k").format(), Format::DecimalSI);
    }

    #[test]
    fn suffixes_scale_the_number_and_set_the_format() {
        let table = [
            ("1", 1, 0, Format::DecimalSI),
            ("1Ki", 1024, 0, Format::BinarySI),
            ("8Ki", 8 * 1024, 0, Format::BinarySI),
            ("7Mi", 7 << 20, 0, Format::BinarySI),
            ("6Gi", 6 << 30, 0, Format::BinarySI),
            ("5Ti", 5 << 40, 0, Format::BinarySI),
            ("4Pi", 4 << 50, 0, Format::BinarySI),
            ("3Ei", 3 << 60, 0, Format::BinarySI),
            ("5n", 5, -9, Format::DecimalSI),
            ("4u", 4, -6, Format::DecimalSI),
            ("3m", 3, -3, Format::DecimalSI),
            ("8k", 8, 3, Format::DecimalSI),
            ("50k", 5, 4, Format::DecimalSI),
            ("7M", 7, 6, Format::DecimalSI),
            ("6G", 6, 9, Format::DecimalSI),
            ("40T", 4, 13, Format::DecimalSI),
            ("2P", 2, 15, Format::DecimalSI),
            ("1E", 1, 18, Format::DecimalSI),
            ("1E-3", 1, -3, Format::DecimalExponent),
            ("1e3", 1, 3, Format::DecimalExponent),
            ("1e14", 1, 14, Format::DecimalExponent),
            ("100.035k", 100_035, 0, Format::DecimalSI),
            ("0.0005k", 5, -1, Format::DecimalSI),
            ("0.5e-2", 5, -3, Format::DecimalExponent),
            ("1.3E+6", 13, 5, Format::DecimalExponent),
            ("1.7E18", 17, 17, Format::DecimalExponent),
            ("6.987654321G", 6_987_654_321, 0, Format::DecimalSI),
            ("1.01E", 101, 16, Format::DecimalSI),
            ("100.035Ki", 10_243_584, -2, Format::BinarySI),
            ("0.5Mi", 524_288, 0, Format::BinarySI),
            ("0.025Ti", 274_877_906_944, -1, Format::BinarySI),
            (".001", 1, -3, Format::DecimalSI),
            (".0001k", 100, -3, Format::DecimalSI),
            ("1.", 1, 0, Format::DecimalSI),
            ("1.G", 1, 9, Format::DecimalSI),
        ];
        for (input, mantissa, scale, format) in table {
            let got = q(input);
            assert_eq!(got, ParsedQuantity::new(mantissa, scale, format), "{input}");
            assert_eq!(got.format(), format, "{input}");
            let neg = q(&format!("-{input}"));
            assert_eq!(
                neg,
                ParsedQuantity::new(-mantissa, scale, format),
                "-{input}"
            );
            assert_eq!(q(&format!("+{input}")), got, "+{input}");
        }
    }

    #[test]
    fn tiny_fractions_round_up_to_the_next_nano() {
        let table = [
            ("3.001n", 4),
            ("1.1E-9", 2),
            ("0.0000000001", 1),
            ("0.0000000005", 1),
            ("0.00000000050", 1),
            ("0.5e-9", 1),
            ("0.9n", 1),
            ("0.00000012345", 124),
            ("0.00000012354", 124),
            ("1e-2147483647", 1),
        ];
        for (input, nanos) in table {
            assert_eq!(
                q(input),
                ParsedQuantity::new(nanos, -9, Format::DecimalSI),
                "{input}"
            );
            assert_eq!(
                q(&format!("-{input}")),
                ParsedQuantity::new(-nanos, -9, Format::DecimalSI)
            );
        }
        assert_eq!(canon("1.1E-9"), "2e-9");
        assert_eq!(canon("0.9999999999"), "1");
    }

    #[test]
    fn binary_values_are_capped_at_the_largest_int64() {
        for s in [
            "9Ei",
            "8Ei",
            "9223372036854775807Ki",
            &format!("{}Ki", "9".repeat(400)),
        ] {
            assert_eq!(
                q(s),
                ParsedQuantity::from_i64(i64::MAX, Format::BinarySI),
                "{s}"
            );
            assert_eq!(canon(s), "9223372036854775807", "{s}");
        }
        assert_eq!(canon("-9Ei"), "-9223372036854775807");
        assert_eq!(canon("7Ei"), "7Ei");
    }

    #[test]
    fn tiny_binary_values_switch_to_decimal_format() {
        let v = q("0.000000000001Ki");
        assert_eq!(v, ParsedQuantity::new(2, -9, Format::DecimalSI));
        assert_eq!(v.format(), Format::DecimalSI);
        assert_eq!(canon("0.5Ki"), "512");
    }

    #[test]
    fn invalid_text_reports_the_kubernetes_error() {
        let wrong = QuantityError::FormatWrong;
        let suffix = QuantityError::Suffix;
        let table = [
            ("", wrong),
            ("1.1.M", wrong),
            ("1+1.0M", wrong),
            ("0.1mi", suffix),
            ("0.1am", wrong),
            ("aoeu", wrong),
            (".5i", suffix),
            ("1i", suffix),
            ("-3.01i", suffix),
            ("-3.01e-", suffix),
            (" 1", wrong),
            ("1 ", wrong),
            ("1e", suffix),
            ("1ki", suffix),
            ("1KI", wrong),
            ("1e2147483648", suffix),
            ("1e-2147483648", suffix),
            ("1e4294967297", suffix),
            ("1e99999999999999999999", suffix),
            ("1Ki5", suffix),
            ("1e3.5", wrong),
            ("NaN", wrong),
            ("inf", wrong),
            ("1,5", wrong),
            ("١", wrong),
            ("1µ", wrong),
        ];
        for (input, err) in table {
            assert_eq!(parse(input).err(), Some(err), "{input:?}");
        }
        assert_eq!(
            QuantityError::FormatWrong.to_string(),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert_eq!(
            QuantityError::Suffix.to_string(),
            "unable to parse quantity's suffix"
        );
        assert_eq!(
            QuantityError::Numeric.to_string(),
            "unable to parse numeric part of quantity"
        );
    }

    #[test]
    fn digitless_numbers_only_fail_where_kubernetes_reads_digits() {
        // These take Kubernetes' integer fast path and come out as zero.
        for s in ["-", "+", ".", "-.", "Ki", "k", "e5", "e-9", "-Mi"] {
            assert!(q(s).is_zero(), "{s}");
        }
        // These need its arbitrary-precision decoder, which wants a digit.
        for s in [".e-10", "-e-10", "e-10", "Pi", "Ei", "-.Pi"] {
            assert_eq!(parse(s).err(), Some(QuantityError::Numeric), "{s}");
        }
    }

    #[test]
    fn canonical_form_matches_the_api_server_output() {
        let table = [
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1.5Gi", "1536Mi"),
            ("1.5Ki", "1536"),
            ("1.1Ki", "1126400m"),
            ("1000m", "1"),
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            ("100M", "100M"),
            ("1e3", "1e3"),
            ("1000", "1k"),
            ("1080m", "1080m"),
            ("1.08", "1080m"),
            ("10800e-4", "1080e-3"),
            ("0.001T", "1G"),
            ("1234567M", "1234567M"),
            ("300Mi", "300Mi"),
            ("307200Ki", "300Mi"),
            ("1025024Mi", "1001Gi"),
            ("5", "5"),
            ("1Ti", "1Ti"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
            (".001e12", "1e9"),
            ("0.001e0", "1e-3"),
            ("1000e-12", "1e-9"),
            ("12E", "12E"),
            ("1000E", "1e21"),
            ("5000E", "5e21"),
            ("1e100", "10e99"),
            ("1e99", "1e99"),
            ("1e2147483647", "10e2147483646"),
            ("9000e2147483647", "90000e2147483646"),
            ("10e3", "10e3"),
            ("1e1", "10"),
            ("1.5e1", "1.5e1"),
            ("1.5e3", "1500"),
            ("-1.5Gi", "-1536Mi"),
            ("-0.5", "-500m"),
            ("-1000m", "-1"),
        ];
        for (input, expect) in table {
            assert_eq!(canon(input), expect, "{input}");
        }
        let nines = "9".repeat(400);
        assert_eq!(canon(&nines), nines);
    }

    #[test]
    fn text_kubernetes_considers_canonical_is_echoed_verbatim() {
        for s in ["+1Ki", "01k", "+100m", "1e3", "0001", "3Ti", "-7Mi"] {
            assert_eq!(canon(s), s, "{s}");
        }
        // Not echoed: divisible by 8 in binary, trailing 000, leading 0 digit.
        assert_eq!(canon("+8Ki"), "8Ki");
        assert_eq!(canon("+1000"), "1k");
        assert_eq!(canon("+0.5"), "500m");
        assert_eq!(canon("+1Pi"), "1Pi");
    }

    #[test]
    fn comparison_is_exact_across_formats_and_magnitudes() {
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1k"), q("1e3"));
        assert!(q("100m") > q("50m"));
        assert!(q("10000T") > q("100Gi"));
        assert!(q("-1") < q("0"));
        assert!(q("-2") < q("-1"));
        assert!(q("1e999999999") > q(&"9".repeat(400)));
        assert!(q("1.0000000001") > q("1"));
        assert!(q("9223372036854775808") > q("9223372036854775807"));
        assert!(q("-1e999999999") < q("-1e999999998"));
        assert_eq!(q("1.5Gi").cmp(&q("1536Mi")), Ordering::Equal);
    }

    #[test]
    fn value_and_milli_value_round_away_from_zero() {
        let table = [
            ("-.484785E-1", -1, -49),
            (".484785E-1", 1, 49),
            ("-0.0005", -1, -1),
            ("0.0005", 1, 1),
            ("-1500m", -2, -1500),
            ("1500m", 2, 1500),
            ("-9.5000000001Gi", -10_200_547_329, -10_200_547_328_108),
            ("9.5000000001Gi", 10_200_547_329, 10_200_547_328_108),
            ("-.484785E-7466", -1, -1),
            ("-1", -1, -1000),
            ("1", 1, 1000),
            ("0", 0, 0),
            ("1Ki", 1024, 1_024_000),
            ("100m", 1, 100),
        ];
        for (input, value, milli) in table {
            let v = q(input);
            assert_eq!((v.value(), v.milli_value()), (value, milli), "{input}");
        }
        assert_eq!(q("1n").scaled_value(-9), 1);
        assert_eq!(q("1").scaled_value(-9), 1_000_000_000);
    }

    #[test]
    fn values_beyond_int64_saturate() {
        assert_eq!(q("1e999999999").value(), i64::MAX);
        assert_eq!(q("-1e999999999").milli_value(), i64::MIN);
        assert_eq!(q("9223372036854775807").value(), i64::MAX);
        assert_eq!(q("9223372036854775807").milli_value(), i64::MAX);
        assert_eq!(q("-9223372036854775808").value(), i64::MIN);
        assert_eq!(q("9223372036854775808").value(), i64::MAX);
        assert_eq!(q(&"9".repeat(400)).value(), i64::MAX);
    }

    #[test]
    fn constructed_quantities_print_like_new_quantity_does() {
        assert_eq!(
            ParsedQuantity::from_milli(1, Format::DecimalSI).canonical(),
            "1m"
        );
        assert_eq!(
            ParsedQuantity::from_milli(1000, Format::DecimalSI).canonical(),
            "1"
        );
        assert_eq!(
            ParsedQuantity::from_milli(1024, Format::BinarySI).canonical(),
            "1024m"
        );
        assert_eq!(
            ParsedQuantity::from_i64(1_234_000, Format::DecimalSI).canonical(),
            "1234k"
        );
        assert_eq!(
            ParsedQuantity::from_i64(1024 * 1024, Format::BinarySI).canonical(),
            "1Mi"
        );
        assert_eq!(
            ParsedQuantity::from_i64(1_000_000, Format::DecimalExponent).canonical(),
            "1e6"
        );
        assert_eq!(
            ParsedQuantity::new(1, -12, Format::DecimalSI).canonical(),
            "1e-12"
        );
        assert_eq!(
            ParsedQuantity::new(1, -10, Format::DecimalSI).canonical(),
            "100e-12"
        );
        assert_eq!(
            ParsedQuantity::from_i64(-2000, Format::BinarySI).canonical(),
            "-2000"
        );
        assert_eq!(
            ParsedQuantity::from_i64(i64::MIN, Format::BinarySI).canonical(),
            "-8Ei"
        );
    }

    #[test]
    fn json_strings_and_numbers_deserialize_and_reserialize_canonically() {
        let table = [
            (r#""100m""#, "100m"),
            (r#"" 1""#, "1"),
            (r#""1 ""#, "1"),
            ("1", "1"),
            ("2", "2"),
            ("-1", "-1"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1000", "1k"),
            ("1e3", "1k"),
            (r#""1.5Gi""#, "1536Mi"),
        ];
        for (json, expect) in table {
            let got: Quantity = serde_json::from_str(json).unwrap_or_default();
            assert!(got.is_valid(), "{json}");
            assert_eq!(
                serde_json::to_string(&got).ok(),
                Some(format!("\"{expect}\"")),
                "{json}"
            );
        }
    }

    #[test]
    fn invalid_text_fails_to_deserialize_but_survives_construction() {
        let got: Result<Quantity, _> = serde_json::from_str(r#""two cores""#);
        assert!(got.is_err());
        let built = Quantity::new("two cores");
        assert_eq!(built.parsed().err(), Some(QuantityError::FormatWrong));
        assert_eq!(
            serde_json::to_string(&built).ok().as_deref(),
            Some(r#""two cores""#)
        );
    }

    #[test]
    fn non_string_non_number_json_is_a_decode_error() {
        for json in ["true", "null", "[1]", r#"{"a":1}"#] {
            assert!(serde_json::from_str::<Quantity>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn quantity_equality_is_semantic() {
        assert_eq!(Quantity::new("1"), Quantity::new("1000m"));
        assert_eq!(Quantity::new("1Gi"), Quantity::new("1024Mi"));
        assert_ne!(Quantity::new("1"), Quantity::new("2"));
        assert_eq!(Quantity::new("x"), Quantity::new("x"));
        assert_ne!(Quantity::new("x"), Quantity::new("y"));
        assert_ne!(Quantity::new("x"), Quantity::new("1"));
        assert_eq!(Quantity::default(), Quantity::new("0"));
        assert_eq!(Quantity::default().to_string(), "0");
        assert!(Quantity::new("2") > Quantity::new("1500m"));
        assert_eq!(Quantity::new("x").partial_cmp(&Quantity::new("1")), None);
        let from: Quantity = ParsedQuantity::from_i64(3, Format::DecimalSI).into();
        assert_eq!(from.raw(), "3");
    }

    #[test]
    fn no_input_makes_parsing_or_formatting_panic() {
        let nines = "9".repeat(400);
        let long_fraction = format!("0.{}1", "0".repeat(500));
        let odd = [
            "",
            "-",
            ".",
            "+",
            "e",
            "E",
            "i",
            "Ki",
            "-Ki",
            "1e999999999",
            "-1e-999999999",
            nines.as_str(),
            long_fraction.as_str(),
            "é",
            "1é",
            "日本",
            "1\u{0}",
            "\u{feff}1",
            "9e2147483647",
            "99999999999999999999e2147483647",
            "1e-2147483647",
            "0.000000000000000000001Ei",
            "999999999999999999999999Ei",
            "-.",
            "+.",
            "..",
            "1..",
            "1.e",
            "1.e+",
            "--1",
            "+-1",
            "1-",
        ];
        for s in odd {
            for text in [
                s.to_string(),
                format!("-{s}"),
                format!("{s}Mi"),
                format!("{s}e-12"),
            ] {
                if let Ok(v) = parse(&text) {
                    let _ = (
                        v.value(),
                        v.milli_value(),
                        v.scaled_value(i32::MIN),
                        v.scaled_value(i32::MAX),
                    );
                    let printed = v.canonical();
                    if let Ok(again) = parse(&printed) {
                        assert_eq!(again, v, "{text:?} printed as {printed:?}");
                    }
                    let _ = v.cmp(&ParsedQuantity::from_i64(1, Format::DecimalSI));
                }
                let wrapped = Quantity::new(text.clone());
                let _ = serde_json::to_string(&wrapped);
            }
        }
    }

    #[test]
    fn canonical_text_reparses_to_the_same_value() {
        // A small deterministic generator over the quantity alphabet.
        let alphabet: &[u8] = b"0123456789.+-eEinumkKMGTP";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = usize::try_from(next() % 12).unwrap_or(0) + 1;
            let text: String = (0..len)
                .map(|_| char::from(alphabet[usize::try_from(next() % 25).unwrap_or(0)]))
                .collect();
            if let Ok(v) = parse(&text) {
                parsed += 1;
                let printed = v.canonical();
                let again = parse(&printed);
                assert_eq!(
                    again.as_ref().ok(),
                    Some(&v),
                    "{text:?} printed as {printed:?}"
                );
            }
        }
        assert!(parsed > 1000);
    }
}
