//! Timestamps as the API prints them (`metav1.Time`: RFC 3339, whole
//! seconds, UTC).

/// 2025-01-01T00:00:00Z: the instant a simulated cluster starts, so that the
/// same seed gives the same objects, timestamps included.
pub const EPOCH: i64 = 1_735_689_600;

/// Formats Unix seconds as `2025-01-01T00:00:00Z`.
pub fn format(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    // Written digit by digit: statuses carry several timestamps each and the
    // simulation writes hundreds of thousands of them.
    let mut out = String::with_capacity(20);
    let fields = [
        (y, 4, '-'),
        (m, 2, '-'),
        (d, 2, 'T'),
        (secs / 3600, 2, ':'),
        (secs / 60 % 60, 2, ':'),
        (secs % 60, 2, 'Z'),
    ];
    for (value, width, after) in fields {
        for place in (0..width).rev() {
            let digit = (value / 10_i64.pow(place)) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(after);
    }
    out
}

/// Parses what `format` prints (and any RFC 3339 time with an offset, to
/// the second). None for anything else.
#[allow(clippy::many_single_char_names)] // calendar arithmetic's usual names
pub fn parse(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let oh = rest[1..3].parse::<i64>().ok()?;
            let om = rest[4..6].parse::<i64>().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

// Howard Hinnant's proleptic Gregorian calendar conversions.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_prints_as_new_year_2025() {
        assert_eq!(format(EPOCH), "2025-01-01T00:00:00Z");
        assert_eq!(format(EPOCH + 86_400 * 59 + 3661), "2025-03-01T01:01:01Z");
    }

    #[test]
    fn format_prints_rfc3339_seconds_for_any_time() {
        let layout = |t: i64| {
            let (y, m, d) = civil_from_days(t.div_euclid(86_400));
            let s = t.rem_euclid(86_400);
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        };
        let mut t = -62_167_219_200; // 0000-01-01
        while t < 253_402_300_800 {
            assert_eq!(format(t), layout(t));
            t += 7_777_777;
        }
        for t in [
            -62_167_219_201,
            253_402_300_800,
            253_402_300_799,
            0,
            59,
            86_399,
        ] {
            assert_eq!(format(t), layout(t));
        }
    }

    #[test]
    fn parse_reads_what_format_prints_and_offsets() {
        for t in [0, EPOCH, EPOCH + 12_345_678, 951_782_400] {
            assert_eq!(parse(&format(t)), Some(t));
        }
        assert_eq!(parse("2025-01-01T01:00:00+01:00"), Some(EPOCH));
        assert_eq!(parse("2025-01-01T00:00:00.5Z"), Some(EPOCH));
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2025-13-01T00:00:00Z"), None);
    }
}
