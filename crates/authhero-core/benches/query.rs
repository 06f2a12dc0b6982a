//! Criterion micro-benchmarks for parsing `q`, the Lucene subset of Auth0's user search: the
//! queries dashboards and SDKs send most, a boolean one with ranges, and one that is refused.

use std::hint::black_box;

use authhero_core::Query;
use criterion::{Criterion, criterion_group, criterion_main};

/// Each case: its benchmark name, the `q`, and whether the parser must accept it.
const CASES: &[(&str, &str, bool)] = &[
    ("email_phrase", r#"email:"someone@example.com""#, true),
    ("name_prefix", "name:jo*", true),
    (
        "boolean_ranges_exists",
        "app_metadata.plan:(gold OR platinum) AND logins_count:[10 TO *] \
         AND created_at:>=2024-01-01 AND NOT _exists_:blocked_for",
        true,
    ),
    (
        "refused_unbalanced",
        r#"(email:"someone@example.com" OR name:jo*"#,
        false,
    ),
];

fn parse_q(c: &mut Criterion) {
    let mut group = c.benchmark_group("q");
    for &(name, q, accepted) in CASES {
        // A case that parses when it should not (or the reverse) would measure the wrong path.
        assert_eq!(Query::parse(q).is_ok(), accepted, "{name}: {q}");
        group.bench_function(name, |b| b.iter(|| Query::parse(black_box(q))));
    }
    group.finish();
}

criterion_group!(benches, parse_q);
criterion_main!(benches);
