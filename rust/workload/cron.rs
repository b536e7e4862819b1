//! Cron schedules as Kubernetes reads a CronJob's `spec.schedule`: the
//! standard parser of github.com/robfig/cron/v3 (`cron.ParseStandard`) —
//! five fields (minute, hour, day of month, month, day of week) with `*`,
//! `?`, lists, ranges, steps and month/weekday names, the `@yearly`…
//! `@hourly` descriptors and `@every <duration>`, and an optional leading
//! `TZ=`/`CRON_TZ=` zone. Errors carry the library's own messages, which the
//! apiserver reports verbatim. Time zones are looked up as Go's
//! `time.LoadLocation` does, in the system's zoneinfo database.

/// Set in a field's bits when it was written `*` or `?` (without a step
/// above 1): the day-of-month/day-of-week rule depends on it.
pub const STAR_BIT: u64 = 1 << 63;

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Bit `n` of a field is set when value `n` matches.
    Spec {
        minute: u64,
        hour: u64,
        dom: u64,
        month: u64,
        dow: u64,
        /// The zone of a `TZ=`/`CRON_TZ=` prefix.
        location: Option<String>,
    },
    /// `@every <duration>`: whole seconds, at least one.
    Every {
        seconds: i64,
        location: Option<String>,
    },
}

struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

/// `cron.ParseStandard`.
pub fn parse_standard(spec: &str) -> Result<Schedule, String> {
    if spec.is_empty() {
        return Err("empty spec string".to_owned());
    }
    let mut spec = spec;
    let mut location = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let eq = spec.find('=').unwrap_or(0);
        // The library slices up to the first space; without one it would
        // fail on the slice, which the apiserver reports as an error too.
        let Some(space) = spec.find(' ') else {
            return Err(format!("provided bad location {}", &spec[eq + 1..]));
        };
        let name = spec.get(eq + 1..space).unwrap_or("");
        if let Err(e) = load_location(name) {
            return Err(format!("provided bad location {name}: {e}"));
        }
        location = Some(name.to_owned());
        spec = spec[space..].trim();
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec, location);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields[..] else {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    };
    Ok(Schedule::Spec {
        minute: get_field(minute, &MINUTES)?,
        hour: get_field(hour, &HOURS)?,
        dom: get_field(dom, &DOM)?,
        month: get_field(month, &MONTHS)?,
        dow: get_field(dow, &DOW)?,
        location,
    })
}

fn all(b: &Bounds) -> u64 {
    bits(b.min, b.max, 1) | STAR_BIT
}

fn parse_descriptor(descriptor: &str, location: Option<String>) -> Result<Schedule, String> {
    let first = |b: &Bounds| 1u64 << b.min;
    let (minute, hour) = (first(&MINUTES), first(&HOURS));
    let spec = |minute, hour, dom, month, dow| Schedule::Spec {
        minute,
        hour,
        dom,
        month,
        dow,
        location: location.clone(),
    };
    match descriptor {
        "@yearly" | "@annually" => {
            return Ok(spec(minute, hour, first(&DOM), first(&MONTHS), all(&DOW)));
        }
        "@monthly" => return Ok(spec(minute, hour, first(&DOM), all(&MONTHS), all(&DOW))),
        "@weekly" => return Ok(spec(minute, hour, all(&DOM), all(&MONTHS), first(&DOW))),
        "@daily" | "@midnight" => {
            return Ok(spec(minute, hour, all(&DOM), all(&MONTHS), all(&DOW)));
        }
        "@hourly" => {
            return Ok(spec(
                minute,
                all(&HOURS),
                all(&DOM),
                all(&MONTHS),
                all(&DOW),
            ))
        }
        _ => {}
    }
    if let Some(text) = descriptor.strip_prefix("@every ") {
        let nanos = parse_duration(text)
            .map_err(|e| format!("failed to parse duration {descriptor}: {e}"))?;
        // Shorter than a second runs every second; fractions are dropped.
        let seconds = (nanos / 1_000_000_000).max(1);
        let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
        return Ok(Schedule::Every { seconds, location });
    }
    Err(format!("unrecognized descriptor: {descriptor}"))
}

fn get_field(field: &str, b: &Bounds) -> Result<u64, String> {
    let mut out = 0;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        out |= get_range(expr, b)?;
    }
    Ok(out)
}

fn get_range(expr: &str, b: &Bounds) -> Result<u64, String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let range = range_and_step.first().copied().unwrap_or("");
    let low_and_high: Vec<&str> = range.split('-').collect();
    let single = low_and_high.len() == 1;
    let (start, mut end, mut extra);
    match low_and_high[..] {
        // The library ignores anything after `*-`.
        ["*" | "?", ..] => (start, end, extra) = (b.min, b.max, STAR_BIT),
        [low] => {
            start = int_or_name(low, b)?;
            (end, extra) = (start, 0);
        }
        [low, high] => {
            start = int_or_name(low, b)?;
            (end, extra) = (int_or_name(high, b)?, 0);
        }
        _ => return Err(format!("too many hyphens: {expr}")),
    }
    let step = match range_and_step[..] {
        [_] => 1,
        [_, step] => {
            let step = must_parse_int(step)?;
            // `N/step` means `N-max/step`.
            if single {
                end = b.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < b.min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            b.min
        ));
    }
    if end > b.max {
        return Err(format!(
            "end of range ({end}) above maximum ({}): {expr}",
            b.max
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(bits(start, end, step) | extra)
}

fn bits(min: u64, max: u64, step: u64) -> u64 {
    let mut out = 0;
    let mut i = min;
    while i <= max {
        out |= 1 << i;
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    out
}

fn int_or_name(expr: &str, b: &Bounds) -> Result<u64, String> {
    let lower = expr.to_ascii_lowercase();
    if let Some((_, v)) = b.names.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    must_parse_int(expr)
}

/// `mustParseInt`: Go's `strconv.Atoi`, then no negatives.
fn must_parse_int(expr: &str) -> Result<u64, String> {
    let num = go_atoi(expr).map_err(|e| {
        format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing {}: {e}",
            crate::errors::go_quote(expr)
        )
    })?;
    if num < 0 {
        return Err(format!("negative number ({num}) not allowed: {expr}"));
    }
    Ok(num.unsigned_abs())
}

/// `strconv.Atoi` on a 64-bit platform: an optional sign, then decimal digits.
fn go_atoi(s: &str) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    s.parse::<i64>().map_err(|_| "value out of range")
}

/// Go's `time.ParseDuration`, in nanoseconds (negative durations count as
/// shorter than a second).
fn parse_duration(s: &str) -> Result<u128, String> {
    let quoted = crate::errors::go_quote(s);
    let invalid = || format!("time: invalid duration {quoted}");
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let number = &rest[..num_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        rest = &rest[num_len..];
        let unit_len = rest
            .bytes()
            .take_while(|b| !b.is_ascii_digit() && *b != b'.')
            .count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale: f64 = match unit {
            "" => return Err(format!("time: missing unit in duration {quoted}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {quoted}",
                    crate::errors::go_quote(unit)
                ))
            }
        };
        let value: f64 = number.parse().map_err(|_| invalid())?;
        total += value * scale;
    }
    if total > 9.223_372_036_854_776e18 {
        return Err(invalid());
    }
    if negative {
        return Ok(0);
    }
    // The total is finite, non-negative and within i64 nanoseconds here.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(total as u128)
}

/// The system directories Go's `time.LoadLocation` reads on Unix.
const ZONE_SOURCES: &[&str] = &[
    "/usr/share/zoneinfo/",
    "/usr/share/lib/zoneinfo/",
    "/usr/lib/locale/TZ/",
    "/etc/zoneinfo/",
];

/// Go's `time.LoadLocation`: `""`, `UTC` and `Local` always load; other
/// names must be a TZif file of the zoneinfo database.
pub fn load_location(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "UTC" || name == "Local" {
        return Ok(());
    }
    let dot_dot = name.split('/').any(|p| p == "..");
    if dot_dot || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".to_owned());
    }
    for dir in ZONE_SOURCES {
        let path = format!("{dir}{name}");
        if let Ok(mut file) = std::fs::File::open(&path) {
            let mut magic = [0u8; 4];
            if std::io::Read::read_exact(&mut file, &mut magic).is_ok() && &magic == b"TZif" {
                return Ok(());
            }
        }
    }
    Err(format!("unknown time zone {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_bits(s: &str) -> (u64, u64, u64, u64, u64) {
        match parse_standard(s) {
            Ok(Schedule::Spec {
                minute,
                hour,
                dom,
                month,
                dow,
                ..
            }) => (minute, hour, dom, month, dow),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn ranges_steps_and_lists_set_the_matching_bits() {
        // robfig/cron's TestRange cases, in the standard parser's fields.
        assert_eq!(get_range("5", &MINUTES), Ok(1 << 5));
        assert_eq!(get_range("5-5", &MINUTES), Ok(1 << 5));
        assert_eq!(get_range("5-6", &MINUTES), Ok(1 << 5 | 1 << 6));
        assert_eq!(get_range("5-7", &MINUTES), Ok(1 << 5 | 1 << 6 | 1 << 7));
        assert_eq!(get_range("5-6/2", &MINUTES), Ok(1 << 5));
        assert_eq!(get_range("5-7/2", &MINUTES), Ok(1 << 5 | 1 << 7));
        assert_eq!(get_range("5-7/1", &MINUTES), Ok(1 << 5 | 1 << 6 | 1 << 7));
        assert_eq!(get_range("*", &HOURS), Ok(bits(0, 23, 1) | STAR_BIT));
        assert_eq!(get_range("*/2", &HOURS), Ok(bits(0, 23, 2)));
        assert_eq!(get_range("*/1", &HOURS), Ok(bits(0, 23, 1) | STAR_BIT));
        assert_eq!(get_range("10/5", &MINUTES), Ok(bits(10, 59, 5)));
        assert_eq!(get_field("5,6,7", &MINUTES), Ok(bits(5, 7, 1)));
        assert_eq!(get_field("1,5-7/2", &MINUTES), Ok(1 << 1 | 1 << 5 | 1 << 7));
        assert_eq!(get_field("mon-wed,FRI", &DOW), Ok(bits(1, 3, 1) | 1 << 5));
    }

    #[test]
    fn bad_ranges_report_the_librarys_messages() {
        for (expr, b, msg) in [
            ("5--5", &MINUTES, "too many hyphens: 5--5"),
            ("*/-12", &MINUTES, "negative number (-12) not allowed: -12"),
            ("*//2", &MINUTES, "too many slashes: *//2"),
            (
                "1-60",
                &MINUTES,
                "end of range (60) above maximum (59): 1-60",
            ),
            ("0", &DOM, "beginning of range (0) below minimum (1): 0"),
            (
                "6-5",
                &MINUTES,
                "beginning of range (6) beyond end of range (5): 6-5",
            ),
            (
                "*/0",
                &MINUTES,
                "step of range should be a positive number: */0",
            ),
            ("7", &DOW, "end of range (7) above maximum (6): 7"),
            (
                "4294967296",
                &HOURS,
                "end of range (4294967296) above maximum (23): 4294967296",
            ),
            (
                "99999999999999999999",
                &HOURS,
                "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \"99999999999999999999\": value out of range",
            ),
            ("1-2-3", &HOURS, "too many hyphens: 1-2-3"),
            (
                "x",
                &MINUTES,
                "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax",
            ),
        ] {
            assert_eq!(get_range(expr, b), Err(msg.to_owned()), "{expr}");
        }
    }

    #[test]
    fn standard_specs_and_descriptors_parse_as_robfig_cron_parses_them() {
        let every = bits(0, 59, 1) | STAR_BIT;
        let (m, h, d, mo, w) = spec_bits("5 * * * *");
        assert_eq!(
            (m, h & STAR_BIT, d, mo, w),
            (1 << 5, STAR_BIT, all(&DOM), all(&MONTHS), all(&DOW))
        );
        let (m, h, d, mo, w) = spec_bits("*/5 0 ? JAN-mar SUN");
        assert_eq!(m, bits(0, 59, 5));
        assert_eq!(h, 1);
        assert_eq!(d, all(&DOM));
        assert_eq!(mo, bits(1, 3, 1));
        assert_eq!(w, 1);
        assert_eq!(spec_bits("@hourly").0, 1);
        assert_eq!(spec_bits("@hourly").1, all(&HOURS));
        assert_eq!(spec_bits("@weekly").4, 1);
        assert_eq!(spec_bits("@yearly"), (1, 1, 1 << 1, 1 << 1, all(&DOW)));
        assert_eq!(spec_bits("@annually"), spec_bits("@yearly"));
        assert_eq!(spec_bits("@midnight"), spec_bits("@daily"));
        assert_eq!(spec_bits("@monthly").2, 1 << 1);
        assert_eq!(spec_bits("* * * * *").0, every);
        assert_eq!(
            parse_standard("@every 1h30m"),
            Ok(Schedule::Every {
                seconds: 5400,
                location: None
            })
        );
        assert_eq!(
            parse_standard("@every 10ms"),
            Ok(Schedule::Every {
                seconds: 1,
                location: None
            })
        );
    }

    #[test]
    fn malformed_specs_are_refused_with_the_librarys_messages() {
        for (spec, msg) in [
            ("", "empty spec string"),
            ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
            (
                "0 * * * * *",
                "expected exactly 5 fields, found 6: [0 * * * * *]",
            ),
            ("@often", "unrecognized descriptor: @often"),
            (
                "@every x",
                "failed to parse duration @every x: time: invalid duration \"x\"",
            ),
            ("61 * * * *", "end of range (61) above maximum (59): 61"),
            (
                "TZ=Nowhere/City * * * * *",
                "provided bad location Nowhere/City: unknown time zone Nowhere/City",
            ),
        ] {
            assert_eq!(parse_standard(spec), Err(msg.to_owned()), "{spec}");
        }
    }

    #[test]
    fn a_tz_prefix_names_the_schedules_location() {
        match parse_standard("CRON_TZ=UTC 0 6 * * *") {
            Ok(Schedule::Spec { location, hour, .. }) => {
                assert_eq!(location.as_deref(), Some("UTC"));
                assert_eq!(hour, 1 << 6);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn locations_load_as_go_loads_them() {
        assert_eq!(load_location("UTC"), Ok(()));
        assert_eq!(load_location("Local"), Ok(()));
        assert_eq!(
            load_location("../etc/passwd"),
            Err("time: invalid location name".to_owned())
        );
        assert_eq!(
            load_location("Mars/Olympus"),
            Err("unknown time zone Mars/Olympus".to_owned())
        );
    }
}
