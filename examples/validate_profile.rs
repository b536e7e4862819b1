//! A harness for profiling `validate_pod_updates` without Python: decodes
//! and validates (old, new) pod pairs read from a file, over and over.
//!
//! The file holds one pod per line (JSON), old and new alternating, as
//! `benches/_pods.py`'s `update_pairs` makes them:
//!
//! ```sh
//! python3 -c "import sys, orjson; sys.path.insert(0, 'benches'); \
//!   from _pods import update_pairs; \
//!   open('/tmp/vpairs.jsonl', 'wb').write(b''.join( \
//!     orjson.dumps(o) + b'\n' + orjson.dumps(n) + b'\n' for o, n in update_pairs(700)))"
//! cargo run --profile profiling --example validate_profile -- /tmp/vpairs.jsonl 5
//! ```
//!
//! Arguments: the file, the number of passes (default 1) and what to run:
//! `full` (decode and validate, the default), `decode` (decoding only) or
//! `validate` (validation of pairs decoded once, cloned per pass).

use _core::input;
use _core::validate;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .unwrap_or_else(|| "/tmp/vpairs.jsonl".to_owned());
    let passes: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mode = args.next().unwrap_or_else(|| "full".to_owned());
    let text = std::fs::read(&file).expect("the pairs file");
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let pairs: Vec<(&[u8], &[u8])> = lines.chunks_exact(2).map(|c| (c[0], c[1])).collect();
    let decoded: Vec<_> = if mode == "validate" {
        pairs
            .iter()
            .map(|(o, n)| {
                (
                    input::pod_from_slice(o).expect("old pod"),
                    input::pod_from_slice(n).expect("new pod"),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let start = Instant::now();
    let mut refused = 0usize;
    for _ in 0..passes {
        refused = 0;
        match mode.as_str() {
            "decode" => {
                for (o, n) in &pairs {
                    let old = input::pod_without_status_from_slice(o).expect("old pod");
                    let new = input::pod_without_status_from_slice(n).expect("new pod");
                    std::hint::black_box((old, new));
                }
            }
            "validate" => {
                for (old, new) in &decoded {
                    let errs = validate::check_pod_update(new.clone(), old.clone());
                    refused += usize::from(!errs.is_empty());
                }
            }
            _ => {
                for (o, n) in &pairs {
                    let old = input::pod_without_status_from_slice(o).expect("old pod");
                    let new = input::pod_without_status_from_slice(n).expect("new pod");
                    let errs = validate::check_pod_update(new, old);
                    refused += usize::from(!errs.is_empty());
                }
            }
        }
    }
    let per_pair = start.elapsed().as_secs_f64() * 1e6 / (passes * pairs.len()) as f64;
    println!(
        "{} pairs x {passes} passes ({mode}): {per_pair:.2} µs/pair, {refused} refused",
        pairs.len()
    );
}
